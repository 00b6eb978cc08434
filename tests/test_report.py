"""The weekly report's figures and changes against a week ago; kiosk links created and revoked."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.accounts import auth, kiosk
from dashboard.board import report as weekly
from dashboard.demo.load import load_demo
from dashboard.insights import Frames, metrics, report
from dashboard.store import storage
from tests.test_trends import TODAY, properties, upload


@pytest.fixture
def engine(sqlite_url: str) -> sa.Engine:
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    return eng


def test_the_report_compares_with_the_data_of_a_week_ago(engine: sa.Engine) -> None:
    upload(engine, "demolition", properties(2), TODAY - timedelta(days=10))
    upload(engine, "demolition", properties(5), TODAY - timedelta(days=2))
    current = {"demolition": storage.load_current(engine, "demolition")}
    rep = report.build(engine, current, storage.latest_versions(engine), TODAY)
    assert rep.kpis["signed_rate"].value == 0.5 and rep.kpis["signed_rate"].delta == pytest.approx(0.3)
    assert rep.kpis["election_completion"].delta is None  # no elections a week ago
    assert (rep.start, rep.end) == (date(2026, 6, 24), date(2026, 6, 30))
    assert rep.uploads == [report.Upload("demolition", versions=1, added=0, changed=3, removed=0)]
    # the demolition ledger was uploaded 2 days ago: within its daily rhythm? no, stale after 1 day
    assert [w.rule for w in rep.warnings] == ["dataset_stale"]
    # and in the leader's words (dashboard.board.report)
    text = weekly.write(rep, "zh")
    signed = next(f for f in text.figures if f.label == "签约率")
    assert signed.value == "50%" and signed.change == "较上周 +30 个百分点"
    elections = next(f for f in text.figures if f.label == "换届完成率")
    assert elections.change == "上周无数据"
    assert text.period == "统计周期：2026年6月24日至2026年6月30日"
    assert text.uploads == ["拆迁房产进度：本周更新 1 次，新增 0 行、变更 3 行、删除 0 行"]
    assert "10 户中已签约 5 户（签约率 50%）" in text.summary[2]
    assert weekly.write(report.Report(start=TODAY, end=TODAY, kpis=rep.kpis), "en").uploads == [
        "No ledger was updated this week"
    ]


def test_frames_as_of_a_day_before_any_upload_are_empty(engine: sa.Engine) -> None:
    upload(engine, "demolition", properties(2), TODAY)
    before = report.frames_as_of(engine, TODAY - timedelta(days=1))
    assert before["demolition"].empty
    assert len(report.frames_as_of(engine, TODAY)["demolition"]) == 10


# An office day whose week ago lies in the month before: "this month" differs between the two.
PINNED = date(2025, 7, 3)
# The figures that depend on the day they are read on, not only on the data.
DATE_DEPENDENT = (
    "activities_month",  # this month
    "participants_month",
    "time_progress",  # the campaign day
    "progress_gap",
    "tasks_overdue",  # open past its deadline
    "org_life_rate",  # the last closed month
    "org_life_gap_orgs",
    "org_life_attendance",
)


def _campaign_time(frames: Frames, day: date) -> float:
    """Day N of the 100 days, as a fraction: counted from the earliest milestone start."""
    start = frames["milestones"]["planned_start"].min().date()
    return ((day - start).days + 1) / metrics.CAMPAIGN_DAYS


def _signed(frames: Frames) -> float:
    dem = frames["demolition"]
    return dem["status"].isin(["signed", "vacated", "demolished", "cleared"]).sum() / len(dem)


def _overdue(frames: Frames, day: date) -> int:
    tasks = frames["tasks"]
    return int((tasks["status"].ne("closed").fillna(True) & tasks["deadline"].lt(pd.Timestamp(day))).sum())


def _this_month(frames: Frames, day: date) -> pd.DataFrame:
    act = frames["activities"]
    return act[act["date"].dt.to_period("M") == pd.Period(day, "M")]


def test_each_change_since_last_week_is_todays_figure_minus_last_weeks_as_read_a_week_ago(
    sqlite_url: str,
) -> None:
    """Last week's figures are last week's data read on last week's day: a week of the campaign
    has passed (时间进度 +7 pp), items overdue then are counted as of then, and 本月活动 a week ago
    is June's, not July as it stood on June 26 (nothing)."""
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    load_demo(engine, PINNED)
    week_ago = PINNED - timedelta(days=report.REPORT_DAYS)
    now, then = report.frames_as_of(engine, PINNED), report.frames_as_of(engine, week_ago)

    rep = report.build(engine, now, storage.latest_versions(engine), PINNED)

    delta = {kid: rep.kpis[kid].delta for kid in DATE_DEPENDENT}
    # by hand, from each day's own data on its own day
    time_now, time_then = _campaign_time(now, PINNED), _campaign_time(then, week_ago)
    assert delta["time_progress"] == pytest.approx(time_now - time_then) == pytest.approx(0.07)
    gap_now, gap_then = (_signed(now) - time_now) * 100, (_signed(then) - time_then) * 100
    assert delta["progress_gap"] == pytest.approx(gap_now - gap_then)
    assert delta["tasks_overdue"] == _overdue(now, PINNED) - _overdue(then, week_ago)
    july, june = _this_month(now, PINNED), _this_month(then, week_ago)
    assert len(june) > 0  # June's activities, as June stood a week ago
    assert delta["activities_month"] == len(july) - len(june)
    assert delta["participants_month"] == july["participants"].sum() - june["participants"].sum()
    # every date-dependent figure: the overview's figure on each day's data, read that day
    today_figures = {k.id: k.value for k in metrics.overview_kpis(now, {}, PINNED)}
    week_ago_figures = {k.id: k.value for k in metrics.overview_kpis(then, {}, week_ago)}
    for kid in DATE_DEPENDENT:
        assert delta[kid] == pytest.approx(today_figures[kid] - week_ago_figures[kid]), kid
    # and so in the leader's words, which /report, the Word and the PDF documents all print
    figures = {f.label: f.change for f in weekly.write(rep, "zh").figures}
    assert figures["时间进度"] == "较上周 +7 个百分点"


def test_a_kiosk_link_works_until_revoked_and_only_its_hash_is_kept(engine: sa.Engine) -> None:
    token, link = kiosk.create(engine, "admin", "大厅大屏")
    assert kiosk.check(engine, token) and not kiosk.check(engine, token + "x")
    assert not kiosk.check(engine, "") and not kiosk.check(engine, None)
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(sa.text("select * from kiosk_link")).all()]
    assert token not in repr(stored)
    assert kiosk.revoke(engine, link.id, "admin")
    assert not kiosk.check(engine, token)
    assert not kiosk.revoke(engine, link.id, "admin")  # already revoked
    actions = [a.action for a in auth.list_audit(engine)]
    assert actions.count("kiosk_create") == 1 and actions.count("kiosk_revoke") == 1
    assert kiosk.list_links(engine)[0].created_at.year >= 2025


def test_a_kiosk_link_made_through_one_engine_is_seen_and_revoked_through_another(sqlite_url: str) -> None:
    """Every worker and host has its own engine on one database: a link is not a process's file."""
    storage.migrate(storage.make_engine(sqlite_url))
    one, other = sa.create_engine(sqlite_url), sa.create_engine(sqlite_url)
    token, link = kiosk.create(one, "admin", "大厅")
    assert kiosk.check(other, token)
    assert kiosk.revoke(other, link.id, "admin")
    assert not kiosk.check(one, token)


def test_the_wall_screen_overview_shows_the_most_severe_few_warnings_and_counts_the_rest(
    demo_db: str,
) -> None:
    """A wall cannot scroll: the overview lists SCREEN_WARNINGS rows under a heading with the
    open count per level, then how many more are open; a board without warnings shows neither."""
    from dashboard import board as presenter
    from dashboard import i18n
    from dashboard.state.report import SCREEN_WARNINGS, screen_view

    for lang in i18n.LANGS:
        view = presenter.CACHE.view("overview", lang)
        total = view.warnings_red + view.warnings_yellow
        assert total > SCREEN_WARNINGS  # the demo has more warnings than a wall shows
        wall = screen_view("overview", lang)
        assert wall["warnings"] == view.warnings[:SCREEN_WARNINGS]
        assert wall["warnings_head"].startswith(i18n.t("app.section.warnings", lang))
        assert f"{i18n.t('app.warnings.red', lang)} {view.warnings_red}" in wall["warnings_head"]
        assert wall["warnings_more"] == i18n.t("app.more_rows", lang, n=total - SCREEN_WARNINGS)
        elections = screen_view("elections", lang)
        assert (elections["warnings"], elections["warnings_head"], elections["warnings_more"]) == ([], "", "")
