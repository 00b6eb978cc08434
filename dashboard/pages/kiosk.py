"""大屏链接 /kiosk (admins): create a wall-screen link, see and revoke the existing ones."""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import header
from dashboard.state.report import KioskAdmin, KioskRow


def _row(row: KioskRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.id),
        rx.table.cell(row.label),
        rx.table.cell(row.created),
        rx.table.cell(row.status),
        rx.table.cell(
            rx.cond(
                row.active,
                rx.button("撤销 Revoke", on_click=KioskAdmin.revoke(row.id), size="1", color_scheme="red",
                          id="revoke-" + row.id),
            )
        ),
    )  # fmt: skip


def page() -> rx.Component:
    return rx.box(
        header("overview"),
        rx.el.main(
            rx.heading("大屏链接 Wall-screen links", size="6", as_="h1"),
            rx.text(
                "链接打开只读大屏（脱敏数据），无需登录；撤销后立即失效。"
                " A link opens the read-only wall screen (masked data) without signing in; revoking ends it.",
                size="2",
            ),
            rx.flex(
                rx.input(
                    value=KioskAdmin.label,
                    on_change=KioskAdmin.set_label,
                    placeholder="用途 Label",
                    id="kiosk-label",
                ),
                rx.button("新建链接 Create link", on_click=KioskAdmin.create, id="kiosk-create"),
                spacing="2",
            ),
            rx.cond(KioskAdmin.new_link != "", rx.code(KioskAdmin.new_link, id="kiosk-new-link")),
            rx.table.root(rx.table.body(rx.foreach(KioskAdmin.rows, _row)), size="1", id="kiosk-links"),
            class_name="content",
        ),
        class_name="app",
    )
