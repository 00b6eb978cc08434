"""消息推送 /notify (admins): the digest's channels (secrets masked), a test send, the delivery log."""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import scroll_table
from dashboard.components.staff import header_row, staff_page
from dashboard.components.text import label, pick
from dashboard.notify import KINDS
from dashboard.state.notify import ChannelRow, LogRow, NotifyAdmin

CHANNEL_HEADERS = [
    "notify.col.kind",
    "notify.col.target",
    "notify.col.secret",
    "notify.col.source",
    "notify.col.today",
    "",
]
LOG_HEADERS = [
    "notify.log.col.at",
    "notify.col.target",
    "notify.log.col.result",
    "notify.log.col.attempt",
    "notify.log.col.reason",
]


def _kind(kind: rx.Var) -> rx.Var:
    return rx.match(kind, *((k, label(f"notify.kind.{k}")) for k in KINDS), kind)


def _source(source: rx.Var) -> rx.Var:
    return rx.match(source, *((s, label(f"notify.source.{s}")) for s in ("env", "admin", "disabled")), source)


def _channel(row: ChannelRow) -> rx.Component:
    stored = row.id != ""
    return rx.table.row(
        rx.table.cell(_kind(row.kind)),
        rx.table.cell(rx.code(row.target), class_name="dv"),
        rx.table.cell(row.secret, class_name="dv"),
        rx.table.cell(_source(row.source)),
        rx.table.cell(pick(row.today, row.today_en), color=rx.cond(row.failed, "var(--red-11)", "inherit")),
        rx.table.cell(
            rx.flex(
                rx.button(
                    label("notify.test"),
                    size="1",
                    variant="soft",
                    on_click=NotifyAdmin.test(row.key),
                    id="notify-test-" + row.kind,
                ),
                rx.cond(
                    stored,
                    rx.fragment(
                        rx.cond(
                            row.source == "disabled",
                            rx.button(
                                label("notify.enable"),
                                size="1",
                                variant="soft",
                                on_click=NotifyAdmin.enable(row.id, True),
                            ),
                            rx.button(
                                label("notify.disable"),
                                size="1",
                                variant="soft",
                                on_click=NotifyAdmin.enable(row.id, False),
                            ),
                        ),
                        rx.button(
                            label("notify.remove"),
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=NotifyAdmin.remove(row.id),
                        ),
                    ),
                ),
                spacing="2",
            )
        ),
    )


def _entry(row: LogRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at),
        rx.table.cell(rx.code(row.target), class_name="dv"),
        rx.table.cell(
            rx.cond(
                row.ok,
                label("notify.log.ok"),
                rx.text.span(label("notify.log.failed"), color="var(--red-11)"),
            ),
            rx.cond(row.test, rx.text.span(" · ", label("notify.log.test"))),
        ),
        rx.table.cell(row.attempt),
        rx.table.cell(row.reason, class_name="dv"),
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.el.select(
                *(rx.el.option(label(f"notify.kind.{k}"), value=k) for k in KINDS),
                value=NotifyAdmin.kind,
                on_change=NotifyAdmin.set_kind,
                id="notify-kind",
                name="kind",
            ),
            rx.input(
                name="target",
                placeholder=label("notify.field.target"),
                required=True,
                id="notify-target",
                min_width="22em",
            ),
            rx.cond(
                NotifyAdmin.kind == "email",
                rx.input(
                    name="recipients", placeholder=label("notify.field.recipients"), id="notify-recipients"
                ),
                rx.input(
                    name="secret",
                    placeholder=label("notify.field.secret"),
                    type="password",
                    id="notify-secret",
                    auto_complete="off",
                ),
            ),
            rx.input(name="label", placeholder=label("notify.field.label"), id="notify-label"),
            rx.button(label("notify.add"), type="submit", id="notify-add"),
            spacing="2",
            wrap="wrap",
        ),
        on_submit=NotifyAdmin.add,
        reset_on_submit=True,
    )


def page() -> rx.Component:
    return staff_page(
        "notify",
        "notify.page",
        rx.text(label("notify.page.intro"), size="2"),
        rx.text(
            rx.cond(
                NotifyAdmin.digest_at != "",
                label("notify.page.schedule_on", at=NotifyAdmin.digest_at),
                label("notify.page.schedule_off"),
            ),
            size="2",
            id="notify-schedule",
        ),
        rx.cond(
            NotifyAdmin.message != "",
            rx.callout(
                pick(NotifyAdmin.message, NotifyAdmin.message_en),
                color_scheme=rx.cond(NotifyAdmin.ok, "green", "red"),
                id="notify-message",
            ),
        ),
        scroll_table(
            header_row(CHANNEL_HEADERS),
            rx.table.body(rx.foreach(NotifyAdmin.channels, _channel)),
            id="notify-channels",
        ),
        rx.heading(label("notify.add"), size="4", as_="h2"),
        _add_form(),
        rx.heading(label("notify.log"), size="4", as_="h2"),
        rx.cond(
            NotifyAdmin.entries.length() > 0,
            scroll_table(
                header_row(LOG_HEADERS),
                rx.table.body(rx.foreach(NotifyAdmin.entries, _entry)),
                id="notify-log",
            ),
            rx.text(label("notify.log.empty"), size="2"),
        ),
    )
