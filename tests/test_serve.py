"""``dashboard serve``: one prebuilt frontend serves any port and any proxy; bad options start nothing.

The bundle's frontend has its backend address baked into one asset (``ws://localhost:3000/_event``);
the server answers that asset with the port the browser used. The whole server, started from an
installed bundle, is exercised in tests/test_bundle.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dashboard.ops.serve import EnvAsset, rewrite_env
from tests.reflex_events import run

REPO = Path(__file__).resolve().parent.parent
BUILT = (
    "var e={PING:`http://localhost:3000/ping`,EVENT:`ws://localhost:3000/_event`,"
    "UPLOAD:`http://localhost:3000/_upload`,TRANSPORT:`websocket`};export{e as t};"
)


def test_the_env_asset_names_the_port_the_browser_reached_the_server_on():
    text = rewrite_env(BUILT, "127.0.0.1:8123")
    assert "ws://localhost:8123/_event" in text and "http://localhost:8123/ping" in text
    assert ":3000" not in text


def test_behind_a_proxy_on_the_default_port_the_env_asset_has_no_port():
    # The browser swaps "localhost" for the page's host name (and ws for wss under https).
    text = rewrite_env(BUILT, "dash.office.internal")
    assert "ws://localhost/_event" in text and "http://localhost/_upload" in text


def _get(app: EnvAsset, path: str, host: str) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"host", host.encode())]}
    run(app(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


async def _inner(scope: dict, receive: object, send: object) -> None:
    """Stands in for Reflex's app: answers every other path with 204."""
    await send({"type": "http.response.start", "status": 204, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]


def test_the_server_answers_only_the_env_asset_itself_uncached_and_passes_everything_else_on():
    app = EnvAsset(_inner, "/assets/reflex-env-X.js", BUILT)
    status, headers, body = _get(app, "/assets/reflex-env-X.js", "10.0.0.5:3000")
    assert status == 200 and b"ws://localhost:3000/_event" in body
    assert headers[b"cache-control"] == b"no-cache"  # a proxy or another port must not get a stale one
    assert headers[b"content-type"].startswith(b"text/javascript")
    assert _get(app, "/assets/other.js", "10.0.0.5:3000")[0] == 204


def test_several_workers_without_redis_are_refused_before_anything_starts(tmp_path: Path):
    env = {**os.environ, "DASHBOARD_DB_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env["DASHBOARD_DATA_DIR"] = str(tmp_path)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "serve", "--workers", "3", "--port", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "REDIS_URL" in done.stderr and "Redis" in done.stderr
    assert not (tmp_path / "x.db").exists()  # refused before migrating
