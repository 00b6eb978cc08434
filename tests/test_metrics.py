"""The KPIs and row builders, each against numbers worked out by hand on tiny ledgers.

Insights return numbers, codes and dates; where a test also reads the text a leader sees, it
takes it from the presenter (``dashboard.board.format`` / ``dashboard.board.rows``).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.board import rows as board_rows
from dashboard.board.format import forecast_text, kpi_delta_text, kpi_formula_text, kpi_value_text
from dashboard.insights import metrics
from dashboard.insights.metrics import (
    CAMPAIGN_DAYS,
    Kpi,
    brand_cards,
    burnup,
    community_name,
    cumulative,
    elections_table,
    forecast,
    milestone_status,
    overview_kpis,
    property_grid,
    term_expiry,
)
from tests.frames import demo_frames, frames, typed

TODAY = date(2025, 6, 15)


def kpis(
    current: metrics.Frames, previous: metrics.Frames | None = None, today: date = TODAY
) -> dict[str, Kpi]:
    return {k.id: k for k in overview_kpis(current, previous or frames(), today)}


def prop(
    pid: str,
    status: str,
    signed: str | None = None,
    vacated: str | None = None,
    demolished: str | None = None,
    category: int = 1,
    group: int = 1,
    household: str = "张三丰",
) -> dict:
    return {
        "property_id": pid,
        "household": household,
        "category": category,
        "party_group": group,
        "status": status,
        "signed_date": signed,
        "vacated_date": vacated,
        "demolished_date": demolished,
    }


FOUR_PROPERTIES = [
    prop("P1", "surveyed"),
    prop("P2", "appraised"),
    prop("P3", "signed", "2025-06-10"),
    prop("P4", "cleared", "2025-06-01", "2025-06-05", "2025-06-08"),
]

MILESTONE_FROM_APRIL = {
    "milestone_code": "M1",
    "phase": 1,
    "name": "入户摸底",
    "planned_start": "2025-04-01",
    "planned_end": "2025-04-20",
    "progress": 100,
}


def org(code: str, org_type: str, stage: str, **more: object) -> dict:
    row = {"org_code": code, "org_name": f"{code}党支部", "org_type": org_type, "members": 10, "stage": stage}
    if stage == "completed":
        row["completed_date"] = "2025-05-20"
    return {**row, **more}


# --- the demolition rates ---------------------------------------------------


def test_signed_rate_of_four_properties_is_two_of_four() -> None:
    got = kpis(frames(demolition=FOUR_PROPERTIES))
    assert got["signed_rate"].value == 2 / 4
    assert got["vacated_rate"].value == 1 / 4
    assert got["demolished_rate"].value == 1 / 4
    assert got["signed_rate"].detail == {"count": 2, "total": 4}
    assert kpi_value_text(got["signed_rate"], "zh") == "50%"
    assert kpi_formula_text(got["signed_rate"], "zh") == "状态为已签约及之后的房产 2 ÷ 全部房产 4"
    assert (
        kpi_formula_text(got["signed_rate"], "en")
        == "Properties signed or further along 2 ÷ all properties 4"
    )


def test_rates_are_missing_not_zero_without_properties() -> None:
    got = kpis(frames())
    assert got["signed_rate"].value is None
    assert kpi_value_text(got["signed_rate"], "en") == "—"


# --- elections ---------------------------------------------------------------


def test_election_completion_overall_and_split_village_residential_vs_community() -> None:
    got = kpis(
        frames(
            elections=[
                org("A", "village", "completed"),
                org("B", "residential", "voting"),
                org("C", "community", "completed"),
            ]
        )
    )
    assert got["election_completion"].value == pytest.approx(2 / 3)
    assert got["election_completion_village"].value == 1 / 2
    assert got["election_completion_community"].value == 1 / 1
    assert got["election_completion"].detail == {"completed": 2, "total": 3}
    assert kpi_value_text(got["election_completion"], "en") == "66.7%"


def test_election_completion_warns_when_an_organisation_is_past_its_planned_date() -> None:
    late = frames(elections=[org("A", "village", "voting", planned_date="2025-06-01")])
    on_time = frames(elections=[org("A", "village", "voting", planned_date="2025-06-30")])
    assert kpis(late)["election_completion"].level == "warn"
    assert kpis(on_time)["election_completion"].level == "ok"


# --- brand coverage ----------------------------------------------------------


def brand(code: str, community: str, status: str, **more: object) -> dict:
    row = {"project_code": code, "community": community, "brand_name": "连心网络", "category": "network"}
    return {**row, "status": status, **more}


def test_community_name_drops_the_party_suffix() -> None:
    assert community_name("常春藤社区党委") == "常春藤社区"
    assert community_name("创科社区党总支") == "创科社区"
    assert community_name("示例社区党支部委员会") == "示例社区"
    assert community_name("党委") == "党委"  # nothing left: keep the name as written


def test_brand_coverage_counts_communities_of_both_ledgers() -> None:
    # communities: A, B, C (brands ledger) and D (a 社区 organisation without any brand) -> 4
    # covered: A (已挂牌) and C (示范); B is only 创建中 -> 2 of 4
    got = kpis(
        frames(
            brands=[
                brand("1", "A社区", "launched"),
                brand("2", "B社区", "building"),
                brand("3", "C社区", "model"),
            ],
            elections=[
                org("X", "community", "completed", org_name="A社区党委"),
                org("Y", "community", "completed", org_name="D社区党委"),
                org("Z", "village", "completed", org_name="E村党支部"),  # a village is no community
            ],
        )
    )
    assert got["brand_coverage"].value == 2 / 4
    assert got["brand_coverage"].detail == {"covered": 2, "communities": 4}
    assert "2 ÷ 社区总数 4" in kpi_formula_text(got["brand_coverage"], "zh")


# --- activities this month ---------------------------------------------------


def activity(
    day: str, participants: int, code: str = "BR-1", kind: str = "volunteer", volunteers: int | None = None
) -> dict:
    return {"date": day, "project_code": code, "title": f"活动{day}", "type": kind,
            "participants": participants, "volunteers": volunteers}  # fmt: skip


def test_activities_and_participants_this_calendar_month() -> None:
    rows = [
        activity("2025-06-01", 10),
        activity("2025-06-30", 5),
        activity("2025-05-31", 100),  # last month
        activity("2024-06-10", 1000),  # June, but last year
    ]
    got = kpis(frames(activities=rows))
    assert got["activities_month"].value == 2
    assert got["participants_month"].value == 15
    assert kpi_formula_text(got["activities_month"], "zh") == "2025年6月 的品牌活动记录条数"
    assert (
        kpi_formula_text(got["participants_month"], "en")
        == "Sum of participants of brand activities in June 2025"
    )


# --- time progress and the gap -------------------------------------------------


@pytest.mark.parametrize(
    ("today", "day"),
    [(date(2025, 4, 1), 1), (date(2025, 4, 10), 10), (date(2025, 3, 20), 0), (date(2025, 12, 31), 100)],
)
def test_time_progress_is_day_n_of_100(today: date, day: int) -> None:
    got = kpis(frames(milestones=[MILESTONE_FROM_APRIL]), today=today)["time_progress"]
    assert got.value == day / CAMPAIGN_DAYS
    assert got.detail["day"] == day
    assert got.detail["start"] == date(2025, 4, 1)


def test_time_progress_formula_names_the_start() -> None:
    got = kpis(frames(milestones=[MILESTONE_FROM_APRIL]), today=date(2025, 4, 10))["time_progress"]
    assert kpi_formula_text(got, "zh") == "第 10 天 ÷ 100 天（自最早节点计划开始日 2025年4月1日 起算）"


@pytest.mark.parametrize(
    ("signed", "today", "gap", "level"),
    [
        (2, date(2025, 5, 20), 50 - 50, "ok"),  # day 50: 50% signed, on the line
        (2, date(2025, 6, 29), 50 - 90, "bad"),  # day 90: 40 points behind
        (3, date(2025, 7, 9), 75 - 100, "bad"),
        (2, date(2025, 5, 30), 50 - 60, "warn"),  # exactly -10 is a warning, not yet bad
        (2, date(2025, 5, 21), 50 - 51, "warn"),
        (4, date(2025, 4, 10), 100 - 10, "ok"),
    ],
)
def test_progress_gap_is_signed_minus_time_in_points(
    signed: int, today: date, gap: float, level: str
) -> None:
    statuses = ["signed"] * signed + ["surveyed"] * (4 - signed)
    rows = [prop(f"P{i}", s, "2025-04-05" if s == "signed" else None) for i, s in enumerate(statuses)]
    got = kpis(frames(demolition=rows, milestones=[MILESTONE_FROM_APRIL]), today=today)["progress_gap"]
    assert got.value == pytest.approx(gap)
    assert got.unit == "pp"
    assert got.level == level


def test_progress_gap_text_in_both_languages() -> None:
    rows = [prop("P1", "signed", "2025-04-05"), prop("P2", "surveyed")]
    got = kpis(frames(demolition=rows, milestones=[MILESTONE_FROM_APRIL]), today=date(2025, 5, 30))[
        "progress_gap"
    ]
    assert kpi_value_text(got, "zh") == "−10 个百分点"
    assert kpi_value_text(got, "en") == "−10 pp"
    assert kpi_formula_text(got, "en").startswith("Signed 50% − time elapsed 60%")


# --- deltas ----------------------------------------------------------------------


def test_delta_is_the_change_since_the_previous_version() -> None:
    before = [prop("P1", "signed", "2025-06-01"), *(prop(f"P{i}", "surveyed") for i in range(2, 5))]
    got = kpis(frames(demolition=FOUR_PROPERTIES), previous=frames(demolition=before))
    assert got["signed_rate"].delta == pytest.approx(2 / 4 - 1 / 4)
    assert kpi_delta_text(got["signed_rate"], "zh") == "较上一版本 +25 个百分点"
    assert kpi_delta_text(got["signed_rate"], "en") == "+25 pp since previous version"
    # datasets without a previous version have no delta
    assert got["election_completion"].delta is None
    assert kpi_delta_text(got["election_completion"], "en") == "No previous version"


def test_delta_of_counts_is_new_rows_this_month() -> None:
    old = [activity("2025-06-01", 10)]
    new = [*old, activity("2025-06-02", 7), activity("2025-06-03", 3)]
    got = kpis(frames(activities=new), previous=frames(activities=old))
    assert got["activities_month"].delta == 2
    assert got["participants_month"].delta == 10
    assert kpi_delta_text(got["activities_month"], "en") == "+2 since previous version"


def test_progress_gap_delta_uses_the_previous_properties_and_current_milestones() -> None:
    cur = frames(demolition=FOUR_PROPERTIES, milestones=[MILESTONE_FROM_APRIL])
    prev = frames(demolition=[prop(f"P{i}", "surveyed") for i in range(4)])
    got = kpis(cur, previous=prev)
    assert got["progress_gap"].delta == pytest.approx(50.0)  # 2 of 4 more signed = 50 points
    assert got["time_progress"].delta is None


def test_every_kpi_of_empty_ledgers_without_crashing() -> None:
    got = overview_kpis(frames(), frames(), TODAY)
    assert [k.id for k in got] == [
        "election_completion",
        "election_completion_village",
        "election_completion_community",
        "brand_coverage",
        "activities_month",
        "participants_month",
        "signed_rate",
        "vacated_rate",
        "demolished_rate",
        "time_progress",
        "progress_gap",
        "tasks_open",
        "tasks_overdue",
        "tasks_on_time_rate",
        "tasks_same_day_rate",
        "org_life_rate",
        "org_life_gap_orgs",
        "org_life_attendance",
    ]
    for k in got:
        assert k.level == "ok"
        assert k.delta is None
        for lang in ("zh", "en"):
            assert kpi_value_text(k, lang)
            assert kpi_formula_text(k, lang)
    by_id = {k.id: k for k in got}
    assert by_id["activities_month"].value == 0
    assert by_id["election_completion"].value is None


# --- burn-up and forecast -----------------------------------------------------------


def test_cumulative_counts_per_day() -> None:
    dates = pd.Series(pd.to_datetime(["2025-06-02", "2025-06-02", "2025-06-04"]))
    got = cumulative(dates, date(2025, 6, 1), date(2025, 6, 5))
    assert got.tolist() == [0, 2, 2, 3, 3]
    assert got.index[0] == pd.Timestamp("2025-06-01")


def test_cumulative_of_a_long_span_is_thinned_but_ends_at_the_total() -> None:
    days = pd.Series(pd.date_range("2020-01-01", "2024-12-31", freq="D"))
    got = cumulative(days)
    assert len(got) <= metrics.MAX_POINTS
    assert got.iloc[-1] == len(days)


def test_forecast_from_the_last_seven_days_pace() -> None:
    # 10 properties, 5 signed, 3 of them in the last 7 days -> 3/7 a day, 5 left -> ceil(11.7) = 12 days
    signed = pd.Series(pd.to_datetime(["2025-05-01", "2025-05-02", "2025-06-09", "2025-06-12", "2025-06-15"]))
    got = forecast(signed, 10, TODAY)
    assert got.pace == pytest.approx(3 / 7)
    assert got.finish == TODAY + timedelta(days=12)
    assert not got.done


def test_no_forecast_without_pace_and_done_when_all_are_done() -> None:
    old = pd.Series(pd.to_datetime(["2025-05-01"]))
    assert forecast(old, 10, TODAY).finish is None
    assert forecast_text(forecast(old, 10, TODAY), "zh") == "近 7 天无进展，无法预测"
    done = forecast(pd.Series(pd.to_datetime(["2025-05-01", "2025-05-03"])), 2, TODAY)
    assert done.done and done.finish == date(2025, 5, 3)
    assert forecast_text(done, "en") == "All done on 3 May 2025"
    going = forecast(pd.Series(pd.to_datetime(["2025-06-14"])), 2, TODAY)
    assert forecast_text(going, "zh") == "预计 2025年6月22日 完成"  # 1 a week: 7 days for the last one


def test_burnup_series_plan_and_forecasts() -> None:
    got = burnup(frames(demolition=FOUR_PROPERTIES, milestones=[MILESTONE_FROM_APRIL]), TODAY)
    assert got.total == 4
    assert got.start == date(2025, 4, 1)
    assert got.series["signed"].loc["2025-06-01"] == 1
    assert got.series["signed"].loc["2025-06-10"] == 2
    assert got.series["signed"].iloc[-1] == 2
    assert got.series["signed"].index[-1] == pd.Timestamp(TODAY)
    assert got.series["demolished"].loc["2025-06-08"] == 1
    # plan: 0 on day 0 (31 March), all 4 by day 100 (9 July)
    assert got.plan == [(date(2025, 3, 31), 0.0), (date(2025, 7, 9), 4.0)]
    # one signing (10 June) in the last 7 days: 1/7 a day, 2 left -> 14 days
    assert got.forecasts["signed"].finish == TODAY + timedelta(days=14)
    assert got.forecasts["demolished"].finish is None


def test_burnup_of_no_properties() -> None:
    got = burnup(frames(), TODAY)
    assert got.total == 0 and got.plan == []
    assert all(s.empty for s in got.series.values())


# --- term expiry ---------------------------------------------------------------------


def test_term_expiry_yellow_within_180_days_red_when_past() -> None:
    rows = [
        org("PAST", "village", "completed", term_end="2025-06-14"),
        org("SOON", "community", "completed", term_end="2025-12-12"),  # 180 days ahead
        org("LATER", "village", "completed", term_end="2025-12-13"),  # 181 days: not listed
        # no term_end: completed 2020-06-20 + 5 years = 2025-06-20
        org("DERIVED", "residential", "completed", completed_date="2020-06-20", note="任期按完成日期推算"),
        org("OPEN", "village", "voting"),  # no dates at all: not listed
    ]
    got = term_expiry(frames(elections=rows), TODAY)
    assert [(r["org_code"], r["level"], r["days"]) for r in got] == [
        ("PAST", "red", -1),
        ("DERIVED", "yellow", 5),
        ("SOON", "yellow", 180),
    ]
    assert got[1]["term_end"] == date(2025, 6, 20) and got[1]["org_type"] == "residential"
    assert got[1]["note"] == "任期按完成日期推算"
    zh = [board_rows.expiry_row(r, "zh") for r in got]
    assert zh[0].days_text == "已过 1 天"
    assert zh[0].level_label == "已届满"
    assert zh[1].term_end == "2025年6月20日"
    assert zh[1].note == "任期按完成日期推算"
    en = [board_rows.expiry_row(r, "en") for r in got]
    assert en[1].days_text == "5 days left"
    assert en[1].org_type == "Residential"
    assert en[1].term_end == "20 Jun 2025"


# --- elections table -------------------------------------------------------------------


def test_elections_table_least_advanced_first_with_labels() -> None:
    rows = [
        org("A", "village", "completed", supervisor="督导员甲"),
        org("B", "community", "not_started", planned_date="2025-07-01"),
        org("C", "residential", "voting"),
    ]
    got = elections_table(frames(elections=rows))
    assert [r["org_code"] for r in got] == ["B", "C", "A"]
    assert got[0]["stage"] == "not_started" and got[0]["org_type"] == "community"
    assert got[0]["planned_date"] == date(2025, 7, 1) and got[0]["supervisor"] is None
    assert got[2]["term_end"] == date(2030, 5, 20)  # completed 2025-05-20 + 5 years
    zh = [board_rows.org_row(r, "zh") for r in got]
    assert zh[0].stage == "未启动" and zh[0].org_type == "社区" and zh[0].stage_code == "not_started"
    assert zh[0].planned_date == "2025年7月1日"
    assert zh[0].supervisor == "—"
    assert zh[2].term_end == "2030年5月20日"
    en = [board_rows.org_row(r, "en") for r in got]
    assert en[0].stage == "Not started" and en[0].org_type == "Urban community"
    assert en[2].completed_date == "20 May 2025"
    assert elections_table(frames()) == []


# --- brand cards ----------------------------------------------------------------------------


def test_brand_cards_count_this_years_activities_against_the_target() -> None:
    br = [
        brand("BR-1", "A社区", "launched", target_activities=24, category="elder_care"),
        brand("BR-2", "B社区", "planning", target_activities=2),
        brand("BR-3", "C社区", "building"),  # no target
    ]
    acts = [
        *(activity(f"2025-0{m}-05", 10, "BR-1") for m in range(1, 7)),  # 6 this year
        activity("2024-12-31", 10, "BR-1"),  # last year
        activity("2025-02-01", 10, "BR-2"),
        activity("2025-03-01", 10, "BR-2"),
    ]
    cards = brand_cards(frames(brands=br, activities=acts), TODAY)
    got = {c["project_code"]: c for c in cards}
    one = got["BR-1"]
    assert one["activities"] == 6 and one["target"] == 24
    assert one["pace"] == 6 / 24
    assert one["category"] == "elder_care" and one["status"] == "launched"
    shown = board_rows.brand_card(one, "zh")
    assert shown.progress_text == "今年活动 6 / 目标 24" and shown.percent == 25
    assert shown.category == "养老服务" and shown.status == "已挂牌" and shown.status_code == "launched"
    # 15 June is 166/365 of the year: 6 of 24 (25%) is behind, 2 of 2 is not
    assert one["expected"] == pytest.approx(166 / 365)
    assert one["level"] == "warn"
    assert got["BR-2"]["level"] == "ok"
    assert got["BR-3"]["pace"] is None and got["BR-3"]["level"] == "ok"
    en = [board_rows.brand_card(c, "en") for c in cards]
    assert en[2].progress_text == "0 activities this year (no target)"
    assert en[0].progress_text == "6 of 24 activities this year"


# --- property grid ------------------------------------------------------------------------------


def test_property_grid_groups_masks_and_colours() -> None:
    rows = [
        prop("P1", "signed", "2025-06-01", group=2, household="张三丰"),
        prop("P2", "cleared", "2025-06-01", "2025-06-02", "2025-06-03", group=1, household="李四"),
        prop("P3", "surveyed", group=2, household="王五"),
    ]
    got = property_grid(frames(demolition=rows))
    assert [g["party_group"] for g in got] == [1, 2]
    assert [c["household"] for c in got[1]["cells"]] == ["张**", "王**"]
    assert got[1]["cells"][0]["colour"] == metrics.PROPERTY_STATUS_COLOURS["signed"]
    assert got[1]["cells"][0]["status"] == "signed"
    assert got[1]["counts"]["signed"] == 1 and got[1]["counts"]["cleared"] == 0
    assert property_grid(frames(demolition=rows), mask=False)[1]["cells"][0]["household"] == "张三丰"
    shown = board_rows.grid_group(got[1], "zh")
    assert shown.label == "第2党小组"
    assert shown.cells[0].title == "P1 · 张** · 已签约" and shown.cells[0].css == "cell s-signed"
    assert board_rows.grid_group(got[0], "en").label == "Party group 1"


def test_property_grid_caps_cells_but_counts_everything() -> None:
    rows = [prop(f"P{i}", "signed", "2025-06-01", group=1 + i % 2) for i in range(30)]
    got = property_grid(frames(demolition=rows), limit=10)
    assert [len(g["cells"]) for g in got] == [5, 5]
    assert [g["hidden"] for g in got] == [10, 10]
    assert [g["total"] for g in got] == [15, 15]


# --- milestones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "progress", "today", "status"),
    [
        ("2025-04-18", 100, date(2025, 6, 1), "done"),
        ("2025-04-25", 100, date(2025, 6, 1), "late"),  # finished after its planned end
        (None, 80, date(2025, 4, 21), "overdue"),
        (None, 50, date(2025, 4, 10), "on_track"),  # day 10 of 20: 50% expected
        (None, 40, date(2025, 4, 10), "late"),
        (None, 0, date(2025, 3, 30), "not_started"),
    ],
)
def test_milestone_red_yellow_green(actual: str | None, progress: float, today: date, status: str) -> None:
    ts = pd.Timestamp
    got = milestone_status(
        ts("2025-04-01"), ts("2025-04-20"), ts(actual) if actual else None, progress, today
    )
    assert got == status


def test_typed_frames_have_the_agreed_dtypes() -> None:
    df = typed("demolition", FOUR_PROPERTIES)
    assert str(df["signed_date"].dtype) == "datetime64[s]"
    assert str(df["status"].dtype) == "string"
    assert str(df["category"].dtype) == "Int64"


def test_the_demo_ledgers_give_the_articles_figures_on_load_day() -> None:
    from dashboard.demo.load import CAMPAIGN_DAY

    today = date(2026, 3, 18)
    got = kpis(demo_frames(today), today=today)
    assert got["election_completion"].detail == {"completed": 33, "total": 33}
    assert got["election_completion_village"].detail == {"completed": 25, "total": 25}
    assert got["election_completion_community"].detail == {"completed": 8, "total": 8}
    assert got["signed_rate"].detail["total"] == 91
    assert (
        got["brand_coverage"].detail["communities"] == 8
    )  # the brands' communities are the 8 社区 organisations
    assert got["time_progress"].detail["day"] == CAMPAIGN_DAY
    assert got["activities_month"].value > 0  # activities run up to this week
