"""/audit (auditors and admins): sign-ins with address, uploads, rejections, restores, account changes."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import simple_table, staff_page
from dashboard.state.history import AuditLog

COLUMNS = ["time", "user", "action", "result", "target", "detail", "address"]


def page() -> rx.Component:
    return staff_page(
        "audit",
        "audit.title",
        simple_table(
            [f"audit.col.{c}" for c in COLUMNS],
            AuditLog.rows,
            ["time", "user", "action", "ok", "target", "detail", "address"],
            data=("user", "target", "detail", "address"),  # as recorded
            translated=("action", "ok"),
            id="audit-table",
        ),
    )
