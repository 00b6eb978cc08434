"""Scoped accounts: a community editor reports its own rows only, and a scoped replace leaves every
other scope's rows exactly as they were (SQLite and PostgreSQL); a scoped viewer's frames hold its scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dashboard.accounts import auth
from dashboard.contract.scopes import Scope, ScopeError, ScopeKind, covers
from dashboard.ingest import scoping
from dashboard.store import export, storage

BRANDS = (
    "项目编码,社区,品牌名称,类别,状态\n"
    "BR-01,示例社区A,连心网络,网络管理,示范\n"
    "BR-02,示例社区B,先锋驿站,服务实效,已挂牌\n"
    "BR-03,示例社区C,服务联盟,资源整合,创建中\n"
    "BR-04,示例社区A,天使之家,特殊群体,筹备\n"
)
ACTIVITIES = (
    "活动日期,项目编码,活动名称,活动类型,参与人数\n"
    "2026-11-02,BR-01,主题党日,主题党日,30\n"
    "2026-11-03,BR-02,健康讲座,健康讲座,20\n"
)
COMMUNITY_A = Scope(ScopeKind.COMMUNITY, ("示例社区A",))
OTHERS = Scope(ScopeKind.COMMUNITY, ("示例社区B", "示例社区C"))


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    assert storage.import_file(eng, "brands", BRANDS.encode(), "brands.csv").accepted
    assert storage.import_file(eng, "activities", ACTIVITIES.encode(), "activities.csv").accepted
    return eng


def _csv(text: str) -> bytes:
    return text.encode()


def test_scope_text_round_trips_and_bad_scopes_are_refused() -> None:
    scope = Scope.parse("community=示例社区A，示例社区B")
    assert scope == Scope(ScopeKind.COMMUNITY, ("示例社区A", "示例社区B"))
    assert Scope.parse(scope.text) == scope
    assert Scope.parse("") is None
    for bad in ("county=A", "community=", "party_group=7", "organisation"):
        with pytest.raises(ScopeError):
            Scope.parse(bad)


def test_the_contract_says_which_ledgers_each_kind_reaches() -> None:
    assert covers("brands", ScopeKind.COMMUNITY) and covers("activities", ScopeKind.COMMUNITY)
    assert covers("elections", ScopeKind.ORGANISATION) and covers("org_life", ScopeKind.ORGANISATION)
    assert covers("demolition", ScopeKind.PARTY_GROUP) and covers("tasks", ScopeKind.PARTY_GROUP)
    assert not covers("milestones", ScopeKind.COMMUNITY) and not covers("meetings", ScopeKind.PARTY_GROUP)
    assert not covers("demolition", ScopeKind.COMMUNITY)


def test_a_row_of_another_community_is_an_error_at_its_cell_and_nothing_is_written(engine: sa.Engine) -> None:
    before = storage.data_stamp(engine)
    data = _csv(
        "项目编码,社区,品牌名称,类别,状态\nBR-01,示例社区A,连心网络,网络管理,示范\nBR-09,示例社区B,新品牌,其他,筹备\n"
    )
    result = storage.import_file(engine, "brands", data, "mine.csv", scope=COMMUNITY_A, user="a-staff")
    assert not result.accepted
    [error] = result.problems.errors
    assert (error.rule, error.line, error.column, error.value) == ("scope.outside", 3, "社区", "示例社区B")
    assert storage.data_stamp(engine) == before
    [audit] = auth.list_audit(engine, limit=1)
    assert (audit.action, audit.ok, audit.user) == ("upload_rejected", False, "a-staff")
    assert "outside the scope" in audit.detail


def test_a_scoped_replace_replaces_the_scopes_rows_only_and_others_stay_byte_identical(
    engine: sa.Engine,
) -> None:
    def others_csv() -> bytes:
        now = {"brands": storage.load_current(engine, "brands")}
        return export.to_csv_bytes("brands", scoping.restrict(now, OTHERS)["brands"])

    others = others_csv()
    data = _csv(
        "项目编码,社区,品牌名称,类别,状态\nBR-01,示例社区A,连心网络2,网络管理,示范\nBR-05,示例社区A,新驿站,其他,筹备\n"
    )
    result = storage.import_file(engine, "brands", data, "a.csv", scope=COMMUNITY_A, user="a-staff")
    assert result.accepted, result.problems.errors
    assert (result.added, result.changed, result.removed) == (1, 1, 1)  # BR-05 new, BR-01 renamed, BR-04 gone
    now = storage.load_current(engine, "brands")
    assert sorted(now["project_code"]) == ["BR-01", "BR-02", "BR-03", "BR-05"]
    assert others_csv() == others
    assert storage.list_versions(engine, "brands")[0].scope == "community=示例社区A"


def test_a_key_of_another_scope_cannot_be_taken_over(engine: sa.Engine) -> None:
    data = _csv("项目编码,社区,品牌名称,类别,状态\nBR-02,示例社区A,先锋驿站,服务实效,已挂牌\n")
    result = storage.import_file(engine, "brands", data, "a.csv", scope=COMMUNITY_A, mode="upsert")
    assert [(p.rule, p.line) for p in result.problems.errors] == [("scope.key_outside", 2)]


def test_activities_are_in_scope_through_their_brand(engine: sa.Engine) -> None:
    mine = _csv("活动日期,项目编码,活动名称,活动类型,参与人数\n2026-11-09,BR-04,志愿服务,志愿服务,12\n")
    assert storage.import_file(engine, "activities", mine, "a.csv", scope=COMMUNITY_A).accepted
    theirs = _csv("活动日期,项目编码,活动名称,活动类型,参与人数\n2026-11-09,BR-02,志愿服务,志愿服务,12\n")
    result = storage.import_file(engine, "activities", theirs, "a.csv", scope=COMMUNITY_A)
    assert [(p.rule, p.line, p.value) for p in result.problems.errors] == [("scope.outside", 2, "BR-02")]


def test_an_office_wide_ledger_is_refused_to_a_scoped_editor(engine: sa.Engine) -> None:
    data = _csv("日期,类型,议题\n2026-11-02,周例会,拆迁进度\n")
    result = storage.import_file(engine, "meetings", data, "m.csv", scope=COMMUNITY_A, user="a-staff")
    assert [p.rule for p in result.problems.errors] == ["scope.dataset"]
    assert storage.list_versions(engine, "meetings") == []


def test_a_scoped_viewers_frames_hold_its_scope_and_the_office_wide_ledgers(engine: sa.Engine) -> None:
    frames = {name: storage.load_current(engine, name) for name in ("brands", "activities")}
    mine = scoping.restrict(frames, COMMUNITY_A)
    assert sorted(mine["brands"]["project_code"]) == ["BR-01", "BR-04"]
    assert list(mine["activities"]["project_code"]) == ["BR-01"]
    assert mine["demolition"].empty and "milestones" in mine


def test_accounts_carry_their_scope_into_the_session(engine: sa.Engine) -> None:
    auth.add_user(engine, "a-staff", "editor", "Pass-word-1", scope="community=示例社区A")
    assert auth.get_user(engine, "a-staff").scope == COMMUNITY_A
    who = auth.resolve(engine, auth.login(engine, "a-staff", "Pass-word-1"))
    assert who is not None and who.scope == COMMUNITY_A
    auth.set_scope(engine, "a-staff", "")
    assert auth.get_user(engine, "a-staff").scope is None
    with pytest.raises(auth.AccountError):
        auth.add_user(engine, "boss", "admin", "Pass-word-1", scope="community=示例社区A")
    with pytest.raises(auth.AccountError):
        auth.set_scope(engine, "a-staff", "county=X")
