"""The viewer's language: zh-CN by default, remembered by the browser (localStorage)."""

from __future__ import annotations

import json

import reflex as rx

from dashboard import i18n

# Catalogue keys the page chrome uses (nav, banners, headings); the board
# contents come translated inside the board views.
UI_KEYS: tuple[str, ...] = tuple(
    k for k in i18n.CATALOGUE if k.startswith(("app.", "board.", "level.", "empty"))
)

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

    @rx.event
    def retitle(self, key: str):  # noqa: ANN201 (Reflex event chain)
        """The tab title (catalogue ``key``) in the viewer's language; pages that are not boards."""
        return rx.call_script(document_script(key, valid_lang(self.lang)))

    @rx.event
    def toggle_lang(self) -> None:
        """Switch zh <-> en. The toggle's button then runs what its page declares it redoes
        (:func:`dashboard.components.site.after_lang_switch`); this state knows no page."""
        self.lang = "zh" if valid_lang(self.lang) == "en" else "en"
