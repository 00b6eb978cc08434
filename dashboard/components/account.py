"""The signed-in user's corner of the header (staff links, sign-out) and the demo-mode notice.

Labels come from the catalogue and follow the page's language toggle
(``Prefs.is_en``); the user name is data and stays as entered (``.dv``).
"""

from __future__ import annotations

import reflex as rx

from dashboard import i18n
from dashboard.components.text import label
from dashboard.data.auth import Role
from dashboard.state.auth import Session
from dashboard.state.prefs import Prefs


def _logout_form(text: str) -> str:
    return (
        '<form method="post" action="/api/logout" style="display:inline">'
        f'<button type="submit" id="logout" class="logout-button">{text}</button></form>'
    )


def staff_links() -> rx.Component:
    return rx.fragment(
        rx.cond(
            Session.is_editor,
            rx.link(label("nav.upload"), href="/upload", id="nav-upload", class_name="nav-link"),
        ),
        rx.cond(
            Session.is_editor,
            rx.link(label("nav.history"), href="/history", id="nav-history", class_name="nav-link"),
        ),
        rx.cond(
            Session.is_admin,
            rx.link(label("nav.audit"), href="/audit", id="nav-audit", class_name="nav-link"),
        ),
        rx.cond(
            Session.is_admin,
            rx.link(label("nav.users"), href="/users", id="nav-users", class_name="nav-link"),
        ),
    )


def role_label(role: rx.Var = Session.role) -> rx.Var:
    """A role code ("editor") as its label in the viewer's language."""
    return rx.match(role, *((r.value, label(f"role.{r.value}")) for r in Role), "")


def account_bar() -> rx.Component:
    """Who is signed in and as what; links to the staff pages their role opens."""
    sign_out = {lang: rx.html(_logout_form(i18n.t("nav.sign_out", lang))) for lang in i18n.LANGS}
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
            rx.cond(Prefs.is_en, sign_out["en"], sign_out["zh"]),
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
            label("nav.demo_mode"),
            icon="info",
            color_scheme="amber",
            size="1",
            id="demo-mode",
            class_name="demo-mode",
        ),
    )
