"""品牌 board: activities per month by type, participants and volunteers, brands by category."""

from __future__ import annotations

from datetime import date

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
from dashboard.insights import Frames, activity_months, frame

MAX_MONTHS = 24  # the monthly charts show at most the last two years of data


def activities_per_month(frames: Frames, lang: str, today: date) -> Figure:
    """Stacked bars: activities per month, one colour per activity type."""
    data = activity_months(frames, MAX_MONTHS)
    if data is None:
        return empty_figure(lang)
    fig = Figure()
    hover = t("hover.month_count", lang) + "<extra>%{fullData.name}</extra>"
    x = iso(data.months)
    for i, code in enumerate(contract.ACTIVITY_TYPE.codes):
        if code not in data.by_type:
            continue
        fig.add_bar(
            x=x,
            y=ints(data.by_type[code]),
            name=enum_label(contract.ACTIVITY_TYPE, code, lang),
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate=hover,
        )
    axis = date_axis(lang)
    fig.update_layout(barmode="stack", xaxis=axis, yaxis=title("axis.activities", lang))
    return style(fig, lang)


def participants(frames: Frames, lang: str, today: date) -> Figure:
    """Participants and volunteers per month (sums), two lines."""
    data = activity_months(frames, MAX_MONTHS)
    if data is None:
        return empty_figure(lang)
    fig = Figure()
    hover = t("hover.month_count", lang) + "<extra>%{fullData.name}</extra>"
    for values, key, colour in (
        (data.participants, "series.participants", PARTY_RED),
        (data.volunteers, "series.volunteers", "#1f77b4"),
    ):
        fig.add_scatter(
            x=iso(data.months),
            y=ints(values),
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
