"""总览 Overview (/): the KPI cards of every campaign first (what a leader opens the page for),
then the warnings panel (compact: counts, the most severe few, the rest behind an expander)."""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.kpi import kpi_groups
from dashboard.components.layout import page as frame
from dashboard.components.warnings import warnings_panel

BOARD = "overview"


def page() -> rx.Component:
    return frame(
        BOARD, filter_bar(BOARD), drill_dialog(), kpi_groups(), warnings_panel(), chart_grid()
    )
