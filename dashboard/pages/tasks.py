"""督办 Follow-ups (/tasks): open items by domain and unit, raised vs closed per week, ages, the overdue
list and the latest items raised (filtered to a day by a dispatch meeting's link: that day's items)."""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.layout import page as frame
from dashboard.components.layout import section
from dashboard.components.tables import overdue_tasks, recent_tasks

BOARD = "tasks"


def page() -> rx.Component:
    return frame(
        BOARD,
        filter_bar(BOARD),
        drill_dialog(),
        chart_grid(wall=2),
        section("app.section.tasks_overdue", overdue_tasks(), id="tasks-overdue"),
        section("app.section.tasks_recent", recent_tasks(), id="tasks-recent"),
    )
