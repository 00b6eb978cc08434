"""The filter bar (its values live in the URL) and the drill-down dialog.

Filter choices and current values come from the shared board view; choosing
one navigates to the same page with the new query string, so the address bar
always holds a link that reproduces the view.
"""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import scroll_table, ui
from dashboard.components.text import label
from dashboard.state.board import Board
from dashboard.state.drill import Drill, FilterBar

# The filters each board offers (every filter narrows the whole board).
BOARD_FILTERS: dict[str, tuple[str, ...]] = {
    "overview": ("community", "org_type", "party_group", "category", "phase", "from", "to"),
    "elections": ("community", "org_type", "from", "to"),
    "brands": ("community", "from", "to"),
    "demolition": ("party_group", "category", "phase", "from", "to"),
    "tasks": ("domain", "unit", "source", "from", "to"),
    "org_life": ("org_type", "meeting_type"),
}
# Filters with a value per row of data (a city's thousands): typed instead of picked when too many.
TYPED_FILTERS: tuple[str, ...] = ("community", "unit")


def _choice(key: str) -> rx.Component:
    options = Board.filter_options[key].to(list[str])
    labels = Board.filter_labels[key].to(dict[str, str])  # a code's label in the viewer's language
    current = Board.filter_values[key].to(str)
    select = rx.el.select(
        rx.el.option(ui("app.filter.all"), value="all"),
        rx.foreach(options, lambda v: rx.el.option(rx.cond(labels.contains(v), labels[v], v), value=v)),
        # A value from a link that no data has: shown as chosen ("（未找到）"), never as 全部.
        rx.cond(_unknown(key), rx.el.option(label("app.filter.not_found", value=current), value=current)),
        value=current,
        on_change=lambda v: FilterBar.set_filter(key, v),
        name=key,
        id=f"filter-{key}",
        class_name="filter-select",
    )
    if key not in TYPED_FILTERS:
        return rx.el.label(
            rx.text(ui(f"app.filter.{key}"), size="1", color_scheme="gray"), select, class_name="filter"
        )
    # Too many communities or units to list (a city): type the name; leaving the field applies it.
    typed = rx.el.input(
        type="search",
        default_value=rx.cond(current == "all", "", current),
        key=current,
        placeholder=ui(f"app.filter.type_{key}"),
        on_blur=lambda v: FilterBar.set_filter(key, v),
        name=key,
        id=f"filter-{key}",
        class_name="filter-select filter-typed",
    )
    is_typed = Board.filter_typed.contains(key)
    return rx.el.label(
        rx.text(ui(f"app.filter.{key}"), size="1", color_scheme="gray"),
        rx.cond(is_typed, typed, select),
        class_name="filter",
    )


def _unknown(key: str) -> rx.Var:
    """A picked filter (not typed) set to a value none of its choices has (a hand-edited link)."""
    current = Board.filter_values[key].to(str)
    return (
        (current != "all")
        & ~Board.filter_typed.contains(key)
        & Board.filter_options.contains(key)  # none before the board's data (an empty dict)
        & ~Board.filter_options[key].to(list[str]).contains(current)
    )


def unknown_notes(board: str) -> rx.Component:
    """Why a board filtered by a value no data has shows "—": said under the filter bar."""
    return rx.fragment(
        *(
            rx.cond(
                _unknown(key),
                rx.callout(
                    label("app.filter.not_found_note", value=Board.filter_values[key].to(str)),
                    icon="search-x",
                    color_scheme="amber",
                    size="1",
                    class_name="filter-note",
                    id=f"filter-unknown-{key}",
                ),
            )
            for key in BOARD_FILTERS[board]
            if key in TYPED_FILTERS
        )
    )


def _date(key: str) -> rx.Component:
    value = Board.filter_values[key].to(str)
    return rx.el.label(
        rx.text(ui(f"app.filter.{key}"), size="1", color_scheme="gray"),
        rx.el.input(
            type="date",
            value=rx.cond(value == "all", "", value),
            on_change=lambda v: FilterBar.set_filter(key, v),
            name=key,
            id=f"filter-{key}",
            class_name="filter-date",
        ),
        class_name="filter",
    )


def filter_bar(board: str) -> rx.Component:
    """The board's filters; on a phone folded behind a "筛选" switch so the figures come first.

    The switch is a checkbox and CSS (no event, no state): it works before the
    page has connected and whatever the browser. It says when a filter is on.
    """
    parts = [_date(k) if k in ("from", "to") else _choice(k) for k in BOARD_FILTERS[board]]
    return rx.box(
        rx.el.input(type="checkbox", id="filter-toggle", class_name="filter-toggle-box"),
        rx.el.label(
            ui("app.filter.toggle"),
            rx.cond(Board.filter_query != "", rx.text.span(" · ", ui("app.filter.active"))),
            html_for="filter-toggle",
            class_name="filter-toggle",
            id="filter-toggle-label",
        ),
        rx.flex(
            *parts,
            rx.cond(
                Board.filter_query != "",
                rx.button(
                    ui("app.filter.clear"),
                    on_click=FilterBar.clear,
                    size="1",
                    variant="soft",
                    id="filter-clear",
                ),
            ),
            wrap="wrap",
            spacing="3",
            align="end",
            class_name="filter-bar",
            id="filter-bar",
        ),
        unknown_notes(board),  # outside the phone's folded bar: the reason for "—" stays in sight
        class_name="filters no-print",
    )


def drill_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(Drill.title),
            rx.box(
                scroll_table(
                    rx.table.header(rx.table.row(rx.foreach(Drill.headers, rx.table.column_header_cell))),
                    rx.table.body(
                        rx.foreach(
                            Drill.rows,
                            lambda r: rx.table.row(
                                rx.foreach(r, lambda v: rx.table.cell(v, class_name="dv"))
                            ),
                        )
                    ),
                    id="drill-table",
                ),
                class_name="table-wrap",
                max_height="60vh",
                overflow_y="auto",
            ),
            rx.cond(Drill.more != "", rx.text(Drill.more, size="1", color_scheme="gray")),
            rx.flex(
                rx.flex(
                    rx.link(ui("app.drill.csv"), href=Drill.csv_url, is_external=True, id="drill-csv"),
                    rx.link(ui("app.drill.xlsx"), href=Drill.xlsx_url, is_external=True, id="drill-xlsx"),
                    spacing="3",
                ),
                rx.dialog.close(rx.button(ui("app.drill.close"), variant="soft", id="drill-close")),
                justify="between",
                align="center",
                margin_top="0.75rem",
            ),
            max_width="min(96vw, 1100px)",
            id="drill-dialog",
        ),
        open=Drill.is_open,
        on_open_change=Drill.set_is_open,
    )
