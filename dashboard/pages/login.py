"""/login: a plain HTML form posted to /api/login, so the session cookie can be HttpOnly."""

from __future__ import annotations

import reflex as rx

from dashboard.components.account import demo_mode_notice
from dashboard.state.auth import Login

FORM = """
<form method="post" action="/api/login" id="login-form" class="login-form" autocomplete="on">
  <input type="hidden" name="next" id="login-next" value="/">
  <label for="login-name">用户名 User name</label>
  <input id="login-name" name="name" autocomplete="username" required maxlength="100">
  <label for="login-password">密码 Password</label>
  <input id="login-password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" id="login-submit">登录 Sign in</button>
</form>
"""


def page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.flex(
                rx.heading("党建看板 · 登录", size="6", as_="h1"),
                demo_mode_notice(Login.demo_mode),
                rx.cond(
                    Login.failed,
                    rx.callout(
                        "登录失败：用户名或密码不正确，或连续失败次数过多已暂时锁定，请稍后再试。"
                        " Sign-in failed: wrong name or password, or locked for a while.",
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
        ),
        min_height="80vh",
        padding="1rem",
    )
