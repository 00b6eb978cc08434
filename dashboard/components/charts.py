"""Chart cards: a translated title over the chart the server drew (``charts.static``).

A board's charts are HTML + SVG drawn on the server from the plotly figure, with each bar,
slice and point carrying its hover label and, where a click lists rows, what it names. No
plotly.js runs on a board: evaluating it and drawing seven charts with it took 0.5-0.6 s of the
main thread on a cold load (Chromium profile, bench/results.md), longer than the whole page
took without it. :class:`ChartFrame` shows the labels and sends the clicks to ``Drill``.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import passthrough_event_spec

from dashboard.board import ChartCard
from dashboard.components.layout import skeleton_cards
from dashboard.state.board import Board
from dashboard.state.drill import Drill


class ChartFrame(rx.Component):
    """A chart drawn on the server, made to answer the pointer: the hover label of the mark under
    it (a tap shows it too) and, on a click, the mark's plotly curve and point numbers as plotly's
    click event carries them (``on_pick``), which ``Drill.show`` reads.

    One listener per chart on the frame (events bubble from the marks), so a chart of hundreds
    of points costs no more to mount than one of ten. ``data-live`` is set once it is mounted:
    from then on it answers (the page benchmark waits for it).
    """

    tag = "ChartFrame"

    html: rx.Var[str]
    on_pick: rx.EventHandler[passthrough_event_spec(list[dict[str, Any]])]

    def add_imports(self) -> dict[str, list[str]]:
        return {"react": ["useState", "useEffect", "useLayoutEffect", "useRef", "createElement"]}

    def add_custom_code(self) -> list[str]:
        return [
            """function ChartFrame({ html, onPick, ...rest }) {
  const ref = useRef(null);
  const parsed = useRef({ html: null, blocks: [] });
  const [tip, setTip] = useState(null);
  const [live, setLive] = useState(false);
  useEffect(() => { setLive(true); }, []);
  // Category labels too wide for the chart as wide as it is here (a phone, English; a wall's
  // larger type) are tilted, as plotly tilts them, and the plot gives up the height they need
  // below it, as plotly's automargin does: the chart keeps the figure's height.
  useLayoutEffect(() => {
    const frame = ref.current;
    const chart = frame ? frame.querySelector(".cs") : null;
    const plot = chart ? chart.querySelector(".cs-plot") : null;
    if (!plot) return undefined;
    const height = parseFloat(plot.style.height);
    const fit = () => {
      chart.classList.remove("cs-tilt");
      plot.style.height = height + "px";
      const ticks = [...chart.querySelectorAll(".cs-xt")].map((t) => t.getBoundingClientRect());
      if (ticks.length < 2) return;
      ticks.sort((a, b) => a.left - b.left);
      const edge = chart.getBoundingClientRect();
      let crowded = ticks[0].left < edge.left - 1 || ticks[ticks.length - 1].right > edge.right + 1;
      for (let i = 1; i < ticks.length && !crowded; i++) crowded = ticks[i].left < ticks[i - 1].right + 2;
      if (!crowded) return;
      const widest = Math.max(...ticks.map((t) => t.width));
      const line = ticks[0].height;
      const below = Math.max(0, Math.ceil((widest + line) * 0.71 - line));
      plot.style.height = Math.max(height / 3, height - below) + "px";
      chart.classList.add("cs-tilt");
    };
    fit();
    const watch = new ResizeObserver(fit);
    watch.observe(frame);
    return () => watch.disconnect();
  }, [html]);
  const blocks = () => {
    if (parsed.current.html !== html && ref.current) {
      const found = [...ref.current.querySelectorAll("script.cs-pts")].map((s) => {
        try { return JSON.parse(s.textContent); } catch (err) { return null; }
      });
      parsed.current = { html, blocks: found.filter(Boolean) };
    }
    return parsed.current.blocks;
  };
  // What the pointer is on: a bar or slice (its own label), else the line point nearest it.
  const under = (e) => {
    const frame = ref.current;
    if (!frame) return null;
    const box = frame.getBoundingClientRect();
    const mark = e.target && e.target.closest ? e.target.closest("[data-tip]") : null;
    if (mark && frame.contains(mark)) {
      const c = mark.getAttribute("data-c");
      return { text: mark.getAttribute("data-tip"), x: e.clientX - box.left, y: e.clientY - box.top,
        box, dot: false, pick: c === null ? null : [Number(c), Number(mark.getAttribute("data-p"))] };
    }
    const plot = frame.querySelector(".cs-plot");
    const area = plot ? plot.getBoundingClientRect() : null;
    if (!area || !area.width || !area.height) return null;
    const px = e.clientX - area.left, py = e.clientY - area.top;
    let best = null;
    for (const b of blocks()) {
      for (let k = 0; k < b.t.length; k++) {
        const x = b.xy[2 * k] * area.width / 1000, y = b.xy[2 * k + 1] * area.height / 1000;
        const d = (x - px) * (x - px) + (y - py) * (y - py);
        if (d <= 1600 && (!best || d < best.d)) best = { d, b, k, x, y };
      }
    }
    if (!best) return null;
    const { b, k } = best;
    return { text: (b.h ? b.h + "\\n" : "") + b.t[k], box, dot: true,
      x: best.x + area.left - box.left, y: best.y + area.top - box.top,
      pick: b.c === undefined ? null : [b.c, b.p ? b.p[k] : k] };
  };
  const show = (e) => {
    const got = under(e);
    if (!got) { setTip(null); return got; }
    setTip((t) => (t && t.text === got.text && t.x === got.x && t.y === got.y) ? t :
      { text: got.text, x: got.x, y: got.y, w: got.box.width, h: got.box.height, dot: got.dot });
    return got;
  };
  const pick = (e) => {
    const got = show(e);
    if (got && got.pick && onPick) onPick([{ curveNumber: got.pick[0], pointNumber: got.pick[1] }]);
  };
  const parts = [createElement("div", { key: "s", className: "chart-static",
    dangerouslySetInnerHTML: { __html: html } })];
  if (tip) {
    const side = tip.x > tip.w / 2 ? " cs-tip-left" : "";
    const below = tip.y < tip.h / 3 ? " cs-tip-below" : "";
    const at = { left: tip.x + "px", top: tip.y + "px" };
    if (tip.dot) parts.push(createElement("i", { key: "d", className: "cs-dot", style: at }));
    parts.push(createElement("div", { key: "t", className: "cs-tip" + side + below, role: "tooltip",
      style: at }, tip.text));
  }
  return createElement("div", { ...rest, ref, "data-live": live ? "1" : undefined,
    onPointerMove: show, onPointerLeave: () => setTip(null), onClick: pick }, ...parts);
}"""
        ]


def figure(chart: ChartCard, drill: bool = True) -> rx.Component:
    """The chart, its labels on hover or tap and, when ``drill``, a click listing the rows behind it."""
    if drill:
        return ChartFrame.create(
            html=chart.static,
            on_pick=lambda points: Drill.show(chart.id, points),  # the rows behind a bar or slice
            class_name="chart-frame",
        )
    return ChartFrame.create(html=chart.static, class_name="chart-frame")


def chart_card(chart: ChartCard) -> rx.Component:
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
        Board.cards,
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


def _wanted(chart: ChartCard, only: list[str] | None, skip: list[str] | None) -> rx.Var:
    cond = rx.Var.create(True)
    if only is not None:
        cond = rx.Var.create(only).contains(chart.id)
    if skip:
        cond = cond & ~rx.Var.create(skip).contains(chart.id)
    return cond
