"""The frame of the staff pages (/upload, /history, /audit): the board header, a title, content."""

from __future__ import annotations

import reflex as rx

from dashboard.components.account import demo_mode_notice
from dashboard.components.layout import header
from dashboard.state.auth import Session

ADMIN_PAGES = frozenset({"audit", "users"})  # the other staff pages are for editors (and admins)


def staff_page(page_id: str, title: str, *content: rx.Component) -> rx.Component:
    """The page shows once the server has confirmed the role (the on_load guard): the prerendered
    page would otherwise show a leader its forms and headings until the redirect."""
    allowed = Session.is_admin if page_id in ADMIN_PAGES else Session.is_editor
    return rx.box(
        header(page_id),
        rx.el.main(
            rx.cond(
                allowed,
                rx.fragment(
                    rx.heading(title, size="6", as_="h1", class_name="page-title"),
                    demo_mode_notice(),
                    *content,
                ),
            ),
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
