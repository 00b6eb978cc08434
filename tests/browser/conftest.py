"""The production app in a real browser: one server per test session, Debian's Chromium.

The session fixture ``app_server`` creates a temporary SQLite database, runs
``python -m dashboard migrate`` and ``python -m dashboard demo`` (the same
commands staff use), then builds and serves the PRODUCTION frontend with
``reflex run --env prod --single-port`` on a free port and waits until a
page is served. At the end the whole process group is stopped.

Every test here is marked ``browser`` (deselect with ``-m "not browser"``).
Screenshots go to test-output/screens/<page>-<w>x<h>.png.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = Path(os.environ.get("DASHBOARD_TEST_CHROMIUM", "/usr/bin/chromium"))
SCREENS = REPO / "test-output" / "screens"
# The first build installs the frontend packages; later ones take ~20 s on 2 cores.
START_TIMEOUT_S = 900

PAGES: dict[str, str] = {
    "overview": "/",
    "elections": "/elections",
    "brands": "/brands",
    "demolition": "/demolition",
    "tasks": "/tasks",
    "org_life": "/org-life",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class Server:
    """The running app and the environment to run CLI commands against its database."""

    url: str
    env: dict[str, str]
    tmp: Path

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """``python -m dashboard <args>`` in another process, against the app's database.

        ``input`` goes to its stdin (e.g. a password for ``users add NAME --password-stdin``).
        """
        return subprocess.run(
            [sys.executable, "-m", "dashboard", *args],
            cwd=REPO,
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def password(self, name: str) -> str:
        """A demo account's password (random per database, written by ``python -m dashboard demo``)."""
        for line in (self.tmp / "data" / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts and parts[0] == name:
                return parts[2]
        raise KeyError(name)

    def engine(self) -> sa.Engine:
        """The app's database, for a test that sets something up the way an admin's page would."""
        from dashboard.store import storage

        return storage.make_engine(self.env["DASHBOARD_DB_URL"])

    def signed_in(self, name: str = "leader", password: str | None = None) -> dict:
        """Playwright ``storage_state`` of a browser signed in as a demo account (or another one, with
        its ``password``): every page needs one. The cookie is the one the server set."""
        host, port = self.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        body = urllib.parse.urlencode({"name": name, "password": password or self.password(name)})
        conn.request("POST", "/api/login", body, {"content-type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        cookie = SimpleCookie(resp.getheader("set-cookie") or "")
        conn.close()
        assert resp.status == 303 and "dashboard_session" in cookie, f"sign-in as {name} failed"
        value, same_site = cookie["dashboard_session"].value, cookie["dashboard_session"]["samesite"]
        return {
            "cookies": [
                {"name": "dashboard_session", "value": value, "domain": host, "path": "/", "expires": -1,
                 "httpOnly": True, "secure": False, "sameSite": same_site.title()}
            ],
            "origins": [],
        }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200 and b"<html" in resp.read(2000).lower()
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk")
    tmp = tmp_path_factory.mktemp("app")
    env = {
        **os.environ,
        "DASHBOARD_DB_URL": f"sqlite:///{tmp / 'dashboard.db'}",
        "DASHBOARD_DATA_DIR": str(tmp / "data"),
        # Reflex finds the venv's bun and node only when they come first on PATH.
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_TELEMETRY_ENABLED": "false",
        # Shared-state files of this session only (never a dev server's).
        "REFLEX_STATES_WORKDIR": str(tmp / "states"),
    }
    for args in (("migrate",), ("demo",)):
        done = subprocess.run(
            [sys.executable, "-m", "dashboard", *args], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr

    port = _free_port()
    log_path = tmp / "reflex.log"
    ports = ["--frontend-port", str(port), "--backend-port", str(port)]
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--single-port", *ports],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole at the end
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _serving(url + "/"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the app did not start:\n" + log_path.read_text()[-4000:])
            time.sleep(1)
        yield Server(url=url, env=env, tmp=tmp)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, headless, without background traffic."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, app_server: Server) -> dict:
    """Signed in as the demo leader (领导, viewer): the boards need a login."""
    return {
        **browser_context_args,
        "viewport": {"width": 1366, "height": 768},
        "locale": "zh-CN",
        "storage_state": app_server.signed_in("leader"),
    }


@pytest.fixture(scope="session")
def screens() -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS
