"""/history (editor, admin): versions with user, time, file and counts; originals; admin restores."""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import scroll_table
from dashboard.components.staff import header_row, staff_page
from dashboard.components.text import dataset_label, label, pick
from dashboard.contract import DATASETS
from dashboard.state.auth import Session
from dashboard.state.history import History

HEADERS = [
    "staff.history.col.dataset",
    "staff.history.col.version",
    "staff.history.col.time",
    "staff.history.col.user",
    "staff.history.col.file",
    "staff.history.col.rows",
    "staff.history.col.counts",
    "staff.history.col.data",
    "",
]


def row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(pick(r["title"], r["title_en"])),
        rx.table.cell(rx.link(r["number"], href=r["page_href"], class_name="version-link")),
        rx.table.cell(r["time"]),
        rx.table.cell(r["user"], class_name="dv"),
        rx.table.cell(
            rx.cond(
                r["href"] != "",
                rx.link(r["file"], href=r["href"], class_name="original dv", reload_document=True),
                rx.text(r["file"], as_="span", class_name="original dv"),  # personal data: admins only
            )
        ),
        rx.table.cell(r["rows"]),
        rx.table.cell(
            r["counts"],
            " ",
            pick(r["restored"], r["restored_en"]),
            rx.cond(r["note"] != "", rx.text(r["note"], size="1", class_name="version-note dv")),
            rx.cond(
                r["corrections"] != "",
                rx.text(pick(r["corrections"], r["corrections_en"]), size="1", class_name="corrections dv"),
            ),
        ),
        rx.table.cell(  # this version's data, as the ledger then stood
            rx.link("CSV", href=r["csv_href"], class_name="version-csv", reload_document=True),
            " · ",
            rx.link("XLSX", href=r["xlsx_href"], class_name="version-xlsx", reload_document=True),
        ),
        rx.table.cell(
            rx.cond(
                Session.is_admin,
                rx.button(
                    label("staff.history.restore"),
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
            rx.alert_dialog.title(label("staff.history.restore_title")),
            rx.alert_dialog.description(pick(History.ask_text, History.ask_text_en)),
            rx.flex(
                rx.button(
                    label("common.cancel"), variant="soft", on_click=History.dismiss, id="restore-cancel"
                ),
                rx.button(
                    label("staff.history.restore_confirm"),
                    color_scheme="red",
                    on_click=History.restore,
                    id="restore-confirm",
                ),
                spacing="3",
                justify="end",
            ),
        ),
        open=History.asking,
    )


def exports() -> rx.Component:
    """Current ledgers as CSV or XLSX for Excel (户主 masked unless the account is an admin)."""
    return rx.flex(
        rx.text(label("staff.history.exports"), size="2"),
        *(
            rx.text.span(
                rx.link(
                    dataset_label(name),
                    href=f"/api/export/{name}.csv",
                    id=f"export-{name}",
                    reload_document=True,
                ),
                " ",
                rx.link(
                    "XLSX", href=f"/api/export/{name}.xlsx", id=f"export-{name}-xlsx", reload_document=True
                ),
                size="2",
            )
            for name in DATASETS
        ),
        wrap="wrap",
        spacing="3",
    )


def page() -> rx.Component:
    return staff_page(
        "history",
        "staff.history.title",
        exports(),
        rx.cond(
            History.message != "",
            rx.callout(
                pick(History.message, History.message_en),
                size="1",
                color_scheme=rx.cond(History.ok, "green", "red"),
                id="history-message",
            ),
        ),
        scroll_table(
            header_row(HEADERS),
            rx.table.body(rx.foreach(History.rows, row)),
            variant="ghost",
            id="history-table",
        ),
        confirm_dialog(),
    )
