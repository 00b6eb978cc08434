"""Dashboard viewers without a browser: Reflex's own wire protocol over a plain websocket.

A browser tab running the production frontend (``.web/utils/state.js``) does
exactly this, and so does :class:`Viewer`, which lets a test or a benchmark
hold hundreds of open boards on two cores:

1. ``GET /_event/?EIO=4&transport=websocket&token=<tab token>`` upgraded to a
   websocket (subprotocol = the Reflex version; the session cookie rides in
   the handshake, where the server-side login check reads it);
2. Engine.IO ``0{...}`` (open) from the server; the client sends the Socket.IO
   CONNECT to the namespace ``/_event`` (socket.io-client takes it from the
   URL path) with ``{"event": hydrate_and_load}`` carrying the page path, so
   the server hydrates and runs the page's on_load (``Board.open``);
3. the server pushes ``42/_event,["event", {"delta": {state: {field: value}}}]``;
   Engine.IO pings ``2`` are answered ``3``.

A redraw is a delta that carries the board's ``stamp`` (the data version
the figures were built from). Only wsproto (a dependency of Reflex's
python-engineio) is needed: no aiohttp, no browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

STAMP = "stamp_rx_state_"
PID = "pid_rx_state_"
HYDRATE = "reflex___state____state.hydrate_and_load"
NS = "/_event,"


def _state_names() -> tuple[str, str]:
    """Full names of the board state and of the worker probe, as the server names them."""
    from dashboard.state.board import Board
    from dashboard.state.worker import WorkerInfo

    return Board.get_full_name(), WorkerInfo.get_full_name()


def _reflex_version() -> str:
    from reflex import constants

    return constants.Reflex.VERSION


class Viewer:
    """One open board page: connects, follows the board's stamp, answers pings."""

    def __init__(self, base_url: str, path: str = "/", cookie: str | None = None) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = path
        self.cookie = cookie
        self.token = str(uuid.uuid4())
        self.board_state, self.probe_state = _state_names()
        self.stamp = -1
        self.board: dict[str, Any] = {}  # the board's fields as last received (without the suffix)
        self.pid = 0
        self.seen: dict[int, float] = {}  # stamp -> time.monotonic() it first arrived
        self.received_bytes = 0
        self._changed = asyncio.Condition()
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        self._text: list[str] = []
        self._accepted = asyncio.Event()
        self.closed = False
        self.error: str = ""

    # -- connection ---------------------------------------------------------

    async def connect(self, timeout: float = 60) -> None:
        """Open the socket and send the page's hydrate; returns once the handshake is accepted."""
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port, limit=2**22)
        headers = [(b"cookie", self.cookie.encode())] if self.cookie else []
        target = f"/_event/?EIO=4&transport=websocket&token={self.token}"
        self._send_bytes(
            self._ws.send(
                Request(
                    host=f"{self.host}:{self.port}",
                    target=target,
                    subprotocols=[_reflex_version()],
                    extra_headers=headers,
                )
            )
        )
        self._task = asyncio.create_task(self._read_loop())
        await asyncio.wait_for(self._accepted.wait(), timeout)
        if self.error:
            raise ConnectionError(self.error)

    async def close(self) -> None:
        self.closed = True
        if self._writer is not None:
            with contextlib.suppress(Exception):  # already closing: nothing to report
                self._send_bytes(self._ws.send(CloseConnection(code=1000)))
            self._writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # -- waiting for what a user would see ------------------------------------

    async def wait_for(self, predicate: Any, timeout: float) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: predicate(self) or bool(self.error)), timeout
            )
        if self.error:
            raise ConnectionError(self.error)

    async def wait_drawn(self, timeout: float = 60) -> None:
        """Until the board has arrived (any stamp)."""
        await self.wait_for(lambda v: v.stamp >= 0, timeout)

    async def wait_stamp(self, stamp: int, timeout: float) -> float:
        """Until the board shows ``stamp`` or newer; returns when (time.monotonic()) it arrived."""
        await self.wait_for(lambda v: v.stamp >= stamp, timeout)
        return min(t for s, t in self.seen.items() if s >= stamp)

    async def identify(self, timeout: float = 30) -> int:
        """Ask the worker that holds this socket for its pid."""
        self.pid = 0
        self.emit(f"{self.probe_state}.identify")
        await self.wait_for(lambda v: v.pid != 0, timeout)
        return self.pid

    def emit(self, name: str, payload: dict | None = None) -> None:
        """Send an event, as the browser does (router data = this page)."""
        event = {"name": name, "payload": payload or {}, "router_data": self._router_data()}
        self._send_text("42" + NS + json.dumps(["event", event]))

    # -- protocol -------------------------------------------------------------

    def _router_data(self) -> dict[str, str]:
        return {"pathname": self.path, "asPath": self.path}

    def _send_bytes(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    def _send_text(self, text: str) -> None:
        self._send_bytes(self._ws.send(TextMessage(data=text)))

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                data = await self._reader.read(2**20)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.received_bytes += len(data)
                self._ws.receive_data(data)
                for event in self._ws.events():
                    await self._on_ws_event(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # reported to whoever waits
            if not self.closed:
                self.error = f"{type(exc).__name__}: {exc}"
            self._accepted.set()
            async with self._changed:
                self._changed.notify_all()

    async def _on_ws_event(self, event: object) -> None:
        if isinstance(event, AcceptConnection):
            return
        if isinstance(event, RejectConnection):
            raise ConnectionError(f"websocket refused: HTTP {event.status_code}")
        if isinstance(event, Ping):
            self._send_bytes(self._ws.send(event.response()))
        elif isinstance(event, CloseConnection):
            raise ConnectionError(f"websocket closed: {event.code} {event.reason}")
        elif isinstance(event, TextMessage):
            self._text.append(event.data)
            if event.message_finished:
                text, self._text = "".join(self._text), []
                await self._on_packet(text)

    async def _on_packet(self, text: str) -> None:
        kind = text[:1]
        if kind == "0":  # Engine.IO open: connect the namespace with the page's hydrate
            boot = {"name": HYDRATE, "payload": {}, "router_data": self._router_data()}
            self._send_text("40" + NS + json.dumps({"event": boot}))
        elif kind == "2":  # Engine.IO ping
            self._send_text("3")
        elif text.startswith("40" + NS):
            self._accepted.set()
        elif text.startswith("44"):
            raise ConnectionError(f"connect refused: {text[2:200]}")
        elif text.startswith("42" + NS):
            name, *args = json.loads(text[2 + len(NS) :])
            if name == "event" and args:
                self._apply(args[0].get("delta") or {})
                async with self._changed:
                    self._changed.notify_all()

    def _apply(self, delta: dict[str, dict[str, Any]]) -> None:
        now = time.monotonic()
        board = delta.get(self.board_state) or {}
        self.board.update({k.removesuffix("_rx_state_"): v for k, v in board.items()})
        if STAMP in board and isinstance(board[STAMP], int):
            self.stamp = board[STAMP]
            self.seen.setdefault(self.stamp, now)
        probe = delta.get(self.probe_state) or {}
        if PID in probe:
            self.pid = int(probe[PID])


async def open_viewers(
    base_url: str, paths: list[str], cookie: str | None, *, concurrency: int = 20, timeout: float = 120
) -> list[Viewer]:
    """Connect one viewer per path (at most ``concurrency`` handshakes at once) and wait until each drew."""
    gate = asyncio.Semaphore(concurrency)

    async def one(path: str) -> Viewer:
        async with gate:
            viewer = Viewer(base_url, path, cookie)
            await viewer.connect(timeout)
            await viewer.wait_drawn(timeout)
            return viewer

    return list(await asyncio.gather(*(one(p) for p in paths)))


async def close_all(viewers: list[Viewer]) -> None:
    await asyncio.gather(*(v.close() for v in viewers), return_exceptions=True)


def session_cookie(db_url: str, name: str = "bench-viewer") -> str:
    """A viewer account and a signed-in session on that database, as a Cookie header value.

    Every board needs a login: the cookie goes in each websocket handshake, as a
    browser's would after signing in.
    """
    from dashboard.accounts import auth
    from dashboard.store import storage

    engine = storage.make_engine(db_url)
    password = auth.random_password()  # a token_urlsafe one failed the password rules now and then
    if auth.get_user(engine, name) is None:
        auth.add_user(engine, name, "viewer", password, by="bench")
    else:
        auth.set_password(engine, name, password, by="bench")
    token = auth.login(engine, name, password)
    if token is None:
        raise RuntimeError("could not sign the benchmark viewer in")
    return f"{auth.SESSION_COOKIE}={token}"
