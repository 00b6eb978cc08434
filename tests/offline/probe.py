"""Run by the INSTALLED Python: sign in as the demo viewer, open a board over Reflex's websocket.

Usage: probe.py PORT DEMO_ACCOUNTS_FILE. Prints one JSON object; exit 0 when the board drew.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import sys
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from dashboard.bench.viewers import Viewer


def password(accounts: Path, name: str) -> str:
    for line in accounts.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == name:
            return parts[2]
    raise KeyError(name)


def sign_in(port: int, name: str, secret: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode({"name": name, "password": secret})
    conn.request("POST", "/api/login", body, {"content-type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    cookie = SimpleCookie(resp.getheader("set-cookie") or "")
    conn.close()
    value = cookie["dashboard_session"].value if "dashboard_session" in cookie else ""
    return resp.status, f"dashboard_session={value}"


async def open_board(port: int, cookie: str) -> dict:
    viewer = Viewer(f"http://127.0.0.1:{port}", "/demolition", cookie)
    try:
        await viewer.connect(60)
        await viewer.wait_drawn(60)
        return {"stamp": viewer.stamp, "fields": sorted(viewer.board)}
    finally:
        await viewer.close()


def main() -> int:
    port, accounts = int(sys.argv[1]), Path(sys.argv[2])
    status, cookie = sign_in(port, "leader", password(accounts, "leader"))
    result: dict = {"login_status": status}
    try:
        result.update(asyncio.run(open_board(port, cookie)))
    except Exception as exc:  # reported to the test, which shows it
        result["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(result))
    return 0 if "stamp" in result else 1


if __name__ == "__main__":
    raise SystemExit(main())
