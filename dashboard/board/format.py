"""Insights' figures written out in the viewer's language: KPI values, changes, formulas, forecasts.

``dashboard.insights`` returns numbers, codes and dates; these functions are where they become
text (catalogue keys ``kpi.<id>``, ``kpi.<id>.formula``, ``delta.*``, ``forecast.*``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from dashboard import i18n
from dashboard.insights import CAMPAIGN_DAYS, Forecast, Kpi


def kpi_label(kpi: Kpi, lang: str) -> str:
    """The card's title, e.g. '签约率' / 'Signed'."""
    return i18n.t(f"kpi.{kpi.id}", lang)


def kpi_value_text(kpi: Kpi, lang: str) -> str:
    """'62.6%', '1,234', '−5 pp' / '−5 个百分点'."""
    if kpi.unit == "pct":
        return i18n.fmt_pct(kpi.value, lang)
    if kpi.unit == "pp":
        return i18n.fmt_pp(kpi.value, lang)
    if kpi.unit == "day" and kpi.value is not None:
        return i18n.t("day_n_of", lang, day=int(kpi.value), days=CAMPAIGN_DAYS)
    return i18n.fmt_int(kpi.value, lang)


def kpi_delta_figure(kpi: Kpi, lang: str) -> str:
    """A KPI's change, signed: rates change in points ('+3 个百分点'), counts in units ('−2')."""
    assert kpi.delta is not None
    if kpi.unit in ("pct", "pp"):
        points = kpi.delta * 100 if kpi.unit == "pct" else kpi.delta
        return i18n.fmt_pp(points, lang)
    sign = "+" if kpi.delta > 0 else "−" if kpi.delta < 0 else ""
    return sign + i18n.fmt_int(abs(kpi.delta), lang)


def kpi_delta_text(kpi: Kpi, lang: str) -> str:
    """'较上一版本 +3 个百分点' / '+3 pp since previous version'."""
    if kpi.delta is None:
        return i18n.t("delta.none", lang)
    return i18n.t("delta.since_previous", lang, delta=kpi_delta_figure(kpi, lang))


def kpi_formula_text(kpi: Kpi, lang: str) -> str:
    """The tooltip: the formula with this KPI's actual counts filled in."""
    args: dict[str, str] = {}
    for key, value in kpi.detail.items():
        if key == "month":
            args[key] = i18n.fmt_month(value, lang)
        elif isinstance(value, date):
            args[key] = i18n.fmt_date(value, lang)
        elif isinstance(value, float):
            args[key] = i18n.fmt_pct(value, lang)
        elif value is None:
            args[key] = i18n.MISSING
        else:
            args[key] = i18n.fmt_int(value, lang)
    return i18n.t(f"kpi.{kpi.id}.formula", lang, **args)


def forecast_text(fc: Forecast, lang: str) -> str:
    """'预计 2025年7月1日 完成' / 'All done on 3 May 2025' / no pace, no forecast."""
    if fc.done:
        return i18n.t("forecast.done", lang, date=i18n.fmt_date(fc.finish, lang))
    if fc.finish is None:
        return i18n.t("forecast.none", lang)
    return i18n.t("forecast.finish", lang, date=i18n.fmt_date(fc.finish, lang))


# The KPI trend line's drawing box (an SVG viewBox, stretched to the card's width by CSS).
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 100, 24, 2


def spark_points(values: Sequence[float | None]) -> str:
    """An SVG polyline's ``points`` for the values, oldest left: '0,22 3.4,18 …'.

    Scaled to the line's own range (a flat line sits mid-height); missing values are skipped;
    '' with fewer than two values (nothing to draw).
    """
    known = [(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    if len(known) < 2:
        return ""
    lo, hi = min(v for _, v in known), max(v for _, v in known)
    span = hi - lo
    inner = SPARK_HEIGHT - 2 * SPARK_PAD
    step = SPARK_WIDTH / max(1, len(values) - 1)

    def y(v: float) -> float:
        return SPARK_HEIGHT / 2 if span == 0 else SPARK_PAD + inner * (hi - v) / span

    return " ".join(f"{i * step:.1f},{y(v):.1f}" for i, v in known)


def spark_label(kpi: Kpi, values: Sequence[float | None], since: date, lang: str) -> str:
    """What the line shows, for screen readers and the hover title: '近 12 个更新日走势：61.5% → 85.7%'."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    first, last = (kpi_value_text(replace(kpi, value=v), lang) for v in (known[0], known[-1]))
    return i18n.t("kpi.spark", lang, n=len(values), since=i18n.fmt_date(since, lang), first=first, last=last)
