"""The demo ledgers (ledgers/*.csv) and their loader, which imports them through the normal import path.

build.py rewrites the CSVs from the seed article's facts.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public names and the module that defines them; imported on first use so that
# importing the package (the CLI does) stays cheap.
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
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
