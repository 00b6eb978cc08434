"""KPI cards: the figure, its formula (with the actual counts) in a tooltip, the change since
the previous version (its arrow the direction, its colour good or bad news: fewer overdue items
is green), its trend line across recent versions, and a warning colour when the KPI
is behind (e.g. 进度差 < 0)."""

from __future__ import annotations

import reflex as rx

from dashboard.board import KpiGroup, KpiView
from dashboard.components.layout import skeleton_cards, ui
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


def kpi_spark(kpi: KpiView, class_name: str = "kpi-spark") -> rx.Component:
    """The KPI's value across recent versions as a small line (none with fewer than two points).

    An inline SVG polyline rather than a plotly figure: a few hundred bytes per card, drawn with
    the card's first paint (the overview loads no plotly bundle), crisp at any size. The board
    computes the points in a 100 x 24 box; the SVG stretches to the card's width, and the
    stroke keeps its width however it is stretched.
    """
    return rx.cond(
        kpi.spark != "",
        rx.el.svg(
            rx.el.svg.title(kpi.spark_label),
            rx.el.svg.polyline(points=kpi.spark, class_name="kpi-spark-line"),
            view_box="0 0 100 24",
            preserve_aspect_ratio="none",
            role="img",
            aria_label=kpi.spark_label,
            class_name=class_name,
        ),
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
                class_name="kpi-delta kpi-change-" + kpi.tone,
            ),
            kpi_spark(kpi),
            direction="column",
            spacing="1",
        ),
        class_name="kpi-card kpi-" + kpi.level,
        id="kpi-" + kpi.id,
        data_level=kpi.level,
        title=kpi.formula,
    )


def unfiltered_tag(group: KpiGroup) -> rx.Component:
    """"不受筛选影响" beside a group of cards the page's filters do not narrow (/?community=… and 拆迁)."""
    return rx.cond(
        (group.kpis.length() > 0) & Board.unfiltered.contains(group.kpis[0].id),
        rx.badge(
            ui("app.filter.not_applied"),
            title=ui("app.filter.not_applied_hint"),
            color_scheme="gray",
            variant="surface",
            class_name="unfiltered-tag",
        ),
    )


def kpi_group(group: KpiGroup) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.heading(group.title, size="3", as_="h2", class_name="kpi-group-title"),
            unfiltered_tag(group),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.box(rx.foreach(group.kpis, kpi_card), class_name="kpi-cards"),
        class_name="kpi-group",
    )


def kpi_groups() -> rx.Component:
    return rx.box(
        skeleton_cards(4, "skeleton-card skeleton-kpi"),  # until the board's data arrives
        rx.foreach(Board.kpi_groups, kpi_group),
        class_name="kpi-groups",
        id="kpis",
    )
