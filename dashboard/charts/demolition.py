"""拆迁 board: funnel, 签约率 by category and party group, burn-up, property grid, Gantt, meetings.

Only bar and scatter traces: the funnel is horizontal bars, the Gantt is
horizontal bars with a ``base``, the property grid is square scatter markers
(aggregated to bars above ``GRID_LIMIT`` properties so the page stays small).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

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
from dashboard.i18n import enum_label, fmt_date, fmt_pct, t
from dashboard.insights import (
    GRID_LIMIT,
    PROPERTY_STATUS_COLOURS,
    RAG_COLOURS,
    Frames,
    at_least,
    burnup,
    frame,
    milestone_status,
)
from dashboard.store import mask_name

STATUS = contract.PROPERTY_STATUS
DAY_MS = 86_400_000
GRID_COLUMNS = 10
MAX_WEEKS = 52
FORECAST_MARGIN_DAYS = 14  # the burn-up's x axis ends this long after day 100 (or today)


def funnel(frames: Frames, lang: str, today: date) -> Figure:
    """Properties at or past each status, 已摸底 at the top down to 已清运, with the share of all."""
    dem = frame(frames, "demolition")
    if dem.empty:
        return empty_figure(lang)
    total = len(dem)
    counts = [int(at_least(dem["status"], STATUS, c).sum()) for c in STATUS.codes]
    rates = [fmt_pct(n / total, lang) for n in counts]
    fig = Figure()
    fig.add_bar(
        y=[enum_label(STATUS, c, lang) for c in STATUS.codes],
        x=counts,
        orientation="h",
        marker_color=[PROPERTY_STATUS_COLOURS[c] for c in STATUS.codes],
        text=[f"{n} · {r}" for n, r in zip(counts, rates, strict=True)],
        textposition="auto",
        customdata=[[r] for r in rates],
        hovertemplate=t("hover.funnel", lang) + "<extra></extra>",
    )
    fig.update_layout(yaxis={"autorange": "reversed"}, xaxis=title("axis.properties", lang))
    return style(fig, lang, legend=False)


def _signed_by(
    frames: Frames, lang: str, column: str, values: range, label_key: str, axis_key: str
) -> Figure:
    dem = frame(frames, "demolition")
    if dem.empty:
        return empty_figure(lang)
    signed = at_least(dem["status"], STATUS, "signed")
    totals = dem[column].value_counts().reindex(values, fill_value=0)
    done = dem.loc[signed, column].value_counts().reindex(values, fill_value=0)
    rates = [d / n if n else 0.0 for d, n in zip(done, totals, strict=True)]
    texts = [fmt_pct(d / n if n else None, lang) for d, n in zip(done, totals, strict=True)]
    fig = Figure()
    fig.add_bar(
        x=[t(label_key, lang, n=v) for v in values],
        y=rates,
        marker_color=PARTY_RED,
        text=texts,
        textposition="outside",
        cliponaxis=False,
        customdata=[[int(d), int(n), s] for d, n, s in zip(done, totals, texts, strict=True)],
        hovertemplate=t("hover.rate_of", lang) + "<extra></extra>",
    )
    fig.update_layout(
        yaxis={"tickformat": ".0%", "range": [0, 1.1], **title("series.signed_rate", lang)},
        xaxis=title(axis_key, lang),
    )
    return style(fig, lang, legend=False)


def signed_by_category(frames: Frames, lang: str, today: date) -> Figure:
    """签约率 for each of the six household categories."""
    return _signed_by(frames, lang, "category", range(1, 7), "category_n", "axis.category")


def signed_by_group(frames: Frames, lang: str, today: date) -> Figure:
    """签约率 for each of the four party groups."""
    return _signed_by(frames, lang, "party_group", range(1, 5), "party_group_n", "axis.party_group")


def burnup_chart(frames: Frames, lang: str, today: date) -> Figure:
    """Cumulative signed / vacated / demolished against the linear 100-day plan, with forecasts."""
    data = burnup(frames, today)
    if data.total == 0:
        return empty_figure(lang)
    fig = Figure()
    if data.plan:
        fig.add_scatter(
            x=iso(d for d, _ in data.plan),
            y=[v for _, v in data.plan],
            name=t("series.plan", lang),
            mode="lines",
            line={"color": "#999999", "dash": "dash"},
            customdata=[[data.total]] * len(data.plan),
            hovertemplate=t("hover.plan", lang) + "<extra></extra>",
        )
    hover = t("hover.burnup", lang) + "<extra>%{fullData.name}</extra>"
    plan_end = data.plan[-1][0] if data.plan else today
    horizon = max(plan_end, today) + timedelta(days=FORECAST_MARGIN_DAYS)
    for code, series in data.series.items():
        if series.empty:
            continue
        colour = PROPERTY_STATUS_COLOURS[code]
        label = enum_label(STATUS, code, lang)
        fig.add_scatter(
            x=iso(series.index),
            y=ints(series),
            name=label,
            mode="lines",
            line={"color": colour, "width": 3, "shape": "hv"},
            customdata=[[fmt_pct(v / data.total, lang)] for v in series],
            hovertemplate=hover,
        )
        fc = data.forecasts[code]
        if fc.finish is not None and not fc.done:
            # a slow pace can put the finish years ahead: stop the line at the axis end
            current = int(series.iloc[-1])
            stop = min(fc.finish, horizon)
            fig.add_scatter(
                x=iso([today, stop]),
                y=[current, min(data.total, round(current + fc.pace * (stop - today).days, 1))],
                name=t("series.forecast", lang, status=label),
                mode="lines",
                line={"color": colour, "dash": "dot", "width": 2},
                customdata=[[f"{fc.pace:.1f}", fmt_date(fc.finish, lang)]] * 2,
                hovertemplate=t("hover.forecast", lang) + "<extra></extra>",
                showlegend=False,
            )
    today_line(fig, today, lang)
    fig.update_layout(xaxis=date_axis(lang), yaxis=title("axis.properties", lang))
    return style(fig, lang, height=360, top=TODAY_TOP)


def property_grid(frames: Frames, lang: str, today: date) -> Figure:
    """The 战果图: a square per property, coloured by status, grouped by party group.

    Households are always masked (张**): the figure is shown to every role.
    Above GRID_LIMIT properties it becomes stacked bars per party group.
    """
    dem = frame(frames, "demolition")
    if dem.empty:
        return empty_figure(lang)
    if len(dem) > GRID_LIMIT:
        return _grid_aggregated(dem, lang)
    xs: dict[str, list[int]] = {c: [] for c in STATUS.codes}
    ys: dict[str, list[int]] = {c: [] for c in STATUS.codes}
    custom: dict[str, list[list[str]]] = {c: [] for c in STATUS.codes}
    fig = Figure()
    row = 0
    for g in sorted(int(v) for v in dem["party_group"].dropna().unique()):
        rows = dem[dem["party_group"].eq(g).fillna(False).astype(bool)]
        fig.add_annotation(
            x=-0.5,
            y=row,
            text=t("party_group_n", lang, n=g),
            showarrow=False,
            xanchor="left",
            font={"size": 12},
        )
        row += 1
        for i, r in enumerate(rows.itertuples(index=False)):
            code = r.status if isinstance(r.status, str) else None
            if code is None:
                continue
            xs[code].append(i % GRID_COLUMNS)
            ys[code].append(row + i // GRID_COLUMNS)
            custom[code].append(
                [str(r.property_id), mask_name(r.household) or "", enum_label(STATUS, code, lang)]
            )
        row += math.ceil(len(rows) / GRID_COLUMNS) + 0
    for code in STATUS.codes:
        fig.add_scatter(
            x=xs[code],
            y=ys[code],
            name=enum_label(STATUS, code, lang),
            mode="markers",
            marker={"symbol": "square", "size": 16, "color": PROPERTY_STATUS_COLOURS[code]},
            customdata=custom[code],
            hovertemplate=t("hover.grid", lang) + "<extra></extra>",
        )
    hidden = {"visible": False, "fixedrange": True}
    fig.update_layout(
        xaxis={**hidden, "range": [-0.7, GRID_COLUMNS - 0.3]},
        yaxis={**hidden, "autorange": "reversed"},
        dragmode=False,
    )
    return style(fig, lang, height=max(200, 22 * row + 80))


def _grid_aggregated(dem: pd.DataFrame, lang: str) -> Figure:
    groups = sorted(int(v) for v in dem["party_group"].dropna().unique())
    table = dem.groupby(["party_group", "status"]).size().unstack(fill_value=0).reindex(groups, fill_value=0)
    labels = [t("party_group_n", lang, n=g) for g in groups]
    fig = Figure()
    for code in STATUS.codes:
        values = ints(table[code]) if code in table.columns else [0] * len(groups)
        fig.add_bar(
            y=labels,
            x=values,
            orientation="h",
            name=enum_label(STATUS, code, lang),
            marker_color=PROPERTY_STATUS_COLOURS[code],
            hovertemplate=t("hover.grid_group", lang) + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"}, xaxis=title("axis.properties", lang))
    return style(fig, lang)


_RAG_KEYS = {
    "done": "series.gantt_done",
    "on_track": "series.gantt_on_track",
    "late": "series.gantt_late",
    "overdue": "series.gantt_overdue",
}


def gantt(frames: Frames, lang: str, today: date) -> Figure:
    """Milestones by phase: the planned window (grey) and the actual bar coloured red/yellow/green.

    The actual bar runs from the planned start to the actual end, or to today
    while unfinished; colours from ``metrics.milestone_status``.
    """
    ms = frame(frames, "milestones").dropna(subset=["planned_start", "planned_end"])
    if ms.empty:
        return empty_figure(lang)
    ms = ms.sort_values(["phase", "planned_start", "milestone_code"])
    labels = [f"{t('phase_n', lang, n=int(r.phase))} · {r.name}" for r in ms.itertuples(index=False)]
    if len(set(labels)) < len(labels):
        labels = [
            f"{lab} ({r.milestone_code})" for lab, r in zip(labels, ms.itertuples(index=False), strict=True)
        ]
    one_day = pd.Timedelta(days=1)
    fig = Figure()
    fig.add_bar(
        y=labels,
        x=[
            ((r.planned_end - r.planned_start + one_day) / pd.Timedelta(milliseconds=1))
            for r in ms.itertuples()
        ],
        base=iso(ms["planned_start"]),
        orientation="h",
        name=t("series.gantt_planned", lang),
        marker_color="#e0e0e0",
        width=0.8,
        customdata=[
            [fmt_date(r.planned_start, lang), fmt_date(r.planned_end, lang), fmt_pct(_pct(r.progress), lang)]
            for r in ms.itertuples()
        ],
        hovertemplate=t("hover.gantt", lang) + "<extra>%{fullData.name}</extra>",
    )
    bars: dict[str, dict[str, list]] = {k: {"y": [], "x": [], "base": [], "custom": []} for k in _RAG_KEYS}
    for label, r in zip(labels, ms.itertuples(), strict=True):
        actual = r.actual_end if pd.notna(r.actual_end) else None
        status = milestone_status(r.planned_start, r.planned_end, actual, _num(r.progress), today)
        if status == "not_started":
            continue
        end = actual if actual is not None else pd.Timestamp(today)
        b = bars[status]
        b["y"].append(label)
        b["x"].append(max(0.0, (end - r.planned_start + one_day) / pd.Timedelta(milliseconds=1)))
        b["base"].append(f"{r.planned_start:%Y-%m-%d}")
        b["custom"].append(
            [fmt_date(r.planned_start, lang), fmt_date(end, lang), fmt_pct(_pct(r.progress), lang)]
        )
    for status, b in bars.items():
        if not b["y"]:
            continue
        fig.add_bar(
            y=b["y"],
            x=b["x"],
            base=b["base"],
            orientation="h",
            name=t(_RAG_KEYS[status], lang),
            marker_color=RAG_COLOURS[status],
            width=0.4,
            customdata=b["custom"],
            hovertemplate=t("hover.gantt", lang) + "<extra>%{fullData.name}</extra>",
        )
    today_line(fig, today, lang)
    fig.update_layout(barmode="overlay", xaxis=date_axis(lang), yaxis={"autorange": "reversed"})
    return style(fig, lang, height=max(220, 34 * len(labels) + 90), top=TODAY_TOP)


def _num(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]


def _pct(v: object) -> float | None:
    n = _num(v)
    return None if n is None else n / 100


def meetings_per_week(frames: Frames, lang: str, today: date) -> Figure:
    """Dispatch meetings and weekly meetings per week (weeks start on Monday), stacked."""
    mt = frame(frames, "meetings").dropna(subset=["date"])
    mt = mt[mt["type"].isin(["dispatch", "weekly"]).fillna(False).astype(bool)]
    if mt.empty:
        return empty_figure(lang)
    week = (mt["date"] - pd.to_timedelta(mt["date"].dt.day_of_week, unit="D")).dt.normalize()
    last = week.max()
    first = max(week.min(), last - timedelta(weeks=MAX_WEEKS - 1))
    shown = pd.date_range(first, last, freq="7D")
    table = mt.groupby([week.rename("week"), mt["type"].rename("type")]).size().unstack(fill_value=0)
    table = table.reindex(shown, fill_value=0)
    fig = Figure()
    for code, colour in (("dispatch", PARTY_RED), ("weekly", GREY)):
        if code not in table.columns:
            continue
        fig.add_bar(
            x=iso(table.index),
            y=ints(table[code]),
            name=enum_label(contract.MEETING_TYPE, code, lang),
            marker_color=colour,
            hovertemplate=t("hover.meetings", lang) + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", xaxis=date_axis(lang), yaxis=title("axis.meetings", lang))
    return style(fig, lang)
