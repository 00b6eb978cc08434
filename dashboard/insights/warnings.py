"""Red / yellow warnings a leader acts on, each rule declared once with its threshold.

``RULES`` is the one place where a rule's level and threshold live; the
evaluators below read their threshold from it, the tests probe every rule just
under, at and over it. Language-free: a warning carries its rule id and the
figures that tripped it (``params``: numbers, dates, codes); ``dashboard.board``
writes the reason from the catalogue (``warn.<rule id>``) in the viewer's language.

Rules (threshold units in brackets):
- milestone_overdue (red, days): today is more than N days past planned_end
  and the milestone has no actual_end.
- milestone_lagging (yellow, points): in progress, progress is more than N
  points below the share of its planned window elapsed.
- progress_gap_red / progress_gap_yellow (points): 进度差 = 签约率 − 时间进度
  below −10 / below 0 (metrics.GAP_BAD_PP is the same −10).
- election_overdue (red, days): not completed more than N days after planned_date.
- brand_behind_pace (yellow, points): activities this year / yearly target is
  more than N points below the share of the year elapsed.
- dataset_stale (yellow, days): last upload more than the dataset's rhythm
  ago (contract ``Dataset.rhythm_days``, overridable with
  DASHBOARD_RHYTHM_DAYS, e.g. ``demolition=2,activities=14``).
- term_expiring (yellow, days) / term_expired (red): term_end within 180 days / passed.
- task_overdue (red, days): an open 督办 item more than N days past its deadline.
- task_due_soon (yellow, days): an open item due within N days (today included).
- task_same_day_rate_low (yellow, percent): 当日办结率 of the items raised in the last
  SAME_DAY_WINDOW_DAYS days below N% (items raised today and still open are not judged yet).
- org_life_due_soon (yellow, days): the current month or quarter ends within N days (N = 7:
  on its last day 0 days are left) and an organisation has not yet held a meeting of a type due
  in it; one warning per organisation, naming the types.
- org_life_missing (red, periods): an organisation held no meeting of a required type in one of
  its last N closed periods (N = 1: the last closed month for the monthly types, the last closed
  quarter for the quarterly ones). Older gaps stay on the board's grid, not on the panel, so a
  year-old gap does not flood it; one warning per organisation.

``since`` is the first day the condition held (e.g. the day after a missed
planned_end), so the panel can show the newest problems first.
"""

from __future__ import annotations

import math
import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

import pandas as pd

from dashboard import clock, contract
from dashboard.insights import metrics, org_life
from dashboard.insights.memo import MEMO
from dashboard.insights.metrics import frame

Level = Literal["red", "yellow"]
SEVERITY: dict[str, int] = {"red": 0, "yellow": 1}


@dataclass(frozen=True)
class Rule:
    """One warning rule: its id, level, threshold (unit in the module docstring) and board."""

    id: str
    level: Level
    threshold: float
    board: str

    @property
    def reason_key(self) -> str:
        return f"warn.{self.id}"


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("milestone_overdue", "red", 0, "demolition"),
        Rule("milestone_lagging", "yellow", 0, "demolition"),
        Rule("progress_gap_red", "red", metrics.GAP_BAD_PP, "demolition"),
        Rule("progress_gap_yellow", "yellow", 0, "demolition"),
        Rule("election_overdue", "red", 0, "elections"),
        Rule("brand_behind_pace", "yellow", 0, "brands"),
        Rule("dataset_stale", "yellow", 0, ""),  # threshold: the dataset's rhythm (rhythm_days)
        Rule("term_expiring", "yellow", metrics.TERM_WARN_DAYS, "elections"),
        Rule("term_expired", "red", 0, "elections"),
        # 督办 (tasks)
        Rule("task_overdue", "red", 0, "tasks"),
        Rule("task_due_soon", "yellow", 2, "tasks"),
        Rule("task_same_day_rate_low", "yellow", 60, "tasks"),
        Rule("round_overdue", "red", 0, "overview"),  # days past a reporting round's deadline
        Rule("org_life_due_soon", "yellow", 7, "org_life"),
        Rule("org_life_missing", "red", 1, "org_life"),
    )
}

# The board that shows each dataset (where a staleness warning links to).
DATASET_BOARD: dict[str, str] = {
    "elections": "elections",
    "brands": "brands",
    "activities": "brands",
    "demolition": "demolition",
    "milestones": "demolition",
    "meetings": "demolition",
    "tasks": "tasks",
    "org_life": "org_life",
}
SAME_DAY_WINDOW_DAYS = 7  # task_same_day_rate_low looks at the items raised in the last 7 days


@dataclass(frozen=True)
class Warning:
    """One open warning as the panel shows it."""

    rule: str
    level: Level
    board: str
    link: str  # the board's route
    since: date  # first day the condition held
    subject: str = ""  # what it is about (milestone code, org code, dataset ...)
    name: str = ""  # the data name quoted in the reason, as entered (shown as data, never translated)
    # the figures of the reason (catalogue ``warn.<rule>``): numbers, dates and codes, unformatted
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason_key(self) -> str:
        return RULES[self.rule].reason_key


def rhythm_days(env: Mapping[str, str] | None = None) -> dict[str, int]:
    """Expected update rhythm per dataset: the contract's, overridden by DASHBOARD_RHYTHM_DAYS."""
    out = {name: ds.rhythm_days for name, ds in contract.DATASETS.items()}
    spec = (env if env is not None else os.environ).get("DASHBOARD_RHYTHM_DAYS", "")
    for item in spec.split(","):
        if "=" not in item:
            continue
        name, _, days = item.partition("=")
        name = name.strip()
        if name in out and days.strip().isdigit():
            out[name] = int(days.strip())
    return out


def _link(board: str) -> str:
    """The board's route (components/site.py): '/org-life' for the org_life board."""
    return "/" if board == "overview" else "/" + board.replace("_", "-")


def _warn(rule_id: str, since: date, subject: str = "", board: str = "", **params: Any) -> Warning:
    rule = RULES[rule_id]
    board = board or rule.board
    return Warning(
        rule=rule.id,
        level=rule.level,
        board=board,
        link=_link(board),
        since=since,
        subject=subject,
        name=str(params.get("name", "")),
        params=params,
    )


def _day(value: object) -> date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# the evaluators, one per subject


def milestone_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """Overdue milestones (red) and in-progress ones lagging their time elapsed (yellow)."""
    out = []
    overdue_days = RULES["milestone_overdue"].threshold
    lag_pp = RULES["milestone_lagging"].threshold
    for r in frame(frames, "milestones").itertuples(index=False):
        if pd.isna(r.planned_start) or pd.isna(r.planned_end) or not pd.isna(r.actual_end):
            continue
        start, end = _day(r.planned_start), _day(r.planned_end)
        progress = 0.0 if pd.isna(r.progress) else float(r.progress)
        name = f"{r.milestone_code} {r.name}"
        past = (today - end).days
        if past > overdue_days:
            out.append(
                _warn(
                    "milestone_overdue",
                    end + timedelta(days=int(overdue_days) + 1),
                    r.milestone_code,
                    name=name,
                    end=end,
                    days=past,
                    progress=progress,
                )
            )
            continue
        if today < start or progress >= 100:
            continue
        span = (end - start).days + 1
        elapsed = (today - start).days + 1
        expected = 100 * elapsed / span
        if expected - progress > lag_pp:
            # first day the elapsed share passed progress + threshold
            first = start + timedelta(days=max(0, math.floor((progress + lag_pp) * span / 100)))
            out.append(
                _warn(
                    "milestone_lagging",
                    min(first, today),
                    r.milestone_code,
                    name=name,
                    progress=progress,
                    expected=round(expected),
                )
            )
    return out


def gap_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """进度差 below 0 (yellow) or below −10 points (red): only the worse one is shown."""
    kpis = {k.id: k for k in metrics.overview_kpis(dict(frames), {}, today)}
    gap = kpis["progress_gap"].value
    if gap is None:
        return []
    signed = kpis["signed_rate"].value or 0.0
    start = metrics.campaign_start(frames)
    for rule_id in ("progress_gap_red", "progress_gap_yellow"):
        threshold = RULES[rule_id].threshold
        if gap < threshold:
            # time progress passed signed + |threshold| on this campaign day
            day = math.floor(signed * metrics.CAMPAIGN_DAYS - threshold) + 1
            since = start + timedelta(days=max(0, day - 1)) if start else today
            return [
                _warn(
                    rule_id,
                    min(since, today),
                    "progress_gap",
                    gap=gap,
                    signed=signed,
                    time=kpis["time_progress"].value,
                )
            ]
    return []


def election_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """Organisations not completed by their planned date (red)."""
    out = []
    grace = RULES["election_overdue"].threshold
    for r in frame(frames, "elections").itertuples(index=False):
        if r.stage == "completed" or pd.isna(r.planned_date):
            continue
        planned = _day(r.planned_date)
        past = (today - planned).days
        if past > grace:
            out.append(
                _warn(
                    "election_overdue",
                    planned + timedelta(days=int(grace) + 1),
                    r.org_code,
                    name=r.org_name,
                    date=planned,
                    days=past,
                    stage=None if pd.isna(r.stage) else r.stage,
                )
            )
    return out


def brand_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """Brands whose activities this year lag the share of the year elapsed (yellow)."""
    out = []
    lag_pp = RULES["brand_behind_pace"].threshold
    year_start = date(today.year, 1, 1)
    year_days = (date(today.year + 1, 1, 1) - year_start).days
    for card in metrics.brand_cards(frames, today):
        pace, target = card["pace"], card["target"]
        if pace is None or not target:
            continue
        expected = card["expected"]
        if (expected - pace) * 100 > lag_pp:
            first = year_start + timedelta(days=max(0, math.floor((pace + lag_pp / 100) * year_days)))
            out.append(
                _warn(
                    "brand_behind_pace",
                    min(first, today),
                    card["project_code"],
                    name=f"{card['community']} · {card['brand_name']}",
                    count=card["activities"],
                    target=target,
                    expected=math.ceil(expected * target),
                )
            )
    return out


def _office_date(moment: datetime) -> date:
    return moment.astimezone(clock.OFFICE_TZ).date()


def stale_warnings(
    latest: Mapping[str, object],
    today: date,
    rhythms: Mapping[str, int] | None = None,
) -> list[Warning]:
    """Datasets whose last upload is older than their rhythm (yellow).

    ``latest`` is ``storage.latest_versions(engine)`` (anything with a
    ``created_at`` datetime); a dataset never imported is not stale, it is
    "尚未导入" on its board.
    """
    rhythms = rhythms or rhythm_days()
    out = []
    for name, info in latest.items():
        if name not in contract.DATASETS:
            continue
        created = _office_date(info.created_at)  # type: ignore[attr-defined]
        rhythm = rhythms[name]
        age = (today - created).days
        if age > rhythm + RULES["dataset_stale"].threshold:
            out.append(
                _warn(
                    "dataset_stale",
                    created + timedelta(days=rhythm + 1),
                    name,
                    board=DATASET_BOARD[name],
                    dataset=name,
                    date=created,
                    days=age,
                    rhythm=rhythm,
                )
            )
    return out


def term_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """Terms ending within 180 days (yellow) or already ended (red); see also term_calendar."""
    out = []
    window = RULES["term_expiring"].threshold
    for row in term_calendar(frames, today):
        days = row["days"]
        if days < RULES["term_expired"].threshold:
            rule, since = "term_expired", row["term_end"]
        elif days <= window:
            rule, since = "term_expiring", row["term_end"] - timedelta(days=int(window))
        else:
            continue
        out.append(
            _warn(
                rule,
                min(since, today),
                row["org_code"],
                name=row["org_name"],
                date=row["term_end"],
                days=abs(days),
            )
        )
    return out


def org_life_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """Organisations behind on 组织生活: a period about to close (yellow), a recent one missed (red)."""
    out = []
    for row in org_life.missing_recent(frames, today, RULES["org_life_missing"].threshold):
        out.append(
            _warn(
                "org_life_missing",
                row["end"] + timedelta(days=1),
                row["org_code"],
                name=row["org_name"],
                types=row["types"],
                periods=row["periods"],
            )
        )
    window = RULES["org_life_due_soon"].threshold
    for row in org_life.due_soon(frames, today, window):
        out.append(
            _warn(
                "org_life_due_soon",
                min(today, row["end"] - timedelta(days=int(window))),
                row["org_code"],
                name=row["org_name"],
                types=row["types"],
                period=row["period"],
                days=row["days_left"],
            )
        )
    return out


def term_calendar(frames: Mapping[str, pd.DataFrame], today: date) -> list[dict[str, object]]:
    """Every organisation's term end (term_end, or completed_date + 5 years), soonest first.

    Rows: org_code, org_name, org_type (code), term_end (date), days (from
    today; negative = ended), in_window (ends within the 180-day window or has ended).
    """
    el = frame(frames, "elections")
    end = metrics.effective_term_end(el)
    window = RULES["term_expiring"].threshold
    end = end.dropna().sort_values(kind="stable")
    picked = el.loc[end.index]  # column at a time: a city's 5,000 organisations, not 30,000 lookups
    ends = [_day(e) for e in end.to_numpy(dtype="datetime64[s]")]
    return [
        {
            "org_code": code,
            "org_name": name,
            "org_type": None if pd.isna(org_type) else org_type,
            "term_end": term_end,
            "days": (term_end - today).days,
            "in_window": (term_end - today).days <= window,
        }
        for code, name, org_type, term_end in zip(
            picked["org_code"].tolist(),
            picked["org_name"].tolist(),
            picked["org_type"].tolist(),
            ends,
            strict=True,
        )
    ]


def task_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """督办: each open item overdue (red) or due soon (yellow); 当日办结率 of the last week low (yellow)."""
    out = []
    tk = frame(frames, "tasks")
    grace = RULES["task_overdue"].threshold
    soon = RULES["task_due_soon"].threshold
    open_ = tk[metrics.task_open(tk) & tk["deadline"].notna()]
    for r in open_.itertuples(index=False):
        deadline = _day(r.deadline)
        late = (today - deadline).days
        if late > grace:
            rule, since, days = "task_overdue", deadline + timedelta(days=int(grace) + 1), late
        elif -late <= soon:
            rule, since, days = "task_due_soon", deadline - timedelta(days=int(soon)), -late
        else:
            continue
        out.append(
            _warn(
                rule,
                min(since, today),
                str(r.task_code),
                # the item and its owner (a staff member, not masked), quoted together as data
                name=str(r.title) if pd.isna(r.owner) else f"{r.title} · {r.owner}",
                date=deadline,
                days=days,
            )
        )
    first = _ts(today - timedelta(days=SAME_DAY_WINDOW_DAYS - 1))
    in_window = tk["raised_date"].between(first, _ts(today)).fillna(False).astype(bool)
    week = tk[in_window & metrics.task_day_judged(tk, today)]  # today's open items: not judged yet
    if len(week):
        same = int(metrics.task_same_day(week).sum())
        rate = 100 * same / len(week)
        if rate < RULES["task_same_day_rate_low"].threshold:
            out.append(
                _warn(
                    "task_same_day_rate_low",
                    today,
                    "tasks_same_day_rate",
                    rate=rate / 100,
                    count=same,
                    total=len(week),
                    threshold=RULES["task_same_day_rate_low"].threshold / 100,
                    window=SAME_DAY_WINDOW_DAYS,
                )
            )
    return out


def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d.year, d.month, d.day)


ROUND_FRAME = "round.open"  # store.rounds.OPEN_FRAME: the open rounds' asked scopes, in the snapshot


def round_warnings(frames: Mapping[str, pd.DataFrame], today: date) -> list[Warning]:
    """Open reporting rounds past their deadline with scopes that have not reported (red), one per round."""
    rows = frames.get(ROUND_FRAME)
    if rows is None or rows.empty:
        return []
    out = []
    threshold = int(RULES["round_overdue"].threshold)
    for (round_id, dataset, deadline), group in rows.groupby(["round", "dataset", "deadline"], sort=True):
        missing = group.loc[~group["reported"].astype(bool), "scope"]
        if len(missing) and (today - deadline).days > threshold:
            scopes = ", ".join(str(s).partition("=")[2] for s in missing)  # the values, as entered
            out.append(_warn(
                "round_overdue", deadline + timedelta(days=1), f"round {round_id}",
                round=int(round_id), dataset=dataset, deadline=deadline, n=len(missing), scopes=scopes,
                name=scopes,
            ))  # fmt: skip
    return out


def evaluate(
    frames: Mapping[str, pd.DataFrame],
    latest: Mapping[str, object],
    today: date,
    rhythms: Mapping[str, int] | None = None,
) -> list[Warning]:
    """Every open warning, most severe first, then newest first.

    Each evaluator's warnings are remembered for the ledgers it reads (``memo``): after an
    upload only the evaluators reading the new version run again.
    """

    def per_version(rule: Any, *datasets: str, extra: Hashable = None) -> list[Warning]:
        read = tuple(frame(frames, name) for name in datasets)
        return MEMO.get(f"warn.{rule.__name__}", read, (today, extra), lambda: rule(frames, today))

    found = [
        *per_version(milestone_warnings, "milestones"),
        *per_version(gap_warnings, "demolition", "milestones"),
        *per_version(election_warnings, "elections"),
        *per_version(brand_warnings, "brands", "activities"),
        *stale_warnings(latest, today, rhythms),
        *per_version(term_warnings, "elections"),
        *per_version(task_warnings, "tasks"),
        *round_warnings(frames, today),
        *per_version(org_life_warnings, "elections", "org_life", extra=org_life.required_types(frames)),
    ]
    return sorted(found, key=lambda w: (SEVERITY[w.level], -w.since.toordinal(), w.rule, w.subject))
