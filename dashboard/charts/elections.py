"""换届 board: completion by organisation type, organisations by stage, completions over time."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import contract
from dashboard.charts.common import (
    GREY,
    PARTY_RED,
    TODAY_TOP,
    Figure,
    date_axis,
    empty_figure,
    ints,
    iso,
    style,
    title,
    today_line,
)
from dashboard.i18n import enum_label, fmt_pct, t
from dashboard.insights import Frames, cumulative, frame


def by_type(frames: Frames, lang: str, today: date) -> Figure:
    """Stacked bars per organisation type: completed and not yet completed."""
    el = frame(frames, "elections")
    if el.empty:
        return empty_figure(lang)
    codes = list(contract.ORG_TYPE.codes)
    totals = el["org_type"].value_counts().reindex(codes, fill_value=0)
    done = el.loc[el["stage"].eq("completed").fillna(False).astype(bool), "org_type"]
    done = done.value_counts().reindex(codes, fill_value=0)
    labels = [enum_label(contract.ORG_TYPE, c, lang) for c in codes]
    rates = [fmt_pct(d / n if n else None, lang) for d, n in zip(done, totals, strict=True)]
    custom = [[int(d), int(n), r] for d, n, r in zip(done, totals, rates, strict=True)]
    hover = t("hover.completed_of", lang) + "<extra></extra>"
    fig = Figure()
    fig.add_bar(
        x=labels,
        y=ints(done),
        name=t("series.completed", lang),
        marker_color=PARTY_RED,
        text=rates,
        textposition="inside",
        customdata=custom,
        hovertemplate=hover,
    )
    fig.add_bar(
        x=labels,
        y=ints(totals - done),
        name=t("series.not_completed", lang),
        marker_color=GREY,
        customdata=custom,
        hovertemplate=hover,
    )
    fig.update_layout(barmode="stack", yaxis=title("axis.orgs", lang))
    return style(fig, lang)


def by_stage(frames: Frames, lang: str, today: date) -> Figure:
    """Organisations at each stage, stages in contract order (empty stages shown as 0)."""
    el = frame(frames, "elections")
    if el.empty:
        return empty_figure(lang)
    codes = list(contract.ELECTION_STAGE.codes)
    counts = el["stage"].value_counts().reindex(codes, fill_value=0)
    fig = Figure()
    fig.add_bar(
        x=[enum_label(contract.ELECTION_STAGE, c, lang) for c in codes],
        y=ints(counts),
        text=ints(counts),
        textposition="outside",
        marker_color=[PARTY_RED if c == "completed" else "#f4a582" for c in codes],
        hovertemplate=t("hover.stage", lang) + "<extra></extra>",
        cliponaxis=False,
    )
    fig.update_layout(yaxis=title("axis.orgs", lang), xaxis=title("axis.stage", lang))
    return style(fig, lang, legend=False)


def cumulative_completions(frames: Frames, lang: str, today: date) -> Figure:
    """Cumulative completions per day (actual) against cumulative planned dates."""
    el = frame(frames, "elections")
    actual_dates = el["completed_date"].dropna()
    planned_dates = el["planned_date"].dropna()
    if actual_dates.empty and planned_dates.empty:
        return empty_figure(lang)
    start = min(d for d in (actual_dates.min(), planned_dates.min()) if pd.notna(d)).date()
    actual_end = max(today, actual_dates.max().date()) if not actual_dates.empty else today
    end = max(actual_end, planned_dates.max().date()) if not planned_dates.empty else actual_end
    actual = cumulative(actual_dates, start, actual_end)
    planned = cumulative(planned_dates, start, end)
    hover = t("hover.cumulative", lang) + "<extra>%{fullData.name}</extra>"
    fig = Figure()
    fig.add_scatter(
        x=iso(planned.index),
        y=ints(planned),
        name=t("series.planned", lang),
        mode="lines",
        line={"color": "#999999", "dash": "dash", "shape": "hv"},
        hovertemplate=hover,
    )
    fig.add_scatter(
        x=iso(actual.index),
        y=ints(actual),
        name=t("series.actual", lang),
        mode="lines",
        line={"color": PARTY_RED, "width": 3, "shape": "hv"},
        hovertemplate=hover,
    )
    today_line(fig, today, lang)
    fig.update_layout(xaxis=date_axis(lang), yaxis=title("axis.orgs", lang), hovermode="x unified")
    return style(fig, lang, top=TODAY_TOP)
