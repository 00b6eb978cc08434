"""The presenter: each board's view models, formatted in the viewer's language, and the per-worker view cache.

Reads insights and store, never Reflex; states, api and cli show what it builds.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public names and the module that defines them; imported on first use (the CLI imports little).
_PUBLIC: dict[str, str] = {
    "BOARDS": "views",
    "BoardView": "views",
    "WeeklyPage": "weekly",
    "weekly_page": "weekly",
    "BrandCard": "views",
    "ChartView": "views",
    "ExpiryRow": "views",
    "Freshness": "views",
    "GridCell": "views",
    "GridGroup": "views",
    "KpiGroup": "views",
    "KpiView": "views",
    "OrgRow": "views",
    "Swatch": "views",
    "WarningRow": "views",
    "FrameStore": "snapshot",
    "Snapshot": "snapshot",
    "load_snapshot": "snapshot",
    "snapshot_as_of": "snapshot",
    "filtered": "snapshot",
    "BOARD_DATASETS": "present",
    "TABLE_LIMIT": "present",
    "FILTER_CHOICES_LIMIT": "present",
    "CARD_LIMIT": "present",
    "DEMO_USERS": "present",
    "HTML_INSTEAD": "present",
    "KPI_GROUPS": "present",
    "build_view": "present",
    "freshness": "present",
    "kpi_groups": "present",
    "filter_options": "present",
    "open_warnings": "present",
    "warning_rows": "present",
    "kpi_label": "format",
    "kpi_value_text": "format",
    "kpi_delta_figure": "format",
    "kpi_delta_text": "format",
    "kpi_formula_text": "format",
    "forecast_text": "format",
    "org_row": "rows",
    "expiry_row": "rows",
    "brand_card": "rows",
    "grid_group": "rows",
    "grid_label": "rows",
    "reason": "warnings",
    "reason_params": "warnings",
    "warning_row": "warnings",
    "TERM_CALENDAR_COLUMNS": "warnings",
    "term_calendar_csv": "warnings",
    "value_of": "drill",
    "rows_behind": "drill",
    "Figure": "report",
    "ReportText": "report",
    "ViewCache": "cache",
    "CACHE": "cache",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
