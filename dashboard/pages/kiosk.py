"""大屏链接 /kiosk (admins): create a wall-screen link, see and revoke the existing ones."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import staff_page
from dashboard.components.text import label, pick
from dashboard.state.report import KioskAdmin, KioskRow


def _row(row: KioskRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.id),
        rx.table.cell(row.label, class_name="dv"),
        rx.table.cell(row.created, class_name="dv"),  # time and the admin's name
        rx.table.cell(pick(row.status, row.status_en)),
        rx.table.cell(
            rx.cond(
                row.active,
                rx.button(
                    label("kiosk.revoke"),
                    on_click=KioskAdmin.revoke(row.id),
                    size="1",
                    color_scheme="red",
                    id="revoke-" + row.id,
                ),
            )
        ),
    )


def _new_link(key: str, link: rx.Var, id_: str) -> rx.Component:
    return rx.text(label(key), " ", rx.code(link, id=id_), size="2")


def page() -> rx.Component:
    return staff_page(
        "kiosk",
        "kiosk.title",
        rx.text(label("kiosk.intro"), size="2"),
        rx.flex(
            rx.input(
                value=KioskAdmin.label,
                on_change=KioskAdmin.set_label,
                placeholder=label("kiosk.label"),
                id="kiosk-label",
            ),
            rx.button(label("kiosk.create"), on_click=KioskAdmin.create, id="kiosk-create"),
            spacing="2",
        ),
        rx.cond(
            KioskAdmin.new_link != "",
            rx.vstack(
                _new_link("kiosk.link_zh", KioskAdmin.new_link, "kiosk-new-link"),
                _new_link("kiosk.link_en", KioskAdmin.new_link_en, "kiosk-new-link-en"),
                spacing="1",
            ),
        ),
        rx.table.root(rx.table.body(rx.foreach(KioskAdmin.rows, _row)), size="1", id="kiosk-links"),
    )
