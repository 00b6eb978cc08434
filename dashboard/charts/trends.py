"""Trend charts: curves rebuilt from the version history (``dashboard.insights.trends``).

The app adds the history curves to the frames (``trend.<id>``); without them
(tests, a board built from frames alone) the curves come from the row dates.
Points reconstructed from row dates are drawn dotted, recorded ones solid, so
a leader can tell what an upload said from what the dates imply.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.charts.common import (
    PALETTE,
    PARTY_RED,
    SHADE,
    Figure,
    date_axis,
    empty_figure,
    ints,
    iso,
    style,
    title,
)
from dashboard.i18n import t
from dashboard.insights import PROPERTY_STATUS_COLOURS, Frames, trends


def _source_labels(curve_source: list[str], lang: str) -> list[str]:
    return [t(f"trend.source.{s}", lang) for s in curve_source]


def demolition_rates(frames: Frames, lang: str, today: date) -> Figure:
    """签约率 / 腾空率 / 拆除率 per day, as each upload recorded them."""
    curve = trends.get(frames, today, "demolition_rates")
    if curve.empty or curve[["signed", "vacated", "demolished"]].isna().all().all():
        return empty_figure(lang)
    x = iso(curve.index)
    sources = _source_labels(list(curve["source"]), lang)
    fig = Figure()
    for i, name in enumerate(("signed", "vacated", "demolished")):
        values = [None if v != v else round(float(v), 4) for v in curve[name]]
        # The hover shows the three rates of a day together: only the first says where the
        # day's figures come from (the per-point labels are most of a long curve's bytes).
        fig.add_scatter(
            x=x,
            y=values,
            name=t(f"kpi.{name}_rate", lang),
            mode="lines",
            line={"color": PROPERTY_STATUS_COLOURS[name], "width": 2, "shape": "hv"},
            customdata=[[s] for s in sources] if i == 0 else None,
            hovertemplate=t("hover.trend_rate" if i == 0 else "hover.trend_rate_plain", lang)
            + "<extra>%{fullData.name}</extra>",
        )
    _mark_reconstructed(fig, curve, lang)
    fig.update_layout(
        xaxis=date_axis(lang),
        yaxis={"tickformat": ".0%", "range": [0, 1.02], **title("axis.rate", lang)},
        hovermode="x unified",
    )
    return style(fig, lang)


def _mark_reconstructed(fig: Figure, curve: object, lang: str) -> None:
    """Shade the days rebuilt from row dates (before the first upload)."""
    src = list(curve["source"])  # type: ignore[index]
    if "dates" not in src or "history" not in src:
        return
    idx = curve.index  # type: ignore[attr-defined]
    last = max(i for i, s in enumerate(src) if s == "dates")
    fig.add_vrect(
        x0=f"{idx[0]:%Y-%m-%d}",
        x1=f"{idx[last]:%Y-%m-%d}",
        fillcolor=SHADE,
        opacity=0.5,
        line_width=0,
        layer="below",
    )


def _counts(frames: Frames, lang: str, today: date, trend_id: str, name: str, axis_key: str) -> Figure:
    curve = trends.get(frames, today, trend_id)
    if curve.empty or int(curve[name].max()) == 0:
        return empty_figure(lang)
    x = iso(curve.index)
    sources = _source_labels(list(curve["source"]), lang)
    fig = Figure()
    fig.add_bar(
        x=x,
        y=ints(curve[f"new_{name}"]),
        name=t(f"series.trend_new.{trend_id}", lang),
        marker_color=PALETTE[1],
        customdata=[[s] for s in sources],
        hovertemplate=t(f"hover.trend_new.{trend_id}", lang) + "<extra></extra>",
    )
    fig.add_scatter(
        x=x,
        y=ints(curve[name]),
        name=t(f"series.trend_total.{trend_id}", lang),
        mode="lines+markers",
        line={"color": PARTY_RED, "width": 2, "shape": "hv"},
        customdata=[[s] for s in sources],
        hovertemplate=t(f"hover.trend_total.{trend_id}", lang) + "<extra></extra>",
    )
    fig.update_layout(xaxis=date_axis(lang), yaxis=title(axis_key, lang))
    return style(fig, lang)


def elections_weekly(frames: Frames, lang: str, today: date) -> Figure:
    """Elections completed each week (bars) and in all (line)."""
    return _counts(frames, lang, today, "elections_weekly", "completed", "axis.orgs")


def brands_monthly(frames: Frames, lang: str, today: date) -> Figure:
    """Brands launched each month (bars) and in all (line)."""
    return _counts(frames, lang, today, "brands_monthly", "launched", "axis.brands")


def term_calendar(frames: Frames, lang: str, today: date) -> Figure:
    """换届提醒: each organisation's term end on a time line, the 180-day window shaded."""
    from dashboard.insights import warnings

    rows = warnings.term_calendar(frames, today)
    if not rows:
        return empty_figure(lang)
    window = int(warnings.RULES["term_expiring"].threshold)
    months = pd.DatetimeIndex([r["term_end"] for r in rows]).to_period("M").to_timestamp()
    counts = pd.Series(1, index=months).groupby(level=0).sum().sort_index()
    soon = pd.Series([1 if r["in_window"] else 0 for r in rows], index=months).groupby(level=0).sum()
    fig = Figure()
    fig.add_bar(
        x=iso(counts.index),
        y=ints(counts - soon.reindex(counts.index, fill_value=0)),
        name=t("series.term_later", lang),
        marker_color=PALETTE[1],
        hovertemplate=t("hover.term_month", lang) + "<extra>%{fullData.name}</extra>",
    )
    fig.add_bar(
        x=iso(counts.index),
        y=ints(soon.reindex(counts.index, fill_value=0)),
        name=t("series.term_soon", lang, days=window),
        marker_color=PARTY_RED,
        hovertemplate=t("hover.term_month", lang) + "<extra>%{fullData.name}</extra>",
    )
    fig.add_vrect(
        x0=f"{today:%Y-%m-%d}",
        x1=f"{today + timedelta(days=window):%Y-%m-%d}",
        fillcolor=PARTY_RED,
        opacity=0.08,
        line_width=0,
        layer="below",
    )
    fig.update_layout(barmode="stack", xaxis=date_axis(lang), yaxis=title("axis.orgs", lang))
    return style(fig, lang)
