"""/users (admin): add accounts, change roles, disable, reset passwords."""

from __future__ import annotations

import reflex as rx

from dashboard.accounts import Role
from dashboard.components.layout import scroll_table
from dashboard.components.staff import header_row, staff_page
from dashboard.components.text import label, pick
from dashboard.state.accounts import Accounts

HEADERS = ["users.col.name", "users.col.role", "users.col.status", "users.col.created", "scope.label", ""]


def _role_options() -> list[rx.Component]:
    return [rx.el.option(label(f"users.role_option.{r.value}"), value=r.value) for r in Role]


def role_select(name: str = "role", **props: object) -> rx.Component:
    return rx.el.select(*_role_options(), name=name, **props)


def row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["name"], class_name="dv"),
        rx.table.cell(
            rx.el.select(
                *_role_options(),
                value=r["role"],
                on_change=lambda v: Accounts.set_role(r["name"], v),
            )
        ),
        rx.table.cell(pick(r["status"], r["status_en"])),
        rx.table.cell(r["created"]),
        rx.table.cell(rx.cond(r["scope"] != "", r["scope"], label("scope.whole")), class_name="dv"),
        rx.table.cell(
            rx.cond(
                r["disabled"] == "1",
                rx.button(
                    label("users.enable"),
                    size="1",
                    variant="soft",
                    on_click=Accounts.set_disabled(r["name"], False),
                ),
                rx.button(
                    label("users.disable"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=Accounts.set_disabled(r["name"], True),
                ),
            )
        ),
    )


def add_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(name="name", placeholder=label("users.name"), required=True, max_length=100),
            role_select(),
            rx.input(
                name="password", type="password", placeholder=label("users.initial_password"), required=True
            ),
            rx.input(name="scope", placeholder=label("scope.hint"), max_length=2000, min_width="18em"),
            rx.button(label("users.add"), type="submit"),
            spacing="2",
            wrap="wrap",
        ),
        on_submit=Accounts.add,
        reset_on_submit=True,
        id="user-add",
    )


def scope_form() -> rx.Component:
    """An account's scope: what a viewer or editor reports and sees (empty: the whole sub-district)."""
    return rx.form(
        rx.flex(
            rx.input(name="name", placeholder=label("users.name"), required=True),
            rx.input(name="scope", placeholder=label("scope.hint"), max_length=2000, min_width="18em"),
            rx.button(label("scope.save"), type="submit", variant="soft"),
            spacing="2",
            wrap="wrap",
        ),
        on_submit=Accounts.set_scope,
        reset_on_submit=True,
        id="user-scope",
    )


def password_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(name="name", placeholder=label("users.name"), required=True),
            rx.input(
                name="password", type="password", placeholder=label("users.new_password"), required=True
            ),
            rx.button(label("users.passwd"), type="submit", variant="soft"),
            spacing="2",
            wrap="wrap",
        ),
        on_submit=Accounts.reset_password,
        reset_on_submit=True,
        id="user-passwd",
    )


def page() -> rx.Component:
    return staff_page(
        "users",
        "users.title",
        rx.cond(
            Accounts.message != "",
            rx.callout(
                pick(Accounts.message, Accounts.message_en),
                color_scheme=rx.cond(Accounts.ok, "green", "red"),
                size="1",
            ),
        ),
        scroll_table(
            header_row(HEADERS),
            rx.table.body(rx.foreach(Accounts.rows, row)),
            variant="ghost",
            id="users-table",
        ),
        rx.heading(label("users.add"), size="3"),
        add_form(),
        rx.heading(label("scope.label"), size="3"),
        scope_form(),
        rx.heading(label("users.passwd"), size="3"),
        password_form(),
    )
