"""/upload: check a file (sent by the browser straight to POST /api/upload), then confirm or cancel.

The browser only hands back the pending id the upload route returned; the
report shown is read from the server's pending store, for this user only, and
confirm/cancel/check-again check the role again. The page script sends the file
with XMLHttpRequest (progress events drive the bar and its percent; cancel
aborts it) to our own route, which counts the bytes as they arrive.

Fix in place: each offending cell gets an input; "check again" collects them
in the browser and the server applies them to the pending file's rows as read
(never its bytes), for the uploader's own pending upload only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import reflex as rx

from dashboard import i18n
from dashboard.accounts import Role
from dashboard.board import versions
from dashboard.contract import DATASETS, Enum, get_dataset
from dashboard.ingest import Correction, ReadSummary
from dashboard.settings import get_settings
from dashboard.state.auth import client_address, engine, require
from dashboard.store import Actor, storage, uploads

log = logging.getLogger(__name__)

UPLOAD_JS = """
(async () => {
  const input = document.getElementById('upload-file');
  const file = input && input.files && input.files[0];
  if (!file) return {status: -1, id: '', key: 'staff.upload.no_file'};
  const box = document.getElementById('upload-progress-box');
  const bar = document.getElementById('upload-progress');
  const pct = document.getElementById('upload-percent');
  const show = (n) => {
    if (bar) bar.value = n;
    if (pct) pct.textContent = n + '%';
    if (box) box.dataset.phase = n >= 100 ? 'checking' : 'sending';
  };
  show(0);
  return await new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    window.__dashboardUpload = xhr;
    const query = '?dataset=' + encodeURIComponent(DATASET) + '&name=' + encodeURIComponent(file.name);
    xhr.open('POST', '/api/upload' + query);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) show(Math.min(100, Math.floor(100 * e.loaded / e.total)));
    };
    xhr.upload.onload = () => show(100);
    const done = (answer) => {
      window.__dashboardUpload = null;
      if (box) box.dataset.phase = 'idle';
      resolve(answer);
    };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) {}
      done({status: xhr.status, id: body.id || '', message: body.message || '',
            message_en: body.message_en || ''});
    };
    xhr.onerror = () => done({status: 0, id: '', key: 'staff.upload.network'});
    xhr.onabort = () => done({status: 0, id: '', key: 'staff.upload.aborted'});
    xhr.send(file);
  });
})()
"""

ABORT_JS = "window.__dashboardUpload && window.__dashboardUpload.abort()"

# Dragging a file onto the drop zone hands it to the file input (whose change event
# tells the state its name); installed once per page load.
DROP_JS = """
(() => {
  if (window.__dashboardDrop) return;
  window.__dashboardDrop = true;
  const zone = (e) => e.target && e.target.closest && e.target.closest('#upload-drop');
  document.addEventListener('dragover', (e) => {
    const z = zone(e);
    if (!z) return;
    e.preventDefault();
    z.dataset.over = '1';
  });
  document.addEventListener('dragleave', (e) => { const z = zone(e); if (z) delete z.dataset.over; });
  document.addEventListener('drop', (e) => {
    const z = zone(e);
    if (!z) return;
    e.preventDefault();
    delete z.dataset.over;
    const input = document.getElementById('upload-file');
    if (!input || !e.dataTransfer || !e.dataTransfer.files.length) return;
    input.files = e.dataTransfer.files;
    input.dispatchEvent(new Event('change', {bubbles: true}));
  });
})()
"""

# The cells typed into the error table: [line, column, value] for each input.
COLLECT_JS = """
[...document.querySelectorAll('#upload-errors input[data-line]')]
  .map(i => [i.dataset.line, i.dataset.column, i.value])
"""


# Messages the page script may answer with (it has no catalogue of its own).
SCRIPT_KEYS = ("staff.upload.no_file", "staff.upload.network", "staff.upload.aborted")

MAX_EDITS = uploads.SHOWN_ERRORS
NOTE_LIMIT = 500  # characters of 更新说明 kept
# The preview_* fields (board.versions.preview_fields), lists and texts.
PREVIEW_LISTS = ("preview_changes", "preview_headers", "preview_headers_en", "preview_added_rows",
                 "preview_removed_rows")  # fmt: skip
PREVIEW_TEXTS = (
    "preview_key_header",
    "preview_key_header_en",
    *(f"preview_{part}_more{tail}" for part in ("added", "removed", "changes") for tail in ("", "_en")),
)


def chosen_name(value: str) -> str:
    """'C:\\fakepath\\台账.csv' (what a file input reports) -> '台账.csv'."""
    return uploads.safe_file_name(value) if value else ""


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


def counts_text(result: dict[str, Any]) -> tuple[str, str]:
    """'91 行：新增 0，修改 0…' in both languages, saying plainly when the file changes nothing: it
    would still make a version (the data's date moves on), which staff did not expect to publish."""
    counts = {k: result[k] for k in ("rows", "added", "changed", "removed", "skipped")}
    zh, en = i18n.both("staff.upload.counts", **counts)
    if not (counts["added"] or counts["changed"] or counts["removed"]):
        zh, en = i18n.both("staff.upload.no_change", counts=(zh, en))
    return zh, en


def _kind_key(kind: str) -> str:
    return f"staff.upload.kind.{kind}" if kind in ("csv", "xlsx", "xls", "ods") else ""


ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")


def _encoding_key(encoding: str) -> str:
    return f"staff.upload.encoding.{encoding}" if encoding in ENCODINGS else ""


DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}


def _fact(label_key: str, value: tuple[str, str]) -> dict[str, str]:
    label_zh, label_en = i18n.both(label_key)
    return {"label": label_zh, "label_en": label_en, "value": value[0], "value_en": value[1]}


def _known(key: str, fallback: str) -> tuple[str, str]:
    return i18n.both(key) if key else (fallback, fallback)


def read_facts(summary: ReadSummary) -> list[dict[str, str]]:
    """'编码: GBK…', '表头行: 第 3 行'…: how the file was read, each fact in both languages."""
    facts = [_fact("staff.upload.read.kind", _known(_kind_key(summary.kind), summary.kind))]
    if summary.kind == "csv":
        facts.append(
            _fact("staff.upload.read.encoding", _known(_encoding_key(summary.encoding), summary.encoding))
        )
        if summary.delimiter:
            name = DELIMITERS.get(summary.delimiter, "")
            shown = summary.delimiter
            facts.append(
                _fact(
                    "staff.upload.read.delimiter",
                    _known(f"staff.upload.delimiter.{name}" if name else "", shown),
                )
            )
    if summary.sheets:
        names = (i18n.both("staff.upload.read.sheet", sheet=s) for s in summary.sheets)
        facts.append(_fact("staff.upload.read.sheets", i18n.join_both("sep.list", names)))
    lines = summary.header_lines or {"": 1}
    several = len(lines) > 1
    parts = [
        i18n.both("staff.upload.read.header_sheet_line", sheet=sheet, line=line)
        if several and sheet
        else i18n.both("staff.upload.read.header_line", line=line)
        for sheet, line in lines.items()
    ]
    facts.append(_fact("staff.upload.read.header", i18n.join_both("sep.comma", parts)))
    return facts


def correction_rows(corrections: list[Correction]) -> list[dict[str, str]]:
    """Each correction as a sentence in both languages (line, column, old → new, who)."""
    empty = i18n.both("staff.upload.empty_value")
    out = []
    for c in corrections:
        zh, en = i18n.both(
            "staff.upload.correction",
            line=c.line,
            column=c.column,
            old=(c.old or empty[0], c.old or empty[1]),
            new=(c.new or empty[0], c.new or empty[1]),
            user=c.user,
        )
        out.append({"zh": zh, "en": en})
    return out


class Upload(rx.State):
    """The upload page's report; display only: every action re-checks on the server."""

    dataset: str = ""  # "" = let the headers choose
    chosen: str = ""  # the file picked or dropped, by name (shown in the drop zone)
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
    # How the file was read (ReadSummary), each text in both languages.
    facts: list[dict[str, str]] = rx.field(default_factory=list)
    skipped: list[dict[str, str]] = rx.field(default_factory=list)  # {"line", "zh", "en"}
    mapping: list[dict[str, str]] = rx.field(default_factory=list)  # {"written", "header", "header_en"}
    ignored: list[str] = rx.field(default_factory=list)
    corrections: list[dict[str, str]] = rx.field(default_factory=list)  # {"zh", "en"}
    fixable: int = 0  # errors with an input for their cell
    note: str = ""  # 更新说明 typed before confirming, kept with the version
    # What confirming will change: the first rows of each kind (board.versions.preview_fields).
    preview_changes: list[dict[str, str]] = rx.field(default_factory=list)
    preview_key_header: str = ""
    preview_key_header_en: str = ""
    preview_headers: list[str] = rx.field(default_factory=list)
    preview_headers_en: list[str] = rx.field(default_factory=list)
    preview_added_rows: list[list[str]] = rx.field(default_factory=list)
    preview_removed_rows: list[list[str]] = rx.field(default_factory=list)
    preview_added_more: str = ""
    preview_added_more_en: str = ""
    preview_removed_more: str = ""
    preview_removed_more_en: str = ""
    preview_changes_more: str = ""
    preview_changes_more_en: str = ""

    def _clear(self) -> None:
        self.note = ""
        self.pending = self.checked_dataset = self.file_name = ""
        self.counts = self.counts_en = self.message = self.message_en = ""
        self.accepted, self.error_count, self.removed, self.fixable = False, 0, 0, 0
        self.errors, self.warnings, self.moves, self.moves_en = [], [], [], []
        self.sample_headers, self.sample_headers_en, self.sample_rows = [], [], []
        self.facts, self.skipped, self.mapping, self.ignored, self.corrections = [], [], [], [], []
        self._show_preview({})

    def _show_preview(self, fields: dict[str, Any]) -> None:
        """The ``preview_*`` fields (:func:`dashboard.board.versions.preview_fields`); {} clears them."""
        for name in PREVIEW_LISTS:
            setattr(self, name, fields.get(name, []))
        for name in PREVIEW_TEXTS:
            setattr(self, name, fields.get(name, ""))

    def _say(self, key: str) -> None:
        self.message, self.message_en = i18n.both(key)

    def _done(self, key: str, **fmt: object) -> None:
        self.done, self.done_en = i18n.both(key, **fmt)

    @rx.event
    def set_note(self, value: str) -> None:
        self.note = value[:NOTE_LIMIT]

    @rx.event
    def set_dataset(self, value: str) -> None:
        self.dataset = "" if value == "auto" else value if value in DATASETS else ""

    @rx.event
    def choose(self, value: str) -> None:
        """The file input changed (picked or dropped): show its name in the drop zone."""
        self.chosen = chosen_name(value)

    @rx.event
    def abort(self):  # noqa: ANN201
        """Cancel the upload under way (the route sees the connection go: nothing is kept)."""
        return rx.call_script(ABORT_JS)

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
        fixable = report.fixable + [False] * (len(r["errors"]) - len(report.fixable))
        self.errors = [
            {
                "line": "" if e["line"] is None else str(e["line"]),
                "column": e["column"] or "",
                "value": "" if e["value"] is None else str(e["value"]),
                "message": e["message"],
                "message_en": e.get("message_en") or e["message"],
                "fixable": "1" if fix else "",
                # remounts the input when a check again changes what the cell holds
                "key": f"{e['line']}|{e['column']}|{e['value']}|{i}",
            }
            for i, (e, fix) in enumerate(zip(r["errors"][: uploads.SHOWN_ERRORS], fixable, strict=False))
        ]
        self.fixable = sum(1 for e in self.errors if e["fixable"])
        summary = ReadSummary.from_json(report.summary) if report.summary else None
        self.facts = read_facts(summary) if summary else []
        self.skipped = [
            {"line": "" if s.line is None else str(s.line), "zh": s.message, "en": s.message_en}
            for s in (summary.skipped if summary else [])
        ]
        self.mapping = [
            {
                "written": m.written,
                "header": m.header,
                "header_en": get_dataset(report.dataset).column(m.column).header_en,
            }
            for m in (summary.columns if summary else [])
        ]
        self.ignored = list(summary.ignored) if summary else []
        self.corrections = correction_rows(report.correction_list())
        skipped_rules = ("header.ignored", "read.skipped.")
        self.warnings = [
            {"zh": w["message"], "en": w.get("message_en") or w["message"]}
            if isinstance(w, dict)
            else {"zh": str(w), "en": str(w)}
            for w in r["warnings"]
            if not (isinstance(w, dict) and str(w.get("rule") or "").startswith(skipped_rules))
        ]
        self.counts, self.counts_en = counts_text(r)
        self.moves = report.moves
        self.moves_en = moves_en(report.dataset, report.moves)
        self.removed = int(r["removed"])
        self.sample_headers = report.sample_headers
        self.sample_headers_en = i18n.headers_in(DATASETS[report.dataset], report.sample_headers, "en")
        self.sample_rows = report.sample_rows
        counts = (int(r["added"]), int(r["removed"]), int(r["changed"]))
        preview = versions.preview_fields(report.dataset, report.changes, counts) if report.changes else {}
        self._show_preview(preview)

    @rx.event
    async def check_again(self):  # noqa: ANN201
        """Collect the corrected cells from the error table (the server checks them all again)."""
        if await require(self, Role.EDITOR) is None:
            self._say("staff.upload.forbidden")
            return None
        self.busy = True
        return rx.call_script(COLLECT_JS, callback=Upload.recheck)

    @rx.event
    async def recheck(self, edits: list[Any]) -> None:
        """Apply the typed cells to the pending file's rows and check again (its uploader only)."""
        self.busy = False
        who = await require(self, Role.EDITOR)
        if who is None:
            self._say("staff.upload.forbidden")
            return
        # An input left as shown changes nothing (a cell with two problems has two inputs).
        shown = {(e["line"], e["column"]): e["value"] for e in self.errors}
        cells: list[tuple[int, str, str]] = []
        for edit in (edits or [])[:MAX_EDITS]:
            try:
                line, column, value = (str(x) for x in edit)
                if shown.get((line, column)) != value:
                    cells.append((int(line), column, value))
            except (TypeError, ValueError):
                continue
        try:
            report = await asyncio.to_thread(
                uploads.correct, engine(), get_settings().data_dir, self.pending, who.name, cells,
                reveal_names=who.is_admin, scope=who.scope,
            )  # fmt: skip
        except uploads.PendingNotFound:
            self._clear()
            self._say("staff.upload.not_found")
            return
        self.message = self.message_en = ""
        self._show(report)

    @rx.event
    async def confirm(self) -> None:
        """Make the checked upload a new version (editor or admin, the uploader only)."""
        who = await require(self, Role.EDITOR)
        if who is None:
            self._say("staff.upload.forbidden")
            return
        data_dir = get_settings().data_dir
        try:
            actor = Actor(who.name, client_address(self))
            result = await asyncio.to_thread(
                uploads.confirm, engine(), data_dir, self.pending, actor, who.scope, self.note[:NOTE_LIMIT]
            )  # the account's scope as it is now, not as it was at the check
        except uploads.PendingNotFound:
            self._say("staff.upload.not_found")
            return
        except Exception as exc:
            if not storage.unavailable(exc):
                raise
            # Database restarting or disk full: nothing was written; the checked file stays pending.
            log.warning("confirming upload %s failed: %r", self.pending, exc)
            self._say("staff.upload.unavailable")
            return
        if result.accepted:  # the import audited itself, in its own transaction
            self._clear()
            self._done(
                "staff.upload.done",
                dataset=(DATASETS[result.dataset].title, DATASETS[result.dataset].title_en),
                version=result.version,
                rows=result.rows,
            )
        else:
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
