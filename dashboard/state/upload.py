"""/upload: check a file (sent by the browser straight to POST /api/upload), then confirm or cancel.

The browser only hands back the pending id the upload route returned; the
report shown is read from the server's pending store, for this user only, and
confirm/cancel check the role again.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import reflex as rx

from dashboard.data import auth, uploads
from dashboard.data.auth import Role
from dashboard.data.contract import DATASETS
from dashboard.settings import get_settings
from dashboard.state.auth import client_address, engine, require

UPLOAD_JS = """
(async () => {
  const input = document.getElementById('upload-file');
  const file = input && input.files && input.files[0];
  if (!file) return {status: -1, id: '', message: '请先选择文件。'};
  const bar = document.getElementById('upload-progress');
  if (bar) bar.value = 0;
  return await new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const query = '?dataset=' + encodeURIComponent(DATASET) + '&name=' + encodeURIComponent(file.name);
    xhr.open('POST', '/api/upload' + query);
    xhr.upload.onprogress = (e) => {
      if (bar && e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
    };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) {}
      if (bar) bar.value = 100;
      resolve({status: xhr.status, id: body.id || '', message: body.message || ''});
    };
    xhr.onerror = () => resolve({status: 0, id: '', message: '网络错误，上传未完成。'});
    xhr.send(file);
  });
})()
"""


class Upload(rx.State):
    """The upload page's report; display only: every action re-checks on the server."""

    dataset: str = ""  # "" = let the headers choose
    busy: bool = False
    message: str = ""
    done: str = ""
    pending: str = ""
    checked_dataset: str = ""
    file_name: str = ""
    accepted: bool = False
    error_count: int = 0
    errors: list[dict[str, str]] = rx.field(default_factory=list)
    warnings: list[str] = rx.field(default_factory=list)
    counts: str = ""
    removed: int = 0
    moves: list[str] = rx.field(default_factory=list)
    sample_headers: list[str] = rx.field(default_factory=list)
    sample_rows: list[list[str]] = rx.field(default_factory=list)

    @rx.var
    def dataset_options(self) -> list[list[str]]:
        return [[name, f"{ds.title} ({name})"] for name, ds in DATASETS.items()]

    def _clear(self) -> None:
        self.pending = self.checked_dataset = self.file_name = self.counts = self.message = ""
        self.accepted, self.error_count, self.removed = False, 0, 0
        self.errors, self.warnings, self.moves = [], [], []
        self.sample_headers, self.sample_rows = [], []

    @rx.event
    def set_dataset(self, value: str) -> None:
        self.dataset = "" if value == "auto" else value if value in DATASETS else ""

    @rx.event
    async def send(self):  # noqa: ANN201
        """Start the browser's upload (the route checks the role and the size itself)."""
        if await require(self, Role.EDITOR) is None:
            return rx.redirect("/")
        self._clear()
        self.done = ""
        self.busy = True
        js = UPLOAD_JS.replace("DATASET", repr(self.dataset))
        return rx.call_script(js, callback=Upload.received)

    @rx.event
    async def received(self, answer: dict[str, Any]) -> None:
        """The upload route answered; show the report it stored for this user."""
        self.busy = False
        who = await require(self, Role.EDITOR)
        if who is None:
            self.message = "您的账户没有上传权限，或登录已过期。"
            return
        pending = str((answer or {}).get("id") or "")
        if not pending:
            self.message = str((answer or {}).get("message") or "上传失败。")
            return
        try:
            report = uploads.load_report(get_settings().data_dir, pending, who.name)
        except uploads.PendingNotFound:
            self.message = "找不到这次上传（可能已过期），请重新上传。"
            return
        self._show(report)

    def _show(self, report: uploads.Report) -> None:
        r = report.result
        self.pending = report.id
        self.checked_dataset = report.dataset
        self.file_name = report.file_name
        self.accepted = report.accepted
        self.error_count = int(r["error_count"])
        self.errors = [
            {
                "line": "" if e["line"] is None else str(e["line"]),
                "column": e["column"] or "",
                "value": "" if e["value"] is None else str(e["value"]),
                "message": e["message"],
            }
            for e in r["errors"][:500]
        ]
        self.warnings = [w["message"] if isinstance(w, dict) else str(w) for w in r["warnings"]]
        self.counts = (
            f"{r['rows']} 行：新增 {r['added']}，修改 {r['changed']}，"
            f"删除 {r['removed']}，跳过 {r['skipped']}"
        )
        self.moves = report.moves
        self.removed = int(r["removed"])
        self.sample_headers = report.sample_headers
        self.sample_rows = report.sample_rows

    @rx.event
    async def confirm(self) -> None:
        """Make the checked upload a new version (editor or admin, the uploader only)."""
        who = await require(self, Role.EDITOR)
        if who is None:
            self.message = "您的账户没有上传权限，或登录已过期。"
            return
        data_dir = get_settings().data_dir
        try:
            result = await asyncio.to_thread(uploads.confirm, engine(), data_dir, self.pending, who.name)
        except uploads.PendingNotFound:
            self.message = "找不到这次上传（可能已过期），请重新上传。"
            return
        target = f"{result.dataset} {self.file_name}"
        if result.accepted:
            await asyncio.to_thread(
                auth.audit, engine(), "upload", user=who.name, target=target,
                detail=f"version {result.version}, {result.rows} rows", address=client_address(self),
            )  # fmt: skip
            title = DATASETS[result.dataset].title
            self._clear()
            self.done = f"已导入「{title}」，版本 {result.version}（{result.rows} 行）。看板已更新。"
        else:
            await asyncio.to_thread(
                auth.audit, engine(), "upload_rejected", user=who.name, ok=False, target=target,
                detail=f"{result.error_count} error(s) at confirm", address=client_address(self),
            )  # fmt: skip
            self._clear()
            self.message = "数据已在检查后发生变化，这个文件现在无法导入，请重新上传检查。"

    @rx.event
    async def cancel(self) -> None:
        """Throw the checked upload away: nothing is written."""
        who = await require(self, Role.EDITOR)
        if who is not None and self.pending:
            with contextlib.suppress(uploads.PendingNotFound):
                await asyncio.to_thread(uploads.discard, get_settings().data_dir, self.pending, who.name)
        self._clear()
        self.done = "已取消，没有写入任何数据。"
