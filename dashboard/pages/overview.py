"""总览 Overview (/): the KPI cards of all three campaigns."""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.kpi import kpi_groups
from dashboard.components.layout import page as frame
from dashboard.components.warnings import warnings_panel

BOARD = "overview"


def page() -> rx.Component:
    return frame(
        BOARD, filter_bar(BOARD), drill_dialog(), warnings_panel(), kpi_groups(), chart_grid()
    )
