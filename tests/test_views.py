"""What each board sends to a browser: built once per data version, translated, and small.

``dashboard.board`` is the Reflex-free half of the app: these tests run
it on the demo ledgers in a temporary database and on city-sized frames.
"""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date

import pandas as pd
import pytest

from dashboard import board as presenter
from dashboard import i18n
from dashboard.board import BOARDS, BoardView, Snapshot, ViewCache, build_view
from dashboard.demo.load import DEMO_USERS, demo_bytes
from dashboard.insights import metrics
from dashboard.store import storage
from tests.conftest import DEMO_DAY
from tests.frames import city_frames

TODAY = DEMO_DAY  # the day tests/conftest.py's demo_db loads the demo on


def has_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)



def test_a_board_is_built_once_per_data_version_and_shared_by_every_viewer(demo_db: str) -> None:
    cache = ViewCache()
    first = cache.view("demolition", "zh", today=TODAY)
    assert cache.view("demolition", "zh", today=TODAY) is first  # a second viewer: same object
    assert first.stamp == storage.data_stamp(storage.make_engine())

    storage.import_file(
        storage.make_engine(), "demolition", demo_bytes("demolition", TODAY), "台账.csv", user="张三"
    )
    second = cache.view("demolition", "zh", today=TODAY)
    assert second is not first
    assert second.stamp == storage.data_stamp(storage.make_engine()) > first.stamp
    assert second.version != first.version


def test_the_next_day_rebuilds_the_view_even_without_new_data(demo_db: str) -> None:
    cache = ViewCache()
    today = cache.view("overview", "zh", today=TODAY)
    tomorrow = cache.view("overview", "zh", today=date(2025, 7, 1))
    assert tomorrow.version != today.version


def test_every_board_says_when_and_by_whom_each_dataset_was_last_updated(demo_db: str) -> None:
    cache = ViewCache()
    for board in BOARDS:
        view = cache.view(board, "zh", today=TODAY)
        assert len(view.freshness) == len(presenter.BOARD_DATASETS[board])
        for line in view.freshness:
            assert line.dataset.endswith("：")
            assert line.text.startswith("数据截至 ") and line.text.rsplit(" · ", 1)[1] in DEMO_USERS
        assert view.demo, board


def test_the_sample_data_banner_goes_when_real_data_replaces_the_demo(demo_db: str) -> None:
    engine = storage.make_engine()
    storage.import_file(engine, "demolition", demo_bytes("demolition", TODAY), "东辛村.csv", user="王主任")
    cache = ViewCache()
    demolition = cache.view("demolition", "zh", today=TODAY)
    # milestones and meetings are still the demo ledgers: the banner stays.
    assert demolition.demo
    assert [f.text.endswith("· 王主任") for f in demolition.freshness] == [True, False, False]
    for name in ("milestones", "meetings"):
        storage.import_file(engine, name, demo_bytes(name, TODAY), f"{name}.csv", user="王主任")
    assert not cache.view("demolition", "zh", today=TODAY).demo
    assert cache.view("overview", "zh", today=TODAY).demo  # elections and brands are still demo data


def test_kpi_cards_show_the_counts_behind_each_rate_and_the_change_since_the_last_version(
    demo_db: str,
) -> None:
    cache = ViewCache()
    kpis = {k.id: k for g in cache.view("overview", "zh", today=TODAY).kpi_groups for k in g.kpis}
    assert kpis["election_completion"].sub == "33 / 33"
    assert kpis["election_completion_village"].sub == "25 / 25"
    assert kpis["election_completion_community"].sub == "8 / 8"
    assert kpis["signed_rate"].sub.endswith(" / 91")
    assert kpis["time_progress"].sub == "第 85 天 / 共 100 天"
    # the demo's history: the load day's upload signed two more properties than the one before it
    assert kpis["signed_rate"].trend == "up"
    assert kpis["signed_rate"].delta == "较上一版本 +2.2 个百分点"
    assert all(k.delta != "无上一版本" and len(k.spark.split()) > 1 for k in kpis.values())
    assert "÷ 全部房产 91" in kpis["signed_rate"].formula


def test_a_kpi_change_is_coloured_by_what_it_means_so_fewer_overdue_items_is_good_news(
    demo_db: str,
) -> None:
    """The arrow says which way a figure moved (``trend``), the colour whether that is good news
    (``tone``, from the KPI's ``better``): 超期事项, 未办结 and 有缺项的组织 read lower is better."""
    engine = storage.make_engine()

    def cards() -> dict[str, presenter.KpiView]:
        view = ViewCache().view("overview", "zh", today=TODAY)
        return {k.id: k for g in view.kpi_groups for k in g.kpis}

    # staff close every overdue 督办 item today, after its deadline
    tasks = pd.read_csv(io.BytesIO(demo_bytes("tasks", TODAY)), dtype=str, keep_default_na=False)
    overdue = tasks["办理状态"].ne("已办结") & tasks["办理时限"].lt(TODAY.isoformat())
    assert overdue.any()
    tasks.loc[overdue, "办理状态"] = "已办结"
    tasks.loc[overdue, "办结日期"] = TODAY.isoformat()
    tasks.loc[overdue, "办理结果"] = "已办结"
    storage.import_file(engine, "tasks", tasks.to_csv(index=False).encode(), "督办.csv", user="王主任")
    closed = cards()
    assert (closed["tasks_overdue"].trend, closed["tasks_overdue"].tone) == ("down", "good")
    assert (closed["tasks_open"].trend, closed["tasks_open"].tone) == ("down", "good")
    # closed late: the on-time rate (higher is better) fell
    assert (closed["tasks_on_time_rate"].trend, closed["tasks_on_time_rate"].tone) == ("down", "bad")

    # the same items open and overdue again: bad news, the on-time rate back up: good news
    storage.import_file(engine, "tasks", demo_bytes("tasks", TODAY), "督办.csv", user="王主任")
    reopened = cards()
    assert (reopened["tasks_overdue"].trend, reopened["tasks_overdue"].tone) == ("up", "bad")
    assert (reopened["tasks_open"].trend, reopened["tasks_open"].tone) == ("up", "bad")
    assert (reopened["tasks_on_time_rate"].trend, reopened["tasks_on_time_rate"].tone) == ("up", "good")
    # no change and 时间进度 (time passes either way) are neither
    assert reopened["tasks_same_day_rate"].tone == reopened["time_progress"].tone == "neutral"


def test_every_kpi_says_which_way_is_better() -> None:
    """Defined once with the KPI (insights.metrics), read by the cards' colours."""
    lower = {kid for kid, better in metrics.BETTER.items() if better == "lower"}
    assert lower == {"tasks_open", "tasks_overdue", "org_life_gap_orgs"}
    assert metrics.BETTER["time_progress"] == "neither"
    others = set(metrics.BETTER) - lower - {"time_progress"}
    assert {metrics.BETTER[kid] for kid in others} == {"higher"}


def test_english_views_carry_no_chinese_except_data(demo_db: str) -> None:
    cache = ViewCache()
    # Names as entered are data; a grid cell's title holds the (masked) household name.
    data_fields = {"org_name", "supervisor", "note", "community", "brand_name", "org_code", "title"}
    # Warning reasons quote names as entered; the panel shows them apart as data (.dv).
    data_fields |= {"reason", "name"}
    # 督办: item codes, owners (staff names), units and meeting topics are data too.
    data_fields |= {"task_code", "owner", "unit", "topic", "chair"}

    def labels(value: object, field: str = "") -> list[str]:
        if field in data_fields:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for item in value for s in labels(item)]
        if dataclasses.is_dataclass(value):
            return [s for f in dataclasses.fields(value) for s in labels(getattr(value, f.name), f.name)]
        return []

    for board in BOARDS:
        view = cache.view(board, "en", today=TODAY)
        # Charts: their titles here; what they draw (ticks may be data) in tests/test_static_charts.py
        chinese = [s for s in labels(dataclasses.replace(view, charts=[], cards=[])) if has_cjk(s)]
        # Milestone, brand and organisation names inside texts are data too.
        assert chinese == [], board
        assert all(not has_cjk(c.title) for c in view.charts)
        assert all(not has_cjk(cell.title.split(" · ")[-1]) for g in view.grid for cell in g.cells)


def test_a_city_sized_board_stays_small() -> None:
    frames = city_frames(TODAY)
    snapshot = Snapshot(today=TODAY, latest={}, current=frames)
    for board in BOARDS:
        view = build_view(snapshot, board, "zh")
        sent = {k: v for k, v in dataclasses.asdict(view).items() if k not in BoardView.SERVER_ONLY}
        size = len(json.dumps(sent, ensure_ascii=False).encode())  # what a tab receives
        assert size < 300_000, (board, size)
        assert len(view.orgs) <= presenter.TABLE_LIMIT
        assert len(view.expiries) <= presenter.TABLE_LIMIT
        assert len(view.brands) <= presenter.CARD_LIMIT
        assert len(view.overdue_tasks) <= presenter.TABLE_LIMIT
    elections = build_view(snapshot, "elections", "zh")
    assert elections.orgs_more == f"另有 {5_000 - presenter.TABLE_LIMIT} 条未显示"
    overview = build_view(snapshot, "overview", "zh")
    assert len(overview.warnings) == presenter.TABLE_LIMIT  # a city has hundreds open
    assert overview.warnings_more.startswith("另有 ") and overview.warnings_more.endswith(" 条未显示")
    # Thousands of communities: the filter is typed, its choices are not sent.
    assert elections.filter_typed == ["community", "unit"]  # and a city's hundreds of 督办 units
    assert elections.filter_options["community"] == []
    assert elections.filter_options["party_group"] == ["1", "2", "3", "4"]


def test_a_sub_district_picks_its_communities_from_a_list(demo_db: str) -> None:
    view = ViewCache().view("overview", "zh", today=TODAY)
    assert view.filter_typed == []
    assert len(view.filter_options["community"]) == 8  # the 8 社区 of the article


def test_unknown_board_names_the_valid_ones() -> None:
    snapshot = Snapshot(today=TODAY, latest={}, current={})
    with pytest.raises(KeyError, match="overview, elections, brands, demolition"):
        build_view(snapshot, "finance", "zh")


def test_every_catalogue_string_the_pages_use_exists_in_both_languages() -> None:
    from dashboard.state.prefs import UI_KEYS

    for key in UI_KEYS:
        for lang in i18n.LANGS:
            assert i18n.t(key, lang), (key, lang)
    for board in BOARDS:
        assert i18n.t(f"app.page.{board}", "en")


def _modules_loaded_by(*modules: str) -> set[str]:
    """The modules a fresh interpreter holds after importing ``modules`` (nothing else imported)."""
    import subprocess
    import sys

    code = (
        f"import importlib, sys\nfor m in {list(modules)!r}: importlib.import_module(m)\n"
        "print(' '.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_presenter_runs_without_reflex_and_the_insights_without_the_catalogue() -> None:
    """board/ is plain Python (states, api and cli show it); insights give codes, numbers, dates."""
    from pathlib import Path

    board_modules = [f"dashboard.board.{p.stem}" for p in Path(presenter.__file__).parent.glob("*.py")]
    assert "reflex" not in _modules_loaded_by("dashboard.board", *board_modules)
    # insights write no display string: none of them imports the catalogue (store below them does,
    # for its own refusal messages; pyproject's import-linter contract checks the same in the build)
    insights = Path(presenter.__file__).parent.parent / "insights"
    for module in insights.glob("*.py"):
        imports = [ln for ln in module.read_text(encoding="utf-8").splitlines() if "import" in ln]
        assert not [ln for ln in imports if "i18n" in ln], module.name
    assert "dashboard.state" not in _modules_loaded_by("dashboard.api", "dashboard.cli")
