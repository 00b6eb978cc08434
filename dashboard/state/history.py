"""/history (editor, admin): every version with its file; admin restores after a confirmation.
/audit (admin): the audit log. Each handler checks the role on the server before it reads or writes.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from dashboard import clock, i18n
from dashboard.accounts import Role, auth
from dashboard.contract import DATASETS
from dashboard.contract.scopes import covers
from dashboard.state.auth import client_address, engine, require
from dashboard.state.upload import correction_rows
from dashboard.store import Actor, storage

# Audit actions: each has its label in the catalogue ("audit.action.<action>").
ACTIONS: tuple[str, ...] = (
    "login",
    "logout",
    "upload",
    "upload_rejected",
    "restore",
    "download_original",
    "forbidden",
    "user_add",
    "user_disable",
    "user_enable",
    "user_passwd",
    "user_role",
    "kiosk_create",
    "kiosk_revoke",
    "notify_channel_add",
    "notify_channel_enable",
    "notify_channel_disable",
    "notify_channel_remove",
    "password_change",
    "audit_purge",
    "backup",
    "backup_restore",
    "user_scope",
    "round_open",
    "round_close",
    "audit_export",
)


def action_label(action: str, lang: str) -> str:
    """An audit action for display; an action this version does not know, as stored."""
    return i18n.t(f"audit.action.{action}", lang) if action in ACTIONS else action


def _titles(dataset: str) -> tuple[str, str]:
    """(zh, en) title of a dataset; a name this version does not know, as stored."""
    if dataset not in DATASETS:
        return dataset, dataset
    return DATASETS[dataset].title, DATASETS[dataset].title_en


def corrections_both(v: storage.VersionInfo) -> tuple[str, str]:
    """'页面更正 1 处：第 5 行「户类」：九 → 1（staff）' in both languages; ('', '') for none."""
    if not v.corrections:
        return "", ""
    head = i18n.both("staff.history.corrections", n=len(v.corrections))
    rows = correction_rows(v.corrections)
    zh_sep, en_sep = i18n.both("sep.clauses")
    return head[0] + zh_sep.join(r["zh"] for r in rows), head[1] + en_sep.join(r["en"] for r in rows)


def _version_row(v: storage.VersionInfo, admin: bool = False) -> dict[str, str]:
    """One line of /history, its labels in both languages. The original file of a ledger with
    personal data (户主) is offered to admins only: it cannot be masked as the exports are."""
    title, title_en = _titles(v.dataset)
    restored = (
        ("", "")
        if v.restored_from is None
        else i18n.both("staff.history.restored_from", version=v.restored_from)
    )
    corrections = corrections_both(v)
    return {
        "dataset": v.dataset,
        "title": title,
        "title_en": title_en,
        "number": str(v.number),
        "time": clock.office_time(v.created_at),
        "user": v.user,
        "file": v.file_name,
        "rows": str(v.rows),
        "counts": f"+{v.added} ~{v.changed} -{v.removed} ={v.skipped}",
        "restored": restored[0],
        "restored_en": restored[1],
        "corrections": corrections[0],
        "corrections_en": corrections[1],
        "href": f"/api/original/{v.dataset}/{v.number}" if admin or not DATASETS[v.dataset].personal else "",
        "page_href": f"/history/{v.dataset}/{v.number}",  # what this version changed
        "note": v.note,
        "csv_href": f"/api/export/{v.dataset}.csv?version={v.number}",
        "xlsx_href": f"/api/export/{v.dataset}.xlsx?version={v.number}",
    }


class History(rx.State):
    rows: list[dict[str, str]] = rx.field(default_factory=list)
    asking: bool = False
    ask_dataset: str = ""
    ask_version: int = 0
    # Texts are kept in both languages (``x`` and ``x_en``, see i18n.both): the toggle just picks.
    ask_text: str = ""
    ask_text_en: str = ""
    message: str = ""
    message_en: str = ""
    ok: bool = False

    def _say(self, ok: bool, key: str, **fmt: object) -> None:
        self.ok = ok
        self.message, self.message_en = i18n.both(key, **fmt)

    @rx.event
    async def load(self) -> None:
        who = await require(self, Role.EDITOR)
        if who is None:
            self.rows = []
            return
        versions = await asyncio.to_thread(storage.list_versions, engine())
        if who.scope is not None:  # its ledgers: the office's versions and its own, no other scope's
            kind, own = who.scope.kind, who.scope.text
            versions = [v for v in versions if covers(v.dataset, kind) and v.scope in ("", own)]
        self.rows = [_version_row(v, who.is_admin) for v in versions[:1000]]

    @rx.event
    async def ask_restore(self, dataset: str, version: str) -> None:
        """Open the confirmation (admin only; the choice is checked again at confirm)."""
        if await require(self, Role.ADMIN) is None or dataset not in DATASETS:
            return
        self.ask_dataset, self.ask_version = dataset, int(version)
        self.ask_text, self.ask_text_en = i18n.both(
            "staff.history.ask", dataset=_titles(dataset), version=version
        )
        self.asking = True

    @rx.event
    def dismiss(self) -> None:
        self.asking = False

    @rx.event
    async def restore(self):  # noqa: ANN201
        """Admin only: make the chosen version current again (as a new version)."""
        self.asking = False
        who = await require(self, Role.ADMIN)
        if who is None:
            self._say(False, "staff.history.admin_only")
            return None
        dataset, version = self.ask_dataset, self.ask_version
        if dataset not in DATASETS:
            return None
        actor = Actor(who.name, client_address(self))
        result = await asyncio.to_thread(storage.restore, engine(), dataset, version, actor)  # audits itself
        if any(p.rule == "restore.no_such_version" for p in result.problems.errors):
            self._say(False, "staff.history.no_version", dataset=dataset, version=version)
            return None
        if result.accepted:
            self._say(
                True, "staff.history.restored", dataset=_titles(dataset), version=version, new=result.version
            )
        else:
            self._say(False, "staff.history.restore_failed", n=result.error_count)
        return History.load


class AuditLog(rx.State):
    rows: list[dict[str, str]] = rx.field(default_factory=list)

    @rx.event
    async def load(self) -> None:
        if await require(self, Role.AUDITOR) is None:  # auditors and admins
            self.rows = []
            return
        entries = await asyncio.to_thread(auth.list_audit, engine(), limit=1000)
        self.rows = [
            {
                "time": clock.office_time(e.at, "%Y-%m-%d %H:%M:%S"),
                "user": e.user,
                "action": action_label(e.action, "zh"),
                "action_en": action_label(e.action, "en"),
                "ok": i18n.t("audit.ok" if e.ok else "audit.failed", "zh"),
                "ok_en": i18n.t("audit.ok" if e.ok else "audit.failed", "en"),
                "target": e.target,
                "detail": e.detail,
                "address": e.address,
            }
            for e in entries
        ]
