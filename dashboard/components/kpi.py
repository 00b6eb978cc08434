"""KPI cards: the figure, its formula (with the actual counts) in a tooltip, the change since
the previous version, and a warning colour when the KPI is behind (e.g. 进度差 < 0)."""

from __future__ import annotations

import reflex as rx

from dashboard.board import KpiGroup, KpiView
from dashboard.state.board import Board

LEVEL_COLOUR = {"ok": "gray", "warn": "amber", "bad": "red"}


def _trend_icon(kpi: KpiView) -> rx.Component:
    return rx.match(
        kpi.trend,
        ("up", rx.icon("arrow-up-right", size=14)),
        ("down", rx.icon("arrow-down-right", size=14)),
        ("flat", rx.icon("arrow-right", size=14)),
        rx.fragment(),
    )


def kpi_card(kpi: KpiView) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.flex(
                rx.text(kpi.label, size="2", weight="medium", class_name="kpi-label"),
                rx.tooltip(
                    rx.icon("info", size=14, class_name="kpi-info", tab_index=0, aria_label=kpi.formula),
                    content=kpi.formula,
                ),
                align="center",
                spacing="1",
            ),
            rx.text(kpi.value, size="7", weight="bold", class_name="kpi-value"),
            rx.cond(kpi.sub != "", rx.text(kpi.sub, size="1", class_name="kpi-sub")),
            rx.flex(
                _trend_icon(kpi),
                rx.text(kpi.delta, size="1"),
                align="center",
                spacing="1",
                class_name="kpi-delta kpi-trend-" + kpi.trend,
            ),
            direction="column",
            spacing="1",
        ),
        class_name="kpi-card kpi-" + kpi.level,
        id="kpi-" + kpi.id,
        data_level=kpi.level,
        title=kpi.formula,
    )


def kpi_group(group: KpiGroup) -> rx.Component:
    return rx.box(
        rx.heading(group.title, size="3", as_="h2", class_name="kpi-group-title"),
        rx.box(rx.foreach(group.kpis, kpi_card), class_name="kpi-cards"),
        class_name="kpi-group",
    )


def kpi_groups() -> rx.Component:
    return rx.box(rx.foreach(Board.kpi_groups, kpi_group), class_name="kpi-groups", id="kpis")
