"""The viewer's language: zh-CN by default, remembered by the browser (localStorage)."""

from __future__ import annotations

import reflex as rx

from dashboard import i18n

# Catalogue keys the page chrome uses (nav, banners, headings); the board
# contents come translated inside the shared views.
UI_KEYS: tuple[str, ...] = tuple(
    k for k in i18n.CATALOGUE if k.startswith(("app.", "board.", "level.", "empty"))
)


def valid_lang(lang: str | None) -> str:
    """A known language code; anything else (old or tampered storage) is zh."""
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


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

    @rx.event
    async def toggle_lang(self):  # noqa: ANN201 (Reflex event chain)
        """Switch zh <-> en, then re-link the open board to the views in that language."""
        from dashboard.state.board import Board

        self.lang = "zh" if valid_lang(self.lang) == "en" else "en"
        return Board.reopen
