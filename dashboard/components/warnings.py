"""The overview's warnings panel and the term-calendar download link.

Rows come translated in the shared board view (``Board.warnings``), most
severe then newest first; each links to the board it is about. The panel sits
under the KPI cards and stays compact: counts per level, the first few rows,
the rest behind "全部 N 条".
"""

from __future__ import annotations

import reflex as rx

from dashboard.board import WarningRow
from dashboard.components.layout import data_value, empty_note, ui
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


# Rows shown before the expander: the most severe few, so the panel stays a few lines under the
# KPI cards on a phone or a laptop; the rest is one click away ("全部 N 条").
FIRST_ROWS = 5


def _level_count(level: str, label_key: str, count: rx.Var) -> rx.Component:
    return rx.cond(
        count > 0,
        rx.badge(
            ui(label_key),
            " ",
            count,
            color_scheme="red" if level == "red" else "amber",
            variant="soft",
            size="2",
            class_name="warning-count",
            data_level=level,
        ),
    )


def _heading() -> rx.Component:
    return rx.flex(
        rx.heading(ui("app.section.warnings"), size="4", class_name="section-title"),
        _level_count("red", "app.warnings.red", Board.warnings_red),
        _level_count("yellow", "app.warnings.yellow", Board.warnings_yellow),
        align="center",
        spacing="2",
        wrap="wrap",
        class_name="warnings-head",
    )


def _rest() -> rx.Component:
    """Every row after the first few, behind a native <details> (no round trip, keyboard and
    screen-reader friendly; the links inside work as the first ones do)."""
    return rx.el.details(
        rx.el.summary(Board.warnings_all, class_name="warnings-all", id="warnings-all"),
        rx.flex(
            rx.foreach(Board.warnings[FIRST_ROWS:], _row),
            more_note(Board.warnings_more),
            direction="column",
            spacing="2",
        ),
        class_name="warnings-rest",
        id="warnings-rest",
    )


def warnings_panel() -> rx.Component:
    """Counts by level, the most severe rows, and an expander for the rest (under the KPI cards)."""
    return rx.el.section(
        _heading(),
        rx.cond(
            Board.warnings.length() > 0,
            rx.flex(
                rx.foreach(Board.warnings[:FIRST_ROWS], _row),
                rx.cond(Board.warnings.length() > FIRST_ROWS, _rest(), more_note(Board.warnings_more)),
                direction="column",
                spacing="2",
            ),
            empty_note("app.no_warnings"),
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
