"""Reporting rounds (填报任务): an admin asks scopes to report a ledger by a deadline.

A round names a dataset, the scopes asked (one ``kind=value`` each, e.g.
``community=示例社区A``), a deadline (an office day) and a note. A scoped editor's
accepted upload of that dataset while the round is open is the report of every
asked scope its own scope holds: :func:`mark_reported` runs inside the import's
transaction (storage._write_version), so a version and its report commit together.
Closing a round keeps it, with its reports, for the record. Each scope's state
(:meth:`RoundScope.state`) is a code read against an office day: ``reported``,
``late`` (reported after the deadline), ``overdue`` (not reported, deadline passed)
or ``pending``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard import clock
from dashboard.contract import DATASETS
from dashboard.contract.scopes import Scope, ScopeError, covers
from dashboard.store.audit import CLI, Actor, begin_write, record
from dashboard.store.tables import ReportRound, ReportRoundScope

_ROUND = ReportRound.__table__
_ASKED = ReportRoundScope.__table__

State = Literal["reported", "late", "overdue", "pending"]


class RoundError(ValueError):
    """A round that cannot be opened or closed as asked; ``key`` is its catalogue message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RoundScope:
    scope: str  # kind=value
    reported_at: datetime | None  # aware UTC
    reported_by: str
    version: int | None

    def state(self, deadline: date, today: date) -> State:
        """Its state on office day ``today``: a report counts on time through the deadline's office day."""
        if self.reported_at is not None:
            day = self.reported_at.astimezone(clock.OFFICE_TZ).date()
            return "late" if day > deadline else "reported"
        return "overdue" if today > deadline else "pending"


@dataclass(frozen=True)
class Round:
    id: int
    dataset: str
    note: str
    deadline: date
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str
    scopes: list[RoundScope] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def counts(self, today: date) -> dict[State, int]:
        """How many asked scopes are in each state on ``today``."""
        out: dict[State, int] = {"reported": 0, "late": 0, "overdue": 0, "pending": 0}
        for s in self.scopes:
            out[s.state(self.deadline, today)] += 1
        return out


def _one_value_scopes(texts: list[str]) -> list[str]:
    """Each asked scope as one ``kind=value`` (``community=A,B`` asks A and B)."""
    out: list[str] = []
    for text in texts:
        try:
            scope = Scope.parse(text)
        except ScopeError:
            raise RoundError("rounds.error.scope", text=text) from None
        if scope is not None:
            out += [Scope(scope.kind, (v,)).text for v in scope.values]
    return list(dict.fromkeys(out))


def open_round(
    engine: Engine, dataset: str, scopes: list[str], deadline: date, note: str = "", *, by: Actor | str = CLI
) -> int:
    """A new open round; its id. Every asked scope must be able to report ``dataset``."""
    if dataset not in DATASETS:
        raise RoundError("rounds.error.dataset", dataset=dataset)
    asked = _one_value_scopes(scopes)
    if not asked:
        raise RoundError("rounds.error.no_scope")
    for text in asked:
        scope = Scope.parse(text)
        assert scope is not None
        if not covers(dataset, scope.kind):
            raise RoundError("rounds.error.not_covered", scope=text, dataset=dataset)
    with begin_write(engine) as conn:
        round_id = conn.execute(
            _ROUND.insert().values(
                dataset=dataset, note=note.strip()[:500], deadline=deadline, opened_at=datetime.now(UTC),
                opened_by=by.name if isinstance(by, Actor) else str(by), closed_by="",
            ).returning(_ROUND.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(_ASKED.insert(), [{"round_id": round_id, "scope": s, "reported_by": ""} for s in asked])
        record(conn, "round_open", by, target=f"round {round_id} {dataset}",
               detail=f"deadline {deadline.isoformat()}; " + ", ".join(asked))  # fmt: skip
    return int(round_id)


def close_round(engine: Engine, round_id: int, *, by: Actor | str = CLI) -> None:
    """Close an open round; it stays listed with its reports."""
    with begin_write(engine) as conn:
        row = conn.execute(sa.select(_ROUND).where(_ROUND.c.id == round_id)).first()
        if row is None:
            raise RoundError("rounds.error.missing", id=round_id)
        if row.closed_at is not None:
            raise RoundError("rounds.error.closed", id=round_id)
        who = by.name if isinstance(by, Actor) else str(by)
        conn.execute(
            _ROUND.update().where(_ROUND.c.id == round_id).values(closed_at=datetime.now(UTC), closed_by=who)
        )
        record(conn, "round_close", by, target=f"round {round_id} {row.dataset}")


def mark_reported(
    conn: Connection, dataset: str, scope: Scope, user: str, version: int, at: datetime
) -> list[int]:
    """Inside an import's transaction: the upload is the report of the asked scopes ``scope`` holds,
    in every open round of ``dataset`` not yet reported; the rounds it reported in."""
    asked = [Scope(scope.kind, (v,)).text for v in scope.values]
    open_ids = sa.select(_ROUND.c.id).where(_ROUND.c.dataset == dataset, _ROUND.c.closed_at.is_(None))
    where = sa.and_(
        _ASKED.c.round_id.in_(open_ids), _ASKED.c.scope.in_(asked), _ASKED.c.reported_at.is_(None)
    )
    ids = [int(r) for r in conn.execute(sa.select(_ASKED.c.round_id).where(where)).scalars()]
    if ids:
        conn.execute(_ASKED.update().where(where).values(reported_at=at, reported_by=user, version=version))
    return sorted(set(ids))


def list_rounds(engine: Engine, *, open_only: bool = False, dataset: str | None = None) -> list[Round]:
    """Rounds newest first, with their asked scopes (in the order asked)."""
    query = sa.select(_ROUND).order_by(_ROUND.c.id.desc())
    if open_only:
        query = query.where(_ROUND.c.closed_at.is_(None))
    if dataset is not None:
        query = query.where(_ROUND.c.dataset == dataset)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        ids = [r.id for r in rows]
        asked: dict[int, list[RoundScope]] = {i: [] for i in ids}
        if ids:
            for a in conn.execute(sa.select(_ASKED).where(_ASKED.c.round_id.in_(ids)).order_by(_ASKED.c.id)):
                asked[a.round_id].append(RoundScope(a.scope, _aware(a.reported_at), a.reported_by, a.version))
    return [_round(r, asked[r.id]) for r in rows]


def _round(r: sa.Row, asked: list[RoundScope]) -> Round:
    return Round(
        r.id, r.dataset, r.note, r.deadline, _aware(r.opened_at), r.opened_by,  # type: ignore[arg-type]
        _aware(r.closed_at), r.closed_by, asked,
    )  # fmt: skip


def rounds_for(engine: Engine, scope: Scope | None) -> list[Round]:
    """The open rounds that ask something of ``scope`` (a scoped editor's /upload list)."""
    if scope is None:
        return []
    mine = {Scope(scope.kind, (v,)).text for v in scope.values}
    return [r for r in list_rounds(engine, open_only=True) if any(s.scope in mine for s in r.scopes)]


OPEN_FRAME = "round.open"  # the snapshot's frame of open rounds' asked scopes (warnings read it)


def open_frame(engine: Engine) -> pd.DataFrame:
    """Every asked scope of every open round, one row each (round, dataset, deadline, scope, reported)."""
    rows = [
        {
            "round": r.id,
            "dataset": r.dataset,
            "deadline": r.deadline,
            "scope": s.scope,
            "reported": s.reported_at is not None,
        }
        for r in list_rounds(engine, open_only=True)
        for s in r.scopes
    ]
    return pd.DataFrame(rows, columns=["round", "dataset", "deadline", "scope", "reported"])


def stamp(engine: Engine) -> str:
    """Changes when a round is opened, closed or reported in (the view cache rebuilds on it)."""
    with engine.connect() as conn:
        opened, closed = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(_ROUND.c.id), 0), sa.func.count(_ROUND.c.closed_at))
        ).one()
        reported = conn.execute(sa.select(sa.func.count(_ASKED.c.reported_at))).scalar_one()
    return f"{opened}:{closed}:{reported}"
