"""The Reflex app: registers the tables, the pages and the live poll. No logic lives here."""

from __future__ import annotations

import reflex as rx

from dashboard import api
from dashboard.data import tables
from dashboard.pages import (
    audit,
    brands,
    demolition,
    elections,
    history,
    kiosk,
    login,
    overview,
    report,
    screen,
    upload,
    users,
)
from dashboard.state import live, worker  # noqa: F401 (worker: pid probe for the scale-out test)
from dashboard.state.accounts import Accounts
from dashboard.state.auth import Login, Session
from dashboard.state.board import Board
from dashboard.state.history import AuditLog, History
from dashboard.state.report import KioskAdmin, Screen, WeeklyReport

# Our tables are plain SQLModel (no Reflex import in dashboard/data): register them
# here so `reflex db` and rx.session know them. Schema changes go through our Alembic.
for _model in (
    tables.DatasetVersion,
    tables.VersionFile,
    tables.DatasetHead,
    tables.UserAccount,
    tables.UserSession,
    tables.AuditEntry,
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
    # Sign-in, upload and download routes, in front of Reflex's own (dashboard/api.py).
    api_transformer=api.build(),
)

PAGES = (
    (overview, "/", "总览"),
    (elections, "/elections", "换届"),
    (brands, "/brands", "品牌"),
    (demolition, "/demolition", "拆迁"),
)

for module, route, title in PAGES:
    app.add_page(
        module.page,
        route=route,
        title=f"党建看板 · {title}",
        on_load=[Session.guard, Board.open(module.BOARD)],  # signed in, or off to /login
    )

# Sign-in and the staff pages (each guard re-checks the role on the server).
app.add_page(login.page, route="/login", title="党建看板 · 登录", on_load=Login.open)
app.add_page(upload.page, route="/upload", title="党建看板 · 上传", on_load=Session.guard_editor)
app.add_page(
    history.page, route="/history", title="党建看板 · 历史", on_load=[Session.guard_editor, History.load]
)
app.add_page(
    audit.page, route="/audit", title="党建看板 · 审计", on_load=[Session.guard_admin, AuditLog.load]
)
app.add_page(
    users.page, route="/users", title="党建看板 · 账户", on_load=[Session.guard_admin, Accounts.load]
)

# Issue 6: the weekly report, the wall screen (kiosk token, no session) and its links (admins).
app.add_page(
    report.page, route="/report", title="党建看板 · 周报", on_load=[Session.guard, WeeklyReport.load]
)
app.add_page(screen.page, route="/screen", title="党建看板 · 大屏", on_load=Screen.open)
app.add_page(
    kiosk.page, route="/kiosk", title="党建看板 · 大屏链接", on_load=[Session.guard_admin, KioskAdmin.load]
)

app.register_lifespan_task(live.watch)
