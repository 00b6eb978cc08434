"""Office time: the one calendar every "today" and every shown time is counted in.

The office is in Asia/Shanghai whatever the server's zone: between 16:00 and
24:00 UTC the server's own date is a day behind the office's. Nothing here
knows a language; i18n formats, this module only says what day and hour it is.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Shanghai")
#: FOR DRILLS AND TESTS ONLY: seconds added to the office clock (``dashboard.bench faults`` sets it
#: so office midnight comes a few seconds after the server starts). Unset or 0 in production.
OFFSET_ENV = "DASHBOARD_CLOCK_OFFSET_S"


def _offset() -> timedelta:
    try:
        return timedelta(seconds=float(os.environ.get(OFFSET_ENV) or 0))
    except ValueError:  # a typo must not move the office's calendar
        return timedelta(0)


def office_today() -> date:
    """Today in office time; every "today" the product computes with is this one."""
    return office_now().date()


def office_now() -> datetime:
    """Now, as an aware time in office time."""
    return datetime.now(OFFICE_TZ) + _offset()


def office_time(value: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware time as the office reads it (Asia/Shanghai), whatever the server's zone."""
    return value.astimezone(OFFICE_TZ).strftime(fmt)
