"""The signed-in user's corner of the header (staff links, sign-out) and the demo-mode notice."""

from __future__ import annotations

import reflex as rx

from dashboard.state.auth import Session

LOGOUT_FORM = (
    '<form method="post" action="/api/logout" style="display:inline">'
    '<button type="submit" id="logout" class="logout-button">退出 Sign out</button></form>'
)


def staff_links() -> rx.Component:
    return rx.fragment(
        rx.cond(Session.is_editor, rx.link("上传", href="/upload", id="nav-upload", class_name="nav-link")),
        rx.cond(Session.is_editor, rx.link("历史", href="/history", id="nav-history", class_name="nav-link")),
        rx.cond(Session.is_admin, rx.link("审计", href="/audit", id="nav-audit", class_name="nav-link")),
    )


def account_bar() -> rx.Component:
    """Who is signed in and as what; links to the staff pages their role opens."""
    return rx.cond(
        Session.user != "",
        rx.flex(
            staff_links(),
            rx.text.span(Session.user, " · ", Session.role_label, id="whoami", class_name="whoami", size="1"),
            rx.html(LOGOUT_FORM),
            class_name="account-bar",
            align="center",
            spacing="2",
            wrap="wrap",
        ),
    )


def demo_mode_notice(flag: rx.Var = Session.demo_mode) -> rx.Component:
    """Shown on every page while DASHBOARD_DEMO=1: demo accounts exist, do not enter real data."""
    return rx.cond(
        flag,
        rx.callout(
            "演示模式：使用演示账户和示例数据，请勿录入真实信息。Demo mode: demo accounts and sample data.",
            icon="info",
            color_scheme="amber",
            size="1",
            id="demo-mode",
            class_name="demo-mode",
        ),
    )
