"""填报任务 /rounds (admins): open a round, follow each scope's report (green when reported), close it."""

from __future__ import annotations

import reflex as rx

from dashboard.components.rounds import round_card
from dashboard.components.staff import staff_page
from dashboard.components.text import label, pick
from dashboard.state.rounds import RoundsAdmin


def open_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.el.select(
                rx.foreach(RoundsAdmin.datasets, lambda d: rx.el.option(d, value=d)),
                name="dataset",
                default_value="activities",
            ),
            rx.input(name="scopes", placeholder=label("rounds.scopes_hint"), required=True, min_width="20em"),
            rx.input(name="deadline", type="date", required=True),
            rx.input(name="note", placeholder=label("rounds.note_hint"), max_length=500, min_width="20em"),
            rx.button(label("rounds.open_button"), type="submit"),
            spacing="2",
            wrap="wrap",
        ),
        on_submit=RoundsAdmin.open_round,
        reset_on_submit=True,
        id="round-open",
    )


def page() -> rx.Component:
    return staff_page(
        "rounds",
        "rounds.title",
        rx.cond(
            RoundsAdmin.message != "",
            rx.callout(
                pick(RoundsAdmin.message, RoundsAdmin.message_en),
                color_scheme=rx.cond(RoundsAdmin.ok, "green", "red"),
                size="1",
            ),
        ),
        rx.heading(label("rounds.new"), size="3"),
        open_form(),
        rx.cond(
            RoundsAdmin.rows.length() > 0,
            rx.vstack(rx.foreach(RoundsAdmin.rows, round_card), spacing="3", id="rounds-list"),
            rx.text(label("rounds.none"), size="2"),
        ),
    )
