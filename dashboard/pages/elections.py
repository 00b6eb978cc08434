"""换届 Elections (/elections): completion charts, the organisations table, term expiry."""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.layout import page as frame
from dashboard.components.layout import section
from dashboard.components.tables import expiry_list, org_table
from dashboard.components.warnings import term_calendar_link

BOARD = "elections"


def page() -> rx.Component:
    return frame(
        BOARD,
        filter_bar(BOARD),
        drill_dialog(),
        chart_grid(),
        section("app.section.term_expiry", term_calendar_link(), expiry_list(), id="term-expiry"),
        section("app.section.organisations", org_table()),
    )
