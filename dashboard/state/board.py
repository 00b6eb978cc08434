"""The board a page shows: one shared state per (board, language), linked by every viewer.

Every client viewing /demolition in Chinese links :class:`Board` to the token
``demolition-zh``; the figures live once in that shared state and a change
made there (by :mod:`dashboard.state.live` when a new data version appears)
is pushed to every linked client. Shared state is only a cache: it expires
after an hour idle, and :meth:`Board.open` refills it from the
process-level view cache (the database is the truth) whenever its stamp is
not the current one.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from dashboard.data.auth import Role
from dashboard.data.filters import Filters
from dashboard.state import prefs, views
from dashboard.state.auth import require
from dashboard.state.prefs import Prefs, valid_lang
from dashboard.state.views import (
    BoardView,
    BrandCard,
    ChartView,
    ExpiryRow,
    Freshness,
    GridGroup,
    KpiGroup,
    OrgRow,
    Swatch,
    WarningRow,
)

log = logging.getLogger(__name__)


def document_script(board: str, lang: str) -> str:
    """Tab title and <html lang> of a board in the viewer's language."""
    return prefs.document_script(f"board.{board}", lang)


# Filtered views this process has linked viewers to (token -> board, language, filters), so
# the live poll refreshes them as well as the whole-board ones.
FILTERED: dict[str, tuple[str, str, Filters]] = {}
MAX_FILTERED = 200


def token_for(board: str, lang: str) -> str:
    """The shared token of a board in a language (tokens may not contain "_")."""
    return f"{board}-{lang}"


class Board(rx.SharedState):
    """A board's view; fields mirror :class:`views.BoardView`."""

    board: str = ""
    lang: str = ""
    stamp: int = -1
    version: str = ""
    day: str = ""
    demo: bool = False
    failed: bool = False
    heartbeat: int = 0  # bumped by the live poll so idle viewers' states never expire
    freshness: list[Freshness] = rx.field(default_factory=list)
    charts: list[ChartView] = rx.field(default_factory=list)
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
    filter_query: str = ""
    filter_options: dict[str, list[str]] = rx.field(default_factory=dict)
    filter_values: dict[str, str] = rx.field(default_factory=dict)
    filter_typed: list[str] = rx.field(default_factory=list)

    def _apply(self, view: BoardView) -> None:
        """Copy a computed view into this (shared) state; Reflex pushes the delta."""
        self.board = view.board
        self.lang = view.lang
        self.stamp = view.stamp
        self.version = view.version
        self.day = view.day
        self.demo = view.demo
        self.failed = False
        self.freshness = view.freshness
        self.charts = view.charts
        self.kpi_groups = view.kpi_groups
        self.org_headers = view.org_headers
        self.orgs = view.orgs
        self.orgs_more = view.orgs_more
        self.expiries = view.expiries
        self.expiries_more = view.expiries_more
        self.brands = view.brands
        self.brands_more = view.brands_more
        self.grid = view.grid
        self.grid_legend = view.grid_legend
        self.warnings = view.warnings
        self.warnings_more = view.warnings_more
        self.filter_query = view.filter_query
        self.filter_options = view.filter_options
        self.filter_values = view.filter_values
        self.filter_typed = view.filter_typed

    def _is_current(self, view: BoardView) -> bool:
        return (self.board, self.lang, self.version) == (view.board, view.lang, view.version)

    @rx.event
    async def open(self, board: str):  # noqa: ANN201 (Reflex event chain)
        """Page load: link to the board's shared view in the viewer's language, fill it if stale."""
        if board not in views.BOARDS:
            return None
        if await require(self, Role.VIEWER) is None:  # a socket without a session sees no figures
            return None
        lang = valid_lang((await self.get_state(Prefs)).lang)
        filters = Filters.from_query(self.router.url.query_parameters)  # a link reproduces the view
        token = token_for(board, lang) + (f"-f{filters.key}" if filters.key else "")
        if filters.key:
            FILTERED[token] = (board, lang, filters)
            while len(FILTERED) > MAX_FILTERED:  # oldest first; their viewers still reload fine
                FILTERED.pop(next(iter(FILTERED)))
        linked = await self._link_to(token)
        try:
            view = await asyncio.to_thread(views.CACHE.view, board, lang, filters=filters)
        except Exception:
            log.exception("building the %s board failed", board)
            linked.failed = True
            return None
        if not linked._is_current(view):
            linked._apply(view)
        return rx.call_script(document_script(board, lang))

    @rx.event
    async def reopen(self):  # noqa: ANN201 (Reflex event chain)
        """After a language switch: open the same board again (in the new language)."""
        if self.board:
            return Board.open(self.board)
        return None
