"""The daily digest: what changed for a leader since the previous digest, in codes, numbers and dates.

Nothing here knows a language: a digest holds rule ids, organisation codes,
dataset names, counts and ISO dates; :mod:`dashboard.notify.messages` writes
it in zh or en. The digest of an office day is frozen when it is first sent
(table ``notify_digest``), so retries send the same content and the next
day's digest counts its changes from it ("since the previous digest").

Sections, in reading order (:data:`SECTIONS`; one function each):
- ``warnings``: open red and yellow warnings (insights.warnings), each marked
  new or still open since the previous digest, with its board link (per-item
  督办 warnings excepted: the overdue items have their own section);
- ``overdue_tasks``: 督办 items past their deadline, longest overdue first, each
  marked new since the previous digest; owner and unit as entered (staff, not masked);
- ``terms``: 换届 terms ending within TERM_DAYS;
- ``kpis``: the overview KPIs with their change since the previous digest;
- ``signed``: properties signed since the previous digest (户主 masked, as on the boards);
- ``ledgers``: which ledgers got a version since the previous digest, which are stale.
- ``org_life``: organisations behind on 组织生活 (a required meeting missing in the last closed
  month or quarter, as the red warning ``org_life_missing``), after ``warnings``; absent until
  the org_life ledger has a version.

Where the 组织生活 (``org_life``) ledger plugs in once the contract has it:
one function here (``org_life_behind``: ``(Context) -> Section | None``),
added to SECTIONS after ``warnings``, and one renderer in ``messages.RENDERERS``
(as ``overdue_tasks`` did for 督办).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import clock, contract
from dashboard.insights import metrics, org_life, report, tasks, warnings
from dashboard.store import mask_name, rounds, storage

TERM_DAYS = 30  # 换届 terms ending within this many days are listed
SIGNED_LIST = 20  # newly signed properties listed one by one; beyond, counted
OVERDUE_LIST = 5  # overdue 督办 items listed one by one (longest overdue); beyond, counted and linked
DIGEST_KPIS: tuple[str, ...] = report.REPORT_KPIS
# One warning per 督办 item would crowd a phone's message: the overdue ones have their own
# section; items due soon are on the board (and its warnings panel).
PER_ITEM_TASK_RULES = frozenset({"task_overdue", "task_due_soon"})
# Warnings their own section lists (so a phone's message names each once): the 督办 items above, and
# the organisations behind on 组织生活 (org_life_behind).
OWN_SECTION_RULES = PER_ITEM_TASK_RULES | {"org_life_missing"}
# Warnings about a figure whose window differs from the KPI of the same name further down (the
# last 7 days' 当日办结率 against all items'): the digest quotes the figure the rule judged.
FIGURE_RULES = frozenset({"task_same_day_rate_low"})
# Warnings the digest counts in one line (the board's panel lists each): a month's last week raises
# one per organisation not yet holding its meetings, which would crowd out every other line.
FOLDED_RULES = frozenset({"org_life_due_soon"})


@dataclass
class Section:
    """One part of the digest: an id (its renderer's key) and JSON-able items."""

    id: str
    items: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0  # items before any cap (signed: all newly signed properties)


@dataclass
class Digest:
    """A digest: the office day, what it counted from, the data's 截至 stamp, its sections."""

    office_day: str  # ISO date
    created_at: str  # ISO UTC time it was computed
    previous_day: str | None  # the digest it counts changes from (None: the first one)
    as_of: str | None  # newest version time (ISO UTC): "数据截至"
    versions: dict[str, int]  # version number of each dataset it saw (the next digest's baseline)
    sections: list[Section] = field(default_factory=list)

    def section(self, sid: str) -> Section | None:
        return next((s for s in self.sections if s.id == sid), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Digest:
        raw = json.loads(text)
        raw["sections"] = [Section(**s) for s in raw.get("sections", [])]
        return cls(**raw)


@dataclass
class Context:
    """What every section function reads: today's data and the previous digest."""

    engine: Engine
    today: date
    now: datetime
    current: dict[str, pd.DataFrame]
    latest: Mapping[str, storage.VersionInfo]
    previous: Digest | None
    baseline: dict[str, int]  # version numbers the changes count from
    rhythms: dict[str, int]


# ---------------------------------------------------------------------------
# sections


def warning_section(ctx: Context) -> Section:
    """Open warnings, new ones first; ``new`` = not open in the previous digest."""
    before: set[tuple[str, str]] = set()
    prev = ctx.previous.section("warnings") if ctx.previous else None
    if prev is not None:
        before = {(w["rule"], w["subject"]) for w in prev.items}
    items = []
    for w in warnings.evaluate(ctx.current, ctx.latest, ctx.today, ctx.rhythms):
        if w.rule in OWN_SECTION_RULES:  # listed by the overdue_tasks / org_life_behind sections
            continue
        items.append(
            {
                "rule": w.rule,
                "level": w.level,
                "board": w.board,
                "link": w.link,
                "since": w.since.isoformat(),
                "subject": w.subject,
                "name": w.name,
                "new": ctx.previous is None or (w.rule, w.subject) not in before,
                # a figure's rule quotes its figure: the week's 当日办结率, not the KPI's all-time one
                **({"params": dict(w.params)} if w.rule in FIGURE_RULES else {}),
            }
        )
    items = _folded(items, before, ctx.previous is None)
    items.sort(key=lambda i: (not i["new"], warnings.SEVERITY[i["level"]]))  # stable: newest first within
    return Section("warnings", items, len(items))


def _folded(items: list[dict[str, Any]], before: set[tuple[str, str]], first: bool) -> list[dict[str, Any]]:
    """One line per FOLDED_RULES rule, counting its subjects: in a month's last week every
    organisation still owing a meeting made a line of its own (33 of the demo's on 26 December).
    The line is new when the previous digest had none (its subject is the rule)."""
    out: list[dict[str, Any]] = []
    folded: dict[str, list[dict[str, Any]]] = {}
    for i in items:
        if i["rule"] in FOLDED_RULES:
            folded.setdefault(i["rule"], []).append(i)
        else:
            out.append(i)
    for rule, group in folded.items():
        out.append(
            group[0]
            | {
                "since": min(i["since"] for i in group),
                "subject": rule,
                "name": "",
                "count": len(group),
                "new": first or (rule, rule) not in before,
            }
        )
    return out


def overdue_task_section(ctx: Context) -> Section | None:
    """督办 items past their deadline, longest overdue first (the first OVERDUE_LIST; all counted)."""
    rows, total = tasks.overdue_items(ctx.current, ctx.today, OVERDUE_LIST)
    if not total:
        return None
    prev = ctx.previous.section("overdue_tasks") if ctx.previous else None
    before = {i["task_code"] for i in prev.items} if prev is not None else set()
    items = [
        {
            "task_code": r["task_code"],
            "title": r["title"],
            "owner": r["owner"],
            "unit": r["unit"],
            "deadline": r["deadline"].isoformat(),
            "days": r["days"],
            "new": ctx.previous is None or r["task_code"] not in before,
        }
        for r in rows
    ]
    return Section("overdue_tasks", items, total)


def term_section(ctx: Context) -> Section:
    """Terms ending within TERM_DAYS (already ended ones are red warnings)."""
    items = [
        {
            "org_code": str(r["org_code"]),
            "org_name": str(r["org_name"]),
            "term_end": r["term_end"].isoformat(),  # type: ignore[attr-defined]
            "days": int(r["days"]),  # type: ignore[arg-type]
        }
        for r in warnings.term_calendar(ctx.current, ctx.today)
        if 0 <= int(r["days"]) <= TERM_DAYS  # type: ignore[arg-type]
    ]
    return Section("terms", items, len(items))


def kpi_section(ctx: Context) -> Section:
    """The overview's KPIs now, and their change since the previous digest (None: unknown)."""
    kpis = {k.id: k for k in metrics.overview_kpis(ctx.current, {}, ctx.today)}
    prev = ctx.previous.section("kpis") if ctx.previous else None
    before = {i["id"]: i["value"] for i in prev.items} if prev else {}
    items = []
    for kid in DIGEST_KPIS:
        k = kpis[kid]
        old = before.get(kid)
        delta = None if k.value is None or old is None else k.value - old
        items.append({"id": kid, "unit": k.unit, "value": k.value, "previous": old, "delta": delta})
    return Section("kpis", items, len(items))


def _signed_codes(frame: pd.DataFrame) -> set[str]:
    mask = metrics.at_least(frame["status"], contract.PROPERTY_STATUS, "signed")
    return set(frame.loc[mask, "property_id"].astype(str))


def signed_section(ctx: Context) -> Section:
    """Properties signed since the baseline version of the demolition ledger; 户主 masked."""
    now = metrics.frame(ctx.current, "demolition")
    number = ctx.baseline.get("demolition", 0)
    if now.empty:
        return Section("signed")
    before: set[str] = set()
    if number > 0:
        before = _signed_codes(storage.load_version(ctx.engine, "demolition", number))
    fresh = now[now["property_id"].astype(str).isin(_signed_codes(now) - before)]
    items = [
        {
            "property_id": str(r.property_id),
            "household": mask_name(r.household) or "",
            "category": None if pd.isna(r.category) else int(r.category),
            "status": str(r.status),
        }
        for r in fresh.head(SIGNED_LIST).itertuples(index=False)
    ]
    return Section("signed", items, len(fresh))


def ledger_section(ctx: Context) -> Section:
    """Per imported ledger: versions since the baseline, last upload, stale or not."""
    versions = storage.list_versions(ctx.engine)
    stale = {w.subject for w in warnings.stale_warnings(ctx.latest, ctx.today, ctx.rhythms)}
    items = []
    for name in contract.DATASETS:
        info = ctx.latest.get(name)
        if info is None:
            continue
        new = [v for v in versions if v.dataset == name and v.number > ctx.baseline.get(name, 0)]
        age = (ctx.today - info.created_at.astimezone(clock.OFFICE_TZ).date()).days
        items.append(
            {
                "dataset": name,
                "updates": len(new),
                "last": info.created_at.astimezone(UTC).isoformat(),
                "stale": name in stale,
                "age_days": age,
                "rhythm": ctx.rhythms[name],
            }
        )
    return Section("ledgers", items, len(items))


ORG_LIFE_LIST = 20  # organisations behind on 组织生活 listed one by one; beyond, counted


def org_life_behind(ctx: Context) -> Section | None:
    """Organisations with a required meeting missing in their last closed period (None: no ledger)."""
    if "org_life" not in ctx.latest:
        return None
    back = warnings.RULES["org_life_missing"].threshold
    behind = org_life.missing_recent(ctx.current, ctx.today, back)
    items = [
        {
            "org_code": str(r["org_code"]),
            "org_name": str(r["org_name"]),
            "periods": list(r["periods"]),
            "types": list(r["types"]),
        }
        for r in behind[:ORG_LIFE_LIST]
    ]
    return Section("org_life", items, len(behind))


# The digest's sections in reading order. 督办 / 组织生活 sections go after "warnings".
SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    warning_section,
    org_life_behind,
    overdue_task_section,
    term_section,
    kpi_section,
    signed_section,
    ledger_section,
)


# ---------------------------------------------------------------------------
# computing one


def _numbers_at(engine: Engine, moment: datetime) -> dict[str, int]:
    """Each dataset's version number as it stood at ``moment`` (0: none yet)."""
    out: dict[str, int] = {}
    for v in storage.list_versions(engine):
        if v.created_at <= moment:
            out[v.dataset] = max(out.get(v.dataset, 0), v.number)
    return out


def compute(
    engine: Engine,
    today: date,
    previous: Digest | None = None,
    now: datetime | None = None,
) -> Digest:
    """The digest of ``today``, counting changes from ``previous`` (else from 24 hours ago)."""
    now = now or datetime.now(UTC)
    latest = storage.latest_versions(engine)
    current = {name: storage.load_current(engine, name) for name in contract.DATASETS}
    current[rounds.OPEN_FRAME] = rounds.open_frame(engine)  # overdue reporting rounds are warnings too
    baseline = dict(previous.versions) if previous else _numbers_at(engine, now - timedelta(days=1))
    ctx = Context(
        engine=engine,
        today=today,
        now=now,
        current=current,
        latest=latest,
        previous=previous,
        baseline=baseline,
        rhythms=warnings.rhythm_days(),
    )
    sections = [s for s in (build(ctx) for build in SECTIONS) if s is not None]
    newest = max((v.created_at for v in latest.values()), default=None)
    return Digest(
        office_day=today.isoformat(),
        created_at=now.astimezone(UTC).isoformat(),
        previous_day=previous.office_day if previous else None,
        as_of=newest.astimezone(UTC).isoformat() if newest else None,
        versions={name: info.number for name, info in latest.items()},
        sections=sections,
    )
