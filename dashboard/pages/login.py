"""/login: a plain HTML form posted to /api/login, so the session cookie can be HttpOnly.

Its frame and bilingual labels are :mod:`dashboard.components.forms`'s, as /password's are.
"""

from __future__ import annotations

import reflex as rx

from dashboard.components.account import demo_mode_notice
from dashboard.components.forms import both_html, form_card
from dashboard.components.text import label
from dashboard.state.auth import Login

FORM = f"""
<form method="post" action="/api/login" id="login-form" class="login-form" autocomplete="on">
  <input type="hidden" name="next" id="login-next" value="/">
  <label for="login-name">{both_html("login.name")}</label>
  <input id="login-name" name="name" autocomplete="username" required maxlength="100">
  <label for="login-password">{both_html("login.password")}</label>
  <input id="login-password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" id="login-submit">{both_html("login.submit")}</button>
</form>
"""


def page() -> rx.Component:
    return form_card(
        "login",
        "login.title",
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
        max_width="24rem",
    )
