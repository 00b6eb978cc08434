"""The frame of the staff pages (/upload, /history, /audit, /users, /kiosk, /notify): header, title, content.

Every label comes from the catalogue (:func:`dashboard.components.text.label`);
cells that are data (names, files, addresses) are marked ``.dv`` and stay as entered.
"""

from __future__ import annotations

import reflex as rx

from dashboard.components.account import demo_mode_notice, may_open
from dashboard.components.layout import header, scroll_table
from dashboard.components.text import label, pick


def staff_page(page_id: str, title_key: str, *content: rx.Component) -> rx.Component:
    """The page shows once the server has confirmed the role (the on_load guard): the prerendered
    page would otherwise show a leader its forms and headings until the redirect."""
    allowed = may_open(page_id)
    return rx.box(
        header(page_id),
        rx.el.main(
            rx.cond(
                allowed,
                rx.fragment(
                    rx.heading(label(title_key), size="6", as_="h1", class_name="page-title"),
                    demo_mode_notice(),
                    *content,
                ),
            ),
            class_name="content",
        ),
        class_name="app",
        data_page=page_id,
    )


def header_row(keys: list[str]) -> rx.Component:
    """Column headers from catalogue keys ("" for an unlabelled column)."""
    return rx.table.header(rx.table.row(*(rx.table.column_header_cell(label(k) if k else "") for k in keys)))


def _cell(row: rx.Var, name: str, data: tuple[str, ...], translated: tuple[str, ...]) -> rx.Component:
    if name in translated:  # the state keeps both languages: name and name_en
        return rx.table.cell(pick(row[name], row[name + "_en"]))
    return rx.table.cell(row[name], class_name="dv" if name in data else None)


def simple_table(
    header_keys: list[str],
    rows: rx.Var,
    cells: list[str],
    *,
    data: tuple[str, ...] = (),
    translated: tuple[str, ...] = (),
    **props: object,
) -> rx.Component:
    """A plain table of dict rows (keys ``cells``), scrolling sideways on a phone.

    ``data``: cells shown as entered (``.dv``); ``translated``: cells whose rows
    also hold ``<name>_en``, shown in the viewer's language.
    """
    return scroll_table(
        header_row(header_keys),
        rx.table.body(
            rx.foreach(rows, lambda r: rx.table.row(*(_cell(r, c, data, translated) for c in cells)))
        ),
        **props,
    )


def _change(c: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(c["key"], class_name="dv"),
        rx.table.cell(pick(c["column"], c["column_en"])),
        rx.table.cell(
            rx.text.span(pick(c["old"], c["old_en"]), class_name="old"),
            " → ",
            rx.text.span(pick(c["new"], c["new_en"]), class_name="new"),
        ),
    )


def changes_table(
    changes: rx.Var, key_header: rx.Var, key_header_en: rx.Var, more: rx.Var, more_en: rx.Var, box_id: str
) -> rx.Component:
    """Changed cells, key / column / old → new (a version's page, the upload's preview)."""
    return rx.cond(
        changes.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.heading(label("version.changed"), size="3", as_="h2"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(pick(key_header, key_header_en)),
                            rx.table.column_header_cell(label("version.col.column")),
                            rx.table.column_header_cell(
                                label("version.col.old"), " → ", label("version.col.new")
                            ),
                        )
                    ),
                    rx.table.body(rx.foreach(changes, _change)),
                    size="1",
                ),
                overflow_x="auto",
            ),
            rx.cond(more != "", rx.text(pick(more, more_en), size="1", class_name="more")),
            id=box_id,
        ),
    )


def rows_table(
    heading_key: str, headers: rx.Var, headers_en: rx.Var, rows: rx.Var, more: rx.Var, more_en: rx.Var,
    box_id: str,
) -> rx.Component:
    """Whole rows added or removed, as the export writes them (a version's page, the upload's preview)."""
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.heading(label(heading_key), size="3", as_="h2"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(rx.foreach(pick(headers, headers_en), rx.table.column_header_cell))
                    ),
                    rx.table.body(
                        rx.foreach(rows, lambda r: rx.table.row(rx.foreach(r, lambda c: rx.table.cell(c))))
                    ),
                    size="1",
                ),
                overflow_x="auto",
            ),
            rx.cond(more != "", rx.text(pick(more, more_en), size="1", class_name="more")),
            id=box_id,
        ),
    )
