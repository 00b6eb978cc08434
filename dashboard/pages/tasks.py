"""督办 Follow-ups (/tasks): open items by domain and unit, raised vs closed per week, ages, overdue list."""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.layout import page as frame
from dashboard.components.layout import section
from dashboard.components.tables import overdue_tasks

BOARD = "tasks"


def page() -> rx.Component:
    return frame(
        BOARD,
        filter_bar(BOARD),
        drill_dialog(),
        chart_grid(wall=2),
        section("app.section.tasks_overdue", overdue_tasks(), id="tasks-overdue"),
    )
