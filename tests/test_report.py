"""The weekly report's figures and changes against a week ago; kiosk links created and revoked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from dashboard.accounts import auth, kiosk
from dashboard.board import report as weekly
from dashboard.insights import report
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
