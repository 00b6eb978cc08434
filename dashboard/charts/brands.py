"""品牌 board: activities per month by type, participants and volunteers, brands by category."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import contract
from dashboard.charts.common import (
    PALETTE,
    PARTY_RED,
    Figure,
    date_axis,
    empty_figure,
    ints,
    iso,
    style,
    title,
)
from dashboard.i18n import enum_label, t
from dashboard.insights import Frames, frame

MAX_MONTHS = 24  # the monthly charts show at most the last two years of data


def _months(dates: pd.Series) -> tuple[pd.Series, pd.DatetimeIndex]:
    """Month start of each date and the months to show (last MAX_MONTHS with data)."""
    month = dates.dt.to_period("M").dt.to_timestamp()
    last = month.max()
    first = max(month.min(), last - pd.DateOffset(months=MAX_MONTHS - 1))
    return month, pd.date_range(first, last, freq="MS")


def activities_per_month(frames: Frames, lang: str, today: date) -> Figure:
    """Stacked bars: activities per month, one colour per activity type."""
    act = frame(frames, "activities").dropna(subset=["date"])
    if act.empty:
        return empty_figure(lang)
    month, shown = _months(act["date"])
    table = act.groupby([month.rename("month"), act["type"].rename("type")]).size().unstack(fill_value=0)
    table = table.reindex(shown, fill_value=0)
    fig = Figure()
    hover = t("hover.month_count", lang) + "<extra>%{fullData.name}</extra>"
    for i, code in enumerate(contract.ACTIVITY_TYPE.codes):
        if code not in table.columns:
            continue
        fig.add_bar(
            x=iso(table.index),
            y=ints(table[code]),
            name=enum_label(contract.ACTIVITY_TYPE, code, lang),
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate=hover,
        )
    axis = date_axis(lang)
    fig.update_layout(barmode="stack", xaxis=axis, yaxis=title("axis.activities", lang))
    return style(fig, lang)


def participants(frames: Frames, lang: str, today: date) -> Figure:
    """Participants and volunteers per month (sums), two lines."""
    act = frame(frames, "activities").dropna(subset=["date"])
    if act.empty:
        return empty_figure(lang)
    month, shown = _months(act["date"])
    sums = act[["participants", "volunteers"]].fillna(0).groupby(month.rename("month")).sum()
    sums = sums.reindex(shown, fill_value=0)
    fig = Figure()
    hover = t("hover.month_count", lang) + "<extra>%{fullData.name}</extra>"
    for col, key, colour in (
        ("participants", "series.participants", PARTY_RED),
        ("volunteers", "series.volunteers", "#1f77b4"),
    ):
        fig.add_scatter(
            x=iso(sums.index),
            y=ints(sums[col]),
            name=t(key, lang),
            mode="lines+markers",
            line={"color": colour},
            hovertemplate=hover,
        )
    fig.update_layout(xaxis=date_axis(lang), yaxis=title("axis.people", lang))
    return style(fig, lang)


def by_category(frames: Frames, lang: str, today: date) -> Figure:
    """A doughnut of brands per category (categories in contract order)."""
    br = frame(frames, "brands")
    if br.empty:
        return empty_figure(lang)
    codes = list(contract.BRAND_CATEGORY.codes)
    counts = br["category"].value_counts().reindex(codes, fill_value=0)
    keep = [c for c in codes if counts[c] > 0]
    fig = Figure()
    fig.add_pie(
        labels=[enum_label(contract.BRAND_CATEGORY, c, lang) for c in keep],
        values=[int(counts[c]) for c in keep],
        marker={"colors": [PALETTE[codes.index(c) % len(PALETTE)] for c in keep]},
        hole=0.45,
        sort=False,
        textinfo="value",
        hovertemplate=t("hover.category_pie", lang) + "<extra></extra>",
    )
    return style(fig, lang)
