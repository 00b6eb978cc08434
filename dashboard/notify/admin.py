"""Channels an admin adds on /notify: checked, stored, audited; the environment's stay read-only.

Every change writes an audit row here (not at the call sites), with the
address masked: the audit log is read by people who must not learn a token.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.accounts import auth
from dashboard.notify import channels as ch
from dashboard.settings import addresses
from dashboard.store.tables import NotifyChannel

_CHANNEL = NotifyChannel.__table__


class ChannelError(Exception):
    """A channel the form described cannot work; ``id`` names the check (notify.bad.<id> in i18n)."""

    def __init__(self, check: str) -> None:
        super().__init__(check)
        self.id = check


@dataclass(frozen=True)
class NewChannel:
    kind: str
    target: str
    secret: str = ""
    recipients: str = ""
    label: str = ""


def check(new: NewChannel) -> ch.Channel:
    """The channel, or ChannelError naming the first thing wrong with it."""
    kind = new.kind.strip().lower()
    target = new.target.strip()
    if kind not in ch.KINDS:
        raise ChannelError("kind")
    scheme = urllib.parse.urlsplit(target).scheme
    if kind == "email":
        if scheme not in ("smtp", "smtps"):
            raise ChannelError("smtp_url")
        recipients = addresses(new.recipients)
        if not recipients or not all("@" in a for a in recipients):
            raise ChannelError("recipients")
        return ch.Channel(kind, target, recipients=recipients, label=new.label.strip(), source="admin")
    if scheme not in ("http", "https") or not urllib.parse.urlsplit(target).hostname:
        raise ChannelError("url")
    return ch.Channel(kind, target, secret=new.secret.strip(), label=new.label.strip(), source="admin")


def add(engine: Engine, new: NewChannel, by: str) -> ch.Channel:
    channel = check(new)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(_CHANNEL).values(
                kind=channel.kind,
                target=channel.target,
                secret=channel.secret,
                recipients=",".join(channel.recipients),
                label=channel.label[:200],
                enabled=True,
                created_at=datetime.now(UTC),
                created_by=by[:200],
            )
        )
    auth.audit(engine, "notify_channel_add", user=by, target=f"{channel.kind} {channel.masked}"[:500])
    return channel


def _masked(engine: Engine, channel_id: int) -> str:
    with engine.connect() as conn:
        row = conn.execute(sa.select(_CHANNEL).where(_CHANNEL.c.id == channel_id)).mappings().first()
    if row is None:
        raise ChannelError("missing")
    return f"{row['kind']} {ch.mask_url(row['target'])}"


def set_enabled(engine: Engine, channel_id: int, enabled: bool, by: str) -> None:
    shown = _masked(engine, channel_id)
    with engine.begin() as conn:
        conn.execute(sa.update(_CHANNEL).where(_CHANNEL.c.id == channel_id).values(enabled=enabled))
    if enabled:
        auth.audit(engine, "notify_channel_enable", user=by, target=shown)
    else:
        auth.audit(engine, "notify_channel_disable", user=by, target=shown)


def remove(engine: Engine, channel_id: int, by: str) -> None:
    shown = _masked(engine, channel_id)
    with engine.begin() as conn:
        conn.execute(sa.delete(_CHANNEL).where(_CHANNEL.c.id == channel_id))
    auth.audit(engine, "notify_channel_remove", user=by, target=shown)
