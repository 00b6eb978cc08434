"""/property/<id> (一户一档, every board reader): a property's record (户主 masked but for admins), its
重点户 flag and 备注, and its timeline through every version. Opened from the 战果图."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import staff_page
from dashboard.components.text import label, pick
from dashboard.state.versions import PropertyPage

P = PropertyPage


def _field(f: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(pick(f["label"], f["label_en"])),
        rx.data_list.value(pick(f["value"], f["value_en"]), class_name="dv"),
    )


def _entry(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(e["version"], href=e["href"])),
        rx.table.cell(e["time"]),
        rx.table.cell(e["user"], class_name="dv"),
        rx.table.cell(pick(e["text"], e["text_en"])),
    )


def timeline() -> rx.Component:
    return rx.box(
        rx.heading(label("property.timeline"), size="3", as_="h2"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(label("staff.history.col.version")),
                        rx.table.column_header_cell(label("staff.history.col.time")),
                        rx.table.column_header_cell(label("staff.history.col.user")),
                        rx.table.column_header_cell(label("property.col.change")),
                    )
                ),
                rx.table.body(rx.foreach(P.timeline, _entry)),
                size="1",
                id="property-timeline",
            ),
            overflow_x="auto",
        ),
    )


def page() -> rx.Component:
    return staff_page(
        "property",
        "property.title",
        rx.cond(
            P.found,
            rx.flex(
                rx.flex(
                    rx.heading(pick(P.heading, P.heading_en), size="4", as_="h2", id="property-heading"),
                    rx.cond(
                        P.key_household,
                        rx.badge(label("property.key_household"), color_scheme="red", id="property-key"),
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.cond(~P.current, rx.callout(label("property.gone"), size="1")),
                rx.cond(P.note != "", rx.text(P.note, class_name="dv", id="property-note")),
                rx.heading(label("property.current"), size="3", as_="h2"),
                rx.data_list.root(rx.foreach(P.fields, _field), size="2", id="property-fields"),
                timeline(),
                rx.link(label("property.back"), href="/demolition", id="property-back"),
                direction="column",
                spacing="4",
            ),
            rx.cond(P.loaded, rx.callout(label("property.not_found", pid=P.shown_id), color_scheme="red")),
        ),
    )
