"""组织生活: the 三会一课 and 主题党日 each organisation held against the rhythm it owes.

The rhythm (shared/datasets.md): 支委会 ``committee``, 党小组会 ``group_meeting`` and 主题党日
``party_day`` monthly; 支部党员大会 ``general_meeting`` and 党课 ``party_lecture`` quarterly. The
organisations (and their type 村/居/社区) are the elections ledger's.

One cell per organisation × period × required type, over the last twelve months: the twelve
calendar months ending with the current one for monthly types, the four calendar quarters ending
with the current one for quarterly types. A cell is

- ``held``: at least one meeting of that type in that period (also in the current period);
- ``missing``: none, and the period has closed (its last day is before today);
- ``not_due``: none yet, and the period is still open (the current month or quarter).

Periods that ended before the ledger's first recorded meeting are not judged (the ledger was
not kept yet), and an empty ledger judges nothing: a new installation shows no gaps.

Definitions (the catalogue's formula texts say the same):
- 组织生活达标率 = cells held / cells due, where due = held + missing (an open period counts
  only once its meeting is held); over the last twelve months.
- 有缺项的组织 = organisations with at least one missing cell in the last twelve months.
- 到会率 = Σ 实到 / Σ 应到 over the meetings of the last twelve months with both counts.

It counts meetings held, never people: no person-level sign-ins, points or rankings of people
(the 2024 rules against formalism at the grassroots forbid them); ranking organisations by their
gaps is what a leader acts on. Language-free: codes, numbers and dates.

The meeting-type filter (``insights.filters``, ``?meeting_type=``) narrows which types are
required; it travels with the filtered org_life frame as ``frame.attrs[TYPES_ATTR]`` so that the
charts' one signature (frames, lang, today) carries it.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from dashboard import contract
from dashboard.ingest import typed_empty

Kind = Literal["month", "quarter"]
Status = Literal["held", "missing", "not_due"]

MONTHLY: tuple[str, ...] = ("committee", "group_meeting", "party_day")
QUARTERLY: tuple[str, ...] = ("general_meeting", "party_lecture")
RHYTHM: dict[str, Kind] = {t: "month" for t in MONTHLY} | {t: "quarter" for t in QUARTERLY}
MONTHS = 12  # monthly periods shown (the current one included)
QUARTERS = 4  # quarterly periods shown (the current one included)
STATUSES: tuple[Status, ...] = ("held", "missing", "not_due")
STATUS_COLOURS: dict[str, str] = {"held": "#31a354", "missing": "#de2d26", "not_due": "#d9d9d9"}
GRID_ROWS = 40  # organisations drawn in the grid (worst first); the rest are counted
GAP_ORGS = 10  # organisations in the "most gaps" chart
ATTENDANCE_ORGS = 15  # organisations in the attendance chart (lowest first)
TYPES_ATTR = "org_life_types"  # frame.attrs key of the meeting-type filter


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter: ``code`` '2026-03' / '2026-Q1', first and last day (inclusive)."""

    kind: Kind
    code: str
    start: date
    end: date
    key: int  # year * 12 + month - 1 (months) / year * 4 + quarter - 1 (quarters): sortable, joinable

    def closed(self, today: date) -> bool:
        return self.end < today

    def days_left(self, today: date) -> int:
        """Days from today to the period's last day (0 on the last day; negative once closed)."""
        return (self.end - today).days


def frame(frames: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The frame of ``name``; an absent dataset is an empty typed frame (as ``metrics.frame``,
    which imports this module)."""
    got = frames.get(name)
    return got if got is not None else typed_empty(contract.get_dataset(name))


def _month(key: int) -> Period:
    year, m0 = divmod(key, 12)
    start = date(year, m0 + 1, 1)
    nxt = date(year + (m0 + 1) // 12, (m0 + 1) % 12 + 1, 1)
    return Period("month", f"{year}-{m0 + 1:02d}", start, nxt - timedelta(days=1), key)


def _quarter(key: int) -> Period:
    year, q0 = divmod(key, 4)
    start = date(year, 3 * q0 + 1, 1)
    nxt = date(year + (q0 + 1) // 4, (3 * (q0 + 1)) % 12 + 1, 1)
    return Period("quarter", f"{year}-Q{q0 + 1}", start, nxt - timedelta(days=1), key)


def period_of(kind: Kind, day: date) -> Period:
    """The month or quarter containing ``day``."""
    if kind == "month":
        return _month(day.year * 12 + day.month - 1)
    return _quarter(day.year * 4 + (day.month - 1) // 3)


def periods(kind: Kind, today: date) -> list[Period]:
    """The periods shown, oldest first; the last one contains today (still open)."""
    last = period_of(kind, today).key
    count = MONTHS if kind == "month" else QUARTERS
    make = _month if kind == "month" else _quarter
    return [make(k) for k in range(last - count + 1, last + 1)]


def parse_period(code: str) -> Period | None:
    """'2026-03' or '2026-Q1' back to its period; None when malformed."""
    code = str(code).strip()
    try:
        year_text, _, rest = code.partition("-")
        year = int(year_text)
        if rest.upper().startswith("Q"):
            q = int(rest[1:])
            return _quarter(year * 4 + q - 1) if 1 <= q <= 4 else None
        m = int(rest)
        return _month(year * 12 + m - 1) if 1 <= m <= 12 else None
    except ValueError:
        return None


def required_types(frames: Mapping[str, pd.DataFrame]) -> tuple[str, ...]:
    """The meeting types counted: all five, or the one the meeting-type filter chose."""
    chosen = frame(frames, "org_life").attrs.get(TYPES_ATTR)
    return tuple(t for t in contract.ORG_LIFE_TYPE.codes if not chosen or t in chosen)


CELL_COLUMNS: tuple[str, ...] = (
    "org_code",
    "org_name",
    "org_type",
    "type",
    "kind",
    "period",
    "key",
    "start",
    "end",
    "held",
    "status",
)


# The last few computations, keyed by the frames they read (held weakly: a new data version
# builds new frames). A board's charts, grid, KPIs and warnings all read the same cells.
_MEMO: list[tuple[weakref.ref, weakref.ref, date, tuple[str, ...], pd.DataFrame]] = []
_MEMO_SIZE = 8


def compliance(frames: Mapping[str, pd.DataFrame], today: date) -> pd.DataFrame:
    """Every organisation × period × required type with its meetings held and status.

    Columns: CELL_COLUMNS (``held``: meetings of that type in that period; ``status``:
    held / missing / not_due). Organisations in elections order, then types in contract order,
    periods oldest first. Computed with numpy on integer codes (a city's 5,000 organisations
    make 220,000 cells) and remembered for the frames it read; treat the result as read-only.
    """
    el = frame(frames, "elections")
    ol = frame(frames, "org_life")
    types = required_types(frames)
    for el_ref, ol_ref, day, kinds, cells in _MEMO:
        if el_ref() is el and ol_ref() is ol and day == today and kinds == types:
            return cells
    cells = _compliance(el, ol, types, today)
    _MEMO.append((weakref.ref(el), weakref.ref(ol), today, types, cells))
    del _MEMO[:-_MEMO_SIZE]
    return cells


def _compliance(el: pd.DataFrame, ol: pd.DataFrame, types: tuple[str, ...], today: date) -> pd.DataFrame:
    first = ol["date"].min()
    if el.empty or pd.isna(first):  # nothing recorded yet: nothing to judge (not "all missing")
        return pd.DataFrame({c: [] for c in CELL_COLUMNS})
    slots = [
        (t, p)
        for t in types
        for p in periods(RHYTHM[t], today)
        if p.end >= first.date()  # the ledger was not kept yet
    ]
    if not slots:
        return pd.DataFrame({c: [] for c in CELL_COLUMNS})
    orgs = el.drop_duplicates("org_code")
    codes = pd.Index(orgs["org_code"].astype(str).to_numpy(dtype=object))
    n_orgs, n_slots = len(codes), len(slots)
    # meetings held per (organisation, slot): one bincount over integer codes
    held = ol[ol["type"].isin(types).fillna(False).astype(bool) & ol["date"].notna()]
    org_idx = codes.get_indexer(held["org_code"].astype(str).to_numpy(dtype=object))
    types_held = held["type"].astype(str).to_numpy(dtype=object)
    d = pd.to_datetime(held["date"])
    month_key = (d.dt.year * 12 + d.dt.month - 1).to_numpy(dtype="int64")
    quarter_key = (d.dt.year * 4 + (d.dt.month - 1) // 3).to_numpy(dtype="int64")
    slot_idx = np.full(len(held), -1, dtype="int64")
    for t in types:  # a type's slots are consecutive periods: slot = its first slot + key offset
        mine = [i for i, (st, _) in enumerate(slots) if st == t]
        if not mine:
            continue
        mask = types_held == t
        offset = (month_key if RHYTHM[t] == "month" else quarter_key)[mask] - slots[mine[0]][1].key
        inside = (offset >= 0) & (offset < len(mine))
        slot_idx[mask] = np.where(inside, mine[0] + offset, -1)
    ok = (org_idx >= 0) & (slot_idx >= 0)
    counts = np.bincount(org_idx[ok] * n_slots + slot_idx[ok], minlength=n_orgs * n_slots)
    # one row per organisation × slot, organisations first
    o = np.repeat(np.arange(n_orgs), n_slots)
    k = np.tile(np.arange(n_slots), n_orgs)
    closed = np.array([p.end < today for _, p in slots])[k]
    status = np.where(counts > 0, 0, np.where(closed, 1, 2))  # STATUSES: held, missing, not_due

    # Repeated values as categoricals and takes (no per-cell Python strings: a city is 220,000 cells).
    def per_slot(values: list[Any]) -> pd.Categorical:
        return pd.Categorical(values).take(k)

    def per_org(column: str) -> Any:
        return orgs[column].array.take(o)

    return pd.DataFrame(
        {
            "org_code": per_org("org_code"),
            "org_name": per_org("org_name"),
            "org_type": per_org("org_type"),
            "type": per_slot([t for t, _ in slots]),
            "kind": per_slot([p.kind for _, p in slots]),
            "period": per_slot([p.code for _, p in slots]),
            "key": np.asarray([p.key for _, p in slots], dtype="int64")[k],
            "start": np.asarray([p.start for _, p in slots], dtype=object)[k],
            "end": np.asarray([p.end for _, p in slots], dtype=object)[k],
            "held": counts.astype("int64"),
            "status": pd.Categorical.from_codes(status, categories=list(STATUSES)),
        }
    )


def _rate(held: int, due: int) -> float | None:
    return held / due if due else None


def summary(cells: pd.DataFrame) -> dict[str, Any]:
    """held, missing, not_due, due (= held + missing), rate, orgs, orgs_gap of a set of cells."""
    n = {s: int(cells["status"].eq(s).sum()) for s in STATUSES}
    due = n["held"] + n["missing"]
    gap_orgs = cells.loc[cells["status"].eq("missing"), "org_code"].nunique()
    return {
        **n,
        "due": due,
        "rate": _rate(n["held"], due),
        "orgs": int(cells["org_code"].nunique()),
        "orgs_gap": int(gap_orgs),
    }


def by_org_type(cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Per organisation type (contract order): held, missing, not_due, due, rate."""
    out = []
    for code in contract.ORG_TYPE.codes:
        part = cells[cells["org_type"].eq(code).fillna(False).astype(bool)]
        s = summary(part)
        out.append({"org_type": code, **{k: s[k] for k in ("held", "missing", "not_due", "due", "rate")}})
    return out


def by_period(cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Per period, oldest first (months, or quarters when only quarterly types are required).

    Rows: period code, kind, start, held, missing, not_due, due, rate.
    """
    if cells.empty:
        return []
    kind = "month" if cells["kind"].eq("month").any() else "quarter"
    part = cells[cells["kind"].eq(kind)]
    out = []
    for (_key, code), g in part.groupby(["key", "period"], sort=True):
        s = summary(g)
        out.append(
            {
                "period": code,
                "kind": kind,
                "start": g["start"].iloc[0],
                **{k: s[k] for k in ("held", "missing", "not_due", "due", "rate")},
            }
        )
    return out


def gaps_by_org(cells: pd.DataFrame, limit: int | None = GAP_ORGS) -> tuple[list[dict[str, Any]], int]:
    """Organisations with a missing cell, most gaps first: (rows, how many in all).

    Rows: org_code, org_name, org_type, missing, due, rate.
    """
    if cells.empty:
        return [], 0
    g = (
        cells.assign(missing=cells["status"].eq("missing"), held=cells["status"].eq("held"))
        .groupby("org_code", sort=False)
        .agg(
            org_name=("org_name", "first"),
            org_type=("org_type", "first"),
            missing=("missing", "sum"),
            held=("held", "sum"),
        )
    )
    g = g[g["missing"] > 0].reset_index().sort_values(["missing", "org_code"], ascending=[False, True])
    total = len(g)
    rows = [
        {
            "org_code": r.org_code,
            "org_name": r.org_name,
            "org_type": None if pd.isna(r.org_type) else r.org_type,
            "missing": int(r.missing),
            "due": int(r.missing + r.held),
            "rate": _rate(int(r.held), int(r.missing + r.held)),
        }
        for r in (g if limit is None else g.head(limit)).itertuples(index=False)
    ]
    return rows, total


def _window(frames: Mapping[str, pd.DataFrame], today: date) -> pd.DataFrame:
    """The org_life meetings of the required types within the shown months and quarters."""
    ol = frame(frames, "org_life")
    start = min(periods("month", today)[0].start, periods("quarter", today)[0].start)
    d = ol["date"]
    mask = (d >= pd.Timestamp(start)) & (d <= pd.Timestamp(today)) & ol["type"].isin(required_types(frames))
    return ol[mask.fillna(False).astype(bool)]


def attendance(
    frames: Mapping[str, pd.DataFrame], today: date, limit: int | None = ATTENDANCE_ORGS
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """实到/应到 per organisation over the shown periods, lowest first; and the totals.

    Only meetings with both counts are counted. Rows: org_code, org_name, org_type, attended,
    expected, meetings, rate. Totals: attended, expected, meetings.
    """
    ol = _window(frames, today)
    el = frame(frames, "elections")
    both = ol[ol["expected"].notna() & ol["attended"].notna() & ol["org_code"].isin(el["org_code"])]
    totals = {
        "attended": int(both["attended"].sum()),
        "expected": int(both["expected"].sum()),
        "meetings": len(both),
    }
    if both.empty:
        return [], totals
    g = both.groupby("org_code").agg(
        attended=("attended", "sum"), expected=("expected", "sum"), meetings=("type", "size")
    )
    g = g[g["expected"] > 0]
    g["rate"] = g["attended"] / g["expected"]
    names = el.drop_duplicates("org_code").set_index("org_code")
    g = g.join(names[["org_name", "org_type"]]).reset_index().sort_values(["rate", "org_code"])
    rows = [
        {
            "org_code": r.org_code,
            "org_name": r.org_name,
            "org_type": None if pd.isna(r.org_type) else r.org_type,
            "attended": int(r.attended),
            "expected": int(r.expected),
            "meetings": int(r.meetings),
            "rate": float(r.rate),
        }
        for r in (g if limit is None else g.head(limit)).itertuples(index=False)
    ]
    return rows, totals


def grid(frames: Mapping[str, pd.DataFrame], today: date, limit: int = GRID_ROWS) -> dict[str, Any]:
    """The compliance grid: organisations (most gaps first) × months, then quarters.

    ``columns``: the periods shown (code, kind, start). ``rows``: up to ``limit`` organisations,
    each with org_code, org_name, org_type, missing and ``cells`` aligned with ``columns``:
    period, kind, status (missing if any required type is missing, else not_due if any is
    still open, else held) and ``types`` (type code -> status). ``hidden``: organisations not
    drawn (bounded at any size: a city's 5,000 organisations send ``limit`` rows).
    """
    cells = compliance(frames, today)
    if cells.empty:
        return {"columns": [], "rows": [], "hidden": 0, "total": 0}
    columns = (
        cells.drop_duplicates(["kind", "key"])
        .assign(_k=lambda f: f["kind"].map({"month": 0, "quarter": 1}))
        .sort_values(["_k", "key"])[["period", "kind", "start"]]
        .to_dict("records")
    )
    worst, _ = gaps_by_org(cells, limit=None)
    order = [r["org_code"] for r in worst]
    shown = order[:limit]
    if len(shown) < limit:  # then organisations without a gap, in ledger order
        gap = set(order)
        shown += [c for c in dict.fromkeys(cells["org_code"]) if c not in gap][: limit - len(shown)]
    part = cells[cells["org_code"].isin(shown)]
    missing = {r["org_code"]: r["missing"] for r in worst}
    rank = {s: i for i, s in enumerate(("missing", "not_due", "held"))}
    by_org: dict[str, dict[str, dict[str, str]]] = {}
    for r in part.itertuples(index=False):
        by_org.setdefault(r.org_code, {}).setdefault(r.period, {})[r.type] = r.status
    info = part.drop_duplicates("org_code").set_index("org_code")
    rows = []
    for code in shown:
        types = by_org.get(code, {})
        row_cells = []
        for col in columns:
            statuses = types.get(col["period"], {})
            status = min(statuses.values(), key=rank.__getitem__) if statuses else "not_due"
            row_cells.append(
                {"period": col["period"], "kind": col["kind"], "status": status, "types": statuses}
            )
        org_type = info.at[code, "org_type"]
        rows.append(
            {
                "org_code": code,
                "org_name": info.at[code, "org_name"],
                "org_type": None if pd.isna(org_type) else org_type,
                "missing": missing.get(code, 0),
                "cells": row_cells,
            }
        )
    total = int(cells["org_code"].nunique())
    return {"columns": columns, "rows": rows, "hidden": total - len(rows), "total": total}


def cell_meetings(frames: Mapping[str, pd.DataFrame], org_code: str, period: str) -> pd.DataFrame:
    """The org_life rows behind one grid cell: that organisation's meetings in that period,
    of the types the cell counts (the period's rhythm, narrowed by the meeting-type filter)."""
    ol = frame(frames, "org_life")
    p = parse_period(period)
    if p is None:
        return ol.iloc[0:0]
    types = [t for t in required_types(frames) if RHYTHM[t] == p.kind]
    d = ol["date"]
    mask = (
        ol["org_code"].eq(org_code)
        & (d >= pd.Timestamp(p.start))
        & (d <= pd.Timestamp(p.end))
        & ol["type"].isin(types)
    )
    return ol[mask.fillna(False).astype(bool)].sort_values(["date", "type"]).reset_index(drop=True)


def kpi_values(
    frames: Mapping[str, pd.DataFrame], today: date
) -> dict[str, tuple[float | None, dict[str, Any]]]:
    """The overview's 组织生活 KPIs: 达标率, organisations with a gap, 到会率 (with their counts)."""
    s = summary(compliance(frames, today))
    _, att = attendance(frames, today, limit=0)
    return {
        "org_life_rate": (s["rate"], {"held": s["held"], "due": s["due"]}),
        "org_life_gap_orgs": (float(s["orgs_gap"]), {"orgs_gap": s["orgs_gap"], "orgs": s["orgs"]}),
        "org_life_attendance": (
            _rate(att["attended"], att["expected"]),
            {"attended": att["attended"], "expected": att["expected"]},
        ),
    }


def due_soon(frames: Mapping[str, pd.DataFrame], today: date, days: float) -> list[dict[str, Any]]:
    """Organisations with a required meeting not yet held in a period closing within ``days``.

    Rows: org_code, org_name, period (the soonest closing), end, days_left, types (codes).
    """
    cells = compliance(frames, today)
    if cells.empty:
        return []
    open_ = cells[cells["status"].eq("not_due")]
    left = pd.Series([(e - today).days for e in open_["end"]], index=open_.index, dtype="int64")
    soon = open_[left <= days].assign(_left=left[left <= days])
    out = []
    for code, g in soon.groupby("org_code", sort=False):
        first = g.sort_values("end").iloc[0]
        out.append(
            {
                "org_code": code,
                "org_name": first["org_name"],
                "period": first["period"],
                "end": first["end"],
                "days_left": int(first["_left"]),
                "types": list(dict.fromkeys(g["type"])),
            }
        )
    return out


def missing_recent(frames: Mapping[str, pd.DataFrame], today: date, back: float) -> list[dict[str, Any]]:
    """Organisations with a required meeting missing in the last ``back`` closed periods of its rhythm.

    ``back`` = 1: the last closed month (monthly types) and the last closed quarter (quarterly
    ones), so a year-old gap does not flood the warnings. Rows: org_code, org_name, periods
    (codes, oldest first), end (the last day of the newest such period), types (codes), missing.
    """
    cells = compliance(frames, today)
    if cells.empty or back < 1:
        return []
    keep = pd.Series(False, index=cells.index)
    for kind in ("month", "quarter"):
        current = period_of(kind, today).key  # type: ignore[arg-type]
        recent = range(current - int(back), current)
        keep |= cells["kind"].eq(kind) & cells["key"].isin(recent)
    miss = cells[keep & cells["status"].eq("missing")]
    out = []
    for code, g in miss.groupby("org_code", sort=False):
        g = g.sort_values("end")
        out.append(
            {
                "org_code": code,
                "org_name": g["org_name"].iloc[0],
                "periods": list(dict.fromkeys(g["period"])),
                "end": g["end"].iloc[-1],
                "types": list(dict.fromkeys(g["type"])),
                "missing": len(g),
            }
        )
    return out


# Exported by the package as ``org_life_grid`` (``grid`` alone would read as the property grid).
org_life_grid = grid
