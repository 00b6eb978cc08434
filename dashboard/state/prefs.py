"""The viewer's language: zh-CN by default, remembered by the browser (localStorage)."""

from __future__ import annotations

import json

import reflex as rx

from dashboard import i18n

# Catalogue keys the page chrome uses (nav, banners, headings); the board
# contents come translated inside the shared views.
UI_KEYS: tuple[str, ...] = tuple(
    k for k in i18n.CATALOGUE if k.startswith(("app.", "board.", "level.", "empty"))
)

# The pages that are not boards, by route: the catalogue key of their tab title. A board
# sets its own when it opens; these set theirs on load and when the language switches.
PAGE_TITLES: dict[str, str] = {
    "/login": "login.title",
    "/password": "password.title",
    "/upload": "nav.upload",
    "/history": "nav.history",
    "/audit": "nav.audit",
    "/users": "nav.users",
    "/report": "app.page.report",
    "/kiosk": "kiosk.title",
}


def valid_lang(lang: str | None) -> str:
    """A known language code; anything else (old or tampered storage) is zh."""
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


def page_title(key: str, lang: str) -> str:
    """'党建看板 · 上传' / 'Party-building dashboard · Upload'."""
    return f"{i18n.t('app.title', lang)} · {i18n.t(key, lang)}"


def document_script(title_key: str, lang: str) -> str:
    """Tab title and <html lang> in the viewer's language (lang also picks CJK glyph shapes)."""
    html_lang = "zh-CN" if lang == "zh" else lang
    title = json.dumps(page_title(title_key, lang))
    return f"document.title = {title}; document.documentElement.lang = {json.dumps(html_lang)};"


class Prefs(rx.State):
    """Per-browser preferences."""

    lang: str = rx.LocalStorage(i18n.DEFAULT_LANG, name="dashboard-lang")

    @rx.var
    def ui(self) -> dict[str, str]:
        """The page chrome's strings in the current language."""
        lang = valid_lang(self.lang)
        return {key: i18n.t(key, lang) for key in UI_KEYS}

    @rx.var
    def is_en(self) -> bool:
        return valid_lang(self.lang) == "en"

    def _path(self) -> str:
        return self.router.url.path.rstrip("/") or "/"

    @rx.event
    def retitle(self):  # noqa: ANN201 (Reflex event chain)
        """on_load of a page that is not a board: its tab title in the viewer's language."""
        key = PAGE_TITLES.get(self._path())
        return rx.call_script(document_script(key, valid_lang(self.lang))) if key else None

    @rx.event
    async def toggle_lang(self):  # noqa: ANN201 (Reflex event chain)
        """Switch zh <-> en, then redo what the page built in the old language.

        A board re-links to its view in the new language; the weekly report is
        built again; the staff pages only need their tab title (their labels
        carry both languages).
        """
        from dashboard.state.board import Board
        from dashboard.state.report import WeeklyReport

        self.lang = "zh" if valid_lang(self.lang) == "en" else "en"
        path = self._path()
        if path == "/report":
            return [Prefs.retitle, WeeklyReport.load]
        if path in PAGE_TITLES:
            return Prefs.retitle
        return Board.reopen
