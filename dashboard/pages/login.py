"""/login: a plain HTML form posted to /api/login, so the session cookie can be HttpOnly.

The form is raw HTML (not a Reflex form, which would submit over the socket),
so its labels carry both languages and CSS shows the viewer's (``data-lang``
on the card): switching language never re-creates the form and loses what was typed.
"""

from __future__ import annotations

import reflex as rx

from dashboard.components.account import demo_mode_notice
from dashboard.components.layout import lang_toggle
from dashboard.components.text import label
from dashboard.i18n import t
from dashboard.state.auth import Login
from dashboard.state.prefs import Prefs


def _both(key: str) -> str:
    """Both languages of a label as HTML spans; styles.css hides the one not chosen."""
    zh, en = t(key, "zh"), t(key, "en")
    return f'<span class="l-zh" lang="zh">{zh}</span><span class="l-en" lang="en">{en}</span>'


FORM = f"""
<form method="post" action="/api/login" id="login-form" class="login-form" autocomplete="on">
  <input type="hidden" name="next" id="login-next" value="/">
  <label for="login-name">{_both("login.name")}</label>
  <input id="login-name" name="name" autocomplete="username" required maxlength="100">
  <label for="login-password">{_both("login.password")}</label>
  <input id="login-password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" id="login-submit">{_both("login.submit")}</button>
</form>
"""


def page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.flex(
                rx.flex(
                    rx.heading(label("app.title"), " · ", label("login.title"), size="6", as_="h1"),
                    lang_toggle("login"),
                    justify="between",
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                demo_mode_notice(Login.demo_mode),
                rx.cond(
                    Login.failed,
                    rx.callout(
                        label("login.failed"),
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        id="login-failed",
                    ),
                ),
                rx.html(FORM),
                direction="column",
                spacing="3",
            ),
            class_name="login-card",
            width="100%",
            max_width="24rem",
            data_lang=rx.cond(Prefs.is_en, "en", "zh"),
        ),
        min_height="80vh",
        padding="1rem",
    )
