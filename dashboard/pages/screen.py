"""大屏 /screen: a 1920×1080 dark wall screen rotating the boards, opened with a kiosk token.

In Chinese, or in English when the link carries ``lang=en``.

No header, no navigation, no input: the only events are its timers' (rotate, check for new data).
"""

from __future__ import annotations

import reflex as rx

from dashboard.board import ChartCard, KpiGroup, KpiView, WarningRow
from dashboard.components.charts import figure
from dashboard.components.kpi import kpi_spark
from dashboard.components.layout import ui
from dashboard.state.report import Screen


def _kpi(k: KpiView) -> rx.Component:
    return rx.box(
        rx.text(k.label, class_name="screen-kpi-label"),
        rx.text(k.value, class_name="screen-kpi-value"),
        rx.text(k.sub, class_name="screen-kpi-sub"),
        kpi_spark(k, "screen-kpi-spark"),
        class_name="screen-kpi screen-" + k.level,
        id="screen-kpi-" + k.id,
    )


def _group(g: KpiGroup) -> rx.Component:
    return rx.box(
        rx.text(g.title, class_name="screen-group-title"),
        rx.box(rx.foreach(g.kpis, _kpi), class_name="screen-kpi-cards"),
        class_name="screen-group",
    )


def _warning(w: WarningRow) -> rx.Component:
    return rx.box(w.reason, class_name="screen-warning screen-warning-" + w.level)


def _chart(c: ChartCard) -> rx.Component:
    return rx.box(
        rx.text(c.title, class_name="screen-chart-title"),
        figure(c, drill=False),
        class_name="screen-chart",
        id="screen-chart-" + c.id,
    )


def page() -> rx.Component:
    return rx.box(
        rx.cond(
            Screen.allowed,
            rx.box(
                rx.flex(
                    rx.text(
                        ui("app.title"),
                        " · ",
                        Screen.board_title,
                        class_name="screen-title",
                        id="screen-title",
                    ),
                    rx.text(Screen.stamp, class_name="screen-stamp"),
                    justify="between",
                    align="baseline",
                ),
                rx.box(rx.foreach(Screen.kpi_groups, _group), class_name="screen-kpis"),
                rx.cond(
                    Screen.warnings_head != "",
                    rx.text(Screen.warnings_head, class_name="screen-group-title", id="screen-warnings-head"),
                ),
                rx.foreach(Screen.warnings, _warning),
                rx.cond(
                    Screen.warnings_more != "",
                    rx.text(
                        Screen.warnings_more, class_name="screen-warnings-more", id="screen-warnings-more"
                    ),
                ),
                rx.grid(rx.foreach(Screen.charts, _chart), columns="3", spacing="4"),
            ),
            rx.cond(
                Screen.checked,
                rx.text(ui("app.kiosk.refused"), class_name="screen-refused", id="screen-refused"),
            ),
        ),
        rx.el.button(
            on_click=Screen.next_board, id="screen-next", style={"display": "none"}, aria_hidden="true"
        ),
        rx.el.button(on_click=Screen.check, id="screen-check", style={"display": "none"}, aria_hidden="true"),
        class_name="screen",
        id="screen",
        data_allowed=Screen.allowed.to_string(),
        data_lang=Screen.lang,
    )
