"""品牌 Brands (/brands): a card per brand, then activity charts."""

import reflex as rx

from dashboard.components.charts import chart_grid
from dashboard.components.filters import drill_dialog, filter_bar
from dashboard.components.layout import page as frame
from dashboard.components.layout import section
from dashboard.components.tables import brand_cards

BOARD = "brands"


def page() -> rx.Component:
    return frame(
        BOARD,
        filter_bar(BOARD),
        drill_dialog(),
        section("app.section.brand_cards", brand_cards()),
        chart_grid(),
    )
