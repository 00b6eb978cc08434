"""/history/<dataset>/<version> (editor, admin): the rows a version added, removed and changed (old →
new per cell), its uploader's note and page corrections; ``<v1>..<v2>`` compares two versions."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import changes_table, rows_table, staff_page
from dashboard.components.text import label, pick
from dashboard.state.versions import VersionPage

P = VersionPage


def _fact(f: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(pick(f["label"], f["label_en"])),
        rx.data_list.value(f["value"], class_name="dv"),
    )


def facts() -> rx.Component:
    return rx.data_list.root(
        rx.foreach(P.facts, _fact),
        rx.cond(
            P.corrections != "",
            rx.data_list.item(
                rx.data_list.label(label("version.corrections")),
                rx.data_list.value(pick(P.corrections, P.corrections_en), class_name="dv"),
            ),
        ),
        size="2",
        id="version-facts",
    )


def _rows_table(part: str) -> rx.Component:
    return rows_table(
        f"version.{part}",
        getattr(P, f"{part}_headers"),
        getattr(P, f"{part}_headers_en"),
        getattr(P, f"{part}_rows"),
        getattr(P, f"{part}_more"),
        getattr(P, f"{part}_more_en"),
        f"version-{part}",
    )


def changes() -> rx.Component:
    return changes_table(
        P.changes, P.key_header, P.key_header_en, P.changes_more, P.changes_more_en, "version-changed"
    )


def links() -> rx.Component:
    def go(href: rx.Var, key: str, link_id: str) -> rx.Component:
        return rx.cond(href != "", rx.link(label(key), href=href, id=link_id))

    return rx.flex(
        rx.link(label("version.back"), href="/history", id="version-back"),
        go(P.previous_href, "version.previous", "version-previous"),
        go(P.next_href, "version.next", "version-next"),
        go(P.latest_href, "version.vs_latest", "version-latest"),
        rx.cond(
            P.numbers.length() > 0,
            rx.el.select(
                rx.el.option(label("version.compare_with"), value=""),
                rx.foreach(P.numbers, lambda n: rx.el.option(n, value=n)),
                value="",
                on_change=P.compare_with,
                id="version-compare",
                class_name="version-compare",
            ),
        ),
        rx.text.span(
            label("version.download"),
            " ",
            rx.link("CSV", href=P.csv_href, id="version-csv", reload_document=True),
            " · ",
            rx.link("XLSX", href=P.xlsx_href, id="version-xlsx", reload_document=True),
        ),
        spacing="4",
        wrap="wrap",
    )


def page() -> rx.Component:
    return staff_page(
        "version",
        "version.title",
        rx.cond(
            P.found,
            rx.flex(
                rx.heading(pick(P.heading, P.heading_en), size="4", as_="h2", id="version-heading"),
                rx.text(pick(P.summary, P.summary_en), id="version-summary"),
                facts(),
                links(),
                rx.cond(P.nothing, rx.callout(label("version.nothing"), size="1")),
                changes(),
                _rows_table("added"),
                _rows_table("removed"),
                direction="column",
                spacing="4",
            ),
            rx.cond(P.loaded, rx.callout(label("version.not_found"), color_scheme="red", size="1")),
        ),
    )
