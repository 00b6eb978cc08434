"""Figures remembered per data version (insights.memo) equal the figures computed afresh.

The view cache hands the same frame object to every snapshot while a version is current, so
the KPIs, warnings and brand cards are computed once per version of what they read. For random
sequences of versions (one ledger at a time cut to a random share of its rows, the day moving
on), what the remembered path gives must equal computing from copies nobody has seen before.
"""

from __future__ import annotations

import gc
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import contract
from dashboard.insights import metrics, warnings
from dashboard.insights.memo import FrameMemo
from tests.frames import demo_frames

DAY = date(2026, 3, 18)
versions = st.lists(
    st.tuples(st.sampled_from(sorted(contract.DATASETS)), st.integers(0, 2**31), st.integers(0, 2)),
    min_size=1,
    max_size=5,
)


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames(DAY)


def _fresh(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: f.copy(deep=True) for name, f in frames.items()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions)
def test_remembered_kpis_and_warnings_equal_those_computed_afresh(
    demo: dict[str, pd.DataFrame], sequence: list[tuple[str, int, int]]
) -> None:
    current = dict(demo)
    previous = {name: demo[name].iloc[0:0] for name in demo}
    for dataset, seed, days in sequence:
        today = DAY + timedelta(days=days)
        previous = {**previous, dataset: current[dataset]}
        current = {**current, dataset: demo[dataset].sample(frac=0.7, random_state=seed % 2**32).sort_index()}
        for _ in range(2):  # the second time from the memo
            assert metrics.overview_kpis(current, previous, today) == metrics.overview_kpis(
                _fresh(current), _fresh(previous), today
            )
            assert warnings.evaluate(current, {}, today) == warnings.evaluate(_fresh(current), {}, today)
            assert metrics.brand_cards(current, today) == metrics.brand_cards(_fresh(current), today)


def test_a_result_is_kept_for_the_same_frames_only() -> None:
    memo = FrameMemo(size=4)
    calls: list[int] = []

    def compute(n: int) -> int:
        calls.append(n)
        return n

    a, b = pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]})
    assert memo.get("f", (a,), None, lambda: compute(1)) == 1
    assert memo.get("f", (a,), None, lambda: compute(2)) == 1  # the same object: remembered
    assert memo.get("f", (b,), None, lambda: compute(3)) == 3  # equal content, another version
    assert memo.get("f", (a,), "other day", lambda: compute(4)) == 4
    assert memo.get("g", (a,), None, lambda: compute(5)) == 5
    assert calls == [1, 3, 4, 5]
    del a
    gc.collect()
    c = pd.DataFrame({"x": [2]})  # may reuse the freed id: still computed afresh
    assert memo.get("f", (c,), None, lambda: compute(6)) == 6
    for i in range(10):  # bounded: the oldest entries go
        memo.get("h", (b,), i, lambda i=i: compute(i))
    assert len(memo._entries) == 4


def test_activity_months_equal_grouping_by_period(demo: dict[str, pd.DataFrame]) -> None:
    """The numpy month counts give what grouping the rows by calendar month gives (the former code)."""
    act = demo["activities"].copy()
    act.loc[act.index[::7], "date"] = pd.NaT  # undated rows are left out
    act.loc[act.index[::5], "participants"] = pd.NA
    for months in (24, 3):
        got = metrics.activity_months({"activities": act}, months)
        assert got is not None
        dated = act.dropna(subset=["date"])
        month = dated["date"].dt.to_period("M").dt.to_timestamp()
        last = month.max()
        first = max(month.min(), last - pd.DateOffset(months=months - 1))
        shown = pd.date_range(first, last, freq="MS")
        assert list(got.months) == list(shown)
        table = dated.groupby([month.rename("m"), dated["type"].rename("t")]).size().unstack(fill_value=0)
        table = table.reindex(shown, fill_value=0)
        assert {c: list(v) for c, v in got.by_type.items()} == {c: list(table[c]) for c in table.columns}
        sums = dated[["participants", "volunteers"]].fillna(0).groupby(month).sum()
        sums = sums.reindex(shown, fill_value=0)
        assert list(got.participants) == [int(v) for v in sums["participants"]]
        assert list(got.volunteers) == [int(v) for v in sums["volunteers"]]
    assert metrics.activity_months({"activities": act.iloc[0:0]}, 24) is None
