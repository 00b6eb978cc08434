"""Browser uploads between "checked" and "confirmed": nothing reaches a ledger until confirm.

An upload is checked with ``storage.import_table(..., dry_run=True)``; its bytes
(refused ones too: they can be corrected in place, and "my file with the problems
marked" is made from them) and the report wait privately under
``<data_dir>/pending/<random id>`` (never a
public directory, never named after the uploaded file) until the same user
confirms (a new version) or cancels (deleted). The report says how the file was
read (:mod:`dashboard.ingest.summary`) and what the new version would change:
counts, the status moves ("+3 已签约") and a sample of rows, masked for every
role but admin.

Fix in place: a refused upload keeps its bytes too, so the uploader can correct
the offending cells on the page and check again (:func:`correct`) without
sending the file again. Corrections apply to the rows as read, never to the
bytes: the version keeps the original file and the list of corrections.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import i18n
from dashboard.contract import DATASETS, ColType, Dataset, get_dataset
from dashboard.contract.scopes import Scope
from dashboard.ingest import Correction, RawTable, UnreadableFile, header_map, read_table, summarise, validate
from dashboard.ingest import corrections as corr
from dashboard.store import storage
from dashboard.store.audit import Actor, as_actor, audit
from dashboard.store.diff import preview_diff
from dashboard.store.export import BOM, make_inert, to_text_frame

PENDING_TTL_SECONDS = 3600
SAMPLE_ROWS = 5
SHOWN_ERRORS = 500  # the page lists (and offers inputs for) at most this many
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class PendingNotFound(LookupError):
    """No such pending upload for this user (wrong id, someone else's, expired or done)."""


def safe_file_name(name: str | None) -> str:
    """Only the last path component, printable, at most 200 characters: kept as a label only."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[-200:] or "upload"


def guess_dataset(data: bytes, file_name: str = "") -> str | None:
    """The dataset whose headers the file's header row matches best (None: no header we know)."""
    raw = read_table(data, file_name)
    best, best_score = None, 0
    for ds in DATASETS.values():
        matched = set(header_map(ds, raw))  # validation's own header matching, nothing looser
        required = {c.name for c in ds.columns if c.required}
        score = len(matched) + 2 * len(matched & required) - 3 * len(required - matched)
        if matched and score > best_score:
            best, best_score = ds.name, score
    return best


def _status_column(ds: Dataset) -> str | None:
    """The ordered enumeration a leader watches (stage, status), if the dataset has one."""
    for c in ds.columns:
        if c.type is ColType.ENUM and c.enum is not None and c.enum.ordered:
            return c.name
    return None


def status_moves(ds: Dataset, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """'+3 已签约', '-3 已评估': how many rows each status gains or loses (replace uploads)."""
    col = _status_column(ds)
    if col is None:
        return []
    enum = ds.column(col).enum
    old = before[col].value_counts(dropna=True)
    new = after[col].value_counts(dropna=True)
    out = []
    for choice in enum.choices:  # type: ignore[union-attr]
        delta = int(new.get(choice.code, 0)) - int(old.get(choice.code, 0))
        if delta:
            out.append(f"{delta:+d} {choice.label}")
    return out


@dataclass
class Report:
    """What the upload page shows after the check; stored as JSON next to the pending bytes."""

    id: str
    user: str
    dataset: str
    file_name: str
    size: int
    result: dict[str, Any]  # ImportResult.to_json()
    moves: list[str]
    sample_headers: list[str]
    sample_rows: list[list[str]]
    created: float
    summary: dict[str, Any] = field(default_factory=dict)  # ReadSummary.to_json()
    corrections: list[dict[str, Any]] = field(default_factory=list)  # Correction.to_json() each
    fixable: list[bool] = field(default_factory=list)  # per shown error: an input for its cell
    # The first rows it would change (VersionDiff.to_json: added, removed, changed cells), 户主
    # masked unless the uploader may see names; the result's counts say how many there are in all.
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return bool(self.result.get("accepted"))

    def correction_list(self) -> list[Correction]:
        return [Correction.from_json(c) for c in self.corrections]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check_upload(
    engine: Engine,
    data_dir: Path,
    data: bytes,
    file_name: str,
    dataset: str,
    *,
    user: Actor | str,
    reveal_names: bool,
    scope: Scope | None = None,
) -> Report:
    """Dry-run the upload and keep it pending, bytes and report (a refused one can be corrected,
    and its marked workbook is made from the bytes).

    A file that cannot be read or is refused is audited here ("upload_rejected"), once: checking
    it again with corrections is the same upload. ``scope``: a scoped editor's upload (its rows only).
    """
    file_name = safe_file_name(file_name)
    target = f"{dataset} {file_name}"
    try:
        who = as_actor(user).name
        report = _checked(engine, data, file_name, dataset, who, reveal_names, [], scope=scope)
    except UnreadableFile as exc:
        audit(engine, "upload_rejected", user, ok=False, target=target, detail=exc.message_en)
        raise
    if not report.accepted:
        detail = f"{report.result['error_count']} error(s)"
        if scope is not None:
            outside = any(str(e["rule"]).startswith("scope.") for e in report.result["errors"])
            detail += f"; scope {scope.text}" + ("; outside the scope" if outside else "")
        audit(engine, "upload_rejected", user, ok=False, target=target, detail=detail)
    report.id = secrets.token_urlsafe(24)
    _save(data_dir, report, data)
    return report


def correct(
    engine: Engine,
    data_dir: Path,
    pending_id: str,
    user: str,
    edits: list[tuple[int, str, str]],
    *,
    reveal_names: bool,
    scope: Scope | None = None,
) -> Report:
    """Check the pending upload again with ``edits`` ((line, column, new text)) on its cells.

    Only the uploader's own pending upload; cells the file does not have are
    ignored. The bytes are not touched; the report is replaced.
    """
    report = load_report(data_dir, pending_id, user)
    data = _pending_bytes(data_dir, report)
    raw = read_table(data, report.file_name, report.dataset)
    corrections = corr.merge(raw, report.correction_list(), edits, user)
    again = _checked(
        engine, data, report.file_name, report.dataset, user, reveal_names, corrections, raw, scope=scope
    )
    again.id = report.id
    (data_dir / "pending" / report.id / "report.json").write_text(
        json.dumps(again.to_json(), ensure_ascii=False), encoding="utf-8"
    )
    return again


def _checked(
    engine: Engine,
    data: bytes,
    file_name: str,
    dataset: str,
    user: str,
    reveal_names: bool,
    corrections: list[Correction],
    raw: RawTable | None = None,
    *,
    scope: Scope | None = None,
) -> Report:
    """Read once, apply the corrections, dry-run the import; summary, moves and sample for the page."""
    ds = get_dataset(dataset)
    raw = raw if raw is not None else read_table(data, file_name, dataset)
    result = storage.import_table(
        engine, dataset, raw, data, file_name,
        user=user, dry_run=True, corrections=corrections, scope=scope, preview=True,
    )  # fmt: skip
    fixed = corr.apply(raw, corrections)
    moves: list[str] = []
    headers: list[str] = []
    rows: list[list[str]] = []
    changes: dict[str, Any] = {}
    if result.accepted and result.preview is not None:
        latest = storage.latest_versions(engine).get(dataset)
        got = preview_diff(dataset, latest.number if latest else 0, result.preview)
        changes = got.to_json(mask_personal=not reveal_names)
    if result.accepted:
        checked = validate(ds, fixed)
        if ds.default_mode.value == "replace":
            moves = status_moves(ds, storage.load_current(engine, dataset), checked.frame)
        sample = to_text_frame(ds, checked.frame.head(SAMPLE_ROWS), mask_personal=not reveal_names)
        headers = [str(h) for h in sample.columns]
        rows = [["" if pd.isna(v) else str(v) for v in r] for r in sample.itertuples(index=False)]
    answer = result.to_json()
    return Report(
        id="",
        user=user,
        dataset=dataset,
        file_name=file_name,
        size=len(data),
        result=answer,
        moves=moves,
        sample_headers=headers,
        sample_rows=rows,
        created=time.time(),
        summary=summarise(fixed, ds).to_json(),
        corrections=[c.to_json() for c in corrections],
        fixable=[corr.can_correct(raw, e["line"], e["column"]) for e in answer["errors"][:SHOWN_ERRORS]],
        changes=changes,
    )


def _pending_dir(data_dir: Path) -> Path:
    path = data_dir / "pending"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _save(data_dir: Path, report: Report, data: bytes) -> None:
    root = _pending_dir(data_dir)
    purge_expired(data_dir)
    folder = root / report.id
    folder.mkdir(mode=0o700)
    (folder / "upload.bin").write_bytes(data)
    (folder / "report.json").write_text(json.dumps(report.to_json(), ensure_ascii=False), encoding="utf-8")


def purge_expired(data_dir: Path, ttl: float = PENDING_TTL_SECONDS) -> None:
    root = data_dir / "pending"
    if not root.is_dir():
        return
    for folder in root.iterdir():
        try:
            if time.time() - folder.stat().st_mtime > ttl:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass


def load_report(data_dir: Path, pending_id: str, user: Actor | str) -> Report:
    """The pending report, only for the user who uploaded it."""
    user = as_actor(user).name
    if not _ID_RE.match(pending_id or ""):
        raise PendingNotFound(pending_id)
    path = data_dir / "pending" / pending_id / "report.json"
    try:
        report = Report(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise PendingNotFound(pending_id) from None
    if report.user != user or time.time() - report.created > PENDING_TTL_SECONDS:
        raise PendingNotFound(pending_id)
    return report


def load_upload(data_dir: Path, pending_id: str, user: Actor | str) -> tuple[Report, bytes]:
    """The pending report and the uploaded bytes, only for the user who uploaded them."""
    report = load_report(data_dir, pending_id, user)
    return report, _pending_bytes(data_dir, report)


def discard(data_dir: Path, pending_id: str, user: Actor | str) -> None:
    """Cancel: the pending bytes are deleted, nothing was written."""
    report = load_report(data_dir, pending_id, user)
    shutil.rmtree(data_dir / "pending" / report.id, ignore_errors=True)


def _pending_bytes(data_dir: Path, report: Report) -> bytes:
    try:
        return (data_dir / "pending" / report.id / "upload.bin").read_bytes()
    except OSError:
        raise PendingNotFound(report.id) from None


def confirm(
    engine: Engine,
    data_dir: Path,
    pending_id: str,
    user: Actor | str,
    scope: Scope | None = None,
    note: str = "",
) -> storage.ImportResult:
    """Import the pending bytes with their corrections for real (checked again: the data may have
    moved on; ``scope``: the confirming account's, as it is now), with the uploader's 更新说明
    ``note``. Either way the pending upload is done; the import audits itself."""
    report = load_report(data_dir, pending_id, user)
    data = _pending_bytes(data_dir, report)
    result = storage.import_file(
        engine, report.dataset, data, report.file_name, user=user, corrections=report.correction_list(),
        scope=scope, note=note,
    )  # fmt: skip
    shutil.rmtree(data_dir / "pending" / report.id, ignore_errors=True)
    return result


def _bilingual(pair: tuple[str, str]) -> str:
    return " ".join(pair)


# Read by staff in either language, so both at once: 行 line, 列 column, 值 value, then 问题 and problem.
ERROR_HEADERS = (
    _bilingual(i18n.both("uploads.errors.col.line")),
    _bilingual(i18n.both("uploads.errors.col.column")),
    _bilingual(i18n.both("uploads.errors.col.value")),
    *i18n.both("uploads.errors.col.message"),
)


def errors_table(report: Report) -> list[list[object]]:
    """The refused upload's errors as rows: line, column, value, message, message_en."""
    return [
        [e.get("line"), e.get("column") or None, e.get("value") or None, e["message"], e["message_en"]]
        for e in report.result.get("errors", [])
    ]


def errors_csv(report: Report) -> bytes:
    """The error report staff can open in Excel: line, column, value, message (UTF-8 with BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(ERROR_HEADERS)
    for row in errors_table(report):
        writer.writerow([make_inert(str("" if c is None else c)) for c in row])
    return (BOM + buf.getvalue()).encode("utf-8")


def errors_xlsx(report: Report) -> bytes:
    """The same error report as a workbook (text cells stay text, never formulas)."""
    from dashboard.store.xlsx import table_xlsx

    return table_xlsx(i18n.t("uploads.errors.sheet", "zh"), ERROR_HEADERS, errors_table(report))


def template_xlsx(dataset: str) -> bytes:
    """The blank template as a workbook (see :func:`dashboard.store.xlsx.template_xlsx`)."""
    from dashboard.store.xlsx import template_xlsx as build

    return build(dataset)
