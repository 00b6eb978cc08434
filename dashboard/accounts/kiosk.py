"""Wall-screen (kiosk) links: a random token an admin creates and can revoke.

A kiosk link (/screen?k=<token>) opens the wall screen without signing in;
it can show masked board figures and nothing else (no session, so every
other page still asks for a login, and the screen has no event that writes).
Links live in the database (table ``kiosk_link``, like sessions: only the
SHA-256 of a token), so every worker and host sees the same links and a
revoked one goes dark everywhere at the wall's next check. Creating and
revoking are audited in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.store import Actor, as_actor, record
from dashboard.store import KioskLink as _Row

_LINKS = _Row.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class KioskLink:
    id: str  # short public id (to revoke by), not the token
    label: str
    created_by: str
    created_at: datetime  # aware, UTC
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def list_links(engine: Engine) -> list[KioskLink]:
    """Every link, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(_LINKS).order_by(_LINKS.c.created_at, _LINKS.c.id)).all()
    return [
        KioskLink(r.id, r.label, r.created_by, _aware(r.created_at), _aware(r.revoked_at))  # type: ignore[arg-type]
        for r in rows
    ]


def create(engine: Engine, by: Actor | str, label: str = "") -> tuple[str, KioskLink]:
    """A new kiosk link: (token to put in the URL, shown once; its record)."""
    token = secrets.token_urlsafe(24)
    actor = as_actor(by)
    link = KioskLink(
        id=secrets.token_hex(4), label=label[:100], created_by=actor.name[:200], created_at=datetime.now(UTC)
    )
    with engine.begin() as conn:
        conn.execute(
            _LINKS.insert().values(
                id=link.id,
                token_hash=_hash(token),
                label=link.label,
                created_by=link.created_by,
                created_at=link.created_at,
            )
        )
        record(conn, "kiosk_create", actor, target=link.id, detail=link.label)
    return token, link


def revoke(engine: Engine, link_id: str, by: Actor | str) -> bool:
    """Revoke the link ``link_id``; False if there is no such active link."""
    with engine.begin() as conn:
        done = conn.execute(
            _LINKS.update()
            .where(_LINKS.c.id == link_id, _LINKS.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        ).rowcount
        if done:
            record(conn, "kiosk_revoke", by, target=link_id)
    return bool(done)


def check(engine: Engine, token: str | None) -> bool:
    """True when ``token`` belongs to an active kiosk link (one indexed lookup by its hash)."""
    if not token or len(token) > 200:
        return False
    query = sa.select(_LINKS.c.id).where(_LINKS.c.token_hash == _hash(token), _LINKS.c.revoked_at.is_(None))
    with engine.connect() as conn:
        return conn.execute(query).first() is not None
