"""组织生活 (/org-life): 三会一课 and 主题党日 held against the rhythm each organisation owes."""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.layout import page as frame
from dashboard.components.layout import section
from dashboard.components.tables import org_life_grid

BOARD = "org_life"
FIRST = ["org_life_by_org_type", "org_life_by_period"]


def page() -> rx.Component:
    return frame(
        BOARD,
        filter_bar(BOARD),
        drill_dialog(),
        chart_grid(only=FIRST, wall=2),
        section("app.section.org_life_grid", org_life_grid()),
        chart_grid(skip=FIRST, wall=2),
    )
