"""Run inside ``unshare -n`` (a network namespace with only loopback) by tests/test_bundle.py.

Usage: driver.py ARCHIVE NEWER_ARCHIVE WORKDIR. Brings loopback up, proves there is no other
route out, unpacks the bundle, installs it into an empty directory with a PATH that has no bun,
node or npm, migrates, loads the demo, serves on 127.0.0.1, fetches a page and opens its
websocket (probe.py, run by the installed Python), stops the server; then installs the newer
bundle over it (an upgrade) and looks at what was kept. Prints one JSON object with what it
saw and how long each step took. Stdlib only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Every command runs in the source checkout on purpose: the installed CLI must use its own
# app, never a dashboard/ package of the working directory.
CWD = HERE.parent.parent
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
report: dict = {"steps": {}}


def step(name: str, cmd: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    started = time.monotonic()
    done = subprocess.run(cmd, env=env, cwd=CWD, capture_output=True, text=True, timeout=timeout)
    report["steps"][name] = round(time.monotonic() - started, 1)
    if done.returncode != 0:
        report["failed"] = name
        report["output"] = (done.stdout + done.stderr)[-3000:]
        finish(1)
    return done


def finish(code: int) -> None:
    print(json.dumps(report, ensure_ascii=False))
    sys.exit(code)


def offline() -> bool:
    """True when nothing but loopback is reachable (no route to any public address)."""
    for address in (("1.1.1.1", 443), ("8.8.8.8", 53), ("151.101.0.223", 443)):  # incl. a pypi.org address
        with socket.socket() as s:
            s.settimeout(3)
            try:
                s.connect(address)
                return False
            except OSError:
                continue
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.read().decode("utf-8", "replace")


def main() -> None:
    archive, newer, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    report["offline"] = offline()
    if not report["offline"]:
        report["failed"] = "namespace"
        finish(1)

    with tarfile.open(archive) as tar:
        tar.extractall(work / "unpacked", filter="data")
    bundle = next((work / "unpacked").iterdir())
    with tarfile.open(newer) as tar:
        tar.extractall(work / "newer", filter="data")
    newer_bundle = next((work / "newer").iterdir())
    prefix = work / "prefix"
    prefix.mkdir()  # empty
    home = work / "home"
    home.mkdir()
    # Nothing of the build machine: no venv on PATH, no pip settings; bun, node, npm and npx
    # (this machine has some) are shadowed by stubs that record any call and fail.
    stubs, calls = work / "stubs", work / "tool-calls.txt"
    stubs.mkdir()
    for tool in ("bun", "node", "npm", "npx"):
        (stubs / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> {calls}\nexit 127\n')
        (stubs / tool).chmod(0o755)
    path = f"{stubs}:{SYSTEM_PATH}"
    env = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "PIP_CONFIG_FILE": os.devnull}

    step("install", [str(bundle / "install.sh"), "--prefix", str(prefix)], env)
    cli = str(prefix / "bin" / "dashboard")
    step("migrate", [cli, "migrate"], env)
    report["demo_output"] = step("demo", [cli, "demo"], env).stdout[-400:]
    checked = subprocess.run([cli, "doctor", "--json"], env=env, cwd=CWD, capture_output=True, text=True)
    report["doctor"] = {r["id"]: r["status"] for r in json.loads(checked.stdout or "[]")}

    port = free_port()
    log = (work / "serve.log").open("w")
    started = time.monotonic()
    server = subprocess.Popen(
        [cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=CWD, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        page = ""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None and "<html" not in page.lower():
            with contextlib.suppress(OSError):
                _status, page = fetch(f"http://127.0.0.1:{port}/")
            time.sleep(0.5)
        report["steps"]["serve_ready"] = round(time.monotonic() - started, 1)
        title = page.split("<title>", 1)[1].split("</title>", 1)[0] if "<title>" in page else ""
        report["page_title"] = title
        asset = next(p for p in (prefix / "app/.web/build/client/assets").glob("reflex-env-*.js"))
        report["env_asset"] = fetch(f"http://127.0.0.1:{port}/assets/{asset.name}")[1]
        probe_env = {**env, "PYTHONPATH": str(prefix / "app")}
        started = time.monotonic()
        probe = subprocess.run(
            [str(prefix / "venv/bin/python"), str(HERE / "probe.py"), str(port),
             str(prefix / "data" / "demo-accounts.txt")],
            env=probe_env, cwd=prefix, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        report["steps"]["websocket"] = round(time.monotonic() - started, 1)
        report["probe"] = json.loads(probe.stdout.strip().splitlines()[-1]) if probe.stdout.strip() else {}
        if probe.returncode != 0:
            report["probe_stderr"] = probe.stderr[-2000:]
        report["venv_bin"] = sorted(p.name for p in (prefix / "venv" / "bin").iterdir())
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        log.close()
        report["serve_log"] = (work / "serve.log").read_text(errors="replace")[-2000:]
    upgrade(newer_bundle, prefix, env)
    report["tools_called"] = calls.read_text().splitlines() if calls.exists() else []
    finish(0)


def upgrade(bundle: Path, prefix: Path, env: dict[str, str]) -> None:
    """The newer bundle over the install: data and settings stay, the app is the new one."""
    env_file = prefix / "etc" / "dashboard.env"
    with env_file.open("a") as f:
        f.write("# a line the office added\n")
    cli = str(prefix / "bin" / "dashboard")
    kept = step("history_before_upgrade", [cli, "history", "demolition"], env).stdout
    step("upgrade", [str(bundle / "install.sh"), "--prefix", str(prefix)], env)
    step("migrate_after_upgrade", [cli, "migrate"], env)
    history = step("history", [cli, "history", "demolition"], env).stdout
    marker = json.loads((prefix / "app" / ".web" / "bundle.json").read_text())
    report["upgrade"] = {
        "version": marker["version"],
        "settings_kept": "# a line the office added" in env_file.read_text(),
        "demolition_versions": sum(1 for line in history.splitlines() if line.startswith("demolition")),
        "demolition_versions_before": sum(1 for line in kept.splitlines() if line.startswith("demolition")),
        "demo_accounts_kept": (prefix / "data" / "demo-accounts.txt").exists(),
    }


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # reported to the test with what was seen so far
        report["failed"] = report.get("failed", "driver")
        report["error"] = f"{type(exc).__name__}: {exc}"
        finish(1)
