"""督办 board: open items by domain and by responsible unit, raised vs closed per week, ages of open items.

Every chart reads a bounded series from :mod:`dashboard.insights.tasks` (units beyond its limit
summed, the last weeks only, five age buckets), so a city's 20,000 items draw as small a figure as
the demo's 300. Open-item counts are one stacked bar each (overdue in red, within deadline in grey)
drawn by :func:`_open_bars` whatever the category.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dashboard import contract
from dashboard.charts.common import GREY, PARTY_RED, Figure, date_axis, empty_figure, ints, iso, style, title
from dashboard.i18n import enum_label, t
from dashboard.insights import Frames, frame
from dashboard.insights import tasks as insight

CLOSED_COLOUR = "#31a354"
BACKLOG_COLOUR = "#1f77b4"


def _open_bars(
    labels: Sequence[str],
    counts: Sequence[tuple[int, int]],
    lang: str,
    horizontal: bool,
    names: Sequence[str] | None = None,
) -> Figure:
    """Stacked bars per category: overdue (red) and within deadline (grey); counts are (open, overdue).

    ``names``: each category's name in the tooltip, when the axis shows it shorter (the ages' ranges)."""
    fig = Figure()
    hover = t("hover.tasks_open", lang) + "<extra></extra>"
    for key, colour, values in (
        ("series.tasks_overdue", PARTY_RED, [over for _, over in counts]),
        ("series.tasks_in_time", GREY, [n - over for n, over in counts]),
    ):
        cats, nums = list(labels), ints(values)
        fig.add_bar(
            x=nums if horizontal else cats,
            y=cats if horizontal else nums,
            orientation="h" if horizontal else "v",
            name=t(key, lang),
            marker_color=colour,
            customdata=[[c, n] for c, n in zip(names or cats, nums, strict=True)],
            hovertemplate=hover,
        )
    axis = title("axis.tasks", lang)
    if horizontal:
        fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"}, xaxis=axis)
    else:
        fig.update_layout(barmode="stack", yaxis=axis)
    return style(fig, lang, height=max(240, 28 * len(labels) + 110) if horizontal else 320)


def by_domain(frames: Frames, lang: str, today: date) -> Figure:
    """Open items per domain (every domain, contract order), overdue ones in red."""
    if frame(frames, "tasks").empty:
        return empty_figure(lang)
    got = insight.open_by(frames, "domain", today)
    labels = [enum_label(contract.TASK_DOMAIN, code, lang) for code, _, _ in got.counts]
    return _open_bars(labels, [(n, over) for _, n, over in got.counts], lang, horizontal=True)


def by_unit(frames: Frames, lang: str, today: date) -> Figure:
    """Open items per responsible unit, most first; units beyond insight.UNIT_LIMIT summed in one bar."""
    got = insight.open_by(frames, "unit", today)
    if not got.counts:
        return empty_figure(lang)
    labels = [unit or t("series.tasks_no_unit", lang) for unit, _, _ in got.counts]
    counts = [(n, over) for _, n, over in got.counts]
    if got.rest_values:
        labels.append(t("series.tasks_other_units", lang, n=got.rest_values))
        counts.append(got.rest)
    return _open_bars(labels, counts, lang, horizontal=True)


def flow(frames: Frames, lang: str, today: date) -> Figure:
    """Items raised and closed per week (bars) and the open backlog at each week's end (line)."""
    weeks = insight.weekly_flow(frames, today)
    if weeks.empty:
        return empty_figure(lang)
    x = iso(weeks.index)
    hover = t("hover.tasks_week", lang) + "<extra></extra>"
    fig = Figure()
    for col, colour in (("raised", PARTY_RED), ("closed", CLOSED_COLOUR)):
        fig.add_bar(
            x=x,
            y=ints(weeks[col]),
            name=t(f"series.tasks_{col}", lang),
            marker_color=colour,
            hovertemplate=hover,
        )
    fig.add_scatter(
        x=x,
        y=ints(weeks["backlog"]),
        name=t("series.tasks_backlog", lang),
        mode="lines+markers",
        line={"color": BACKLOG_COLOUR, "width": 2},
        hovertemplate=hover,
    )
    fig.update_layout(barmode="group", xaxis=date_axis(lang), yaxis=title("axis.tasks", lang))
    return style(fig, lang)


def ages(frames: Frames, lang: str, today: date) -> Figure:
    """Open items by days since raised (insight.AGE_BUCKETS), overdue ones in red."""
    buckets = insight.open_ages(frames, today)
    if not any(n for _, _, n, _ in buckets):
        return empty_figure(lang)
    # The ticks are the ranges alone, the unit is the axis title: "31–90 days" five times over does not
    # fit a phone's card, and plotly's tilted ticks then ran into the legend. The hover names the unit.
    ticks = [f"{lo}–{hi}" if hi is not None else f"{lo}+" for lo, hi, _, _ in buckets]
    names = [
        t("tasks.age_range", lang, lo=lo, hi=hi) if hi is not None else t("tasks.age_from", lang, lo=lo)
        for lo, hi, _, _ in buckets
    ]
    fig = _open_bars(ticks, [(n, over) for _, _, n, over in buckets], lang, horizontal=False, names=names)
    fig.update_xaxes(tickangle=0, **title("axis.tasks_age", lang))
    return style(fig, lang, height=320)
