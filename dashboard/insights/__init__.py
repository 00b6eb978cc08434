"""What leaders read, computed from stored frames: KPIs, series, trends, warnings, filters, report.

Language-free (codes, numbers and dates; dashboard.board writes them out); no Reflex, no SQL of its own.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public names and the module that defines them; imported on first use so that
# importing the package (the CLI does) stays cheap.
_PUBLIC: dict[str, str] = {
    "FILTER_KEYS": "filters",
    "Filters": "filters",
    "options": "filters",
    "DrillSpec": "filters",
    "DRILLS": "filters",
    "drill": "filters",
    "enum_for": "filters",
    "Frames": "metrics",
    "Unit": "metrics",
    "Level": "metrics",
    "CAMPAIGN_DAYS": "metrics",
    "TERM_WARN_DAYS": "metrics",
    "PACE_WINDOW_DAYS": "metrics",
    "GAP_BAD_PP": "metrics",
    "MAX_POINTS": "metrics",
    "GRID_LIMIT": "metrics",
    "PROPERTY_STATUS_COLOURS": "metrics",
    "frame": "metrics",
    "at_least": "metrics",
    "community_name": "metrics",
    "campaign_start": "metrics",
    "campaign_day": "metrics",
    "effective_term_end": "metrics",
    "Kpi": "metrics",
    "brand_coverage": "metrics",
    "overview_kpis": "metrics",
    "cumulative": "metrics",
    "thin": "metrics",
    "Forecast": "metrics",
    "Burnup": "metrics",
    "BURNUP_STATUSES": "metrics",
    "forecast": "metrics",
    "burnup": "metrics",
    "ELECTIONS_TABLE_COLUMNS": "metrics",
    "elections_table": "metrics",
    "term_expiry": "metrics",
    "brand_cards": "metrics",
    "property_grid": "metrics",
    "MilestoneRag": "metrics",
    "milestone_status": "metrics",
    "RAG_COLOURS": "metrics",
    "REPORT_DAYS": "report",
    "REPORT_KPIS": "report",
    "Report": "report",
    "Upload": "report",
    "frames_as_of": "report",
    "build": "report",
    "TREND_PREFIX": "trends",
    "MAX_DAYS": "trends",
    "Measure": "trends",
    "MEASURES": "trends",
    "counts_by_version": "trends",
    "from_dates": "trends",
    "trend": "trends",
    "history": "trends",
    "get": "trends",
    "week_start": "trends",
    "SEVERITY": "warnings",
    "Rule": "warnings",
    "RULES": "warnings",
    "DATASET_BOARD": "warnings",
    "Warning": "warnings",
    "rhythm_days": "warnings",
    "milestone_warnings": "warnings",
    "gap_warnings": "warnings",
    "election_warnings": "warnings",
    "brand_warnings": "warnings",
    "stale_warnings": "warnings",
    "term_warnings": "warnings",
    "term_calendar": "warnings",
    "evaluate": "warnings",
    "org_life_warnings": "warnings",
    # 组织生活 (org_life): the rhythm each organisation owes, and what it held
    "RHYTHM": "org_life",
    "Period": "org_life",
    "periods": "org_life",
    "compliance": "org_life",
    "org_life_grid": "org_life",
    "cell_meetings": "org_life",
}
__all__ = sorted(_PUBLIC)


# Names re-exported under another name than the module's own (the grid is not the property grid).
_ALIASES: dict[str, str] = {"org_life_grid": "grid"}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), _ALIASES.get(name, name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
