"""Live redraw: a cheap poll notices a new data version, whoever wrote it, and pushes it.

One poll per server process (a lifespan task), not one per viewer: every
POLL_SECONDS it reads ``storage.data_stamp`` (max version id, one indexed
query). When the stamp or the office date changes it refreshes every
board/language shared state that has viewers linked; Reflex fans the delta
out to each of them (through Redis when there are several workers). The
figures come from the process-level view cache, so they are built once per
version and language, however many people watch.

Several workers each run the poll; the second to arrive finds the shared
state already at the new stamp and leaves it alone.
"""

from __future__ import annotations

import asyncio
import logging
import time

import reflex as rx

from dashboard import i18n
from dashboard.state import views
from dashboard.state.board import FILTERED, Board, token_for

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# Idle states expire after an hour: touch linked viewers well before that.
HEARTBEAT_SECONDS = 600.0
WARM_DELAY_SECONDS = 1.0


async def refresh(app: rx.App, stamp: int, day: str, *, beat: bool = False) -> int:
    """Bring every linked board/language shared state to ``stamp``; returns how many changed.

    The stamp check comes before any work: with several workers polling, the
    first to take a state's lock builds and pushes the view, the others find
    it current and move on.
    """
    changed = 0
    targets = [(board, lang, token_for(board, lang), None) for board in views.BOARDS for lang in i18n.LANGS]
    targets += [(board, lang, ident, filters) for ident, (board, lang, filters) in list(FILTERED.items())]
    for board, lang, ident, filters in targets:
        token = rx.BaseStateToken(ident=ident, cls=Board)
        async with app.modify_state(token) as root:
            shared = await root.get_state(Board)
            if not shared._linked_from:
                continue
            if beat:
                shared.heartbeat += 1
            if (shared.stamp, shared.day) == (stamp, day):
                continue
            view = await asyncio.to_thread(views.CACHE.view, board, lang, stamp=stamp, filters=filters)
            if not shared._is_current(view):
                shared._apply(view)
                changed += 1
    return changed


async def warm(stamp: int) -> None:
    """Build the default language's views with nobody watching, so the next page load is quick."""
    for board in views.BOARDS:
        await asyncio.to_thread(views.CACHE.view, board, i18n.DEFAULT_LANG, stamp=stamp)


async def watch(app: rx.App) -> None:
    """The lifespan task: poll the data stamp and push new versions to open pages."""
    last: tuple[int, str] | None = None
    last_beat = time.monotonic()
    while True:
        try:
            stamp = await asyncio.to_thread(views.CACHE.stamp)
            key = (stamp, i18n.office_today().isoformat())
            beat = time.monotonic() - last_beat > HEARTBEAT_SECONDS
            if key != last or beat:
                changed = await refresh(app, *key, beat=beat)
                if key != last:
                    log.info("data stamp %s: %d board view(s) pushed", stamp, changed)
                    await asyncio.sleep(WARM_DELAY_SECONDS)  # pushes from other workers go first
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
