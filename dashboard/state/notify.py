"""/notify (admins): the digest's channels, a test send, the delivery log; and the server's digest clock.

The clock (:func:`schedule`) is a lifespan task like the live poll: every
worker checks each CHECK_SECONDS whether the office time has passed
DASHBOARD_DIGEST_AT and, if so, runs ``notify.delivery.run``. The lease in
the database makes every worker but one find nothing to send; a failed
channel is tried again after its backoff.

Texts are kept in both languages (``i18n.both``) so the toggle needs no round trip.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import reflex as rx

from dashboard import clock, i18n, params
from dashboard.accounts import Role
from dashboard.notify import admin, delivery
from dashboard.notify import channels as ch
from dashboard.settings import get_settings
from dashboard.state.auth import client_address, engine, require
from dashboard.store import Actor

log = logging.getLogger(__name__)

CHECK_SECONDS = 60.0
LOG_ROWS = 50


@dataclass
class ChannelRow:
    key: str = ""
    id: str = ""  # the stored channel's id; "" for the environment's
    kind: str = ""
    target: str = ""  # masked
    secret: str = ""  # masked
    source: str = ""  # env | admin | disabled
    today: str = ""
    today_en: str = ""
    failed: bool = False


@dataclass
class LogRow:
    at: str = ""
    target: str = ""
    ok: bool = True
    test: bool = False
    attempt: str = ""
    reason: str = ""


def _status(row: dict[str, Any] | None) -> tuple[str, str]:
    if not row:
        return i18n.both("notify.status.none")
    if row["status"] in ("failed", "refused", "maybe_delivered"):
        return i18n.both(f"notify.status.{row['status']}", reason=row["reason"])
    return i18n.both(f"notify.status.{row['status']}")


def page_data() -> dict[str, Any]:
    """Channels (environment's, then the admin's, disabled ones too), today's state, the log."""
    eng = engine()
    settings = get_settings()
    env, _ = delivery.configured(eng, settings)
    stored = delivery.admin_channels(eng)
    today = clock.office_today()
    rows = {r["channel"]: r for r in delivery.deliveries(eng, today) if r["office_day"] == today}
    listed: list[ch.Channel] = [c for c in env if c.source == "env"] + stored
    channels = []
    for c in listed:
        zh, en = _status(rows.get(c.key))
        channels.append(
            ChannelRow(
                key=c.key,
                id=str(c.id or ""),
                kind=c.kind,
                target=c.masked,
                secret=ch.mask(c.secret),
                source=c.source,
                today=zh,
                today_en=en,
                failed=rows.get(c.key, {}).get("status") in ("failed", "refused", "maybe_delivered"),
            )
        )
    entries = [
        LogRow(
            at=clock.office_time(r["at"]),
            target=r["target"],
            ok=bool(r["ok"]),
            test=bool(r["test"]),
            attempt=str(r["attempt"]),
            reason=r["reason"],
        )
        for r in delivery.recent_log(eng, LOG_ROWS)
    ]
    return {"channels": channels, "entries": entries, "digest_at": settings.digest_at}


def _find(key: str) -> ch.Channel | None:
    eng = engine()
    env, _ = delivery.configured(eng)
    return next((c for c in [*env, *delivery.admin_channels(eng)] if c.key == key), None)


class NotifyAdmin(rx.State):
    """Admins only: every handler checks the session's role on the server."""

    channels: list[ChannelRow] = rx.field(default_factory=list)
    entries: list[LogRow] = rx.field(default_factory=list)
    digest_at: str = ""
    kind: str = "wecom"
    message: str = ""
    message_en: str = ""
    ok: bool = True

    def _say(self, ok: bool, text: tuple[str, str]) -> None:
        self.ok = ok
        self.message, self.message_en = text

    async def _admin(self) -> Actor | None:
        """The signed-in admin as the audit row names them (account and address), or None."""
        who = await require(self, Role.ADMIN)
        if who is None:
            self._say(False, i18n.both("notify.admin_only"))
            return None
        return Actor(who.name, client_address(self))

    @rx.event
    async def load(self) -> None:
        if await require(self, Role.ADMIN) is None:
            self.channels, self.entries = [], []
            return
        for key, value in (await asyncio.to_thread(page_data)).items():
            setattr(self, key, value)

    @rx.event
    def set_kind(self, value: str) -> None:
        self.kind = value

    @rx.event
    async def add(self, form: dict[str, Any]) -> None:
        who = await self._admin()
        if who is None:
            return
        new = admin.NewChannel(
            kind=self.kind,
            target=str(form.get("target") or ""),
            secret=str(form.get("secret") or ""),
            recipients=str(form.get("recipients") or ""),
            label=str(form.get("label") or ""),
        )
        try:
            channel = await asyncio.to_thread(admin.add, engine(), new, who)
        except admin.ChannelError as exc:
            self._say(False, i18n.both(f"notify.bad.{exc.id}", **exc.params))
            return
        self._say(True, i18n.both("notify.added", target=channel.masked))
        await self.load()

    async def _change(self, fn: Any, *args: Any) -> None:
        who = await self._admin()
        if who is None:
            return
        try:
            await asyncio.to_thread(fn, engine(), *args, who)
        except admin.ChannelError as exc:
            self._say(False, i18n.both(f"notify.bad.{exc.id}", **exc.params))
            return
        self._say(True, i18n.both("notify.changed"))
        await self.load()

    @rx.event
    async def enable(self, channel_id: str, enabled: bool) -> None:
        if (number := params.number(channel_id)) is not None:
            await self._change(admin.set_enabled, number, enabled)

    @rx.event
    async def remove(self, channel_id: str) -> None:
        if (number := params.number(channel_id)) is not None:
            await self._change(admin.remove, number)

    @rx.event
    async def test(self, key: str) -> None:
        if await self._admin() is None:
            return
        channel = await asyncio.to_thread(_find, key)
        if channel is None:
            self._say(False, i18n.both("notify.bad.missing"))
            return
        outcome = await asyncio.to_thread(delivery.test_send, engine(), channel)
        if outcome.ok:
            self._say(True, i18n.both("notify.test_ok", target=channel.masked))
        else:
            self._say(False, i18n.both("notify.test_failed", reason=outcome.reason))
        await self.load()


# ---------------------------------------------------------------------------
# the server's digest clock


async def schedule(app: rx.App) -> None:
    """The lifespan task: at DASHBOARD_DIGEST_AT office time, send what is due (the lease says who)."""
    del app
    while True:
        try:
            settings = get_settings()
            if delivery.due(settings):
                results = await asyncio.to_thread(
                    delivery.run, engine(), respect_backoff=True, settings=settings
                )
                for r in results:
                    if r.status in ("sent", "failed"):
                        log.info("digest %s to %s: %s %s", r.day, r.target, r.status, r.reason)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be migrating: try again at the next check
            log.exception("digest check failed")
        await asyncio.sleep(CHECK_SECONDS)
