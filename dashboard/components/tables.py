"""The non-chart parts: organisations table, term-expiry list, brand cards, property grid.

Names of organisations, communities, brands and households are data, shown
as entered (marked ``.dv``); everything else is translated.
"""

from __future__ import annotations

import reflex as rx

from dashboard.board import (
    BrandCard,
    ExpiryRow,
    GridCell,
    GridGroup,
    MeetingRow,
    OrgLifeCell,
    OrgLifeRow,
    OrgRow,
    Swatch,
    TaskRow,
)
from dashboard.components.layout import data_value, empty_note, scroll_table, ui
from dashboard.insights import PROPERTY_STATUS_COLOURS
from dashboard.insights.org_life import STATUS_COLOURS as ORG_LIFE_COLOURS
from dashboard.state.board import Board
from dashboard.state.drill import Drill


def more_note(text: rx.Var) -> rx.Component:
    """The "另有 N 条未显示" note under a capped list, when rows were left out."""
    return rx.cond(text != "", rx.text(text, size="1", color_scheme="gray", class_name="more"))


def _empty() -> rx.Component:
    return empty_note()


# --- elections


def _org_row(row: OrgRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(data_value(row.org_name)),
        rx.table.cell(row.org_type),
        rx.table.cell(
            rx.badge(row.stage, color_scheme=rx.cond(row.stage_code == "completed", "green", "gray"))
        ),
        rx.table.cell(data_value(row.supervisor)),
        rx.table.cell(row.planned_date),
        rx.table.cell(row.completed_date),
        rx.table.cell(row.term_end),
    )


def org_table() -> rx.Component:
    return rx.cond(
        Board.orgs.length() > 0,
        rx.box(
            scroll_table(
                rx.table.header(rx.table.row(rx.foreach(Board.org_headers, rx.table.column_header_cell))),
                rx.table.body(rx.foreach(Board.orgs, _org_row)),
                class_name="org-table",
            ),
            more_note(Board.orgs_more),
            class_name="table-wrap",
            id="org-table",
        ),
        _empty(),
    )


def _expiry_row(row: ExpiryRow) -> rx.Component:
    colour = rx.cond(row.level == "red", "red", "amber")
    return rx.flex(
        rx.badge(row.level_label, color_scheme=colour, variant="solid"),
        rx.flex(
            data_value(row.org_name, weight="medium"),
            rx.text(row.org_type, " · ", row.term_end, " · ", row.days_text, size="1", color_scheme="gray"),
            rx.cond(row.note != "", data_value(row.note, size="1", color_scheme="gray")),
            direction="column",
        ),
        class_name="expiry-row expiry-" + row.level,
        data_level=row.level,
        spacing="2",
        align="start",
    )


def expiry_list() -> rx.Component:
    return rx.cond(
        Board.expiries.length() > 0,
        rx.box(
            rx.grid(
                rx.foreach(Board.expiries, _expiry_row),
                columns=rx.breakpoints(initial="1", md="2", xl="4"),
                spacing="2",
            ),
            more_note(Board.expiries_more),
        ),
        rx.text(ui("app.no_expiry"), size="2", color_scheme="gray"),
    )


# --- brands


def _brand_card(card: BrandCard) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.flex(
                data_value(card.brand_name, weight="bold", size="3"),
                rx.badge(card.status, color_scheme=rx.cond(card.status_code == "model", "red", "gray")),
                justify="between",
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.flex(
                data_value(card.community, size="2"), rx.text(" · ", card.category, size="2"), wrap="wrap"
            ),
            rx.progress(
                value=card.percent, color_scheme=rx.cond(card.level == "warn", "amber", "green"), size="1"
            ),
            rx.text(card.progress_text, size="1", color_scheme="gray"),
            direction="column",
            spacing="2",
        ),
        class_name="brand-card",
        data_level=card.level,
    )


def brand_cards() -> rx.Component:
    return rx.cond(
        Board.brands.length() > 0,
        rx.box(
            rx.grid(
                rx.foreach(Board.brands, _brand_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="3",
            ),
            more_note(Board.brands_more),
            id="brand-cards",
        ),
        _empty(),
    )


# --- the property grid (战果图)


def _cell(cell: GridCell) -> rx.Component:
    # A plain link with a class and a native title (no per-cell style, no Radix tooltip):
    # hundreds of cells stay cheap to send and to draw. It opens the property's page (一户一档).
    return rx.el.a(class_name=cell.css, title=cell.title, href=cell.href)


def _status_colours() -> rx.Component:
    """One CSS rule per status, from the colours the charts use (metrics.PROPERTY_STATUS_COLOURS)."""
    rules = "".join(
        f".cell.s-{code}{{background:{colour}}}" for code, colour in PROPERTY_STATUS_COLOURS.items()
    )
    return rx.el.style(rules + ".cell.s-none{background:#eeeeee}")


def _group(group: GridGroup) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.text(group.label, weight="bold", size="2"),
            rx.text(group.summary, size="1", color_scheme="gray"),
            spacing="2",
            align="baseline",
            wrap="wrap",
        ),
        rx.flex(rx.foreach(group.cells, _cell), wrap="wrap", class_name="cells"),
        more_note(group.hidden_text),
        class_name="grid-group",
    )


def _swatch(s: Swatch) -> rx.Component:
    return rx.flex(
        rx.box(class_name="cell swatch", background_color=s.colour),
        rx.text(s.label, size="1"),
        align="center",
        spacing="1",
    )


def property_grid() -> rx.Component:
    return rx.cond(
        Board.grid.length() > 0,
        rx.card(
            _status_colours(),
            rx.flex(rx.foreach(Board.grid_legend, _swatch), wrap="wrap", spacing="3", class_name="legend"),
            rx.grid(rx.foreach(Board.grid, _group), columns=rx.breakpoints(initial="1", md="2"), spacing="3"),
            rx.text(ui("app.grid_note"), size="1", color_scheme="gray", class_name="grid-note"),
            class_name="property-grid",
            id="property-grid",
        ),
        _empty(),
    )


# --- 督办 (tasks): the overdue list, and the dispatch meetings that lead to their items


def _task_row(row: TaskRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(data_value(row.task_code)),
        rx.table.cell(data_value(row.title), class_name="wrap-cell"),
        rx.table.cell(data_value(row.owner)),
        rx.table.cell(data_value(row.unit)),
        rx.table.cell(row.domain),
        rx.table.cell(row.status),
        rx.table.cell(row.raised_date),
        rx.table.cell(row.deadline),
        rx.table.cell(rx.cond(row.days_text != "", rx.badge(row.days_text, color_scheme="red"))),
        class_name="task-row",
    )


def _task_table(rows: rx.Var, more: rx.Var, id: str, none_key: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(
            scroll_table(
                rx.table.header(rx.table.row(rx.foreach(Board.task_headers, rx.table.column_header_cell))),
                rx.table.body(rx.foreach(rows, _task_row)),
            ),
            more_note(more),
            class_name="table-wrap",
            id=id,
        ),
        rx.text(ui(none_key), size="2", color_scheme="gray", id=f"{id}-none"),
    )


def overdue_tasks() -> rx.Component:
    """Overdue items, longest overdue first."""
    return _task_table(Board.overdue_tasks, Board.overdue_tasks_more, "overdue-tasks", "app.tasks.no_overdue")


def recent_tasks() -> rx.Component:
    """The latest items raised (a dispatch meeting's link filters them to its day)."""
    return _task_table(Board.recent_tasks, Board.recent_tasks_more, "recent-tasks", "empty")


def _meeting_row(row: MeetingRow) -> rx.Component:
    return rx.flex(
        rx.text(row.date, size="2", weight="medium"),
        data_value(row.topic, size="2"),
        rx.link(row.tasks_text, href=row.link, size="2", class_name="dispatch-link"),
        spacing="3",
        align="baseline",
        wrap="wrap",
        class_name="dispatch-row",
    )


def dispatch_meetings() -> rx.Component:
    """The latest dispatch meetings, each linking to the 督办 items raised at it (/tasks filtered)."""
    return rx.cond(
        Board.dispatch_meetings.length() > 0,
        rx.box(
            rx.flex(rx.foreach(Board.dispatch_meetings, _meeting_row), direction="column", spacing="1"),
            more_note(Board.dispatch_meetings_more),
            id="dispatch-meetings",
        ),
        _empty(),
    )


# --- the 组织生活 grid (organisations × months, then quarters)


def _olc(cell: OrgLifeCell) -> rx.Component:
    # Plain divs with a class and a native title, as the property grid: bounded rows, cheap cells.
    return rx.el.div(
        class_name=cell.css, title=cell.title, data_key=cell.key, on_click=Drill.show_org_life_cell(cell.key)
    )


def _olr(row: OrgLifeRow) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            data_value(row.org_name, size="1"),
            rx.text(row.org_type, " ", row.summary, size="1", color_scheme="gray", class_name="olg-sub"),
            class_name="olg-name",
        ),
        rx.el.div(rx.foreach(row.cells, _olc), class_name="olg-cells"),
        class_name="olg-row",
    )


def _org_life_colours() -> rx.Component:
    """One CSS rule per status, from the colours the charts use (org_life.STATUS_COLOURS)."""
    return rx.el.style("".join(f".olc.s-{s}{{background:{c}}}" for s, c in ORG_LIFE_COLOURS.items()))


def org_life_grid() -> rx.Component:
    return rx.cond(
        Board.org_life_rows.length() > 0,
        rx.card(
            _org_life_colours(),
            rx.flex(
                rx.foreach(Board.org_life_legend, _swatch), wrap="wrap", spacing="3", class_name="legend"
            ),
            rx.el.div(
                rx.el.div(
                    rx.el.div(ui("app.org_life_org"), class_name="olg-name"),
                    rx.el.div(
                        rx.foreach(Board.org_life_columns, lambda c: rx.el.div(c.label, class_name=c.css)),
                        class_name="olg-cells",
                    ),
                    class_name="olg-row olg-head",
                ),
                rx.foreach(Board.org_life_rows, _olr),
                class_name="olg",
            ),
            more_note(Board.org_life_more),
            rx.text(ui("app.org_life_grid_note"), size="1", color_scheme="gray", class_name="grid-note"),
            class_name="org-life-grid",
            id="org-life-grid",
        ),
        _empty(),
    )
