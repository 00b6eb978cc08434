"""Numbers and days typed into a URL or a command line, read in one place.

Such text comes from a person or a link, not from our code. ``str.isdigit`` says yes to '²'
(which ``int`` refuses) and ``int`` takes '٣' and '３'; ``int`` refuses 5000 digits and SQLite an
integer past 2**63; a day in year 1 or 9999 overflows once the weekly report counts back a week
or on to the next quarter, and a day after today would label today's data as a future week. Here
a number is ASCII digits below :data:`NUMBER_LIMIT` and a report day is ``YYYY-MM-DD`` between
:data:`EARLIEST_DAY` and the office's today.

A refusal is a :class:`BadParameter` carrying its catalogue key (``param.*``) and the values that
fill it: the HTTP routes answer 400 with it, the command line exits 2 with it. Nothing here knows
a language (the catalogue does).
"""

from __future__ import annotations

import re
from datetime import date

from dashboard import clock

#: Version numbers, ids and counts stay below this (PostgreSQL's integer; SQLite stops at 2**63).
NUMBER_LIMIT = 2**31
#: No ledger of the office is older; years 1 and 9999 overflow the report's date arithmetic.
EARLIEST_DAY = date(2000, 1, 1)

_NUMBER = re.compile(r"[0-9]{1,10}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN = 40  # characters of a refused value quoted back (not 5000 digits)


class BadParameter(ValueError):
    """A refused parameter: ``key`` names its catalogue entry, ``fmt`` fills it."""

    def __init__(self, key: str, **fmt: str) -> None:
        super().__init__(key)
        self.key = key
        self.fmt = fmt


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def number(text: str | None) -> int | None:
    """'12' -> 12; None for anything else: not 1 to 10 ASCII digits ('²', '٣', ' 3', '-1', ''), or
    not below :data:`NUMBER_LIMIT`."""
    if text is None or not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if value < NUMBER_LIMIT else None


def whole(text: str | None, key: str = "param.bad_number") -> int:
    """An id or count (0 and up) from a URL or an argument; :class:`BadParameter` (``key``) otherwise."""
    got = number(text)
    if got is None:
        raise BadParameter(key, text=_shown(text or ""))
    return got


def version(text: str | None) -> int:
    """A version number (0 and up) from a URL or an argument; :class:`BadParameter` otherwise."""
    return whole(text, "param.bad_version")


def report_day(text: str | None, today: date | None = None) -> date:
    """The last day of a report's week: ``YYYY-MM-DD`` from :data:`EARLIEST_DAY` to the office's
    today (``today``); empty or missing is today. :class:`BadParameter` otherwise."""
    today = today or clock.office_today()
    if not text:
        return today
    try:
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:  # 2026-13-01, 2026-02-30
        day = None
    if day is None:
        raise BadParameter("param.bad_date", text=_shown(text))
    if not EARLIEST_DAY <= day <= today:
        raise BadParameter(
            "param.date_range", text=_shown(text), first=EARLIEST_DAY.isoformat(), last=today.isoformat()
        )
    return day
