"""A chart's first paint: static HTML + SVG markup drawn on the server from the figure dict.

Why: a board's charts appear only once plotly.js (1.1 MB) has been evaluated and has drawn
each figure, the larger part of a cold load. This module draws the same figure as plain
markup, shown as soon as the board's data arrives and hidden (CSS) once plotly has drawn
the interactive chart over it. It is an approximation of plotly's drawing, not a copy:
the same height, margins, colours, bars, lines, markers, slices, shapes, annotations,
ticks and legend, so nothing moves when plotly takes over.

Only what ``dashboard.charts`` emits is drawn: bar (vertical, horizontal, stacked, grouped,
overlaid, with ``base``), scatter (lines incl. ``hv`` steps and dashes, markers) and pie
(doughnut) traces; linear, category and date axes. The width of the card is unknown on
the server, so the plot area is an SVG stretched to it (``preserveAspectRatio="none"``,
strokes and markers kept at their pixel size with ``non-scaling-stroke``) and every text
is an HTML label placed in percent of the plot area. Every label is HTML-escaped.
Output size follows the figure's (bounded) points: a few dozen bytes per point or bar.
"""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from dashboard.charts import hover

DEFAULT_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
)  # plotly.js's default colorway (a figure without a colour of its own)
DASHES = {"dash": "6,4", "dot": "2,3", "dashdot": "6,3,2,3", "longdash": "10,4"}
SIZE = 1000  # the plot area's SVG user units on each side
_CURVE = "__curve"  # a trace's index in the figure's data: plotly's curveNumber
_DRILL = "__drill"  # its points list the rows behind them when clicked
DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def markup(figure: dict[str, Any], drill: bool = False) -> str:
    """The figure drawn as HTML + SVG, as tall as plotly would draw it.

    Every bar, slice and point carries its hover label (``data-tip``, from its trace's
    ``hovertemplate``: ``charts.hover``) and, where a click lists the rows behind it
    (``drill``), plotly's curve and point numbers (``data-c``, ``data-p``) for ``Drill.show``.
    """
    layout = figure.get("layout") or {}
    traces = [
        {**t, _CURVE: i, _DRILL: drill}
        for i, t in enumerate(figure.get("data") or [])
        if t.get("visible", True) is not False
    ]
    font = layout.get("font") or {}
    height = int(layout.get("height") or 320)
    margin = {"l": 80, "r": 80, "t": 100, "b": 80, **(layout.get("margin") or {})}
    top, bottom = int(margin["t"]), int(margin["b"])
    plot_h = max(1, height - top - bottom)
    style = (
        f"height:{height}px;font-family:{_attr(font.get('family', 'sans-serif'))};"
        f"font-size:{font.get('size', 12)}px;color:{_attr(font.get('color', '#444'))}"
    )
    inner: list[str] = []
    if any(t.get("type") == "pie" for t in traces):
        inner.append(_pie(traces, layout))
    else:
        inner.append(_cartesian(traces, layout))
    out = [
        f'<div class="cs" style="{style}">',
        f'<div class="cs-plot" style="left:{margin["l"]}px;right:{margin["r"]}px;top:{top}px;'
        f'height:{plot_h}px">',
        *inner,
        "</div>",
        _axis_titles(layout, int(margin["l"]), int(margin["r"]), top, plot_h),
        _legend(traces, layout, int(margin["l"]), top, plot_h),
        "</div>",
    ]
    return "".join(out)


# ---- axes ---------------------------------------------------------------------------


class Axis:
    """One axis: its kind (linear, category, date), range, ticks and a map to 0..1."""

    def __init__(self, spec: dict[str, Any], kind: str, lo: float, hi: float, categories: list[str]):
        self.spec = spec
        self.kind = kind
        self.categories = categories
        rng = spec.get("range")
        if rng and len(rng) == 2 and None not in rng:
            lo, hi = (_to_num(rng[0], kind, categories), _to_num(rng[1], kind, categories))
        if hi == lo:
            lo, hi = lo - 1, hi + 1
        self.lo, self.hi = lo, hi
        self.reversed = spec.get("autorange") == "reversed"
        self.visible = spec.get("visible", True) is not False

    def frac(self, v: float) -> float:
        f = (v - self.lo) / (self.hi - self.lo)
        return 1 - f if self.reversed else f

    def ticks(self, lang_zh: bool) -> list[tuple[float, str]]:
        """(value, label) of each tick, as plotly would roughly place them."""
        if self.kind == "category":
            return [(float(i), c) for i, c in enumerate(self.categories) if self.lo <= i <= self.hi]
        if self.kind == "date":
            return _date_ticks(self.lo, self.hi, int(self.spec.get("nticks") or 6), lang_zh)
        step = self.spec.get("dtick")
        if not isinstance(step, int | float) or step <= 0:
            step = _nice_step((self.hi - self.lo) / 5)
        first = math.ceil(self.lo / step - 1e-9) * step
        out, v = [], first
        while v <= self.hi + 1e-9 * abs(step) and len(out) < 50:
            out.append((v, _number(v, self.spec.get("tickformat"))))
            v += step
        return out


def _to_num(v: Any, kind: str, categories: list[str]) -> float:
    if kind == "date":
        return _date_ms(v)
    if kind == "category" and isinstance(v, str):
        return float(categories.index(v)) if v in categories else 0.0
    return float(v)


def _date_ms(v: Any) -> float:
    """An ISO date or datetime string (or epoch ms) as epoch milliseconds (0 if it is none)."""
    if isinstance(v, int | float):
        return float(v)
    d = hover.as_datetime(v)
    return 0.0 if d is None else (d.replace(tzinfo=UTC) - _EPOCH).total_seconds() * 1000


def _kind(spec: dict[str, Any], values: list[Any]) -> str:
    if spec.get("type") in ("date", "category", "linear"):
        return str(spec["type"])
    sample = [v for v in values if v is not None][:20]
    if sample and all(isinstance(v, str) for v in sample):
        return "date" if all(_looks_like_date(v) for v in sample) else "category"
    return "linear"


def _looks_like_date(s: str) -> bool:
    return len(s) >= 10 and s[4] == "-" and s[7] == "-" and s[:4].isdigit()


def _nice_step(raw: float) -> float:
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _number(v: float, tickformat: str | None) -> str:
    if tickformat and "%" in tickformat:
        return f"{v * 100:.0f}%"
    if abs(v) >= 10_000 and v % 1000 == 0:
        return f"{v / 1000:,.0f}k"
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


_DATE_STEPS: tuple[tuple[str, int], ...] = (
    ("day", 1),
    ("day", 2),
    ("day", 7),
    ("day", 14),
    ("month", 1),
    ("month", 2),
    ("month", 3),
    ("month", 6),
    ("year", 1),
    ("year", 2),
    ("year", 5),
    ("year", 10),
)


def _date_ticks(lo: float, hi: float, nticks: int, zh: bool) -> list[tuple[float, str]]:
    """Ticks at whole days, months or years, at most ``nticks`` of them."""
    start = _EPOCH + timedelta(milliseconds=lo)
    end = _EPOCH + timedelta(milliseconds=hi)
    for unit, n in _DATE_STEPS:
        ticks = list(_date_range(start, end, unit, n))
        if len(ticks) <= max(2, nticks):
            break
    out = []
    for d in ticks:
        ms = (d - _EPOCH).total_seconds() * 1000
        if unit == "day":
            label = f"{d.month}月{d.day}日" if zh else f"{d:%b} {d.day}"
        elif unit == "month":
            label = f"{d.month}月" if zh else f"{d:%b %Y}"
        else:
            label = f"{d.year}年" if zh else f"{d.year}"
        out.append((ms, label))
    return out


def _date_range(start: datetime, end: datetime, unit: str, n: int) -> Any:
    if unit == "day":
        d = datetime(start.year, start.month, start.day, tzinfo=UTC)
        if d < start:
            d += timedelta(days=1)
        if n > 1:  # align weeks and fortnights to a fixed calendar (Sundays, as plotly)
            d += timedelta(days=(6 - d.weekday()) % 7)
        while d <= end:
            yield d
            d += timedelta(days=n)
        return
    if unit == "month":
        y, m = start.year, start.month
        if datetime(y, m, 1, tzinfo=UTC) < start:
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        while (m - 1) % n:
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        while (d := datetime(y, m, 1, tzinfo=UTC)) <= end:
            yield d
            m += n
            y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
        return
    y = start.year + (1 if datetime(start.year, 1, 1, tzinfo=UTC) < start else 0)
    y += (-y) % n
    while (d := datetime(y, 1, 1, tzinfo=UTC)) <= end:
        yield d
        y += n


# ---- cartesian traces ---------------------------------------------------------------


def _values(trace: dict[str, Any], key: str) -> list[Any]:
    v = trace.get(key)
    if v is None:
        return []
    return list(v) if isinstance(v, list | tuple) else [v]


def _cartesian(traces: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    xspec = layout.get("xaxis") or {}
    yspec = layout.get("yaxis") or {}
    ys_all = [v for t in traces for v in _values(t, "y")]
    xkind = _kind(xspec, [v for t in traces for v in (_values(t, "base") if _is_h(t) else _values(t, "x"))])
    ykind = _kind(yspec, ys_all)
    if any(_is_h(t) for t in traces) and xkind != "date":
        xkind = "linear"
    xcats = _categories(traces, "x") if xkind == "category" else []
    ycats = _categories(traces, "y") if ykind == "category" else []
    bars = _bar_rects(traces, layout, xkind, ykind, xcats, ycats)
    points = _scatter_points(traces, xkind, ykind, xcats, ycats)
    xs = [v for r in bars for v in (r["x0"], r["x1"])] + [p[0] for pts in points for p in pts if p]
    ys = [v for r in bars for v in (r["y0"], r["y1"])] + [p[1] for pts in points for p in pts if p]
    for shape in layout.get("shapes") or []:
        if shape.get("xref", "x") == "x":
            xs += [_to_num(shape[k], xkind, xcats) for k in ("x0", "x1") if shape.get(k) is not None]
    for note in layout.get("annotations") or []:  # plotly's autorange makes room for notes too
        if not str(note.get("xref", "x")).endswith(("paper", " domain")):
            xs.append(_num(note.get("x"), xkind, xcats))
        if not str(note.get("yref", "y")).endswith(("paper", " domain")):
            ys.append(_num(note.get("y"), ykind, ycats))
    has_markers = any("markers" in str(t.get("mode", "")) for t in traces if t.get("type") == "scatter")
    outside = any(t.get("textposition") == "outside" for t in traces)
    horizontal = any(_is_h(t) for t in traces)
    xaxis = _axis(xspec, xkind, xcats, xs, bool(bars) and horizontal, has_markers, False)
    yaxis = _axis(yspec, ykind, ycats, ys, bool(bars) and not horizontal, has_markers, outside)
    zh = _is_zh(layout)
    svg: list[str] = []
    labels: list[str] = []
    svg += _shapes(layout, xaxis, yaxis, "below")
    svg += _grid(xaxis, yaxis, xspec, yspec)
    for r in bars:
        x0, x1 = sorted((xaxis.frac(r["x0"]) * SIZE, xaxis.frac(r["x1"]) * SIZE))
        y0, y1 = sorted(((1 - yaxis.frac(r["y0"])) * SIZE, (1 - yaxis.frac(r["y1"])) * SIZE))
        x0, x1 = max(x0, 0.0), min(x1, SIZE)  # clipped to the plot area, as plotly clips bars
        y0, y1 = max(y0, 0.0), min(y1, SIZE)
        if x1 > x0 and y1 > y0:
            svg.append(
                f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
                f'height="{y1 - y0:.1f}" fill="{_attr(r["colour"])}"{r["mark"]}/>'
            )
        if r["text"] not in (None, ""):
            labels.append(_bar_label(r, x0, x1, y0, y1))
    for trace, pts in zip([t for t in traces if t.get("type") == "scatter"], points, strict=True):
        svg += _scatter_svg(trace, pts, xaxis, yaxis)
        labels += _scatter_hits(trace, pts, xaxis, yaxis)
    svg += _shapes(layout, xaxis, yaxis, "above")
    labels += _ticks(xaxis, "x", zh) + _ticks(yaxis, "y", zh)
    labels += _annotations(layout, xaxis, yaxis)
    return (
        f'<svg class="cs-svg" viewBox="0 0 {SIZE} {SIZE}" preserveAspectRatio="none">'
        + "".join(svg)
        + "</svg>"
        + "".join(labels)
    )


def _is_h(trace: dict[str, Any]) -> bool:
    return trace.get("type") == "bar" and trace.get("orientation") == "h"


def _is_zh(layout: dict[str, Any]) -> bool:
    """Chinese when the date axis carries the Chinese tick formats (charts.common.date_axis)."""
    stops = (layout.get("xaxis") or {}).get("tickformatstops") or []
    return any("月" in str(s.get("value", "")) for s in stops)


def _categories(traces: list[dict[str, Any]], axis: str) -> list[str]:
    seen: dict[str, None] = {}
    for t in traces:
        if t.get("type") == "pie":
            continue
        for v in _values(t, axis):
            seen.setdefault(str(v), None)
    return list(seen)


def _axis(
    spec: dict[str, Any], kind: str, cats: list[str], values: list[float], bars: bool, pad: bool, room: bool
) -> Axis:
    if kind == "category":
        return Axis(spec, kind, -0.5, max(0.5, len(cats) - 0.5), cats)
    finite = [v for v in values if v is not None and math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if bars and kind != "date":
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if spec.get("rangemode") == "tozero":
        lo = min(lo, 0.0)
    span = hi - lo
    if kind != "date" and (bars or pad or room):
        hi += span * (0.1 if room else 0.05)
        if lo < 0:
            lo -= span * 0.05
    elif pad:
        lo, hi = lo - span * 0.05, hi + span * 0.05
    return Axis(spec, kind, lo, hi, cats)


def _num(v: Any, kind: str, cats: list[str]) -> float | None:
    if v is None:
        return None
    if kind == "category":
        s = str(v)
        return float(cats.index(s)) if s in cats else None
    if kind == "date":
        return _date_ms(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _colour(trace: dict[str, Any], i: int, default: str) -> str:
    c = (trace.get("marker") or {}).get("color")
    if isinstance(c, list):
        return str(c[i % len(c)]) if c else default
    return str(c) if c else default


def _bar_rects(
    traces: list[dict[str, Any]],
    layout: dict[str, Any],
    xkind: str,
    ykind: str,
    xcats: list[str],
    ycats: list[str],
) -> list[dict[str, Any]]:
    """Every bar as a rectangle in data units (x0, x1, y0, y1), stacked, grouped or overlaid."""
    bars = [(i, t) for i, t in enumerate(traces) if t.get("type") == "bar"]
    if not bars:
        return []
    mode = layout.get("barmode", "group")
    gap = float(layout.get("bargap", 0.2))
    out: list[dict[str, Any]] = []
    stacks: dict[tuple[bool, float], list[float]] = {}  # (horizontal, position) -> [positive, negative]
    grouped = [i for i, _ in bars] if mode == "group" else []
    for i, t in bars:
        h = _is_h(t)
        pos_kind, pos_cats = (ykind, ycats) if h else (xkind, xcats)
        val_kind = xkind if h else ykind
        positions = _values(t, "y" if h else "x")
        lengths = _values(t, "x" if h else "y")
        bases = _values(t, "base")
        step = _min_step([p for p in (_num(v, pos_kind, pos_cats) for v in positions) if p is not None])
        width = t.get("width")
        slot = step * (1 - gap)
        if isinstance(width, int | float):
            slot, offset = float(width) * (step if pos_kind == "date" else 1), 0.0
        elif grouped and len(grouped) > 1:
            slot /= len(grouped)
            offset = (grouped.index(i) - (len(grouped) - 1) / 2) * slot
        else:
            offset = 0.0
        default = DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)]
        texts = _values(t, "text")
        for j, (p, v) in enumerate(zip(positions, lengths, strict=False)):
            pn = _num(p, pos_kind, pos_cats)
            length = _num(v, "linear", [])
            if pn is None or length is None:
                continue
            if bases:
                start = _num(bases[j % len(bases)], val_kind, [])
                start = 0.0 if start is None else start
            elif mode == "stack":
                acc = stacks.setdefault((h, pn), [0.0, 0.0])
                start = acc[0] if length >= 0 else acc[1]
                acc[0 if length >= 0 else 1] = start + length
            else:
                start = 0.0
            lo_pos, hi_pos = pn + offset - slot / 2, pn + offset + slot / 2
            rect = {
                "x0": start if h else lo_pos,
                "x1": start + length if h else hi_pos,
                "y0": lo_pos if h else start,
                "y1": hi_pos if h else start + length,
                "colour": _colour(t, j, default),
                "text": texts[j] if j < len(texts) else None,
                "where": t.get("textposition", "auto"),
                "h": h,
                "mark": _mark(t, j),
            }
            out.append(rect)
    return out


def _min_step(positions: list[float]) -> float:
    ordered = sorted(set(positions))
    steps = [b - a for a, b in itertools.pairwise(ordered) if b > a]
    return min(steps) if steps else 1.0


def _bar_label(r: dict[str, Any], x0: float, x1: float, y0: float, y1: float) -> str:
    text = escape(str(r["text"]))
    where = r["where"]
    if r["h"]:
        length = x1 - x0
        inside = where == "inside" or (where == "auto" and length > 300)
        cy = (y0 + y1) / 2 / 10
        if inside:
            return f'<span class="cs-in" style="left:{(x0 + x1) / 20:.1f}%;top:{cy:.1f}%">{text}</span>'
        return f'<span class="cs-out-h" style="left:{x1 / 10:.1f}%;top:{cy:.1f}%">{text}</span>'
    cx = (x0 + x1) / 20
    if where == "inside" or (where == "auto" and y1 - y0 > 120):
        return f'<span class="cs-in" style="left:{cx:.1f}%;top:{(y0 + y1) / 20:.1f}%">{text}</span>'
    return f'<span class="cs-out-v" style="left:{cx:.1f}%;top:{y0 / 10:.1f}%">{text}</span>'


def _scatter_points(
    traces: list[dict[str, Any]], xkind: str, ykind: str, xcats: list[str], ycats: list[str]
) -> list[list[tuple[float, float] | None]]:
    out = []
    for t in traces:
        if t.get("type") != "scatter":
            continue
        pts: list[tuple[float, float] | None] = []
        for x, y in zip(_values(t, "x"), _values(t, "y"), strict=False):
            xn, yn = _num(x, xkind, xcats), _num(y, ykind, ycats)
            pts.append(None if xn is None or yn is None else (xn, yn))
        out.append(pts)
    return out


def _scatter_svg(
    trace: dict[str, Any], pts: list[tuple[float, float] | None], xaxis: Axis, yaxis: Axis
) -> list[str]:
    mode = str(trace.get("mode", "lines+markers"))
    line = trace.get("line") or {}
    marker = trace.get("marker") or {}
    colour = str(line.get("color") or marker.get("color") or DEFAULT_COLOURS[0])
    xy = [None if p is None else (xaxis.frac(p[0]) * SIZE, (1 - yaxis.frac(p[1])) * SIZE) for p in pts]
    out: list[str] = []
    if "lines" in mode:
        step = line.get("shape") == "hv"
        d: list[str] = []
        prev: tuple[float, float] | None = None
        for p in xy:
            if p is None:
                prev = None
                continue
            if prev is None:
                d.append(f"M{p[0]:.1f} {p[1]:.1f}")
            elif step:
                d.append(f"H{p[0]:.1f}V{p[1]:.1f}")
            else:
                d.append(f"L{p[0]:.1f} {p[1]:.1f}")
            prev = p
        dash = DASHES.get(str(line.get("dash", "")), "")
        if d:
            out.append(
                f'<path d="{"".join(d)}" fill="none" stroke="{_attr(colour)}" '
                f'stroke-width="{line.get("width", 2)}"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + ' vector-effect="non-scaling-stroke"/>'
            )
    if "markers" in mode:
        size = marker.get("size", 6)
        cap = "square" if marker.get("symbol") == "square" else "round"
        mcolour = marker.get("color") if isinstance(marker.get("color"), str) else colour
        dots = "".join(f"M{p[0]:.1f} {p[1]:.1f}h0" for p in xy if p is not None)
        if dots:
            # zero-length segments with caps: markers keep their pixel size in a stretched SVG
            out.append(
                f'<path d="{dots}" stroke="{_attr(str(mcolour))}" stroke-width="{size}" '
                f'stroke-linecap="{cap}" vector-effect="non-scaling-stroke"/>'
            )
    return out


def _grid(xaxis: Axis, yaxis: Axis, xspec: dict[str, Any], yspec: dict[str, Any]) -> list[str]:
    out = []
    for axis, spec, vertical in ((xaxis, xspec, True), (yaxis, yspec, False)):
        if not axis.visible or axis.kind == "category" or spec.get("showgrid") is False:
            continue
        colour = _attr(str(spec.get("gridcolor", "#eeeeee")))
        for v, _ in axis.ticks(False):
            f = axis.frac(v)
            if not 0 <= f <= 1:
                continue
            if vertical:
                out.append(f'<path d="M{f * SIZE:.1f} 0V{SIZE}" stroke="{colour}" {_THIN}/>')
            else:
                out.append(f'<path d="M0 {(1 - f) * SIZE:.1f}H{SIZE}" stroke="{colour}" {_THIN}/>')
        if axis.kind == "linear" and axis.lo < 0 < axis.hi:
            f, zc = axis.frac(0.0), _attr(str(spec.get("zerolinecolor", "#444444")))
            d = f"M{f * SIZE:.1f} 0V{SIZE}" if vertical else f"M0 {(1 - f) * SIZE:.1f}H{SIZE}"
            out.append(f'<path d="{d}" stroke="{zc}" {_THIN}/>')
    return out


_THIN = 'stroke-width="1" vector-effect="non-scaling-stroke"'


def _ticks(axis: Axis, which: str, zh: bool) -> list[str]:
    if not axis.visible:
        return []
    out = []
    for v, label in axis.ticks(zh):
        f = axis.frac(v)
        if not -0.001 <= f <= 1.001:
            continue
        if which == "x":
            out.append(f'<span class="cs-xt" style="left:{f * 100:.1f}%">{escape(label)}</span>')
        else:
            out.append(f'<span class="cs-yt" style="top:{(1 - f) * 100:.1f}%">{escape(label)}</span>')
    return out


def _shapes(layout: dict[str, Any], xaxis: Axis, yaxis: Axis, layer: str) -> list[str]:
    out = []
    for s in layout.get("shapes") or []:
        if s.get("layer", "above") != layer:
            continue
        x0, x1 = (_shape_coord(s, k, xaxis, "xref") for k in ("x0", "x1"))
        y0, y1 = (_shape_coord(s, k, yaxis, "yref") for k in ("y0", "y1"))
        if None in (x0, x1, y0, y1):
            continue
        px0, px1 = x0 * SIZE, x1 * SIZE  # type: ignore[operator]
        py0, py1 = (1 - y0) * SIZE, (1 - y1) * SIZE  # type: ignore[operator]
        line = s.get("line") or {}
        if s.get("type") == "rect":
            fill = _attr(str(s.get("fillcolor", "rgba(0,0,0,0)")))
            opacity = s.get("opacity", 1)
            out.append(
                f'<rect x="{min(px0, px1):.1f}" y="{min(py0, py1):.1f}" width="{abs(px1 - px0):.1f}" '
                f'height="{abs(py1 - py0):.1f}" fill="{fill}" fill-opacity="{opacity}"/>'
            )
        elif s.get("type") == "line":
            dash = DASHES.get(str(line.get("dash", "")), "")
            out.append(
                f'<path d="M{px0:.1f} {py0:.1f}L{px1:.1f} {py1:.1f}" '
                f'stroke="{_attr(str(line.get("color", "#444444")))}" stroke-width="{line.get("width", 2)}"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + ' vector-effect="non-scaling-stroke"/>'
            )
    return out


def _shape_coord(shape: dict[str, Any], key: str, axis: Axis, ref: str) -> float | None:
    v = shape.get(key)
    if v is None:
        return None
    if str(shape.get(ref, "")).endswith(("paper", " domain")):
        return float(v)
    n = _num(v, axis.kind, axis.categories)
    return None if n is None else axis.frac(n)


def _annotations(layout: dict[str, Any], xaxis: Axis, yaxis: Axis) -> list[str]:
    out = []
    for a in layout.get("annotations") or []:
        fx = _note_coord(a.get("x", 0.5), a.get("xref", "x"), xaxis)
        fy = _note_coord(a.get("y", 0.5), a.get("yref", "y"), yaxis)
        if fx is None or fy is None:
            continue
        font = a.get("font") or {}
        tx = {"left": "0", "right": "-100%"}.get(str(a.get("xanchor", "center")), "-50%")
        ty = {"top": "0", "bottom": "-100%"}.get(str(a.get("yanchor", "middle")), "-50%")
        style = f"left:{fx * 100:.1f}%;top:{(1 - fy) * 100:.1f}%;transform:translate({tx},{ty})"
        if font.get("size"):
            style += f";font-size:{font['size']}px"
        if font.get("color"):
            style += f";color:{_attr(str(font['color']))}"
        out.append(f'<span class="cs-note" style="{style}">{escape(str(a.get("text", "")))}</span>')
    return out


def _note_coord(v: Any, ref: str, axis: Axis) -> float | None:
    if str(ref).endswith(("paper", " domain")):
        return float(v)
    n = _num(v, axis.kind, axis.categories)
    return None if n is None else axis.frac(n)


# ---- pie, titles, legend ------------------------------------------------------------


def _pie(traces: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    """A pie or doughnut, clockwise from 12 o'clock as plotly draws one, values on the slices."""
    t = next(tr for tr in traces if tr.get("type") == "pie")
    values = [float(v) for v in _values(t, "values")]
    total = sum(v for v in values if v > 0)
    if total <= 0:
        return ""
    hole = float(t.get("hole") or 0)
    colours = list((t.get("marker") or {}).get("colors") or DEFAULT_COLOURS)
    show_value = "value" in str(t.get("textinfo", "percent"))
    # plotly's default direction, counterclockwise: the first slice ends at 12 o'clock (rotation 0)
    # and each next one runs on to its left; clockwise: the first starts at 12 o'clock.
    clockwise = t.get("direction") == "clockwise"
    first = next((v for v in values if v > 0), 0.0)
    angle = 0.0 if clockwise else first / total * 2 * math.pi
    out, labels = [], []
    font = (layout.get("font") or {}).get("size", 12)
    for i, v in enumerate(values):
        if v <= 0:
            continue
        sweep = v / total * 2 * math.pi
        start = angle if clockwise else angle - sweep
        out.append(_slice(start, sweep, hole, str(colours[i % len(colours)]), _mark(t, i, total)))
        mid, r = start + sweep / 2, (1 + hole) / 2
        x, y = r * math.sin(mid), -r * math.cos(mid)
        text = _number(v, None) if show_value else f"{v / total * 100:.0f}%"
        labels.append(
            f'<text x="{x:.3f}" y="{y:.3f}" font-size="{font / 110:.3f}" fill="#fff" '
            f'text-anchor="middle" dominant-baseline="central">{escape(text)}</text>'
        )
        angle = angle + sweep if clockwise else angle - sweep
    return (
        '<svg class="cs-svg" viewBox="-1 -1 2 2" preserveAspectRatio="xMidYMid meet">'
        + "".join(out + labels)
        + "</svg>"
    )


def _slice(start: float, sweep: float, hole: float, colour: str, mark: str) -> str:
    if sweep >= 2 * math.pi - 1e-9:
        ring = f'<circle r="1" fill="{_attr(colour)}"{mark}/>'
        return ring + (f'<circle r="{hole}" fill="#fff"/>' if hole else "")

    def pt(a: float, r: float) -> str:
        return f"{r * math.sin(a):.4f} {-r * math.cos(a):.4f}"

    big = 1 if sweep > math.pi else 0
    end = start + sweep
    if hole:
        d = (
            f"M{pt(start, 1)}A1 1 0 {big} 1 {pt(end, 1)}"
            f"L{pt(end, hole)}A{hole} {hole} 0 {big} 0 {pt(start, hole)}Z"
        )
    else:
        d = f"M0 0L{pt(start, 1)}A1 1 0 {big} 1 {pt(end, 1)}Z"
    return f'<path d="{d}" fill="{_attr(colour)}" stroke="#fff" stroke-width="0.01"{mark}/>'


def _mark(trace: dict[str, Any], index: int, total: float | None = None) -> str:
    """A mark's attributes: its hover label and, on a chart that drills, what a click names."""
    tip = hover.label(trace, index, total)
    out = f' data-tip="{escape(tip, quote=True)}"' if tip else ""
    if trace.get(_DRILL):
        out += f' data-c="{int(trace.get(_CURVE, 0))}" data-p="{index}"'
    return out


def _scatter_hits(
    trace: dict[str, Any], pts: list[tuple[float, float] | None], xaxis: Axis, yaxis: Axis
) -> list[str]:
    """A line or marker trace's points for the pointer: their places (per mille of the plot area)
    and hover labels as one JSON block, not an element per point (a city's curves have hundreds).
    The frame shows the label of the point nearest the pointer, as plotly does for a line.
    """
    xy: list[int] = []
    numbers: list[int] = []
    tips: list[str] = []
    for j, p in enumerate(pts):
        if p is None:
            continue
        fx, fy = xaxis.frac(p[0]), 1 - yaxis.frac(p[1])
        tip = hover.label(trace, j)
        if tip and 0 <= fx <= 1 and 0 <= fy <= 1:
            xy += [round(fx * SIZE), round(fy * SIZE)]
            numbers.append(j)
            tips.append(tip)
    if not tips:
        return []
    block: dict[str, Any] = {"xy": xy, "t": tips}
    heads = {t.split("\n", 1)[0] for t in tips}
    if len(heads) == 1 and all("\n" in t for t in tips):  # the trace's name, once
        block["h"], block["t"] = heads.pop(), [t.split("\n", 1)[1] for t in tips]
    if numbers != list(range(len(numbers))):
        block["p"] = numbers
    if trace.get(_DRILL):
        block["c"] = int(trace.get(_CURVE, 0))
    # "<" written as JSON's \u003c: no "</script>" or "<!--" in the data can end the block early
    text = json.dumps(block, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return [f'<script type="application/json" class="cs-pts">{text}</script>']


def _axis_titles(layout: dict[str, Any], left: int, right: int, top: int, plot_h: int) -> str:
    out = []
    xt = ((layout.get("xaxis") or {}).get("title") or {}).get("text")
    yt = ((layout.get("yaxis") or {}).get("title") or {}).get("text")
    if xt:
        where = f"left:{left}px;right:{right}px;top:{top + plot_h + 24}px"
        out.append(f'<span class="cs-xtitle" style="{where}">{escape(str(xt))}</span>')
    if yt:
        out.append(f'<span class="cs-ytitle" style="top:{top + plot_h / 2:.0f}px">{escape(str(yt))}</span>')
    return "".join(out)


def _legend(traces: list[dict[str, Any]], layout: dict[str, Any], left: int, top: int, plot_h: int) -> str:
    if layout.get("showlegend") is False:
        return ""
    items: list[str] = []
    for i, t in enumerate(traces):
        if t.get("type") == "pie":
            colours = list((t.get("marker") or {}).get("colors") or DEFAULT_COLOURS)
            for j, label in enumerate(_values(t, "labels")):
                items.append(_legend_item(str(label), str(colours[j % len(colours)]), "box", ""))
            continue
        if t.get("showlegend") is False or not t.get("name"):
            continue
        default = DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)]
        if t.get("type") == "bar":
            items.append(_legend_item(str(t["name"]), _colour(t, 0, default), "box", ""))
        else:
            line = t.get("line") or {}
            marker = t.get("marker") or {}
            colour = str(line.get("color") or marker.get("color") or default)
            if "lines" in str(t.get("mode", "lines")):
                items.append(_legend_item(str(t["name"]), colour, "line", str(line.get("dash", ""))))
            else:
                items.append(_legend_item(str(t["name"]), colour, "box", ""))
    if not items or (len(items) == 1 and layout.get("showlegend") is None):
        return ""
    legend_y = float((layout.get("legend") or {}).get("y", -0.1))
    y = top + plot_h + max(0.0, -legend_y) * plot_h
    return f'<div class="cs-legend" style="left:{left}px;top:{y:.0f}px">{"".join(items)}</div>'


_BORDERS = {"dash": "dashed", "longdash": "dashed", "dashdot": "dashed", "dot": "dotted"}


def _legend_item(label: str, colour: str, symbol: str, dash: str) -> str:
    c = _attr(colour)
    if symbol == "line":
        border = _BORDERS.get(dash, "solid")
        sym = f'<i class="cs-line" style="border-top:2px {border} {c}"></i>'
    else:
        sym = f'<i class="cs-box" style="background:{c}"></i>'
    return f'<span class="cs-item">{sym}{escape(label)}</span>'


def _attr(value: str) -> str:
    """A value written inside a double-quoted attribute or style (no quote can end it)."""
    return escape(str(value).replace(";", ""), quote=True)
