"""Chart cards: a translated title over a plotly figure from the shared board view.

Uses plotly.js's "basic" partial bundle (bar, scatter, pie: about 1 MB
instead of 4.8 MB); ``dashboard.charts`` only ever emits those trace types.
The figure carries its own layout (fonts, margins, height); the component
only makes it follow its container's width.
"""

from __future__ import annotations

import reflex as rx
from plotly.graph_objects import Figure
from plotly.graph_objs.layout import Template

from dashboard.board import ChartView
from dashboard.components.layout import skeleton_cards
from dashboard.state.board import Board
from dashboard.state.drill import Drill

PLOTLY_CONFIG = {
    "displayModeBar": False,
    "responsive": True,
    "displaylogo": False,
    "scrollZoom": False,
}


class AfterPaint(rx.Component):
    """Renders its children only after the browser has painted the page once.

    Why: when plotly.js is already loaded, react-plotly draws every chart in the same task
    that mounts it, so the static first paint under it (``charts.static``) would never reach
    the screen; one frame later, it is on screen while plotly draws.

    plotly.js itself is imported only then (``rx.plotly.basic`` imports it when it mounts), not
    as the page's code loads: its evaluation is one 0.3-0.4 s task on the main thread, and
    started early it fell between the websocket's opening and the board's first event, holding
    back the board's data (and so every chart) by as long (Chromium profile, bench/results.md).
    """

    tag = "AfterPaint"

    def add_imports(self) -> dict[str, list[str]]:
        return {"react": ["useState", "useEffect"]}

    def add_custom_code(self) -> list[str]:
        return [
            """function AfterPaint({ children }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let timer;
    const frame = requestAnimationFrame(() => { timer = setTimeout(() => setReady(true), 0); });
    return () => { cancelAnimationFrame(frame); clearTimeout(timer); };
  }, []);
  return ready ? children : null;
}"""
        ]


def figure(chart: ChartView) -> rx.Component:
    return static_first(chart, _plotly(chart))


def static_first(chart: ChartView, plot: rx.Component) -> rx.Component:
    """The chart's static first paint and, in its place once drawn, the plotly chart (same height).

    Every chart of the app goes through here (boards and the wall screen): the static markup
    (``ChartView.static``) is on screen as soon as the view arrives; plotly mounts a frame
    later and CSS hides the static layer when plotly's ``.main-svg`` is in the frame.
    """
    return rx.box(
        rx.html(chart.static, class_name="chart-static"),
        AfterPaint.create(plot),
        class_name="chart-frame",
    )


def _plotly(chart: ChartView) -> rx.Component:
    return rx.plotly.basic(
        data=chart.figure.to(Figure),  # a figure dict: plotly.js reads it as is
        config=PLOTLY_CONFIG,
        # An empty template instead of plotly's default theme (which would override the
        # figure's own look and add ~10 KB of JSON to the page).
        template=rx.Var.create({}).to(Template),
        use_resize_handler=True,
        style={"width": "100%"},
        class_name="chart-plot",
        on_click=lambda points: Drill.show(chart.id, points),  # the rows behind a bar or slice
    )


def chart_card(chart: ChartView) -> rx.Component:
    return rx.card(
        rx.heading(chart.title, size="3", as_="h3", class_name="chart-title"),
        figure(chart),
        class_name="chart-card",
        id="chart-" + chart.id,
        data_chart=chart.id,
    )


def chart_grid(only: list[str] | None = None, skip: list[str] | None = None, wall: int = 3) -> rx.Component:
    """Every chart of the open board (or those listed): one column on phones, two from
    tablets, ``wall`` on a wall screen."""
    items = rx.foreach(
        Board.charts,
        lambda c: rx.cond(
            _wanted(c, only, skip),
            chart_card(c),
        ),
    )
    return rx.fragment(
        skeleton_cards(2),  # until the board's data arrives: placeholders, not an empty page
        rx.grid(
            items,
            columns=rx.breakpoints(initial="1", md="2", xl=str(wall)),
            spacing="3",
            class_name="chart-grid",
        ),
    )


def _wanted(chart: ChartView, only: list[str] | None, skip: list[str] | None) -> rx.Var:
    cond = rx.Var.create(True)
    if only is not None:
        cond = rx.Var.create(only).contains(chart.id)
    if skip:
        cond = cond & ~rx.Var.create(skip).contains(chart.id)
    return cond
