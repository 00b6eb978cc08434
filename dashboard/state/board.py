"""The board a page shows: each viewer's tab holds the view of its board, language and filters.

The view is built once per data version in the process-level view cache
(:mod:`dashboard.board`); a tab's fields point at that view's objects, so with the
in-memory state manager a hundred viewers of one board hold one board's
figures. :data:`WATCHERS` remembers which tabs of this worker show which view,
and :mod:`dashboard.state.live` pushes a new version to exactly those tabs,
every worker to its own sockets, in parallel.

Not Reflex's SharedState, which this module used before: linking a viewer to
a shared state re-sent the whole board to every viewer already linked (100
leaders opening one board at a meeting meant ~5,000 full-board messages), and
one worker pushed every viewer's update through Redis. Tab states expire after
an hour idle (the live poll touches watched tabs well before); the database
stays the truth, and :meth:`Board.open` rebuilds a tab from it at any time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from collections.abc import Iterable

import reflex as rx

from dashboard import board as presenter
from dashboard.accounts import Role, audit, auth
from dashboard.board import (
    BoardView,
    BrandCard,
    ChartCard,
    ExpiryRow,
    Freshness,
    GridGroup,
    KpiGroup,
    MeetingRow,
    OrgLifeColumn,
    OrgLifeRow,
    OrgRow,
    Swatch,
    TaskRow,
    WarningRow,
)
from dashboard.insights import Filters
from dashboard.state import prefs
from dashboard.state.auth import client_address, engine, require
from dashboard.state.prefs import Prefs, valid_lang

log = logging.getLogger(__name__)


def document_script(board: str, lang: str) -> str:
    """Tab title and <html lang> of a board in the viewer's language."""
    return prefs.document_script(f"board.{board}", lang)


ViewKey = tuple[str, str, Filters]  # board, language, filters
# The view's fields a tab mirrors (Board declares each under the same name).
MIRRORED: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(BoardView) if f.name not in BoardView.SERVER_ONLY
)


class Watchers:
    """The tabs of this process by the view they show (a tab shows one view at a time).

    Filled by :meth:`Board.open` (which also runs again when a tab reconnects,
    possibly to another worker); emptied by :meth:`Board.leave` when the tab
    opens a page that is not a board, and by the live poll when its socket is
    gone.
    """

    def __init__(self) -> None:
        self._views: dict[str, ViewKey] = {}
        self._sessions: dict[str, str] = {}  # tab -> its session's hash (auth.session_key)
        self._lock = threading.Lock()

    def watch(self, token: str, key: ViewKey, session: str = "") -> None:
        with self._lock:
            self._views[token] = key
            self._sessions[token] = session

    def forget(self, token: str) -> None:
        with self._lock:
            self._views.pop(token, None)
            self._sessions.pop(token, None)

    def sessions(self) -> dict[str, str]:
        """Tab -> the session it was opened with: the live poll checks these before it pushes."""
        with self._lock:
            return dict(self._sessions)

    def groups(self) -> dict[tuple[str, str, str], tuple[ViewKey, list[str]]]:
        """(board, lang, filter key) -> (the view's key, the tabs showing it)."""
        out: dict[tuple[str, str, str], tuple[ViewKey, list[str]]] = {}
        with self._lock:
            for token, key in self._views.items():
                board, lang, filters = key
                out.setdefault((board, lang, filters.key), (key, []))[1].append(token)
        return out


WATCHERS = Watchers()


class Board(rx.State):
    """The view a tab shows; fields mirror :class:`presenter.BoardView`."""

    board: str = ""
    lang: str = ""
    stamp: int = -1
    version: str = ""
    day: str = ""
    demo: bool = False
    failed: bool = False
    heartbeat: int = 0  # bumped by the live poll so an idle viewer's state never expires
    signed_out: bool = False  # the session ended while the tab was open: data cleared, sign in again
    freshness: list[Freshness] = rx.field(default_factory=list)
    cards: list[ChartCard] = rx.field(default_factory=list)
    kpi_groups: list[KpiGroup] = rx.field(default_factory=list)
    org_headers: list[str] = rx.field(default_factory=list)
    orgs: list[OrgRow] = rx.field(default_factory=list)
    orgs_more: str = ""
    expiries: list[ExpiryRow] = rx.field(default_factory=list)
    expiries_more: str = ""
    brands: list[BrandCard] = rx.field(default_factory=list)
    brands_more: str = ""
    grid: list[GridGroup] = rx.field(default_factory=list)
    grid_legend: list[Swatch] = rx.field(default_factory=list)
    warnings: list[WarningRow] = rx.field(default_factory=list)
    warnings_more: str = ""
    warnings_red: int = 0
    warnings_yellow: int = 0
    warnings_all: str = ""
    task_headers: list[str] = rx.field(default_factory=list)
    overdue_tasks: list[TaskRow] = rx.field(default_factory=list)
    overdue_tasks_more: str = ""
    recent_tasks: list[TaskRow] = rx.field(default_factory=list)
    recent_tasks_more: str = ""
    dispatch_meetings: list[MeetingRow] = rx.field(default_factory=list)
    dispatch_meetings_more: str = ""
    filter_query: str = ""
    filter_options: dict[str, list[str]] = rx.field(default_factory=dict)
    filter_labels: dict[str, dict[str, str]] = rx.field(default_factory=dict)
    filter_values: dict[str, str] = rx.field(default_factory=dict)
    filter_typed: list[str] = rx.field(default_factory=list)
    org_life_columns: list[OrgLifeColumn] = rx.field(default_factory=list)
    org_life_rows: list[OrgLifeRow] = rx.field(default_factory=list)
    org_life_more: str = ""
    org_life_legend: list[Swatch] = rx.field(default_factory=list)
    # Not the view's: the overview's KPI cards this tab's filters leave unfiltered (marked so).
    unfiltered: list[str] = rx.field(default_factory=list)

    def _apply(self, view: BoardView, names: Iterable[str] | None = None) -> None:
        """Copy a computed view into this tab's state (only ``names`` of its fields, else all of them);
        Reflex sends what was set, so a field left alone costs nothing to encode, send or parse."""
        for name in MIRRORED if names is None else names:
            setattr(self, name, getattr(view, name))
        if names is None or self.failed:
            self.failed = False
        if names is None or self.signed_out:
            self.signed_out = False

    def _changes(self, view: BoardView) -> list[str]:
        """The view's fields whose value this tab does not hold (compared by value: a tab's state read
        back from Redis holds copies). A new version usually moves a few of them (stamp, version,
        freshness, the figures of the ledger uploaded), not the whole board."""
        return [name for name in MIRRORED if self.get_value(name) != getattr(view, name)]

    def _sign_out(self) -> None:
        """The session behind this tab ended (idle expiry, logout, account disabled): drop every
        figure it holds and ask for a sign-in; the live poll no longer pushes to it."""
        self.reset()
        self.signed_out = True

    def _shows(self, view: BoardView) -> bool:
        """Whether this tab shows that board, language and filters (at any version)."""
        return (self.board, self.lang, self.filter_query) == (view.board, view.lang, view.filter_query)

    def _is_current(self, view: BoardView) -> bool:
        return self._shows(view) and self.version == view.version

    @rx.event
    async def open(self, board: str):  # noqa: ANN201 (Reflex event chain)
        """Page load (and reconnect): show the board in the viewer's language and filters."""
        if board not in presenter.BOARDS:
            return None
        who = await require(self, Role.VIEWER)
        if who is None:  # a socket without a session sees no figures
            return None
        lang = valid_lang((await self.get_state(Prefs)).lang)
        # A link reproduces the view; the scope comes from the session, never from the link.
        filters = Filters.from_query(self.router.url.query_parameters, who.scope)
        if filters.asks_outside:  # shown empty all the same; the attempt is on record
            target = f"board {board} {filters.community}"
            await asyncio.to_thread(
                audit, engine(), "forbidden", user=who.name, ok=False, target=target,
                detail=f"scope {who.scope.text if who.scope else ''}", address=client_address(self),
            )  # fmt: skip
        session = auth.session_key(self.router.headers.cookie)
        WATCHERS.watch(self.router.session.client_token, (board, lang, filters), session)
        unfiltered = presenter.unfiltered_kpis(filters)
        if self.unfiltered != unfiltered:
            self.unfiltered = unfiltered
        try:
            view = await asyncio.to_thread(presenter.CACHE.view, board, lang, filters=filters)
        except Exception:
            log.exception("building the %s board failed", board)
            # Say so, and stay watched as this view: the next data version is pushed here.
            self.failed = True
            self.board, self.lang, self.filter_query = board, lang, filters.query_string()
            return None
        if not self._is_current(view):  # a reconnect holds the board it had: send what moved since
            self._apply(view, self._changes(view))
        return rx.call_script(document_script(board, lang))

    @rx.event
    def leave(self) -> None:
        """A page that is not a board opened in this tab: the live poll stops pushing boards to it."""
        WATCHERS.forget(self.router.session.client_token)

    @rx.event
    async def reopen(self):  # noqa: ANN201 (Reflex event chain)
        """After a language switch: open the same board again (in the new language)."""
        if self.board:
            return Board.open(self.board)
        return None
