"""``dashboard serve``: the production server on one port, with or without a build toolchain.

Two cases, told apart by the marker the bundle build leaves in ``.web/bundle.json``:

- an installed bundle (marker present): the frontend was built once, on the build
  machine. We start Reflex's production backend (Granian) ourselves with its compile
  step switched off (``REFLEX_SKIP_COMPILE``) and its static mount of
  ``.web/build/client`` switched on, so no bun, node or npm is needed, nothing is
  downloaded and nothing is rebuilt; ``reflex run`` cannot do that (it always
  rebuilds in prod mode).
- a source checkout (no marker): ``reflex run --env prod --single-port``, exactly what
  ``make run`` always ran (it rebuilds the frontend with the venv's bun).

The built frontend has its backend address baked into one small asset
(``assets/reflex-env-*.js``: ``ws://localhost:3000/_event`` ...). The browser already
swaps ``localhost`` for the page's own host name (Reflex's ``getBackendURL``), but not
the port; :class:`EnvAsset` answers that asset with the port the browser reached us on
(from the Host header), so one build serves any ``--port`` and any proxy.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from dashboard import i18n
from dashboard.settings import REPO_ROOT

WEB_DIR = REPO_ROOT / ".web"
FRONTEND_DIR = WEB_DIR / "build" / "client"
BUNDLE_MARKER = WEB_DIR / "bundle.json"
# The address the bundle's frontend is built for (packaging/build_bundle.py sets REFLEX_API_URL to it).
BUILT_API_URL = "http://localhost:3000"
_BUILT_AUTHORITY = re.compile(r"(wss?|https?)://localhost:\d+")
APP_TARGET = "dashboard.ops.serve:asgi_app"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ServeError(Exception):
    """A reason not to start (bad option, missing build): the CLI prints it, exit 2."""


def prebuilt() -> dict[str, Any] | None:
    """The bundle's build record when this tree is an installed bundle, else None."""
    if not BUNDLE_MARKER.is_file():
        return None
    try:
        return json.loads(BUNDLE_MARKER.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def env_asset(frontend_dir: Path = FRONTEND_DIR) -> Path | None:
    """The built asset that holds the backend's address (one per build)."""
    found = sorted((frontend_dir / "assets").glob("reflex-env-*.js"))
    return found[0] if found else None


def rewrite_env(source: str, host_header: str) -> str:
    """The env asset with the port the browser used (none when it used the scheme's default)."""
    port = host_header.rsplit(":", 1)[1] if re.search(r":\d+$", host_header) else ""
    authority = "localhost" + (f":{port}" if port else "")
    return _BUILT_AUTHORITY.sub(lambda m: f"{m.group(1)}://{authority}", source)


class EnvAsset:
    """ASGI wrapper: answers the env asset for the port of each request, passes everything else on."""

    def __init__(self, app: ASGIApp, path: str, source: str) -> None:
        self.app, self.path, self.source = app, path, source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        body = rewrite_env(self.source, host).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/javascript; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-cache"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})


def asgi_app() -> ASGIApp:
    """Granian's factory in each worker: the Reflex app (no compile), the env asset answered per port."""
    from reflex.utils import prerequisites

    inner = prerequisites.get_app().app()
    asset = env_asset()
    if asset is None:
        return inner
    return EnvAsset(inner, f"/assets/{asset.name}", asset.read_text(encoding="utf-8"))


def _both_lines(key: str, **fmt: object) -> str:
    """A console message: the Chinese line, then the English one."""
    return "\n".join(i18n.both(key, **fmt))


def check_workers(workers: int | None, redis_url: str | None) -> None:
    if workers is None:
        return
    if workers < 1:
        raise ServeError(_both_lines("serve.workers_min"))
    if workers > 1 and not redis_url:
        raise ServeError(_both_lines("serve.workers_redis"))


def respawn_failed_workers() -> None:
    """Make Granian replace a worker that dies instead of stopping the whole server.

    Reflex starts Granian without ``respawn_failed_workers``, whose default is False: one
    worker killed (the OOM killer, a segfault in a C extension, ``kill -9``) made the
    supervisor stop every other worker too, and every tab went dark (the worker_kill drill,
    ``python -m dashboard.bench faults``). Reflex offers no setting for it, so the default
    is changed on the class, before Reflex builds its server; Granian's own crash-loop
    guard (a worker dying again within 5.5 s stops the server) stays. Idempotent.
    """
    from granian.server import common

    init = common.AbstractServer.__init__
    if getattr(init, "_dashboard_respawn", False):
        return

    def __init__(self: Any, *args: Any, respawn_failed_workers: bool = True, **kwargs: Any) -> None:
        init(self, *args, respawn_failed_workers=respawn_failed_workers, **kwargs)

    __init__._dashboard_respawn = True  # type: ignore[attr-defined]
    common.AbstractServer.__init__ = __init__  # type: ignore[method-assign]


def serve(port: int, host: str, workers: int | None, redis_url: str | None) -> int:
    """Start the server in the foreground; returns only when it stops."""
    check_workers(workers, redis_url)
    os.chdir(REPO_ROOT)  # Reflex finds rxconfig.py and .web/ in the working directory
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    if workers is not None:
        os.environ["GRANIAN_WORKERS"] = str(workers)
    if prebuilt() is not None:
        return _serve_prebuilt(port, host)
    return _serve_source(port, host)


def _serve_prebuilt(port: int, host: str) -> int:
    if not (FRONTEND_DIR / "index.html").is_file():
        raise ServeError(_both_lines("serve.no_frontend", path=FRONTEND_DIR))
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    from reflex.utils import exec as reflex_exec
    from reflex.utils import prerequisites

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    prerequisites.get_app()  # imported once in the supervisor: forked workers share its pages
    respawn_failed_workers()
    title, prebuilt_ = i18n.t("app.title", "zh"), " ".join(i18n.both("serve.prebuilt"))
    print(f"{title} http://{host}:{port}/ ({prebuilt_})", flush=True)
    reflex_exec.run_granian_backend_prod(
        host, port, get_config().loglevel.subprocess_level(), app_target=APP_TARGET
    )
    return 0


def _serve_source(port: int, host: str) -> int:
    """A source checkout: what ``make run`` always ran, with the venv's bun and node first on PATH."""
    bin_dir = Path(sys.executable).parent
    reflex = bin_dir / "reflex"
    if not reflex.exists():
        raise ServeError(_both_lines("serve.no_reflex", path=reflex))
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    args = [str(reflex), "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
    args += ["--backend-port", str(port), "--backend-host", host]
    sys.stdout.flush()
    os.execv(args[0], args)  # replaced: signals (Ctrl-C, systemd) reach reflex directly
    return 0  # not reached
