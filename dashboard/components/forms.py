"""The frame of the pages that are a plain HTML form posted to our own routes (/login, /password).

Such a form is raw HTML (not a Reflex form, which would submit over the socket), so its labels
carry both languages and CSS shows the viewer's (``data-lang`` on the card): switching language
never re-creates the form and loses what was typed.
"""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import lang_toggle
from dashboard.components.text import label
from dashboard.i18n import t
from dashboard.state.prefs import Prefs


def both_html(key: str) -> str:
    """Both languages of a label as HTML spans; styles.css hides the one not chosen."""
    zh, en = t(key, "zh"), t(key, "en")
    return f'<span class="l-zh" lang="zh">{zh}</span><span class="l-en" lang="en">{en}</span>'


def form_card(page_id: str, title_key: str, *body: rx.Component, max_width: str) -> rx.Component:
    """A centred card: the page title with the language toggle, then ``body`` (notices, the form)."""
    return rx.center(
        rx.card(
            rx.flex(
                rx.flex(
                    rx.heading(label("app.title"), " · ", label(title_key), size="6", as_="h1"),
                    lang_toggle(page_id),
                    justify="between",
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                *body,
                direction="column",
                spacing="3",
            ),
            class_name="login-card",
            width="100%",
            max_width=max_width,
            data_lang=rx.cond(Prefs.is_en, "en", "zh"),
        ),
        min_height="80vh",
        padding="1rem",
    )
