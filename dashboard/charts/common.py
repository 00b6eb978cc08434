"""The one look every chart shares: fonts, margins, legend, date axes, empty state.

Charts call :func:`style` last instead of carrying their own layout code, so a
change of font stack or margins happens here once. Figures use only bar,
scatter and pie traces (plotly.js "basic" bundle) and plain Python lists (no
numpy typed arrays) so their JSON is small and readable by any plotly.js.
"""

from __future__ import annotations

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
    """Apply the shared layout: CJK font stack, compact margins, legend below, responsive.

    ``top``: room above the plot, e.g. for the "today" label (TODAY_TOP).
    """
    fig.update_layout(
        template=go.layout.Template(),
        font={"family": FONT, "size": 12, "color": TEXT},
        margin={"l": 8, "r": 8, "t": top, "b": 8, "pad": 2},
        autosize=True,
        height=height,
        showlegend=legend,
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -0.12,
            "yanchor": "top",
            "traceorder": "normal",
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel={"font": {"family": FONT}},
        separators=".,",
        bargap=0.25,
    )
    fig.update_xaxes(automargin=True, gridcolor="#eeeeee", zerolinecolor="#dddddd")
    fig.update_yaxes(automargin=True, gridcolor="#eeeeee", zerolinecolor="#dddddd")
    return fig


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
