"""Live redraw: a cheap poll notices a new data version, whoever wrote it, and pushes it.

One poll per server process (a lifespan task), not one per viewer: every
POLL_SECONDS it reads ``storage.data_stamp`` (max version id, one indexed
query). When the stamp or the office date changes, it pushes the new view to
every tab of this process that shows a board (:data:`board.WATCHERS`), one
after the other. Each worker pushes to its own sockets, so with several
workers the fan-out runs in parallel and nothing crosses Redis but the tabs'
states. The
figures come from the process-level view cache: built once per version,
language and filters, however many people watch.
"""

from __future__ import annotations

import asyncio
import logging
import time

import reflex as rx
from reflex.constants import SocketEvent
from reflex.state import StateUpdate
from reflex_base.constants.state import FIELD_MARKER
from socketio import packet as socketio_packet

from dashboard import board as presenter
from dashboard import clock, i18n
from dashboard.accounts import auth
from dashboard.board import BoardView
from dashboard.state.auth import engine
from dashboard.state.board import MIRRORED, WATCHERS, Board

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# Idle states expire after an hour: touch watched tabs well before that.
HEARTBEAT_SECONDS = 600.0
WARM_DELAY_SECONDS = 1.0
# How often the watched tabs' sessions are checked with no new version (one query per worker):
# a tab left open past the idle expiry, or of an account just disabled, goes dark within this.
SESSION_CHECK_SECONDS = 5.0


def connected_here(app: rx.App, token: str) -> bool:
    """Whether the tab's socket is on this process (False once it has closed or moved).

    Reads Reflex's token manager (0.10): the records of this process carry its
    instance id. If that ever changes shape, every tab counts as connected:
    updates still reach every open tab (Reflex routes them), but closed tabs
    then stay on the list until a restart.
    """
    namespace = app.event_namespace
    manager = getattr(namespace, "_token_manager", None)
    sockets = getattr(manager, "token_to_socket", None)
    if namespace is None or sockets is None:
        return True
    record = sockets.get(token)
    return record is not None and getattr(record, "instance_id", None) == manager.instance_id


class Fanout:
    """One view's update, encoded once per set of fields that moved and sent to each tab as is.

    Reflex would build and JSON-encode the same delta again for every tab of the view (a large
    board is tens of KB per tab, several ms of one core each); here the first tab that needs a
    set of fields pays for its packet and the others reuse its bytes. The bytes go out through
    python-socketio's packet class and Engine.IO's ``send``, exactly as Reflex's own emit sends
    them; if either is not where Reflex 0.10 keeps it, :meth:`send` declines and Reflex sends
    the delta itself, as before.
    """

    def __init__(self, app: rx.App, view: BoardView) -> None:
        self.app = app
        self.view = view
        self.packets: dict[tuple[str, ...], str] = {}

    def _packet(self, names: tuple[str, ...]) -> str:
        packet = self.packets.get(names)
        if packet is None:
            fields = {name + FIELD_MARKER: getattr(self.view, name) for name in names}
            update = StateUpdate(delta={Board.get_full_name(): fields})
            sio = self.app.sio
            namespace = self.app.event_namespace.namespace  # type: ignore[union-attr]
            packet = sio.packet_class(  # type: ignore[union-attr]
                socketio_packet.EVENT, namespace=namespace, data=[str(SocketEvent.EVENT), update]
            ).encode()
            self.packets[names] = packet
        return packet

    async def send(self, token: str, tab: Board, names: list[str]) -> bool:
        """Send ``names`` of the view to the tab's socket; they then leave Reflex's delta (the state
        keeps them). False, with nothing sent, where the socket cannot be reached this way."""
        namespace = self.app.event_namespace
        sio = self.app.sio
        manager = getattr(namespace, "_token_manager", None)
        record = getattr(manager, "token_to_socket", {}).get(token)
        if namespace is None or sio is None or record is None:
            return False
        eio_sid = sio.manager.eio_sid_from_sid(record.sid, namespace.namespace)
        if eio_sid is None or isinstance(packet := self._packet(tuple(names)), list):
            return False  # not connected any more, or binary attachments: Reflex's emit handles it
        await sio.eio.send(eio_sid, packet)
        tab.dirty_vars.difference_update(names)
        return True


async def _push(app: rx.App, token: str, fanout: Fanout, beat: bool) -> bool:
    """Bring one tab to the fan-out's view if it still shows that board; True when it changed.

    Only the fields that differ from what the tab holds are set and sent, inside the tab's lock
    (so its own events and this push never cross), as the group's shared packet.
    """
    view = fanout.view
    if not connected_here(app, token):
        WATCHERS.forget(token)
        return False
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=Board)) as root:
        tab = await root.get_state(Board)
        if not tab.board and not tab.signed_out:
            # Its state was lost (Redis restarted empty, or expired) while the socket stayed open:
            # the watch list still says what it shows, so show that again rather than go quiet.
            # What the page holds is unknown: every field is sent.
            names = list(MIRRORED)
        else:
            if not tab._shows(view):  # moved on (its own open registered the new view)
                return False
            if beat:
                tab.heartbeat += 1
            if tab._is_current(view):
                return False
            names = tab._changes(view)
        tab._apply(view, names)
        if names:  # the heartbeat, failed and signed_out (tab's own values) stay in Reflex's delta
            await fanout.send(token, tab, names)
        return True


async def sign_out_ended(app: rx.App) -> int:
    """Tabs whose session ended (idle expiry, logout, account disabled or demoted): the poll stops
    pushing to them, and each still connected here is cleared and asked to sign in; returns how many.

    The board's own events check the session (``require``), but pushes come from this
    poll, not from the tab: without this a tab left open kept receiving every new
    version after its session had ended.
    """
    sessions = WATCHERS.sessions()
    if not sessions:
        return 0
    live = await asyncio.to_thread(auth.live_sessions, engine(), set(sessions.values()))
    ended = [token for token, session in sessions.items() if session not in live]
    for token in ended:
        WATCHERS.forget(token)
        if not connected_here(app, token):
            continue
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=Board)) as root:
                (await root.get_state(Board))._sign_out()
        except Exception as exc:  # one broken tab must not keep the others signed in
            log.warning("signing tab %s out failed: %r", token, exc)
    if ended:
        log.info("%d tab(s) signed out: their session ended", len(ended))
    return len(ended)


async def refresh(app: rx.App, stamp: int, *, beat: bool = False) -> int:
    """Bring every watched tab of this process to ``stamp``; returns how many changed.

    Tabs whose session has ended are signed out first: no new version reaches them.
    """
    await sign_out_ended(app)
    changed = 0
    groups = list(WATCHERS.groups().values())
    for (board, lang, filters), tokens in groups:
        try:
            view = await asyncio.to_thread(presenter.CACHE.view, board, lang, stamp=stamp, filters=filters)
        except Exception:
            log.exception("building the %s board failed", board)
            continue
        fanout = Fanout(app, view)
        for token in tokens:  # one after the other: the first tabs redraw first, none waits for all
            try:
                changed += await _push(app, token, fanout, beat)
            except Exception as exc:  # one broken tab must not keep the others old
                log.warning("pushing to tab %s failed: %r", token, exc)
    return changed


_seen: tuple[int, str] | None = None  # (stamp, office day) as the poll last read them


def seen() -> tuple[int, str] | None:
    """What this process's poll last read (None before its first reading): no query needed."""
    return _seen


async def warm(stamp: int) -> None:
    """Build the default language's views with nobody watching, so the next page load is quick."""
    for board in presenter.BOARDS:
        await asyncio.to_thread(presenter.CACHE.view, board, i18n.DEFAULT_LANG, stamp=stamp)


async def watch(app: rx.App) -> None:
    """The lifespan task: poll the data stamp and push new versions to open pages."""
    global _seen
    last: tuple[int, str] | None = None
    last_beat = last_check = time.monotonic()
    while True:
        try:
            if time.monotonic() - last_check > SESSION_CHECK_SECONDS:
                last_check = time.monotonic()
                await sign_out_ended(app)
            stamp = await asyncio.to_thread(presenter.CACHE.stamp)
            key = (stamp, clock.office_today().isoformat())
            _seen = key
            beat = time.monotonic() - last_beat > HEARTBEAT_SECONDS
            if key != last or beat:
                changed = await refresh(app, stamp, beat=beat)
                if key != last:
                    log.info("data stamp %s: %d tab(s) redrawn", stamp, changed)
                    await asyncio.sleep(WARM_DELAY_SECONDS)
                    await warm(stamp)
                last = key
                if beat:
                    last_beat = time.monotonic()
        except asyncio.CancelledError:
            raise
        except Exception:
            # The database may be migrating or briefly unreachable: keep polling.
            log.exception("live poll failed")
            await asyncio.sleep(2)
        await asyncio.sleep(POLL_SECONDS)
