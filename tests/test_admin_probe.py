"""What an office's IT admin ran into managing accounts and the installation, each now refused or
answered in plain words: look-alike user names, the last admin, a borrowed session guessing the
current password, and (below) backups, settings and database addresses that cannot be used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.accounts import auth
from dashboard.store import storage

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "Correct horse-7"


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


def _cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=REPO, input=stdin, capture_output=True, text=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


# ---------------------------------------------------------------------------
# Accounts


@pytest.mark.parametrize(
    ("alike", "said"),
    [
        ("Admin", "只差大小写"),
        ("ADMIN", "只差大小写"),
        ("ＡＤＭＩＮ", "只差大小写"),
        ("ａｄｍｉｎ", "已存在"),
    ],
)
def test_a_name_differing_only_by_case_or_width_is_refused_as_a_look_alike(
    engine: sa.Engine, alike: str, said: str
) -> None:
    """Two accounts "admin" and "ａｄｍｉｎ" would read the same in the header and the audit log."""
    auth.add_user(engine, "admin", "admin", PASSWORD)
    with pytest.raises(auth.AccountError) as refused:
        auth.add_user(engine, alike, "viewer", PASSWORD)
    # ａｄｍｉｎ is saved half-width, so it is admin itself; ＡＤＭＩＮ (ADMIN) only looks like it
    assert said in refused.value.message and "'admin'" in refused.value.message_en
    assert [u.name for u in auth.list_users(engine)] == ["admin"]


def test_a_full_width_name_is_saved_half_width_and_signs_in_however_it_is_typed(engine: sa.Engine) -> None:
    assert auth.add_user(engine, "ＬＩ．Ｈｕａ", "viewer", PASSWORD).name == "LI.Hua"
    for typed in (
        "LI.Hua",
        "li.hua",
        "Li.Hua",
        "ｌｉ．ｈｕａ",
    ):  # a phone capitalises, an IME types full width
        who = auth.resolve(engine, auth.login(engine, typed, PASSWORD))
        assert who is not None and who.name == "LI.Hua"
    logins = [a for a in auth.list_audit(engine, action="login")]
    assert {a.user for a in logins} == {"LI.Hua"}  # the audit names the account, not what was typed


def test_a_name_ending_in_a_newline_is_refused(engine: sa.Engine) -> None:
    """``re.match(r"^…$")`` lets a trailing newline through: a name shown on two lines in /users."""
    with pytest.raises(auth.AccountError):
        auth.add_user(engine, "abc\n", "viewer", PASSWORD)
    assert auth.list_users(engine) == []


def test_chinese_names_are_still_names(engine: sa.Engine) -> None:
    auth.add_user(engine, "王芳", "editor", PASSWORD)
    with pytest.raises(auth.AccountError, match="already exists"):
        auth.add_user(engine, "王芳", "viewer", PASSWORD)
    assert auth.login(engine, "王芳", PASSWORD)


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(engine: sa.Engine) -> None:
    auth.add_user(engine, "admin", "admin", PASSWORD)
    auth.add_user(engine, "staff", "editor", PASSWORD)
    for change in (
        lambda: auth.set_disabled(engine, "admin"),
        lambda: auth.set_role(engine, "admin", "viewer"),
    ):
        with pytest.raises(auth.AccountError) as refused:
            change()
        assert "最后一个可用的管理员" in refused.value.message and "add or enable" in refused.value.message_en
    admin = auth.get_user(engine, "admin")
    assert admin is not None and admin.role == "admin" and not admin.disabled
    # with a second admin, either may go
    auth.set_role(engine, "staff", "admin")
    auth.set_role(engine, "admin", "viewer")
    with pytest.raises(auth.AccountError):
        auth.set_disabled(engine, "staff")  # now the last one
    auth.set_disabled(engine, "admin")  # not an admin any more: no question


def test_cli_refuses_to_disable_the_last_admin_with_the_way_out(sqlite_url: str) -> None:
    assert (
        _cli("users", "add", "admin", "--role", "admin", "--password-stdin", stdin=PASSWORD).returncode == 0
    )
    done = _cli("users", "disable", "admin")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "请先添加或启用另一个管理员" in done.stderr and "add or enable another admin first" in done.stderr


def test_a_wrong_current_password_counts_toward_the_lock(engine: sa.Engine) -> None:
    """/password asks for the current password: from a borrowed session it must not be an unthrottled
    oracle. Five wrong ones lock the account as five failed sign-ins do, and the right one then waits."""
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AccountError) as wrong:
            auth.change_password(engine, "leader", "guess-Password-1", "New-password-22")
        assert wrong.value.code == "wrong"
    with pytest.raises(auth.AccountError) as locked:
        auth.change_password(engine, "leader", PASSWORD, "New-password-22")
    assert locked.value.code == "locked" and "锁定" in locked.value.message
    assert auth.login(engine, "leader", PASSWORD) is None  # sign-in is locked as well
    with engine.begin() as conn:  # a quarter of an hour later
        conn.execute(sa.text("UPDATE user_account SET locked_until = NULL"))
    auth.change_password(engine, "leader", PASSWORD, "New-password-22")
    assert auth.login(engine, "leader", "New-password-22")


# ---------------------------------------------------------------------------
# Settings with values that cannot be used, and database addresses


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("DASHBOARD_UPLOAD_MAX_MB", "abc", "a number of MB above 0"),
        ("DASHBOARD_UPLOAD_MAX_MB", "-5", "a number of MB above 0"),
        ("DASHBOARD_DIGEST_AT", "25:00", "HH:MM (00:00–23:59)"),
        ("DASHBOARD_DIGEST_AT", "8.30", "HH:MM (00:00–23:59)"),
        ("DASHBOARD_BACKUP_AT", "2am", "HH:MM (00:00–23:59)"),
        ("DASHBOARD_REPORT_WEEKDAY", "9", "1 (Monday) to 7 (Sunday)"),
        ("DASHBOARD_BACKUP_KEEP", "seven", "0 (no daily backup) or a whole number"),
        ("DASHBOARD_PASSWORD_MAX_DAYS", "90d", "0 or a whole number of days"),
        ("DASHBOARD_DIGEST_LANG", "zh-CN", "zh or en"),
        ("DASHBOARD_PUBLIC_URL", "dangjian.example.cn", "starting with http:// or https://"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named_by_every_command_and_fails_doctor(
    sqlite_url: str, name: str, value: str, said: str
) -> None:
    """Before, DASHBOARD_UPLOAD_MAX_MB=abc was a traceback at every command and DASHBOARD_DIGEST_AT=25:00
    a digest silently never sent: now the command runs on the default and says which, and what to write."""
    done = _cli("users", "list", env={name: value})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert f"{name}={value!r}" in done.stderr and said in done.stderr and "现按" in done.stderr
    doctor = _cli("doctor", "--json", env={name: value})
    result = {r["id"]: r for r in __import__("json").loads(doctor.stdout)}["settings.values"]
    assert doctor.returncode == 1 and result["status"] == "fail"
    assert said in result["message_en"] and name in result["fix"] and "dashboard.env" in result["fix_en"]


def test_good_settings_are_read_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.settings import get_settings

    good = {
        "DASHBOARD_DIGEST_AT": "8:30",
        "DASHBOARD_BACKUP_AT": "3",
        "DASHBOARD_UPLOAD_MAX_MB": "0.5",
        "DASHBOARD_AUDIT_KEEP_DAYS": "30",
        "DASHBOARD_REPORT_WEEKDAY": "1",
    }
    for name, value in good.items():
        monkeypatch.setenv(name, value)
    settings = get_settings()
    assert (settings.digest_at, settings.backup_at, settings.upload_max_bytes) == (
        "08:30",
        "03:00",
        512 * 1024,
    )
    assert settings.audit_keep_days == 180 and settings.report_weekday == 1  # never under 180, as documented
    assert settings.invalid == ()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nonsense", "is no database address"),
        (
            "postgres://dashboard:s3cret@db:5432/dashboard",
            "write postgresql+psycopg://dashboard:***@db:5432/dashboard",
        ),
        ("postgresql://dashboard@db/dashboard", "write postgresql+psycopg://dashboard@db/dashboard"),
        ("mysql://dashboard@db/dashboard", "only SQLite and PostgreSQL"),
        ("sqlite:////proc/no-such-dir/dashboard.db", "cannot create the folder /proc/no-such-dir"),
    ],
)
def test_a_database_address_that_cannot_be_used_says_what_to_write(
    sqlite_url: str, url: str, said: str
) -> None:
    done = _cli("migrate", env={"DASHBOARD_DB_URL": url})
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert said in done.stderr and "s3cret" not in done.stderr
    doctor = _cli("doctor", "--json", env={"DASHBOARD_DB_URL": url})
    reachable = {r["id"]: r for r in __import__("json").loads(doctor.stdout)}["db.reachable"]
    assert reachable["status"] == "fail" and "s3cret" not in doctor.stdout


def test_a_new_sqlite_database_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    """It holds 户主 names and password hashes: not for the server's other local users (umask 022)."""
    path = tmp_path / "new-data" / "dashboard.db"
    storage.migrate(storage.make_engine(f"sqlite:///{path}"))
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


# ---------------------------------------------------------------------------
# Backups


@pytest.mark.parametrize("what", ["missing", "not gzip"])
def test_backup_verify_of_a_missing_or_foreign_file_says_so_without_a_traceback(
    sqlite_url: str, tmp_path: Path, what: str
) -> None:
    target = tmp_path / "backup.tar.gz"
    if what == "not gzip":
        target.write_text("姓名,电话\n张三,138\n", encoding="utf-8")
    done = _cli("backup", "--verify", str(target))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "无法读取备份文件" in done.stderr and "cannot read the backup" in done.stderr


# ---------------------------------------------------------------------------
# The audit log beyond the page's last 1000 rows


def test_audit_export_gives_an_auditor_every_row_asked_for_as_csv_for_excel(
    sqlite_url: str, tmp_path: Path
) -> None:
    """/audit shows the newest 1000 rows; an auditor asked about last month needs the rest, filtered by
    office day, account and action, in a file Excel opens. A name typed at sign-in is the attacker's
    text: it must not become a formula in that file."""
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    auth.add_user(engine, "审计员", "auditor", PASSWORD)
    assert auth.login(engine, "审计员", PASSWORD, address="10.0.0.9")
    auth.login(engine, '=HYPERLINK("http://evil.example","点我")', "x", address="10.6.6.6")
    out = tmp_path / "审计.csv"
    today = __import__("dashboard.clock", fromlist=["office_today"]).office_today().isoformat()
    done = _cli("audit", "export", "-o", str(out), "--from", today, "--to", today, "--action", "login")
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    rows = data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("时间 Time,用户 User,事件 Event")
    assert len(rows) == 3 and "审计员,login,ok" in rows[1] and "10.0.0.9" in rows[1]
    assert "'=HYPERLINK" in rows[2] and ",failed," in rows[2]  # inert: shown as text, never run
    mine = _cli("audit", "export", "--user", "审计员")
    assert "user_add" not in mine.stdout and mine.stdout.count("\n") == 2  # header and the one sign-in
    assert "user_add" in _cli("audit", "export").stdout  # unfiltered: everything since the first row
    earlier = _cli("audit", "export", "--to", "2020-01-01")
    assert earlier.stdout.count("\n") == 1  # the header only
    bad = _cli("audit", "export", "--from", "12/1")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr


def test_a_backup_is_not_written_into_the_data_directory_it_backs_up(sqlite_url: str, tmp_path: Path) -> None:
    """`backup -o data/x.tar.gz` made x a data file: every later backup held the one before, and a
    restore put it back. The daily backups' own folder (DASHBOARD_BACKUP_DIR, data/backups) is fine."""
    storage.migrate(storage.make_engine(sqlite_url))
    data = tmp_path / "data"
    inside = _cli("backup", "-o", str(data / "mine.tar.gz"))
    assert inside.returncode == 2 and "Traceback" not in inside.stderr
    assert "数据目录" in inside.stderr and "Write it outside" in inside.stderr
    assert not (data / "mine.tar.gz").exists()
    assert _cli("backup", "-o", str(data / "backups" / "mine.tar.gz")).returncode == 0
    assert _cli("backup", "-o", str(tmp_path / "elsewhere.tar.gz")).returncode == 0


# ---------------------------------------------------------------------------
# Sign-in addresses behind nginx


def _login_address(engine: sa.Engine, headers: dict[str, str]) -> str:
    from starlette.testclient import TestClient

    from dashboard import api

    with TestClient(api.build(), follow_redirects=False) as client:
        done = client.post("/api/login", data={"name": "leader", "password": PASSWORD}, headers=headers)
        assert done.status_code == 303
    return auth.list_audit(engine, action="login", limit=1)[0].address


def test_behind_nginx_the_sign_in_records_the_address_nginx_was_reached_from(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/deploy.md §4 sets REFLEX_TRUSTED_PROXY_HOPS=1; the HTTP sign-in recorded the proxy's own
    address for every user all the same (the audit's 'logins with address' said 127.0.0.1)."""
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    forwarded = {"X-Forwarded-For": "203.0.113.9, 10.20.30.40"}  # a client's claim, then what nginx saw
    monkeypatch.delenv("REFLEX_TRUSTED_PROXY_HOPS", raising=False)
    assert _login_address(engine, forwarded) == "testclient"  # no proxy configured: the header is ignored
    monkeypatch.setenv("REFLEX_TRUSTED_PROXY_HOPS", "1")
    assert _login_address(engine, forwarded) == "10.20.30.40"  # only the hop nginx appended is trusted
    assert _login_address(engine, {}) == "testclient"


def test_auditors_download_the_audit_log_from_the_audit_page_filtered_and_audited(
    sqlite_url: str,
) -> None:
    """/audit's form GETs /api/audit.csv: every row asked for, for auditors and admins only; the
    download is itself a row of the log."""
    from starlette.testclient import TestClient

    from dashboard import api, clock

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    for name, role in (("审计员", "auditor"), ("leader", "viewer"), ("staff", "editor")):
        auth.add_user(engine, name, role, PASSWORD)
    today = clock.office_today().isoformat()

    def signed_in(name: str) -> TestClient:
        client = TestClient(api.build(), follow_redirects=False)
        assert client.post("/api/login", data={"name": name, "password": PASSWORD}).status_code == 303
        return client

    for name in ("leader", "staff"):
        assert signed_in(name).get("/api/audit.csv").status_code == 403
    auditor = signed_in("审计员")
    got = auditor.get(
        "/api/audit.csv", params={"from": today, "to": today, "action": "login", "user": "leader"}
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "audit_" in got.headers["content-disposition"]
    rows = got.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and ",leader,login,ok," in rows[1]
    everything = auditor.get("/api/audit.csv", params={"from": "", "to": "", "user": "", "action": ""})
    assert "user_add" in everything.text and everything.text.count("\r\n") > 5
    bad = auditor.get("/api/audit.csv", params={"from": "12/1"})
    assert bad.status_code == 400 and "message_en" in bad.json()
    exported = auth.list_audit(engine, action="audit_export")
    assert exported and exported[0].user == "审计员"


def test_the_audit_page_carries_the_export_form() -> None:
    from dashboard.pages import audit

    assert 'action="/api/audit.csv"' in audit.EXPORT_FORM and 'method="get"' in audit.EXPORT_FORM
    assert "导出 CSV" in audit.EXPORT_FORM and "Export CSV" in audit.EXPORT_FORM
    audit.page()  # builds


def test_doctor_says_when_the_daily_backups_stopped(sqlite_url: str, tmp_path: Path, monkeypatch) -> None:
    """The server only logs a failed daily backup and retries each minute: nobody reads that log until
    a restore is needed. doctor now looks at DASHBOARD_BACKUP_DIR."""
    from datetime import timedelta

    from dashboard import clock
    from dashboard.ops import doctor
    from dashboard.settings import get_settings
    from dashboard.store import backup

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    auth.add_user(engine, "admin", "admin", PASSWORD)  # the installation's first audit row: today
    folder = tmp_path / "backups"

    def daily() -> dict[str, str]:
        monkeypatch.setenv("DASHBOARD_BACKUP_DIR", str(folder))
        checks = [
            ("db.reachable", doctor.check_db_reachable),
            ("db.migrated", doctor.check_db_migrated),
            ("backup.daily", doctor.check_backups),
        ]
        return {r.id: r for r in doctor.run_checks(get_settings(), checks)}["backup.daily"].to_json()

    assert daily()["status"] == "ok"  # a new installation: none yet, and that is fine
    today = clock.office_today()
    backup.scheduled_backup(engine, tmp_path / "data", folder, keep=7, day=today - timedelta(days=5))
    stale = daily()
    assert stale["status"] == "fail" and (today - timedelta(days=5)).isoformat() in stale["message"]
    assert "daily backup failed" in stale["fix_en"]
    backup.scheduled_backup(engine, tmp_path / "data", folder, keep=7, day=today)
    assert daily()["status"] == "ok"
    monkeypatch.setenv("DASHBOARD_BACKUP_KEEP", "0")
    assert daily()["status"] == "warn"


def test_a_restore_brings_back_no_session_everyone_signs_in_again(sqlite_url: str, tmp_path: Path) -> None:
    """A session signed out (or of an account disabled) after the backup must not come back to life
    with the restored rows."""
    from dashboard.store import backup

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    auth.add_user(engine, "admin", "admin", PASSWORD)
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    token = auth.login(engine, "leader", PASSWORD)
    backup.backup(engine, tmp_path / "data", tmp_path / "b.tar.gz")
    auth.logout(engine, token)
    assert auth.resolve(engine, token) is None
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(storage.alembic_config()).get_current_head()
    backup.restore(tmp_path / "b.tar.gz", engine, tmp_path / "data", head=revision, force=True)
    assert auth.resolve(engine, token) is None
    assert [u.name for u in auth.list_users(engine)] == ["admin", "leader"]
    assert auth.login(engine, "leader", PASSWORD)  # the accounts themselves are back


def test_one_address_trying_a_password_on_every_account_is_stopped(engine: sa.Engine) -> None:
    """Spraying one guess over many names stays under each account's own 5-failure lock: the address
    is refused once it failed 30 times in 15 minutes; other addresses and loopback (a proxy that does
    not pass the client's address) are not."""
    auth.add_user(engine, "leader", "viewer", PASSWORD)
    for i in range(auth.ADDRESS_FAILURES):
        assert auth.login(engine, f"user{i}", "Spring-2026!", address="10.9.9.9") is None
    assert auth.login(engine, "leader", PASSWORD, address="10.9.9.9") is None  # the right password too
    assert auth.list_audit(engine, action="login", limit=1)[0].detail == "address throttled"
    assert auth.login(engine, "leader", PASSWORD, address="10.1.1.1")  # another desk signs in
    assert auth.get_user(engine, "leader").locked_until is None  # and the account itself is not locked
    for _ in range(auth.ADDRESS_FAILURES):
        auth.login(engine, "nobody", "x", address="127.0.0.1")
    assert auth.login(engine, "leader", PASSWORD, address="127.0.0.1")
