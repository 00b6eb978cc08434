"""/audit (auditors and admins): sign-ins with address, uploads, rejections, restores, account changes."""

from __future__ import annotations

import reflex as rx

from dashboard.components.forms import both_html
from dashboard.components.staff import simple_table, staff_page
from dashboard.state.history import AuditLog

COLUMNS = ["time", "user", "action", "result", "target", "detail", "address"]


def _field(name: str, kind: str, key: str) -> str:
    return (
        f'<label class="audit-field">{both_html(key)} '
        f'<input name="{name}" type="{kind}" id="audit-{name}" maxlength="200"></label>'
    )


#: A plain HTML form (as /login's): a GET to /api/audit.csv downloads the rows asked for. Reflex's own
#: form would stop the browser's submit.
EXPORT_FORM = f"""
<form method="get" action="/api/audit.csv" id="audit-export-form" class="audit-export">
  <p class="audit-note">{both_html("audit.export.note")}</p>
  {_field("from", "date", "audit.export.from")}
  {_field("to", "date", "audit.export.to")}
  {_field("user", "text", "audit.col.user")}
  {_field("action", "text", "audit.export.action")}
  <button type="submit" id="audit-export">{both_html("audit.export.csv")}</button>
</form>
"""


def page() -> rx.Component:
    return staff_page(
        "audit",
        "audit.title",
        rx.html(EXPORT_FORM),
        simple_table(
            [f"audit.col.{c}" for c in COLUMNS],
            AuditLog.rows,
            ["time", "user", "action", "ok", "target", "detail", "address"],
            data=("user", "target", "detail", "address"),  # as recorded
            translated=("action", "ok"),
            id="audit-table",
        ),
    )
