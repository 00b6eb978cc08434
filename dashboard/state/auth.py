"""Who is signed in, for the Reflex side: read on the server from the session cookie.

The cookie comes from the websocket's handshake headers, which Reflex keeps
on the server (``router.headers.cookie``, never sent back to the page); the
session and its role are looked up in the database on every check, so a
logout, an idle expiry or a disabled account takes effect at the next event.
Page guards redirect; every event handler that reads or writes data calls
:func:`require` itself, because a client can fire any event over the socket.
An account that must change its password is sent to /password by every guard
and refused by every :func:`require` (``Identity.can`` is False for it); the
auditor passes only the audit guard.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from dashboard import i18n
from dashboard.accounts import Identity, Role, auth
from dashboard.contract.scopes import Scope
from dashboard.settings import get_settings
from dashboard.store import storage


def engine():  # noqa: ANN201 (sqlalchemy Engine, cached per URL by storage)
    return storage.make_engine(get_settings().db_url)


def client_address(state: rx.State) -> str:
    return state.router.session.client_ip or ""


async def current_identity(state: rx.State) -> Identity | None:
    """The signed-in user behind this event's connection, or None."""
    cookie = state.router.headers.cookie
    return await asyncio.to_thread(auth.identity_from_cookie, engine(), cookie)


async def require(state: rx.State, role: Role) -> Identity | None:
    """The user when they hold ``role``; None (and an audit row for a signed-in refusal) otherwise."""
    who = await current_identity(state)
    if who is not None and who.can(role):
        return who
    if who is not None:
        await asyncio.to_thread(
            auth.audit, engine(), "forbidden", user=who.name, ok=False,
            target=type(state).__name__, address=client_address(state),
        )  # fmt: skip
    return None


def scope_both(scope: Scope | None) -> tuple[str, str]:
    """An account's scope as the header names it, in both languages ("" for the whole sub-district)."""
    if scope is None:
        return "", ""
    values = ", ".join(scope.values)
    kind = i18n.both(f"scope.kind.{scope.kind.value}")
    return i18n.both("scope.text", kind=kind, values=values)


class Session(rx.State):
    """The signed-in user as the page chrome shows it (display only; never trusted)."""

    user: str = ""
    role: str = ""  # the code; the header shows its label from the catalogue
    scope: str = ""  # "社区：示例社区A" for a scoped account (display only; the server applies it)
    scope_en: str = ""
    demo_mode: bool = False

    @rx.var
    def is_editor(self) -> bool:
        return auth.allows(self.role or None, Role.EDITOR)

    @rx.var
    def is_admin(self) -> bool:
        return auth.allows(self.role or None, Role.ADMIN)

    @rx.var
    def sees_boards(self) -> bool:
        """Every role but the auditor (and nobody signed out) sees the boards and the weekly report."""
        return auth.allows(self.role or None, Role.VIEWER)

    @rx.var
    def reads_audit(self) -> bool:
        return auth.allows(self.role or None, Role.AUDITOR)

    async def _guard(self, role: Role):  # noqa: ANN202 (Reflex event chain)
        self.demo_mode = get_settings().demo
        who = await current_identity(self)
        path = self.router.url.path or "/"
        if who is None:
            self.user = self.role = self.scope = self.scope_en = ""
            return rx.redirect(f"/login?next={quote(path)}")
        self.user, self.role = who.name, who.role.value
        self.scope, self.scope_en = scope_both(who.scope)
        if who.must_change:
            return rx.redirect(f"/password?next={quote(path)}")
        if not who.can(role):
            home = auth.home_path(who.role)
            return rx.redirect(home if home != path else "/login")
        return None

    @rx.event
    async def guard(self):  # noqa: ANN201
        """on_load of every board: signed in, or off to /login."""
        return await self._guard(Role.VIEWER)

    @rx.event
    async def guard_role(self, role: str):  # noqa: ANN201
        """on_load of a page that needs ``role`` (a Role code, from the page table; "auditor": the
        audit log's readers, auditors and admins)."""
        return await self._guard(Role(role))


class Login(rx.State):
    """The sign-in page: only whether the last attempt failed (the form posts to /api/login)."""

    failed: bool = False
    demo_mode: bool = False

    @rx.event
    def open(self):  # noqa: ANN201
        self.failed = self.router.url.query_parameters.get("failed") == "1"
        self.demo_mode = get_settings().demo
        return rx.call_script(
            "document.getElementById('login-next') && (document.getElementById('login-next').value ="
            " new URLSearchParams(location.search).get('next') || '/')"
        )


#: Why a new password was refused (``?failed=`` of /password), each a catalogue key "password.error.<code>".
PASSWORD_ERRORS = ("mismatch", "wrong", "locked", "length", "classes", "name", "reused", "rules")


class PasswordChange(rx.State):
    """/password: the form posts to /api/password; this only says why the last try failed."""

    failed: str = ""
    forced: bool = False  # an admin chose the password, or it expired

    @rx.event
    async def open(self):  # noqa: ANN201
        who = await current_identity(self)
        if who is None:
            return rx.redirect("/login?next=/password")
        self.forced = who.must_change
        failed = self.router.url.query_parameters.get("failed", "")
        self.failed = failed if failed in PASSWORD_ERRORS else ""
        return rx.call_script(
            "document.getElementById('password-next') && (document.getElementById('password-next').value ="
            " new URLSearchParams(location.search).get('next') || '/')"
        )
