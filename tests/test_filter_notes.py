"""What a filtered board says: the ledgers each filter narrows, and the overview cards it leaves alone."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import contract
from dashboard.board import KPI_GROUPS, unfiltered_kpis
from dashboard.contract.scopes import Scope
from dashboard.insights import FILTER_KEYS, NARROWS, Filters
from tests.frames import demo_frames

TODAY = date(2026, 12, 7)

# One value per filter that keeps some rows of the demo ledgers and drops others.
SAMPLE: dict[str, str] = {
    "community": "示例社区A",
    "org_type": "village",
    "party_group": "2",
    "category": "1",
    "phase": "2",
    "from": "2026-11-01",
    "to": "2026-11-30",
    "domain": contract.TASK_DOMAIN.codes[0],
    "unit": "拆迁指挥部",
    "source": contract.TASK_SOURCE.codes[0],
    "meeting_type": contract.ORG_LIFE_TYPE.codes[0],
}


@pytest.fixture(scope="module")
def demo() -> dict:
    return demo_frames(TODAY)


def test_every_filter_declares_the_ledgers_it_narrows() -> None:
    assert set(NARROWS) == set(FILTER_KEYS) == set(SAMPLE)


@pytest.mark.parametrize("key", list(SAMPLE))
def test_a_filter_changes_no_ledger_but_those_it_declares(demo: dict, key: str) -> None:
    narrowed = Filters.from_query({key: SAMPLE[key]}).apply(demo)
    changed = {name for name in demo if len(narrowed[name]) != len(demo[name])}
    assert changed <= NARROWS[key]


def test_a_community_leaves_the_demolition_and_tasks_cards_unfiltered() -> None:
    marked = unfiltered_kpis(Filters.from_query({"community": "示例社区A"}))
    groups = {title: ids for title, ids in KPI_GROUPS}
    assert set(groups["board.demolition"]) <= set(marked)
    assert set(groups["board.tasks"]) <= set(marked)
    for narrowed in ("board.elections", "board.brands", "board.org_life"):
        assert not set(groups[narrowed]) & set(marked)


def test_a_party_group_narrows_only_the_demolition_cards() -> None:
    marked = set(unfiltered_kpis(Filters.from_query({"party_group": "2"})))
    every = {kid for _, ids in KPI_GROUPS for kid in ids}
    demolition = {kid for title, ids in KPI_GROUPS if title == "board.demolition" for kid in ids}
    assert marked == every - demolition


def test_dates_narrow_every_card_that_reads_a_dated_ledger() -> None:
    marked = unfiltered_kpis(Filters.from_query({"from": "2026-11-01"}))
    assert "signed_rate" not in marked and "tasks_open" not in marked
    assert "org_life_rate" not in marked  # org_life reads the elections ledger, which dates narrow


def test_nothing_is_marked_without_a_filter_in_the_link_even_for_a_scoped_account() -> None:
    scope = Scope.parse("community=示例社区A")
    assert unfiltered_kpis(None) == []
    assert unfiltered_kpis(Filters()) == []
    assert unfiltered_kpis(Filters(scope=scope)) == []
