"""Every chart: its numbers on a tiny town, its empty state, both languages, and its size at city scale.

The town's names are ASCII on purpose: then any CJK character in an English
figure is a label we forgot to translate, not a data value.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import plotly.graph_objects as go
import pytest

from dashboard import contract
from dashboard.charts import brands, demolition, elections, tasks
from dashboard.charts.common import validating
from dashboard.charts.registry import BOARDS, figure_dict, render_board
from dashboard.i18n import enum_label, t
from tests.frames import city_frames, demo_frames, frames

TODAY = date(2025, 6, 15)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
ALL_CHARTS = [spec for specs in BOARDS.values() for spec in specs]


def town() -> dict:
    el = [
        {"org_code": "O1", "org_name": "Org 1", "org_type": "village", "members": 9, "stage": "completed",
         "planned_date": "2025-05-10", "completed_date": "2025-05-08"},
        {"org_code": "O2", "org_name": "Org 2", "org_type": "village", "members": 9, "stage": "voting",
         "planned_date": "2025-05-20"},
        {"org_code": "O3", "org_name": "Org 3", "org_type": "community", "members": 9, "stage": "completed",
         "planned_date": "2025-05-20", "completed_date": "2025-05-25"},
    ]  # fmt: skip
    br = [
        {"project_code": "B1", "community": "C1", "brand_name": "Brand 1", "category": "network",
         "status": "launched", "target_activities": 12},
        {"project_code": "B2", "community": "C2", "brand_name": "Brand 2", "category": "network",
         "status": "model"},
        {"project_code": "B3", "community": "C3", "brand_name": "Brand 3", "category": "elder_care",
         "status": "planning"},
    ]  # fmt: skip
    act = [
        {"date": "2025-04-03", "project_code": "B1", "title": "A", "type": "health", "participants": 10,
         "volunteers": 2},
        {"date": "2025-04-20", "project_code": "B1", "title": "B", "type": "health", "participants": 5},
        {"date": "2025-06-01", "project_code": "B2", "title": "C", "type": "culture", "participants": 7,
         "volunteers": 1},
    ]  # fmt: skip
    dem = [
        {"property_id": "P1", "household": "Zhang San", "category": 1, "party_group": 1,
         "status": "surveyed"},
        {"property_id": "P2", "household": "Li Si", "category": 1, "party_group": 2, "status": "appraised"},
        {"property_id": "P3", "household": "Wang Wu", "category": 2, "party_group": 2, "status": "signed",
         "signed_date": "2025-06-10"},
        {"property_id": "P4", "household": "Zhao Liu", "category": 6, "party_group": 4, "status": "cleared",
         "signed_date": "2025-06-01", "vacated_date": "2025-06-05", "demolished_date": "2025-06-08"},
    ]  # fmt: skip
    ms = [
        {"milestone_code": "M1", "phase": 1, "name": "Survey", "planned_start": "2025-04-01",
         "planned_end": "2025-04-20", "actual_end": "2025-04-18", "progress": 100},
        {"milestone_code": "M2", "phase": 2, "name": "Signing", "planned_start": "2025-04-15",
         "planned_end": "2025-06-01", "progress": 60},
        {"milestone_code": "M3", "phase": 3, "name": "Clearing", "planned_start": "2025-06-10",
         "planned_end": "2025-07-01", "progress": 30},
        {"milestone_code": "M4", "phase": 3, "name": "Start", "planned_start": "2025-07-05",
         "planned_end": "2025-07-09", "progress": 0},
    ]  # fmt: skip
    mt = [
        {"date": "2025-06-02", "type": "dispatch", "topic": "T1"},  # Monday
        {"date": "2025-06-04", "type": "dispatch", "topic": "T2"},
        {"date": "2025-06-06", "type": "weekly", "topic": "T3"},
        {"date": "2025-06-10", "type": "weekly", "topic": "T4"},
        {"date": "2025-06-11", "type": "morning", "topic": "T5"},  # not counted
    ]
    tk = [
        {"task_code": "K1", "raised_date": "2025-06-02", "source": "dispatch", "domain": "demolition",
         "title": "Sign P1", "owner": "Owner A", "unit": "Group 1", "deadline": "2025-06-04",
         "status": "closed", "closed_date": "2025-06-02"},
        {"task_code": "K2", "raised_date": "2025-06-04", "source": "dispatch", "domain": "demolition",
         "title": "Vacate P3", "owner": "Owner B", "unit": "Group 2", "deadline": "2025-06-06",
         "status": "in_progress"},  # overdue
        {"task_code": "K3", "raised_date": "2025-06-10", "source": "enterprise_forum", "domain": "enterprise",
         "title": "Loan", "owner": "Owner A", "deadline": "2025-07-10", "status": "open"},  # no unit
        {"task_code": "K4", "raised_date": "2025-06-11", "source": "morning", "domain": "demolition",
         "title": "Trucks", "owner": "Owner C", "unit": "Group 2", "deadline": "2025-06-12",
         "status": "closed", "closed_date": "2025-06-13"},  # late
    ]  # fmt: skip
    ol = [  # 组织生活: O1 on rhythm in May and June, O2 held only a party day, O3 a committee
        *({"org_code": "O1", "date": f"2025-{m:02d}-05", "type": kind, "topic": "T", "expected": 9,
           "attended": 8} for m in (5, 6) for kind in ("committee", "group_meeting", "party_day")),
        {"org_code": "O1", "date": "2025-05-20", "type": "general_meeting", "topic": "T", "expected": 9,
         "attended": 9},
        {"org_code": "O2", "date": "2025-05-06", "type": "party_day", "topic": "T", "expected": 9,
         "attended": 6},
        {"org_code": "O3", "date": "2025-06-03", "type": "committee", "topic": "T", "expected": 5,
         "attended": 5},
    ]  # fmt: skip
    return frames(
        elections=el, brands=br, activities=act, demolition=dem, milestones=ms, meetings=mt, tasks=tk,
        org_life=ol,
    )


def as_json(fig: go.Figure | dict) -> str:
    return json.dumps(fig if isinstance(fig, dict) else figure_dict(fig), ensure_ascii=False)


def traces(fig: go.Figure) -> list[dict[str, Any]]:
    return figure_dict(fig)["data"]


# --- numbers on the town ------------------------------------------------------------------------


def test_completion_by_type_stacks_completed_over_not_completed() -> None:
    data = traces(elections.by_type(town(), "zh", TODAY))
    completed, rest = data
    assert completed["x"] == ["村", "居", "社区"]
    assert completed["y"] == [1, 0, 1]
    assert rest["y"] == [1, 0, 0]
    assert completed["text"] == ["50%", "—", "100%"]
    assert completed["name"] == "已完成"


def test_organisations_by_stage_in_contract_order() -> None:
    (bar,) = traces(elections.by_stage(town(), "en", TODAY))
    assert bar["x"] == [enum_label(contract.ELECTION_STAGE, c, "en") for c in contract.ELECTION_STAGE.codes]
    assert bar["y"] == [0, 0, 0, 0, 1, 0, 2]


def test_cumulative_completions_against_planned_dates() -> None:
    planned, actual = traces(elections.cumulative_completions(town(), "zh", TODAY))
    points = dict(zip(actual["x"], actual["y"], strict=True))
    assert points["2025-05-08"] == 1 and points["2025-05-25"] == 2
    assert actual["x"][-1] == "2025-06-15"  # runs to today
    plan = dict(zip(planned["x"], planned["y"], strict=True))
    assert plan["2025-05-10"] == 1 and plan["2025-05-20"] == 3


def test_activities_per_month_by_type() -> None:
    data = traces(brands.activities_per_month(town(), "zh", TODAY))
    by_name = {tr["name"]: tr for tr in data}
    assert by_name["健康讲座"]["x"] == ["2025-04-01", "2025-05-01", "2025-06-01"]
    assert by_name["健康讲座"]["y"] == [2, 0, 0]
    assert by_name["文体活动"]["y"] == [0, 0, 1]


def test_participants_and_volunteers_per_month() -> None:
    part, vol = traces(brands.participants(town(), "en", TODAY))
    assert (part["name"], vol["name"]) == ("Participants", "Volunteers")
    assert part["y"] == [15, 0, 7]
    assert vol["y"] == [2, 0, 1]


def test_brands_by_category() -> None:
    (pie,) = traces(brands.by_category(town(), "en", TODAY))
    assert pie["type"] == "pie"
    assert pie["labels"] == ["Network management", "Elder care"]
    assert pie["values"] == [2, 1]


def test_funnel_counts_properties_at_or_past_each_status() -> None:
    (bar,) = traces(demolition.funnel(town(), "zh", TODAY))
    assert bar["orientation"] == "h"
    assert bar["y"] == list(contract.PROPERTY_STATUS.labels)
    assert bar["x"] == [4, 3, 2, 1, 1, 1]
    assert bar["text"][2] == "2 · 50%"


def test_signed_rate_by_household_category_and_party_group() -> None:
    (cat,) = traces(demolition.signed_by_category(town(), "zh", TODAY))
    assert cat["x"] == ["1类户", "2类户", "3类户", "4类户", "5类户", "6类户"]
    assert cat["y"] == [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    assert cat["text"] == ["0%", "100%", "—", "—", "—", "100%"]
    (grp,) = traces(demolition.signed_by_group(town(), "en", TODAY))
    assert grp["x"] == ["Party group 1", "Party group 2", "Party group 3", "Party group 4"]
    assert grp["y"] == [0.0, 0.5, 0.0, 1.0]


def test_burnup_draws_plan_series_and_forecast() -> None:
    fig = figure_dict(demolition.burnup_chart(town(), "en", TODAY))
    names = [tr["name"] for tr in fig["data"] if tr.get("showlegend", True)]
    assert names == ["Plan (linear over 100 days)", "Signed", "Vacated", "Demolished"]
    plan = fig["data"][0]
    assert plan["x"] == ["2025-03-31", "2025-07-09"] and plan["y"] == [0.0, 4.0]
    assert "linear" in plan["hovertemplate"]
    signed = fig["data"][1]
    assert signed["y"][-1] == 2 and signed["x"][-1] == "2025-06-15"
    forecast = fig["data"][2]  # right after its series
    assert forecast["name"] == "Signed forecast"
    assert forecast["x"] == ["2025-06-15", "2025-06-29"] and forecast["y"] == [2, 4]
    assert forecast["customdata"][0] == ["0.1", "29 Jun 2025"]


def test_a_slow_forecast_stops_at_the_end_of_the_axis() -> None:
    # 10 properties, 1 signed in the last week: 9 more take 63 days, far beyond day 100 (9 July) + 14 days
    dem = [{"property_id": f"P{i}", "household": "X", "category": 1, "party_group": 1, "status": "surveyed"}
           for i in range(9)]  # fmt: skip
    dem.append({**dem[0], "property_id": "P9", "status": "signed", "signed_date": "2025-06-12"})
    data = frames(demolition=dem, milestones=town()["milestones"])
    fig = figure_dict(demolition.burnup_chart(data, "en", TODAY))
    forecast = next(tr for tr in fig["data"] if tr["name"] == "Signed forecast")
    assert forecast["x"] == ["2025-06-15", "2025-07-23"]
    assert forecast["y"] == [1, round(1 + 38 / 7, 1)]
    assert forecast["customdata"][0][1] == "17 Aug 2025"  # the hover still tells the real forecast


def test_property_grid_is_one_masked_square_per_property() -> None:
    data = traces(demolition.property_grid(town(), "zh", TODAY))
    assert all(tr["marker"]["symbol"] == "square" for tr in data)
    assert sum(len(tr["x"]) for tr in data) == 4
    signed = next(tr for tr in data if tr["name"] == "已签约")
    assert signed["customdata"] == [["P3", "W**", "已签约"]]


def test_property_grid_aggregates_a_city() -> None:
    city = city_frames(TODAY)
    data = traces(demolition.property_grid(city, "zh", TODAY))
    assert {tr["type"] for tr in data} == {"bar"}
    assert sum(sum(tr["x"]) for tr in data) == 100_000


def test_gantt_planned_window_and_coloured_actual_bars() -> None:
    fig = figure_dict(demolition.gantt(town(), "en", TODAY))
    planned = fig["data"][0]
    assert planned["y"] == ["Phase 1 · Survey", "Phase 2 · Signing", "Phase 3 · Clearing", "Phase 3 · Start"]
    assert planned["base"][0] == "2025-04-01"
    assert planned["x"][0] == 20 * 86_400_000  # 1 to 20 April inclusive
    by_name = {tr["name"]: tr for tr in fig["data"][1:]}
    assert by_name["Done"]["y"] == ["Phase 1 · Survey"]
    assert by_name["Overdue"]["y"] == ["Phase 2 · Signing"]
    assert by_name["In progress · on track"]["y"] == [
        "Phase 3 · Clearing"
    ]  # 30% on day 6 of 22: 27% expected
    assert "Start" not in json.dumps(list(by_name.values()))  # not started: no actual bar


def test_meetings_per_week_counts_dispatch_and_weekly() -> None:
    data = traces(demolition.meetings_per_week(town(), "zh", TODAY))
    by_name = {tr["name"]: tr for tr in data}
    assert by_name["专题调度会"]["x"] == ["2025-06-02", "2025-06-09"]
    assert by_name["专题调度会"]["y"] == [2, 0]
    assert by_name["周例会"]["y"] == [1, 1]
    assert "早碰头" not in by_name


def test_open_items_by_domain_stack_overdue_over_within_deadline() -> None:
    # TODAY 15 June: K2 (due 6 June) is overdue, K3 (due 10 July) is not; K1 and K4 are closed
    by_name = {tr["name"]: tr for tr in traces(tasks.by_domain(town(), "en", TODAY))}
    assert by_name["Overdue"]["y"][:2] == ["Demolition", "Enterprise services"]
    assert by_name["Overdue"]["x"][:2] == [1, 0]
    assert by_name["Within deadline"]["x"][:2] == [0, 1]
    assert by_name["Overdue"]["customdata"][0] == ["Demolition", 1]


def test_open_items_by_unit_name_the_missing_unit() -> None:
    by_name = {tr["name"]: tr for tr in traces(tasks.by_unit(town(), "zh", TODAY))}
    assert by_name["超期"]["y"] == ["Group 2", "未填单位"]
    assert by_name["超期"]["x"] == [1, 0] and by_name["未超期"]["x"] == [0, 1]


def test_raised_and_closed_per_week_with_the_backlog() -> None:
    by_name = {tr["name"]: tr for tr in traces(tasks.flow(town(), "en", TODAY))}
    assert by_name["Raised"]["x"] == ["2025-06-02", "2025-06-09"]
    assert by_name["Raised"]["y"] == [2, 2] and by_name["Closed"]["y"] == [1, 1]
    assert by_name["Open at the week's end"]["y"] == [1, 2]
    assert by_name["Open at the week's end"]["type"] == "scatter"


def test_ages_of_open_items_in_buckets() -> None:
    data = traces(tasks.ages(town(), "en", TODAY))
    assert data[0]["x"] == ["0–2", "3–7", "8–30", "31–90", "91+"]  # the unit is the axis title
    names = ["0–2 days", "3–7 days", "8–30 days", "31–90 days", "91+ days"]
    assert [c[0] for c in data[0]["customdata"]] == names  # the tooltip names the bucket in full
    assert [sum(v) for v in zip(data[0]["y"], data[1]["y"], strict=True)] == [0, 1, 1, 0, 0]


# --- every chart: both languages, empty state, only basic trace types ---------------------------


@pytest.mark.parametrize("spec", ALL_CHARTS, ids=lambda s: s.id)
def test_every_chart_in_english_has_no_chinese_left(spec) -> None:
    fig = figure_dict(spec.build(town(), "en", TODAY))
    text = as_json(fig)
    assert not CJK.findall(text), f"{spec.id}: untranslated {set(CJK.findall(text))}"
    assert fig["data"], "drew something"


@pytest.mark.parametrize("spec", ALL_CHARTS, ids=lambda s: s.id)
def test_every_chart_in_chinese_uses_the_catalogue(spec) -> None:
    fig = figure_dict(spec.build(town(), "zh", TODAY))
    assert CJK.search(as_json(fig))
    assert fig["layout"]["font"]["family"].startswith("Noto Sans CJK SC")


@pytest.mark.parametrize("spec", ALL_CHARTS, ids=lambda s: s.id)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_of_empty_ledgers_says_no_data(spec, lang: str) -> None:
    fig = figure_dict(spec.build(frames(), lang, TODAY))
    assert fig["data"] == []
    assert [a["text"] for a in fig["layout"]["annotations"]] == [t("empty", lang)]


@pytest.mark.parametrize("spec", ALL_CHARTS, ids=lambda s: s.id)
def test_only_bar_scatter_and_pie_traces(spec) -> None:
    """The plotly.js 'basic' bundle draws these; anything else would be blank on the page."""
    for data in (town(), frames()):
        assert {tr["type"] for tr in traces(spec.build(data, "zh", TODAY))} <= {"bar", "scatter", "pie"}


# --- the registry ---------------------------------------------------------------------------------


def test_render_board_gives_id_translated_title_and_plain_json() -> None:
    for lang in ("zh", "en"):
        rendered = render_board("demolition", town(), lang, TODAY)
        assert [cid for cid, _, _ in rendered] == [s.id for s in BOARDS["demolition"]]
        ids_titles = {cid: title for cid, title, _ in rendered}
        assert ids_titles["demolition_burnup"] == t("chart.demolition_burnup", lang)
        for _, _, fig in rendered:
            assert "template" not in fig["layout"]
            json.dumps(fig)  # plain JSON types only
            assert "bdata" not in json.dumps(fig)  # no base64 typed arrays
    assert render_board("overview", town(), "zh", TODAY) == []


@pytest.fixture(scope="module")
def city() -> dict:
    return city_frames(TODAY)


@pytest.mark.slow
@pytest.mark.parametrize("board", ["elections", "brands", "demolition", "tasks"])
def test_figures_of_a_city_stay_under_300_kb_per_board(city: dict, board: str) -> None:
    for lang in ("zh", "en"):
        size = sum(
            len(json.dumps(fig, ensure_ascii=False).encode())
            for _, _, fig in render_board(board, city, lang, TODAY)
        )
        print(f"{board} {lang}: {size / 1024:.1f} KB")
        assert size < 300 * 1024


def test_english_demo_figures_hold_chinese_only_in_data_values() -> None:
    """With the real demo ledgers, any Chinese left in English figures is a name from the data."""
    today = date(2026, 3, 18)
    demo = demo_frames(today)
    values: set[str] = set()
    for df in demo.values():
        for col in df.columns:
            if str(df[col].dtype) == "string":
                texts = df[col].dropna()
                values |= set(texts) | {v[:1] + "**" for v in texts}  # masked household names too
    for board in ("elections", "brands", "demolition", "tasks"):
        for cid, title, fig in render_board(board, demo, "en", today):
            text = json.dumps(fig, ensure_ascii=False) + title
            for v in sorted(values, key=len, reverse=True):
                text = text.replace(v, "")
            assert not CJK.findall(text), f"{cid}: untranslated {set(CJK.findall(text))}"


def _with_history(data: dict, today: date) -> dict:
    """``data`` plus a 签约率 curve whose last days were recorded by uploads (the shaded band drawn)."""
    from dashboard.insights import trends as insight_trends

    curve = insight_trends.from_dates(data, today, "demolition_rates").copy()
    curve.iloc[len(curve) // 2 :, curve.columns.get_loc("source")] = "history"
    return {**data, "trend.demolition_rates": curve}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_are_exactly_what_plotlys_validated_build_gives(lang: str) -> None:
    """Charts build plain dicts (charts.common.Figure), not plotly's validating go.Figure: every chart
    of the registry gives the same figure JSON both ways, so nothing the browser receives changes."""
    today = date(2026, 3, 18)
    cases = {
        "demo": _with_history(demo_frames(today), today),
        "town": town(),
        "empty": frames(),
    }
    for case, data in cases.items():
        day = today if case == "demo" else TODAY
        for spec in ALL_CHARTS:
            built = figure_dict(spec.build(data, lang, day))
            with validating():
                checked = figure_dict(spec.build(data, lang, day))
            assert built == checked, f"{case} {spec.id} {lang}"
            assert json.dumps(built, sort_keys=True) == json.dumps(checked, sort_keys=True)
