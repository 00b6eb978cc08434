"""The Reflex app: registers the tables, the pages and the live poll. No logic lives here."""

from __future__ import annotations

import reflex as rx

from dashboard.data import tables
from dashboard.pages import brands, demolition, elections, overview
from dashboard.state import live
from dashboard.state.board import Board

# Our tables are plain SQLModel (no Reflex import in dashboard/data): register them
# here so `reflex db` and rx.session know them. Schema changes go through our Alembic.
for _model in (tables.DatasetVersion, tables.VersionFile, tables.DatasetHead):
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
        on_load=Board.open(module.BOARD),
    )

app.register_lifespan_task(live.watch)
