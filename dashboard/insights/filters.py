"""Board filters kept in the URL, and the rows behind a clicked bar, slice or grid cell.

A filter narrows the frames before any KPI, chart or table is computed, so
the whole board agrees with itself; it lives in the query string
(``?community=常春藤社区&party_group=2&from=2025-05-01``) so a link
reproduces the view. Unknown or malformed values are ignored, never an error:
a hand-edited link still opens a board.

What each filter narrows:
- community: brands.community; activities of those brands; elections
  organisations whose name without its party suffix is the community.
- org_type: elections.org_type (code).
- party_group / category: demolition.party_group / demolition.category (户类).
- phase: milestones.phase.
- domain / source: tasks.domain / tasks.source (codes); unit: tasks.unit (as entered).
- meeting_type: org_life.type (code): the board counts only that type against its rhythm
  (carried on the org_life frame as ``attrs[org_life.TYPES_ATTR]``). community and org_type
  also narrow org_life to the organisations they keep.
- from / to (dates, inclusive): activities.date, meetings.date,
  elections.completed_date, demolition.signed_date, tasks.raised_date (rows
  without that date drop out): /tasks?from=D&to=D lists the items raised on D.

Scope: a scoped account's filter (``Filters.scope``), set on the server from the session and
never from the URL. It narrows the frames first (``ingest.scoping.restrict``), it is part of
the view's cache key, and it appears in no link: every board, KPI, warning and drill built
through these filters is the scope's own.

Drill-down: ``drill(frames, chart_id, value)`` returns (dataset, rows) behind
one category of a chart (an enum code, a party group or 户类 number, a property
id) so the page can list them (masked) and offer a CSV. Mapping the label as
drawn (in the viewer's language) back to that value is the presenter's
(``dashboard.board.drill``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from urllib.parse import urlencode

import pandas as pd

from dashboard import contract
from dashboard.contract.scopes import Scope
from dashboard.ingest.scoping import restrict
from dashboard.insights.memo import MEMO
from dashboard.insights.metrics import Frames, at_least, community_name, frame, task_open
from dashboard.insights.org_life import TYPES_ATTR, cell_meetings
from dashboard.params import number as ascii_number

FILTER_KEYS: tuple[str, ...] = (
    "community",
    "org_type",
    "party_group",
    "category",
    "phase",
    "from",
    "to",
    "domain",
    "unit",
    "source",
    "meeting_type",
)

# The ledgers each filter narrows (what ``Filters.apply`` below does with it): a figure that reads
# none of them is the same with or without that filter, and the page says so.
_DATED = frozenset({"activities", "meetings", "elections", "demolition", "tasks"})
NARROWS: dict[str, frozenset[str]] = {
    "community": frozenset({"brands", "activities", "elections", "org_life"}),
    "org_type": frozenset({"elections", "org_life"}),
    "party_group": frozenset({"demolition"}),
    "category": frozenset({"demolition"}),
    "phase": frozenset({"milestones"}),
    "from": _DATED,
    "to": _DATED,
    "domain": frozenset({"tasks"}),
    "unit": frozenset({"tasks"}),
    "source": frozenset({"tasks"}),
    "meeting_type": frozenset({"org_life"}),
}


@dataclass(frozen=True)
class Filters:
    """The board filters; None = not filtered."""

    community: str | None = None
    org_type: str | None = None
    party_group: int | None = None
    category: int | None = None
    phase: int | None = None
    start: date | None = None  # query key "from"
    end: date | None = None  # query key "to"
    domain: str | None = None  # 督办 (tasks)
    unit: str | None = None
    source: str | None = None
    scope: Scope | None = None  # the signed-in account's scope (from the session, never the URL)
    meeting_type: str | None = None  # org_life.type code

    @classmethod
    def from_query(cls, params: Mapping[str, str], scope: Scope | None = None) -> Filters:
        """Filters from query parameters (malformed values are dropped), within ``scope``."""

        def num(key: str, lo: int, hi: int) -> int | None:
            v = ascii_number(str(params.get(key) or "").strip())
            return v if v is not None and lo <= v <= hi else None

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(str(params.get(key) or "").strip())
            except ValueError:
                return None

        def code(key: str, enum: contract.Enum) -> str | None:
            v = str(params.get(key) or "").strip()
            return v if v in enum.codes else None

        org_type = str(params.get("org_type") or "").strip()
        meeting_type = str(params.get("meeting_type") or "").strip()
        community = str(params.get("community") or "").strip()[:100]
        return cls(
            community=community or None,
            org_type=org_type if org_type in contract.ORG_TYPE.codes else None,
            party_group=num("party_group", 1, 4),
            category=num("category", 1, 6),
            phase=num("phase", 1, 3),
            start=day("from"),
            end=day("to"),
            domain=code("domain", contract.TASK_DOMAIN),
            unit=str(params.get("unit") or "").strip()[:100] or None,
            source=code("source", contract.TASK_SOURCE),
            scope=scope,
            meeting_type=meeting_type if meeting_type in contract.ORG_LIFE_TYPE.codes else None,
        )

    @property
    def asks_outside(self) -> bool:
        """A link naming a community outside a community scope: shown empty, and worth an audit row."""
        return (
            self.scope is not None
            and self.scope.kind.value == "community"
            and self.community is not None
            and self.community not in self.scope.values
        )

    def passes_over(self, ledgers: Iterable[str]) -> bool:
        """Whether filters are set (in the URL) and none of them narrows any of ``ledgers``:
        figures read from those ledgers alone show everything (within the scope) all the same."""
        keys = self.query()
        return bool(keys) and not any(NARROWS[key] & set(ledgers) for key in keys)

    def within(self, scope: Scope | None) -> Filters:
        """The same filters inside ``scope`` (the session's)."""
        return replace(self, scope=scope)

    @property
    def empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def query(self) -> dict[str, str]:
        """The query parameters that reproduce these filters (only the set ones)."""
        out = {}
        for key, value in asdict(self).items():
            if value is not None and key != "scope":
                out[{"start": "from", "end": "to"}.get(key, key)] = (
                    value.isoformat() if isinstance(value, date) else str(value)
                )
        return out

    def query_string(self) -> str:
        return urlencode(self.query())

    @property
    def key(self) -> str:
        """A short stable id (shared-state tokens, cache keys): '' when not filtered."""
        if self.empty:
            return ""
        scope = "" if self.scope is None else "|" + self.scope.text
        return hashlib.sha256((self.query_string() + scope).encode()).hexdigest()[:12]

    def apply(self, frames: Mapping[str, pd.DataFrame]) -> Frames:
        """The frames narrowed by these filters (datasets not concerned are kept as they are)."""
        out: Frames = restrict(frames, self.scope)
        if self.empty:
            return out

        def keep(name: str, mask: pd.Series) -> None:
            out[name] = out[name][mask.fillna(False).astype(bool)].reset_index(drop=True)

        if self.community is not None:
            keep("brands", out["brands"]["community"].eq(self.community))
            keep("activities", out["activities"]["project_code"].isin(set(out["brands"]["project_code"])))
            el = out["elections"]
            keep(
                "elections",
                el["org_name"]
                .map(lambda n: community_name(n) if isinstance(n, str) else n)
                .eq(self.community),
            )
        if self.org_type is not None:
            keep("elections", out["elections"]["org_type"].eq(self.org_type))
        if self.party_group is not None:
            keep("demolition", out["demolition"]["party_group"].eq(self.party_group))
        if self.category is not None:
            keep("demolition", out["demolition"]["category"].eq(self.category))
        if self.phase is not None:
            keep("milestones", out["milestones"]["phase"].eq(self.phase))
        if self.domain is not None:
            keep("tasks", out["tasks"]["domain"].eq(self.domain))
        if self.unit is not None:
            keep("tasks", out["tasks"]["unit"].eq(self.unit))
        if self.source is not None:
            keep("tasks", out["tasks"]["source"].eq(self.source))
        if self.start is not None or self.end is not None:
            lo = pd.Timestamp(self.start) if self.start else pd.Timestamp.min
            hi = pd.Timestamp(self.end) if self.end else pd.Timestamp.max
            for name, col in (
                ("activities", "date"),
                ("meetings", "date"),
                ("elections", "completed_date"),
                ("demolition", "signed_date"),
                ("tasks", "raised_date"),
            ):
                d = out[name][col]
                keep(name, (d >= lo) & (d <= hi))
        if self.community is not None or self.org_type is not None:
            keep("org_life", out["org_life"]["org_code"].isin(set(out["elections"]["org_code"])))
        if self.meeting_type is not None:
            keep("org_life", out["org_life"]["type"].eq(self.meeting_type))
            out["org_life"].attrs[TYPES_ATTR] = (self.meeting_type,)  # a fresh frame: keep() copied
        return out


def options(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """The values each filter can take in this data (for the filter bar's choices).

    Computed once per version of the ledgers it reads (``memo``): every board built reads them.
    """
    read = tuple(frame(frames, name) for name in ("brands", "elections", "demolition", "milestones", "tasks"))
    found = MEMO.get("filter_options", read, None, lambda: _options(frames))
    return {key: list(values) for key, values in found.items()}  # the caller's own lists


def _options(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    br, el = frame(frames, "brands"), frame(frames, "elections")
    communities = set(br["community"].dropna())
    is_comm = el["org_type"].eq("community").fillna(False).astype(bool)
    communities |= {community_name(n) for n in el.loc[is_comm, "org_name"].dropna()}
    dem, ms = frame(frames, "demolition"), frame(frames, "milestones")
    return {
        "community": sorted(communities),
        "org_type": list(contract.ORG_TYPE.codes),
        "party_group": [str(int(v)) for v in sorted(dem["party_group"].dropna().unique())],
        "category": [str(int(v)) for v in sorted(dem["category"].dropna().unique())],
        "phase": [str(int(v)) for v in sorted(ms["phase"].dropna().unique())],
        "domain": list(contract.TASK_DOMAIN.codes),
        "unit": sorted(frame(frames, "tasks")["unit"].dropna().unique()),
        "source": list(contract.TASK_SOURCE.codes),
        "meeting_type": list(contract.ORG_LIFE_TYPE.codes),
    }


# ---------------------------------------------------------------------------
# drill-down


@dataclass(frozen=True)
class DrillSpec:
    """How a chart's category maps back to rows: the dataset, the column and how a value matches."""

    dataset: str
    column: str
    kind: str  # "enum": equal code; "at_least": ordered enum at or past; "int": party group/category n;
    # "key": the property id; "text": a value as entered ("" = empty)
    open_only: bool = False  # 督办 charts count open items only: so do their rows
    # "key": the property id; "org_period": an org_life grid cell, "<org_code> <period>"


def _enum_for(dataset: str, column: str) -> contract.Enum:
    col = contract.get_dataset(dataset).column(column)
    assert col.enum is not None
    return col.enum


DRILLS: dict[str, DrillSpec] = {
    "elections_by_type": DrillSpec("elections", "org_type", "enum"),
    "elections_by_stage": DrillSpec("elections", "stage", "enum"),
    "brands_by_category": DrillSpec("brands", "category", "enum"),
    "demolition_funnel": DrillSpec("demolition", "status", "at_least"),
    "demolition_by_category": DrillSpec("demolition", "category", "int"),
    "demolition_by_group": DrillSpec("demolition", "party_group", "int"),
    "demolition_grid": DrillSpec("demolition", "property_id", "key"),
    "tasks_by_domain": DrillSpec("tasks", "domain", "enum", open_only=True),
    "tasks_by_unit": DrillSpec("tasks", "unit", "text", open_only=True),
    "org_life_by_org_type": DrillSpec("elections", "org_type", "enum"),
    "org_life_grid": DrillSpec("org_life", "org_code", "org_period"),
}


# The value the 督办 by-unit chart's last bar stands for: the units beyond its UNIT_LIMIT, summed
# ("其他 N 个单位"). No cell holds it: a ledger's text is trimmed, printable text.
REST_OF_UNITS = "\x00rest"


def enum_for(spec: DrillSpec) -> contract.Enum:
    """The enumeration of an "enum" or "at_least" drill's column."""
    return _enum_for(spec.dataset, spec.column)


def drill(
    frames: Mapping[str, pd.DataFrame], chart_id: str, value: str | int
) -> tuple[str, pd.DataFrame] | None:
    """The rows behind ``value`` (code, number or key) on chart ``chart_id``; None if it has none.

    "enum" drills match the code, "at_least" ones the code or any further along (as the funnel
    counts), "int" ones the number, "key" ones the property id.
    """
    spec = DRILLS.get(chart_id)
    if spec is None:
        return None
    rows = frame(frames, spec.dataset)
    values = rows[spec.column]
    if spec.kind == "org_period":  # "ORG-001 2026-03": that organisation's meetings in that period
        org_code, _, period = str(value).strip().rpartition(" ")
        return spec.dataset, cell_meetings(frames, org_code.strip(), period)
    if spec.kind == "key":
        mask = values.eq(str(value))
    elif spec.kind == "text" and value == REST_OF_UNITS:  # the summed bar: every unit not drawn alone
        from dashboard import clock
        from dashboard.insights.tasks import open_by

        drawn = [v for v, _, _ in open_by(frames, spec.column, clock.office_today()).counts]
        mask = ~values.fillna("").isin(drawn)
    elif spec.kind == "text":
        mask = values.fillna("").eq(str(value))
    elif spec.kind == "int":
        number = ascii_number(value.strip()) if isinstance(value, str) else int(value)
        if number is None:
            return None
        mask = values.eq(number)
    else:
        enum = enum_for(spec)
        if value not in enum.codes:
            return None
        mask = at_least(values, enum, str(value)) if spec.kind == "at_least" else values.eq(value)
    if spec.open_only:
        mask = mask & task_open(rows)
    return spec.dataset, rows[mask.fillna(False).astype(bool)].reset_index(drop=True)
