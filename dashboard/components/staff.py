"""The frame of the staff pages (/upload, /history, /audit): the board header, a title, content."""

from __future__ import annotations

import reflex as rx

from dashboard.components.account import demo_mode_notice
from dashboard.components.layout import header


def staff_page(page_id: str, title: str, *content: rx.Component) -> rx.Component:
    return rx.box(
        header(page_id),
        rx.el.main(
            rx.heading(title, size="6", as_="h1", class_name="page-title"),
            demo_mode_notice(),
            *content,
            class_name="content",
        ),
        class_name="app",
        data_page=page_id,
    )


def simple_table(headers: list[str], rows: rx.Var, cells: list[str], **props: object) -> rx.Component:
    """A plain table of dict rows (keys ``cells``), scrolling sideways on a phone."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in headers))),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*(rx.table.cell(r[c]) for c in cells)))),
            size="1",
            variant="surface",
            **props,
        ),
        overflow_x="auto",
    )
