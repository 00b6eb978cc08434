"""/users (admin): add accounts, change roles, disable, reset passwords."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import staff_page
from dashboard.state.accounts import Accounts

ROLES = [("viewer", "领导 viewer"), ("editor", "工作人员 editor"), ("admin", "管理员 admin")]


def role_select(name: str = "role", **props: object) -> rx.Component:
    return rx.el.select(*(rx.el.option(label, value=value) for value, label in ROLES), name=name, **props)


def row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["name"], class_name="dv"),
        rx.table.cell(
            rx.el.select(
                *(rx.el.option(label, value=value) for value, label in ROLES),
                value=r["role"],
                on_change=lambda v: Accounts.set_role(r["name"], v),
            )
        ),
        rx.table.cell(r["status"]),
        rx.table.cell(r["created"]),
        rx.table.cell(
            rx.cond(
                r["disabled"] == "1",
                rx.button("启用", size="1", variant="soft", on_click=Accounts.set_disabled(r["name"], False)),
                rx.button(
                    "停用",
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
            rx.input(name="name", placeholder="用户名", required=True, max_length=100),
            role_select(),
            rx.input(name="password", type="password", placeholder="初始密码（至少 8 位）", required=True),
            rx.button("添加账户", type="submit"),
            spacing="2",
            wrap="wrap",
        ),
        on_submit=Accounts.add,
        reset_on_submit=True,
        id="user-add",
    )


def password_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(name="name", placeholder="用户名", required=True),
            rx.input(name="password", type="password", placeholder="新密码（至少 8 位）", required=True),
            rx.button("重设密码", type="submit", variant="soft"),
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
        "账户管理",
        rx.cond(
            Accounts.message != "",
            rx.callout(Accounts.message, color_scheme=rx.cond(Accounts.ok, "green", "red"), size="1"),
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *(rx.table.column_header_cell(h) for h in ["用户", "角色", "状态", "创建", ""])
                    )
                ),
                rx.table.body(rx.foreach(Accounts.rows, row)),
                size="1",
                id="users-table",
            ),
            overflow_x="auto",
        ),
        rx.heading("添加账户", size="3"),
        add_form(),
        rx.heading("重设密码", size="3"),
        password_form(),
    )
