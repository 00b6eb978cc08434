"""Curves over time from ledgers that only hold current status.

Every upload is a version, and a ledger row belongs to the versions
``version_from <= v < version_to``; so how many properties were signed at
each version is one GROUP BY over the ledger (no version is loaded whole):
each (version_from, version_to, status) group adds its count to a range of
versions. Each version is then placed at its upload time (office day), the
last version of a day wins, and days in between carry the last value.

Where the history is short (the first upload came late in the campaign, or
the demo loaded everything at once), the days before the first version are
filled from the dates in the current rows (签约日期, 完成日期, 启动日期),
marked ``source = "dates"`` so a chart can tell reconstructed from recorded.

Curves (all DataFrames with a DatetimeIndex and a ``source`` column):
- demolition_rates: per day, signed / vacated / demolished rates (fractions).
- elections_weekly: per week (Monday), completed (cumulative at week end) and new.
- brands_monthly: per month (1st), launched (cumulative at month end, 已挂牌 or 示范) and new.

``history(engine, today, current)`` returns them as frames keyed ``trend.<id>``
so chart functions stay pure functions of Frames; ``from_dates`` gives the
same curves from the rows alone (what the charts use without a database).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard import clock, contract
from dashboard.insights.metrics import Frames, at_least, campaign_start, frame
from dashboard.store import LEDGERS, storage

TREND_PREFIX = "trend."
MAX_DAYS = 400  # a daily curve never grows past this (older days are dropped)


@dataclass(frozen=True)
class Measure:
    """A status curve: rows of ``dataset`` whose ordered ``column`` reached each code."""

    id: str
    dataset: str
    column: str
    enum: contract.Enum
    reached: dict[str, str]  # output column -> enum code ("at least")
    dates: dict[str, str]  # output column -> date column that records reaching it
    freq: str  # "D", "W-MON" (weeks starting Monday), "MS"
    rate: bool  # fractions of all rows (True) or counts (False)


MEASURES: dict[str, Measure] = {
    m.id: m
    for m in (
        Measure(
            "demolition_rates",
            "demolition",
            "status",
            contract.PROPERTY_STATUS,
            {"signed": "signed", "vacated": "vacated", "demolished": "demolished"},
            {"signed": "signed_date", "vacated": "vacated_date", "demolished": "demolished_date"},
            "D",
            True,
        ),
        Measure(
            "elections_weekly",
            "elections",
            "stage",
            contract.ELECTION_STAGE,
            {"completed": "completed"},
            {"completed": "completed_date"},
            "W-MON",
            False,
        ),
        Measure(
            "brands_monthly",
            "brands",
            "status",
            contract.BRAND_STATUS,
            {"launched": "launched"},
            {"launched": "start_date"},  # the launch day is not recorded: start date stands in
            "MS",
            False,
        ),
    )
}


# ---------------------------------------------------------------------------
# per version, from the ledger's version ranges


def counts_by_version(engine: Engine, measure: Measure) -> pd.DataFrame:
    """Per version number of ``measure.dataset``: rows reaching each code, and all rows.

    Index: version number (1..N); columns: the measure's output columns and ``total``.
    """
    table = LEDGERS[measure.dataset]
    col = table.c[measure.column]
    query = sa.select(table.c.version_from, table.c.version_to, col, sa.func.count()).group_by(
        table.c.version_from, table.c.version_to, col
    )
    versions = storage.list_versions(engine, measure.dataset)
    last = max((v.number for v in versions), default=0)
    out = pd.DataFrame(
        0, index=pd.RangeIndex(1, last + 1, name="version"), columns=[*measure.reached, "total"]
    )
    if not last:
        return out
    with engine.connect() as conn:
        groups = conn.execute(query).all()
    ranks = {code: i for i, code in enumerate(measure.enum.codes)}
    for name in [*measure.reached, "total"]:
        delta = np.zeros(last + 2, dtype=np.int64)
        need = None if name == "total" else measure.enum.rank(measure.reached[name])
        for start, stop, value, n in groups:
            if need is not None and (value is None or ranks.get(value, -1) < need):
                continue
            delta[start] += n
            delta[(stop if stop is not None else last + 1)] -= n
        out[name] = np.cumsum(delta)[1 : last + 1]
    return out


def _office_day(moment: object) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert(clock.OFFICE_TZ).tz_localize(None).normalize()


def _periods(freq: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Period starts covering start..end (days, Mondays or 1sts)."""
    if freq == "D":
        return pd.date_range(start, end, freq="D")
    if freq == "W-MON":
        first = start - pd.Timedelta(days=start.weekday())
        return pd.date_range(first, end, freq="7D")
    return pd.date_range(start.replace(day=1), end, freq="MS")


def _period_ends(index: pd.DatetimeIndex, freq: str, today: pd.Timestamp) -> pd.DatetimeIndex:
    """The last day of each period (today for the running one)."""
    if freq == "D":
        ends = index
    elif freq == "W-MON":
        ends = index + pd.Timedelta(days=6)
    else:
        ends = index + pd.offsets.MonthEnd(0)
    return pd.DatetimeIndex(np.minimum(ends.values, today.to_datetime64()))


def _from_dates_at(
    measure: Measure, rows: pd.DataFrame, days: pd.DatetimeIndex, now: pd.Timestamp
) -> pd.DataFrame:
    """The measure on each day in ``days`` from the date columns of the current rows.

    A row that reached the status without a date (a brand with no start date)
    is known to have reached it today, so it counts from today on.
    """
    out = pd.DataFrame(index=days)
    total = len(rows)
    for name, code in measure.reached.items():
        reached = at_least(rows[measure.column], measure.enum, code)
        dates = rows.loc[reached, measure.dates[name]]
        dated = dates.dropna().sort_values().to_numpy(dtype="datetime64[s]")
        at = days.to_numpy(dtype="datetime64[s]")
        n = np.searchsorted(dated, at, side="right").astype(float)
        n += np.where(at >= now.to_datetime64(), float(dates.isna().sum()), 0.0)
        out[name] = n / total if measure.rate and total else (n if not measure.rate else np.nan)
    return out


def _curve(
    measure: Measure,
    rows: pd.DataFrame,
    today: date,
    by_version: pd.DataFrame | None,
    version_days: list[pd.Timestamp],
    start: date | None = None,
) -> pd.DataFrame:
    """Combine recorded versions (from their day on) with the row dates (before)."""
    now = pd.Timestamp(today)
    first_dates = [
        rows[c].dropna().min() for c in measure.dates.values() if c in rows and not rows[c].dropna().empty
    ]
    lows = [pd.Timestamp(d) for d in first_dates] + version_days
    if start is not None:
        lows.append(pd.Timestamp(start))
    if not rows.empty:
        lows.append(now)  # undated rows still count today
    if not lows:
        return pd.DataFrame(columns=[*measure.reached, "source"], index=pd.DatetimeIndex([]))
    lo = max(
        min(lows).normalize(), now - pd.Timedelta(days=MAX_DAYS - 1) if measure.freq == "D" else min(lows)
    )
    index = _periods(measure.freq, lo, max(now, lo))
    ends = _period_ends(index, measure.freq, now)
    out = _from_dates_at(measure, rows, ends, now)
    out.index = index
    out["source"] = "dates"
    if by_version is not None and len(by_version) and version_days:
        # the last version uploaded on or before each period's end
        recorded = by_version.copy()
        if measure.rate:
            for name in measure.reached:
                recorded[name] = (recorded[name] / recorded["total"].where(recorded["total"] > 0)).astype(
                    float
                )
        recorded.index = pd.DatetimeIndex(version_days)
        recorded = recorded[~recorded.index.duplicated(keep="last")].sort_index()
        pos = recorded.index.searchsorted(ends, side="right") - 1
        has = pos >= 0
        for name in measure.reached:
            values = out[name].to_numpy(dtype=float, copy=True)
            values[has] = recorded[name].to_numpy(dtype=float)[pos[has]]
            out[name] = values
        out.loc[has, "source"] = "history"
    return out


def _new_per_period(curve: pd.DataFrame, name: str) -> pd.Series:
    """Increase per period of a cumulative count (never negative: a correction is not a completion)."""
    return curve[name].diff().fillna(curve[name]).clip(lower=0).astype("int64")


def _finish(measure: Measure, curve: pd.DataFrame) -> pd.DataFrame:
    if measure.rate or curve.empty:
        return curve
    for name in measure.reached:
        curve[name] = curve[name].astype("int64")
        curve[f"new_{name}"] = _new_per_period(curve, name)
    return curve


def _start(measure: Measure, frames: Mapping[str, pd.DataFrame]) -> date | None:
    return campaign_start(frames) if measure.dataset == "demolition" else None


def from_dates(frames: Mapping[str, pd.DataFrame], today: date, trend_id: str) -> pd.DataFrame:
    """The curve ``trend_id`` from the dates in the current rows alone (no history)."""
    m = MEASURES[trend_id]
    return _finish(m, _curve(m, frame(frames, m.dataset), today, None, [], _start(m, frames)))


def trend(engine: Engine, today: date, trend_id: str, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The curve ``trend_id`` from the version history, dates filling the days before it."""
    m = MEASURES[trend_id]
    versions = sorted(storage.list_versions(engine, m.dataset), key=lambda v: v.number)
    days = [_office_day(v.created_at) for v in versions]
    by_version = counts_by_version(engine, m) if versions else None
    rows = frame(frames, m.dataset)
    return _finish(m, _curve(m, rows, today, by_version, days, _start(m, frames)))


def history(engine: Engine, today: date, frames: Mapping[str, pd.DataFrame]) -> Frames:
    """Every curve, keyed ``trend.<id>``, to add to a board's frames."""
    return {TREND_PREFIX + tid: trend(engine, today, tid, frames) for tid in MEASURES}


def get(frames: Mapping[str, pd.DataFrame], today: date, trend_id: str) -> pd.DataFrame:
    """The curve from the frames (history when the app added it), else from the row dates."""
    got = frames.get(TREND_PREFIX + trend_id)
    return got if got is not None else from_dates(frames, today, trend_id)


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())
