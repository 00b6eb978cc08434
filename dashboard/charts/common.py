"""The one look every chart shares: fonts, margins, legend, date axes, empty state.

Charts call :func:`style` last instead of carrying their own layout code, so a
change of font stack or margins happens here once. Figures use only bar,
scatter and pie traces (plotly.js "basic" bundle) and plain Python lists (no
numpy typed arrays) so their JSON is small and readable by any plotly.js.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import t

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"
PARTY_RED = "#c8102e"
GREY = "#c7c7c7"
TEXT = "#333333"
SHADE = "#eeeeee"  # a light band behind the data (days rebuilt from row dates)
DARK_TEXT = "#e8e8e8"
DARK_SHADE = "rgba(255,255,255,0.07)"
WALL_CHART_HEIGHT = 400  # two rows of charts under the title fill a 1080 px wall
# Qualitative colours for categories (enum order), colour-blind friendly.
PALETTE: tuple[str, ...] = (
    "#c8102e",
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#7f7f7f",
)

# zh date ticks without English month names; en keeps plotly's defaults.
_ZH_TICKS = [
    {"dtickrange": [None, 86_400_000 * 27], "value": "%-m月%-d日"},
    {"dtickrange": [86_400_000 * 27, 86_400_000 * 364], "value": "%-m月"},
    {"dtickrange": [86_400_000 * 364, None], "value": "%Y年"},
]


class Figure:
    """A plotly figure as the plain dicts plotly.js reads: ``data`` (traces) and ``layout``.

    Why not ``go.Figure``: plotly's graph objects validate every property, parse every
    property path and copy the layout on each update; at a city's size that was a third of
    rebuilding a board after an upload, for JSON that our own code already writes right.
    This class offers only what the charts call (``add_bar`` ... ``update_yaxes``) with
    plotly's meaning: ``marker_color``-style names nest, ``None`` leaves a property unset,
    lists of numpy scalars become Python numbers (as plotly's validators coerce them).
    ``validating()`` builds the same figures through plotly's validating ``go.Figure``
    instead; tests/test_charts.py checks every chart gives exactly the same JSON both ways.
    """

    def __init__(self) -> None:
        self._checked: go.Figure | None = go.Figure() if _VALIDATE[0] else None
        self._data: list[dict[str, Any]] = []
        self._layout: dict[str, Any] = {}

    @property
    def data(self) -> list[dict[str, Any]]:
        """The traces (read-only: change them through the methods)."""
        return self._checked.to_dict()["data"] if self._checked is not None else self._data

    @property
    def layout(self) -> dict[str, Any]:
        """The layout (read-only: change it through the methods)."""
        return self._checked.to_dict()["layout"] if self._checked is not None else self._layout

    def _call(self, method: str, *args: Any, **props: Any) -> bool:
        """Forward to the validating go.Figure when there is one (``validating()``)."""
        if self._checked is None:
            return False
        getattr(self._checked, method)(*args, **props)
        return True

    def _trace(self, kind: str, props: dict[str, Any]) -> Figure:
        if not self._call(f"add_{kind}", **props):
            self._data.append({**_plain(props), "type": kind})
        return self

    def add_bar(self, **props: Any) -> Figure:
        return self._trace("bar", props)

    def add_scatter(self, **props: Any) -> Figure:
        return self._trace("scatter", props)

    def add_pie(self, **props: Any) -> Figure:
        return self._trace("pie", props)

    def add_annotation(self, **props: Any) -> Figure:
        if not self._call("add_annotation", **props):
            self._layout.setdefault("annotations", []).append(_plain(props))
        return self

    def add_shape(self, **props: Any) -> Figure:
        if not self._call("add_shape", **props):
            self._layout.setdefault("shapes", []).append(_plain(props))
        return self

    def add_vline(self, x: Any, **props: Any) -> Figure:
        """A vertical line across the plot (plotly: x in data, y in the axis' domain)."""
        if not self._call("add_vline", x, **props):
            self.add_shape(**{"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, **props})
            self._layout["shapes"][-1].update(xref="x", yref="y domain")
        return self

    def add_vrect(self, x0: Any, x1: Any, **props: Any) -> Figure:
        """A vertical band across the plot (plotly: x in data, y in the axis' domain)."""
        if not self._call("add_vrect", x0, x1, **props):
            self.add_shape(**{"type": "rect", "x0": x0, "x1": x1, "y0": 0, "y1": 1, **props})
            self._layout["shapes"][-1].update(xref="x", yref="y domain")
        return self

    def update_layout(self, **props: Any) -> Figure:
        if not self._call("update_layout", **props):
            _merge(self._layout, _plain(props))
        return self

    def update_xaxes(self, **props: Any) -> Figure:
        if not self._call("update_xaxes", **props):
            _merge(self._layout.setdefault("xaxis", {}), _plain(props))
        return self

    def update_yaxes(self, **props: Any) -> Figure:
        if not self._call("update_yaxes", **props):
            _merge(self._layout.setdefault("yaxis", {}), _plain(props))
        return self

    def to_dict(self) -> dict[str, Any]:
        """``{"data": ..., "layout": ...}`` (numpy values and dates still to be encoded)."""
        if self._checked is not None:
            return self._checked.to_dict()
        return {"data": self._data, "layout": self._layout}


_VALIDATE = [False]  # validating(): build through go.Figure (the equality check's reference)
# Property names that nest: marker_color -> {"marker": {"color": ...}} (plotly's "magic underscores");
# other names with an underscore (paper_bgcolor) are properties of their own.
_NESTING = ("marker", "line", "legend", "font", "title")
# Text properties: plotly's validators write numbers given to them as strings (text=[3] -> ["3"]).
_TEXTS = frozenset({"text", "name", "hovertemplate", "hovertext", "texttemplate"})


@contextmanager
def validating() -> Iterator[None]:
    """Build figures through plotly's validating ``go.Figure`` meanwhile (tests: the reference)."""
    _VALIDATE[0] = True
    try:
        yield
    finally:
        _VALIDATE[0] = False


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Properties as plotly stores them: None dropped, nesting names nested, list items plain."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if value is None:
            continue
        head, _, rest = key.partition("_")
        if rest and head in _NESTING:
            _merge(out, {head: _plain({rest: value})})
        elif key in _TEXTS:
            out[key] = _text(value)
        else:
            out[key] = _value(value)
    return out


def _text(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [v if v is None or isinstance(v, str) else str(v) for v in value]
    return str(value) if isinstance(value, int | float) else value


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        return _plain(value)
    if isinstance(value, list | tuple):  # plotly's to_scalar_or_list: numpy scalars -> Python
        return [_value(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _merge(into: dict[str, Any], props: dict[str, Any]) -> None:
    """plotly's update: dicts merge key by key, anything else replaces."""
    for key, value in props.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def style(fig: Figure, lang: str, *, legend: bool = True, height: int = 320, top: int = 8) -> Figure:
    """Apply the shared layout: CJK font stack, margins fitted to the labels, legend below.

    ``top``: room above the plot, e.g. for the "today" label (TODAY_TOP).

    Why margins are computed here instead of left to plotly's ``automargin``: every
    margin plotly has to widen costs a second full render in the browser, and date axes
    (whose tick format changes with the plot's width) could take three; on the slow
    machines of the office that doubled a board's drawing time. Date axes therefore get
    fixed margins; other axes keep ``automargin`` as a safety net that, with these
    estimates, rarely has anything to do.
    """
    fig.update_layout(
        template={},  # none: plotly.js defaults (figure_dict drops it)
        font={"family": FONT, "size": FONT_SIZE, "color": TEXT},
        autosize=True,
        height=height,
        showlegend=legend,
        # Below the x axis; _fit_margins sets its exact offset. x just left of the plot's
        # edge: plotly then lets a row run the card's width, not only the plot's.
        legend={"orientation": "h", "x": -0.001, "xanchor": "left", "yanchor": "top", "traceorder": "normal"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel={"font": {"family": FONT}},
        separators=".,",
        bargap=0.25,
    )
    # ticklabeloverflow "allow": plotly's default ("hide past div") measured every tick label's box
    # again after placing each label (n² forced layouts an axis), 0.1 s of a 7-chart board's 0.5-0.6 s
    # of drawing (Chromium profile, bench/results.md); the margins below already leave the labels room.
    axes = {"gridcolor": "#eeeeee", "zerolinecolor": "#dddddd", "ticklabeloverflow": "allow"}
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    _fit_margins(fig, legend, top)
    return fig


FONT_SIZE = 12
_LINE = 18  # one line of 12 px text
_LEGEND_WIDTH = 300  # the narrowest chart a legend must fit (a phone's card)


def text_width(text: object, size: int = FONT_SIZE) -> float:
    """Pixels a label takes: CJK characters are square, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in str(text))


def _legend_height(fig: Figure) -> int:
    """Rows of legend items packed into the narrowest card, times a row's height."""
    names: list[str] = []
    for trace in fig.data:
        if trace["type"] == "pie":
            names += [str(label) for label in trace.get("labels") or ()]
        elif trace.get("showlegend") is not False and trace.get("name"):
            names.append(str(trace["name"]))
    if not names:
        return 0
    rows, used = 1, 0.0
    for name in names:
        width = 46 + text_width(name)  # the symbol, its gap and the text
        if used and used + width > _LEGEND_WIDTH:
            rows, used = rows + 1, 0.0
        used += width
    return rows * 21 + 4


def _value_label_width(fig: Figure, axis: str, tickformat: str | None) -> float:
    """Width of the widest tick label of a numeric axis (stacked bars summed)."""
    biggest = 0.0
    stacked: dict[Any, float] = {}
    barmode = fig.layout.get("barmode")
    for trace in fig.data:
        values = trace.get(axis)
        if values is None or trace["type"] == "pie":
            continue
        numbers = [abs(float(v)) for v in values if isinstance(v, int | float)]
        if not numbers:
            continue
        biggest = max(biggest, max(numbers))
        if trace["type"] == "bar" and barmode == "stack":
            keys = trace.get("x") if axis == "y" else trace.get("y")
            for key, v in zip(keys or (), numbers, strict=False):
                stacked[key] = stacked.get(key, 0.0) + v
    biggest = max([biggest, *stacked.values()])
    if tickformat and "%" in tickformat:
        return text_width("100%")
    return text_width(f"{biggest * 1.1:,.0f}")  # the axis may end a tick above the data


def _fit_margins(fig: Figure, legend: bool, top: int) -> None:
    """Margins from the labels the figure will show; the legend placed right under them."""
    layout, traces = fig.layout, fig.data
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    legend_h = _legend_height(fig) if legend else 0
    if (xaxis.get("visible") is False and yaxis.get("visible") is False) or any(
        t["type"] == "pie" for t in traces
    ):
        left = right = 8
        below_axis = 4
    else:
        horizontal = any(t.get("orientation") == "h" for t in traces)
        if horizontal:  # categories on the left: as wide as the widest label
            ticks = max((text_width(v) for t in traces for v in (t.get("y") or ())), default=0)
        else:
            ticks = _value_label_width(fig, "y", yaxis.get("tickformat"))
        left = 8 + ticks + 6 + (_LINE + 6 if yaxis.get("title", {}).get("text") else 0)
        below_axis = _LINE + 6 + (_LINE + 6 if xaxis.get("title", {}).get("text") else 0)
        dates = xaxis.get("type") == "date"
        # A tick at the right edge is centred on it: leave room for half a label (a date's, or a
        # value's on a horizontal bar chart, whose range may end on a tick: 100%). No plotly
        # automargin widens it for the drawing on the server (charts.static) the boards show.
        right = 28 if dates else 8
        if horizontal and not dates:
            right = max(right, round(_value_label_width(fig, "x", xaxis.get("tickformat")) / 2) + 4)
        fig.update_xaxes(automargin=not dates)
        fig.update_yaxes(automargin=True)
    bottom = 8 + below_axis + legend_h
    plot_h = max(1, (layout.get("height") or 320) - top - bottom)
    fig.update_layout(
        margin={"l": round(left), "r": right, "t": top, "b": round(bottom), "pad": 2},
        legend_y=-below_axis / plot_h,  # in plot heights: exactly below_axis pixels under the axis
    )


def date_axis(lang: str) -> dict[str, Any]:
    """An x axis of dates with ticks written for ``lang``.

    No axis title: the ticks say they are dates, and a title would collide
    with the legend below the plot on a phone.
    """
    # Level labels and at most 4 short ticks: plotly otherwise tilts crowded date
    # labels on a phone, and tilted labels run into the legend below.
    axis: dict[str, Any] = {"type": "date", "tickangle": 0, "nticks": 4}
    if lang == "zh":
        axis["tickformatstops"] = _ZH_TICKS
        axis["hoverformat"] = "%Y年%-m月%-d日"
    return axis


def title(key: str, lang: str) -> dict[str, Any]:
    """An axis title from the catalogue."""
    return {"title": {"text": t(key, lang)}}


def empty_figure(lang: str) -> Figure:
    """The empty state: no axes, a centred translated '暂无数据'."""
    fig = Figure()
    fig.add_annotation(
        text=t("empty", lang),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#999999"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, lang, legend=False, height=240)


def iso(values: Iterable[Any]) -> list[str]:
    """Dates as 'YYYY-MM-DD' strings: compact JSON that plotly reads as dates."""
    out = []
    for v in values:
        if isinstance(v, pd.Timestamp | datetime | date):
            out.append(f"{v:%Y-%m-%d}")
        else:
            out.append(str(v))
    return out


def ints(values: Iterable[Any]) -> list[int]:
    return [int(v) for v in values]


TODAY_TOP = 22  # top margin that leaves room for the "today" label


def today_line(fig: Figure, today: date, lang: str) -> None:
    """A dotted vertical line at today, labelled above the plot (style with top=TODAY_TOP)."""
    x = f"{today:%Y-%m-%d}"
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        yref="paper",
        line={"color": "#999999", "dash": "dot", "width": 1},
    )
    fig.add_annotation(
        x=x,
        y=1,
        yref="paper",
        text=t("series.today", lang),
        showarrow=False,
        yanchor="bottom",
        font={"size": 11},
    )


def dark_wall(figure: dict[str, Any]) -> dict[str, Any]:
    """A figure (as JSON) restyled for the dark wall screen: light text, faint grid, larger type.

    It works on the dict a board already holds, so the wall reuses the board's
    cached figures instead of building its own.
    """
    fig = copy.deepcopy(figure)
    layout = fig.setdefault("layout", {})
    layout.setdefault("font", {}).update({"color": DARK_TEXT, "size": 18})
    layout["height"] = WALL_CHART_HEIGHT
    # The margins were fitted to 12 px labels: grow them with the type, and let plotly
    # widen any that still fall short (a wall screen draws one board at a time).
    margin = layout.setdefault("margin", {})
    for side in ("l", "r", "b"):
        margin[side] = round(margin.get(side, 8) * 1.5)
    for axis in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        layout[axis].update({"gridcolor": "#333333", "zerolinecolor": "#444444", "automargin": True})
    for note in layout.get("annotations", []):
        note.setdefault("font", {}).update({"color": DARK_TEXT})
    for shape in layout.get("shapes", []):  # a light band would glare on a dark wall
        if str(shape.get("fillcolor", "")).lower() == SHADE:
            shape.update({"fillcolor": DARK_SHADE, "opacity": 1})
    return fig
