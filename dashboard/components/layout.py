"""The page frame: header with nav and language toggle, demo banner, "数据截至" lines.

Every page is ``page(board, *content)``; the frame knows nothing about a
board's contents. All text comes from ``Prefs.ui`` (page chrome) or from the
shared board view (contents), so the language toggle switches both.
"""

from __future__ import annotations

import reflex as rx

from dashboard import i18n
from dashboard.board import Freshness
from dashboard.components import site
from dashboard.components.account import account_bar, demo_mode_notice
from dashboard.state.auth import Session
from dashboard.state.board import Board
from dashboard.state.prefs import Prefs


def ui(key: str) -> rx.Var:
    """A page-chrome string in the viewer's language."""
    return Prefs.ui[key]


def data_value(text: rx.Var | str, **props: object) -> rx.Component:
    """Text that is data, not a label (names, brands): it stays as entered in every language."""
    return rx.text.span(text, class_name="dv", **props)


def scroll_table(*children: rx.Component, **props: object) -> rx.Component:
    """Every wide table of the app (the boards' lists, the drill-down, the staff pages' tables).

    On a narrow screen its cells keep one line and the table scrolls sideways inside its own
    box (Radix's table root is a scroll area), never the page. Without this a 9-column table on
    a 375 px phone squeezed each Chinese column to a character a line: /tasks was 8,670 px tall.
    A long text cell (``class_name="wrap-cell"``) still wraps, at a readable width.
    """
    props.setdefault("size", "1")
    props.setdefault("variant", "surface")
    extra = props.pop("class_name", "")
    return rx.table.root(*children, class_name=f"scroll-table {extra}".strip(), **props)


def nav_link(page: site.Page, current: str) -> rx.Component:
    active = page.id == current
    return rx.link(
        ui(page.link_label),
        href=page.route,
        class_name="nav-link active" if active else "nav-link",
        aria_current="page" if active else None,
        underline="none",
        id=f"nav-{page.id}",
    )


def lang_toggle(current: str) -> rx.Component:
    """The zh/en switch; it names the other language in that language, then redoes what
    page ``current`` declares it redoes in the new language."""
    return rx.button(
        rx.icon("languages", size=16),
        rx.cond(
            Prefs.is_en,
            rx.text.span(i18n.t("lang.self", "zh"), lang="zh"),
            rx.text.span(i18n.t("lang.self", "en"), lang="en"),
        ),
        on_click=[Prefs.toggle_lang, *site.after_lang_switch(current)],
        variant="soft",
        size="2",
        id="lang-toggle",
        class_name="lang-toggle",
    )


def header(current: str) -> rx.Component:
    return rx.el.header(
        rx.flex(
            rx.link(
                rx.heading(ui("app.title"), size="5", weight="bold", class_name="brand"),
                href="/",
                underline="none",
            ),
            rx.cond(  # the auditor sees no board, so no link to one
                Session.sees_boards,
                rx.flex(*(nav_link(p, current) for p in site.board_pages()), class_name="nav", wrap="wrap"),
            ),
            lang_toggle(current),
            account_bar(current),
            class_name="header-row",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        class_name="app-header",
    )


def demo_banner() -> rx.Component:
    return rx.cond(
        Board.demo,
        rx.callout(
            ui("app.demo_banner"),
            icon="flask-conical",
            color_scheme="amber",
            size="1",
            id="demo-banner",
            class_name="demo-banner",
        ),
    )


def freshness_line(item: Freshness) -> rx.Component:
    return rx.text(
        rx.text.span(item.dataset, weight="medium"),
        rx.text.span(item.text),
        size="1",
        color_scheme="gray",
        class_name="freshness-item",
    )


def freshness() -> rx.Component:
    return rx.flex(
        rx.foreach(Board.freshness, freshness_line),
        class_name="freshness",
        wrap="wrap",
        spacing="1",
        id="freshness",
    )


def failed_note() -> rx.Component:
    return rx.cond(
        Board.failed,
        rx.callout(ui("app.failed"), icon="triangle-alert", color_scheme="red", size="1"),
    )


def signed_out_note() -> rx.Component:
    """The tab's session ended while it was open: its figures are gone; a link back in."""
    return rx.cond(
        Board.signed_out,
        rx.callout(
            rx.flex(
                rx.text(ui("app.signed_out")),
                rx.link(ui("app.sign_in_again"), href="/login", id="sign-in-again"),
                direction="column",
                spacing="1",
            ),
            icon="log-in",
            color_scheme="amber",
            size="2",
            id="signed-out",
        ),
    )


def loading() -> rx.Var:
    """True until the board's first data has arrived in this tab (``Board.stamp`` is -1 before).

    Not while a failure or a sign-out is shown instead (those keep the stamp at -1 too).
    """
    return (Board.stamp < 0) & ~Board.failed & ~Board.signed_out


def loading_text(**props: object) -> rx.Component:
    """"加载中…" where a board's figures will be (a screen reader hears it once, from the frame)."""
    return rx.text(ui("app.loading"), size="2", color_scheme="gray", class_name="loading-text", **props)


def empty_note(key: str = "empty") -> rx.Component:
    """"暂无数据" (or ``key``'s text) under a block that really has nothing; "加载中…" until the board's
    data has arrived, so a slow network never reads as an empty ledger."""
    return rx.cond(
        loading(),
        loading_text(),
        rx.text(ui(key), size="2", color_scheme="gray", class_name="empty"),
    )


def skeleton_cards(count: int, class_name: str = "skeleton-card") -> rx.Component:
    """Grey placeholder cards where charts or KPI cards will be, while the board's data is on its way."""
    return rx.cond(
        loading(),
        rx.box(
            *(rx.box(class_name=class_name) for _ in range(count)),
            class_name="skeleton-grid",
            aria_hidden="true",
        ),
    )


def loading_status() -> rx.Component:
    """The frame's "加载中…" line (a live region) until the board's data has arrived."""
    return rx.cond(
        loading(),
        loading_text(role="status", id="board-loading"),
    )


def section(title_key: str, *children: rx.Component, **props: object) -> rx.Component:
    """A titled block of a page."""
    return rx.el.section(
        rx.heading(ui(title_key), size="4", class_name="section-title"),
        *children,
        class_name="section",
        **props,
    )


def page(board: str, *content: rx.Component) -> rx.Component:
    """The frame around a board's content."""
    return rx.box(
        header(board),
        rx.el.main(
            rx.flex(
                rx.heading(ui(f"app.page.{board}"), size="6", as_="h1", class_name="page-title"),
                freshness(),
                direction="column",
                spacing="1",
                class_name="page-head",
            ),
            demo_banner(),
            demo_mode_notice(),
            failed_note(),
            signed_out_note(),
            loading_status(),
            *content,
            class_name="content",
        ),
        class_name="app",
        data_board=board,
        data_stamp=Board.stamp.to_string(),
        data_lang=Board.lang,
    )
