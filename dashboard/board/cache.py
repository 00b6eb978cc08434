"""The per-worker view cache: each (board, language, filters) view built once per data version.

Keyed by ``(storage.data_stamp(engine), today)``: a new version from anywhere (the CLI in another
process, another worker) changes the stamp, and the next request or poll reads the dataset that
changed and builds each view once. Every tab of this process points at the same view object; it
is deliberately not a Reflex SharedState (joining one re-sent the whole state to every viewer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from dashboard import clock, i18n
from dashboard.board.present import build_view
from dashboard.board.snapshot import FrameStore, Snapshot, filtered, load_snapshot
from dashboard.board.views import BoardView
from dashboard.insights import Filters, Frames
from dashboard.store import rounds, storage


class ViewCache:
    """Views of the current data version, shared by every viewer of this process.

    One lock: the first request after a new version reads what changed and
    builds the view; concurrent requests wait for it instead of repeating it.
    """

    def __init__(self, engine_factory: Callable[[], Engine] = storage.make_engine) -> None:
        self._engine_factory = engine_factory
        self._lock = threading.Lock()
        self._url = ""
        self._store = FrameStore()
        self._snapshot: Snapshot | None = None
        self._views: dict[tuple[str, str, str], BoardView] = {}

    def stamp(self) -> int:
        """The cheap "has anything changed" query (max version id)."""
        return storage.data_stamp(self._engine_factory())

    def view(
        self,
        board: str,
        lang: str,
        *,
        stamp: int | None = None,
        today: date | None = None,
        filters: Filters | None = None,
    ) -> BoardView:
        """The board's view for the data as it is now (``stamp``: as just polled), optionally filtered."""
        lang = lang if lang in i18n.LANGS else i18n.DEFAULT_LANG
        engine = self._engine_factory()
        stamp = storage.data_stamp(engine) if stamp is None else stamp
        today = today or clock.office_today()
        with self._lock:
            if str(engine.url) != self._url:  # another database (tests): nothing carries over
                self._url, self._store, self._snapshot = str(engine.url), FrameStore(), None
            snap = self._snapshot
            stale = snap is None or snap.stamp != stamp or snap.today != today
            if stale or snap.rounds != rounds.stamp(engine):  # type: ignore[union-attr]
                snap = load_snapshot(engine, today, self._store)
                self._snapshot = snap
                self._views = {}
            key = (board, lang, filters.key if filters is not None else "")
            if key not in self._views:
                self._views[key] = build_view(snap, board, lang, filters)
            return self._views[key]

    def frames(self, filters: Filters | None = None, *, today: date | None = None) -> Frames:
        """The current (optionally filtered) frames, for the rows behind a drill-down."""
        engine = self._engine_factory()
        today = today or clock.office_today()
        with self._lock:
            snap = self._snapshot
            if snap is None or str(engine.url) != self._url or snap.stamp != storage.data_stamp(engine):
                snap = None
        if snap is None:
            snap = load_snapshot(engine, today)
        return filtered(snap, filters).current


CACHE = ViewCache()
