"""Accounts, sign-in, sessions and the audit trail (dashboard.accounts.auth), on SQLite and PostgreSQL,
and the ``python -m dashboard users`` commands."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.accounts import auth
from dashboard.accounts.auth import Role
from dashboard.store import storage
from dashboard.store.tables import UserSession

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse"


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


def test_short_passwords_duplicate_names_and_unknown_roles_are_refused(engine: sa.Engine) -> None:
    with pytest.raises(auth.AccountError, match="at least 8"):
        auth.add_user(engine, "a", "viewer", "1234567")
    auth.add_user(engine, "a", "viewer", "12345678")
    with pytest.raises(auth.AccountError, match="already exists"):
        auth.add_user(engine, "a", "viewer", "12345678")
    with pytest.raises(auth.AccountError, match="unknown role"):
        auth.add_user(engine, "b", "boss", "12345678")
    with pytest.raises(auth.AccountError):
        auth.add_user(engine, "../etc", "viewer", "12345678")


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


def test_disabling_or_a_new_password_ends_every_session(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD)
    first, second = auth.login(engine, "staff", PASSWORD), auth.login(engine, "staff", PASSWORD)
    auth.set_password(engine, "staff", "another password")
    assert auth.resolve(engine, first) is None and auth.resolve(engine, second) is None
    token = auth.login(engine, "staff", "another password")
    auth.set_disabled(engine, "staff")
    assert auth.resolve(engine, token) is None
    assert auth.login(engine, "staff", "another password") is None


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
    assert _cli("users", "passwd", "王芳", "--password-stdin", stdin="longer-pass\n").returncode == 0
    assert _cli("users", "disable", "王芳").returncode == 0
    assert "停用" in _cli("users", "list").stdout
    engine = storage.make_engine(sqlite_url)
    assert auth.login(engine, "王芳", "longer-pass") is None  # disabled
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
