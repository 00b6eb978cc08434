"""The rows behind a clicked category: its label as drawn (either language) back to the value it shows.

A chart writes categories in the viewer's language ("第2党小组", "Elder care", "已签约"); the
insights' drill-down (``dashboard.insights.filters.drill``) takes codes and numbers. Either
language is accepted, so a link copied from an English board opens the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from dashboard import i18n
from dashboard.insights import filters as flt

# Drills on a number: the catalogue sentence its chart draws the number with.
_INT_LABELS: dict[str, str] = {"category": "category_n", "party_group": "party_group_n"}
_INT_RANGE = range(1, 7)  # 户类 1..6, party groups 1..4


def _rest_patterns() -> list[str]:
    """The summed bar's label ("其他 3 个单位" / "3 other units") in each language, any count."""
    out = [re.escape(i18n.t("series.tasks_other_units", lang, n=1)) for lang in i18n.LANGS]  # "1 other unit"
    for lang in i18n.LANGS:
        text = i18n.t("series.tasks_other_units", lang, n=987654321)
        out.append(re.escape(text).replace("987654321", r"[\d,]+"))
    return out


def value_of(chart_id: str, label: str) -> str | int | None:
    """The code, number or key that ``label`` (as drawn on ``chart_id``) stands for; None if none."""
    spec = flt.DRILLS.get(chart_id)
    if spec is None:
        return None
    label = str(label).strip()
    if spec.kind in ("key", "org_period"):  # a property id; "<org_code> <period>" of the org_life grid
        return label
    if spec.kind == "text":  # a value as entered; the "no unit" bar stands for the empty value
        if any(re.fullmatch(pattern, label) for pattern in _rest_patterns()):  # "其他 3 个单位"
            return flt.REST_OF_UNITS
        return "" if label in (i18n.t("series.tasks_no_unit", lang) for lang in i18n.LANGS) else label
    if spec.kind == "int":
        key = _INT_LABELS[spec.column]
        return next(
            (
                n
                for n in _INT_RANGE
                if label == str(n) or label in (i18n.t(key, lang, n=n) for lang in i18n.LANGS)
            ),
            None,
        )
    enum = flt.enum_for(spec)
    return next(
        (c for c in enum.codes if label in {c, *(i18n.enum_label(enum, c, lang) for lang in i18n.LANGS)}),
        None,
    )


def rows_behind(
    frames: Mapping[str, pd.DataFrame], chart_id: str, label: str
) -> tuple[str, pd.DataFrame] | None:
    """(dataset, rows) behind ``label`` of ``chart_id``; None if the label is none of its categories."""
    value = value_of(chart_id, label)
    return None if value is None else flt.drill(frames, chart_id, value)
