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

from dashboard import i18n
from dashboard.accounts import auth
from dashboard.accounts.auth import Role
from dashboard.contract import DATASETS, Enum
from dashboard.settings import get_settings
from dashboard.state.auth import client_address, engine, require
from dashboard.store import uploads

UPLOAD_JS = """
(async () => {
  const input = document.getElementById('upload-file');
  const file = input && input.files && input.files[0];
  if (!file) return {status: -1, id: '', key: 'staff.upload.no_file'};
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
      resolve({status: xhr.status, id: body.id || '', message: body.message || '',
               message_en: body.message_en || ''});
    };
    xhr.onerror = () => resolve({status: 0, id: '', key: 'staff.upload.network'});
    xhr.send(file);
  });
})()
"""


# Messages the page script may answer with (it has no catalogue of its own).
SCRIPT_KEYS = ("staff.upload.no_file", "staff.upload.network")


def moves_en(dataset: str, moves: list[str]) -> list[str]:
    """'+3 已签约' -> '+3 Signed': the report stores the contract's labels."""
    enum: Enum | None = next(
        (c.enum for c in DATASETS[dataset].columns if c.enum is not None and c.enum.ordered), None
    )
    codes = {ch.label: ch.code for ch in enum.choices} if enum is not None else {}
    out = []
    for move in moves:
        count, _, text = move.partition(" ")
        out.append(f"{count} {i18n.enum_label(enum, codes[text], 'en')}" if text in codes else move)
    return out


class Upload(rx.State):
    """The upload page's report; display only: every action re-checks on the server."""

    dataset: str = ""  # "" = let the headers choose
    busy: bool = False
    # Texts shown to the viewer are kept in both languages (``x`` and ``x_en``): see i18n.both.
    message: str = ""
    message_en: str = ""
    done: str = ""
    done_en: str = ""
    pending: str = ""
    checked_dataset: str = ""
    file_name: str = ""
    accepted: bool = False
    error_count: int = 0
    errors: list[dict[str, str]] = rx.field(default_factory=list)
    warnings: list[dict[str, str]] = rx.field(default_factory=list)  # {"zh": ..., "en": ...}
    counts: str = ""
    counts_en: str = ""
    removed: int = 0
    moves: list[str] = rx.field(default_factory=list)
    moves_en: list[str] = rx.field(default_factory=list)
    sample_headers: list[str] = rx.field(default_factory=list)
    sample_headers_en: list[str] = rx.field(default_factory=list)
    sample_rows: list[list[str]] = rx.field(default_factory=list)

    def _clear(self) -> None:
        self.pending = self.checked_dataset = self.file_name = ""
        self.counts = self.counts_en = self.message = self.message_en = ""
        self.accepted, self.error_count, self.removed = False, 0, 0
        self.errors, self.warnings, self.moves, self.moves_en = [], [], [], []
        self.sample_headers, self.sample_headers_en, self.sample_rows = [], [], []

    def _say(self, key: str) -> None:
        self.message, self.message_en = i18n.both(key)

    def _done(self, key: str, **fmt: object) -> None:
        self.done, self.done_en = i18n.both(key, **fmt)

    @rx.event
    def set_dataset(self, value: str) -> None:
        self.dataset = "" if value == "auto" else value if value in DATASETS else ""

    @rx.event
    async def send(self):  # noqa: ANN201
        """Start the browser's upload (the route checks the role and the size itself)."""
        if await require(self, Role.EDITOR) is None:
            return rx.redirect("/")
        self._clear()
        self.done = self.done_en = ""
        self.busy = True
        js = UPLOAD_JS.replace("DATASET", repr(self.dataset))
        return rx.call_script(js, callback=Upload.received)

    @rx.event
    async def received(self, answer: dict[str, Any]) -> None:
        """The upload route answered; show the report it stored for this user."""
        self.busy = False
        who = await require(self, Role.EDITOR)
        if who is None:
            self._say("staff.upload.forbidden")
            return
        answer = answer or {}
        pending = str(answer.get("id") or "")
        if not pending:
            key = str(answer.get("key") or "")
            if key in SCRIPT_KEYS:
                self._say(key)
            elif answer.get("message"):  # the upload route's refusal, in both languages
                self.message = str(answer["message"])
                self.message_en = str(answer.get("message_en") or answer["message"])
            else:
                self._say("staff.upload.failed")
            return
        try:
            report = uploads.load_report(get_settings().data_dir, pending, who.name)
        except uploads.PendingNotFound:
            self._say("staff.upload.not_found")
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
                "message_en": e.get("message_en") or e["message"],
            }
            for e in r["errors"][:500]
        ]
        self.warnings = [
            {"zh": w["message"], "en": w.get("message_en") or w["message"]}
            if isinstance(w, dict)
            else {"zh": str(w), "en": str(w)}
            for w in r["warnings"]
        ]
        counts = {k: r[k] for k in ("rows", "added", "changed", "removed", "skipped")}
        self.counts, self.counts_en = i18n.both("staff.upload.counts", **counts)
        self.moves = report.moves
        self.moves_en = moves_en(report.dataset, report.moves)
        self.removed = int(r["removed"])
        self.sample_headers = report.sample_headers
        self.sample_headers_en = i18n.headers_in(DATASETS[report.dataset], report.sample_headers, "en")
        self.sample_rows = report.sample_rows

    @rx.event
    async def confirm(self) -> None:
        """Make the checked upload a new version (editor or admin, the uploader only)."""
        who = await require(self, Role.EDITOR)
        if who is None:
            self._say("staff.upload.forbidden")
            return
        data_dir = get_settings().data_dir
        try:
            result = await asyncio.to_thread(uploads.confirm, engine(), data_dir, self.pending, who.name)
        except uploads.PendingNotFound:
            self._say("staff.upload.not_found")
            return
        target = f"{result.dataset} {self.file_name}"
        if result.accepted:
            await asyncio.to_thread(
                auth.audit, engine(), "upload", user=who.name, target=target,
                detail=f"version {result.version}, {result.rows} rows", address=client_address(self),
            )  # fmt: skip
            self._clear()
            self._done(
                "staff.upload.done",
                dataset=(DATASETS[result.dataset].title, DATASETS[result.dataset].title_en),
                version=result.version,
                rows=result.rows,
            )
        else:
            await asyncio.to_thread(
                auth.audit, engine(), "upload_rejected", user=who.name, ok=False, target=target,
                detail=f"{result.error_count} error(s) at confirm", address=client_address(self),
            )  # fmt: skip
            self._clear()
            self._say("staff.upload.changed")

    @rx.event
    async def cancel(self) -> None:
        """Throw the checked upload away: nothing is written."""
        who = await require(self, Role.EDITOR)
        if who is not None and self.pending:
            with contextlib.suppress(uploads.PendingNotFound):
                await asyncio.to_thread(uploads.discard, get_settings().data_dir, self.pending, who.name)
        self._clear()
        self._done("staff.upload.cancelled")
