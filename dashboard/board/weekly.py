"""What /report shows, assembled: the week's text, the open warnings and the report's main charts.

The same page feeds the printable /report and the Word/PDF documents (dashboard.notify.document);
its charts are the boards' own views (the process-wide view cache for the live page), so the report
draws exactly what the boards draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from dashboard import clock, i18n
from dashboard.board import report as weekly_text
from dashboard.board.cache import CACHE
from dashboard.board.present import build_view, warning_rows
from dashboard.board.report import Figure
from dashboard.board.snapshot import Snapshot, filtered, load_snapshot, snapshot_as_of
from dashboard.board.views import BoardView, ChartView, WarningRow
from dashboard.charts import registry
from dashboard.contract.scopes import Scope
from dashboard.insights import Filters, report
from dashboard.store import storage


@dataclass
class WeeklyPage:
    title: str
    period: str
    as_of: str = ""  # "数据截至 2026年12月1日 09:30": the newest version the report read
    figures: list[Figure] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    warnings: list[WarningRow] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)


def _as_of(snap: Snapshot, lang: str) -> str:
    newest = max((v.created_at for v in snap.latest.values()), default=None)
    if newest is None:
        return i18n.t("app.not_imported", lang)
    return i18n.t("report.doc.as_of", lang, time=i18n.fmt_datetime(newest, lang))


def weekly_page(
    lang: str, engine: Engine | None = None, today: date | None = None, scope: Scope | None = None
) -> WeeklyPage:
    """Everything the weekly report shows, in ``lang``, for the week ending ``today`` (office day).

    Without ``engine`` and ``today`` it is the live /report page: the newest data, charts from this
    worker's view cache. With either (the Word/PDF documents, the CLI) it reads that database as it
    stood at the end of ``today`` and draws the charts from that snapshot, so a past week's report
    shows that week's data. ``scope``: a scoped viewer's report, its scope's rows only.
    """
    live = engine is None and today is None
    engine = engine or storage.make_engine()
    today = today or clock.office_today()
    whole = load_snapshot(engine, today) if live else snapshot_as_of(engine, today)
    within = Filters(scope=scope)
    snap = filtered(whole, within)
    text = weekly_text.write(report.build(engine, snap.current, snap.latest, today, scope), lang)
    views: dict[str, BoardView] = {}
    charts = []
    for board, chart_id in registry.REPORT:  # the report's charts: one list, the documents' too
        if board not in views:
            views[board] = (
                CACHE.view(board, lang, today=today, filters=within)
                if live
                else build_view(whole, board, lang, within)
            )
        charts += [ChartView(c.id, c.title, c.figure) for c in views[board].charts if c.id == chart_id]
    return WeeklyPage(
        title=text.title,
        period=text.period,
        as_of=_as_of(snap, lang),
        figures=text.figures,
        summary=text.summary,
        uploads=text.uploads,
        warnings=warning_rows(snap, lang),
        charts=charts,
    )
