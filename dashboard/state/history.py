"""/history (editor, admin): every version with its file; admin restores after a confirmation.
/audit (admin): the audit log. Each handler checks the role on the server before it reads or writes.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from dashboard.data import auth, storage
from dashboard.data.auth import Role
from dashboard.data.contract import DATASETS
from dashboard.state.auth import client_address, engine, require

ACTION_LABELS = {
    "login": "登录",
    "logout": "退出",
    "upload": "上传",
    "upload_rejected": "上传被拒",
    "restore": "恢复版本",
    "download_original": "下载原始文件",
    "forbidden": "越权被拒",
    "user_add": "添加账户",
    "user_disable": "停用账户",
    "user_enable": "启用账户",
    "user_passwd": "修改密码",
    "user_role": "修改角色",
}


class History(rx.State):
    rows: list[dict[str, str]] = rx.field(default_factory=list)
    asking: bool = False
    ask_dataset: str = ""
    ask_version: int = 0
    ask_text: str = ""
    message: str = ""

    @rx.event
    async def load(self) -> None:
        if await require(self, Role.EDITOR) is None:
            self.rows = []
            return
        versions = await asyncio.to_thread(storage.list_versions, engine())
        self.rows = [
            {
                "dataset": v.dataset,
                "title": DATASETS[v.dataset].title if v.dataset in DATASETS else v.dataset,
                "number": str(v.number),
                "time": v.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                "user": v.user,
                "file": v.file_name,
                "rows": str(v.rows),
                "counts": f"+{v.added} ~{v.changed} -{v.removed} ={v.skipped}",
                "restored": "" if v.restored_from is None else f"恢复自 v{v.restored_from}",
                "href": f"/api/original/{v.dataset}/{v.number}",
            }
            for v in versions[:1000]
        ]

    @rx.event
    async def ask_restore(self, dataset: str, version: str) -> None:
        """Open the confirmation (admin only; the choice is checked again at confirm)."""
        if await require(self, Role.ADMIN) is None or dataset not in DATASETS:
            return
        self.ask_dataset, self.ask_version = dataset, int(version)
        self.ask_text = f"把「{DATASETS[dataset].title}」恢复为版本 {version} 的内容？这会生成一个新版本。"
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
            self.message = "只有管理员可以恢复版本。"
            return None
        dataset, version = self.ask_dataset, self.ask_version
        if dataset not in DATASETS:
            return None
        known = {v.number for v in await asyncio.to_thread(storage.list_versions, engine(), dataset)}
        if version not in known:
            self.message = f"{dataset} 没有版本 {version}。"
            return None
        result = await asyncio.to_thread(storage.restore, engine(), dataset, version, who.name)
        await asyncio.to_thread(
            auth.audit, engine(), "restore", user=who.name, ok=result.accepted,
            target=f"{dataset} v{version}", detail=f"new version {result.version}",
            address=client_address(self),
        )  # fmt: skip
        if result.accepted:
            self.message = f"已恢复：{DATASETS[dataset].title} 版本 {version} → 新版本 {result.version}"
        else:
            self.message = f"无法恢复：{result.error_count} 处问题（例如引用的品牌已不存在）。"
        return History.load


class AuditLog(rx.State):
    rows: list[dict[str, str]] = rx.field(default_factory=list)

    @rx.event
    async def load(self) -> None:
        if await require(self, Role.ADMIN) is None:
            self.rows = []
            return
        entries = await asyncio.to_thread(auth.list_audit, engine(), limit=1000)
        self.rows = [
            {
                "time": e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                "user": e.user,
                "action": ACTION_LABELS.get(e.action, e.action),
                "ok": "成功" if e.ok else "失败",
                "target": e.target,
                "detail": e.detail,
                "address": e.address,
            }
            for e in entries
        ]
