"""The Reflex app: registers the tables, the pages and the live poll. No logic lives here."""

from __future__ import annotations

import reflex as rx

from dashboard import api
from dashboard.i18n import DEFAULT_LANG
from dashboard.pages import (
    audit,
    brands,
    demolition,
    elections,
    history,
    kiosk,
    login,
    overview,
    password,
    report,
    screen,
    upload,
    users,
)
from dashboard.state import live, schedule, worker  # noqa: F401 (worker: pid probe for the scale-out test)
from dashboard.state.accounts import Accounts
from dashboard.state.auth import Login, PasswordChange, Session
from dashboard.state.board import Board
from dashboard.state.history import AuditLog, History
from dashboard.state.prefs import PAGE_TITLES, Prefs, page_title
from dashboard.state.report import KioskAdmin, Screen, WeeklyReport
from dashboard.store import tables

# Our tables are plain SQLModel (no Reflex import in dashboard/data): register them
# here so `reflex db` and rx.session know them. Schema changes go through our Alembic.
for _model in (
    tables.DatasetVersion,
    tables.VersionFile,
    tables.DatasetHead,
    tables.UserAccount,
    tables.UserSession,
    tables.AuditEntry,
    tables.PasswordHistory,
    tables.AuditAnchor,
):
    rx.ModelRegistry.register(_model)

FONT_STACK = (
    '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif'
)

app = rx.App(
    stylesheets=["/styles.css"],
    style={"font_family": FONT_STACK},
    html_lang="zh-CN",
    head_components=[rx.el.meta(name="theme-color", content="#c8102e")],
    toaster=None,
    # Sign-in, upload and download routes, in front of Reflex's own (dashboard/api.py); then the
    # 等保 HTTP headers around everything (pages and static files too).
    api_transformer=[api.build(), api.security_headers],
)

PAGES = (
    (overview, "/", "overview"),
    (elections, "/elections", "elections"),
    (brands, "/brands", "brands"),
    (demolition, "/demolition", "demolition"),
)

# The static <title> is the Chinese one (the first paint); the page's on_load sets it in
# the viewer's language (Board.open for the boards, Prefs.retitle for the others).
for module, route, board in PAGES:
    app.add_page(
        module.page,
        route=route,
        title=page_title(f"board.{board}", DEFAULT_LANG),
        on_load=[Session.guard, Board.open(module.BOARD)],  # signed in, or off to /login
    )


def _title(route: str) -> str:
    return page_title(PAGE_TITLES[route], DEFAULT_LANG)


# on_load of every page that is not a board: no more board pushes to this tab, and the
# tab title in the viewer's language.
OFF_BOARD = (Board.leave, Prefs.retitle)


# Sign-in and the staff pages (each guard re-checks the role on the server).
app.add_page(login.page, route="/login", title=_title("/login"), on_load=[Login.open, *OFF_BOARD])
# 等保: a new password (forced after an admin created or reset the account, or when it expired).
app.add_page(
    password.page, route="/password", title=_title("/password"), on_load=[PasswordChange.open, *OFF_BOARD]
)
app.add_page(
    upload.page, route="/upload", title=_title("/upload"), on_load=[Session.guard_editor, *OFF_BOARD]
)
app.add_page(
    history.page,
    route="/history",
    title=_title("/history"),
    on_load=[Session.guard_editor, *OFF_BOARD, History.load],
)
app.add_page(
    audit.page,
    route="/audit",
    title=_title("/audit"),
    on_load=[Session.guard_audit, *OFF_BOARD, AuditLog.load],
)
app.add_page(
    users.page,
    route="/users",
    title=_title("/users"),
    on_load=[Session.guard_admin, *OFF_BOARD, Accounts.load],
)

# Issue 6: the weekly report, the wall screen (kiosk token, no session) and its links (admins).
app.add_page(
    report.page,
    route="/report",
    title=_title("/report"),
    on_load=[Session.guard, *OFF_BOARD, WeeklyReport.load],
)
# The wall screen's tab title starts Chinese; Screen.open retitles it in the link's language.
app.add_page(
    screen.page, route="/screen", title=page_title("app.page.screen", DEFAULT_LANG), on_load=Screen.open
)
app.add_page(
    kiosk.page,
    route="/kiosk",
    title=_title("/kiosk"),
    on_load=[Session.guard_admin, *OFF_BOARD, KioskAdmin.load],
)

app.register_lifespan_task(live.watch)
app.register_lifespan_task(schedule.daily)  # the daily backup and the audit retention
