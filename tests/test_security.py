"""The threat model, one test per threat: each shows the refusal AND that nothing was written.

HTTP routes are driven through Starlette's TestClient (or raw ASGI, to count
the bytes a 200 MB body gets to send); Reflex event handlers are called on a
state whose connection headers carry the attacker's cookie (or none), which is
exactly what a client firing the event over the websocket produces: Reflex
fills ``router.headers`` from the socket's handshake on the server.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.istate.data import HeaderData, SessionData
from starlette.testclient import TestClient

from dashboard import api
from dashboard.accounts import auth
from dashboard.accounts.auth import Role
from dashboard.ingest.reading import read_table
from dashboard.settings import get_settings
from dashboard.state.auth import Session
from dashboard.state.history import AuditLog, History
from dashboard.state.upload import Upload
from dashboard.store import storage, uploads
from tests.messages import said
from tests.reflex_events import fire, state_for

PASSWORD = "pass-word-1"
USERS = {"leader": "viewer", "staff": "editor", "admin": "admin", "auditor": "auditor"}

DEMOLITION_CSV = (
    "房产编号,户主,户类,党小组,当前状态,签约日期,备注\n"
    'DX-001,张三丰,1,1,已签约,2024-05-03,"=HYPERLINK(""http://evil.example"",""点我"")"\n'
    "DX-002,李四,2,1,已评估,,\n"
).encode()
BRANDS_CSV = "项目编码,社区,品牌名称,类别,状态\nBR-01,示例社区A,红色家园,服务实效,已挂牌\n".encode()


@pytest.fixture
def engine(sqlite_url: str) -> sa.Engine:
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    for name, role in USERS.items():
        auth.add_user(eng, name, role, PASSWORD)
    return eng


@pytest.fixture
def http(engine: sa.Engine) -> Iterator[TestClient]:
    with TestClient(api.build(), follow_redirects=False) as client:
        yield client


def _client(name: str | None) -> TestClient:
    client = TestClient(api.build(), follow_redirects=False)
    if name:
        done = client.post("/api/login", data={"name": name, "password": PASSWORD})
        assert done.status_code == 303 and done.headers["location"] == auth.home_path(USERS.get(name))
    return client


def _versions(engine: sa.Engine) -> list[storage.VersionInfo]:
    return storage.list_versions(engine)


def _pending(tmp: Path | None = None) -> list[Path]:
    root = get_settings().data_dir / "pending"
    return sorted(root.rglob("*")) if root.exists() else []


def _upload(
    client: TestClient, data: bytes = DEMOLITION_CSV, name: str = "台账.csv", dataset: str = "demolition"
):
    return client.post(f"/api/upload?dataset={dataset}&name={name}", content=data)


def _state(cls: type[rx.State], user: str | None) -> rx.State:
    """A state as the event processor hands it over for a socket whose handshake carried ``user``'s cookie."""
    cookie = ""
    if user:
        token = auth.login(storage.make_engine(), user, PASSWORD)
        cookie = f"{auth.SESSION_COOKIE}={token}"
    return state_for(cls, cookie)


_fire = fire


# ---------------------------------------------------------------------------
# Upload


def test_threat_viewer_posts_an_upload_straight_to_the_upload_endpoint(engine: sa.Engine) -> None:
    refused = _upload(_client("leader"))
    assert refused.status_code == 403 and "没有这项权限" in refused.json()["message"]
    assert _versions(engine) == [] and _pending() == []


def test_threat_logged_out_client_posts_an_upload(engine: sa.Engine) -> None:
    refused = _upload(_client(None))
    assert refused.status_code == 401
    assert _versions(engine) == [] and _pending() == []


def test_threat_viewer_fires_the_upload_events_over_the_websocket(engine: sa.Engine) -> None:
    pending = _upload(_client("staff")).json()["id"]  # a real checked upload waits
    for user in ("leader", None):
        state = _state(Upload, user)
        state.pending = pending  # the attacker even knows the id
        _fire(state, "confirm")
        assert "没有上传权限" in state.message
        _fire(state, "send")
        _fire(state, "received", {"id": pending})
        assert state.file_name == "" and state.sample_rows == []  # the report is not shown either
    assert _versions(engine) == []
    assert uploads.load_report(get_settings().data_dir, pending, "staff")  # still waiting for staff


def test_threat_another_editor_confirms_someone_elses_pending_upload(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff2", "editor", PASSWORD)
    pending = _upload(_client("staff")).json()["id"]
    state = _state(Upload, "staff2")
    state.pending = pending
    _fire(state, "confirm")
    assert "找不到这次上传" in state.message
    assert _versions(engine) == []


def test_threat_a_200_MB_body_is_cut_off_while_it_arrives(engine: sa.Engine) -> None:
    """No Content-Length (chunked), 1 MB at a time: reading stops just past the 20 MB limit."""
    token = auth.login(engine, "staff", PASSWORD)
    chunk, total_chunks = b"x" * (1024 * 1024), 200
    sent = 0

    async def receive() -> dict:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": chunk, "more_body": sent < total_chunks}

    answer: dict = {}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/upload",
        "raw_path": b"/api/upload",
        "query_string": b"dataset=demolition&name=big.csv",
        "headers": [(b"host", b"testserver"), (b"cookie", f"{auth.SESSION_COOKIE}={token}".encode())],
        "client": ("10.0.0.9", 5000),
        "server": ("testserver", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, api.build()(scope, receive, send)).result()
    assert answer["status"] == 413
    assert "20 MB" in answer["body"].decode()
    assert sent <= 21  # 21 MB read at most out of 200: never buffered whole
    assert _versions(engine) == [] and _pending() == []
    assert auth.list_audit(engine, action="upload_rejected")[0].detail.startswith("too large")


def test_threat_a_declared_200_MB_body_is_refused_before_reading(engine: sa.Engine) -> None:
    client = _client("staff")
    refused = client.post(
        "/api/upload?dataset=demolition&name=big.csv",
        content=b"x" * 1000,
        headers={"content-length": str(200 * 1024 * 1024)},
    )
    assert refused.status_code == 413
    assert _versions(engine) == [] and _pending() == []


def test_threat_an_xlsx_zip_bomb(engine: sa.Engine) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))  # 300 MB of zeros
    bomb = buf.getvalue()
    assert len(bomb) < 1024 * 1024  # well under the upload limit
    refused = _upload(_client("staff"), bomb, "炸弹.xlsx")
    assert refused.status_code == 422 and "mb" in said(refused.json(), "read.zip_bomb")
    assert _versions(engine) == [] and _pending() == []


def test_threat_a_file_name_with_dot_dot_in_it(engine: sa.Engine, tmp_path: Path) -> None:
    answer = _upload(_client("staff"), name="..%2F..%2F..%2Fetc%2Fcron.d%2Fevil.csv")
    assert answer.status_code == 200
    files = _pending()
    assert all(f.name in {answer.json()["id"], "upload.bin", "report.json"} for f in files)
    assert not (tmp_path / "etc").exists()
    state = _state(Upload, "staff")
    state.pending = answer.json()["id"]
    state.file_name = "evil.csv"
    _fire(state, "confirm")
    assert [v.file_name for v in _versions(engine)] == ["evil.csv"]  # a label, never a path
    assert uploads.safe_file_name("..\\..\\windows\\win.ini") == "win.ini"
    assert uploads.safe_file_name("../../.bashrc") == "bashrc"
    client = _client("staff")
    assert _upload(client, dataset="..%2Fdemolition").status_code == 404
    assert client.get("/api/upload/..%2F..%2Fsecrets/errors.csv").status_code == 404
    assert client.get("/api/original/..%2Fdemolition/1").status_code == 404


def test_threat_uploads_never_land_under_the_public_upload_dir(engine: sa.Engine) -> None:
    _upload(_client("staff"))
    public = rx.get_upload_dir()
    assert not public.exists() or not any(public.rglob("*"))
    assert _pending()  # it waits privately under <data_dir>/pending


def test_threat_a_cross_site_form_posts_to_our_routes(engine: sa.Engine) -> None:
    client = _client("staff")
    evil = {"origin": "http://evil.example"}
    assert (
        client.post(
            "/api/upload?dataset=demolition&name=a.csv", content=DEMOLITION_CSV, headers=evil
        ).status_code
        == 403
    )
    assert (
        client.post("/api/login", data={"name": "staff", "password": PASSWORD}, headers=evil).status_code
        == 403
    )
    assert _versions(engine) == [] and _pending() == []


# ---------------------------------------------------------------------------
# Sign-in


def test_threat_brute_force_past_the_lock(engine: sa.Engine) -> None:
    client = _client(None)
    answers = [
        client.post("/api/login", data={"name": "admin", "password": f"guess-{i}"}).headers["location"]
        for i in range(auth.MAX_FAILURES + 5)
    ]
    right = client.post("/api/login", data={"name": "admin", "password": PASSWORD})
    unknown = client.post("/api/login", data={"name": "nobody", "password": PASSWORD})
    assert set(answers) == {right.headers["location"]} == {unknown.headers["location"]}  # same answer
    assert "failed=1" in right.headers["location"] and auth.SESSION_COOKIE not in right.cookies
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM user_session")).scalar() == 0
    failures = [e for e in auth.list_audit(engine, action="login") if not e.ok]
    assert len(failures) == auth.MAX_FAILURES + 7 and failures[0].address == "testclient"


def test_threat_the_session_cookie_is_httponly_and_same_site(engine: sa.Engine) -> None:
    done = _client(None).post("/api/login", data={"name": "leader", "password": PASSWORD})
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_threat_an_open_redirect_after_sign_in(engine: sa.Engine) -> None:
    client = _client(None)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        done = client.post("/api/login", data={"name": "leader", "password": PASSWORD, "next": target})
        assert done.headers["location"] == "/"


def test_threat_a_signed_out_cookie_is_replayed(engine: sa.Engine) -> None:
    client = _client("admin")
    stolen = client.cookies[auth.SESSION_COOKIE]
    assert client.post("/api/logout").status_code == 303
    replay = TestClient(api.build(), cookies={auth.SESSION_COOKIE: stolen})
    assert replay.get("/api/export/demolition.csv").status_code == 401


# ---------------------------------------------------------------------------
# Restore, history, export


def _two_versions(engine: sa.Engine) -> None:
    storage.import_file(engine, "demolition", DEMOLITION_CSV, "v1.csv", user="staff")
    storage.import_file(
        engine, "demolition", DEMOLITION_CSV.replace(b"DX-002", b"DX-003"), "v2.csv", user="staff"
    )


@pytest.mark.parametrize("user", ["leader", "staff", "auditor", None])
def test_threat_non_admin_fires_the_restore_event_over_the_websocket(
    engine: sa.Engine, user: str | None
) -> None:
    _two_versions(engine)
    state = _state(History, user)
    state.ask_dataset, state.ask_version = "demolition", 1
    _fire(state, "ask_restore", "demolition", "1")
    _fire(state, "restore")
    assert "只有管理员" in state.message
    assert [v.number for v in _versions(engine)] == [2, 1]  # no new version


def test_admin_restores_a_version_after_the_confirmation(engine: sa.Engine) -> None:
    _two_versions(engine)
    state = _state(History, "admin")
    _fire(state, "ask_restore", "demolition", "1")
    assert state.asking and "版本 1" in state.ask_text
    _fire(state, "restore")
    newest = _versions(engine)[0]
    assert (newest.number, newest.restored_from) == (3, 1)
    assert auth.list_audit(engine, action="restore")[0].user == "admin"


def test_threat_viewer_reads_the_history_or_downloads_an_original(engine: sa.Engine) -> None:
    _two_versions(engine)
    state = _state(History, "leader")
    _fire(state, "load")
    assert state.rows == []
    log = _state(AuditLog, "staff")
    _fire(log, "load")
    assert log.rows == []
    assert _client("leader").get("/api/original/demolition/1").status_code == 403
    assert _client(None).get("/api/template/demolition.csv").status_code == 401
    original = _client("admin").get("/api/original/demolition/1")
    assert original.status_code == 200 and original.content == DEMOLITION_CSV
    assert original.headers["content-disposition"].startswith("attachment")


def test_threat_staff_download_an_original_file_holding_household_names(engine: sa.Engine) -> None:
    """Every export masks 户主 for all but admins (张**); the file as uploaded cannot be masked, so
    an original of a ledger with personal data is an admin's download, and /history offers it to
    admins only. Other ledgers' originals stay the editors'."""
    _two_versions(engine)
    storage.import_file(engine, "brands", BRANDS_CSV, "品牌.csv", user="staff")

    refused = _client("staff").get("/api/original/demolition/1")
    brands = _client("staff").get("/api/original/brands/1")

    assert refused.status_code == 403 and "张三丰" not in refused.text
    said(refused.json(), "api.refused.personal_ledger")
    assert brands.status_code == 200 and brands.content == BRANDS_CSV
    staff, admin = _state(History, "staff"), _state(History, "admin")
    _fire(staff, "load")
    _fire(admin, "load")
    offered = {(r["dataset"], r["number"]): r["href"] for r in staff.rows}
    assert offered[("demolition", "1")] == "" and offered[("brands", "1")] == "/api/original/brands/1"
    assert all(r["href"] for r in admin.rows)


def test_threat_export_without_a_session(engine: sa.Engine) -> None:
    _two_versions(engine)
    refused = _client(None).get("/api/export/demolition.csv")
    assert refused.status_code == 401 and "张三丰" not in refused.text


def test_household_names_are_masked_for_every_role_but_admin(engine: sa.Engine) -> None:
    _two_versions(engine)
    for user in ("leader", "staff"):
        text = _client(user).get("/api/export/demolition.csv").content.decode("utf-8-sig")
        assert "张**" in text and "张三丰" not in text
    assert "张三丰" in _client("admin").get("/api/export/demolition.csv").content.decode("utf-8-sig")
    staff_report = uploads.load_report(
        get_settings().data_dir, _upload(_client("staff")).json()["id"], "staff"
    )
    assert "张**" in staff_report.sample_rows[0] and "张三丰" not in str(staff_report.sample_rows)


def test_threat_a_csv_whose_cells_start_with_equals_exported_and_reopened(engine: sa.Engine) -> None:
    state = _state(Upload, "staff")
    state.pending = _upload(_client("staff")).json()["id"]
    _fire(state, "confirm")
    assert "已导入" in state.done
    exported = _client("admin").get("/api/export/demolition.csv").content
    reopened = read_table(exported, "export.csv").frame
    note = reopened.loc[2, "备注"]
    assert note.startswith("'=HYPERLINK")  # inert text in Excel/WPS, not a formula
    assert not any(
        str(v).startswith(("=", "+", "@")) for v in reopened.to_numpy().ravel() if isinstance(v, str)
    )


def test_threat_logged_out_client_opens_a_board_over_the_websocket(engine: sa.Engine) -> None:
    from dashboard.demo.load import load_demo
    from dashboard.state.board import Board

    load_demo(engine)
    state = _state(Board, None)
    state.rx_router_session = SessionData(client_token="tab-logged-out")
    _fire(state, "open", "demolition")
    assert state.stamp == -1 and state.kpi_groups == [] and state.grid == []  # no figures, no names
    assert not _watched("tab-logged-out")  # and the live poll will push it nothing either


def _watched(token: str) -> list[tuple[str, str, str]]:
    from dashboard.state.board import WATCHERS

    return [group for group, (_, tokens) in WATCHERS.groups().items() if token in tokens]


def test_a_tab_is_pushed_the_one_board_it_shows_until_it_leaves_the_boards(engine: sa.Engine) -> None:
    from dashboard.demo.load import load_demo
    from dashboard.state.board import Board

    load_demo(engine)
    state = _state(Board, "leader")
    state.rx_router_session = SessionData(client_token="tab-leader")
    _fire(state, "open", "demolition")
    assert state.grid and _watched("tab-leader") == [("demolition", "zh", "")]
    _fire(state, "open", "brands")  # a tab shows one board at a time
    assert _watched("tab-leader") == [("brands", "zh", "")]
    Board.leave.fn(state)  # e.g. off to /upload or /report
    assert _watched("tab-leader") == []


def test_threat_a_board_left_open_after_its_account_is_disabled_is_pushed_nothing(engine: sa.Engine) -> None:
    """Issue 17: pushes come from the live poll, not from the tab, so the poll checks the session too
    (the whole path, with a real server and the `users disable` command, is the `session` drill)."""
    from dashboard.demo.load import load_demo
    from dashboard.state.board import WATCHERS, Board

    load_demo(engine)
    state = _state(Board, "leader")
    state.rx_router_session = SessionData(client_token="tab-left-open")
    _fire(state, "open", "demolition")
    session = WATCHERS.sessions()["tab-left-open"]
    assert session and auth.live_sessions(engine, [session]) == {session}

    auth.set_disabled(engine, "leader")

    assert auth.live_sessions(engine, [session]) == set()  # the poll signs the tab out before any push
    state._sign_out()  # what the poll then does to the tab's state
    assert state.signed_out and state.stamp == -1 and state.kpi_groups == [] and state.grid == []
    WATCHERS.forget("tab-left-open")


@pytest.mark.parametrize("user", ["leader", "staff", "auditor", None])
def test_threat_non_admin_fires_the_account_events_over_the_websocket(
    engine: sa.Engine, user: str | None
) -> None:
    from dashboard.state.accounts import Accounts

    state = _state(Accounts, user)
    _fire(state, "add", {"name": "mallory", "role": "admin", "password": "pass-word-1"})
    _fire(state, "set_role", "staff", "admin")
    _fire(state, "set_disabled", "admin", True)
    _fire(state, "reset_password", {"name": "admin", "password": "mallory-owns-it"})
    assert "只有管理员" in state.message
    assert {(u.name, u.role.value, u.disabled) for u in auth.list_users(engine)} == {
        ("leader", "viewer", False),
        ("staff", "editor", False),
        ("admin", "admin", False),
        ("auditor", "auditor", False),
    }
    assert auth.login(engine, "admin", PASSWORD)


def test_admin_manages_accounts_and_each_change_is_audited(engine: sa.Engine) -> None:
    from dashboard.state.accounts import Accounts

    state = _state(Accounts, "admin")
    _fire(state, "add", {"name": "王芳", "role": "editor", "password": "short"})
    assert "至少需要 8 个字符" in state.message and auth.get_user(engine, "王芳") is None
    _fire(state, "add", {"name": "王芳", "role": "editor", "password": "Long-enough"})
    _fire(state, "set_role", "王芳", "viewer")
    _fire(state, "set_disabled", "王芳", True)
    _fire(state, "set_disabled", "admin", True)
    assert "不能停用自己" in state.message
    assert [r["name"] for r in state.rows] == ["admin", "auditor", "leader", "staff", "王芳"]
    actions = [(e.action, e.user, e.target) for e in auth.list_audit(engine) if e.action.startswith("user_")]
    assert actions[:3] == [
        ("user_disable", "admin", "王芳"),
        ("user_role", "admin", "王芳"),
        ("user_add", "admin", "王芳"),
    ]


def test_a_board_that_failed_to_build_says_so_and_takes_the_next_version(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import board as presenter
    from dashboard.demo.load import load_demo
    from dashboard.state.board import Board

    load_demo(engine)
    state = _state(Board, "leader")
    state.rx_router_session = SessionData(client_token="tab-unlucky")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in a chart")

    with monkeypatch.context() as patch:
        patch.setattr(presenter.CACHE, "view", broken)
        _fire(state, "open", "demolition")
    assert state.failed and state.grid == []
    assert _watched("tab-unlucky") == [("demolition", "zh", "")]
    # what the live poll checks before it pushes the next version to this tab
    assert state._shows(presenter.CACHE.view("demolition", "zh"))


# ---------------------------------------------------------------------------
# 等保: the auditor, the forced password change, the HTTP headers

AUDITOR_REFUSED_ROUTES = [
    ("get", "/api/drill.csv?chart=x&label=y"),
    ("get", "/api/reminders/term-calendar.csv"),
    ("post", "/api/upload?dataset=demolition&name=a.csv"),
    ("get", "/api/upload/abc/errors.csv"),
    ("get", "/api/template/demolition.csv"),
    ("get", "/api/original/demolition/1"),
    ("get", "/api/diff/demolition/0..1.csv"),
    ("get", "/api/export/demolition.csv"),
    ("get", "/api/report/weekly.docx"),
    ("get", "/api/upload/abc/marked.xlsx"),
    ("get", "/api/prefilled/demolition.xlsx"),
]


def test_every_data_route_of_the_app_is_in_the_auditor_check() -> None:
    # /api/audit.csv is the auditor's own (tests/test_admin_probe.py)
    own = {"/api/login", "/api/logout", "/api/password", "/api/audit.csv"}
    templates = {r.path for r in api.ROUTES} - own
    assert len(templates) == len(AUDITOR_REFUSED_ROUTES)


@pytest.mark.parametrize(("method", "path"), AUDITOR_REFUSED_ROUTES)
def test_threat_the_auditor_calls_a_data_route(engine: sa.Engine, method: str, path: str) -> None:
    _two_versions(engine)
    client = _client("auditor")
    refused = getattr(client, method)(path, **({"content": DEMOLITION_CSV} if method == "post" else {}))
    assert refused.status_code == 403
    assert [v.number for v in _versions(engine)] == [2, 1] and _pending() == []


def test_threat_the_auditor_fires_board_upload_history_and_admin_events(engine: sa.Engine) -> None:
    from dashboard.demo.load import load_demo
    from dashboard.state.accounts import Accounts
    from dashboard.state.board import Board
    from dashboard.state.report import KioskAdmin, WeeklyReport

    load_demo(engine)
    before = _versions(engine)
    board = _state(Board, "auditor")
    board.rx_router_session = SessionData(client_token="tab-auditor")
    _fire(board, "open", "demolition")
    assert board.stamp == -1 and board.grid == [] and not _watched("tab-auditor")
    history = _state(History, "auditor")
    _fire(history, "load")
    assert history.rows == []
    upload = _state(Upload, "auditor")
    _fire(upload, "received", {"id": "x", "dataset": "demolition", "accepted": True})
    _fire(upload, "confirm")
    accounts = _state(Accounts, "auditor")
    _fire(accounts, "load")
    assert accounts.rows == []
    kiosk_admin = _state(KioskAdmin, "auditor")
    _fire(kiosk_admin, "create")
    report = _state(WeeklyReport, "auditor")
    _fire(report, "load")
    assert _versions(engine) == before
    assert kiosk_admin.new_link == ""
    refusals = [e for e in auth.list_audit(engine, action="forbidden") if e.user == "auditor"]
    assert len(refusals) >= 5


def test_the_auditor_reads_the_audit_log_and_no_role_can_change_it(engine: sa.Engine) -> None:
    auth.login(engine, "leader", PASSWORD, address="10.0.0.9")
    log = _state(AuditLog, "auditor")
    _fire(log, "load")
    assert any(r["user"] == "leader" and r["address"] == "10.0.0.9" for r in log.rows)
    for user in ("leader", "staff"):
        other = _state(AuditLog, user)
        _fire(other, "load")
        assert other.rows == []
    # The page's only event reads; the only route about the audit log reads it (GET, the CSV export).
    assert [h for h in AuditLog.event_handlers if not h.startswith("set")] == ["load"]
    audit_routes = [(r.path, r.methods) for r in api.ROUTES if "audit" in r.path]
    assert audit_routes == [("/api/audit.csv", {"GET", "HEAD"})]


def _must_change_client(engine: sa.Engine) -> TestClient:
    auth.add_user(engine, "新人", "editor", "Initial-pass-1", by="admin", must_change=True)
    client = TestClient(api.build(), follow_redirects=False)
    done = client.post("/api/login", data={"name": "新人", "password": "Initial-pass-1", "next": "/upload"})
    assert done.status_code == 303 and done.headers["location"] == "/password?next=/upload"
    return client


def test_an_account_that_must_change_its_password_is_refused_everything_else(engine: sa.Engine) -> None:
    client = _must_change_client(engine)
    refused = _upload(client)
    assert refused.status_code == 403 and refused.json()["message"] == "请先修改密码。"
    assert client.get("/api/export/demolition.csv").status_code == 403
    cookie = f"{auth.SESSION_COOKIE}={client.cookies[auth.SESSION_COOKIE]}"
    state = _state(Upload, None)
    state.rx_router_headers = HeaderData(cookie=cookie)
    _fire(state, "received", {"id": "x", "dataset": "demolition", "accepted": True})
    _fire(state, "confirm")
    assert _versions(engine) == [] and _pending() == []


def test_the_change_password_form_names_the_rule_then_lets_the_account_in(engine: sa.Engine) -> None:
    client = _must_change_client(engine)

    def change(current: str, new: str, again: str | None = None) -> str:
        form = {"current": current, "new": new, "again": new if again is None else again, "next": "/upload"}
        done = client.post("/api/password", data=form)
        assert done.status_code == 303
        return done.headers["location"]

    assert change("Initial-pass-1", "Fresh-pass-2", "Fresh-pass-3").endswith("failed=mismatch")
    assert change("wrong", "Fresh-pass-2").endswith("failed=wrong")
    assert change("Initial-pass-1", "freshpass").endswith("failed=classes")
    assert change("Initial-pass-1", "Fresh-2").endswith("failed=length")
    assert change("Initial-pass-1", "x新人-Pass-2").endswith("failed=name")
    assert change("Initial-pass-1", "Initial-pass-1").endswith("failed=reused")
    assert _upload(client).status_code == 403  # still nothing else
    assert change("Initial-pass-1", "Fresh-pass-2") == "/upload"
    assert _upload(client).status_code == 200  # the same session, now let in
    assert auth.login(engine, "新人", "Fresh-pass-2") is not None


def test_threat_a_cross_site_form_changes_a_password(engine: sa.Engine) -> None:
    client = _client("staff")
    form = {"current": PASSWORD, "new": "Mallory-9x", "again": "Mallory-9x"}
    refused = client.post("/api/password", data=form, headers={"origin": "http://evil.example"})
    assert refused.status_code == 403 and auth.login(engine, "staff", PASSWORD)


def _hardened() -> TestClient:
    return TestClient(api.security_headers(api.build()), follow_redirects=False)


@pytest.mark.parametrize("path", ["/api/export/demolition.csv", "/api/template/x.csv", "/screen", "/nowhere"])
def test_every_response_carries_the_hardening_headers(engine: sa.Engine, path: str) -> None:
    headers = _hardened().get(path, headers={"host": "dash.example:8443"}).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "connect-src 'self' ws://dash.example:8443 wss://dash.example:8443" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers  # plain HTTP: no HSTS
    assert len(headers.get_list("content-security-policy")) == 1
    assert len(headers.get_list("x-content-type-options")) == 1


def test_threat_a_forged_host_header_widens_the_policy() -> None:
    csp = api.content_security_policy("evil.example; script-src *")
    assert "evil" not in csp and "script-src *" not in csp


def test_behind_an_https_proxy_cookies_are_secure_and_hsts_is_sent(engine: sa.Engine) -> None:
    client = _hardened()
    done = client.post(
        "/api/login", data={"name": "staff", "password": PASSWORD}, headers={"x-forwarded-proto": "https"}
    )
    cookie = done.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert done.headers["strict-transport-security"].startswith("max-age=")
    plain = _hardened().post("/api/login", data={"name": "staff", "password": PASSWORD})
    assert "secure" not in plain.headers["set-cookie"].lower()
    out = client.post("/api/logout", headers={"x-forwarded-proto": "https"})
    assert "secure" in out.headers["set-cookie"].lower()  # the deletion too


def test_the_page_table_opens_the_audit_log_alone_to_the_auditor_and_password_to_every_account(
    engine: sa.Engine,
) -> None:
    from dashboard.components import site
    from dashboard.state.auth import PasswordChange

    guarded = [p for p in site.PAGES if p.role is not None and not p.is_board]
    assert {p.id for p in guarded if auth.allows(Role.AUDITOR, p.role)} == {"audit"}
    assert all(auth.allows(Role.ADMIN, p.role) for p in guarded)
    assert not auth.allows(Role.EDITOR, site.BY_ID["audit"].role)
    password = site.BY_ID["password"]  # also an account that must change its password opens it
    assert password.route == "/password" and password.role is None and password.load == (PasswordChange.open,)
    for page in guarded:  # the guard the table builds, fired for the auditor and for an admin
        refused = _fire(_state(Session, "auditor"), "guard_role", page.role.value)
        assert (refused is None) == (page.id == "audit"), page.id
        assert _fire(_state(Session, "admin"), "guard_role", page.role.value) is None, page.id
    assert _fire(_state(Session, "auditor"), "guard") is not None  # and no board
