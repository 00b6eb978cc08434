"""/audit (admin): sign-ins with address, uploads, rejections, restores, account changes."""

from __future__ import annotations

import reflex as rx

from dashboard.components.staff import simple_table, staff_page
from dashboard.state.history import AuditLog


def page() -> rx.Component:
    return staff_page(
        "audit",
        "审计日志",
        simple_table(
            ["时间", "用户", "事件", "结果", "对象", "详情", "地址"],
            AuditLog.rows,
            ["time", "user", "action", "ok", "target", "detail", "address"],
            id="audit-table",
        ),
    )
