"""The demo ledgers (ledgers/*.csv) and their loader, which imports them through the normal import path.

build.py rewrites the CSVs from the seed article's facts.
"""

from __future__ import annotations

from dashboard.lazy import exports

# Public names and the module that defines each (dashboard.lazy: imported on first use).
_PUBLIC: dict[str, str] = {
    "SEED": "build",
    "Row": "build",
    "SUPERVISORS": "build",
    "COMMUNITIES": "build",
    "elections": "build",
    "BRAND_SPECS": "build",
    "BRAND_NOTES": "build",
    "TYPE_MIX": "build",
    "TITLES": "build",
    "PEOPLE": "build",
    "brands": "build",
    "activities": "build",
    "SURNAMES": "build",
    "STATUS_COUNTS": "build",
    "UNSIGNED": "build",
    "demolition": "build",
    "MILESTONE_SPECS": "build",
    "OWNERS": "build",
    "milestones": "build",
    "meetings": "build",
    "write": "build",
    "DEMO_DIR": "load",
    "DEMO_ANCHOR": "load",
    "DEMO_USER": "load",
    "DEMO_USERS": "load",
    "DEMO_STAFF": "history",
    "uploads": "history",
    "as_of": "history",
    "CAMPAIGN_DAY": "load",
    "demo_path": "load",
    "shift_dates": "load",
    "demo_bytes": "load",
    "load_demo": "load",
}
__all__, __getattr__ = exports(__name__, _PUBLIC)
