"""A real HTTP server on 127.0.0.1 playing every group robot: it records what it receives.

Each path answers like its platform (``/wecom`` and ``/dingtalk``: errcode 0,
``/feishu``: code 0, ``/json``: 204). A test can queue other answers per path:
an HTTP status (500, 302), ``"hang"`` (no answer until the client gives up),
``"slow"`` (takes the message, answers after the client gave up), a JSON reply
(an error code), or ``(status, JSON reply)`` (飞书's 400 with its code).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

OK_REPLY: dict[str, Any] = {
    "wecom": {"errcode": 0, "errmsg": "ok"},
    "dingtalk": {"errcode": 0, "errmsg": "ok"},
    "feishu": {"code": 0, "msg": "success", "data": {}},
}


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes
    answered: Any

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.raw)


@dataclass
class Robots:
    url: str
    received: list[Received] = field(default_factory=list)
    script: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    hang_seconds: float = 3.0

    def address(self, kind: str, query: str = "") -> str:
        return f"{self.url}/{kind}{'?' + query if query else ''}"

    def then(self, kind: str, *answers: Any) -> None:
        """Queue the next answers of ``/kind``: 500, "hang", "slow", a JSON object, (400, object)."""
        self.script[kind].extend(answers)

    def of(self, kind: str, delivered: bool = True) -> list[Received]:
        """What ``/kind`` received (by default only the requests it accepted)."""
        taken = ("ok", "slow")  # "slow" took the message, only its answer came too late
        return [r for r in self.received if r.path == kind and (not delivered or r.answered in taken)]


def serve() -> tuple[ThreadingHTTPServer, Robots]:
    robots = Robots(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            kind = parts.path.strip("/").split("/")[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            queue = robots.script.get(kind)
            answer: Any = queue.popleft() if queue else "ok"
            robots.received.append(
                Received(
                    path=kind,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    raw=raw,
                    answered=answer,
                )
            )
            if answer == "hang":
                time.sleep(robots.hang_seconds)
                return
            status = 200
            if answer == "slow":
                time.sleep(robots.hang_seconds)
                answer = "ok"
            elif isinstance(answer, tuple):
                status, answer = answer
            if isinstance(answer, int):
                self.send_response(answer)
                self.end_headers()
                return
            reply = OK_REPLY.get(kind) if answer == "ok" else answer
            if reply is None:
                self.send_response(204)
                self.end_headers()
                return
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    robots.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, robots
