"""The 组织生活 grid's columns name the year where it turns, quarters as months do.

A probe moved the office clock to New Year's Day: the months read 2月 … 12月 27年1月, but the
quarters 2季 3季 4季 1季, a bare 1季 after 4季 (2027's first quarter beside 2026's last three).
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.board import build_view
from dashboard.board.snapshot import Snapshot
from tests.frames import frames

ORG = {"org_code": "ORG-1", "org_name": "示例村01党支部", "org_type": "village", "stage": "completed",
       "completed_date": date(2026, 1, 5)}  # fmt: skip


def _columns(today: date, lang: str) -> list[str]:
    meetings = [{"org_code": "ORG-1", "date": date(2025, 12, 15), "type": "committee", "topic": "学习"}]
    snap = Snapshot(today=today, latest={}, current=frames(elections=[ORG], org_life=meetings))
    return [c.label for c in build_view(snap, "org_life", lang).org_life_columns]


@pytest.mark.parametrize(
    ("lang", "quarters"),
    [("zh", ["2季", "3季", "4季", "27年1季"]), ("en", ["Q2", "Q3", "Q4", "Q1 27"])],
)
def test_on_new_years_day_the_new_quarter_names_its_year(lang: str, quarters: list[str]) -> None:
    columns = _columns(date(2027, 1, 1), lang)
    assert columns[-4:] == quarters
    assert columns[11] == {"zh": "27年1月", "en": "Jan 27"}[lang]


def test_within_a_year_the_first_quarter_names_the_year_as_january_does() -> None:
    columns = _columns(date(2026, 12, 31), "zh")
    assert columns[0] == "26年1月" and columns[-4:] == ["26年1季", "2季", "3季", "4季"]
