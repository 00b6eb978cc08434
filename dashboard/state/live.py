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

from dashboard import board as presenter
from dashboard import clock, i18n
from dashboard.board import BoardView
from dashboard.state.board import WATCHERS, Board

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# Idle states expire after an hour: touch watched tabs well before that.
HEARTBEAT_SECONDS = 600.0
WARM_DELAY_SECONDS = 1.0


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


async def _push(app: rx.App, token: str, view: BoardView, beat: bool) -> bool:
    """Bring one tab to ``view`` if it still shows that board; True when it changed."""
    if not connected_here(app, token):
        WATCHERS.forget(token)
        return False
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=Board)) as root:
        tab = await root.get_state(Board)
        if not tab._shows(view):  # moved on (its own open registered the new view)
            return False
        if beat:
            tab.heartbeat += 1
        if tab._is_current(view):
            return False
        tab._apply(view)
        return True


async def refresh(app: rx.App, stamp: int, *, beat: bool = False) -> int:
    """Bring every watched tab of this process to ``stamp``; returns how many changed."""
    changed = 0
    for (board, lang, filters), tokens in WATCHERS.groups().values():
        try:
            view = await asyncio.to_thread(presenter.CACHE.view, board, lang, stamp=stamp, filters=filters)
        except Exception:
            log.exception("building the %s board failed", board)
            continue
        for token in tokens:  # one after the other: the first tabs redraw first, none waits for all
            try:
                changed += await _push(app, token, view, beat)
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
    last_beat = time.monotonic()
    while True:
        try:
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
