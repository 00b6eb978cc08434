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

``since`` is the first day the condition held (e.g. the day after a missed
planned_end), so the panel can show the newest problems first.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

import pandas as pd

from dashboard import clock, contract
from dashboard.insights import metrics
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
}


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
    return "/" if board == "overview" else f"/{board}"


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


def evaluate(
    frames: Mapping[str, pd.DataFrame],
    latest: Mapping[str, object],
    today: date,
    rhythms: Mapping[str, int] | None = None,
) -> list[Warning]:
    """Every open warning, most severe first, then newest first."""
    found = [
        *milestone_warnings(frames, today),
        *gap_warnings(frames, today),
        *election_warnings(frames, today),
        *brand_warnings(frames, today),
        *stale_warnings(latest, today, rhythms),
        *term_warnings(frames, today),
    ]
    return sorted(found, key=lambda w: (SEVERITY[w.level], -w.since.toordinal(), w.rule, w.subject))
