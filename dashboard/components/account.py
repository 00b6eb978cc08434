"""The signed-in user's corner of the header (staff links, sign-out) and the demo-mode notice.

Labels follow the page's language toggle (``Prefs.is_en``); the user name is
data and stays as entered (``.dv``).
"""

from __future__ import annotations

import reflex as rx

from dashboard.state.auth import Session
from dashboard.state.prefs import Prefs

ROLE_EN = {"viewer": "Viewer", "editor": "Staff", "admin": "Admin"}


def _logout_form(label: str) -> str:
    return (
        '<form method="post" action="/api/logout" style="display:inline">'
        f'<button type="submit" id="logout" class="logout-button">{label}</button></form>'
    )


def tr(zh: str, en: str) -> rx.Var:
    """A label in the viewer's language."""
    return rx.cond(Prefs.is_en, en, zh)


def staff_links() -> rx.Component:
    return rx.fragment(
        rx.cond(
            Session.is_editor,
            rx.link(tr("上传", "Upload"), href="/upload", id="nav-upload", class_name="nav-link"),
        ),
        rx.cond(
            Session.is_editor,
            rx.link(tr("历史", "History"), href="/history", id="nav-history", class_name="nav-link"),
        ),
        rx.cond(
            Session.is_admin,
            rx.link(tr("审计", "Audit"), href="/audit", id="nav-audit", class_name="nav-link"),
        ),
        rx.cond(
            Session.is_admin,
            rx.link(tr("账户", "Accounts"), href="/users", id="nav-users", class_name="nav-link"),
        ),
    )


def role_label() -> rx.Var:
    return rx.cond(
        Prefs.is_en,
        rx.match(Session.role, *ROLE_EN.items(), ""),
        Session.role_label,
    )


def account_bar() -> rx.Component:
    """Who is signed in and as what; links to the staff pages their role opens."""
    return rx.cond(
        Session.user != "",
        rx.flex(
            staff_links(),
            rx.text.span(
                rx.text.span(Session.user, class_name="dv"),
                " · ",
                role_label(),
                id="whoami",
                class_name="whoami",
                size="1",
            ),
            rx.cond(Prefs.is_en, rx.html(_logout_form("Sign out")), rx.html(_logout_form("退出"))),
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
            tr(
                "演示模式：演示账户和示例数据，请勿录入真实信息。",
                "Demo mode: demo accounts and sample data; do not enter real information.",
            ),
            icon="info",
            color_scheme="amber",
            size="1",
            id="demo-mode",
            class_name="demo-mode",
        ),
    )
