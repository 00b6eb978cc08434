"""/history/<dataset>/<version> (editor, admin): what a version changed, or two versions compared
(``/history/<dataset>/<v1>..<v2>``); /property/<id> (every board reader): one property's file.

Thin: the board builds both pages in both languages (:mod:`dashboard.board.versions`); a handler
checks the role, reads the route from the URL, and keeps what the board built. 户主 is masked for
every role but admin.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import unquote

import reflex as rx

from dashboard.accounts import Role
from dashboard.board import versions
from dashboard.state.auth import engine, require
from dashboard.state.history import corrections_both


def _route_parts(state: rx.State) -> list[str]:
    """The path's parts after the page's own prefix ('/history/demolition/3' -> [..., '3'])."""
    return [unquote(p) for p in (state.router.url.path or "").strip("/").split("/")]


class VersionPage(rx.State):
    found: bool = False
    loaded: bool = False
    # Texts are kept in both languages (``x`` and ``x_en``): the toggle just picks.
    heading: str = ""
    heading_en: str = ""
    summary: str = ""
    summary_en: str = ""
    corrections: str = ""
    corrections_en: str = ""
    key_header: str = ""
    key_header_en: str = ""
    facts: list[dict[str, str]] = rx.field(default_factory=list)
    changes: list[dict[str, str]] = rx.field(default_factory=list)
    changes_more: str = ""
    changes_more_en: str = ""
    added_headers: list[str] = rx.field(default_factory=list)
    added_headers_en: list[str] = rx.field(default_factory=list)
    added_rows: list[list[str]] = rx.field(default_factory=list)
    added_more: str = ""
    added_more_en: str = ""
    removed_headers: list[str] = rx.field(default_factory=list)
    removed_headers_en: list[str] = rx.field(default_factory=list)
    removed_rows: list[list[str]] = rx.field(default_factory=list)
    removed_more: str = ""
    removed_more_en: str = ""
    nothing: bool = False
    csv_href: str = ""
    xlsx_href: str = ""
    previous_href: str = ""
    next_href: str = ""
    latest_href: str = ""
    dataset: str = ""
    shown_version: str = ""
    numbers: list[str] = rx.field(default_factory=list)  # the dataset's other versions

    def _keep(self, page: dict[str, Any]) -> None:
        info = page.pop("info")
        self.corrections, self.corrections_en = corrections_both(info)
        for name, value in page.items():
            setattr(self, name, value)

    @rx.event
    async def load(self) -> None:
        self.found, self.loaded = False, False
        who = await require(self, Role.EDITOR)
        parts = _route_parts(self)
        if who is None or len(parts) != 3:
            self.loaded = True
            return
        page = await asyncio.to_thread(
            versions.version_page, engine(), parts[1], parts[2], mask=not who.is_admin, scope=who.scope
        )
        if page is not None:
            self._keep(page)
            self.found = True
        self.loaded = True

    @rx.event
    def compare_with(self, number: str):  # noqa: ANN201
        """Open ``/history/<dataset>/<number>..<this version>`` (a version of this dataset only)."""
        if number not in self.numbers or not self.shown_version:
            return None
        return rx.call_script(
            f"window.location.assign({json.dumps(f'/history/{self.dataset}/{number}..{self.shown_version}')})"
        )


class PropertyPage(rx.State):
    found: bool = False
    loaded: bool = False
    shown_id: str = ""
    heading: str = ""
    heading_en: str = ""
    current: bool = False
    key_household: bool = False
    note: str = ""
    fields: list[dict[str, str]] = rx.field(default_factory=list)
    timeline: list[dict[str, str]] = rx.field(default_factory=list)

    @rx.event
    async def load(self) -> None:
        self.found, self.loaded = False, False
        who = await require(self, Role.VIEWER)
        parts = _route_parts(self)
        self.shown_id = parts[-1] if len(parts) == 2 else ""
        if who is None or not self.shown_id:
            self.loaded = True
            return
        page = await asyncio.to_thread(
            versions.property_page, engine(), self.shown_id, mask=not who.is_admin, scope=who.scope
        )
        if page is not None:
            for name, value in page.items():
                setattr(self, name, value)
            self.found = True
        self.loaded = True
