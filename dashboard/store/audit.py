"""The audit trail's one writer: every write function records its row here, in its own transaction.

Why here and not at the call sites: an upload, a restore, an account or kiosk
change and its audit row commit together or not at all, and no caller (the
CLI, an HTTP route, a Reflex handler) can forget one. Events that change
nothing (a sign-in, a refused check, a download) use :func:`audit`, which
writes the row in a short transaction of its own.

Tamper evidence (等保): each row carries a SHA-256 chained to the previous
row's (:func:`chain_hash`), so an edited, removed or reordered row is found by
:func:`verify_audit`. Appends are serialized so concurrent writers never fork
the chain: a transaction-level advisory lock on PostgreSQL; on SQLite the row
is inserted first (taking the one write lock) and only then chained to the row
before it. Nothing edits or deletes a row except :func:`purge_audit` of rows
older than the retention (never under 180 days), which leaves an anchor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard.settings import MIN_AUDIT_KEEP_DAYS, get_settings
from dashboard.store.tables import AuditAnchor, AuditEntry

_AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
_ANCHOR = AuditAnchor.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Actor:
    """Who did it and from where: an account name and an address ("cli" for a shell on the server)."""

    name: str
    address: str = ""


CLI = Actor("cli", "cli")
SYSTEM = Actor("system", "")


def as_actor(who: Actor | str) -> Actor:
    """A bare name (tests, the demo, the benchmarks) is an actor with no address."""
    return who if isinstance(who, Actor) else Actor(who)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(at: datetime) -> str:
    return _aware(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev: str, row_id: int, at: datetime, user: str, action: str, ok: bool, target: str,
               detail: str, address: str) -> str:  # fmt: skip
    """SHA-256 of the previous row's hash and this row's fields (its id too: a moved row breaks it).

    Migration 0005 keeps a frozen copy of this rule for the rows it backfills.
    """
    fields = [row_id, _iso(at), user, action, bool(ok), target, detail, address]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{payload}".encode()).hexdigest()


def _row_hash(prev: str, r: sa.Row) -> str:
    return chain_hash(prev, r.id, r.at, r.user, r.action, r.ok, r.target, r.detail, r.address)


def lock_chain(conn: Connection) -> None:
    """Serialize appends on PostgreSQL until the transaction ends; SQLite's write lock already does."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('dashboard.audit_chain'))"))


def _anchor_hash(conn: Connection) -> str:
    last = conn.execute(sa.select(_ANCHOR.c.last_hash).order_by(_ANCHOR.c.id.desc()).limit(1)).scalar()
    return last or ""


def record(
    conn: Connection,
    action: str,
    who: Actor | str,
    *,
    ok: bool = True,
    target: str = "",
    detail: str = "",
) -> None:
    """One audit row inside the caller's transaction, chained to the row before it."""
    actor = as_actor(who)
    values: dict[str, object] = {
        "at": datetime.now(UTC),
        "user": actor.name[:200],
        "action": action[:40],
        "ok": ok,
        "target": target[:500],
        "detail": detail,
        "address": actor.address[:100],
    }
    lock_chain(conn)
    if conn.dialect.name == "sqlite":
        # The insert comes first: it takes SQLite's write lock even in the caller's deferred
        # transaction, so the row read next as "previous" cannot change until we commit. Its id is
        # computed in the same statement: never below a purge anchor (SQLite reuses a freed max id).
        top = sa.select(sa.func.max(_AUDIT.c.id)).scalar_subquery()
        anchored = sa.select(sa.func.max(_ANCHOR.c.last_id)).scalar_subquery()
        next_id = sa.func.max(sa.func.coalesce(top, 0), sa.func.coalesce(anchored, 0)) + 1
        row_id = conn.execute(_AUDIT.insert().values(id=next_id, hash="", **values)).inserted_primary_key[0]
        if row_id is None:
            row_id = conn.execute(sa.select(sa.func.max(_AUDIT.c.id))).scalar()
    else:
        row_id = conn.execute(_AUDIT.insert().values(hash="", **values)).inserted_primary_key[0]
    prev = conn.execute(
        sa.select(_AUDIT.c.hash).where(_AUDIT.c.id < row_id).order_by(_AUDIT.c.id.desc()).limit(1)
    ).scalar()
    if prev is None:
        prev = _anchor_hash(conn)
    digest = chain_hash(prev, row_id, **values)  # type: ignore[arg-type]
    conn.execute(_AUDIT.update().where(_AUDIT.c.id == row_id).values(hash=digest))


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads, then writes (and records): BEGIN IMMEDIATE on SQLite.

    A deferred SQLite transaction that read first cannot take the write lock once another
    writer committed in between ("database is locked", no busy wait); taking it at BEGIN waits
    its turn instead. PostgreSQL's default transaction is fine as it is.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


def audit(
    engine: Engine,
    action: str,
    who: Actor | str,
    *,
    ok: bool = True,
    target: str = "",
    detail: str = "",
) -> None:
    """One audit row in a short transaction of its own (it survives a refused upload)."""
    with begin_write(engine) as conn:
        record(conn, action, who, ok=ok, target=target, detail=detail)


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_audit` found: rows checked, the chain's head, the first broken row."""

    checked: int
    head: str
    broken_id: int | None = None
    broken_at: datetime | None = None
    broken_action: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_audit(engine: Engine) -> ChainReport:
    """Recompute the chain from the anchor (or the start) and name the first row that breaks it."""
    checked = 0
    with engine.connect() as conn:
        anchor = conn.execute(sa.select(_ANCHOR).order_by(_ANCHOR.c.id.desc()).limit(1)).first()
        prev, after = (anchor.last_hash, anchor.last_id) if anchor is not None else ("", 0)
        rows = conn.execution_options(yield_per=2000).execute(sa.select(_AUDIT).order_by(_AUDIT.c.id))
        for r in rows:
            if r.id <= after:
                reason = "older than the purge anchor"
            elif r.hash != _row_hash(prev, r):
                reason = "hash mismatch (this row, or one before it, was changed or removed)"
            else:
                checked += 1
                prev = r.hash
                continue
            rows.close()
            return ChainReport(checked, prev, r.id, _aware(r.at), r.action, reason)
    return ChainReport(checked, prev)


def purge_audit(engine: Engine, keep_days: int | None = None, *, now: datetime | None = None) -> int:
    """Delete audit rows older than ``keep_days`` (never fewer than 180), keeping the chain verifiable:
    the last removed row's id and hash become the anchor, and the purge itself is an audit row."""
    keep = max(MIN_AUDIT_KEEP_DAYS, keep_days if keep_days is not None else get_settings().audit_keep_days)
    now = now or datetime.now(UTC)
    with begin_write(engine) as conn:
        lock_chain(conn)
        old = sa.select(_AUDIT.c.id, _AUDIT.c.hash).where(_AUDIT.c.at < now - timedelta(days=keep))
        last = conn.execute(old.order_by(_AUDIT.c.id.desc()).limit(1)).first()
        if last is None:
            return 0
        gone = conn.execute(_AUDIT.delete().where(_AUDIT.c.id <= last.id)).rowcount
        conn.execute(_ANCHOR.insert().values(last_id=last.id, last_hash=last.hash, purged=gone, at=now))
        record(conn, "audit_purge", SYSTEM, target=f"id <= {last.id}",
               detail=f"{gone} row(s) older than {keep} days; anchor {last.hash}")  # fmt: skip
    return gone
