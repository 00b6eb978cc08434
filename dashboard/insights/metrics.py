"""The numbers a leader reads: KPIs and the rows behind the non-chart parts.

Pure pandas over the current typed frames (``storage.load_current``), so every
figure can be checked by hand against a small frame. Rates are fractions
(0.5 = 50%); percentage points (``pp``) are in points. Every KPI carries the
inputs of its formula (``detail``) so the tooltip shows the actual counts.
Language-free: codes, numbers and dates; ``dashboard.board`` writes them out
in the viewer's language (catalogue keys ``kpi.<id>`` and ``kpi.<id>.formula``).

Definitions (the formula texts in ``dashboard.i18n`` say the same):
- 换届完成率: organisations at stage 已完成 / all organisations; split 村居
  (village + residential) and 社区 (community).
- 品牌覆盖率: communities with a brand at or past 已挂牌 / communities, where
  communities = distinct ``brands.community`` ∪ names of the elections
  ledger's 社区 organisations with the party suffix (党委, 党总支, 党支部 ...)
  removed. A 社区 organisation with no brand at all thus counts as uncovered.
- 本月活动 / 本月参与人次: activities (rows / participants) in today's calendar month.
- 签约率 / 腾空率 / 拆除率: properties whose status rank >= 已签约 / 已腾空 /
  已拆除, over all properties.
- 时间进度: day N of CAMPAIGN_DAYS, N = today − campaign start + 1 clipped to
  0..100, as N/100; campaign start = earliest milestones planned_start.
- 进度差: (签约率 − 时间进度) × 100 in pp; warn below 0, bad below −10.
- 督办 (tasks): 未办结 = items not 已办结; 超期 = open items whose 办理时限 is
  before today; 按时办结率 = items closed on or before their deadline / closed
  items; 当日办结率 (日清日结) = items closed the day they were raised / items raised, today's
  still open ones left out (they have the rest of the day: ``task_day_judged``).
- 组织生活达标率 / 有缺项的组织 / 组织生活到会率: see ``dashboard.insights.org_life``.
- Deltas: the same KPI on the previous version of its dataset(s); the weekly report's: on the data
  of a week ago, judged as of that day (``overview_kpis(previous_day=...)``).
- Which way is better (``Kpi.better``, defined once in ``_DEFS``): most KPIs read higher is better;
  未办结, 超期 and 有缺项的组织 read lower is better; 时间进度 neither (time passes either way).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from dashboard import contract
from dashboard.insights import org_life
from dashboard.insights.memo import MEMO
from dashboard.store import mask_name

Frames = dict[str, pd.DataFrame]
Unit = Literal["pct", "count", "day", "pp"]
Level = Literal["ok", "warn", "bad"]
Better = Literal["higher", "lower", "neither"]  # which way a KPI's change is good news

CAMPAIGN_DAYS = 100
TERM_WARN_DAYS = 180
PACE_WINDOW_DAYS = 7
GAP_BAD_PP = -10.0
MAX_POINTS = 400  # time series longer than this are thinned to weekly, then monthly
ORG_LIFE_RATE_BAD = 0.9  # 组织生活达标率 below this: "bad" (below 100%: "warn")
GRID_LIMIT = 500  # property cells drawn one by one up to this many; above, aggregated/capped

# Status colours shared by the property grid (HTML) and the charts: a sequence
# from grey (not yet signed) through blue (signed) to green (cleared).
PROPERTY_STATUS_COLOURS: dict[str, str] = {
    "surveyed": "#bdbdbd",
    "appraised": "#9ecae1",
    "signed": "#3182bd",
    "vacated": "#fd8d3c",
    "demolished": "#e6550d",
    "cleared": "#31a354",
}

_PARTY_SUFFIX = re.compile(r"(党委员会|党委|党总支部委员会|党总支|党支部委员会|党支部|党组织|委员会)$")


# ---------------------------------------------------------------------------
# small helpers


def frame(frames: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The frame of ``name``; an absent dataset is an empty typed frame."""
    got = frames.get(name)
    if got is not None:
        return got
    from dashboard.ingest import typed_empty

    return typed_empty(contract.get_dataset(name))


def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d.year, d.month, d.day)


def at_least(codes: pd.Series, enum: contract.Enum, code: str) -> pd.Series:
    """Boolean mask: the ordered enum value is ``code`` or further along (NA -> False)."""
    return codes.isin(enum.codes[enum.rank(code) :]).astype(bool)  # a set lookup: a city's 100,000 rows


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def community_name(org_name: str) -> str:
    """'常春藤社区党委' -> '常春藤社区': the community an organisation belongs to."""
    name = org_name.strip()
    while True:
        stripped = _PARTY_SUFFIX.sub("", name)
        if stripped == name or not stripped:
            return name
        name = stripped


def campaign_start(frames: Mapping[str, pd.DataFrame]) -> date | None:
    """Day 1 of the 100 days: the earliest planned start of any milestone."""
    starts = frame(frames, "milestones")["planned_start"].dropna()
    return None if starts.empty else starts.min().date()


def campaign_day(frames: Mapping[str, pd.DataFrame], today: date) -> int | None:
    """N in 'day N of 100', clipped to 0..CAMPAIGN_DAYS; None without milestones."""
    start = campaign_start(frames)
    if start is None:
        return None
    return max(0, min(CAMPAIGN_DAYS, (today - start).days + 1))


def effective_term_end(elections: pd.DataFrame) -> pd.Series:
    """term_end, or completed_date + 5 years where it is empty (the contract's rule)."""
    derived = elections["completed_date"] + pd.DateOffset(years=contract.TERM_YEARS)
    return elections["term_end"].fillna(derived)


# ---------------------------------------------------------------------------
# KPIs


@dataclass(frozen=True)
class Kpi:
    """One KPI card: its value, unit, change since the previous version and formula."""

    id: str
    value: float | None
    unit: Unit
    delta: float | None
    level: Level
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def better(self) -> Better:
        """Which way this KPI's change is good news (its definition's, in ``_DEFS``)."""
        return BETTER[self.id]


@dataclass(frozen=True)
class _Def:
    id: str
    unit: Unit
    deps: tuple[str, ...]  # datasets whose previous version gives the delta
    better: Better = "higher"


_DEFS: tuple[_Def, ...] = (
    _Def("election_completion", "pct", ("elections",)),
    _Def("election_completion_village", "pct", ("elections",)),
    _Def("election_completion_community", "pct", ("elections",)),
    _Def("brand_coverage", "pct", ("brands", "elections")),
    _Def("activities_month", "count", ("activities",)),
    _Def("participants_month", "count", ("activities",)),
    _Def("signed_rate", "pct", ("demolition",)),
    _Def("vacated_rate", "pct", ("demolition",)),
    _Def("demolished_rate", "pct", ("demolition",)),
    _Def("time_progress", "pct", ("milestones",), better="neither"),
    _Def("progress_gap", "pp", ("demolition", "milestones")),
    # 督办 (tasks)
    _Def("tasks_open", "count", ("tasks",), better="lower"),
    _Def("tasks_overdue", "count", ("tasks",), better="lower"),
    _Def("tasks_on_time_rate", "pct", ("tasks",)),
    _Def("tasks_same_day_rate", "pct", ("tasks",)),
    # 组织生活 (insights.org_life): 达标率, organisations with a gap, 到会率
    _Def("org_life_rate", "pct", ("org_life", "elections")),
    _Def("org_life_gap_orgs", "count", ("org_life", "elections"), better="lower"),
    _Def("org_life_attendance", "pct", ("org_life", "elections")),
)

BETTER: dict[str, Better] = {d.id: d.better for d in _DEFS}

_Values = dict[str, tuple[float | None, dict[str, Any]]]


def _election_values(el: pd.DataFrame) -> _Values:
    done = el["stage"].eq("completed").fillna(False).astype(bool)
    village = el["org_type"].isin(["village", "residential"]).fillna(False).astype(bool)
    community = el["org_type"].eq("community").fillna(False).astype(bool)
    out: _Values = {}
    for kid, mask in (
        ("election_completion", pd.Series(True, index=el.index)),
        ("election_completion_village", village),
        ("election_completion_community", community),
    ):
        completed, total = int((done & mask).sum()), int(mask.sum())
        out[kid] = (_ratio(completed, total), {"completed": completed, "total": total})
    return out


def brand_coverage(frames: Mapping[str, pd.DataFrame]) -> tuple[int, int]:
    """(communities with a launched brand, all communities): see the module docstring."""
    br = frame(frames, "brands")
    el = frame(frames, "elections")
    launched = at_least(br["status"], contract.BRAND_STATUS, "launched")
    covered = set(br.loc[launched, "community"].dropna())
    communities = set(br["community"].dropna())
    is_comm = el["org_type"].eq("community").fillna(False).astype(bool)
    communities |= {community_name(n) for n in el.loc[is_comm, "org_name"].dropna()}
    return len(covered & communities), len(communities)


def _month_mask(dates: pd.Series, today: date) -> pd.Series:
    """Dates in today's calendar month (numpy months: a city's million dates in milliseconds)."""
    first = np.datetime64(f"{today.year:04d}-{today.month:02d}", "M")
    return pd.Series(_within(dates, first, first + np.timedelta64(1, "M")), index=dates.index)


def _within(dates: pd.Series, start: np.datetime64, end: np.datetime64) -> np.ndarray:
    """start <= date < end (NaT: False), as whole-second comparisons (no calendar per row)."""
    values = dates.to_numpy(dtype="datetime64[s]")
    return (values >= start.astype("datetime64[s]")) & (values < end.astype("datetime64[s]"))


def _values(frames: Mapping[str, pd.DataFrame], today: date) -> _Values:
    """Every KPI's value and formula inputs on one set of frames.

    Each group is remembered for the frames it reads (``memo``): the overview, its deltas, its
    trend lines and the 进度差 warning all ask for the same figures, and after an upload only
    the groups reading the new version are computed again.
    """
    el, br, act = frame(frames, "elections"), frame(frames, "brands"), frame(frames, "activities")
    dem, tk, ol = frame(frames, "demolition"), frame(frames, "tasks"), frame(frames, "org_life")
    month = (today.year, today.month)
    out = dict(MEMO.get("kpi.elections", (el,), None, lambda: _election_values(el)))
    out.update(MEMO.get("kpi.brands", (br, el), None, lambda: _brand_values(frames)))
    out.update(MEMO.get("kpi.activities", (act,), month, lambda: _activity_values(act, today)))
    out.update(MEMO.get("kpi.demolition", (dem,), None, lambda: _demolition_values(dem)))

    day = campaign_day(frames, today)
    start = campaign_start(frames)
    time = None if day is None else day / CAMPAIGN_DAYS
    out["time_progress"] = (time, {"day": day, "days": CAMPAIGN_DAYS, "start": start})

    signed = out["signed_rate"][0]
    gap = None if signed is None or time is None else (signed - time) * 100
    out["progress_gap"] = (gap, {"signed": signed, "time": time})
    out.update(MEMO.get("kpi.tasks", (tk,), today, lambda: _task_values(tk, today)))
    types = org_life.required_types(frames)
    out.update(MEMO.get("kpi.org_life", (el, ol), (today, types), lambda: org_life.kpi_values(frames, today)))
    return out


def _brand_values(frames: Mapping[str, pd.DataFrame]) -> _Values:
    covered, communities = brand_coverage(frames)
    detail = {"covered": covered, "communities": communities}
    return {"brand_coverage": (_ratio(covered, communities), detail)}


def _activity_values(act: pd.DataFrame, today: date) -> _Values:
    month = _month_mask(act["date"], today)
    first = date(today.year, today.month, 1)
    return {
        "activities_month": (float(month.sum()), {"month": first}),
        "participants_month": (float(act.loc[month, "participants"].fillna(0).sum()), {"month": first}),
    }


def _demolition_values(dem: pd.DataFrame) -> _Values:
    total = len(dem)
    out: _Values = {}
    for kid, code in (
        ("signed_rate", "signed"),
        ("vacated_rate", "vacated"),
        ("demolished_rate", "demolished"),
    ):
        count = int(at_least(dem["status"], contract.PROPERTY_STATUS, code).sum())
        out[kid] = (_ratio(count, total), {"count": count, "total": total})
    return out


# --- 督办 (tasks): what is open, overdue, closed on time, closed the day raised


def task_open(tk: pd.DataFrame) -> pd.Series:
    """Items not yet 已办结 (待办 or 办理中)."""
    return tk["status"].ne("closed").fillna(True).astype(bool)


def task_overdue(tk: pd.DataFrame, today: date) -> pd.Series:
    """Open items whose deadline is before ``today`` (office day)."""
    return task_open(tk) & tk["deadline"].lt(_ts(today)).fillna(False).astype(bool)


def task_same_day(tk: pd.DataFrame) -> pd.Series:
    """Items closed the day they were raised (日清日结)."""
    closed = tk["status"].eq("closed").fillna(False).astype(bool)
    return closed & tk["closed_date"].eq(tk["raised_date"]).fillna(False).astype(bool)


def task_day_judged(tk: pd.DataFrame, today: date) -> pd.Series:
    """Items whose 日清日结 can be judged on ``today``: raised before today, or raised today and
    already closed. One raised at this morning's 早碰头 and still open has the rest of the day, as an
    item due today is not yet overdue: counted against 当日办结率 it made the rate (and its warning,
    in the morning digest) fall every morning."""
    raised = tk["raised_date"]
    closed = tk["status"].eq("closed").fillna(False).astype(bool)
    before = raised.lt(_ts(today)).fillna(False).astype(bool)
    return before | (raised.eq(_ts(today)).fillna(False).astype(bool) & closed)


def _task_values(tk: pd.DataFrame, today: date) -> _Values:
    open_ = task_open(tk)
    closed = ~open_
    on_time = closed & tk["closed_date"].le(tk["deadline"]).fillna(False).astype(bool)
    judged = task_day_judged(tk, today)
    n_open, n_closed, n_all, n_judged = int(open_.sum()), int(closed.sum()), len(tk), int(judged.sum())
    n_over, n_on_time, n_same = (
        int(task_overdue(tk, today).sum()),
        int(on_time.sum()),
        int((task_same_day(tk) & judged).sum()),
    )
    return {
        "tasks_open": (float(n_open), {"count": n_open, "total": n_all}),
        "tasks_overdue": (float(n_over), {"count": n_over, "total": n_open}),
        "tasks_on_time_rate": (_ratio(n_on_time, n_closed), {"count": n_on_time, "total": n_closed}),
        "tasks_same_day_rate": (_ratio(n_same, n_judged), {"count": n_same, "total": n_judged}),
    }


def _level(kid: str, value: float | None, frames: Mapping[str, pd.DataFrame], today: date) -> Level:
    if value is None:
        return "ok"
    if kid == "progress_gap":
        return "bad" if value < GAP_BAD_PP else "warn" if value < 0 else "ok"
    if kid == "tasks_overdue":
        return "bad" if value > 0 else "ok"
    if kid == "election_completion":
        el = frame(frames, "elections")
        late = el["planned_date"].lt(_ts(today)).fillna(False) & el["stage"].ne("completed").fillna(True)
        return "warn" if bool(late.any()) else "ok"
    if kid == "org_life_rate":
        return "bad" if value < ORG_LIFE_RATE_BAD else "warn" if value < 1 else "ok"
    if kid == "org_life_gap_orgs":
        return "warn" if value > 0 else "ok"
    return "ok"


def overview_kpis(
    current: Frames, previous: Frames, today: date, previous_day: date | None = None
) -> list[Kpi]:
    """The overview cards in display order, each with its delta since the previous version.

    ``previous`` holds each dataset's previous version (an empty frame when
    there is none). A KPI's delta is None when none of its datasets has a
    previous version; the others are taken at their current version.
    ``previous_day``: the office day the previous figures are judged as of (campaign day,
    overdue items, this month, the last closed month), when ``previous`` is the data as it
    stood on an earlier day (the weekly report's week ago); by default ``today``.
    """
    now = _values(current, today)
    has_prev = {name for name, f in previous.items() if f is not None and not f.empty}
    mixed = {
        name: (previous[name] if name in has_prev else frame(current, name)) for name in contract.DATASETS
    }
    before = _values(mixed, today if previous_day is None else previous_day) if has_prev else {}
    kpis = []
    for d in _DEFS:
        value, detail = now[d.id]
        delta = None
        if any(dep in has_prev for dep in d.deps):
            old = before[d.id][0]
            delta = None if value is None or old is None else value - old
        kpis.append(
            Kpi(
                id=d.id,
                value=value,
                unit=d.unit,
                delta=delta,
                level=_level(d.id, value, current, today),
                detail=dict(detail),  # the memo's own stays as computed
            )
        )
    return kpis


# ---------------------------------------------------------------------------
# time series helpers shared by the charts


@dataclass(frozen=True)
class ActivityMonths:
    """Activities per month: the months shown (month starts), counts per type, people summed."""

    months: pd.DatetimeIndex
    by_type: dict[str, np.ndarray]  # type code -> activities per month (types present in any month)
    participants: np.ndarray
    volunteers: np.ndarray


def activity_months(frames: Mapping[str, pd.DataFrame], months: int) -> ActivityMonths | None:
    """The last ``months`` months with dated activities, to the latest (None: no dated activity).

    Counted once per version of the activities ledger (``memo``) for both brand charts and
    both languages, with numpy month numbers instead of grouping a million rows by period.
    """
    act = frame(frames, "activities")
    return MEMO.get("activity_months", (act,), months, lambda: _activity_months(act, months))


def _activity_months(act: pd.DataFrame, months: int) -> ActivityMonths | None:
    month = act["date"].to_numpy(dtype="datetime64[M]")
    dated = ~np.isnat(month)
    if not dated.any():
        return None
    month = month[dated]
    last = month.max()
    first = max(month.min(), last - np.timedelta64(months - 1, "M"))
    shown = np.arange(first, last + np.timedelta64(1, "M"))
    offset = (month - first).astype(np.int64)
    inside = offset >= 0
    n = len(shown)

    def per_month(mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> np.ndarray:
        pick = inside if mask is None else inside & mask
        w = None if weights is None else weights[pick]
        return np.bincount(offset[pick], weights=w, minlength=n).astype(np.int64)

    types = act["type"][dated]
    by_type = {}
    for code in contract.ACTIVITY_TYPE.codes:
        mask = types.eq(code).fillna(False).to_numpy(dtype=bool)
        if mask.any():
            by_type[code] = per_month(mask)
    people = {
        col: act[col].fillna(0).to_numpy(dtype=np.float64)[dated] for col in ("participants", "volunteers")
    }
    return ActivityMonths(
        months=pd.DatetimeIndex(shown.astype("datetime64[ns]")),
        by_type=by_type,
        participants=per_month(weights=people["participants"]),
        volunteers=per_month(weights=people["volunteers"]),
    )


def cumulative(dates: pd.Series, start: date | None = None, end: date | None = None) -> pd.Series:
    """Cumulative count of ``dates`` per day (DatetimeIndex), thinned to at most MAX_POINTS.

    Dates before ``start`` count on the first day; the series runs to ``end``
    (or the last date). Long spans are thinned to week or month ends so the
    figure never grows with the row count.
    """
    d = pd.to_datetime(dates.dropna()).dt.normalize()
    lows = ([_ts(start)] if start is not None else []) + ([d.min()] if not d.empty else [])
    if not lows:
        return pd.Series(dtype="int64")
    lo = min(lows)
    hi = _ts(end) if end is not None else (d.max() if not d.empty else lo)
    days = pd.date_range(lo, hi, freq="D")
    counts = d[d <= hi].value_counts().reindex(days, fill_value=0).cumsum().astype("int64")
    return thin(counts)


def thin(series: pd.Series, how: str = "last") -> pd.Series:
    """Resample a daily series to weeks, then months, until it has at most MAX_POINTS."""
    for freq in ("W-SUN", "MS"):
        if len(series) <= MAX_POINTS:
            break
        series = getattr(series.resample(freq), how)()
    return series


@dataclass(frozen=True)
class Forecast:
    """When a burn-up series reaches all properties, at the last 7 days' pace."""

    finish: date | None  # None: no pace, no forecast
    pace: float  # properties per day over the last PACE_WINDOW_DAYS
    done: bool  # already all properties


@dataclass(frozen=True)
class Burnup:
    """Cumulative signed / vacated / demolished per day against the 100-day plan."""

    start: date | None
    total: int
    series: dict[str, pd.Series]  # status code -> cumulative counts (DatetimeIndex)
    forecasts: dict[str, Forecast]
    plan: list[tuple[date, float]]  # two points: day 0 -> 0, day 100 -> total


BURNUP_STATUSES: tuple[tuple[str, str], ...] = (
    ("signed", "signed_date"),
    ("vacated", "vacated_date"),
    ("demolished", "demolished_date"),
)


def forecast(dates: pd.Series, total: int, today: date) -> Forecast:
    """Finish date if the last 7 days' pace holds: today + remaining / pace."""
    d = pd.to_datetime(dates.dropna())
    remaining = total - len(d)
    if total and remaining <= 0:
        return Forecast(finish=d.max().date(), pace=0.0, done=True)
    window = d[(d > _ts(today - timedelta(days=PACE_WINDOW_DAYS))) & (d <= _ts(today))]
    pace = len(window) / PACE_WINDOW_DAYS
    if pace <= 0:
        return Forecast(finish=None, pace=0.0, done=False)
    return Forecast(finish=today + timedelta(days=math.ceil(remaining / pace)), pace=pace, done=False)


def burnup(frames: Mapping[str, pd.DataFrame], today: date) -> Burnup:
    """The burn-up's data: series per status from its date column, the plan and forecasts."""
    dem = frame(frames, "demolition")
    start = campaign_start(frames)
    total = len(dem)
    series: dict[str, pd.Series] = {}
    forecasts: dict[str, Forecast] = {}
    end = today
    for code, col in BURNUP_STATUSES:
        reached = at_least(dem["status"], contract.PROPERTY_STATUS, code)
        dates = dem.loc[reached, col].dropna()
        if not dates.empty:
            end = max(end, dates.max().date())
        series[code] = dates
        forecasts[code] = forecast(dates, total, today)
    first = start
    for dates in series.values():
        if not dates.empty:
            lo = dates.min().date()
            first = lo if first is None else min(first, lo)
    out = {
        code: cumulative(dates, first, end) if first else pd.Series(dtype="int64")
        for code, dates in series.items()
    }
    plan: list[tuple[date, float]] = []
    if start is not None and total:
        plan = [(start - timedelta(days=1), 0.0), (start + timedelta(days=CAMPAIGN_DAYS - 1), float(total))]
    return Burnup(start=start, total=total, series=out, forecasts=forecasts, plan=plan)


# ---------------------------------------------------------------------------
# row builders for the non-chart parts (tables, lists, cards, the grid)

ELECTIONS_TABLE_COLUMNS: tuple[str, ...] = (
    "org_name",
    "org_type",
    "stage",
    "supervisor",
    "planned_date",
    "completed_date",
    "term_end",
)


def elections_table(frames: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Organisations, least advanced first: codes, names and dates (None when missing).

    Columns: ``org_code`` and ``ELECTIONS_TABLE_COLUMNS``; ``term_end`` is the effective one.
    """
    el = frame(frames, "elections")
    if el.empty:
        return []
    rank = el["stage"].map({c: i for i, c in enumerate(contract.ELECTION_STAGE.codes)})
    order = el.assign(_rank=rank).sort_values(["_rank", "planned_date", "org_code"], na_position="last")
    term = effective_term_end(order)
    rows = []
    for i, r in enumerate(order.itertuples(index=False)):
        rows.append(
            {
                "org_code": r.org_code,
                "org_name": r.org_name,
                "org_type": _val(r.org_type),
                "stage": _val(r.stage),
                "supervisor": _val(r.supervisor) or None,
                "planned_date": _day(r.planned_date),
                "completed_date": _day(r.completed_date),
                "term_end": _day(term.iloc[i]),
            }
        )
    return rows


def _val(v: Any) -> Any:
    """NA/NaT -> None so rows are plain JSON-able values."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def _day(v: Any) -> date | None:
    """A timestamp cell as a date (None when missing)."""
    v = _val(v)
    return None if v is None else pd.Timestamp(v).date()


def term_expiry(frames: Mapping[str, pd.DataFrame], today: date) -> list[dict[str, Any]]:
    """Organisations whose term ends within 180 days (level 'yellow') or has ended ('red').

    term_end defaults to completed_date + 5 years. Soonest first. Rows: org_code, org_name,
    org_type (code), term_end (date), days (negative: ended), level, note.
    """
    el = frame(frames, "elections")
    if el.empty:
        return []
    end = effective_term_end(el)
    now = _ts(today)
    soon = end.le(now + pd.Timedelta(days=TERM_WARN_DAYS)).fillna(False).astype(bool)
    rows = []
    for idx in end[soon].sort_values().index:
        r = el.loc[idx]
        days = (end[idx] - now).days
        level = "red" if days < 0 else "yellow"
        rows.append(
            {
                "org_code": r["org_code"],
                "org_name": r["org_name"],
                "org_type": _val(r["org_type"]),
                "term_end": _day(end[idx]),
                "days": int(days),
                "level": level,
                "note": _val(r["note"]) or "",
            }
        )
    return rows


def _year_fraction(today: date) -> float:
    start = date(today.year, 1, 1)
    return ((today - start).days + 1) / ((date(today.year + 1, 1, 1) - start).days)


def brand_cards(frames: Mapping[str, pd.DataFrame], today: date) -> list[dict[str, Any]]:
    """One card per brand: activities this calendar year against its yearly target.

    ``pace`` = activities / target; ``level`` is 'warn' when the brand is behind
    the share of the year elapsed (e.g. fewer than 12 of 24 by 1 July). ``category``
    and ``status`` are codes. Remembered per version (``memo``): the brands board and the
    overview's warnings read the same cards; treat them as read-only.
    """
    br, act = frame(frames, "brands"), frame(frames, "activities")
    return MEMO.get("brand_cards", (br, act), today, lambda: _brand_cards(br, act, today))


def _brand_cards(br: pd.DataFrame, act: pd.DataFrame, today: date) -> list[dict[str, Any]]:
    if br.empty:
        return []
    year = np.datetime64(f"{today.year:04d}", "Y")
    this_year = _within(act["date"], year, year + np.timedelta64(1, "Y"))
    counts = act.loc[this_year, "project_code"].value_counts()
    expected = _year_fraction(today)
    cards = []
    for r in br.sort_values(["community", "project_code"]).itertuples(index=False):
        count = int(counts.get(r.project_code, 0))
        target = _val(r.target_activities)
        pace = float(count / target) if target else None
        level: Level = "warn" if pace is not None and pace < expected else "ok"
        cards.append(
            {
                "project_code": r.project_code,
                "community": r.community,
                "brand_name": r.brand_name,
                "category": _val(r.category),
                "status": _val(r.status),
                "activities": count,
                "target": None if target is None else int(target),
                "pace": pace,
                "expected": expected,
                "level": level,
            }
        )
    return cards


def property_grid(
    frames: Mapping[str, pd.DataFrame], mask: bool = True, limit: int = GRID_LIMIT
) -> list[dict[str, Any]]:
    """The 战果图: properties grouped by party group, coloured by status.

    Each group: party_group, total, counts (status code -> n), cells
    (property_id, household masked as 张** unless ``mask`` is False, status
    code, colour, key_household) and ``hidden``: cells beyond the
    cap (``limit`` shared evenly between groups) so a city-sized ledger
    stays a small page; ``counts`` still cover every property.
    """
    dem = frame(frames, "demolition")
    if dem.empty:
        return []
    groups = sorted(int(g) for g in dem["party_group"].dropna().unique())
    per_group = max(1, math.ceil(limit / max(1, len(groups))))
    group_of = dem["party_group"].to_numpy(dtype=np.float64, na_value=np.nan)
    out = []
    for g in groups:
        at = np.flatnonzero(group_of == g)  # positions only: a city's 100,000 rows are not copied
        counts = {c: int(n) for c, n in dem["status"].take(at).value_counts().items()}
        cells = []
        for r in dem.take(at[:per_group]).itertuples(index=False):
            status = _val(r.status)
            name = _val(r.household)
            cells.append(
                {
                    "property_id": r.property_id,
                    "household": mask_name(name) if mask else name,
                    "status": status,
                    "colour": PROPERTY_STATUS_COLOURS.get(status or "", "#eeeeee"),
                    "key_household": bool(_val(r.key_household) or False),
                }
            )
        out.append(
            {
                "party_group": g,
                "total": len(at),
                "counts": {c: counts.get(c, 0) for c in contract.PROPERTY_STATUS.codes},
                "cells": cells,
                "hidden": max(0, len(at) - len(cells)),
            }
        )
    return out


MilestoneRag = Literal["done", "on_track", "late", "overdue", "not_started"]


def milestone_status(
    planned_start: pd.Timestamp,
    planned_end: pd.Timestamp,
    actual_end: pd.Timestamp | None,
    progress: float | None,
    today: date,
) -> MilestoneRag:
    """Red/yellow/green of a milestone.

    done (green): finished by its planned end; late (yellow): finished after
    it, or in progress but behind the share of its planned window elapsed;
    on_track (green); overdue (red): past its planned end and not finished;
    not_started: its planned start is still ahead.
    """
    now = _ts(today)
    if actual_end is not None and not pd.isna(actual_end):
        return "done" if actual_end <= planned_end else "late"
    if now > planned_end:
        return "overdue"
    if now < planned_start:
        return "not_started"
    span = (planned_end - planned_start).days + 1
    elapsed = (now - planned_start).days + 1
    expected = 100 * elapsed / span
    return "late" if (progress or 0) < expected else "on_track"


RAG_COLOURS: dict[str, str] = {
    "done": "#31a354",
    "on_track": "#74c476",
    "late": "#fdb462",
    "overdue": "#de2d26",
    "not_started": "#d9d9d9",
}
