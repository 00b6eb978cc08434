"""Wall-screen (kiosk) links: a random token an admin creates and can revoke.

A kiosk link (/screen?k=<token>) opens the wall screen without signing in;
it can show masked board figures and nothing else (no session, so every
other page still asks for a login, and the screen has no event that writes).
Only the SHA-256 of a token is kept, in ``<data_dir>/kiosk-links.json`` (the
private data directory, next to the demo accounts file), so the file alone
does not open a screen. Creating and revoking are audited.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.accounts import auth
from dashboard.settings import get_settings

FILE_NAME = "kiosk-links.json"
_LOCK = threading.Lock()


@dataclass
class KioskLink:
    id: str  # short public id (to revoke by), not the token
    token_hash: str
    label: str
    created_by: str
    created_at: str  # ISO, UTC
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _path(data_dir: Path | None = None) -> Path:
    return (data_dir or get_settings().data_dir) / FILE_NAME


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def list_links(data_dir: Path | None = None) -> list[KioskLink]:
    path = _path(data_dir)
    if not path.exists():
        return []
    return [KioskLink(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def _save(links: list[KioskLink], data_dir: Path | None = None) -> None:
    path = _path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kiosk-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump([asdict(link) for link in links], out, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)  # readers see the old or the new file, never half of one


def create(
    engine: Engine | None, by: str, label: str = "", data_dir: Path | None = None
) -> tuple[str, KioskLink]:
    """A new kiosk link: (token to put in the URL, shown once; its record)."""
    token = secrets.token_urlsafe(24)
    link = KioskLink(
        id=secrets.token_hex(4),
        token_hash=_hash(token),
        label=label[:100],
        created_by=by,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    with _LOCK:
        _save([*list_links(data_dir), link], data_dir)
    if engine is not None:
        auth.audit(engine, "kiosk_create", user=by, target=link.id, detail=link.label)
    return token, link


def revoke(engine: Engine | None, link_id: str, by: str, data_dir: Path | None = None) -> bool:
    """Revoke the link ``link_id``; False if there is no such active link."""
    with _LOCK:
        links = list_links(data_dir)
        hit = next((x for x in links if x.id == link_id and x.active), None)
        if hit is None:
            return False
        hit.revoked_at = datetime.now(UTC).isoformat(timespec="seconds")
        _save(links, data_dir)
    if engine is not None:
        auth.audit(engine, "kiosk_revoke", user=by, target=link_id)
    return True


def check(token: str | None, data_dir: Path | None = None) -> bool:
    """True when ``token`` belongs to an active kiosk link."""
    if not token or len(token) > 200:
        return False
    wanted = _hash(token)
    return any(secrets.compare_digest(x.token_hash, wanted) and x.active for x in list_links(data_dir))
