"""Board filters from the URL narrow every dataset they concern; drill-down finds the rows behind a label."""

from __future__ import annotations

from datetime import date

from dashboard.board import drill as board_drill
from dashboard.charts import registry
from dashboard.insights import metrics
from dashboard.insights.filters import Filters, drill, options
from tests.frames import frames

TODAY = date(2025, 6, 30)


def town() -> dict:
    props = [
        {"property_id": f"P{i}", "household": "张三丰", "category": 1 + i % 3, "party_group": 1 + i % 2,
         "status": "signed" if i < 4 else "surveyed", "signed_date": date(2025, 6, 1 + i) if i < 4 else None}
        for i in range(8)
    ]  # fmt: skip
    orgs = [
        {"org_code": "O1", "org_name": "常春藤社区党委", "org_type": "community", "members": 5,
         "stage": "completed", "completed_date": date(2025, 5, 1)},
        {"org_code": "O2", "org_name": "东辛村党支部", "org_type": "village", "members": 5,
         "stage": "voting"},
    ]  # fmt: skip
    brands = [
        {"project_code": "B1", "community": "常春藤社区", "brand_name": "连心网络", "category": "network",
         "status": "launched"},
        {"project_code": "B2", "community": "创科社区", "brand_name": "先锋驿站", "category": "elder_care",
         "status": "planning"},
    ]  # fmt: skip
    acts = [
        {"date": date(2025, 6, d), "project_code": p, "title": f"a{d}", "type": "health", "participants": 10}
        for d, p in ((1, "B1"), (2, "B2"), (20, "B1"))
    ]
    return frames(demolition=props, elections=orgs, brands=brands, activities=acts)


def test_filters_round_trip_through_the_query_string_and_ignore_bad_values() -> None:
    f = Filters.from_query({"community": "常春藤社区", "party_group": "2", "from": "2025-06-01", "to": "bad",
                            "category": "9", "org_type": "village", "phase": "x"})  # fmt: skip
    assert f == Filters(community="常春藤社区", org_type="village", party_group=2, start=date(2025, 6, 1))
    assert Filters.from_query(dict(pair.split("=") for pair in f.query_string().split("&"))) != Filters()
    assert f.query() == {
        "community": "常春藤社区",
        "org_type": "village",
        "party_group": "2",
        "from": "2025-06-01",
    }
    assert Filters().empty and Filters().key == "" and len(f.key) == 12


def test_a_party_group_filter_changes_every_demolition_figure_consistently() -> None:
    f = Filters(party_group=1).apply(town())
    assert f["demolition"]["property_id"].tolist() == ["P0", "P2", "P4", "P6"]
    kpis = {k.id: k for k in metrics.overview_kpis(f, {}, TODAY)}
    assert kpis["signed_rate"].detail == {"count": 2, "total": 4}
    assert f["elections"].shape[0] == 2  # not concerned


def test_a_community_filter_narrows_brands_their_activities_and_the_community_organisation() -> None:
    f = Filters(community="常春藤社区").apply(town())
    assert f["brands"]["project_code"].tolist() == ["B1"]
    assert f["activities"]["title"].tolist() == ["a1", "a20"]
    assert f["elections"]["org_code"].tolist() == ["O1"]


def test_a_date_range_keeps_rows_dated_inside_it_inclusive() -> None:
    f = Filters(start=date(2025, 6, 2), end=date(2025, 6, 3)).apply(town())
    assert f["demolition"]["property_id"].tolist() == ["P1", "P2"]
    assert f["activities"]["title"].tolist() == ["a2"]
    assert f["elections"]["org_code"].tolist() == []


def test_options_list_the_values_present() -> None:
    opts = options(town())
    assert opts["community"] == ["创科社区", "常春藤社区"]
    assert opts["party_group"] == ["1", "2"] and opts["category"] == ["1", "2", "3"]


def test_drill_down_returns_exactly_the_rows_behind_a_value() -> None:
    t = town()
    ds, rows = drill(t, "demolition_by_group", 2)
    assert ds == "demolition" and rows["property_id"].tolist() == ["P1", "P3", "P5", "P7"]
    _, rows = drill(t, "demolition_by_category", 3)
    assert rows["property_id"].tolist() == ["P2", "P5"]
    _, rows = drill(t, "demolition_funnel", "signed")  # at or past 已签约, as the funnel counts
    assert rows["property_id"].tolist() == ["P0", "P1", "P2", "P3"]
    _, rows = drill(t, "elections_by_type", "village")
    assert rows["org_code"].tolist() == ["O2"]
    _, rows = drill(t, "brands_by_category", "elder_care")
    assert rows["project_code"].tolist() == ["B2"]
    _, rows = drill(t, "demolition_grid", "P4")
    assert rows["property_id"].tolist() == ["P4"]
    assert drill(t, "elections_by_type", "村") is None  # a label is not a code: the presenter maps it
    assert drill(t, "demolition_burnup", "x") is None


def test_drill_down_finds_the_rows_behind_the_clicked_label_in_either_language() -> None:
    t = town()
    ds, rows = board_drill.rows_behind(t, "demolition_by_group", "第2党小组")
    assert ds == "demolition" and rows["property_id"].tolist() == ["P1", "P3", "P5", "P7"]
    _, rows = board_drill.rows_behind(t, "demolition_by_category", "Category 3")
    assert rows["property_id"].tolist() == ["P2", "P5"]
    _, rows = board_drill.rows_behind(t, "demolition_funnel", "已签约")
    assert rows["property_id"].tolist() == ["P0", "P1", "P2", "P3"]
    _, rows = board_drill.rows_behind(t, "elections_by_type", "村")
    assert rows["org_code"].tolist() == ["O2"]
    _, rows = board_drill.rows_behind(t, "brands_by_category", "Elder care")
    assert rows["project_code"].tolist() == ["B2"]
    _, rows = board_drill.rows_behind(t, "demolition_grid", "P4")
    assert rows["property_id"].tolist() == ["P4"]
    assert board_drill.rows_behind(t, "demolition_by_group", "第9党小组") is None
    assert board_drill.rows_behind(t, "demolition_burnup", "x") is None


def test_the_drilled_rows_match_the_bar_that_was_drawn() -> None:
    t = town()
    fig = registry.figure_dict(registry.BOARDS["demolition"][0].build(t, "zh", TODAY))  # the funnel
    bar = fig["data"][0]
    for label, count in zip(bar["y"], bar["x"], strict=True):
        assert len(board_drill.rows_behind(t, "demolition_funnel", label)[1]) == count
