"""``python -m dashboard doctor``: checks an installation and says what to fix.

Against a fresh SQLite database (the sqlite_url fixture), each fault made for real (a closed
port, an unmigrated file, chmod, a demo account). Exit 0 when nothing fails (warnings allowed),
1 on any failure; doctor itself never changes anything. The printed report is read from the
real CLI in a subprocess; the other cases call the same checks in-process (the CLI's start-up
costs seconds per run on two cores).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import cli
from dashboard.accounts import auth
from dashboard.ops import doctor
from dashboard.settings import get_settings
from dashboard.store import storage

REPO = Path(__file__).resolve().parent.parent
STRONG = "Doctor-visit-2026"


def dashboard(*args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        capture_output=True, cwd=REPO, text=True, input=input, env={**os.environ, **env}, timeout=120,
    )  # fmt: skip


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch):
    """Run every check with these environment variables: (exit code, results by id)."""

    def run(**env: str) -> tuple[int, dict[str, dict[str, str]]]:
        with monkeypatch.context() as m:
            for key, value in env.items():
                m.setenv(key, value)
            results = doctor.run_checks(get_settings())
        return doctor.exit_code(results), {r.id: r.to_json() for r in results}

    return run


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens once it is closed


@pytest.fixture
def installed(sqlite_url: str, tmp_path: Path) -> Path:
    """A healthy installation: migrated, one admin, a private data directory; returns the data dir."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    data.chmod(0o700)
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    auth.add_user(engine, "boss", "admin", STRONG)
    return data


def test_a_healthy_installation_passes_every_check_and_exits_0(installed: Path, checks):
    done = dashboard("doctor")
    assert done.returncode == 0, done.stdout
    assert "安装正常" in done.stdout and "the installation is fine" in done.stdout
    assert json.loads(dashboard("doctor", "--json").stdout)[0]["id"] == "db.reachable"
    code, results = checks()
    assert code == 0
    for cid in ("db.reachable", "db.migrated", "accounts.admin", "secrets.demo", "data_dir.writable",
                "data_dir.private", "disk.space", "time.zone", "frontend.build"):  # fmt: skip
        assert results[cid]["status"] == "ok", results[cid]
    assert "redis.reachable" not in results  # only when REDIS_URL is set


def test_an_unreachable_database_fails_saying_what_to_check_and_skips_what_depends_on_it(installed, checks):
    url = f"postgresql+psycopg://dashboard:s3cret@127.0.0.1:{closed_port()}/dashboard"
    code, results = checks(DASHBOARD_DB_URL=url)
    assert code == 1
    assert results["db.reachable"]["status"] == "fail"
    assert "DASHBOARD_DB_URL" in results["db.reachable"]["fix_en"]
    assert "s3cret" not in json.dumps(results)  # the password is never printed
    assert results["db.migrated"]["status"] == "skip"
    assert results["accounts.admin"]["status"] == "skip"


def test_a_missing_sqlite_file_is_reported_and_not_created(sqlite_url: str, tmp_path: Path, checks):
    code, results = checks()
    assert code == 1
    assert results["db.reachable"]["status"] == "fail"
    assert "dashboard migrate" in results["db.reachable"]["fix_en"]
    assert not (tmp_path / "test.db").exists()


def test_an_unmigrated_database_fails_and_doctor_does_not_migrate_it(installed: Path, tmp_path: Path, checks):
    with sqlite3.connect(tmp_path / "test.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    code, results = checks()
    assert code == 1
    assert results["db.migrated"]["status"] == "fail"
    assert "0001" in results["db.migrated"]["message_en"]
    assert "dashboard migrate" in results["db.migrated"]["fix_en"]
    with sqlite3.connect(tmp_path / "test.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


def test_a_data_directory_others_can_read_fails_with_the_chmod_to_type(installed: Path, checks):
    installed.chmod(0o755)
    code, results = checks()
    assert code == 1
    assert results["data_dir.private"]["status"] == "fail"
    assert results["data_dir.private"]["fix"] == f"chmod 700 {installed}"
    installed.chmod(0o750)  # group may read (a backup group): allowed
    code, results = checks()
    assert code == 0 and results["data_dir.private"]["status"] == "ok"


def test_a_missing_data_directory_fails_with_how_to_make_it(installed: Path, tmp_path: Path, checks):
    code, results = checks(DASHBOARD_DATA_DIR=str(tmp_path / "elsewhere"))
    assert code == 1
    assert results["data_dir.writable"]["status"] == "fail"
    fix = results["data_dir.writable"]["fix"]
    assert "mkdir -p" in fix and "chmod 700" in fix
    assert not (tmp_path / "elsewhere").exists()


def test_demo_accounts_that_can_sign_in_fail_outside_demo_mode_and_only_warn_in_it(installed: Path, checks):
    assert cli.main(["demo"]) == 0
    code, results = checks()
    assert code == 1
    demo = results["secrets.demo"]
    assert demo["status"] == "fail" and "leader" in demo["message"]
    assert "dashboard users disable leader" in demo["fix"]
    code, results = checks(DASHBOARD_DEMO="1")
    assert results["secrets.demo"]["status"] == "warn"
    for name in ("leader", "staff", "admin"):
        auth.set_disabled(storage.make_engine(), name, True)
    code, results = checks()
    assert code == 0 and results["secrets.demo"]["status"] == "ok"


def test_an_installation_without_an_active_admin_fails(installed: Path, checks):
    # the last admin cannot be disabled (accounts refuse it); an older version, or a hand edit, could
    with storage.make_engine().begin() as conn:
        conn.execute(sa.text("UPDATE user_account SET disabled = :yes WHERE name = 'boss'"), {"yes": True})
    code, results = checks()
    assert code == 1
    assert results["accounts.admin"]["status"] == "fail"
    assert "--role admin" in results["accounts.admin"]["fix_en"]


def test_an_environment_file_others_can_read_fails_because_it_may_hold_the_database_password(
    installed: Path, tmp_path: Path, checks
):
    env_file = tmp_path / "dashboard.env"
    env_file.write_text("DASHBOARD_DB_URL=postgresql+psycopg://dashboard:pw@db/dashboard\n")
    env_file.chmod(0o644)
    code, results = checks(DASHBOARD_ENV_FILE=str(env_file))
    assert code == 1
    assert results["secrets.env_file"]["fix"] == f"chmod 600 {env_file}"
    env_file.chmod(0o600)
    code, results = checks(DASHBOARD_ENV_FILE=str(env_file))
    assert code == 0 and results["secrets.env_file"]["status"] == "ok"


def test_redis_is_checked_only_when_configured_and_an_unreachable_one_fails(installed: Path, checks):
    code, results = checks(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert code == 1
    assert results["redis.reachable"]["status"] == "fail"
    assert "REDIS_URL" in results["redis.reachable"]["fix_en"]


def test_a_reachable_redis_passes(installed: Path, checks):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    _, results = checks(REDIS_URL="redis://127.0.0.1:6379/0")
    assert results["redis.reachable"]["status"] == "ok", results["redis.reachable"]


def test_the_office_time_zone_is_checked(installed: Path, checks):
    _, results = checks()
    assert results["time.zone"]["status"] == "ok"
    assert "Asia/Shanghai" in results["time.zone"]["message"]


def test_a_check_that_crashes_is_reported_as_a_bug_of_the_check_and_the_others_still_run(
    installed: Path, tmp_path: Path
):
    def broken(ctx: doctor.Context) -> doctor.Result:
        raise KeyError("a bug")

    results = doctor.run_checks(get_settings(), [("broken", broken), ("time.zone", doctor.check_time_zone)])
    assert [r.status for r in results] == ["crash", "ok"]
    assert "itself crashed" in results[0].message_en
    assert "not a fault of the installation" in results[0].message_en
    assert doctor.exit_code(results) == 1
    assert "KeyError" in (installed / "logs" / "errors.log").read_text()


def test_the_printed_report_gives_every_failure_its_fix_and_exits_1(installed: Path, tmp_path: Path):
    installed.chmod(0o777)
    done = dashboard("doctor", DASHBOARD_DB_URL=f"sqlite:///{tmp_path / 'none.db'}")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("[失败 FAIL]"):
            assert lines[i + 2].strip().startswith("→ 处理 fix:"), lines[i : i + 3]
    assert lines[-1].startswith("有 ") and "problem(s) to fix" in lines[-1]


def test_digest_channels_are_checked_only_when_configured(installed: Path, checks):
    _, results = checks(DASHBOARD_WEBHOOKS="", DASHBOARD_SMTP_URL="", DASHBOARD_DIGEST_EMAIL="")
    assert "digest.channels" not in results


def test_a_robot_this_server_cannot_reach_warns_before_the_first_morning_digest(installed: Path, checks):
    """On an intranet the internet's robots are out of reach: said by doctor, not at 08:30 tomorrow."""
    port = closed_port()
    code, results = checks(DASHBOARD_WEBHOOKS=f"wecom=http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k")
    digest = results["digest.channels"]
    assert digest["status"] == "warn" and code == 0  # the boards run; the digest will not arrive
    assert f"127.0.0.1:{port}" in digest["message"] and "连不上" in digest["message"]
    assert "测试发送" in digest["fix"] and "Send a test" in digest["fix_en"]


def test_a_reachable_robot_passes_and_is_sent_nothing(installed: Path, checks):
    import threading

    received: list[bytes] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(10)

        def accept() -> None:
            conn, _ = server.accept()
            with conn:
                conn.settimeout(2)
                try:
                    received.append(conn.recv(1024))
                except TimeoutError:
                    received.append(b"(nothing)")

        waiter = threading.Thread(target=accept)
        waiter.start()
        url = f"http://127.0.0.1:{server.getsockname()[1]}/robot/send?access_token=t"
        _, results = checks(DASHBOARD_WEBHOOKS=f"dingtalk={url}")
        waiter.join()
    assert results["digest.channels"]["status"] == "ok"
    assert received == [b""]  # connected and closed: not one byte of a message


def test_a_digest_channel_set_up_wrong_fails_naming_it(installed: Path, checks):
    code, results = checks(DASHBOARD_WEBHOOKS="weixin=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    assert code == 1 and results["digest.channels"]["status"] == "fail"
    assert "notify.webhook_kind" in results["digest.channels"]["message_en"]
    assert "DASHBOARD_WEBHOOKS" in results["digest.channels"]["fix_en"]


def test_a_mail_server_out_of_reach_warns_too(installed: Path, checks):
    port = closed_port()
    _, results = checks(
        DASHBOARD_SMTP_URL=f"smtp://digest:pw@127.0.0.1:{port}", DASHBOARD_DIGEST_EMAIL="leader@example.cn"
    )
    assert results["digest.channels"]["status"] == "warn"
    assert f"email 127.0.0.1:{port}" in results["digest.channels"]["message_en"]
    assert "pw" not in results["digest.channels"]["message_en"]  # the password never shown
