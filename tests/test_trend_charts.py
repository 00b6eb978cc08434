"""Trend charts draw the history curves they are given, and the row dates without them."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.charts import registry
from dashboard.charts import trends as charts
from dashboard.insights import trends
from tests.frames import frames

TODAY = date(2026, 6, 30)


def history_curve() -> pd.DataFrame:
    days = pd.date_range(TODAY - timedelta(days=3), TODAY, freq="D")
    return pd.DataFrame(
        {
            "signed": [0.1, 0.2, 0.2, 0.5],
            "vacated": [0.0, 0.0, 0.1, 0.1],
            "demolished": [0.0, 0.0, 0.0, 0.0],
            "source": ["dates", "dates", "history", "history"],
        },
        index=days,
    )


def test_the_rates_chart_draws_what_the_history_recorded() -> None:
    f = frames()
    f["trend.demolition_rates"] = history_curve()
    fig = registry.figure_dict(charts.demolition_rates(f, "zh", TODAY))
    signed, vacated, _ = fig["data"]
    assert signed["name"] == "签约率" and signed["y"] == [0.1, 0.2, 0.2, 0.5]
    assert signed["x"][0] == "2026-06-27" and signed["x"][-1] == "2026-06-30"
    assert vacated["y"] == [0.0, 0.0, 0.1, 0.1]
    assert signed["customdata"][-1] == ["上传记录"]  # where the day's figures come from
    assert signed["customdata"][0] == ["按台账日期推算"]
    assert "%{y:.1~%}" in signed["hovertemplate"]  # 0.5 reads 50%
    assert "customdata" not in vacated  # said once per day, by the first rate
    # the days rebuilt from row dates are shaded
    (shade,) = fig["layout"]["shapes"]
    assert (shade["x0"], shade["x1"]) == ("2026-06-27", "2026-06-28")


def test_on_the_dark_wall_the_rebuilt_days_are_a_faint_band_not_a_grey_block() -> None:
    from dashboard.charts.common import DARK_SHADE, DARK_TEXT, SHADE, dark_wall

    f = frames()
    f["trend.demolition_rates"] = history_curve()
    board = registry.figure_dict(charts.demolition_rates(f, "zh", TODAY))
    wall = dark_wall(board)
    (band,) = [s for s in wall["layout"]["shapes"] if s.get("fillcolor") == DARK_SHADE]
    assert band["x0"] == "2026-06-27" and band["x1"] == "2026-06-28"
    assert wall["layout"]["font"]["color"] == DARK_TEXT and wall["layout"]["font"]["size"] == 18
    assert [s["fillcolor"] for s in board["layout"]["shapes"]] == [SHADE]  # the board's own figure untouched


def test_weekly_elections_chart_bars_are_completions_in_each_week() -> None:
    monday = trends.week_start(TODAY)
    orgs = [
        {
            "org_code": f"O{i}",
            "org_name": f"O{i}",
            "org_type": "village",
            "members": 5,
            "stage": "completed",
            "completed_date": d,
        }
        for i, d in enumerate([monday - timedelta(days=7), monday - timedelta(days=6), monday])
    ]
    fig = registry.figure_dict(charts.elections_weekly(frames(elections=orgs), "en", TODAY))
    bars, line = fig["data"]
    assert bars["x"] == [f"{monday - timedelta(days=7)}", f"{monday}"]
    assert bars["y"] == [2, 1] and line["y"] == [2, 3]
    assert bars["name"] == "Completed that week"


def test_brands_launched_per_month_counts_launched_and_model_brands() -> None:
    br = [
        {
            "project_code": "B1",
            "community": "C1",
            "brand_name": "X",
            "category": "other",
            "status": s,
            "start_date": d,
        }
        for s, d in (
            ("launched", date(2026, 4, 2)),
            ("model", date(2026, 6, 1)),
            ("planning", date(2026, 6, 3)),
        )
    ]
    fig = registry.figure_dict(charts.brands_monthly(frames(brands=br), "zh", TODAY))
    bars, line = fig["data"]
    assert bars["x"] == ["2026-04-01", "2026-05-01", "2026-06-01"]
    assert bars["y"] == [1, 0, 1] and line["y"] == [1, 1, 2]


def test_trend_charts_are_on_their_boards_and_empty_without_data() -> None:
    ids = {b: [s.id for s in specs] for b, specs in registry.BOARDS.items()}
    assert "demolition_trend" in ids["demolition"]
    assert "elections_weekly" in ids["elections"]
    assert "brands_monthly" in ids["brands"]
    for build in (charts.demolition_rates, charts.elections_weekly, charts.brands_monthly):
        fig = registry.figure_dict(build(frames(), "zh", TODAY))
        assert fig["layout"]["annotations"][0]["text"] == "暂无数据"


def test_the_term_calendar_counts_term_ends_per_month_and_marks_the_180_day_window() -> None:
    orgs = [
        {"org_code": c, "org_name": c, "org_type": "village", "members": 5, "stage": "completed",
         "completed_date": date(2024, 1, 1), "term_end": end}
        for c, end in (("A", date(2026, 8, 3)), ("B", date(2026, 8, 20)), ("C", date(2027, 3, 1)))
    ]  # fmt: skip
    fig = registry.figure_dict(charts.term_calendar(frames(elections=orgs), "zh", TODAY))
    later, soon = fig["data"]
    assert later["x"] == soon["x"] == ["2026-08-01", "2027-03-01"]
    assert soon["y"] == [2, 0] and later["y"] == [0, 1]
    assert soon["name"] == "180 天内届满"
    (window,) = fig["layout"]["shapes"]
    assert (window["x0"], window["x1"]) == ("2026-06-30", "2026-12-27")
