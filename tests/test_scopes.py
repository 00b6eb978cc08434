"""Scoped accounts: a community editor reports its own rows only, and a scoped replace leaves every
other scope's rows exactly as they were (SQLite and PostgreSQL); a scoped viewer's frames hold its scope."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
REPO = Path(__file__).resolve().parents[1]
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


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=REPO, input=stdin, capture_output=True, text=True
    )


def test_cli_adds_a_scoped_account_and_imports_as_it(sqlite_url: str, tmp_path: Path) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    storage.import_file(engine, "brands", BRANDS.encode(), "brands.csv")
    added = _cli("users", "add", "a-staff", "--role", "editor", "--scope", "community=示例社区A",
                 "--password-stdin", stdin="Pass-word-1\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "community=示例社区A" in _cli("users", "list").stdout
    bad = _cli("users", "scope", "a-staff", "--scope", "county=X")
    assert bad.returncode == 2 and "范围写法不对" in bad.stderr
    upload = tmp_path / "b.csv"
    upload.write_text(BRANDS, encoding="utf-8")
    as_account = _cli("import", "brands", str(upload), "--user", "a-staff", "--json")
    assert as_account.returncode == 1
    assert {e["rule"] for e in json.loads(as_account.stdout)["errors"]} == {"scope.outside"}
    office = _cli("import", "brands", str(upload), "--user", "王芳")  # no such account: office-wide
    assert office.returncode == 0, office.stdout
    assert _cli("users", "scope", "a-staff", "--scope", "").returncode == 0
    assert auth.get_user(engine, "a-staff").scope is None


TASKS = (
    "事项编码,提出日期,来源,领域,事项内容,责任人,责任单位,办理时限,办理状态\n"
    "T-1,2026-11-02,早碰头,拆迁,入户,甲,第二党小组,2026-11-05,待办\n"
    "T-2,2026-11-02,早碰头,拆迁,入户,乙,第三党小组,2026-11-05,待办\n"
    "T-3,2026-11-02,走访,品牌创建,走访,丙,示例社区A党委,2026-11-05,待办\n"
)


def test_tasks_are_in_scope_by_their_unit_and_demolition_by_party_group(engine: sa.Engine) -> None:
    storage.import_file(engine, "tasks", TASKS.encode(), "t.csv")
    frames = {"tasks": storage.load_current(engine, "tasks")}
    group_2 = scoping.restrict(frames, Scope.parse("party_group=2"))
    assert list(group_2["tasks"]["task_code"]) == ["T-1"]
    assert list(scoping.restrict(frames, COMMUNITY_A)["tasks"]["task_code"]) == ["T-3"]
    edit = TASKS.replace("T-2,2026-11-02,早碰头,拆迁,入户,乙", "T-2,2026-11-02,早碰头,拆迁,入户,丁")
    result = storage.import_file(engine, "tasks", edit.encode(), "t.csv", scope=Scope.parse("party_group=2"))
    assert [(p.rule, p.line) for p in result.problems.errors] == [("scope.outside", 3), ("scope.outside", 4)]


def test_an_organisations_editor_reports_its_own_elections_row(engine: sa.Engine) -> None:
    head = "组织编码,党组织名称,组织类型,党员数,当前阶段\n"
    rows = "ORG-001,示例村01党支部,村,30,摸底调研\nORG-002,示例村02党支部,村,25,未启动\n"
    assert storage.import_file(engine, "elections", (head + rows).encode(), "e.csv").accepted
    mine = head + "ORG-001,示例村01党支部,村,31,推荐提名\n"
    scope = Scope.parse("organisation=ORG-001")
    result = storage.import_file(engine, "elections", mine.encode(), "e.csv", scope=scope)
    assert result.accepted and (result.changed, result.removed) == (1, 0)
    now = storage.load_current(engine, "elections").set_index("org_code")
    assert now.loc["ORG-001", "stage"] == "nomination" and now.loc["ORG-002", "stage"] == "not_started"


def test_the_header_names_a_scope_in_both_languages() -> None:
    from dashboard.state.auth import scope_both

    assert scope_both(Scope.parse("community=示例社区A,示例社区B")) == (
        "社区：示例社区A, 示例社区B",
        "community: 示例社区A, 示例社区B",
    )
    assert scope_both(None) == ("", "")


def test_a_scope_is_normalised_as_the_contract_normalises_cells() -> None:
    """Full-width letters, digits, commas and equals signs, and spaces: as a ledger cell is read."""
    typed = Scope.parse(" community＝示例社区Ａ ，　示例社区B ")
    assert typed == Scope(ScopeKind.COMMUNITY, ("示例社区A", "示例社区B"))
    assert Scope.parse("party_group=２") == Scope(ScopeKind.PARTY_GROUP, ("2",))
    assert Scope.parse("organisation=ＯＲＧ－００１") == Scope(ScopeKind.ORGANISATION, ("ORG-001",))


def test_a_scope_naming_what_no_ledger_holds_is_refused_and_nothing_is_written(engine: sa.Engine) -> None:
    with pytest.raises(auth.AccountError) as refused:
        auth.add_user(engine, "x-staff", "editor", "Pass-word-1", scope="community=示例社区A,示例社区X")
    assert "示例社区X" in refused.value.message and "示例社区A" not in refused.value.message
    assert "示例社区X" in refused.value.message_en and auth.get_user(engine, "x-staff") is None
    # written with full-width letters and stray spaces, it is the ledger's 示例社区A
    auth.add_user(engine, "a-staff", "editor", "Pass-word-1", scope="community=示例社区Ａ ")
    assert auth.get_user(engine, "a-staff").scope == COMMUNITY_A
    with pytest.raises(auth.AccountError):
        auth.set_scope(engine, "a-staff", "community=示例社区Z")
    assert auth.get_user(engine, "a-staff").scope == COMMUNITY_A  # unchanged
    # a community named only as a tasks 责任单位 exists too
    tasks = TASKS.replace("示例社区A党委", "示例社区Q党委")
    assert storage.import_file(engine, "tasks", tasks.encode(), "t.csv").accepted
    assert auth.set_scope(engine, "a-staff", "community=示例社区Q") is None


def test_a_scope_over_ledgers_still_empty_is_accepted_with_a_notice(engine: sa.Engine) -> None:
    """Nothing to check against yet (no organisation, no party group in any ledger): saved as written."""
    auth.add_user(engine, "o-staff", "editor", "Pass-word-1")
    notice = auth.set_scope(engine, "o-staff", "organisation=ORG-009")
    assert notice is not None and "无法核对" in notice[0] and "could not be checked" in notice[1]
    assert auth.get_user(engine, "o-staff").scope == Scope(ScopeKind.ORGANISATION, ("ORG-009",))
    assert auth.vet_scope(engine, "party_group=3") is not None
    assert auth.vet_scope(engine, "community=示例社区B") is None


def test_cli_refuses_a_scope_no_ledger_holds_and_says_why(sqlite_url: str) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    empty = _cli("users", "add", "b-staff", "--role", "editor", "--scope", "community=示例社区B",
                 "--password-stdin", stdin="Pass-word-1\n")  # fmt: skip
    assert empty.returncode == 0, empty.stderr
    assert "无法核对" in empty.stdout and "could not be checked" in empty.stdout
    storage.import_file(engine, "brands", BRANDS.encode(), "brands.csv")
    bad = _cli("users", "add", "x-staff", "--role", "editor", "--scope", "community=示例社区X",
               "--password-stdin", stdin="Pass-word-1\n")  # fmt: skip
    assert bad.returncode == 2 and "示例社区X" in bad.stderr and "当前台账中没有这个社区" in bad.stderr
    assert auth.get_user(engine, "x-staff") is None
    moved = _cli("users", "scope", "b-staff", "--scope", "community=示例社区Y")
    assert moved.returncode == 2 and "No community 示例社区Y" in moved.stderr
    fine = _cli("users", "scope", "b-staff", "--scope", "community＝示例社区Ｃ")
    assert fine.returncode == 0 and "community=示例社区C" in fine.stdout and "无法核对" not in fine.stdout
