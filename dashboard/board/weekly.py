"""What /report shows, assembled: the week's text, the open warnings and the report's main charts.

The same page feeds the printable /report and the Word/PDF documents; charts come from the
process-wide view cache, so the report draws exactly what the boards draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from dashboard import clock
from dashboard.board import report as weekly_text
from dashboard.board.cache import CACHE
from dashboard.board.present import warning_rows
from dashboard.board.report import Figure
from dashboard.board.snapshot import load_snapshot
from dashboard.board.views import ChartView, WarningRow
from dashboard.insights import report
from dashboard.store import storage

# The main charts of the report, in order: (board, chart id).
REPORT_CHARTS: tuple[tuple[str, str], ...] = (
    ("elections", "elections_by_type"),
    ("brands", "brands_activities_month"),
    ("demolition", "demolition_burnup"),
    ("demolition", "demolition_trend"),
    ("demolition", "demolition_funnel"),
)


@dataclass
class WeeklyPage:
    title: str
    period: str
    figures: list[Figure] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    warnings: list[WarningRow] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)


def weekly_page(lang: str, engine: Engine | None = None, today: date | None = None) -> WeeklyPage:
    """Everything the weekly report shows, in ``lang``, as of ``today`` (office day)."""
    engine = engine or storage.make_engine()
    today = today or clock.office_today()
    snap = load_snapshot(engine, today)
    text = weekly_text.write(report.build(engine, snap.current, snap.latest, today), lang)
    charts = [
        ChartView(id=c.id, title=c.title, figure=c.figure)
        for board, chart_id in REPORT_CHARTS
        for c in CACHE.view(board, lang, today=today).charts
        if c.id == chart_id
    ]
    return WeeklyPage(
        title=text.title,
        period=text.period,
        figures=text.figures,
        summary=text.summary,
        uploads=text.uploads,
        warnings=warning_rows(snap, lang),
        charts=charts,
    )
