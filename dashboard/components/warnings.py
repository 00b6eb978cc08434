"""The overview's warnings panel and the term-calendar download link.

Rows come translated in the shared board view (``Board.warnings``), most
severe then newest first; each links to the board it is about.
"""

from __future__ import annotations

import reflex as rx

from dashboard.board import WarningRow
from dashboard.components.layout import data_value, ui
from dashboard.components.tables import more_note
from dashboard.state.board import Board
from dashboard.state.prefs import Prefs


def _row(row: WarningRow) -> rx.Component:
    colour = rx.cond(row.level == "red", "red", "amber")
    return rx.link(
        rx.flex(
            rx.badge(row.level_label, color_scheme=colour, variant="solid"),
            rx.flex(
                rx.text(row.before, data_value(row.name), row.after, size="2", class_name="warning-reason"),
                rx.text(row.board_label, " · ", row.since, size="1", color_scheme="gray"),
                direction="column",
            ),
            spacing="2",
            align="start",
        ),
        href=row.link,
        underline="none",
        color="inherit",
        class_name="warning-row expiry-row expiry-" + row.level,
        data_level=row.level,
        data_rule=row.rule,
    )


def warnings_panel() -> rx.Component:
    return rx.el.section(
        rx.heading(ui("app.section.warnings"), size="4", class_name="section-title"),
        rx.cond(
            Board.warnings.length() > 0,
            rx.flex(
                rx.foreach(Board.warnings, _row),
                more_note(Board.warnings_more),
                direction="column",
                spacing="2",
            ),
            rx.text(ui("app.no_warnings"), size="2", color_scheme="gray", class_name="empty"),
        ),
        class_name="section",
        id="warnings",
    )


def term_calendar_link() -> rx.Component:
    """The term calendar as CSV, and beside it as an Excel workbook (dates as date cells)."""
    return rx.flex(
        rx.link(
            rx.icon("download", size=14),
            ui("app.term_calendar_download"),
            href=rx.cond(
                Prefs.is_en, "/api/reminders/term-calendar.csv?lang=en", "/api/reminders/term-calendar.csv"
            ),
            is_external=True,
            id="term-calendar-csv",
            size="2",
        ),
        rx.link(
            ui("app.term_calendar_download_xlsx"),
            href=rx.cond(
                Prefs.is_en, "/api/reminders/term-calendar.xlsx?lang=en", "/api/reminders/term-calendar.xlsx"
            ),
            is_external=True,
            id="term-calendar-xlsx",
            size="2",
        ),
        spacing="3",
        align="center",
    )
