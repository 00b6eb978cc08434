"""The per-worker view cache: each (board, language, filters) view built once per data version.

Keyed by ``(storage.data_stamp(engine), today)``: a new version from anywhere (the CLI in another
process, another worker) changes the stamp, and the next request or poll reads the rows that
changed and brings each view up to date once. A view notes which datasets it read
(``Snapshot.watched``); when none of them changed, the new version keeps it and only its stamp
and filter choices are renewed, so an upload of the demolition ledger rebuilds the overview and
the demolition board, not the elections board from 5,000 organisations. Every tab of this process
points at the same view object; it is deliberately not a Reflex SharedState (joining one re-sent
the whole state to every viewer).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from dashboard import clock, i18n
from dashboard.board.present import build_view, filter_labels, filter_options
from dashboard.board.snapshot import FrameStore, Signature, Snapshot, filtered, load_snapshot
from dashboard.board.views import BoardView
from dashboard.insights import Filters, Frames
from dashboard.settings import get_settings
from dashboard.store import columnar, rounds, storage


class ViewCache:
    """Views of the current data version, shared by every viewer of this process.

    One lock: the first request after a new version reads what changed and
    builds the view; concurrent requests wait for it instead of repeating it.
    """

    def __init__(self, engine_factory: Callable[[], Engine] = storage.make_engine) -> None:
        self._engine_factory = engine_factory
        self._lock = threading.Lock()
        self._url = ""
        self._store = FrameStore(_disk())
        self._snapshot: Snapshot | None = None
        self._views: dict[tuple[str, str, str], BoardView] = {}
        # Every view built since the day began, with what the datasets it read were then.
        self._built: dict[tuple[str, str, str], tuple[BoardView, Signature]] = {}
        self._options: tuple[dict[str, list[str]], list[str]] | None = None

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
            snap = self._current(engine, stamp, today)
            key = (board, lang, filters.key if filters is not None else "")
            if key not in self._views:
                self._views[key] = self._kept(key, snap) or self._build(key, snap, board, lang, filters)
            return self._views[key]

    def _current(self, engine: Engine, stamp: int, today: date) -> Snapshot:
        """The snapshot of ``stamp`` and ``today`` (the lock held): what changed is read, views reset."""
        if str(engine.url) != self._url:  # another database (tests): nothing carries over
            self._url, self._store, self._snapshot = str(engine.url), FrameStore(_disk()), None
            self._built = {}
        snap = self._snapshot
        stale = snap is None or snap.stamp != stamp or snap.today != today
        if stale or snap.rounds != rounds.stamp(engine):  # type: ignore[union-attr]
            if snap is not None and snap.today != today:
                self._built = {}  # time progress, deadlines and warnings move with the day
            snap = load_snapshot(engine, today, self._store)
            self._snapshot = snap
            self._views = {}
            self._options = None
        return snap

    def _kept(self, key: tuple[str, str, str], snap: Snapshot) -> BoardView | None:
        """The view built for an earlier version, if nothing it read has changed since (renewed stamp)."""
        old = self._built.get(key)
        if old is None:
            return None
        view, signature = old
        if snap.signature({name for name, *_ in signature}) != signature:
            return None
        if self._options is None:
            self._options = filter_options(snap.current)
        options, typed = self._options
        return dataclasses.replace(
            view,
            stamp=snap.stamp,
            version=snap.version,
            filter_options=options,
            filter_labels=filter_labels(options, view.lang),
            filter_typed=typed,
        )

    def _build(
        self, key: tuple[str, str, str], snap: Snapshot, board: str, lang: str, filters: Filters | None
    ) -> BoardView:
        def fresh() -> tuple[BoardView, frozenset[str] | None]:
            watched = snap.watched()
            view = build_view(watched, board, lang, filters)
            return view, frozenset(watched.reads) if watched.reads is not None else None

        # Each worker builds its own views: sharing them through Redis (one builder, the others
        # waiting for its result) made pushes slower on two cores, not faster (docs/reliability.md).
        view, reads = fresh()
        signature = snap.signature(set(reads or ()))
        if signature is not None:  # a filtered view reads everything: it is never kept
            self._built[key] = (view, signature)
        return view

    def frames(self, filters: Filters | None = None, *, today: date | None = None) -> Frames:
        """The current (optionally filtered) frames, for the rows behind a drill-down."""
        engine = self._engine_factory()
        stamp = storage.data_stamp(engine)
        today = today or clock.office_today()
        with self._lock:  # a new version: its changed rows read once, for the boards too
            snap = self._current(engine, stamp, today)
        return filtered(snap, filters).current


def _disk() -> Path:
    """Where this process keeps and finds versions' columnar copies: a restarted worker starts from
    them instead of every ledger row (settings are read now: tests change the data directory)."""
    return columnar.folder(get_settings().data_dir)


CACHE = ViewCache()
