"""/users (admin): accounts and roles. Each handler checks for an admin session on the server.

Messages are kept in both languages (``message`` and ``message_en``, see
``i18n.both``) so the page shows the viewer's without asking the server again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from dashboard import clock, i18n
from dashboard.accounts import Role, auth
from dashboard.state.auth import client_address, engine, require
from dashboard.store import Actor


class Accounts(rx.State):
    rows: list[dict[str, str]] = rx.field(default_factory=list)
    message: str = ""
    message_en: str = ""
    ok: bool = True

    def _say(self, ok: bool, text: tuple[str, str]) -> None:
        self.ok = ok
        self.message, self.message_en = text

    @rx.event
    async def load(self) -> None:
        if await require(self, Role.ADMIN) is None:
            self.rows = []
            return
        users = await asyncio.to_thread(auth.list_users, engine())
        self.rows = [
            {
                "name": u.name,
                "role": u.role.value,
                "status": i18n.t("users.disabled" if u.disabled else "users.active", "zh"),
                "status_en": i18n.t("users.disabled" if u.disabled else "users.active", "en"),
                "disabled": "1" if u.disabled else "",
                "created": clock.office_time(u.created_at),
                "scope": u.scope.text if u.scope is not None else "",
            }
            for u in users
        ]

    async def _change(self, what: tuple[str, str], fn: Any, *args: Any, **kwargs: Any) -> None:
        who = await require(self, Role.ADMIN)
        if who is None:
            self._say(False, i18n.both("users.admin_only"))
            return
        try:
            await asyncio.to_thread(fn, engine(), *args, by=Actor(who.name, client_address(self)), **kwargs)
        except auth.AccountError as exc:
            self._say(False, (exc.message, exc.message_en))
            return
        self._say(True, what)
        await self.load()

    def _with_notice(self, notice: tuple[str, str] | None) -> None:
        """After a change that went through, the scope's notice (ledgers still empty), if any."""
        if notice is not None and self.ok:
            self.message, self.message_en = f"{self.message} {notice[0]}", f"{self.message_en} {notice[1]}"

    async def _scope_notice(self, scope: str | None) -> tuple[str, str] | None:
        """The scope checked against the ledgers (refused: AccountError) before anything is written."""
        return await asyncio.to_thread(auth.vet_scope, engine(), scope)

    @rx.event
    async def add(self, form: dict[str, Any]) -> None:
        name, role = str(form.get("name") or "").strip(), str(form.get("role") or "viewer")
        password = str(form.get("password") or "")
        scope = str(form.get("scope") or "").strip() or None
        # 等保: the admin chose this password, so its owner must replace it at first sign-in.
        await self._change(
            i18n.both("users.added", name=name), auth.add_user, name, role, password, must_change=True,
            scope=scope,
        )  # fmt: skip
        if scope is not None and self.ok:
            self._with_notice(await self._scope_notice(scope))

    @rx.event
    async def set_scope(self, form: dict[str, Any]) -> None:
        """A new scope for an account ('' = the whole sub-district); its sessions end. A scope naming
        what no ledger holds is refused with the reason; saved unchecked, the page says so."""
        name, scope = str(form.get("name") or "").strip(), str(form.get("scope") or "").strip()
        try:  # the scope as saved: normalised as the ledger's cells are (示例社区Ａ is 示例社区A)
            parsed = auth.parse_scope(scope or None)
        except auth.AccountError:
            parsed = None  # set_scope refuses it below, with the reason
        shown = parsed.text if parsed is not None else scope or i18n.both("scope.whole")
        await self._change(i18n.both("scope.saved", name=name, scope=shown), auth.set_scope, name, scope)
        if scope and self.ok:
            self._with_notice(await self._scope_notice(scope))

    @rx.event
    async def set_disabled(self, name: str, disabled: bool) -> None:
        me = (await require(self, Role.ADMIN) or auth.Identity("", Role.VIEWER, 0)).name
        if disabled and auth.fold_name(name) == auth.fold_name(me):  # "Admin" names the account admin too
            self._say(False, i18n.both("users.not_self"))
            return
        text = i18n.both("users.disabled_msg" if disabled else "users.enabled_msg", name=name)
        await self._change(text, auth.set_disabled, name, disabled)

    @rx.event
    async def set_role(self, name: str, role: str) -> None:
        label = i18n.both(f"role.{role}") if role in {r.value for r in Role} else role
        await self._change(i18n.both("users.role_changed", name=name, role=label), auth.set_role, name, role)

    @rx.event
    async def reset_password(self, form: dict[str, Any]) -> None:
        name = str(form.get("name") or "").strip()
        text = i18n.both("users.passwd_msg", name=name)
        await self._change(text, auth.set_password, name, str(form.get("password") or ""), must_change=True)
