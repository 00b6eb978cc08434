"""Channels an admin adds on /notify: checked, stored, audited; the environment's stay read-only.

Every change records its audit row in its own transaction (``store.audit.record``),
with the address masked: the audit log is read by people who must not learn a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard import i18n
from dashboard.notify import channels as ch
from dashboard.settings import addresses
from dashboard.store import Actor, NotifyChannel, as_actor, begin_write, record

_CHANNEL = NotifyChannel.__table__


class ChannelError(Exception):
    """A channel the form described cannot work; ``id`` names the check (notify.bad.<id> in i18n),
    ``params`` fill its message (values may be (zh, en) pairs, as ``i18n.both`` takes them)."""

    def __init__(self, check: str, **params: str | tuple[str, str]) -> None:
        super().__init__(check)
        self.id = check
        self.params = params


def _port_error(kind: str, target: str) -> ChannelError:
    """The address's port is not 1-65535: the message names the channel (its kind, the masked address)."""
    return ChannelError("port", kind=i18n.both(f"notify.kind.{kind}"), target=ch.mask_url(target))


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
    if kind == "email":
        wrong = ch.url_problem(target, ("smtp", "smtps"))
        if wrong == "port":
            raise _port_error(kind, target)
        if wrong:
            raise ChannelError("smtp_url")
        recipients = addresses(new.recipients)
        if not recipients or not all("@" in a for a in recipients):
            raise ChannelError("recipients")
        return ch.Channel(kind, target, recipients=recipients, label=new.label.strip(), source="admin")
    wrong = ch.url_problem(target, ("http", "https"))
    if wrong == "port":
        raise _port_error(kind, target)
    if wrong:
        raise ChannelError("url")
    return ch.Channel(kind, target, secret=new.secret.strip(), label=new.label.strip(), source="admin")


def add(engine: Engine, new: NewChannel, by: Actor | str) -> ch.Channel:
    """Store the checked channel and its audit row in one transaction."""
    channel = check(new)
    actor = as_actor(by)
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
                created_by=actor.name[:200],
            )
        )
        record(conn, "notify_channel_add", actor, target=f"{channel.kind} {channel.masked}")
    return channel


def _masked(conn: Connection, channel_id: int) -> str:
    """How the audit log names the channel (kind and masked address); ChannelError if it is gone."""
    row = conn.execute(sa.select(_CHANNEL).where(_CHANNEL.c.id == channel_id)).mappings().first()
    if row is None:
        raise ChannelError("missing")
    return f"{row['kind']} {ch.mask_url(row['target'])}"


def set_enabled(engine: Engine, channel_id: int, enabled: bool, by: Actor | str) -> None:
    with begin_write(engine) as conn:
        shown = _masked(conn, channel_id)
        conn.execute(sa.update(_CHANNEL).where(_CHANNEL.c.id == channel_id).values(enabled=enabled))
        record(conn, "notify_channel_enable" if enabled else "notify_channel_disable", by, target=shown)


def remove(engine: Engine, channel_id: int, by: Actor | str) -> None:
    with begin_write(engine) as conn:
        shown = _masked(conn, channel_id)
        conn.execute(sa.delete(_CHANNEL).where(_CHANNEL.c.id == channel_id))
        record(conn, "notify_channel_remove", by, target=shown)
