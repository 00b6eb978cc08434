"""Scoped accounts, the threat model (tests/test_security.py's style): a community editor or viewer
reaching past its scope by the browser's route, a forged websocket event or a hand-made URL. Each is
refused or narrowed to the scope, nothing is written, and refusals are audited."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.istate.data import ReflexURL, SessionData, URLData
from starlette.testclient import TestClient

from dashboard import api
from dashboard.accounts import auth
from dashboard.demo.load import load_demo
from dashboard.settings import get_settings
from dashboard.state.board import Board
from dashboard.state.upload import Upload
from dashboard.store import storage, uploads
from tests.reflex_events import fire, state_for

PASSWORD = "Pass-word-1"
SCOPED = {"a-staff": ("editor", "community=示例社区A"), "a-leader": ("viewer", "community=示例社区A")}
OTHER_ROW = "BR-02,示例社区B,先锋驿站,服务实效,已挂牌\n"
BRANDS_HEAD = "项目编码,社区,品牌名称,类别,状态\n"


@pytest.fixture
def engine(sqlite_url: str) -> sa.Engine:
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    load_demo(eng)
    auth.add_user(eng, "leader", "viewer", PASSWORD)
    for name, (role, scope) in SCOPED.items():
        auth.add_user(eng, name, role, PASSWORD, scope=scope)
    return eng


def _client(name: str) -> TestClient:
    client = TestClient(api.build(), follow_redirects=False)
    assert client.post("/api/login", data={"name": name, "password": PASSWORD}).status_code == 303
    return client


def _state(cls: type[rx.State], user: str, url: str = "http://localhost/") -> rx.State:
    token = auth.login(storage.make_engine(), user, PASSWORD)
    state = state_for(cls, f"{auth.SESSION_COOKIE}={token}")
    state.rx_router_url = URLData.from_url(ReflexURL(url))
    state.rx_router_session = SessionData(client_token=f"tab-{user}")
    return state


def _brands_csv(engine: sa.Engine, extra: str = "") -> bytes:
    """Community A's own brands as an upload (what its editor keeps), plus ``extra`` rows."""
    rows = storage.load_current(engine, "brands")
    mine = rows[rows["community"] == "示例社区A"]
    lines = [
        f"{r.project_code},{r.community},{r.brand_name},{r.category},{r.status}\n" for r in mine.itertuples()
    ]
    return (BRANDS_HEAD + "".join(lines) + extra).encode()


def _last_audit(engine: sa.Engine) -> auth.Audit:
    return auth.list_audit(engine, limit=1)[0]


def test_threat_a_community_editor_posts_another_communitys_row_to_the_upload_route(
    engine: sa.Engine,
) -> None:
    before = storage.list_versions(engine)
    data = _brands_csv(engine, OTHER_ROW)
    answer = _client("a-staff").post("/api/upload?dataset=brands&name=a.csv", content=data)
    assert answer.status_code == 200 and answer.json()["accepted"] is False
    report = uploads.load_report(get_settings().data_dir, answer.json()["id"], "a-staff")
    [error] = report.result["errors"]
    assert (error["rule"], error["column"], error["value"]) == ("scope.outside", "社区", "示例社区B")
    assert storage.list_versions(engine) == before
    audit = _last_audit(engine)
    assert (audit.action, audit.ok, audit.user) == ("upload_rejected", False, "a-staff")
    assert "outside the scope" in audit.detail


def test_threat_a_forged_confirm_of_an_out_of_scope_upload_is_checked_again_with_the_scope(
    engine: sa.Engine,
) -> None:
    """The pending upload was checked while the account was office-wide; the scope set since holds
    at confirm time, whatever the page believed."""
    auth.set_scope(engine, "a-staff", "")
    pending = _client("a-staff").post(
        "/api/upload?dataset=brands&name=a.csv", content=_brands_csv(engine, OTHER_ROW)
    ).json()["id"]
    auth.set_scope(engine, "a-staff", "community=示例社区A")
    before = storage.list_versions(engine)
    state = _state(Upload, "a-staff")
    state.pending = pending
    fire(state, "confirm")
    assert storage.list_versions(engine) == before
    audit = _last_audit(engine)
    assert (audit.action, audit.ok) == ("upload_rejected", False) and "outside the scope" in audit.detail


def test_threat_a_community_editor_uploads_an_office_wide_ledger(engine: sa.Engine) -> None:
    before = storage.list_versions(engine)
    data = "日期,类型,议题\n2026-11-02,周例会,拆迁进度\n".encode()
    answer = _client("a-staff").post("/api/upload?dataset=meetings&name=m.csv", content=data)
    report = uploads.load_report(get_settings().data_dir, answer.json()["id"], "a-staff")
    assert [e["rule"] for e in report.result["errors"]] == ["scope.dataset"]
    assert storage.list_versions(engine) == before
    assert _last_audit(engine).action == "upload_rejected"


def test_a_community_editors_upload_of_its_own_rows_changes_only_them(engine: sa.Engine) -> None:
    others = storage.load_current(engine, "brands").query("community != '示例社区A'").reset_index(drop=True)
    answer = _client("a-staff").post("/api/upload?dataset=brands&name=a.csv", content=_brands_csv(engine))
    assert answer.json()["accepted"] is True
    state = _state(Upload, "a-staff")
    state.pending = answer.json()["id"]
    fire(state, "confirm")
    newest = storage.list_versions(engine, "brands")[0]
    assert (newest.user, newest.scope, newest.removed) == ("a-staff", "community=示例社区A", 0)
    after = storage.load_current(engine, "brands").query("community != '示例社区A'").reset_index(drop=True)
    pd.testing.assert_frame_equal(after, others)


def _csv_rows(answer: object) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(answer.content), encoding="utf-8-sig", dtype=str)  # type: ignore[attr-defined]


def test_threat_a_scoped_viewer_asks_for_another_communitys_export_or_drill_by_url(engine: sa.Engine) -> None:
    viewer = _client("a-leader")
    brands = _csv_rows(viewer.get("/api/export/brands.csv"))
    assert set(brands["社区"]) == {"示例社区A"}
    activities = _csv_rows(viewer.get("/api/export/activities.csv"))
    assert set(activities["项目编码"]) <= set(brands["项目编码"]) and len(activities)
    assert _csv_rows(viewer.get("/api/export/meetings.csv")).shape[0]  # office-wide: read whole
    assert viewer.get("/api/export/demolition.csv").status_code == 403  # a party-group ledger: not its scope
    assert _last_audit(engine).action == "forbidden"
    drill = viewer.get("/api/drill.csv?chart=brands_by_category&label=服务实效&community=示例社区B")
    assert drill.status_code == 403
    audit = _last_audit(engine)
    assert (audit.action, audit.ok, audit.user) == ("forbidden", False, "a-leader")
    assert "示例社区B" in audit.target
    mine = viewer.get("/api/drill.csv?chart=brands_by_category&label=网络管理")
    assert set(_csv_rows(mine)["社区"]) == {"示例社区A"}
    whole = _csv_rows(_client("leader").get("/api/export/brands.csv"))
    assert set(whole["社区"]) > {"示例社区A"}  # an unscoped leader still sees everything


def test_threat_a_scoped_editor_asks_for_an_original_file(engine: sa.Engine) -> None:
    auth.set_role(engine, "a-leader", "editor")
    refused = _client("a-leader").get("/api/original/brands/1")
    assert refused.status_code == 403
    audit = _last_audit(engine)
    assert (audit.action, audit.ok, audit.user) == ("forbidden", False, "a-leader")


def test_threat_a_scoped_viewer_opens_another_communitys_board_by_url(engine: sa.Engine) -> None:
    state = _state(Board, "a-leader", "http://localhost/brands?community=示例社区B")
    fire(state, "open", "brands")
    assert state.brands == []  # community B's cards never reach the tab
    assert _last_audit(engine).action == "forbidden"
    state = _state(Board, "a-leader", "http://localhost/brands")
    fire(state, "open", "brands")
    assert state.brands and state.filter_options["community"] == ["示例社区A"]
    leader = _state(Board, "leader", "http://localhost/brands")
    fire(leader, "open", "brands")
    assert len(leader.brands) > len(state.brands)


def test_a_scoped_viewers_overview_figures_are_its_scopes_own(engine: sa.Engine) -> None:
    mine = _state(Board, "a-leader")
    fire(mine, "open", "overview")
    whole = _state(Board, "leader")
    fire(whole, "open", "overview")
    cards = {k.id: k.sub for g in mine.kpi_groups for k in g.kpis}
    everyone = {k.id: k.sub for g in whole.kpi_groups for k in g.kpis}
    assert cards["brand_coverage"] != everyone["brand_coverage"]


def test_an_organisations_viewer_gets_its_own_term_calendar_and_weekly_report(engine: sa.Engine) -> None:
    from dashboard.board.weekly import weekly_page
    from dashboard.contract.scopes import Scope

    auth.add_user(engine, "org-leader", "viewer", PASSWORD, scope="organisation=ORG-001,ORG-002")
    answer = _client("org-leader").get("/api/reminders/term-calendar.csv")
    assert answer.status_code == 200
    assert sorted(_csv_rows(answer)["组织编码"]) == ["ORG-001", "ORG-002"]
    mine = weekly_page("zh", scope=Scope.parse("organisation=ORG-001,ORG-002"))
    whole = weekly_page("zh")
    assert [f.value for f in mine.figures] != [f.value for f in whole.figures]


def test_a_scoped_editors_history_lists_its_ledgers_office_and_own_versions_only(engine: sa.Engine) -> None:
    from dashboard.state.history import History

    rows = storage.load_current(engine, "brands")
    b = rows[rows["community"] == "示例社区B"].iloc[0]
    data = f"{BRANDS_HEAD}{b.project_code},示例社区B,{b.brand_name},{b.category},{b.status}\n".encode()
    b_scope = auth.parse_scope("community=示例社区B")
    assert storage.import_file(engine, "brands", data, "b.csv", scope=b_scope, user="b-staff").accepted
    state = _state(History, "a-staff")
    fire(state, "load")
    assert state.rows and {r["dataset"] for r in state.rows} <= {"brands", "activities", "tasks"}
    assert "b-staff" not in {r["user"] for r in state.rows}  # another community's upload is not listed


def test_threat_a_scoped_editor_reads_what_other_versions_changed(engine: sa.Engine) -> None:
    """A version page or its download carries every row it changed: a scoped editor reads only its
    own scope's reports, never an office-wide version or a comparison of two."""
    from dashboard.board import versions
    from dashboard.contract.scopes import Scope

    scope = Scope.parse("community=示例社区A")
    office = storage.list_versions(engine, "brands")[-1]
    assert versions.version_page(engine, "brands", str(office.number), mask=True, scope=scope) is None
    client = _client("a-staff")
    assert client.get(f"/api/diff/brands/{office.number}.csv").status_code == 404
    own = storage.import_file(engine, "brands", _brands_csv(engine), "a.csv", user="a-staff", scope=scope)
    assert own.accepted
    mine = str(own.version)
    assert versions.version_page(engine, "brands", mine, mask=True, scope=scope) is not None
    assert client.get(f"/api/diff/brands/{mine}.csv").status_code == 200
    both_ = f"{office.number}..{own.version}"
    assert versions.version_page(engine, "brands", both_, mask=True, scope=scope) is None
    assert client.get(f"/api/diff/brands/{both_}.csv").status_code == 404
    assert versions.version_page(engine, "brands", both_, mask=True) is not None  # the office reads it


def test_threat_a_party_groups_viewer_opens_another_groups_property_file(engine: sa.Engine) -> None:
    from dashboard.board import versions
    from dashboard.contract.scopes import Scope

    rows = storage.load_current(engine, "demolition")
    own, other = (rows[rows["party_group"] == g].iloc[0]["property_id"] for g in (1, 2))
    scope = Scope.parse("party_group=1")
    assert versions.property_page(engine, own, mask=True, scope=scope) is not None
    assert versions.property_page(engine, other, mask=True, scope=scope) is None
    assert versions.property_page(engine, other, mask=True) is not None


def test_a_scoped_viewer_is_not_told_who_in_another_scope_made_the_newest_version(engine: sa.Engine) -> None:
    """数据截至 … · <uploader>: community B's staff are named to B and to the office, not to A."""
    from dashboard.board import ViewCache
    from dashboard.contract.scopes import Scope
    from dashboard.insights import Filters

    rows = storage.load_current(engine, "brands")
    b = rows[rows["community"] == "示例社区B"].iloc[0]
    data = f"{BRANDS_HEAD}{b.project_code},示例社区B,{b.brand_name},{b.category},{b.status}\n".encode()
    b_scope = Scope.parse("community=示例社区B")
    assert storage.import_file(engine, "brands", data, "b.csv", scope=b_scope, user="b-staff").accepted

    def line(scope: Scope | None) -> str:
        view = ViewCache().view("brands", "zh", filters=Filters(scope=scope))
        return next(f.text for f in view.freshness if f.dataset.startswith("一社区一品牌"))

    assert line(None).endswith(" · b-staff") and line(b_scope).endswith(" · b-staff")
    theirs = line(Scope.parse("community=示例社区A"))
    assert theirs.startswith("数据截至 ") and "b-staff" not in theirs and " · " not in theirs
