"""Reporting rounds (填报任务): an admin asks scopes to report a ledger by a deadline; a scoped
editor's accepted upload is its scope's report; lateness is counted in office days."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard import clock
from dashboard.contract.scopes import Scope
from dashboard.store import rounds, storage
from dashboard.store.rounds import RoundScope

BRANDS = (
    "项目编码,社区,品牌名称,类别,状态\n"
    "BR-01,示例社区A,连心网络,网络管理,示范\n"
    "BR-02,示例社区B,先锋驿站,服务实效,已挂牌\n"
)
ACTIVITY = "活动日期,项目编码,活动名称,活动类型,参与人数\n2026-11-20,{code},主题党日,主题党日,30\n"
REPO = Path(__file__).resolve().parents[1]
A, B = Scope.parse("community=示例社区A"), Scope.parse("community=示例社区B")


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    assert storage.import_file(eng, "brands", BRANDS.encode(), "brands.csv").accepted
    return eng


def _report(engine: sa.Engine, scope: Scope, code: str, user: str) -> storage.ImportResult:
    data = ACTIVITY.format(code=code).encode()
    return storage.import_file(engine, "activities", data, f"{user}.csv", scope=scope, user=user)


def test_a_scoped_upload_during_the_round_is_that_scopes_report(engine: sa.Engine) -> None:
    today = clock.office_today()
    round_id = rounds.open_round(
        engine, "activities", ["community=示例社区A,示例社区B"], today + timedelta(days=3), "11月品牌活动",
        by="admin",
    )  # fmt: skip
    result = _report(engine, A, "BR-01", "a-staff")
    assert result.accepted and result.rounds == [round_id]
    [got] = rounds.list_rounds(engine)
    by_scope = {s.scope: s for s in got.scopes}
    mine = by_scope["community=示例社区A"]
    assert (mine.reported_by, mine.version) == ("a-staff", result.version)
    assert mine.state(got.deadline, today) == "reported"
    assert by_scope["community=示例社区B"].state(got.deadline, today) == "pending"
    assert got.counts(today) == {"reported": 1, "late": 0, "overdue": 0, "pending": 1}
    # three office days later B is still missing: overdue on the day after the deadline, not before
    assert got.counts(today + timedelta(days=3))["overdue"] == 0
    assert got.counts(today + timedelta(days=4)) == {"reported": 1, "late": 0, "overdue": 1, "pending": 0}


def test_a_report_after_the_deadline_is_late_and_a_refused_upload_reports_nothing(engine: sa.Engine) -> None:
    yesterday = clock.office_today() - timedelta(days=1)
    rounds.open_round(engine, "activities", ["community=示例社区A", "community=示例社区B"], yesterday)
    assert not _report(engine, A, "BR-02", "a-staff").accepted  # another community's brand: refused
    [got] = rounds.list_rounds(engine)
    assert got.counts(clock.office_today())["overdue"] == 2
    assert _report(engine, B, "BR-02", "b-staff").accepted
    [got] = rounds.list_rounds(engine)
    assert got.counts(clock.office_today()) == {"reported": 0, "late": 1, "overdue": 1, "pending": 0}


def test_the_deadline_is_an_office_day() -> None:
    deadline = date(2026, 11, 30)
    before_midnight = RoundScope("community=A", datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "a", 3)
    after_midnight = RoundScope("community=A", datetime(2026, 11, 30, 16, 1, tzinfo=UTC), "a", 3)
    assert before_midnight.state(deadline, date(2026, 12, 5)) == "reported"  # 23:59 in Beijing
    assert after_midnight.state(deadline, date(2026, 12, 5)) == "late"  # 00:01 on 1 December


def test_closing_keeps_the_record_and_later_uploads_report_nothing(engine: sa.Engine) -> None:
    round_id = rounds.open_round(engine, "activities", ["community=示例社区A"], clock.office_today())
    rounds.close_round(engine, round_id, by="admin")
    assert rounds.list_rounds(engine, open_only=True) == []
    assert _report(engine, A, "BR-01", "a-staff").rounds == []
    [kept] = rounds.list_rounds(engine)
    assert not kept.is_open and kept.closed_by == "admin" and kept.scopes[0].reported_at is None
    with pytest.raises(rounds.RoundError):
        rounds.close_round(engine, round_id)


def test_a_round_asks_only_scopes_that_can_report_its_ledger(engine: sa.Engine) -> None:
    for dataset, scopes in (
        ("meetings", ["community=示例社区A"]),  # office-wide
        ("demolition", ["community=示例社区A"]),  # by party group
        ("activities", ["county=X"]),
        ("activities", []),
        ("nothing", ["community=示例社区A"]),
    ):
        with pytest.raises(rounds.RoundError):
            rounds.open_round(engine, dataset, scopes, clock.office_today())
    assert rounds.list_rounds(engine) == []


def test_a_scoped_editor_sees_the_open_rounds_that_ask_its_scope(engine: sa.Engine) -> None:
    asked = rounds.open_round(engine, "activities", ["community=示例社区A"], clock.office_today())
    rounds.open_round(engine, "brands", ["community=示例社区B"], clock.office_today())
    assert [r.id for r in rounds.rounds_for(engine, A)] == [asked]
    assert rounds.rounds_for(engine, None) == []


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dashboard", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


def test_cli_rounds_open_list_close(sqlite_url: str) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    storage.import_file(engine, "brands", BRANDS.encode(), "brands.csv")
    deadline = (clock.office_today() + timedelta(days=2)).isoformat()
    opened = _cli("rounds", "open", "activities", "--scope", "community=示例社区A,示例社区B",
                  "--deadline", deadline, "--note", "11月品牌活动，请于30日前上报")  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    _report(engine, A, "BR-01", "a-staff")
    listed = _cli("rounds", "list").stdout
    assert "11月品牌活动" in listed and "a-staff" in listed and "已报 reported" in listed and "未报" in listed
    round_id = str(rounds.list_rounds(engine)[0].id)
    assert _cli("rounds", "close", round_id).returncode == 0
    assert "已关闭" in _cli("rounds", "list").stdout and "还没有" in _cli("rounds", "list", "--open").stdout
    again = _cli("rounds", "close", round_id)
    assert again.returncode == 2 and "已经关闭" in again.stderr
    bad = _cli("rounds", "open", "meetings", "--scope", "community=示例社区A", "--deadline", deadline)
    assert bad.returncode == 2 and "不能上报" in bad.stderr
    typo = _cli("rounds", "open", "activities", "--scope", "community=示例社区A,示例社区",
                "--deadline", deadline)  # fmt: skip
    assert typo.returncode == 2 and "当前台账中没有：示例社区。" in typo.stderr
    assert "was not opened" in typo.stderr
    assert len(rounds.list_rounds(engine)) == 1  # only the round opened above


def test_a_name_no_ledger_holds_is_refused_on_the_page_and_nothing_is_opened(engine: sa.Engine) -> None:
    """A typo would wait for a report nobody can make; a name the ledgers hold opens as before."""
    from dashboard.accounts import auth
    from dashboard.state.rounds import RoundsAdmin
    from tests.reflex_events import fire

    auth.add_user(engine, "admin", "admin", PASSWORD)
    admin = _as(RoundsAdmin, "admin")
    form = {"dataset": "activities", "scopes": "community=示例社区C", "deadline": "2027-01-01", "note": ""}
    fire(admin, "open_round", form)
    assert not admin.ok and "示例社区C" in admin.message and rounds.list_rounds(engine) == []
    fire(admin, "open_round", form | {"scopes": "community=示例社区B"})
    assert admin.ok and len(rounds.list_rounds(engine)) == 1


def _open(deadline: date, reported: tuple[bool, ...]) -> dict[str, pd.DataFrame]:
    rows = [
        {"round": 7, "dataset": "activities", "deadline": deadline, "scope": f"community=社区{i}",
         "reported": r}
        for i, r in enumerate(reported)
    ]
    return {rounds.OPEN_FRAME: pd.DataFrame(rows)}


def test_an_overdue_round_warns_from_the_office_day_after_its_deadline() -> None:
    from dashboard.board.warnings import reason
    from dashboard.insights import warnings

    deadline = date(2026, 11, 30)
    assert warnings.round_warnings(_open(deadline, (True, False)), deadline) == []  # the deadline day
    [w] = warnings.round_warnings(_open(deadline, (True, False, False)), deadline + timedelta(days=1))
    day_after = deadline + timedelta(days=1)
    assert (w.rule, w.level, w.since, w.params["n"]) == ("round_overdue", "red", day_after, 2)
    assert "社区1, 社区2" in reason(w, "zh") and "品牌活动" in reason(w, "zh")
    assert warnings.round_warnings(_open(deadline, (True, True)), deadline + timedelta(days=9)) == []


def test_the_overview_warns_of_an_overdue_round_as_soon_as_it_is_opened(engine: sa.Engine) -> None:
    from dashboard.board import CACHE

    before = CACHE.view("overview", "zh")
    assert not any(w.rule == "round_overdue" for w in before.warnings)
    rounds.open_round(engine, "activities", ["community=示例社区A"], clock.office_today() - timedelta(days=2))
    after = CACHE.view("overview", "zh")  # no new version: the round's own stamp rebuilt the view
    assert [w.rule for w in after.warnings if w.rule == "round_overdue"] == ["round_overdue"]


PASSWORD = "Pass-word-1"


def _as(cls: type, user: str) -> object:
    from dashboard.accounts import auth
    from tests.reflex_events import state_for

    token = auth.login(storage.make_engine(), user, PASSWORD)
    return state_for(cls, f"{auth.SESSION_COOKIE}={token}")


def test_the_office_opens_follows_and_closes_a_round_on_its_page(engine: sa.Engine) -> None:
    from dashboard.accounts import auth
    from dashboard.state.rounds import MyRounds, RoundsAdmin
    from tests.reflex_events import fire

    auth.add_user(engine, "admin", "admin", PASSWORD)
    auth.add_user(engine, "a-staff", "editor", PASSWORD, scope="community=示例社区A")
    admin = _as(RoundsAdmin, "admin")
    deadline = (clock.office_today() + timedelta(days=5)).isoformat()
    form = {"dataset": "activities", "scopes": "community=示例社区A,示例社区B", "deadline": deadline,
            "note": "11月品牌活动，请于30日前上报"}  # fmt: skip
    fire(admin, "open_round", form)
    assert admin.ok and [s.state for s in admin.rows[0].scopes] == ["pending", "pending"]
    mine = _as(MyRounds, "a-staff")
    fire(mine, "load")
    assert [s.scope for s in mine.rows[0].scopes] == ["community=示例社区A"]  # its own line only
    assert _report(engine, A, "BR-01", "a-staff").accepted
    fire(admin, "load")
    first = admin.rows[0].scopes[0]
    assert (first.state, first.colour, first.by) == ("reported", "green", "a-staff") and first.at
    fire(admin, "close", admin.rows[0].id)
    assert not admin.rows[0].is_open
    actions = [a.action for a in auth.list_audit(engine, limit=10)]
    assert "round_open" in actions and "round_close" in actions


def test_threat_a_scoped_editor_fires_the_round_events(engine: sa.Engine) -> None:
    from dashboard.accounts import auth
    from dashboard.state.rounds import RoundsAdmin
    from tests.reflex_events import fire

    auth.add_user(engine, "a-staff", "editor", PASSWORD, scope="community=示例社区A")
    round_id = rounds.open_round(engine, "activities", ["community=示例社区B"], clock.office_today())
    state = _as(RoundsAdmin, "a-staff")
    asked = {"dataset": "activities", "scopes": "community=示例社区A", "deadline": "2027-01-01"}
    fire(state, "open_round", asked)
    fire(state, "close", str(round_id))
    fire(state, "load")
    assert not state.ok and state.rows == []
    [kept] = rounds.list_rounds(engine)
    assert kept.id == round_id and kept.is_open
    assert auth.list_audit(engine, limit=1)[0].action == "forbidden"


def test_the_digest_names_the_scopes_overdue_in_a_round(engine: sa.Engine) -> None:
    from dashboard.notify import digest, messages

    rounds.open_round(engine, "activities", ["community=示例社区B"], clock.office_today() - timedelta(days=1))
    text = messages.render(digest.compute(engine, clock.office_today()), "zh", "http://localhost:3000").plain()
    assert "填报任务逾期未报：示例社区B" in text
