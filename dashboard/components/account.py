"""The signed-in user's corner of the header (staff links, sign-out) and the demo-mode notice.

Labels come from the catalogue and follow the page's language toggle
(``Prefs.is_en``); the user name is data and stays as entered (``.dv``).
"""

from __future__ import annotations

import reflex as rx

from dashboard import i18n
from dashboard.accounts import Role
from dashboard.components import site
from dashboard.components.text import label, pick
from dashboard.state.auth import Session
from dashboard.state.prefs import Prefs


def _logout_form(text: str) -> str:
    return (
        '<form method="post" action="/api/logout" style="display:inline">'
        f'<button type="submit" id="logout" class="logout-button">{text}</button></form>'
    )


def may_open(page: str) -> rx.Var:
    """Whether the signed-in role opens ``page`` (an id of the page table), as the page shows it."""
    return site.shown_to(site.BY_ID[page].role)


def staff_links(current: str = "") -> rx.Component:
    """The weekly report for everyone, then the pages each role opens; ``current`` is marked."""

    def link(page: site.Page) -> rx.Component:
        active = page.id == current
        return rx.link(
            label(page.link_label),
            href=page.route,
            id=f"nav-{page.id}",
            class_name="nav-link active" if active else "nav-link",
            aria_current="page" if active else None,
            underline="none",
        )

    return rx.fragment(*(rx.cond(site.shown_to(p.role), link(p)) for p in site.staff_pages()))


def role_label(role: rx.Var = Session.role) -> rx.Var:
    """A role code ("editor") as its label in the viewer's language."""
    return rx.match(role, *((r.value, label(f"role.{r.value}")) for r in Role), "")


def scope_label() -> rx.Component:
    """A scoped account's scope beside its name: its boards hold that scope alone."""
    scope = rx.text.span(" · ", pick(Session.scope, Session.scope_en), id="whoami-scope")
    return rx.cond(Session.scope != "", scope)


def account_bar(current: str = "") -> rx.Component:
    """Who is signed in and as what; links to the pages their role opens, and to a new password."""
    sign_out = {lang: rx.html(_logout_form(i18n.t("nav.sign_out", lang))) for lang in i18n.LANGS}
    return rx.cond(
        Session.user != "",
        rx.flex(
            staff_links(current),
            rx.link(  # the name opens /password: a new password whenever its owner wants one
                rx.text.span(
                    rx.text.span(Session.user, class_name="dv"),
                    " · ",
                    role_label(),
                    scope_label(),
                    id="whoami",
                    class_name="whoami",
                    size="1",
                ),
                href="/password",
                id="nav-password",
                title=rx.cond(Prefs.is_en, i18n.t("nav.password", "en"), i18n.t("nav.password", "zh")),
                underline="none",
                color="inherit",
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
