"""The Reflex app: registers the tables, the pages, the live poll and the digest clock. No logic here."""

from __future__ import annotations

from importlib import import_module

import reflex as rx

from dashboard import api
from dashboard.components import site
from dashboard.i18n import DEFAULT_LANG
from dashboard.ops import serve
from dashboard.state import live, schedule, worker  # noqa: F401 (worker: pid probe for the scale-out test)
from dashboard.state.notify import schedule as digest_clock
from dashboard.state.prefs import page_title
from dashboard.store import tables

# Our tables are plain SQLModel (no Reflex import below dashboard/state): register them
# here so `reflex db` and rx.session know them. Schema changes go through our Alembic.
for _model in (
    tables.DatasetVersion,
    tables.VersionFile,
    tables.DatasetHead,
    tables.UserAccount,
    tables.UserSession,
    tables.AuditEntry,
    tables.KioskLink,
    tables.NotifyChannel,
    tables.NotifyDigest,
    tables.NotifyDelivery,
    tables.NotifyLog,
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

# Every page from the one page table: its module is named after its id. The static <title>
# is the Chinese one (the first paint); on_load sets it in the viewer's language.
for _page in site.PAGES:
    app.add_page(
        import_module(f"dashboard.pages.{_page.id}").page,
        route=_page.route,
        title=page_title(_page.title, DEFAULT_LANG),
        on_load=site.on_load(_page),
    )

app.register_lifespan_task(live.watch)
# Imported in Granian's supervisor before it builds the server (Reflex preloads the app for its
# forked workers): one worker dying is then replaced, not the end of every worker.
serve.respawn_failed_workers()
# Every worker checks the digest clock; the lease in the database lets one of them send.
app.register_lifespan_task(digest_clock)
app.register_lifespan_task(schedule.daily)  # the daily backup and the audit retention
app.register_lifespan_task(schedule.left_pending)  # rows a stopped server committed but did not move
