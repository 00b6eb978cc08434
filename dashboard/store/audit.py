"""The audit trail's one writer: every write function records its row here, in its own transaction.

Why here and not at the call sites: an upload, a restore, an account or kiosk
change and its audit row commit together or not at all, and no caller (the
CLI, an HTTP route, a Reflex handler) can forget one. Events that change
nothing (a sign-in, a refused check, a download) use :func:`audit`, which
writes the row in a short transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Connection, Engine

from dashboard.store.tables import AuditEntry

_AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Actor:
    """Who did it and from where: an account name and an address ("cli" for a shell on the server)."""

    name: str
    address: str = ""


CLI = Actor("cli", "cli")


def as_actor(who: Actor | str) -> Actor:
    """A bare name (tests, the demo, the benchmarks) is an actor with no address."""
    return who if isinstance(who, Actor) else Actor(who)


def record(
    conn: Connection,
    action: str,
    who: Actor | str,
    *,
    ok: bool = True,
    target: str = "",
    detail: str = "",
) -> None:
    """One audit row inside the caller's transaction."""
    actor = as_actor(who)
    conn.execute(
        _AUDIT.insert().values(
            at=datetime.now(UTC),
            user=actor.name[:200],
            action=action[:40],
            ok=ok,
            target=target[:500],
            detail=detail,
            address=actor.address[:100],
        )
    )


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
    with engine.begin() as conn:
        record(conn, action, who, ok=ok, target=target, detail=detail)
