"""拆迁 Demolition (/demolition): funnel, rates, burn-up, the property grid, Gantt, meetings.

Under the meetings chart, the latest dispatch meetings each link to the 督办 items raised at
them that day (/tasks filtered to that day and source).
"""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.layout import page as frame
from dashboard.components.layout import section
from dashboard.components.tables import dispatch_meetings, property_grid

BOARD = "demolition"
LATER = ["demolition_gantt", "demolition_meetings"]


def page() -> rx.Component:
    return frame(
        BOARD,
        filter_bar(BOARD),
        drill_dialog(),
        chart_grid(skip=LATER, wall=2),
        section("app.section.property_grid", property_grid()),
        chart_grid(only=LATER, wall=2),
        section("app.section.dispatch_tasks", dispatch_meetings(), id="dispatch-tasks"),
    )
