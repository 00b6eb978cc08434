"""/password: a new password, as a plain HTML form posted to /api/password (like /login).

An account an admin created or reset, or whose password expired, lands here after
sign-in and every other page sends it back here until it has chosen its own.
"""

from __future__ import annotations

import reflex as rx

from dashboard.components.forms import both_html, form_card
from dashboard.components.text import label
from dashboard.state.auth import PASSWORD_ERRORS, PasswordChange

FORM = f"""
<form method="post" action="/api/password" id="password-form" class="login-form" autocomplete="off">
  <input type="hidden" name="next" id="password-next" value="/">
  <label for="password-current">{both_html("password.current")}</label>
  <input id="password-current" name="current" type="password" autocomplete="current-password" required>
  <label for="password-new">{both_html("password.new")}</label>
  <input id="password-new" name="new" type="password" autocomplete="new-password" required minlength="8">
  <label for="password-again">{both_html("password.again")}</label>
  <input id="password-again" name="again" type="password" autocomplete="new-password" required minlength="8">
  <button type="submit" id="password-submit">{both_html("password.submit")}</button>
</form>
"""


def page() -> rx.Component:
    return form_card(
        "password",
        "password.title",
        rx.cond(
            PasswordChange.forced,
            rx.callout(
                label("password.forced"),
                icon="key-round",
                color_scheme="amber",
                size="1",
                id="password-forced",
            ),
        ),
        rx.match(
            PasswordChange.failed,
            *(
                (
                    code,
                    rx.callout(
                        label(f"password.error.{code}"),
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        id="password-failed",
                    ),
                )
                for code in PASSWORD_ERRORS
            ),
            rx.fragment(),
        ),
        rx.text(label("password.rules"), size="1", color_scheme="gray", id="password-rules"),
        rx.html(FORM),
        max_width="26rem",
    )
