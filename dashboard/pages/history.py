"""/history (editor, admin): versions with user, time, file and counts; originals; admin restores."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import staff_page
from dashboard.data.contract import DATASETS
from dashboard.state.auth import Session
from dashboard.state.history import History

HEADERS = ["数据集", "版本", "时间", "用户", "文件", "行数", "+新增 ~修改 -删除 =跳过", "", ""]


def row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["title"]),
        rx.table.cell(r["number"]),
        rx.table.cell(r["time"]),
        rx.table.cell(r["user"]),
        rx.table.cell(rx.link(r["file"], href=r["href"], class_name="original", reload_document=True)),
        rx.table.cell(r["rows"]),
        rx.table.cell(r["counts"], " ", r["restored"]),
        rx.table.cell(
            rx.cond(
                Session.is_admin,
                rx.button(
                    "恢复",
                    size="1",
                    variant="soft",
                    on_click=History.ask_restore(r["dataset"], r["number"]),
                    class_name="restore",
                ),
            )
        ),
    )


def confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("恢复版本"),
            rx.alert_dialog.description(History.ask_text),
            rx.flex(
                rx.button("取消", variant="soft", on_click=History.dismiss, id="restore-cancel"),
                rx.button("确认恢复", color_scheme="red", on_click=History.restore, id="restore-confirm"),
                spacing="3",
                justify="end",
            ),
        ),
        open=History.asking,
    )


def exports() -> rx.Component:
    """Current ledgers as CSV for Excel (户主 masked unless the account is an admin)."""
    return rx.flex(
        rx.text("导出当前数据：", size="2"),
        *(
            rx.link(
                ds.title, href=f"/api/export/{name}.csv", id=f"export-{name}", size="2", reload_document=True
            )
            for name, ds in DATASETS.items()
        ),
        wrap="wrap",
        spacing="3",
    )


def page() -> rx.Component:
    return staff_page(
        "history",
        "版本历史",
        exports(),
        rx.cond(
            History.message != "",
            rx.callout(
                History.message,
                size="1",
                color_scheme=rx.cond(History.message.contains("已恢复"), "green", "red"),
                id="history-message",
            ),
        ),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in HEADERS))),
                rx.table.body(rx.foreach(History.rows, row)),
                size="1",
                id="history-table",
            ),
            overflow_x="auto",
        ),
        confirm_dialog(),
    )
