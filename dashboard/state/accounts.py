"""/users (admin): accounts and roles. Each handler checks for an admin session on the server."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from dashboard.data import auth
from dashboard.data.auth import Role
from dashboard.state.auth import engine, require


class Accounts(rx.State):
    rows: list[dict[str, str]] = rx.field(default_factory=list)
    message: str = ""
    ok: bool = True

    def _say(self, ok: bool, text: str) -> None:
        self.ok, self.message = ok, text

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
                "role_label": u.role.label,
                "status": "停用" if u.disabled else "正常",
                "disabled": "1" if u.disabled else "",
                "created": u.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            }
            for u in users
        ]

    async def _change(self, what: str, fn: Any, *args: Any) -> None:
        who = await require(self, Role.ADMIN)
        if who is None:
            self._say(False, "只有管理员可以管理账户。")
            return
        try:
            await asyncio.to_thread(fn, engine(), *args, by=who.name)
        except auth.AccountError as exc:
            self._say(False, exc.message)
            return
        self._say(True, what)
        await self.load()

    @rx.event
    async def add(self, form: dict[str, Any]) -> None:
        name, role = str(form.get("name") or "").strip(), str(form.get("role") or "viewer")
        await self._change(f"已添加账户 {name}。", auth.add_user, name, role, str(form.get("password") or ""))

    @rx.event
    async def set_disabled(self, name: str, disabled: bool) -> None:
        if disabled and name == (await require(self, Role.ADMIN) or auth.Identity("", Role.VIEWER, 0)).name:
            self._say(False, "不能停用自己的账户。")
            return
        text = f"已停用 {name}，其登录已全部失效。" if disabled else f"已启用 {name}。"
        await self._change(text, auth.set_disabled, name, disabled)

    @rx.event
    async def set_role(self, name: str, role: str) -> None:
        await self._change(f"已把 {name} 的角色改为 {role}。", auth.set_role, name, role)

    @rx.event
    async def reset_password(self, form: dict[str, Any]) -> None:
        name = str(form.get("name") or "").strip()
        await self._change(
            f"已重设 {name} 的密码，其登录已全部失效。",
            auth.set_password,
            name,
            str(form.get("password") or ""),
        )
