"""组织生活 board: meetings held against the rhythm, by organisation type and by period; attendance;
the organisations with the most gaps. (The compliance grid is HTML: ``board/present.py``.)

Counts of meetings held only: no person appears in any chart (see ``insights.org_life``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dashboard import contract
from dashboard.charts.common import Figure, empty_figure, ints, style, title
from dashboard.i18n import enum_label, fmt_month, fmt_pct, t
from dashboard.insights import Frames, org_life

STATUS_ORDER: tuple[str, ...] = ("held", "missing", "not_due")


def period_text(code: str, lang: str) -> str:
    """'2026-03' -> '2026年3月' / 'March 2026'; '2026-Q1' -> '2026年第1季度' / 'Q1 2026'."""
    p = org_life.parse_period(code)
    if p is None:
        return str(code)
    if p.kind == "month":
        return fmt_month(p.start, lang)
    return t("org_life.quarter", lang, year=p.start.year, q=(p.start.month - 1) // 3 + 1)


def period_short(code: str, lang: str) -> str:
    """A column heading: '3月' / 'Mar', '2季' / 'Q2'; January and Q1 name their year ('26年1月' /
    'Jan 26', '27年1季' / 'Q1 27'), so on New Year's Day the quarters read 2季 3季 4季 27年1季, not a
    bare 1季 after 4季."""
    p = org_life.parse_period(code)
    if p is None:
        return str(code)
    yy = f"{p.start:%y}"
    if p.kind == "quarter":
        q = (p.start.month - 1) // 3 + 1
        return t("org_life.quarter_short_year" if q == 1 else "org_life.quarter_short", lang, q=q, yy=yy)
    key = "org_life.month_short_year" if p.start.month == 1 else "org_life.month_short"
    return t(key, lang, yy=yy, m=p.start.month if lang == "zh" else f"{p.start:%b}")


def types_text(codes: list[str], lang: str) -> str:
    """Meeting types as a list in a sentence: '支委会、主题党日' / 'Branch committee, Party day'."""
    return t("sep.list", lang).join(enum_label(contract.ORG_LIFE_TYPE, c, lang) for c in codes)


def _status_bars(fig: Figure, x: list[str], rows: list[dict[str, Any]], lang: str) -> None:
    """Stacked bars of meetings held / missing / not yet due, the 达标率 on hover."""
    rates = [fmt_pct(r["rate"], lang) for r in rows]
    hover = t("hover.org_life_status", lang) + "<extra>%{fullData.name}</extra>"
    for status in STATUS_ORDER:
        values = [r[status] for r in rows]
        if status == "not_due" and not any(values):
            continue
        fig.add_bar(
            x=x,
            y=ints(values),
            name=t(f"org_life.status.{status}", lang),
            marker_color=org_life.STATUS_COLOURS[status],
            customdata=[[v, rate] for v, rate in zip(values, rates, strict=True)],
            hovertemplate=hover,
            text=rates if status == "held" else None,
            textposition="inside" if status == "held" else None,
        )
    fig.update_layout(barmode="stack", yaxis=title("axis.meetings_required", lang))


def by_org_type(frames: Frames, lang: str, today: date) -> Figure:
    """Required meetings of the last twelve months per organisation type: held, missing, open."""
    cells = org_life.compliance(frames, today)
    if cells.empty:
        return empty_figure(lang)
    rows = org_life.by_org_type(cells)
    fig = Figure()
    _status_bars(fig, [enum_label(contract.ORG_TYPE, r["org_type"], lang) for r in rows], rows, lang)
    return style(fig, lang)


def by_period(frames: Frames, lang: str, today: date) -> Figure:
    """Required meetings per month (per quarter when only quarterly types are required)."""
    rows = org_life.by_period(org_life.compliance(frames, today))
    if not rows:
        return empty_figure(lang)
    fig = Figure()
    _status_bars(fig, [period_short(r["period"], lang) for r in rows], rows, lang)
    fig.update_xaxes(type="category", tickangle=0)
    return style(fig, lang)


def _org_bars(names: list[str], values: list[float], colour: str, hover: str, custom: list[Any]) -> Figure:
    """Organisations as horizontal bars, the first row on top (names are data, as entered)."""
    fig = Figure()
    fig.add_bar(
        x=values[::-1],
        y=names[::-1],
        orientation="h",
        marker_color=colour,
        customdata=custom[::-1],
        hovertemplate=hover + "<extra></extra>",
    )
    fig.update_yaxes(type="category")
    return fig


def _height(rows: int) -> int:
    return max(200, 60 + 24 * rows)


def gaps(frames: Frames, lang: str, today: date) -> Figure:
    """The organisations with the most missing meetings (GAP_ORGS), most first."""
    rows, total = org_life.gaps_by_org(org_life.compliance(frames, today))
    if not rows:
        return empty_figure(lang)
    fig = _org_bars(
        [r["org_name"] for r in rows],
        [r["missing"] for r in rows],
        org_life.STATUS_COLOURS["missing"],
        t("hover.org_life_gaps", lang),
        [[r["missing"], r["due"], fmt_pct(r["rate"], lang)] for r in rows],
    )
    fig.update_layout(xaxis=title("axis.meetings_missing", lang))
    fig.update_xaxes(dtick=1, rangemode="tozero")
    if total > len(rows):
        fig.add_annotation(
            text=t("org_life.more_orgs", lang, n=total - len(rows)),
            x=1,
            y=0,
            xref="paper",
            yref="paper",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": 11, "color": "#999999"},
        )
    return style(fig, lang, legend=False, height=_height(len(rows)))


def attendance(frames: Frames, lang: str, today: date) -> Figure:
    """实到 / 应到 of the organisations with the lowest attendance (ATTENDANCE_ORGS), lowest first."""
    rows, totals = org_life.attendance(frames, today)
    if not rows:
        return empty_figure(lang)
    fig = _org_bars(
        [r["org_name"] for r in rows],
        [round(r["rate"], 4) for r in rows],
        "#3182bd",
        t("hover.org_life_attendance", lang),
        [[r["attended"], r["expected"], r["meetings"]] for r in rows],
    )
    overall = totals["attended"] / totals["expected"] if totals["expected"] else None
    if overall is not None:
        fig.add_vline(x=overall, line={"color": "#999999", "dash": "dot", "width": 1})
        fig.add_annotation(
            text=t("series.org_life_overall", lang, rate=fmt_pct(overall, lang)),
            x=overall,
            y=1,
            xref="x",
            yref="paper",
            showarrow=False,
            yanchor="bottom",
            font={"size": 11},
        )
    lowest = min(r["rate"] for r in rows)
    fig.update_layout(xaxis=title("axis.attendance", lang))
    fig.update_xaxes(tickformat=".0%", range=[max(0.0, lowest - 0.1), 1.0])
    return style(fig, lang, legend=False, height=_height(len(rows)), top=22)
