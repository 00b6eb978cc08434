"""/report (周报) and /screen (wall screen) states, and the admin's kiosk links.

The report is per viewer (it is read, printed, closed); :mod:`dashboard.board.weekly`
assembles it (figures as the overview's, changes against the data of seven days ago).
The wall screen opens with a kiosk token instead of a session and has no event
that writes. Every CHECK_SECONDS it asks whether the data or the token changed: a new version redraws the wall
within about a second, like the boards, and a revoked link goes dark as fast.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx

from dashboard import board as presenter
from dashboard import clock, i18n, params
from dashboard.accounts import Role, kiosk
from dashboard.board import ChartCard, ChartView, KpiGroup, WarningRow, weekly_page
from dashboard.charts.common import dark_wall
from dashboard.charts.static import markup as static_markup
from dashboard.state import live
from dashboard.state.auth import client_address, require
from dashboard.state.prefs import Prefs, document_script, valid_lang
from dashboard.store import Actor, storage

SCREEN_BOARDS: tuple[str, ...] = presenter.BOARDS
SCREEN_SECONDS = 20
# A wall cannot scroll: the overview's most severe few warnings fit 1080 px under its five KPI
# groups (in English too, whose labels take two lines); a line says how many more are open.
SCREEN_WARNINGS = 3
SCREEN_CHARTS = 6  # two rows of three (WALL_CHART_HEIGHT)
CHECK_SECONDS = 1  # a wall is one socket: a cheap check a second is nothing next to a board's push


@dataclass
class ReportFigure:
    label: str = ""
    value: str = ""
    change: str = ""


class WeeklyReport(rx.State):
    """The weekly report for this viewer."""

    title: str = ""
    period: str = ""
    as_of: str = ""
    figures: list[ReportFigure] = rx.field(default_factory=list)
    summary: list[str] = rx.field(default_factory=list)
    uploads: list[str] = rx.field(default_factory=list)
    warnings: list[WarningRow] = rx.field(default_factory=list)
    charts: list[ChartView] = rx.field(default_factory=list)
    ready: bool = False

    @rx.event
    async def load(self):  # noqa: ANN201
        who = await require(self, Role.VIEWER)
        if who is None:
            return None
        lang = valid_lang((await self.get_state(Prefs)).lang)
        got = await asyncio.to_thread(weekly_page, lang, None, None, who.scope)
        self.title, self.period, self.summary, self.uploads = got.title, got.period, got.summary, got.uploads
        self.as_of = got.as_of
        self.figures = [ReportFigure(label=f.label, value=f.value, change=f.change) for f in got.figures]
        self.warnings, self.charts = got.warnings, got.charts
        self.ready = True
        return None


# ---------------------------------------------------------------------------
# wall screen


def screen_view(board: str, lang: str = i18n.DEFAULT_LANG) -> dict[str, Any]:
    """The masked board view a wall screen shows (views are masked for everyone already)."""
    view = presenter.CACHE.view(board, lang)
    warnings = view.warnings[:SCREEN_WARNINGS]
    hidden = view.warnings_red + view.warnings_yellow - len(warnings)  # all open ones, not only the listed
    return {
        "board_title": i18n.t(f"app.page.{board}", lang),
        "kpi_groups": view.kpi_groups,
        "warnings": warnings,
        "warnings_head": _warnings_head(board, view.warnings_red, view.warnings_yellow, lang),
        "warnings_more": i18n.t("app.more_rows", lang, n=hidden) if hidden > 0 else "",
        "charts": [_dark(c) for c in view.charts[:SCREEN_CHARTS]],
        "stamp": "; ".join(f"{f.dataset}{f.text}" for f in view.freshness[:1]),
    }


def _warnings_head(board: str, red: int, yellow: int, lang: str) -> str:
    """The warnings' heading with the open count per level: "预警与提醒 · 红色预警 13 · 黄色预警 11";
    "当前没有预警" on an overview without any, nothing on the other boards (they list none)."""
    if not red + yellow:
        return i18n.t("app.no_warnings", lang) if board == "overview" else ""
    counts = [
        f"{i18n.t(f'app.warnings.{level}', lang)} {n}" for level, n in (("red", red), ("yellow", yellow)) if n
    ]
    return " · ".join([i18n.t("app.section.warnings", lang), *counts])


def _dark(chart: ChartView) -> ChartCard:
    """A board's chart in the wall's dark theme, drawn on the server (a wall is looked at, not
    clicked: no drill, and no plotly figure sent)."""
    return ChartCard(id=chart.id, title=chart.title, static=static_markup(dark_wall(chart.figure)))


def _every(name: str, button: str, seconds: int) -> str:
    """JavaScript: click the hidden ``button`` every ``seconds``, one timer per page."""
    return (
        f"if (!window.{name}) {{ window.{name} = setInterval(() => "
        f"{{ const b = document.getElementById('{button}'); if (b) b.click(); }}, {seconds * 1000}); }}"
    )


async def _current() -> tuple[int, str]:
    """(data stamp, office day) as this process's live poll last read it; the database until then.

    A wall checks every second: it reuses the poll's reading instead of querying again.
    """
    return live.seen() or (await asyncio.to_thread(presenter.CACHE.stamp), clock.office_today().isoformat())


class Screen(rx.State):
    """The wall screen: opened by a kiosk token, rotating boards, read-only."""

    allowed: bool = False
    checked: bool = False
    index: int = 0
    seconds: int = SCREEN_SECONDS
    board_title: str = ""
    kpi_groups: list[KpiGroup] = rx.field(default_factory=list)
    warnings: list[WarningRow] = rx.field(default_factory=list)
    warnings_head: str = ""  # "预警与提醒 · 红色预警 13 · …" over the few shown ("" = none)
    warnings_more: str = ""  # "另有 N 条未显示" under them
    charts: list[ChartCard] = rx.field(default_factory=list)
    stamp: str = ""
    lang: str = i18n.DEFAULT_LANG
    _shown: tuple[int, str] = (-1, "")  # (data stamp, office day) of what the wall shows

    def _token_ok(self) -> bool:
        return kiosk.check(storage.make_engine(), self.router.url.query_parameters.get("k"))

    async def _show(self, key: tuple[int, str]) -> None:
        """Draw the current board and remember ``key`` (from :func:`_current`); nothing once revoked."""
        self.allowed = await asyncio.to_thread(self._token_ok)
        self.checked = True
        self._shown = key
        if not self.allowed:  # revoked: nothing stays on the wall
            self.kpi_groups, self.warnings, self.charts, self.board_title = [], [], [], ""
            self.warnings_head = self.warnings_more = ""
            return
        board = SCREEN_BOARDS[self.index % len(SCREEN_BOARDS)]
        got = await asyncio.to_thread(screen_view, board, self.lang)
        for name, value in got.items():
            setattr(self, name, value)

    @rx.event
    async def open(self):  # noqa: ANN201
        """Start the wall: ``s`` = seconds per board, ``lang`` = zh|en (else the browser's choice).

        A wall screen has no toggle to press, so its language rides in the link
        (the admin's page offers both); it is also remembered like a viewer's.
        """
        query = self.router.url.query_parameters
        asked_seconds = params.number(str(query.get("s") or ""))
        self.seconds = SCREEN_SECONDS if asked_seconds is None else max(5, min(300, asked_seconds))
        prefs = await self.get_state(Prefs)
        asked = str(query.get("lang") or "")
        if asked in i18n.LANGS:
            prefs.lang = asked
        self.lang = valid_lang(prefs.lang)
        self.index = 0
        await self._show(await _current())
        # One pair of timers per page: click the hidden "next" button every N seconds and
        # the hidden "check" button every CHECK_SECONDS.
        return rx.call_script(
            document_script("app.page.screen", self.lang)
            + _every("__screenTimer", "screen-next", self.seconds)
            + _every("__screenCheck", "screen-check", CHECK_SECONDS)
        )

    @rx.event
    async def check(self) -> None:
        """Redraw when a new data version (or a new office day) exists; go dark when revoked."""
        key = await _current()
        if key != self._shown or (self.allowed and not await asyncio.to_thread(self._token_ok)):
            await self._show(key)

    @rx.event
    async def next_board(self) -> None:
        self.index = (self.index + 1) % len(SCREEN_BOARDS)
        await self._show(await _current())


# ---------------------------------------------------------------------------
# admin: kiosk links


@dataclass
class KioskRow:
    id: str = ""
    label: str = ""
    created: str = ""
    status: str = ""  # in both languages: the toggle picks
    status_en: str = ""
    active: bool = True


class KioskAdmin(rx.State):
    """Create and revoke wall-screen links (admins only; checked on the server each time)."""

    rows: list[KioskRow] = rx.field(default_factory=list)
    new_link: str = ""  # the wall in Chinese; new_link_en the same wall in English
    new_link_en: str = ""
    label: str = ""

    def _load(self) -> None:
        def status(link: kiosk.KioskLink, lang: str) -> str:
            if link.active:
                return i18n.t("kiosk.active", lang)
            revoked = link.revoked_at
            return i18n.t("kiosk.revoked", lang, time=clock.office_time(revoked) if revoked else "")

        self.rows = [
            KioskRow(
                id=x.id,
                label=x.label,
                created=f"{clock.office_time(x.created_at)} · {x.created_by}",
                status=status(x, "zh"),
                status_en=status(x, "en"),
                active=x.active,
            )
            for x in reversed(kiosk.list_links(storage.make_engine()))
        ]

    @rx.event
    async def load(self) -> None:
        if await require(self, Role.ADMIN) is None:
            return
        self.new_link = self.new_link_en = ""
        self._load()

    @rx.event
    def set_label(self, value: str) -> None:
        self.label = value

    @rx.event
    async def create(self) -> None:
        who = await require(self, Role.ADMIN)
        if who is None:
            return
        token, _ = kiosk.create(storage.make_engine(), Actor(who.name, client_address(self)), self.label)
        origin = self.router.url.origin or ""
        # Both name their language: a wall's browser remembers the last one it was given.
        self.new_link = f"{origin}/screen?k={token}&lang=zh"
        self.new_link_en = f"{origin}/screen?k={token}&lang=en"
        self.label = ""
        self._load()

    @rx.event
    async def revoke(self, link_id: str) -> None:
        who = await require(self, Role.ADMIN)
        if who is None:
            return
        kiosk.revoke(storage.make_engine(), link_id, Actor(who.name, client_address(self)))
        self._load()
