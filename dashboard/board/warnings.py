"""Warnings in the viewer's language: the reason of each open warning, and the term calendar CSV.

``dashboard.insights.warnings`` says which rule tripped and on which figures (``params``); here
the figures are written out (dates, percentages, points, enum labels, dataset titles) and put into
the rule's catalogue sentence ``warn.<rule id>``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from dashboard import contract, i18n
from dashboard.board.views import WarningRow
from dashboard.charts import org_life as org_life_text
from dashboard.insights import Warning, warnings
from dashboard.store import BOM, make_inert

# How each figure a rule quotes is written; dates are written as dates, anything else as it is.
_PARAMS: dict[str, Callable[[Any, str], str]] = {
    "gap": i18n.fmt_pp,
    "signed": i18n.fmt_pct,
    "time": i18n.fmt_pct,
    "progress": i18n.fmt_int,
    "expected": i18n.fmt_int,
    "stage": lambda code, lang: i18n.enum_label(contract.ELECTION_STAGE, code, lang),
    "dataset": lambda name, lang: i18n.dataset_title(contract.get_dataset(name), lang),
    "rate": lambda v, lang: _rate_below(v, lang),  # 督办 当日办结率 of the week, under its threshold
    "threshold": lambda v, lang: i18n.fmt_pct(v, lang, digits=0),
    # 组织生活: the meeting types missing, the period(s) they were due in
    "types": org_life_text.types_text,
    "period": org_life_text.period_text,
    "periods": lambda codes, lang: i18n.t("sep.list", lang).join(
        org_life_text.period_text(c, lang) for c in codes
    ),
}


def _rate_below(value: float, lang: str) -> str:
    """The week's 当日办结率 as the KPI card writes rates (one decimal), never rounded up onto the
    threshold it is under: 31 of 52 is '59.6%', 599 of 1,000 '59.9%', not '60%, below 60%'."""
    limit = warnings.RULES["task_same_day_rate_low"].threshold / 100
    return i18n.fmt_pct(min(value, limit - 0.001), lang) if value < limit else i18n.fmt_pct(value, lang)


def reason_params(w: Warning, lang: str) -> dict[str, Any]:
    """The figures of ``w`` as its sentence quotes them in ``lang``."""
    out: dict[str, Any] = {}
    for key, value in w.params.items():
        if key in _PARAMS:
            out[key] = _PARAMS[key](value, lang)
        elif isinstance(value, date):
            out[key] = i18n.fmt_date(value, lang)
        else:
            out[key] = value
    return out


def reason(w: Warning, lang: str) -> str:
    """The rule's sentence with the figures filled in, e.g. '进度差 −11 个百分点（签约率 39% − ...）'."""
    key = w.reason_key
    if w.params.get("days") == 0 and f"{key}.today" in i18n.CATALOGUE:  # due today: not "剩 0 天"
        key = f"{key}.today"
    return i18n.t(key, lang, **reason_params(w, lang))


def _around(text: str, name: str) -> dict[str, str]:
    """The reason split around the data name it quotes (before, name, after)."""
    before, found, after = text.partition(name) if name else (text, "", "")
    return {"before": before, "name": found, "after": after}


def warning_row(w: Warning, lang: str) -> WarningRow:
    """One open warning as the overview's panel (and the report, and the wall) shows it."""
    text = reason(w, lang)
    return WarningRow(
        rule=w.rule,
        level=w.level,
        level_label=i18n.t(f"warn.level.{w.level}", lang),
        board=w.board,
        board_label=i18n.t(f"board.{w.board}", lang),
        reason=text,
        **_around(text, w.name),
        link=w.link,
        since=i18n.t("warn.since", lang, date=i18n.fmt_date(w.since, lang)),
    )


TERM_CALENDAR_COLUMNS: tuple[str, ...] = ("org_code", "org_name", "org_type", "term_end", "days", "in_window")


def term_calendar_table(
    frames: Mapping[str, pd.DataFrame], today: date, lang: str = "zh"
) -> tuple[list[str], list[list[object]]]:
    """The term calendar as headers and typed rows (a date, a day count), for CSV and XLSX."""
    headers = [i18n.t(f"term_calendar.col.{c}", lang) for c in TERM_CALENDAR_COLUMNS]
    rows: list[list[object]] = [
        [
            str(row["org_code"]),
            str(row["org_name"]),
            i18n.enum_label(contract.ORG_TYPE, row["org_type"], lang),  # type: ignore[arg-type]
            row["term_end"],
            int(row["days"]),  # type: ignore[call-overload]
            i18n.t("term_calendar.yes" if row["in_window"] else "term_calendar.no", lang),
        ]
        for row in warnings.term_calendar(frames, today)
    ]
    return headers, rows


def term_calendar_csv(frames: Mapping[str, pd.DataFrame], today: date, lang: str = "zh") -> bytes:
    """The term calendar as CSV (UTF-8 with BOM so Excel reads it; formula-like cells made inert)."""
    headers, rows = term_calendar_table(frames, today, lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for org_code, org_name, org_type, term_end, days, in_window in rows:
        writer.writerow(
            [
                make_inert(str(org_code)),
                make_inert(str(org_name)),
                org_type,
                f"{term_end:%Y-%m-%d}",
                days,
                in_window,
            ]
        )
    return (BOM + buf.getvalue()).encode("utf-8")
