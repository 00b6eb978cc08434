"""A reporting round as a card (/rounds, and the scoped editor's list on /upload)."""

from __future__ import annotations

import reflex as rx

from dashboard.components.text import label, pick
from dashboard.state.rounds import RoundRow, RoundsAdmin, ScopeRow


def scope_badge(s: ScopeRow) -> rx.Component:
    """One asked scope: its value, its state in colour, when and by whom it reported."""
    return rx.badge(
        s.scope,
        " · ",
        pick(s.label, s.label_en),
        rx.cond(s.at != "", rx.text.span(" · ", s.at, " · ", s.by)),
        color_scheme=s.colour,
        size="2",
        data_state=s.state,
        class_name="round-scope",
    )


def _close_button(r: RoundRow) -> rx.Component:
    button = rx.button(
        label("rounds.close_button"), size="1", variant="soft", color_scheme="red",
        on_click=RoundsAdmin.close(r.id), id="round-close-" + r.id,
    )  # fmt: skip
    return rx.cond(r.is_open, button)


def round_card(r: RoundRow, *, closable: bool = True) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text("#", r.id, " ", pick(r.dataset, r.dataset_en), weight="bold"),
                rx.text(label("rounds.deadline"), " ", r.deadline, size="2"),
                rx.badge(pick(r.status, r.status_en), color_scheme=rx.cond(r.is_open, "blue", "gray")),
                spacing="3",
                wrap="wrap",
                align="center",
            ),
            rx.cond(r.note != "", rx.text(r.note, size="2", class_name="dv")),
            rx.text(pick(r.progress, r.progress_en), size="2"),
            rx.flex(rx.foreach(r.scopes, scope_badge), spacing="2", wrap="wrap"),
            *([_close_button(r)] if closable else []),
            spacing="2",
        ),
        id="round-" + r.id,
        class_name="round",
    )
