"""The page table: every page declared once, read by the app, the header, the titles and the guards.

A page's module under :mod:`dashboard.pages` is named after its id and exposes
``page()``. Adding a page is one :class:`Page` row here and that module: the app
assembly (:mod:`dashboard.dashboard`) registers it with its guard and on_load,
the header links it for the roles that open it, and the language toggle runs
the follow-up the page declares (the state layer knows no page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import reflex as rx
from reflex.event import EventSpec

from dashboard.accounts import Role
from dashboard.state.accounts import Accounts
from dashboard.state.auth import Login, PasswordChange, Session
from dashboard.state.board import Board
from dashboard.state.history import AuditLog, History
from dashboard.state.notify import NotifyAdmin
from dashboard.state.prefs import Prefs
from dashboard.state.report import KioskAdmin, Screen, WeeklyReport
from dashboard.state.rounds import MyRounds, RoundsAdmin
from dashboard.state.versions import PropertyPage, VersionPage

Event = EventSpec | rx.event.EventHandler


@dataclass(frozen=True)
class Page:
    """One page: where it lives, who opens it, what it loads, and what it redoes in another language.

    ``role`` None: no role guard (sign-in, the kiosk-token wall screen, /password: any signed-in
    account, also one that must change its password, checked by its own load). ``Role.AUDITOR``:
    the audit log's readers, auditors and admins (:func:`dashboard.accounts.auth.allows`). ``nav``:
    where the header links it ("board": the board links, "staff": the account bar for the roles that
    open it, None: nowhere).
    ``load`` runs after the guard; ``relang`` after a language switch (the tab title is redone for
    every page that is not a board; a board re-opens itself in the new language).
    """

    id: str
    route: str
    title: str
    role: Role | None = Role.VIEWER
    nav: Literal["board", "staff"] | None = None
    load: tuple[Event, ...] = ()
    relang: tuple[Event, ...] = ()
    nav_label: str = ""
    titled: bool = True  # False: the page titles itself and shows no board (the wall screen)

    @property
    def is_board(self) -> bool:
        return self.nav == "board"

    @property
    def link_label(self) -> str:
        return self.nav_label or self.title


def _board(board: str, route: str) -> Page:
    return Page(board, route, f"board.{board}", nav="board")


PAGES: tuple[Page, ...] = (
    _board("overview", "/"),
    _board("elections", "/elections"),
    _board("brands", "/brands"),
    _board("demolition", "/demolition"),
    _board("tasks", "/tasks"),
    _board("org_life", "/org-life"),
    Page("report", "/report", "app.page.report", nav="staff", nav_label="nav.report",
         load=(WeeklyReport.load,), relang=(WeeklyReport.load,)),
    Page("upload", "/upload", "nav.upload", Role.EDITOR, nav="staff", load=(MyRounds.load,)),
    Page("history", "/history", "nav.history", Role.EDITOR, nav="staff", load=(History.load,)),
    # What a version changed (or two compared, <v1>..<v2>); 一户一档, opened from the 战果图.
    Page("version", "/history/[ledger]/[span]", "version.title", Role.EDITOR, load=(VersionPage.load,)),
    Page("property", "/property/[house_id]", "property.title", load=(PropertyPage.load,)),
    Page("audit", "/audit", "nav.audit", Role.AUDITOR, nav="staff", load=(AuditLog.load,)),
    Page("users", "/users", "nav.users", Role.ADMIN, nav="staff", load=(Accounts.load,)),
    Page("kiosk", "/kiosk", "kiosk.title", Role.ADMIN, nav="staff", nav_label="nav.kiosk",
         load=(KioskAdmin.load,)),
    Page("notify", "/notify", "notify.page", Role.ADMIN, nav="staff", nav_label="nav.notify",
         load=(NotifyAdmin.load,)),
    Page("rounds", "/rounds", "rounds.title", Role.ADMIN, nav="staff", nav_label="nav.rounds",
         load=(RoundsAdmin.load,)),
    Page("login", "/login", "login.title", None, load=(Login.open,)),
    # 等保: a new password (forced after an admin created or reset the account, or when it expired).
    Page("password", "/password", "password.title", None, load=(PasswordChange.open,)),
    # The wall screen opens with a kiosk token; Screen.open retitles it in the link's language.
    Page("screen", "/screen", "app.page.screen", None, load=(Screen.open,), titled=False),
)  # fmt: skip

BY_ID: dict[str, Page] = {p.id: p for p in PAGES}


def board_pages() -> tuple[Page, ...]:
    return tuple(p for p in PAGES if p.is_board)


def staff_pages() -> tuple[Page, ...]:
    return tuple(p for p in PAGES if p.nav == "staff")


def on_load(page: Page) -> list[Event]:
    """The guard, then what the page loads.

    A board links the tab to its view (and titles it); every other page stops the board pushes to
    this tab and sets its tab title in the viewer's language.
    """
    if page.is_board:
        return [Session.guard, Board.open(page.id)]
    guard = [] if page.role is None else [Session.guard_role(page.role.value)]
    if not page.titled:
        return [*guard, *page.load]
    return [*guard, Board.leave, Prefs.retitle(page.title), *page.load]


def after_lang_switch(page_id: str) -> list[Event]:
    """What the language toggle redoes on ``page_id`` after switching (its declared follow-up)."""
    page = BY_ID[page_id]
    if page.is_board:
        return [Board.reopen]
    return [Prefs.retitle(page.title), *page.relang]


def shown_to(role: Role | None) -> rx.Var:
    """Whether the signed-in role opens a page that needs ``role``, as the page chrome shows it.

    The auditor sees no board (nor the report): only the audit log, which admins read too.
    """
    if role is None:
        return Session.user != ""
    return {
        Role.VIEWER: Session.sees_boards,
        Role.EDITOR: Session.is_editor,
        Role.ADMIN: Session.is_admin,
        Role.AUDITOR: Session.reads_audit,
    }[role]
