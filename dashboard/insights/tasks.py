"""督办 (tasks): the series and lists behind the /tasks board, language-free.

The KPIs (未办结, 超期, 按时办结率, 当日办结率) live with the others in
:mod:`dashboard.insights.metrics`; here are what the charts and the overdue
list read. Every result is bounded whatever the ledger's size: units beyond
UNIT_LIMIT are summed into one remainder, weeks beyond FLOW_WEEKS dropped,
lists cut to a limit with their total kept. An owner is a staff member's name,
shown as entered (never masked, unlike a household).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from dashboard import contract
from dashboard.insights.metrics import frame, task_open, task_overdue

UNIT_LIMIT = 12  # units drawn one by one (most open items first); the rest summed
FLOW_WEEKS = 26  # raised / closed per week: the last half year
# Ages of open items in days since raised: (lowest, highest or None), youngest first.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 2), (3, 7), (8, 30), (31, 90), (91, None))


def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d.year, d.month, d.day)


def _week_start(dates: pd.Series) -> pd.Series:
    return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()


@dataclass(frozen=True)
class OpenBy:
    """Open items per value of a column: value -> (open, of them overdue); ``rest`` beyond the limit."""

    counts: list[tuple[str, int, int]]
    rest: tuple[int, int] = (0, 0)  # open, overdue of the values not listed
    rest_values: int = 0  # how many values were summed into ``rest``


def open_by(frames: Mapping[str, pd.DataFrame], column: str, today: date, limit: int = UNIT_LIMIT) -> OpenBy:
    """Open and overdue items per ``domain`` (every code, contract order) or ``unit`` (most first).

    Units: the ``limit`` with most open items, the others summed into ``rest``; an item with
    no unit counts under "" (drawn as 未填).
    """
    tk = frame(frames, "tasks")
    open_ = task_open(tk)
    over = task_overdue(tk, today)
    values = tk[column].astype("string").fillna("")
    n_open = values[open_].value_counts()
    n_over = values[over].value_counts()
    if column == "domain":
        codes = list(contract.TASK_DOMAIN.codes)
        return OpenBy([(c, int(n_open.get(c, 0)), int(n_over.get(c, 0))) for c in codes])
    order = sorted(n_open.index, key=lambda v: (-int(n_open[v]), -int(n_over.get(v, 0)), v))
    shown, hidden = order[:limit], order[limit:]
    return OpenBy(
        counts=[(v, int(n_open[v]), int(n_over.get(v, 0))) for v in shown],
        rest=(int(sum(n_open[v] for v in hidden)), int(sum(n_over.get(v, 0) for v in hidden))),
        rest_values=len(hidden),
    )


def weekly_flow(frames: Mapping[str, pd.DataFrame], today: date, weeks: int = FLOW_WEEKS) -> pd.DataFrame:
    """Items raised and closed per week (weeks start on Monday) and the open backlog at each week's end.

    Index: week starts (the last ``weeks`` up to today's week); columns raised, closed, backlog.
    The backlog counts items raised by the week's end and not closed by then, so it can be
    rebuilt for any past week from the dates alone.
    """
    tk = frame(frames, "tasks").dropna(subset=["raised_date"])
    if tk.empty:
        return pd.DataFrame(columns=["raised", "closed", "backlog"], dtype="int64")
    this_week = _ts(today - timedelta(days=today.weekday()))
    first = max(_week_start(tk["raised_date"]).min(), this_week - pd.Timedelta(weeks=weeks - 1))
    shown = pd.date_range(first, this_week, freq="7D")
    raised = _week_start(tk["raised_date"]).value_counts().reindex(shown, fill_value=0)
    closed_dates = tk.loc[tk["status"].eq("closed").fillna(False).astype(bool), "closed_date"].dropna()
    closed = _week_start(closed_dates).value_counts().reindex(shown, fill_value=0)
    ends = shown + pd.Timedelta(days=6)
    raised_sorted = tk["raised_date"].sort_values().to_numpy()
    closed_sorted = closed_dates.sort_values().to_numpy()
    backlog = raised_sorted.searchsorted(ends.to_numpy(), side="right") - closed_sorted.searchsorted(
        ends.to_numpy(), side="right"
    )
    return pd.DataFrame(
        {"raised": raised.astype("int64"), "closed": closed.astype("int64"), "backlog": backlog},
        index=shown,
    )


def open_ages(frames: Mapping[str, pd.DataFrame], today: date) -> list[tuple[int, int | None, int, int]]:
    """Open items per age bucket (AGE_BUCKETS): (lowest, highest, open, of them overdue)."""
    tk = frame(frames, "tasks")
    open_ = task_open(tk) & tk["raised_date"].notna()
    age = (_ts(today) - tk.loc[open_, "raised_date"]).dt.days.clip(lower=0)
    over = task_overdue(tk, today)[open_]
    out = []
    for lo, hi in AGE_BUCKETS:
        inside = age.ge(lo) & (age.le(hi) if hi is not None else True)
        out.append((lo, hi, int(inside.sum()), int((inside & over).sum())))
    return out


def overdue_items(
    frames: Mapping[str, pd.DataFrame], today: date, limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Open items past their deadline, longest overdue first, and how many there are.

    Rows: task_code, title, owner, unit, domain (code), status (code), raised_date, deadline
    (dates), days (days past the deadline, >= 1).
    """
    tk = frame(frames, "tasks")
    over = tk[task_overdue(tk, today)]
    return _rows(over.sort_values(["deadline", "raised_date", "task_code"]), today, limit), len(over)


def recent_items(
    frames: Mapping[str, pd.DataFrame], today: date, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The items raised last, newest first (filtered to a day: that day's items), and how many in all.

    Rows as :func:`overdue_items`; ``days`` is 0 for an item not overdue.
    """
    tk = frame(frames, "tasks")
    order = tk.sort_values(["raised_date", "task_code"], ascending=[False, True])
    return _rows(order, today, limit), len(tk)


def _rows(order: pd.DataFrame, today: date, limit: int | None) -> list[dict[str, Any]]:
    if limit is not None:
        order = order.head(limit)
    over = task_overdue(order, today)
    now = _ts(today)
    return [
        {
            "task_code": str(r.task_code),
            "title": str(r.title),
            "owner": "" if pd.isna(r.owner) else str(r.owner),
            "unit": "" if pd.isna(r.unit) else str(r.unit),
            "domain": None if pd.isna(r.domain) else str(r.domain),
            "status": None if pd.isna(r.status) else str(r.status),
            "raised_date": pd.Timestamp(r.raised_date).date(),
            "deadline": pd.Timestamp(r.deadline).date(),
            "days": int((now - r.deadline).days) if late else 0,
        }
        for r, late in zip(order.itertuples(index=False), over, strict=True)
    ]


def meetings_with_tasks(
    frames: Mapping[str, pd.DataFrame], limit: int, types: tuple[str, ...] = ("dispatch",)
) -> tuple[list[dict[str, Any]], int]:
    """The latest meetings of ``types`` (newest first) with the items raised at them that day.

    Rows: date, type (code), topic, chair, decisions, tasks (items raised that day with the
    meeting's type as source). Also the number of such meetings in all.
    """
    mt = frame(frames, "meetings").dropna(subset=["date"])
    mt = mt[mt["type"].isin(list(types)).fillna(False).astype(bool)]
    total = len(mt)
    latest = mt.sort_values(["date", "topic"], ascending=[False, True]).head(limit)
    tk = frame(frames, "tasks")
    counts = (
        tk.groupby([tk["raised_date"], tk["source"]]).size() if not tk.empty else pd.Series(dtype="int64")
    )
    rows = []
    for r in latest.itertuples(index=False):
        rows.append(
            {
                "date": pd.Timestamp(r.date).date(),
                "type": str(r.type),
                "topic": str(r.topic),
                "chair": "" if pd.isna(r.chair) else str(r.chair),
                "decisions": None if pd.isna(r.decisions) else int(r.decisions),
                "tasks": int(counts.get((pd.Timestamp(r.date), str(r.type)), 0)),
            }
        )
    return rows, total
