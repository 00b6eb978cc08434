"""周报 /report: a printable weekly report (A4 print CSS in assets/styles.css)."""

from __future__ import annotations

import reflex as rx

from dashboard.board import ChartView, WarningRow
from dashboard.components.layout import data_value, header, ui
from dashboard.components.text import label
from dashboard.state.prefs import Prefs
from dashboard.state.report import ReportFigure, WeeklyReport

# The chart's camera button downloads it as a PNG (plotly's own toImage).
PNG_CONFIG = {
    "displayModeBar": True,
    "displaylogo": False,
    "responsive": True,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2, "width": 1000, "height": 500},
}


def _figure(f: ReportFigure) -> rx.Component:
    return rx.table.row(
        rx.table.cell(f.label), rx.table.cell(f.value, class_name="report-value"), rx.table.cell(f.change)
    )


def _warning(w: WarningRow) -> rx.Component:
    """Level, reason (the name it quotes is data) and since when, punctuated for the language."""
    return rx.el.li(
        rx.text.strong(w.level_label),
        label("app.label", label=""),
        w.before,
        data_value(w.name),
        w.after,
        label("app.in_parens", text=w.since),
        class_name="report-warning",
    )


def _chart(c: ChartView) -> rx.Component:
    from plotly.graph_objects import Figure
    from plotly.graph_objs.layout import Template

    return rx.box(
        rx.heading(c.title, size="3", as_="h3"),
        rx.plotly.basic(
            data=c.figure.to(Figure),
            config=PNG_CONFIG,
            template=rx.Var.create({}).to(Template),
            use_resize_handler=True,
            style={"width": "100%"},
        ),
        class_name="report-chart",
        id="report-chart-" + c.id,
    )


def _download(fmt: str, icon: str) -> rx.Component:
    """The report as a Word / PDF file, in the viewer's language (our route checks the session)."""
    return rx.link(
        rx.button(rx.icon(icon, size=16), ui(f"app.report.download_{fmt}"), variant="soft"),
        href=rx.cond(Prefs.is_en, f"/api/report/weekly.{fmt}?lang=en", f"/api/report/weekly.{fmt}?lang=zh"),
        id=f"report-download-{fmt}",
        reload_document=True,  # a real request (our route), not client-side routing
    )


def page() -> rx.Component:
    r = WeeklyReport
    return rx.box(
        rx.box(header("report"), class_name="no-print"),
        rx.el.main(
            rx.flex(
                rx.heading(r.title, size="7", as_="h1"),
                rx.flex(
                    _download("docx", "file-text"),
                    _download("pdf", "file-down"),
                    rx.button(
                        rx.icon("printer", size=16),
                        ui("app.report.print"),
                        on_click=rx.call_script("window.print()"),
                        variant="soft",
                        class_name="no-print",
                        id="report-print",
                    ),
                    spacing="2",
                    wrap="wrap",
                    class_name="no-print report-actions",
                ),
                # Title and buttons wrap: on a phone the buttons go under the title, never off-screen.
                justify="between",
                align="center",
                wrap="wrap",
                class_name="report-head",
            ),
            rx.text(r.period, size="2", color_scheme="gray", id="report-period"),
            rx.text(r.as_of, size="1", color_scheme="gray", id="report-as-of"),
            rx.heading(ui("app.report.figures"), size="4", as_="h2"),
            rx.table.root(rx.table.body(rx.foreach(r.figures, _figure)), size="1", id="report-figures"),
            rx.heading(ui("app.report.summary"), size="4", as_="h2"),
            rx.foreach(r.summary, lambda s: rx.text(s, as_="p", class_name="report-p")),
            rx.heading(ui("app.report.changes"), size="4", as_="h2"),
            rx.el.ul(rx.foreach(r.uploads, rx.el.li)),
            rx.heading(ui("app.report.warnings"), size="4", as_="h2"),
            rx.cond(
                r.warnings.length() > 0,
                rx.el.ul(rx.foreach(r.warnings, _warning), id="report-warnings"),
                rx.text(ui("app.no_warnings")),
            ),
            rx.heading(ui("app.report.charts"), size="4", as_="h2", class_name="report-charts-title"),
            rx.text(ui("app.report.png_hint"), size="1", color_scheme="gray", class_name="no-print"),
            rx.foreach(r.charts, _chart),
            class_name="content report",
            id="report",
            data_ready=r.ready.to_string(),
        ),
        class_name="app",
    )
