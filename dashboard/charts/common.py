"""The one look every chart shares: fonts, margins, legend, date axes, empty state.

Charts call :func:`style` last instead of carrying their own layout code, so a
change of font stack or margins happens here once. Figures use only bar,
scatter and pie traces (plotly.js "basic" bundle) and plain Python lists (no
numpy typed arrays) so their JSON is small and readable by any plotly.js.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

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


def style(fig: go.Figure, lang: str, *, legend: bool = True, height: int = 320, top: int = 8) -> go.Figure:
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
        template=go.layout.Template(),
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
    fig.update_xaxes(gridcolor="#eeeeee", zerolinecolor="#dddddd")
    fig.update_yaxes(gridcolor="#eeeeee", zerolinecolor="#dddddd")
    _fit_margins(fig, legend, top)
    return fig


FONT_SIZE = 12
_LINE = 18  # one line of 12 px text
_LEGEND_WIDTH = 300  # the narrowest chart a legend must fit (a phone's card)


def text_width(text: object, size: int = FONT_SIZE) -> float:
    """Pixels a label takes: CJK characters are square, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in str(text))


def _legend_height(fig: go.Figure) -> int:
    """Rows of legend items packed into the narrowest card, times a row's height."""
    names: list[str] = []
    for trace in fig.data:
        if trace.type == "pie":
            names += [str(label) for label in trace.labels or ()]
        elif trace.showlegend is not False and trace.name:
            names.append(str(trace.name))
    if not names:
        return 0
    rows, used = 1, 0.0
    for name in names:
        width = 46 + text_width(name)  # the symbol, its gap and the text
        if used and used + width > _LEGEND_WIDTH:
            rows, used = rows + 1, 0.0
        used += width
    return rows * 21 + 4


def _value_label_width(fig: go.Figure, axis: str, tickformat: str | None) -> float:
    """Width of the widest tick label of a numeric axis (stacked bars summed)."""
    biggest = 0.0
    stacked: dict[Any, float] = {}
    for trace in fig.data:
        values = getattr(trace, axis, None)
        if values is None or trace.type == "pie":
            continue
        numbers = [abs(float(v)) for v in values if isinstance(v, int | float)]
        if not numbers:
            continue
        biggest = max(biggest, max(numbers))
        if trace.type == "bar" and fig.layout.barmode == "stack":
            keys = trace.x if axis == "y" else trace.y
            for key, v in zip(keys or (), numbers, strict=False):
                stacked[key] = stacked.get(key, 0.0) + v
    biggest = max([biggest, *stacked.values()])
    if tickformat and "%" in tickformat:
        return text_width("100%")
    return text_width(f"{biggest * 1.1:,.0f}")  # the axis may end a tick above the data


def _fit_margins(fig: go.Figure, legend: bool, top: int) -> None:
    """Margins from the labels the figure will show; the legend placed right under them."""
    xaxis, yaxis = fig.layout.xaxis, fig.layout.yaxis
    legend_h = _legend_height(fig) if legend else 0
    if (xaxis.visible is False and yaxis.visible is False) or any(t.type == "pie" for t in fig.data):
        left = right = 8
        below_axis = 4
    else:
        horizontal = any(getattr(t, "orientation", None) == "h" for t in fig.data)
        if horizontal:  # categories on the left: as wide as the widest label
            ticks = max((text_width(v) for t in fig.data for v in (t.y or ())), default=0)
        else:
            ticks = _value_label_width(fig, "y", yaxis.tickformat)
        left = 8 + ticks + 6 + (_LINE + 6 if yaxis.title.text else 0)
        below_axis = _LINE + 6 + (_LINE + 6 if xaxis.title.text else 0)
        dates = xaxis.type == "date"
        # A date tick near the right edge is centred on it: leave room for half a label.
        right = 28 if dates else 8
        fig.update_xaxes(automargin=not dates)
        fig.update_yaxes(automargin=True)
    bottom = 8 + below_axis + legend_h
    plot_h = max(1, (fig.layout.height or 320) - top - bottom)
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


def empty_figure(lang: str) -> go.Figure:
    """The empty state: no axes, a centred translated '暂无数据'."""
    fig = go.Figure()
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


def today_line(fig: go.Figure, today: date, lang: str) -> None:
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
