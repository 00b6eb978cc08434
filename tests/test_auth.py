"""Accounts, sign-in, sessions and the audit trail (dashboard.accounts.auth), on SQLite and PostgreSQL,
and the ``python -m dashboard users`` commands."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.accounts import auth
from dashboard.accounts.auth import Role
from dashboard.store import storage
from dashboard.store.audit import record
from dashboard.store.tables import UserSession

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "Correct horse-7"


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


def test_a_new_account_signs_in_and_its_session_names_the_role(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD)
    token = auth.login(engine, "staff", PASSWORD, address="10.0.0.7")
    assert token
    who = auth.resolve(engine, token)
    assert who is not None and (who.name, who.role) == ("staff", Role.EDITOR)
    assert who.can(Role.VIEWER) and who.can(Role.EDITOR) and not who.can(Role.ADMIN)


def test_passwords_are_stored_as_argon2_hashes_and_tokens_only_as_sha256(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD)
    token = auth.login(engine, "staff", PASSWORD)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM user_account")).scalar_one()
        token_hash = conn.execute(sa.select(UserSession.__table__.c.token_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert token not in token_hash and len(token_hash) == 64


def test_duplicate_names_and_unknown_roles_are_refused(engine: sa.Engine) -> None:
    auth.add_user(engine, "a", "viewer", "Abcd-1234")
    with pytest.raises(auth.AccountError, match="already exists"):
        auth.add_user(engine, "a", "viewer", "Abcd-1234")
    with pytest.raises(auth.AccountError, match="unknown role"):
        auth.add_user(engine, "b", "boss", "Abcd-1234")
    with pytest.raises(auth.AccountError):
        auth.add_user(engine, "../etc", "viewer", "Abcd-1234")


# ---------------------------------------------------------------------------
# 等保 password rules


def _refused(password: str, name: str = "someone") -> str:
    with pytest.raises(auth.AccountError) as caught:
        auth.check_password(password, name)
    return caught.value.code


def test_a_password_needs_at_least_8_characters() -> None:
    assert _refused("Ab-1234") == "length"
    auth.check_password("Ab-12345", "someone")


@pytest.mark.parametrize(
    "password",
    ["abcdefgh", "ABCDEFGH", "12345678", "--------", "abcd1234", "ABCDijkl", "abcd-efg", "ABCD-EFG"],
)
def test_a_password_with_fewer_than_3_of_4_character_classes_is_refused(password: str) -> None:
    assert _refused(password) == "classes"


@pytest.mark.parametrize("password", ["abcD1234", "abcd-123", "ABCD-123", "Abcd-efg", "王芳Ab-1234"])
def test_any_3_of_lower_upper_digit_symbol_are_enough(password: str) -> None:
    auth.check_password(password, "someone")


def test_a_password_may_not_be_or_contain_the_user_name() -> None:
    assert _refused("Wangfang-1", "wangfang") == "name"
    assert _refused("WANGFANG", "Wangfang") in {"name", "classes"}
    assert _refused("x-Staff-2026", "staff") == "name"
    auth.check_password("Other-2026", "staff")


def test_the_rules_apply_to_new_accounts_resets_and_changes(engine: sa.Engine) -> None:
    with pytest.raises(auth.AccountError, match="3 of"):
        auth.add_user(engine, "staff", "editor", "password")
    auth.add_user(engine, "staff", "editor", PASSWORD)
    with pytest.raises(auth.AccountError, match="user name"):
        auth.set_password(engine, "staff", "Staff-2026")
    with pytest.raises(auth.AccountError, match="at least 8"):
        auth.change_password(engine, "staff", PASSWORD, "Ab-1")


def test_a_new_password_may_not_be_one_of_the_last_5(sqlite_url: str) -> None:
    engine = storage.make_engine(sqlite_url)  # one back end: argon2 work, not SQL, is what this costs
    storage.migrate(engine)
    auth.add_user(engine, "staff", "editor", "First-pass-0")
    used = ["First-pass-0"]
    for i in range(1, 5):
        auth.change_password(engine, "staff", used[-1], f"Next-pass-{i}")
        used.append(f"Next-pass-{i}")
    for old in used:  # the current one and the 4 before it
        with pytest.raises(auth.AccountError) as caught:
            auth.change_password(engine, "staff", used[-1], old)
        assert caught.value.code == "reused"
    with pytest.raises(auth.AccountError, match="last 5"):
        auth.set_password(engine, "staff", used[0])  # an admin's reset too
    auth.change_password(engine, "staff", used[-1], "Next-pass-5")  # pushes First-pass-0 out of the 5
    auth.change_password(engine, "staff", "Next-pass-5", "First-pass-0")
    assert auth.login(engine, "staff", "First-pass-0")


def test_an_account_an_admin_created_must_change_its_password_before_anything_else(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD, by="admin", must_change=True)
    token = auth.login(engine, "staff", PASSWORD)
    other = auth.login(engine, "staff", PASSWORD)
    who = auth.resolve(engine, token)
    assert who is not None and who.must_change
    assert not who.can(Role.VIEWER) and not who.can(Role.EDITOR) and not who.is_admin
    assert auth.get_user(engine, "staff").must_change
    with pytest.raises(auth.AccountError) as caught:
        auth.change_password(engine, "staff", "not the password", "Brand-new-9", keep_session=who.session_id)
    assert caught.value.code == "wrong"
    auth.change_password(engine, "staff", PASSWORD, "Brand-new-9", keep_session=who.session_id)
    after = auth.resolve(engine, token)
    assert after is not None and not after.must_change and after.can(Role.EDITOR)
    assert auth.resolve(engine, other) is None  # every other session ended
    assert auth.login(engine, "staff", PASSWORD) is None and auth.login(engine, "staff", "Brand-new-9")
    actions = [(e.action, e.ok) for e in auth.list_audit(engine) if e.action == "password_change"]
    assert actions == [("password_change", True), ("password_change", False)]


def test_a_password_an_admin_reset_must_be_changed_too(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD)
    auth.set_password(engine, "staff", "Reset-by-admin-1", by="admin", must_change=True)
    who = auth.resolve(engine, auth.login(engine, "staff", "Reset-by-admin-1"))
    assert who is not None and who.must_change


def test_a_password_older_than_the_expiry_must_be_changed(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD)
    token = auth.login(engine, "staff", PASSWORD)
    assert not auth.resolve(engine, token).must_change  # no expiry by default
    table = auth._USERS
    with engine.begin() as conn:
        conn.execute(table.update().values(password_changed_at=datetime.now(UTC) - timedelta(days=91)))
    assert not auth.resolve(engine, token).must_change
    monkeypatch.setenv("DASHBOARD_PASSWORD_MAX_DAYS", "90")
    assert auth.resolve(engine, token).must_change
    monkeypatch.setenv("DASHBOARD_PASSWORD_MAX_DAYS", "92")
    assert not auth.resolve(engine, token).must_change


def test_demo_passwords_meet_the_rules_and_need_no_change(engine: sa.Engine, tmp_path: Path) -> None:
    for name, password in auth.ensure_demo_accounts(engine, tmp_path).items():
        auth.check_password(password, name)
        who = auth.resolve(engine, auth.login(engine, name, password))
        assert who is not None and not who.must_change


# ---------------------------------------------------------------------------
# Roles


def test_the_auditor_reads_the_audit_log_and_nothing_else() -> None:
    assert auth.allows("auditor", Role.AUDITOR) and auth.allows("admin", Role.AUDITOR)
    assert not any(auth.allows("auditor", r) for r in (Role.VIEWER, Role.EDITOR, Role.ADMIN))
    assert not auth.allows("viewer", Role.AUDITOR) and not auth.allows("editor", Role.AUDITOR)
    assert auth.allows("admin", Role.VIEWER) and auth.allows("editor", Role.VIEWER)
    assert not auth.allows("editor", Role.ADMIN) and not auth.allows(None, Role.AUDITOR)
    assert auth.home_path("auditor") == "/audit" and auth.home_path("viewer") == "/"


def test_five_failures_lock_the_account_for_15_minutes_even_for_the_right_password(
    engine: sa.Engine,
) -> None:
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    for _ in range(auth.MAX_FAILURES):
        assert auth.login(engine, "leader", "wrong password") is None
    assert auth.login(engine, "leader", PASSWORD) is None  # locked
    locked = auth.get_user(engine, "leader").locked_until
    assert locked is not None
    assert timedelta(minutes=14) < locked - datetime.now(UTC) <= timedelta(minutes=15)
    # a quarter of an hour later the right password works again
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE user_account SET locked_until = :t"), {"t": datetime.now(UTC)})
    assert auth.login(engine, "leader", PASSWORD)


def test_a_failure_never_tells_whether_the_name_exists(engine: sa.Engine) -> None:
    """Unknown name, wrong password, locked and disabled all give None and the same audit shape."""
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    auth.add_user(engine, "gone", "viewer", PASSWORD)
    auth.set_disabled(engine, "gone")
    assert auth.login(engine, "nobody", PASSWORD) is None
    assert auth.login(engine, "leader", "wrong password") is None
    assert auth.login(engine, "gone", PASSWORD) is None
    for _ in range(auth.MAX_FAILURES + 3):  # an unknown name can be hammered: nothing is created
        assert auth.login(engine, "nobody", "x") is None
    assert [u.name for u in auth.list_users(engine)] == ["gone", "leader"]


def test_a_session_idle_for_8_hours_is_gone(engine: sa.Engine) -> None:
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    token = auth.login(engine, "leader", PASSWORD)
    assert auth.resolve(engine, token) is not None
    with engine.begin() as conn:
        stale = datetime.now(UTC) - timedelta(hours=auth.IDLE_HOURS, minutes=1)
        conn.execute(UserSession.__table__.update().values(last_seen=stale))
    assert auth.resolve(engine, token) is None
    with engine.connect() as conn:  # and removed, not just ignored
        assert conn.execute(sa.select(sa.func.count()).select_from(UserSession.__table__)).scalar() == 0


def test_logout_ends_the_session_on_the_server(engine: sa.Engine) -> None:
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    token = auth.login(engine, "leader", PASSWORD)
    auth.logout(engine, token)
    assert auth.resolve(engine, token) is None


def test_the_live_poll_pushes_only_to_sessions_still_valid(engine: sa.Engine) -> None:
    """What a board tab left open is checked against before each push (state/live.py)."""
    for name in ("leader", "idle", "gone", "auditor"):
        auth.add_user(engine, name, "auditor" if name == "auditor" else "viewer", PASSWORD)
    keys = {
        name: auth.session_key(f"a=1; {auth.SESSION_COOKIE}={auth.login(engine, name, PASSWORD)}")
        for name in ("leader", "idle", "gone", "auditor")
    }
    users = UserSession.__table__
    with engine.begin() as conn:  # "idle" left the tab open past the idle expiry
        idle_id = conn.execute(sa.select(users.c.user_id).where(users.c.token_hash == keys["idle"])).scalar()
        stale = datetime.now(UTC) - timedelta(hours=auth.IDLE_HOURS, minutes=1)
        conn.execute(users.update().where(users.c.user_id == idle_id).values(last_seen=stale))
    auth.set_disabled(engine, "gone")
    before = {r.token_hash: r.last_seen for r in auth_sessions(engine)}

    live = auth.live_sessions(engine, [*keys.values(), "", auth.session_key(None)])

    assert live == {keys["leader"]}  # the auditor's session is valid, but sees no board
    assert auth.live_sessions(engine, [keys["auditor"]], Role.AUDITOR) == {keys["auditor"]}
    # a push is not the user's activity: it keeps no session alive
    assert {r.token_hash: r.last_seen for r in auth_sessions(engine)} == before


def auth_sessions(engine: sa.Engine) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(UserSession.__table__)))


def test_disabling_or_a_new_password_ends_every_session(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD)
    first, second = auth.login(engine, "staff", PASSWORD), auth.login(engine, "staff", PASSWORD)
    auth.set_password(engine, "staff", "Another-pass-1")
    assert auth.resolve(engine, first) is None and auth.resolve(engine, second) is None
    token = auth.login(engine, "staff", "Another-pass-1")
    auth.set_disabled(engine, "staff")
    assert auth.resolve(engine, token) is None
    assert auth.login(engine, "staff", "Another-pass-1") is None


def test_the_session_token_is_read_from_the_cookie_header(engine: sa.Engine) -> None:
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    token = auth.login(engine, "leader", PASSWORD)
    header = f"dashboard-lang=zh; {auth.SESSION_COOKIE}={token}; other=1"
    assert auth.identity_from_cookie(engine, header).name == "leader"
    assert auth.identity_from_cookie(engine, "garbage;;=") is None
    assert auth.identity_from_cookie(engine, None) is None


def test_the_audit_log_keeps_logins_with_address_and_account_changes(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD, by="admin")
    auth.login(engine, "staff", "wrong password", address="10.1.2.3")
    auth.login(engine, "staff", PASSWORD, address="10.1.2.3")
    auth.set_role(engine, "staff", "admin", by="admin")
    log = auth.list_audit(engine)
    assert [(e.action, e.ok) for e in log] == [
        ("user_role", True),
        ("login", True),
        ("login", False),
        ("user_add", True),
    ]
    assert log[1].address == "10.1.2.3" and log[1].user == "staff"
    assert log[0].at.tzinfo is not None


def test_demo_accounts_get_random_passwords_kept_privately(engine: sa.Engine, tmp_path: Path) -> None:
    first = auth.ensure_demo_accounts(engine, tmp_path)
    assert set(first) == {"leader", "staff", "admin"}
    assert auth.login(engine, "staff", first["staff"])
    file = auth.demo_accounts_file(tmp_path)
    assert file.stat().st_mode & 0o077 == 0  # owner only
    assert auth.ensure_demo_accounts(engine, tmp_path) == first  # stable on a second run


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=REPO, input=stdin, capture_output=True, text=True
    )


def test_cli_users_add_list_passwd_disable(sqlite_url: str) -> None:
    done = _cli("users", "add", "王芳", "--role", "editor", "--password-stdin", stdin="s3cret-pass\n")
    assert done.returncode == 0, done.stderr
    listed = _cli("users", "list")
    assert "王芳" in listed.stdout and "工作人员" in listed.stdout
    short = _cli("users", "passwd", "王芳", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "至少需要 8 个字符" in short.stderr
    weak = _cli("users", "passwd", "王芳", "--password-stdin", stdin="longerpass\n")
    assert weak.returncode == 2 and "三类" in weak.stderr
    assert _cli("users", "passwd", "王芳", "--password-stdin", stdin="longer-pass-2\n").returncode == 0
    engine = storage.make_engine(sqlite_url)
    who = auth.resolve(engine, auth.login(engine, "王芳", "longer-pass-2"))
    assert who is not None and who.must_change  # the admin typed it: its owner replaces it first
    assert (
        _cli("users", "add", "审计", "--role", "auditor", "--password-stdin", stdin="Audit-2026\n").returncode
        == 0
    )
    assert "审计员" in _cli("users", "list").stdout
    assert _cli("users", "disable", "王芳").returncode == 0
    assert "停用" in _cli("users", "list").stdout
    assert auth.login(engine, "王芳", "longer-pass-2") is None  # disabled
    assert _cli("users", "disable", "nobody").returncode == 2


def test_a_normal_start_has_no_accounts(sqlite_url: str) -> None:
    assert _cli("migrate").returncode == 0
    assert "no users yet" in _cli("users", "list").stdout


def test_demo_prints_the_demo_accounts(sqlite_url: str, tmp_path: Path) -> None:
    done = _cli("demo")
    assert done.returncode == 0, done.stderr
    for name in ("leader", "staff", "admin"):
        assert name in done.stdout
    again = _cli("demo", "--if-empty")
    assert again.stdout.split("演示账户")[1] == done.stdout.split("演示账户")[1]  # same passwords


def test_cli_imports_and_rollbacks_are_audited(sqlite_url: str, tmp_path: Path) -> None:
    ledger = tmp_path / "会议.csv"
    ledger.write_text("日期,类型,议题\n2024-05-03,周例会,进度\n", encoding="utf-8")
    assert _cli("import", "meetings", str(ledger), "--user", "王芳").returncode == 0
    assert _cli("import", "meetings", str(ledger), "--dry-run").returncode == 0  # a dry run writes nothing
    assert _cli("rollback", "meetings", "1").returncode == 0
    log = auth.list_audit(storage.make_engine(sqlite_url))
    assert [(e.action, e.user, e.target, e.address) for e in log] == [
        ("restore", "cli", "meetings v1", "cli"),
        ("upload", "王芳", "meetings 会议.csv", "cli"),
    ]


# ---------------------------------------------------------------------------
# The tamper-evident audit log


def _events(engine: sa.Engine, n: int, user: str = "staff") -> None:
    for i in range(n):
        auth.audit(
            engine,
            "upload",
            user=user,
            target=f"meetings 会议{i}.csv",
            detail=f"version {i}",
            address="10.0.0.1",
        )


def _ids(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM audit_log ORDER BY id")).scalars().all()


def test_every_audit_row_is_chained_to_the_one_before(engine: sa.Engine) -> None:
    _events(engine, 5)
    report = auth.verify_audit(engine)
    assert report.ok and report.checked == 5 and len(report.head) == 64
    with engine.connect() as conn:
        hashes = conn.execute(sa.text("SELECT hash FROM audit_log ORDER BY id")).scalars().all()
    assert len(set(hashes)) == 5 and hashes[-1] == report.head


def test_editing_one_row_through_sqlite3_is_detected_and_named(sqlite_url: str, tmp_path: Path) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    _events(engine, 6)
    third = _ids(engine)[2]
    with sqlite3.connect(tmp_path / "test.db") as raw:
        raw.execute("UPDATE audit_log SET detail = 'version 999' WHERE id = ?", (third,))
    report = auth.verify_audit(engine)
    assert (
        not report.ok
        and report.broken_id == third
        and report.checked == 2
        and report.broken_action == "upload"
    )
    done = _cli("audit", "verify")
    assert done.returncode == 1 and f"id={third}" in done.stderr and "审计链断裂" in done.stderr


def _psql(url: str, sql: str) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run(["psql", plain, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


def test_editing_one_row_through_psql_is_detected_and_named(pg_url: str) -> None:
    engine = storage.make_engine(pg_url)
    storage.migrate(engine)
    _events(engine, 6)
    fourth = _ids(engine)[3]
    _psql(pg_url, f"UPDATE audit_log SET \"user\" = 'someone else' WHERE id = {fourth}")
    report = auth.verify_audit(engine)
    assert not report.ok and report.broken_id == fourth and report.checked == 3
    done = _cli("audit", "verify")
    assert done.returncode == 1 and f"id={fourth}" in done.stderr


def test_removing_or_reordering_a_row_breaks_the_chain_at_the_next_row(engine: sa.Engine) -> None:
    _events(engine, 5)
    ids = _ids(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    assert auth.verify_audit(engine).broken_id == ids[2]
    with engine.begin() as conn:  # put it back under another id: still broken
        conn.execute(
            sa.text("UPDATE audit_log SET id = :new WHERE id = :old"), {"new": ids[1], "old": ids[2]}
        )
    assert auth.verify_audit(engine).broken_id == ids[1]


def test_concurrent_writers_never_fork_the_chain(engine: sa.Engine) -> None:
    threads = [threading.Thread(target=_events, args=(engine, 15, f"user{i}")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = auth.verify_audit(engine)
    assert report.ok and report.checked == 60


def _writes(engine: sa.Engine, n: int, user: str) -> None:
    """Rows recorded inside plain (deferred on SQLite) write transactions, as the write functions do."""
    for i in range(n):
        with engine.begin() as conn:
            record(conn, "user_role", user, target=f"账户{i}", detail="role=viewer")


def test_writes_recording_in_their_own_transactions_and_events_never_fork_the_chain(
    engine: sa.Engine,
) -> None:
    threads = [threading.Thread(target=_writes, args=(engine, 10, f"admin{i}")) for i in range(3)]
    threads += [threading.Thread(target=_events, args=(engine, 10, "staff"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = auth.verify_audit(engine)
    assert report.ok and report.checked == 40


def test_an_audit_row_written_in_the_callers_transaction_commits_or_rolls_back_with_it(
    engine: sa.Engine,
) -> None:
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execution_options(sqlite_immediate=True)
        with conn.begin() as tx:
            record(conn, "restore", "admin", target="meetings v1")
            tx.rollback()
        with conn.begin():
            record(conn, "restore", "admin", target="meetings v2")
    assert [e.target for e in auth.list_audit(engine)] == ["meetings v2"]
    assert auth.verify_audit(engine).ok


def test_rows_are_kept_at_least_180_days_and_a_purge_leaves_the_chain_verifiable(engine: sa.Engine) -> None:
    _events(engine, 4)
    now = datetime.now(UTC)
    assert auth.purge_audit(engine, keep_days=30, now=now + timedelta(days=100)) == 0  # 30 is raised to 180
    assert len(_ids(engine)) == 4
    assert auth.purge_audit(engine, keep_days=180, now=now + timedelta(days=181)) == 4
    _events(engine, 2)
    report = auth.verify_audit(engine)
    assert report.ok and report.checked == 3  # the purge's own row and the two new ones
    assert [e.action for e in auth.list_audit(engine)][-1] == "audit_purge"
    first = _ids(engine)[0]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET target = 'id <= 0' WHERE id = :id"), {"id": first})
    assert auth.verify_audit(engine).broken_id == first


def test_the_cli_has_no_command_that_edits_or_deletes_audit_rows() -> None:
    from dashboard.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    audit_actions = commands["audit"]._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(audit_actions) == {"verify", "export"}  # export only reads (tests/test_admin_probe.py)
    assert not {"purge", "delete", "truncate", "edit"} & set(commands)


def test_only_the_audit_functions_write_the_audit_table() -> None:
    """Every module reaches audit_log through store.audit.record (and backup's whole-database restore);
    accounts/auth.py only reads it (list_audit)."""
    allowed = {"store/audit.py", "store/tables.py", "store/backup.py"}
    for path in (REPO / "dashboard").rglob("*.py"):
        rel = path.relative_to(REPO / "dashboard").as_posix()
        if rel in allowed or rel.startswith("store/migrations/"):
            continue
        text = path.read_text(encoding="utf-8")
        if rel == "accounts/auth.py":
            assert not any(f"_AUDIT.{verb}(" in text for verb in ("insert", "update", "delete")), rel
            continue
        assert "audit_log" not in text and "AuditEntry.__table__" not in text, rel


def test_migration_0005_chains_the_audit_rows_an_older_installation_already_has(db_url: str) -> None:
    from alembic import command

    engine = storage.make_engine(db_url)
    cfg = storage.alembic_config()
    with engine.connect() as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        old = sa.table(  # the 0002 audit_log, written as the app then wrote it
            "audit_log",
            *(sa.column(c, sa.String) for c in ("user", "action", "target", "detail", "address")),
            sa.column("at", sa.DateTime(timezone=True)),
            sa.column("ok", sa.Boolean),
        )
        for i in range(3):
            at = datetime(2026, 11, 1, 8, i, 5, 123456, tzinfo=UTC)
            conn.execute(old.insert().values(at=at, user="staff", action="login", ok=i != 1, target="",
                                             detail="", address="10.0.0.1"))  # fmt: skip
    storage.migrate(engine)
    report = auth.verify_audit(engine)
    assert report.ok and report.checked == 3
    auth.audit(engine, "login", user="staff")
    assert auth.verify_audit(engine).checked == 4
