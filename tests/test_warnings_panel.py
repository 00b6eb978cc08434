"""The overview's warnings panel and the term calendar download, on the demo ledgers."""

from __future__ import annotations

import csv
import io

from starlette.testclient import TestClient

from dashboard import api
from dashboard.accounts import auth
from dashboard.board import ViewCache
from dashboard.clock import office_today
from dashboard.insights import warnings
from dashboard.store import storage
from tests.conftest import DEMO_DAY

TODAY = DEMO_DAY  # the day tests/conftest.py's demo_db loads the demo on


def test_overview_lists_open_warnings_most_severe_then_newest_each_linking_to_its_board(demo_db: str) -> None:
    view = ViewCache().view("overview", "zh", today=TODAY)
    rows = view.warnings
    assert rows, "the demo campaign has something to act on"
    levels = [r.level for r in rows]
    assert levels == sorted(levels, key=warnings.SEVERITY.__getitem__)
    for r in rows:
        routes = {"demolition": "/demolition", "elections": "/elections", "brands": "/brands"}
        routes |= {"tasks": "/tasks"}
        assert r.link == (routes | {"org_life": "/org-life"})[r.board]
        assert r.level_label in ("红色预警", "黄色预警") and r.since.startswith("自 ")
    # the demo has organisations whose term ends within 180 days
    assert any(r.rule == "term_expiring" for r in rows)
    # only the overview carries the panel
    assert ViewCache().view("demolition", "zh", today=TODAY).warnings == []


def test_the_term_calendar_downloads_as_csv_for_a_signed_in_viewer(demo_db: str) -> None:
    engine = storage.make_engine()
    auth.add_user(engine, "leader", "viewer", "pass-word-1")
    client = TestClient(api.build())
    assert client.get("/api/reminders/term-calendar.csv").status_code == 401
    client.post("/api/login", data={"name": "leader", "password": "pass-word-1"})
    answer = client.get("/api/reminders/term-calendar.csv")
    assert answer.status_code == 200 and answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["组织编码", "党组织名称", "组织类型", "任期届满日期", "距今天数", "180 天内届满"]
    frames = {"elections": storage.load_current(engine, "elections")}
    calendar = warnings.term_calendar(frames, office_today())
    assert len(rows) - 1 == len(calendar) == 33
    days = [int(r[4]) for r in rows[1:]]
    assert days == sorted(days)  # soonest first
    assert all(r[5] == ("是" if int(r[4]) <= 180 else "否") for r in rows[1:])
    english = client.get("/api/reminders/term-calendar.csv?lang=en").content.decode("utf-8-sig")
    assert (
        english.splitlines()[0]
        == "Organisation code,Organisation,Type,Term ends,Days from today,Ends within 180 days"
    )


def test_in_english_the_panel_keeps_names_apart_as_data(demo_db: str) -> None:
    rows = ViewCache().view("overview", "en", today=TODAY).warnings
    for r in rows:
        assert r.before + r.name + r.after == r.reason
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in r.before + r.after), r.reason


def test_the_panel_counts_open_warnings_by_level_and_names_them_all_in_its_expander(demo_db: str) -> None:
    """The overview shows the counts and the first few rows; "全部 N 条" opens the rest."""
    view = ViewCache().view("overview", "zh", today=TODAY)
    assert len(view.warnings) > 5, "the demo has more warnings than the panel shows before its expander"
    total = view.warnings_red + view.warnings_yellow
    assert view.warnings_red == sum(r.level == "red" for r in view.warnings) and view.warnings_red > 0
    assert total == len(view.warnings) and view.warnings_more == ""  # the demo's fit under the cap
    assert view.warnings_all == f"全部 {total} 条"
    assert ViewCache().view("overview", "en", today=TODAY).warnings_all == f"All {total}"
