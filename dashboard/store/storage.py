"""Versioned storage of the ledgers: import, history, restore.

Every accepted upload becomes a new numbered version of its dataset, recorded
with who, when, the file's name, SHA-256, row counts and the original bytes.
Rows live in one ledger table per dataset (see :mod:`dashboard.store.tables`);
a row is written when it appears or changes and closed when it changes or
goes, so unchanged rows are never copied and any version can be read back.

One import is one transaction, serialized per dataset: on PostgreSQL by
``SELECT ... FOR UPDATE`` on the dataset's ``dataset_head`` row, on SQLite by
``BEGIN IMMEDIATE`` (one writer at a time, WAL so readers never wait). A
process killed mid-import therefore leaves the previous version whole.

Bulk rows go through the raw driver (sqlite3 ``executemany`` of tuples,
psycopg ``COPY``) with columns converted once, vectorised: no ORM objects per
row, because the benchmark imports a million rows.

A version that writes many rows and gets a columnar copy (a first import, a whole-ledger replace
with a tenth of it new) commits them as one columnar blob (``ledger_pending``) instead, and they
are moved into the ledger table right after the commit (:func:`settle`): the row inserts were
most of a million-row import's time, and the boards read the copy meanwhile.
Every read of a ledger, and every write, first settles the versions it would see
(:func:`reading`, :func:`_write_transaction`), so none is ever read without its rows.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import logging
import os
import struct
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine

from dashboard import i18n
from dashboard.contract import ColType, Dataset, Mode, get_dataset, referencing
from dashboard.contract.scopes import Scope, covers, scope_text
from dashboard.ingest import (
    Correction,
    Problem,
    Problems,
    RawTable,
    check_references_exist,
    check_still_referenced,
    coerce_types,
    read_table,
    run_check,
    scoping,
    typed_empty,
    validate,
)
from dashboard.ingest import corrections as corr
from dashboard.settings import get_settings
from dashboard.store import copyfiles, rounds
from dashboard.store.audit import CLI, Actor, as_actor, audit, begin_write, record
from dashboard.store.tables import (
    LEDGERS,
    DatasetHead,
    DatasetVersion,
    LedgerIndex,
    LedgerPending,
    VersionFile,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
KEY_SEPARATOR = "\x1f"  # ASCII unit separator: never typed in a spreadsheet cell
SQLITE_BUSY_TIMEOUT_MS = 120_000  # a 1M-row import holds the write lock for seconds
COPY_AT_ROWS = 20_000  # an import this big may write its version's columnar copy (store.copyfiles)
SETTLE_LATER_AT_ROWS = 20_000  # a version with a copy writing this many rows commits them as a blob
_PENDING_BATCH_ROWS = 50_000  # rows per record batch of a pending blob: what a settle holds at once
_COPY_CHUNK_ROWS = 50_000
_SQLITE_MAX_VARIABLES = 999  # the lowest limit any SQLite build has
_SQLITE_CHUNK_ROWS = 25_000  # rows turned into Python values at a time (bounds the peak memory)

log = logging.getLogger(__name__)

_VERSION = DatasetVersion.__table__
_FILE = VersionFile.__table__
_HEAD = DatasetHead.__table__
_PENDING = LedgerPending.__table__
_INDEX = LedgerIndex.__table__


# ---------------------------------------------------------------------------
# Results


@dataclass
class VersionInfo:
    """One version of one dataset, as listed in the history."""

    dataset: str
    number: int
    created_at: datetime  # aware, UTC
    user: str
    file_name: str
    sha256: str
    mode: str
    rows: int
    added: int
    changed: int
    removed: int
    skipped: int
    restored_from: int | None
    id: int
    corrections: list[Correction] = field(default_factory=list)  # cells fixed on the upload page
    scope: str = ""  # the scope it was made under (contract.scopes text); "" = office-wide
    note: str = ""  # the uploader's 更新说明


@dataclass
class PreviewRows:
    """The first rows a checked upload would change (:data:`PREVIEW_ROWS` of each kind), as the
    version diff compares them: the ledger's rows it closes, the file's rows it writes, with their
    keys (``store.diff.preview_diff`` makes them a diff). Staff see what will change before
    confirming, chosen by the very masks the write uses (mode, scope, kept columns)."""

    old: pd.DataFrame  # current rows changed or removed
    old_keys: np.ndarray
    new: pd.DataFrame  # the upload's rows changed or added
    new_keys: np.ndarray


PREVIEW_ROWS = 50  # rows of each kind (changed, added, removed) a preview holds


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refusal, would have done)."""

    dataset: str
    accepted: bool
    dry_run: bool
    version: int | None
    rows: int
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: int = 0
    problems: Problems = field(default_factory=Problems)
    rounds: list[int] = field(default_factory=list)  # the reporting rounds this upload reported in
    preview: PreviewRows | None = None  # a dry run asked for it: the first rows it would change

    @property
    def error_count(self) -> int:
        return len(self.problems.errors)

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` output and the API shape; keys are fixed."""

        def one(p: Problem) -> dict[str, Any]:
            return {
                "sheet": p.sheet,
                "line": p.line,
                "column": p.column,
                "value": p.value,
                "rule": p.rule,
                "message": p.message,
                "message_en": p.message_en,
            }

        return {
            "dataset": self.dataset,
            "accepted": self.accepted,
            "dry_run": self.dry_run,
            "version": self.version,
            "rows": self.rows,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "skipped": self.skipped,
            "warnings": [one(p) for p in self.problems.warnings],
            "errors": [one(p) for p in self.problems.errors],
            "error_count": self.error_count,
        }


# ---------------------------------------------------------------------------
# Engine and schema

_ENGINES: OrderedDict[str, Engine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
_MAX_ENGINES = 8  # tests make one URL each; old engines give their connections back


def make_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: settings), created once per URL.

    SQLite gets WAL (readers never block the writer), foreign keys, a
    generous busy timeout, and SQLAlchemy's BEGIN recipe so that imports can
    ask for ``BEGIN IMMEDIATE`` (see :func:`_write_transaction`).
    """
    url = url or get_settings().db_url
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _create_engine(url)
            _ENGINES[url] = engine
            while len(_ENGINES) > _MAX_ENGINES:
                _ENGINES.popitem(last=False)[1].dispose()  # still usable: it reconnects if asked
        _ENGINES.move_to_end(url)
        return engine


class BadDatabaseUrl(ValueError):
    """DASHBOARD_DB_URL cannot be used as written: what is wrong and what to write, in both languages."""

    def __init__(self, key: str, **fmt: object) -> None:
        self.message, self.message_en = i18n.both(key, **fmt)
        super().__init__(self.message_en)


#: The drivers this product ships (requirements.txt): SQLite, and PostgreSQL through psycopg 3.
_DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}
_EXAMPLE = "postgresql+psycopg://user@host:5432/dbname"


def check_url(url: str) -> sa.engine.URL:
    """The parsed DASHBOARD_DB_URL, or BadDatabaseUrl saying what to write instead (not a
    traceback from SQLAlchemy's parser or a driver that is not installed)."""
    shown = url.split("@")[-1] if "@" in url else url  # never a password
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise BadDatabaseUrl("db_url.unparsable", url=shown, example=_EXAMPLE) from None
    if parsed.drivername not in _DRIVERS:
        if parsed.get_backend_name() in ("postgres", "postgresql"):
            fixed = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
            raise BadDatabaseUrl("db_url.pg_driver", driver=parsed.drivername, fixed=fixed)
        raise BadDatabaseUrl("db_url.unsupported", driver=parsed.drivername, example=_EXAMPLE)
    return parsed


def _create_engine(url: str) -> Engine:
    parsed = check_url(url)
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        try:  # a new data directory is private: it will hold personal data (0700, as install.sh makes it)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise BadDatabaseUrl("db_url.sqlite_folder", folder=folder, reason=exc.strerror) from None
        _private_file(Path(parsed.database))
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses no committed version
        cur.execute("PRAGMA journal_size_limit = 67108864")  # a 1M-row import need not leave a 200 MB WAL
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _private_file(path: Path) -> None:
    """A new SQLite file is made owner-only before SQLite opens it (its -wal and -shm files take the
    same mode): it holds the ledgers with names and the account hashes, not for other local users."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # a read-only place: SQLite itself says so when it is opened


def alembic_config(engine: Engine | None = None) -> Any:
    """Alembic configuration with the script location set in code (no alembic.ini)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration; a no-op when already there.

    Runs on one connection in one transaction, serialized (advisory lock on
    PostgreSQL, BEGIN IMMEDIATE on SQLite) so two processes starting at once
    do not both create the tables.
    """
    from alembic import command

    cfg = alembic_config()
    with begin_write(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('dashboard.migrate'))"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


# ---------------------------------------------------------------------------
# Import


def import_file(
    engine: Engine,
    dataset: str,
    data: bytes,
    file_name: str,
    *,
    mode: Mode | None = None,
    user: Actor | str = CLI,
    dry_run: bool = False,
    corrections: Sequence[Correction] = (),
    at: datetime | None = None,
    scope: Scope | None = None,
    note: str = "",
) -> ImportResult:
    """Read, validate and store one upload as a new version: all or nothing.

    The version and its audit row ("upload", by ``user``) commit together; a
    refused upload (not a dry run) is audited as "upload_rejected".

    Raises ``UnreadableFile`` (not a table at all) and ``CheckCrashed`` (a bug
    in a check); every data problem comes back in the result instead, with
    nothing written. Datasets with foreign keys are validated inside the
    import's transaction, against the referenced keys as they are then.
    ``corrections`` (cells fixed on the upload page) are applied to the rows
    as read; the version keeps ``data`` unchanged and the list of corrections. ``note``: the
    uploader's 更新说明, kept with the version.

    ``at`` stamps the version with a past time instead of now: only the demo
    loader, which replays weeks of uploads (:mod:`dashboard.demo.history`),
    passes it. It must be aware and not before the dataset's newest version
    (a version's number and time increase together), else ValueError.

    ``scope``: a scoped editor's upload (:func:`_scoped_frame`): only the scope's rows, and
    a replace replaces the scope's rows only.
    """
    return import_table(
        engine, dataset, read_table(data, file_name, dataset), data, file_name,
        mode=mode, user=user, dry_run=dry_run, corrections=corrections, at=at, scope=scope, note=note,
    )  # fmt: skip


def import_table(
    engine: Engine,
    dataset: str,
    raw: RawTable,
    data: bytes,
    file_name: str,
    *,
    mode: Mode | None = None,
    user: Actor | str = CLI,
    dry_run: bool = False,
    corrections: Sequence[Correction] = (),
    at: datetime | None = None,
    scope: Scope | None = None,
    note: str = "",
    preview: bool = False,
) -> ImportResult:
    """:func:`import_file` for a file already read (``raw = read_table(data)``): read once per check.
    ``preview`` (a dry run): the result's :class:`PreviewRows`."""
    ds = get_dataset(dataset)
    mode = Mode(mode) if mode else ds.default_mode
    # Handed on in a list the validation empties: the file as strings (about 90 MB of a 1M-row
    # import's peak) is let go once typed, not held through the write (unless the caller keeps it).
    handed = [corr.apply(raw, corrections)]
    del raw
    upload = _Upload(
        who=as_actor(user),
        file_name=file_name,
        data=data,
        corrections=list(corrections),
        at=at,
        scope=scope,
        note=note.strip(),
        preview=preview and dry_run,
    )
    if scope is not None and not covers(ds.name, scope.kind):  # an office-wide ledger, or another kind's
        result = _refused(ds, _outside_dataset(ds, scope), 0, dry_run)
    else:
        result = _import(engine, ds, handed, mode, upload, dry_run)
    if not result.accepted and not dry_run:
        _audit_refusal(engine, upload, ds, result)
    return result


def _import(
    engine: Engine, ds: Dataset, raw: list[RawTable], mode: Mode, upload: _Upload, dry_run: bool
) -> ImportResult:
    checked = None
    if upload.scope is not None:
        return _import_scoped(engine, ds, raw, mode, upload, dry_run)
    if not ds.foreign_keys:  # validate before taking the lock: keeps the lock short
        checked = validate(ds, raw.pop())
        if not checked.ok:
            return _refused(ds, checked.problems, len(checked.frame), dry_run)
    share = _ref_datasets(ds) + (_referencing_datasets(ds) if mode is Mode.REPLACE else ())
    with _write_transaction(engine, ds.name, share=share) as tx:
        if checked is None:
            checked = validate(ds, raw.pop(), refs=_current_refs(tx.conn, ds))
            if not checked.ok:
                tx.rollback()
                return _refused(ds, checked.problems, len(checked.frame), dry_run)
        if mode is Mode.REPLACE and (dropped := _still_referenced(tx.conn, ds, checked.frame)):
            tx.rollback()
            return _refused(ds, dropped, len(checked.frame), dry_run)
        frame = checked.frame
        if mode is Mode.UPSERT:
            frame = _keep_absent_columns(tx.conn, ds, frame, checked.column_map, checked.problems)
        return _write_version(
            tx, ds, frame, mode, upload, dry_run=dry_run, problems=checked.problems, keys_checked=True
        )


def _import_scoped(
    engine: Engine, ds: Dataset, raw: list[RawTable], mode: Mode, upload: _Upload, dry_run: bool
) -> ImportResult:
    """A scoped editor's upload: validated against the scope inside the write lock, as the
    scope's rows depend on the ledgers as they are then (activities: the brands' communities)."""
    assert upload.scope is not None
    share = tuple(dict.fromkeys(
        _ref_datasets(ds) + scoping.needs(ds.name)
        + (_referencing_datasets(ds) if mode is Mode.REPLACE else ())
    ))  # fmt: skip
    with _write_transaction(engine, ds.name, share=share) as tx:
        around = {name: _load(tx.conn, get_dataset(name), None) for name in scoping.needs(ds.name)}
        rule = scoping.allowed(upload.scope, ds.name, around)
        assert rule is not None  # covers() said the scope reaches this ledger
        refs = _current_refs(tx.conn, ds) if ds.foreign_keys else None
        checked = validate(ds, raw.pop(), refs=refs, scope=rule)
        if not checked.ok:
            tx.rollback()
            return _refused(ds, checked.problems, len(checked.frame), dry_run)
        frame, problems = _scoped_frame(tx.conn, ds, checked.frame, mode, rule)
        if problems:
            tx.rollback()
            return _refused(ds, problems, len(checked.frame), dry_run)
        if mode is Mode.REPLACE and (dropped := _still_referenced(tx.conn, ds, frame)):
            tx.rollback()
            return _refused(ds, dropped, len(checked.frame), dry_run)
        if mode is Mode.UPSERT:
            frame = _keep_absent_columns(tx.conn, ds, frame, checked.column_map, checked.problems)
        return _write_version(
            tx, ds, frame, mode, upload, dry_run=dry_run, problems=checked.problems, keys_checked=True
        )


def _scoped_frame(
    conn: Connection, ds: Dataset, frame: pd.DataFrame, mode: Mode, rule: tuple[str, frozenset[str]]
) -> tuple[pd.DataFrame, Problems]:
    """What a scoped upload writes: a replace keeps every current row outside the scope as it is
    (unchanged rows are never rewritten, so they stay byte-identical) and replaces the scope's;
    a key that already belongs to another scope is refused at its line in every mode."""
    current = _load(conn, ds, None)
    outside = current[~scoping.in_scope(current, *rule).to_numpy()]
    problems = Problems()
    if len(outside):
        taken = pd.Index(row_keys(ds, outside))
        clash = taken.get_indexer(row_keys(ds, frame)) >= 0
        column = ds.key[0]
        for line, value in zip(frame.index[clash], frame.loc[clash, column].astype(str), strict=True):
            header = ds.column(column).header
            problems.add(Problem(
                "scope.key_outside", *i18n.both("check.scope.key_outside", column=header, value=value),
                line=int(line), column=header, value=value,
            ))  # fmt: skip
    if problems or mode is not Mode.REPLACE:
        return frame, problems
    kept = pd.concat([outside.reset_index(drop=True), frame.reset_index(drop=True)], ignore_index=True)
    return coerce_types(ds, kept), problems


def _keep_absent_columns(
    conn: Connection, ds: Dataset, frame: pd.DataFrame, present: Mapping[str, str], problems: Problems
) -> pd.DataFrame:
    """An upsert whose file lacks optional columns (this week's 督办 sheet without 责任单位, 备注):
    a row already in the ledger keeps what those columns hold; a row new to the ledger has them
    empty, as now. Said in a warning naming the columns. Replace and append are not touched.

    A column a cross-column rule reads is not kept: the file's cells were checked with it empty (a
    reopened item's stored 办结日期 would break "empty until 已办结"), and a derived one (term_end)
    is computed from the file's own cells."""
    ruled = {*ds.derived, *(name for o in ds.date_orders for name in (o.earlier, o.later))}
    ruled |= {name for r in ds.required_from for name in (r.column, r.status_column)}
    absent = [c for c in ds.columns if c.name not in present and c.name not in ruled]
    if not absent or not len(frame):
        return frame
    current = _load(conn, ds, None)
    if not len(current):
        return frame
    at = pc.fill_null(pc.index_in(_key_texts(ds, frame), value_set=_key_texts(ds, current)), -1)
    at = at.to_numpy(zero_copy_only=False).astype(np.int64)
    matched = at >= 0
    if not matched.any():
        return frame
    frame = frame.copy(deep=False)  # the caller's frame stays as validated
    for col in absent:
        kept = current[col.name].take(np.where(matched, at, 0)).where(matched)
        kept.index = frame.index
        frame[col.name] = kept.astype(frame[col.name].dtype)
    columns = i18n.join_both("sep.list", [(c.header, c.header_en) for c in absent])
    message = i18n.both("check.upsert.absent_kept", n=int(matched.sum()), columns=columns)
    problems.items.insert(0, Problem("upsert.absent_kept", *message, severity="warning"))
    return frame


def _outside_dataset(ds: Dataset, scope: Scope) -> Problems:
    """The whole ledger is outside the scope (milestones, meetings; demolition for a community)."""
    problems = Problems()
    problems.add(Problem(
        "scope.dataset",
        *i18n.both("check.scope.dataset", dataset=(ds.title, ds.title_en), scope=scope.text),
        value=ds.name,
    ))  # fmt: skip
    return problems


def _audit_refusal(engine: Engine, upload: _Upload, ds: Dataset, result: ImportResult) -> None:
    """A refused write leaves only its audit row (in a transaction of its own)."""
    action = "upload_rejected" if upload.action == "upload" else upload.action
    detail = f"{result.error_count} error(s)"
    if upload.scope is not None:
        detail += f"; scope {upload.scope.text}"
        if any(p.rule.startswith("scope.") for p in result.problems.errors):
            detail += "; outside the scope"
    audit(engine, action, upload.who, ok=False, target=upload.target(ds), detail=detail)


def store_frame(
    engine: Engine,
    dataset: str,
    frame: pd.DataFrame,
    *,
    mode: Mode | None = None,
    user: Actor | str = CLI,
    file_name: str = "",
    data: bytes | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Store an already validated, typed frame (``Checked.frame``) as a new version.

    The write half of :func:`import_file`, for callers that built the frame
    themselves (tests, the demo builder). No validation happens here apart
    from the storage's own rule: a key at most once per upload. ``data``, if
    given, is kept as the version's original file.
    """
    ds = get_dataset(dataset)
    mode = Mode(mode) if mode else ds.default_mode
    with _write_transaction(engine, ds.name) as tx:
        return _write_version(
            tx, ds, frame, mode, _Upload(who=as_actor(user), file_name=file_name, data=data), dry_run=dry_run
        )


def restore(engine: Engine, dataset: str, version: int, user: Actor | str = CLI) -> ImportResult:
    """Make a new version whose content equals ``version``'s; history is kept.

    Audited as "restore" with the new version (or refused, with the reason's count), like an upload.
    """
    ds = get_dataset(dataset)
    upload = _Upload(who=as_actor(user), file_name="", data=None, restored_from=version, action="restore")
    result = _restore(engine, ds, version, upload)
    if not result.accepted:
        _audit_refusal(engine, upload, ds, result)
    return result


def _restore(engine: Engine, ds: Dataset, version: int, upload: _Upload) -> ImportResult:
    share = _ref_datasets(ds) + _referencing_datasets(ds)
    with _write_transaction(engine, ds.name, share=share) as tx:
        source = _version_row(tx.conn, ds.name, version)
        if source is None:
            tx.rollback()
            problems = Problems()
            problems.add(
                Problem(
                    "restore.no_such_version",
                    *i18n.both("check.restore.no_such_version", dataset=(ds.title, ds.name), version=version),
                    value=str(version),
                )
            )
            return _refused(ds, problems, 0, dry_run=False)
        frame, positions = _load_with_positions(tx.conn, ds, version)
        if dropped := _still_referenced(tx.conn, ds, frame):  # e.g. brands that activities now name
            tx.rollback()
            return _refused(ds, dropped, len(frame), dry_run=False)
        if ds.foreign_keys and (
            gone := run_check("restore.refs", check_references_exist, ds, frame, _current_refs(tx.conn, ds))
        ):  # e.g. activities of a brand removed since
            tx.rollback()
            return _refused(ds, gone, len(frame), dry_run=False)
        upload.file_name, upload.sha256 = source.file_name, source.sha256
        return _write_version(
            tx, ds, frame, Mode.REPLACE, upload, dry_run=False, keys_checked=True, positions=positions
        )


# ---------------------------------------------------------------------------
# Reading


def load_current(engine: Engine, dataset: str) -> pd.DataFrame:
    """The dataset as it is now, typed like ``Checked.frame``, in ledger order."""
    return _version_rows(engine, get_dataset(dataset), None).frame


def load_version(engine: Engine, dataset: str, version: int) -> pd.DataFrame:
    """The dataset as it was at ``version``; KeyError when there is no such version."""
    return _version_rows(engine, get_dataset(dataset), version).frame


@dataclass
class VersionSpan:
    """The rows of every version from ``first`` to ``last`` of one dataset, read in one query.

    A row belongs to the versions ``version_from <= v < version_to``; :meth:`at` slices out one
    version's content, so N versions cost one read of the rows alive over the span (the current
    rows plus those changed or removed since ``first``), not N whole reads.
    """

    frame: pd.DataFrame  # typed like load_version, ordered by position then version_from
    version_from: np.ndarray
    version_to: np.ndarray  # 0: still current

    def at(self, number: int) -> pd.DataFrame:
        """The content of version ``number`` (within the span read), in ledger order."""
        alive = (self.version_from <= number) & ((self.version_to == 0) | (self.version_to > number))
        return self.frame[alive].reset_index(drop=True)


def count_rows_between(engine: Engine, dataset: str, first: int, last: int) -> int:
    """How many rows :func:`load_versions_between` would read (to keep a caller within a budget)."""
    name = get_dataset(dataset).name
    table = LEDGERS[name]
    alive = sa.and_(
        table.c.version_from <= last, sa.or_(table.c.version_to.is_(None), table.c.version_to > first)
    )
    with reading(engine, name, upto=last) as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(alive)).scalar_one())


def load_versions_between(engine: Engine, dataset: str, first: int, last: int) -> VersionSpan:
    """Every version from ``first`` to ``last`` of ``dataset`` at once (see :class:`VersionSpan`)."""
    ds = get_dataset(dataset)
    with reading(engine, ds.name, upto=last) as conn:
        names = ", ".join(_quote(conn, n) for n in ds.column_names)
        table = _quote(conn, LEDGERS[ds.name].name)
        sql = (
            f"SELECT position, version_from, COALESCE(version_to, 0), {names} FROM {table}"
            " WHERE version_from <= ? AND (version_to IS NULL OR version_to > ?)"
        )
        rows = _fetchall(conn, _sql(conn, sql), (last, first))
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return VersionSpan(typed_empty(ds), empty, empty)
    grid = np.array(rows, dtype=object)
    del rows
    order = np.lexsort((grid[:, 1].astype(np.int64), grid[:, 0].astype(np.int64)))
    grid = grid[order]
    frame = pd.DataFrame({c.name: _decode(grid[:, i + 3], c.type) for i, c in enumerate(ds.columns)})
    return VersionSpan(coerce_types(ds, frame), grid[:, 1].astype(np.int64), grid[:, 2].astype(np.int64))


@dataclass
class VersionRows:
    """A version's rows (``frame``, as :func:`load_version` gives it) with each row's ledger id and position.

    What :func:`load_changes` needs to turn one version's frame into a later one's
    without reading the rows that stayed.
    """

    frame: pd.DataFrame
    ids: np.ndarray  # ledger row id of each frame row
    positions: np.ndarray  # ledger order, ascending

    def apply(self, gone: np.ndarray, added: VersionRows) -> VersionRows:
        """These rows without the ids ``gone`` and with ``added``, in ledger order."""
        keep = ~np.isin(self.ids, gone) if len(gone) else np.ones(len(self.ids), dtype=bool)
        if keep.all() and not len(added.ids):
            return self
        kept = np.flatnonzero(keep)
        positions = np.concatenate([self.positions[kept], added.positions])
        order = np.argsort(positions, kind="stable")
        # Each row of the result: where it comes from in these rows followed by the added ones.
        # One take per column (not filter, concat, then sort: three copies of a million rows).
        source = np.concatenate([kept, len(self.ids) + np.arange(len(added.ids))])[order]
        if list(self.frame.dtypes) == list(added.frame.dtypes):
            frame = pd.DataFrame(
                {name: _joined(col, added.frame[name]).take(source) for name, col in self.frame.items()},
                columns=self.frame.columns,
            )
        else:  # typed alike in practice; pandas reconciles the types otherwise
            both = pd.concat([self.frame, added.frame], ignore_index=True)
            frame = both.take(source).reset_index(drop=True)
        ids = np.concatenate([self.ids, added.ids])[source]
        return VersionRows(frame, ids, positions[order])


def _joined(first: pd.Series, second: pd.Series) -> Any:
    """The two columns' values end to end (arrow-backed strings: no copy until the take)."""
    return type(first.array)._concat_same_type([first.array, second.array])


def load_rows(engine: Engine, dataset: str, version: int) -> VersionRows:
    """:func:`load_version` with each row's ledger id and position; KeyError when there is no such version."""
    return _version_rows(engine, get_dataset(dataset), version)


def load_changes(
    engine: Engine,
    dataset: str,
    since: int,
    version: int,
    after_id: int | None = None,
    since_ids: np.ndarray | None = None,
) -> tuple[np.ndarray, VersionRows]:
    """What turns version ``since`` into ``version`` (later or earlier): ids of the rows gone, rows added.

    Two range queries on the ledger's version columns, so a replace that changes
    1% of a million rows reads that 1%, not the million:
    ``load_rows(since).apply(*load_changes(since, version))`` equals ``load_rows(version)``.
    ``after_id`` (the largest row id of version ``since``): later rows were inserted later,
    so their ids are larger, and the scan starts there instead of at the first row. The
    rows found are checked against the versions' own added/removed counts; should they
    disagree (ids that did not grow), the whole table is scanned as without it.
    ``since_ids`` (the row ids of version ``since``), going back one version (the KPI deltas'
    previous version): the rows version ``since`` wrote are its largest ids, as many as it
    added and changed, so they are found by id instead of by a scan; checked the same way.
    """
    ds = get_dataset(dataset)
    lo, hi = sorted((since, version))
    with reading(engine, ds.name, above=lo, upto=hi) as conn:
        if lo < 0 or lo == hi or _version_row(conn, ds.name, version) is None:
            raise KeyError(f"{dataset}: no changes from version {since} to {version}")
        table = _quote(conn, LEDGERS[ds.name].name)
        only_lo = "version_from <= ? AND version_to > ? AND version_to <= ?", (lo, lo, hi)
        only_hi = (
            "version_from > ? AND version_from <= ? AND (version_to IS NULL OR version_to > ?)",
            (lo, hi, hi),
        )
        (gone_where, gone_params), added_where = (only_lo, only_hi) if since < version else (only_hi, only_lo)
        gone = None
        if since == version + 1:  # one version back: the rows ``since`` wrote, found by id
            gone = _written_by(conn, ds, table, since, since_ids, gone_where, gone_params)
        if gone is None:
            found = _fetchall(conn, _sql(conn, f"SELECT id FROM {table} WHERE {gone_where}"), gone_params)
            gone = np.array([i for (i,) in found], dtype=np.int64)
        if since < version and after_id is not None:
            where, params = added_where
            added = _rows_where(conn, ds, f"id > ? AND {where}", (int(after_id), *params))
            grew = sa.select(sa.func.coalesce(sa.func.sum(_VERSION.c.added - _VERSION.c.removed), 0)).where(
                _VERSION.c.dataset == ds.name, _VERSION.c.number > lo, _VERSION.c.number <= hi
            )
            if len(added.ids) - len(gone) == int(conn.execute(grew).scalar_one()):
                return gone, added
        return gone, _rows_where(conn, ds, *added_where)


def _written_by(
    conn: Connection,
    ds: Dataset,
    table: str,
    number: int,
    ids: np.ndarray | None,
    where: str,
    params: tuple[Any, ...],
) -> np.ndarray | None:
    """Ids of the rows version ``number`` wrote (``where``), found among the largest of its ``ids``;
    None when the version's counts and the rows found disagree (the caller scans instead)."""
    if ids is None:
        return None
    row = _version_row(conn, ds.name, number)
    wrote = int(row.added + row.changed) if row is not None else -1
    if not 0 <= wrote <= len(ids):
        return None
    # The row ``wrote``-th from the top (none: above the largest); every row it wrote is at or above.
    top = len(ids) - wrote
    bound = int(np.partition(ids, top)[top]) if wrote else int(ids.max(initial=0)) + 1
    sql = _sql(conn, f"SELECT id FROM {table} WHERE id >= ? AND {where}")
    found = _fetchall(conn, sql, (bound, *params))
    return np.array([i for (i,) in found], dtype=np.int64) if len(found) == wrote else None


def list_versions(engine: Engine, dataset: str | None = None) -> list[VersionInfo]:
    """Versions newest first, of one dataset or all."""
    query = sa.select(_VERSION)
    if dataset is not None:
        query = query.where(_VERSION.c.dataset == get_dataset(dataset).name)
    query = query.order_by(_VERSION.c.id.desc())
    with engine.connect() as conn:
        return [_info(row) for row in conn.execute(query)]


def latest_versions(engine: Engine) -> dict[str, VersionInfo]:
    """The newest version of each dataset that has one (for "数据截至 <time> · <user>")."""
    newest = (
        sa.select(_VERSION.c.dataset, sa.func.max(_VERSION.c.number).label("number"))
        .group_by(_VERSION.c.dataset)
        .subquery()
    )
    query = sa.select(_VERSION).join(
        newest, sa.and_(_VERSION.c.dataset == newest.c.dataset, _VERSION.c.number == newest.c.number)
    )
    with engine.connect() as conn:
        return {row.dataset: _info(row) for row in conn.execute(query)}


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database or the disk could not be used (the server restarting or
    unreachable, a disk full), not a bug: the transaction did not commit, nothing was written, and
    the same upload can be made again later. Callers say so in plain words instead of a trace."""
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS)


def data_stamp(engine: Engine) -> int:
    """A number that changes whenever any version is added (the newest version id)."""
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(_VERSION.c.id), 0))).scalar_one())


def is_empty(engine: Engine) -> bool:
    """True before the first version of any dataset."""
    with engine.connect() as conn:
        return conn.execute(sa.select(_VERSION.c.id).limit(1)).first() is None


def original_file(engine: Engine, dataset: str, version: int) -> tuple[str, bytes] | None:
    """(file name, uploaded bytes) of a version; None if there is no such version.

    A restore uploads nothing: its original is the file of the version it restored
    (followed through restores of restores), the file its content came from.
    """
    query = (
        sa.select(_VERSION.c.file_name, _VERSION.c.restored_from, _FILE.c.content)
        .outerjoin(_FILE, _FILE.c.version_id == _VERSION.c.id)
        .where(_VERSION.c.dataset == dataset, _VERSION.c.number == sa.bindparam("number"))
    )
    with engine.connect() as conn:
        seen: set[int] = set()
        number: int | None = version
        while number is not None and number not in seen:
            seen.add(number)
            row = conn.execute(query, {"number": number}).first()
            if row is None:
                return None
            if row.content is not None:
                return row.file_name, bytes(row.content)
            number = row.restored_from
    return None


# ---------------------------------------------------------------------------
# Transactions and locks


@dataclass
class _Tx:
    conn: Connection
    transaction: sa.engine.RootTransaction
    previous: int  # latest version number when the lock was taken
    after_commit: list[Callable[[], None]] = field(default_factory=list)  # run once committed
    rolled_back: bool = False

    def rollback(self) -> None:
        self.rolled_back = True
        if self.transaction.is_active:
            self.transaction.rollback()


@contextmanager
def _write_transaction(engine: Engine, dataset: str, share: Sequence[str] = ()) -> Iterator[_Tx]:
    """One transaction holding the dataset's write lock; commits unless rolled back.

    ``share`` names datasets read for foreign keys: their heads are locked
    FOR SHARE on PostgreSQL so they cannot change until this import is done
    (SQLite's BEGIN IMMEDIATE already excludes every other writer).
    """
    with begin_write(engine) as conn:
        transaction = conn.get_transaction()
        assert transaction is not None  # begin_write began it
        previous = _lock_head(conn, dataset)
        for other in share:
            _lock_head(conn, other, share=True)
        _settle_in(conn, (dataset, *share))  # what this write reads and writes, whole
        tx = _Tx(conn, transaction, previous)
        yield tx
    if not tx.rolled_back:  # committed (an exception would not have come this far)
        for action in tx.after_commit:
            try:
                action()
            except Exception:  # derived data only: the version is committed, say so, never fail it
                log.exception("after the commit of a %s version", dataset)


def _lock_head(conn: Connection, dataset: str, share: bool = False) -> int:
    insert = pg_dialect.insert if conn.dialect.name == "postgresql" else sqlite_dialect.insert
    conn.execute(insert(_HEAD).values(dataset=dataset, current_version=0).on_conflict_do_nothing())
    query = sa.select(_HEAD.c.current_version).where(_HEAD.c.dataset == dataset)
    return int(conn.execute(query.with_for_update(read=share)).scalar_one())


def _ref_datasets(ds: Dataset) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fk.ref_dataset for fk in ds.foreign_keys if fk.ref_dataset != ds.name))


def _referencing_datasets(ds: Dataset) -> tuple[str, ...]:
    return tuple(dict.fromkeys(other.name for other, _ in referencing(ds.name) if other.name != ds.name))


def _still_referenced(conn: Connection, ds: Dataset, frame: pd.DataFrame) -> Problems:
    """Problems if ``frame``, as the whole new content of ``ds``, drops keys others still use."""
    pairs = referencing(ds.name)
    if not pairs:
        return Problems()
    used: dict[tuple[str, str], dict[str, int]] = {}
    for other, fk in pairs:
        col = LEDGERS[other.name].c[fk.column]
        query = (
            sa.select(col, sa.func.count())
            .where(LEDGERS[other.name].c.version_to.is_(None), col.is_not(None))
            .group_by(col)
        )
        used[(other.name, fk.column)] = {str(v): int(n) for v, n in conn.execute(query)}
    return run_check("referenced", check_still_referenced, ds, frame, used)


def _current_refs(conn: Connection, ds: Dataset) -> dict[str, set[str]]:
    """For each referenced dataset, the keys that exist now (validation's ``refs``)."""
    refs: dict[str, set[str]] = {}
    for fk in ds.foreign_keys:
        table = LEDGERS[fk.ref_dataset]
        col = table.c[fk.ref_column]
        rows = conn.execute(sa.select(col).where(table.c.version_to.is_(None), col.is_not(None)).distinct())
        refs.setdefault(fk.ref_dataset, set()).update(str(v) for (v,) in rows)
    return refs


# ---------------------------------------------------------------------------
# Writing a version


@dataclass
class _Upload:
    who: Actor
    file_name: str
    data: bytes | None  # None: nothing to keep (a restore)
    sha256: str = ""
    restored_from: int | None = None
    action: Literal["upload", "restore"] = "upload"  # what its audit row says
    corrections: list[Correction] = field(default_factory=list)
    at: datetime | None = None  # the version's time when not now (the demo's replayed history)
    scope: Scope | None = None  # a scoped editor's upload
    note: str = ""  # the uploader's 更新说明
    preview: bool = False  # a dry run also gives the first rows it would change

    def __post_init__(self) -> None:
        if self.at is not None and self.at.tzinfo is None:
            raise ValueError("a version's time must be timezone-aware")
        if self.data is not None and not self.sha256:
            self.sha256 = hashlib.sha256(self.data).hexdigest()

    def target(self, ds: Dataset) -> str:
        if self.restored_from is None:
            return f"{ds.name} {self.file_name}"
        return f"{ds.name} v{self.restored_from}"


def _refused(ds: Dataset, problems: Problems, rows: int, dry_run: bool) -> ImportResult:
    return ImportResult(
        dataset=ds.name, accepted=False, dry_run=dry_run, version=None, rows=rows, problems=problems
    )


def _write_version(
    tx: _Tx,
    ds: Dataset,
    frame: pd.DataFrame,
    mode: Mode,
    upload: _Upload,
    *,
    dry_run: bool,
    problems: Problems | None = None,
    keys_checked: bool = False,
    positions: np.ndarray | None = None,
) -> ImportResult:
    """Diff ``frame`` against the current rows and write the changes as version N+1.

    ``keys_checked``: validation already refused repeated keys (import_file),
    so the storage's own check can be skipped. ``positions``: ledger order for
    the rows written (restore puts rows back where they were).
    """
    problems = problems if problems is not None else Problems()
    frame = frame[list(ds.column_names)]
    key_texts = _key_texts(ds, frame)
    if not keys_checked:
        duplicates = _duplicate_keys(ds, frame, key_texts.to_numpy(zero_copy_only=False))
        if duplicates:
            tx.rollback()
            problems.extend(duplicates)
            return _refused(ds, problems, len(frame), dry_run)

    conn = tx.conn
    table = LEDGERS[ds.name]
    hashes = row_hashes(ds, frame)
    current = _current_rows(conn, ds, tx.previous)
    if current.lines_up(key_texts):  # this month's export edited: row i is current row i
        at = np.arange(len(frame), dtype=np.int64)
        matched = np.ones(len(frame), dtype=bool)
        old_hash, old_position = current.hashes, current.positions  # (not three copies of them)
    elif len(current):
        at = current.find(key_texts)
        matched = at >= 0  # -1: key not in the dataset now
        safe_at = np.where(matched, at, 0)
        old_hash = current.hashes[safe_at]
        old_position = current.positions[safe_at]
    else:  # first version: every row is new (the common bulk case, kept cheap: constant views)
        at = np.broadcast_to(np.int64(-1), (len(frame),))
        matched = np.zeros(len(frame), dtype=bool)
        old_hash = old_position = np.broadcast_to(np.int64(0), (len(frame),))
    same = matched & (old_hash == hashes)
    changed = matched & ~same
    added = ~matched
    if positions is not None and len(current):
        # A restore puts every row back where it was in that version (``positions``): an unchanged
        # row that has moved since is written again at its old place, and counts as changed. Kept
        # where it is, it could share a place with a row written back (no single ledger order).
        moved = same & (old_position != positions)
        same, changed = same & ~moved, changed | moved
    if mode is Mode.APPEND:
        write, close_rows, skipped = added, np.empty(0, np.int64), int(matched.sum())
        changed = np.zeros(len(frame), dtype=bool)
    else:
        write, skipped = added | changed, 0
        close_rows = at[changed]
    removed, gone_rows = 0, np.empty(0, np.int64)
    if mode is Mode.REPLACE and len(current):
        gone = np.ones(len(current), dtype=bool)
        gone[at[matched]] = False  # a current key no row of the upload has
        gone_rows = np.flatnonzero(gone)
        removed = len(gone_rows)
        close_rows = np.concatenate([close_rows, gone_rows])

    number = tx.previous + 1
    created_at = upload.at or datetime.now(UTC)
    if upload.at is not None and tx.previous:
        newest = _info(_version_row(conn, ds.name, tx.previous)).created_at
        if created_at < newest:
            tx.rollback()
            raise ValueError(
                f"{ds.name} version {number} at {created_at} would be older than version {tx.previous}"
            )
    # A changed row keeps its place in the ledger order; new rows go to the end.
    start = int(current.positions.max()) + 1 if len(current) else 0
    if positions is None:  # (built in place: a million rows' temporaries were 16 MB of the peak)
        positions = np.cumsum(added)
        positions += start - 1
        positions[changed] = old_position[changed]
    result = ImportResult(
        dataset=ds.name,
        accepted=True,
        dry_run=dry_run,
        version=None if dry_run else number,
        rows=len(frame),
        added=int(added.sum()),
        changed=int(changed.sum()),
        removed=removed,
        skipped=skipped,
        problems=problems,
    )
    if dry_run:
        if upload.preview:
            result.preview = _preview(conn, ds, frame, key_texts, current, at, changed, added, gone_rows)
        tx.rollback()
        return result

    _close(conn, table, current.ids[close_rows], number, everything=len(close_rows) == len(current))
    # Ids are given, not drawn: the rows written get the next ones in order, so the index of the
    # new version is known without reading anything back.
    new_ids = np.arange(current.max_id + 1, current.max_id + 1 + int(write.sum()), dtype=np.int64)
    if write.all():  # a first import: no copy of every column just to select all of it
        w_frame, w_positions, w_texts, w_hashes = frame, positions, key_texts, hashes
    else:
        w_frame, w_positions, w_hashes = frame[write], positions[write], hashes[write]
        w_texts = key_texts.filter(pa.array(write))
    engine = conn.engine
    copy = _copy_worth_writing(frame, write, mode, upload, first=not len(current))
    # Only a version that gets its columnar copy leaves its rows to be moved later: the boards read
    # that copy, so no board waits for the move (a smaller edit's rows are read as changes).
    later = copy and len(w_frame) >= SETTLE_LATER_AT_ROWS
    pending = None
    if later:
        pending = _keep_pending(conn, ds, number, w_frame, new_ids, w_positions, w_texts, w_hashes)
    else:
        _insert_rows(conn, ds, table, w_frame, number, new_ids, w_positions, w_texts, w_hashes)
    if copy:
        content: VersionRows | BinaryIO
        if pending is not None and write.all() and bool((positions[1:] > positions[:-1]).all()):
            content = pending  # the version's every row, in ledger order, in the copy's own form
        else:
            if pending is not None:
                pending.close()
            ids = current.ids[np.where(matched, at, 0)] if len(current) else np.zeros(len(frame), np.int64)
            ids[write] = new_ids
            content = VersionRows(frame, ids, np.where(same, old_position, positions))
        tx.after_commit.append(lambda: _keep_copy(engine, ds, number, content))
    if later:  # after the copy: a worker starting meanwhile reads the copy, not the ledger
        tx.after_commit.append(lambda: settle_soon(engine, ds.name))
    _write_index(conn, ds, current.after(close_rows, new_ids, w_positions, w_texts, w_hashes), number)
    version_id = conn.execute(
        sa.insert(_VERSION)
        .values(
            dataset=ds.name,
            number=number,
            created_at=created_at,
            user=upload.who.name,
            file_name=upload.file_name,
            sha256=upload.sha256,
            mode=mode.value,
            rows=result.rows,
            added=result.added,
            changed=result.changed,
            removed=result.removed,
            skipped=result.skipped,
            restored_from=upload.restored_from,
            corrections=(
                json.dumps([c.to_json() for c in upload.corrections], ensure_ascii=False)
                if upload.corrections
                else None
            ),
            scope=scope_text(upload.scope),
            note=upload.note or None,
        )
        .returning(_VERSION.c.id)
    ).scalar_one()
    if upload.data is not None:
        _insert_with_blob(conn, _FILE, {"version_id": version_id}, "content", upload.data)
    conn.execute(sa.update(_HEAD).where(_HEAD.c.dataset == ds.name).values(current_version=number))
    if upload.scope is not None and upload.action == "upload":  # a scope's report in its open rounds
        result.rounds = rounds.mark_reported(conn, ds.name, upload.scope, upload.who.name, number, created_at)
    detail = f"{'new ' if upload.action == 'restore' else ''}version {number}, {result.rows} rows"
    if upload.at is not None:  # the audit row itself is written now, as it happened
        detail += f", dated {upload.at.astimezone(UTC).isoformat(timespec='seconds')}"
    if upload.corrections:
        detail += "; " + corr.describe(upload.corrections)
    if upload.scope is not None:
        detail += f"; scope {upload.scope.text}"
    record(conn, upload.action, upload.who, target=upload.target(ds), detail=detail)
    return result


def _preview(
    conn: Connection,
    ds: Dataset,
    frame: pd.DataFrame,
    key_texts: pa.Array,
    current: _CurrentRows,
    at: np.ndarray,
    changed: np.ndarray,
    added: np.ndarray,
    gone: np.ndarray,
) -> PreviewRows:
    """The first :data:`PREVIEW_ROWS` rows changed, added and removed: the file's rows from
    ``frame``, the ledger's read by id (a hundred rows, never the ledger)."""
    changed_rows = np.flatnonzero(changed)[:PREVIEW_ROWS]
    new_rows = np.sort(np.concatenate([changed_rows, np.flatnonzero(added)[:PREVIEW_ROWS]]))
    ids = np.concatenate([current.ids[at[changed_rows]], current.ids[gone[:PREVIEW_ROWS]]])
    old = typed_empty(ds)
    if len(ids):
        marks = ", ".join("?" * len(ids))
        old = _rows_where(conn, ds, f"id IN ({marks})", tuple(int(i) for i in ids)).frame
    return PreviewRows(
        old=old,
        old_keys=_key_texts(ds, old).to_numpy(zero_copy_only=False),
        new=frame.iloc[new_rows].reset_index(drop=True),
        new_keys=key_texts.take(pa.array(new_rows)).to_numpy(zero_copy_only=False),
    )


def _copy_worth_writing(
    frame: pd.DataFrame, write: np.ndarray, mode: Mode, upload: _Upload, first: bool
) -> bool:
    """The upload is the version's every row (a first version, or a whole-ledger replace), big, and
    a tenth of it or more is new: a worker starting later would otherwise read many ledger rows.

    After a small edit a starting worker reads an older copy and the few rows changed since
    (``board.snapshot``); a copy then would only add 0.2 s per million rows to the import.
    """
    whole = upload.scope is None and (first or mode is Mode.REPLACE)
    return whole and len(frame) >= COPY_AT_ROWS and int(write.sum()) * 10 >= len(frame)


def _keep_copy(engine: Engine, ds: Dataset, number: int, content: VersionRows | BinaryIO) -> None:
    """Write the columnar copy of version ``number`` (just committed) from the rows in hand, or
    from the stream of its pending rows when they are its every row in ledger order (a first
    import: the bytes are copied, nothing converted again).

    A worker's first read of a ledger then loads one file instead of every row: at city size
    the first boards after a bulk import waited about 8 s for the ledgers. The rows are put
    in ledger order and typed exactly as :func:`load_rows` gives them (a test compares).
    """
    with contextlib.ExitStack() as stack:
        if not isinstance(content, VersionRows):
            stack.enter_context(content)  # closed (and gone) however this ends
        with engine.connect() as conn:
            path = _copy_path(conn, ds, number)
        if path is None:
            return
        if not isinstance(content, VersionRows):
            copyfiles.place(path, ds.name, content)
            return
        frame, ids, positions = content.frame, content.ids, content.positions
        if np.any(positions[1:] < positions[:-1]):  # a replace's new rows come after the kept ones
            order = np.argsort(positions, kind="stable")
            frame, ids, positions = frame.take(order), ids[order], positions[order]
        copyfiles.write(path, ds.name, frame, ids, positions)


def _copy_path(conn: Connection, ds: Dataset, number: int) -> Path | None:
    """Where version ``number``'s columnar copy is or would be; None for a database without a
    token (made before migration 0011) or without that version."""
    identity = copyfiles.identity(conn)
    row = None if identity is None else _version_row(conn, ds.name, number)
    if identity is None or row is None:  # (a failed identity query ends a PostgreSQL transaction)
        return None
    info = _info(row)
    name = copyfiles.copy_name(identity, ds.name, number, info.id, info.created_at, info.sha256, info.mode)
    return copyfiles.folder(get_settings().data_dir) / name


def _version_rows(engine: Engine, ds: Dataset, version: int | None) -> VersionRows:
    """The rows of ``version`` (None: the current one), as :func:`ledger_rows` reads them, from the
    version's columnar copy when it has one.

    A copy is the version's rows as the ledger gives them (a test compares the two, to the dtype),
    named by the database, the version's id, time, file and mode, so a copy of another history is
    never read. It is read in a tenth of the time (1M rows: 0.25 s, 4 s from the ledger table) and
    it needs no move: a big version's rows move into the ledger table for seconds after its commit
    (about 4 s per million), and an export or a version page opened meanwhile used to wait for that.
    Pending rows are still moved, in the background (rows left by a process that died included);
    without a copy they are moved first, as :func:`reading` does. KeyError: no such version.
    """
    while True:
        with _snapshot(engine) as conn:
            pending = _pending_between(conn, ds.name, 0, version)
            number = version
            if number is None:
                head = conn.execute(sa.select(_HEAD.c.current_version).where(_HEAD.c.dataset == ds.name))
                number = head.scalar_one_or_none() or 0
            path = _copy_path(conn, ds, number) if number else None
            copied = None if path is None else copyfiles.load(path, ds.name)
            if copied is not None:
                if pending:
                    _settle_in_background(engine, ds.name)
                return VersionRows(*copied)
            if not pending:
                if version is not None and _version_row(conn, ds.name, version) is None:
                    raise KeyError(f"{ds.name} has no version {version}")
                return _rows_of(conn, ds, version)
        settle(engine, ds.name)


def ledger_rows(engine: Engine, dataset: str, version: int | None) -> VersionRows:
    """The rows of ``version`` (None: the current one) read from the ledger table itself, never
    from a copy: what a copy is checked against. KeyError when there is no such version."""
    ds = get_dataset(dataset)
    with reading(engine, ds.name, upto=version) as conn:
        if version is not None and _version_row(conn, ds.name, version) is None:
            raise KeyError(f"{ds.name} has no version {version}")
        return _rows_of(conn, ds, version)


def row_keys(ds: Dataset, frame: pd.DataFrame) -> np.ndarray:
    """Each row's key as one text (key values joined), as stored in ``row_key``."""
    return _key_texts(ds, frame).to_numpy(zero_copy_only=False)


def _key_texts(ds: Dataset, frame: pd.DataFrame) -> pa.Array:
    """:func:`row_keys` as an Arrow array, joined by Arrow: no Python string per row
    (a million activities' three-column keys were a second of ``str.join``)."""
    parts = [_key_part(frame[name], ds.column(name).type) for name in ds.key]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, pa.scalar(KEY_SEPARATOR, pa.large_string()))


def _key_part(series: pd.Series, col_type: ColType) -> pa.Array:
    """One key column as :func:`_as_text` writes it ("" for missing), as large_string."""
    if col_type is ColType.DATE:  # few distinct days: each formatted once, then taken
        days = series.to_numpy(dtype="datetime64[s]").astype("datetime64[D]")
        codes, uniques = pd.factorize(days.view(np.int64))
        texts = np.datetime_as_string(uniques.astype("datetime64[D]"), unit="D").tolist()
        codes[np.isnat(days)] = len(texts)
        return pc.take(pa.array([*texts, ""], pa.large_string()), pa.array(codes))
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        arrow = pa.array(series.array)
        arrow = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
        return pc.fill_null(arrow.cast(pa.large_string()), "")
    return pa.array(_as_text(series, col_type), pa.large_string())


def row_hashes(ds: Dataset, frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row's values (``row_hash``): equal rows, equal hashes.

    Hashed in slices of rows: pandas turns a text column into Python strings to hash it,
    and a million of them at once were the largest part of an import's peak memory. A
    row's hash depends on that row alone, so the slices give the same values as one call.
    """
    columns = frame[list(ds.column_names)]
    out = np.empty(len(columns), dtype=np.int64)
    for start in range(0, len(columns), _HASH_SLICE_ROWS):
        part = columns.iloc[start : start + _HASH_SLICE_ROWS]
        hashed = pd.util.hash_pandas_object(part, index=False)
        out[start : start + len(part)] = hashed.to_numpy().view(np.int64)
    return out


_HASH_SLICE_ROWS = 65_536


def _as_text(series: pd.Series, col_type: ColType) -> np.ndarray:
    if col_type is ColType.DATE:
        out = _iso_dates(series)
        out[pd.isna(out)] = ""
        return out
    return series.astype("string").to_numpy(dtype=object, na_value="")


def _iso_dates(series: pd.Series) -> np.ndarray:
    """'YYYY-MM-DD' strings (None for missing), vectorised.

    A ledger holds few distinct dates, so format each distinct day once.
    """
    days = series.to_numpy(dtype="datetime64[s]").astype("datetime64[D]")
    codes, uniques = pd.factorize(days.view(np.int64))
    codes[np.isnat(days)] = -1
    texts = np.datetime_as_string(uniques.astype("datetime64[D]"), unit="D").astype(object)
    texts = np.append(texts, None)  # code -1 (NaT) picks the last entry
    return texts[codes]


def _duplicate_keys(ds: Dataset, frame: pd.DataFrame, keys: np.ndarray) -> list[Problem]:
    """A key may appear once per upload; say which lines repeat which line."""
    dup = pd.Series(keys).duplicated(keep=False).to_numpy()
    if not dup.any():
        return []
    headers = "+".join(ds.column(k).header for k in ds.key)
    first: dict[str, int] = {}
    problems = []
    for key, line in zip(keys[dup].tolist(), frame.index[dup].tolist(), strict=True):
        if key not in first:
            first[key] = line
            continue
        shown = key.replace(KEY_SEPARATOR, " / ")
        problems.append(
            Problem(
                "storage.duplicate_key",
                *i18n.both(
                    "check.storage.duplicate_key", line=line, headers=headers, shown=shown, first=first[key]
                ),
                line=line if isinstance(line, int) else None,
                column=headers,
                value=shown,
            )
        )
    return problems


@dataclass
class _CurrentRows:
    """The rows current now, as the diff needs them: ledger id, position, key text, row hash.

    Kept per ledger as one Arrow blob (``ledger_index``) written with each version, so the
    next import reads one value instead of a million rows (see :func:`_current_rows`).
    """

    ids: np.ndarray  # int64
    positions: np.ndarray  # int64
    keys: pa.Array  # large_string, unique
    hashes: np.ndarray  # int64
    max_id: int  # the ledger's largest row id, current or not (0: none yet)

    def __len__(self) -> int:
        return len(self.ids)

    def lines_up(self, keys: pa.Array) -> bool:
        """``keys`` are these rows' keys, in this order (checked in one pass, no hash table).

        The rows are kept in ledger order, and the next month's file is usually this month's
        export edited: then row i of the upload is current row i.
        """
        return bool(len(self)) and len(keys) == len(self) and bool(pc.all(pc.equal(keys, self.keys)).as_py())

    def find(self, keys: pa.Array) -> np.ndarray:
        """Where each of ``keys`` is among the current rows, -1 where it is not (one hash table)."""
        return pc.fill_null(pc.index_in(keys, value_set=self.keys), -1).to_numpy().astype(np.int64)

    def after(
        self, closed: np.ndarray, ids: np.ndarray, positions: np.ndarray, keys: pa.Array, hashes: np.ndarray
    ) -> _CurrentRows:
        """The current rows once the rows at ``closed`` are closed and the given ones written,
        in ledger order (see :meth:`find`)."""
        if not len(self):  # a first version: the rows written are all there is (no copy of them)
            return _CurrentRows(
                ids=ids,
                positions=np.asarray(positions, dtype=np.int64),
                keys=keys,
                hashes=np.asarray(hashes, dtype=np.int64),
                max_id=int(ids[-1]) if len(ids) else self.max_id,
            ).in_ledger_order()
        if self._rewritten_in_place(closed, positions, keys):  # the usual edit: some rows changed
            new_ids, new_hashes = self.ids.copy(), self.hashes.copy()
            new_ids[closed], new_hashes[closed] = ids, np.asarray(hashes, dtype=np.int64)
            return _CurrentRows(
                new_ids, self.positions, self.keys, new_hashes, max(self.max_id, int(ids.max()))
            )
        keep = np.ones(len(self), dtype=bool)
        keep[closed] = False
        after = _CurrentRows(
            ids=np.concatenate([self.ids[keep], ids]),
            positions=np.concatenate([self.positions[keep], np.asarray(positions, dtype=np.int64)]),
            keys=pa.concat_arrays([self.keys.filter(pa.array(keep)), keys]),
            hashes=np.concatenate([self.hashes[keep], np.asarray(hashes, dtype=np.int64)]),
            max_id=int(ids[-1]) if len(ids) else self.max_id,
        )
        return after.in_ledger_order()

    def _rewritten_in_place(self, closed: np.ndarray, positions: np.ndarray, keys: pa.Array) -> bool:
        """The rows written are the closed ones again, one for one: same keys, same places (nothing
        added or removed). Then only their ids and hashes change: no copy of a million keys."""
        if not len(closed) or len(closed) != len(keys) or len(closed) != len(positions):
            return False
        if not np.array_equal(self.positions[closed], np.asarray(positions, dtype=np.int64)):
            return False
        return bool(self.keys.take(pa.array(closed)).equals(keys))

    def in_ledger_order(self) -> _CurrentRows:
        if not len(self) or bool((self.positions[1:] > self.positions[:-1]).all()):
            return self
        order = np.argsort(self.positions, kind="stable")
        keys = self.keys.take(pa.array(order))
        return _CurrentRows(self.ids[order], self.positions[order], keys, self.hashes[order], self.max_id)

    def to_stream(self) -> BinaryIO:
        """The rows as one compressed Arrow IPC stream (what ``ledger_index.content`` holds)."""
        columns = [self.ids, self.positions, self.keys, self.hashes]
        table = pa.table(columns, schema=_INDEX_SCHEMA)
        # One uncompressed batch: read back as one body that the columns are slices of. Compressed
        # (24 MB for a million rows instead of 41), reading it held both, 35 MB more at the peak.
        return _spooled_stream(table.schema, table.to_batches(), compress=False)

    @classmethod
    def from_bytes(cls, content: bytes, max_id: int) -> _CurrentRows:
        return cls.from_batches(pa.ipc.open_stream(pa.py_buffer(content)), max_id)

    @classmethod
    def from_batches(cls, batches: Iterable[pa.RecordBatch], max_id: int) -> _CurrentRows:
        read = list(batches)
        table = (pa.Table.from_batches(read) if read else _INDEX_SCHEMA.empty_table()).combine_chunks()

        def ints(name: str) -> np.ndarray:
            return table.column(name).to_numpy().astype(np.int64, copy=False)

        keys = table.column("row_key")
        keys = keys.chunk(0) if keys.num_chunks == 1 else pa.array([], pa.large_string())
        return cls(ints("id"), ints("position"), keys, ints("row_hash"), max_id)


_INDEX_SCHEMA = pa.schema(
    [("id", pa.int64()), ("position", pa.int64()), ("row_key", pa.large_string()), ("row_hash", pa.int64())]
)


def _spooled_stream(
    schema: pa.Schema, batches: Iterable[pa.RecordBatch], *, compress: bool = True
) -> BinaryIO:
    """``batches`` as one Arrow IPC stream (lz4-compressed) in a temporary file, rewound.

    The blob columns are filled from it a piece at a time (:func:`_insert_with_blob`): built in
    memory, a million rows' stream (and the table it was made from) was 80 MB of an import's peak.
    """
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    try:
        options = copyfiles.LZ4 if compress else None
        with pa.ipc.new_stream(pa.PythonFile(spool, mode="w"), schema, options=options) as writer:
            for batch in batches:
                writer.write_batch(batch)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _current_rows(conn: Connection, ds: Dataset, previous: int) -> _CurrentRows:
    """The current rows of ``ds``: from its index when that describes version ``previous`` and the
    ledger's rows as they are (same largest id), else read from the ledger itself.

    The check keeps the index an optimisation only: a database restored from an older backup,
    or written by a version of the code before the index, still diffs against the truth.
    """
    table = _quote(conn, LEDGERS[ds.name].name)
    max_id = int(_fetchall(conn, f"SELECT COALESCE(MAX(id), 0) FROM {table}")[0][0])
    where = _INDEX.c.dataset == ds.name
    stored = conn.execute(sa.select(_INDEX.c.version, _INDEX.c.max_id).where(where)).first()
    if stored is not None and stored.version == previous and stored.max_id == max_id:
        # Read a piece at a time into one buffer that the columns are then slices of: fetched
        # whole (copied by the driver, then again), the blob was 80 MB of a 1M-row replace's peak.
        content = _blob_bytes(conn, _INDEX, "content", where)
        return _CurrentRows.from_batches(pa.ipc.open_stream(pa.py_buffer(content)), max_id)
    return _current_from_ledger(conn, table, max_id)


def _current_from_ledger(conn: Connection, table: str, max_id: int) -> _CurrentRows:
    """id, position, row_key, row_hash of the rows current now, read from the ledger table."""
    rows = _fetchall(conn, f"SELECT id, position, row_key, row_hash FROM {table} WHERE version_to IS NULL")
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return _CurrentRows(empty, empty.copy(), pa.array([], pa.large_string()), empty.copy(), max_id)
    grid = np.array(rows, dtype=object)
    del rows
    return _CurrentRows(
        ids=grid[:, 0].astype(np.int64),
        positions=grid[:, 1].astype(np.int64),
        keys=pa.array(grid[:, 2], pa.large_string()),
        hashes=grid[:, 3].astype(np.int64),
        max_id=max_id,
    ).in_ledger_order()


def _write_index(conn: Connection, ds: Dataset, rows: _CurrentRows, number: int) -> None:
    """Store ``rows`` as the index of version ``number``, in the version's own transaction."""
    conn.execute(sa.delete(_INDEX).where(_INDEX.c.dataset == ds.name))
    values = {"dataset": ds.name, "version": number, "max_id": rows.max_id, "rows": len(rows)}
    with rows.to_stream() as content:
        _insert_with_blob(conn, _INDEX, values, "content", content)


def _insert_with_blob(
    conn: Connection, table: sa.Table, values: dict[str, Any], column: str, content: _Blob
) -> None:
    """Insert a row whose ``column`` holds ``content`` (an upload, an index: tens of MB), in pieces.

    Bound whole, the value was copied twice more (by the driver, then by SQLite into its
    record or by libpq into its message): the largest part of a big import's peak memory.
    SQLite: the row goes in with an empty blob of the right size, then ``content`` is written
    into it 1 MB at a time. PostgreSQL: the row is streamed in by a binary COPY.
    """
    size = _blob_size(content)
    if size <= _BLOB_PIECE:
        whole = b"".join(_pieces(content))
        conn.execute(sa.insert(table).values(**values, **{column: whole}))
    elif conn.dialect.name == "sqlite":
        inserted = conn.execute(sa.insert(table).values(**values, **{column: sa.func.zeroblob(size)}))
        with _raw(conn).blobopen(table.name, column, inserted.lastrowid) as blob:
            for piece in _pieces(content):
                blob.write(piece)
    else:
        _copy_row_with_blob(conn, table, values, column, content, size)


def _copy_row_with_blob(
    conn: Connection, table: sa.Table, values: dict[str, Any], column: str, content: _Blob, size: int
) -> None:
    """PostgreSQL: one row by COPY ... (FORMAT binary), ``content`` sent in pieces.

    The binary format is a signature, then per row the field count and each field as its
    length and bytes (int4 and int8 big-endian, text as UTF-8), then -1.
    """
    names = [*values, column]
    fields = []
    for name, value in values.items():
        sql_type = table.c[name].type
        if isinstance(sql_type, sa.BigInteger):
            fields.append(struct.pack(">iq", 8, value))
        elif isinstance(sql_type, sa.Integer):
            fields.append(struct.pack(">ii", 4, value))
        else:
            text = str(value).encode()
            fields.append(struct.pack(">i", len(text)) + text)
    columns = ", ".join(_quote(conn, n) for n in names)
    cur = _raw(conn).cursor()
    try:
        with cur.copy(f"COPY {_quote(conn, table.name)} ({columns}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            copy.write(struct.pack(">h", len(names)) + b"".join(fields) + struct.pack(">i", size))
            for piece in _pieces(content):
                copy.write(piece)
            copy.write(struct.pack(">h", -1))
    finally:
        cur.close()


# ---------------------------------------------------------------------------
# Rows committed as a blob, moved into their ledger after (see the module's docstring)


def _keep_pending(
    conn: Connection,
    ds: Dataset,
    number: int,
    frame: pd.DataFrame,
    ids: np.ndarray,
    positions: np.ndarray,
    keys: pa.Array,
    hashes: np.ndarray,
) -> BinaryIO:
    """Commit the rows version ``number`` writes as one lz4 Arrow stream, in record batches of
    :data:`_PENDING_BATCH_ROWS` (what :func:`_settle_in` moves at a time). Returns the stream
    (a temporary file; the caller closes it): the version's copy may be these very bytes."""
    meta = {
        _P_ID: pa.array(ids, pa.int64()),
        _P_POSITION: pa.array(np.asarray(positions, dtype=np.int64)),
        _P_KEY: keys,
        _P_HASH: pa.array(np.asarray(hashes, dtype=np.int64)),
    }
    schema, batches = copyfiles.record_batches(frame, meta, _PENDING_BATCH_ROWS)
    values = {"dataset": ds.name, "version": number, "rows": len(frame)}
    content = _spooled_stream(schema, batches)
    try:
        _insert_with_blob(conn, _PENDING, values, "content", content)
    except BaseException:
        content.close()
        raise
    return content


# Named as a version copy names them (its form is this stream's, see copyfiles.FORMAT).
_P_ID, _P_POSITION, _P_KEY, _P_HASH = copyfiles.ID, copyfiles.POSITION, "__row_key", "__row_hash"


def settle(engine: Engine, *datasets: str) -> int:
    """Move the pending rows of ``datasets`` (default: all) into their ledgers; rows moved.

    One transaction; the pending rows are locked first (PostgreSQL ``FOR UPDATE``, SQLite's
    single writer), so two settles, or a settle and an import, never both move the same rows.
    """
    with begin_write(engine) as conn:
        return _settle_in(conn, datasets or tuple(LEDGERS))


def _settle_in(conn: Connection, datasets: Sequence[str]) -> int:
    """:func:`settle` within the caller's transaction (an import settles before it diffs)."""
    query = (
        sa.select(_PENDING.c.dataset, _PENDING.c.version)
        .where(_PENDING.c.dataset.in_(sorted(set(datasets))))
        .order_by(_PENDING.c.dataset, _PENDING.c.version)
        .with_for_update()
    )
    moved = 0
    for name, number in conn.execute(query).all():
        where = (_PENDING.c.dataset == name) & (_PENDING.c.version == number)
        ds = get_dataset(name)
        for batch in _blob_batches(conn, _PENDING, "content", where):
            frame = batch.select(list(ds.column_names)).to_pandas()
            _insert_rows(
                conn,
                ds,
                LEDGERS[name],
                frame,
                number,
                batch.column(_P_ID).to_numpy(),
                batch.column(_P_POSITION).to_numpy(),
                batch.column(_P_KEY),
                batch.column(_P_HASH).to_numpy(),
            )
            moved += batch.num_rows
        conn.execute(sa.delete(_PENDING).where(where))
    return moved


def _blob_batches(
    conn: Connection, table: sa.Table, column: str, where: sa.ColumnElement[bool]
) -> Iterator[pa.RecordBatch]:
    """The record batches of the Arrow stream in one row's blob, read from the database 1 MB at a
    time: a pending blob whole was 62 MB more for a million rows (on PostgreSQL, 250 MB more:
    sent and decoded whole)."""
    with _blob_reader(conn, table, column, where) as (_, read):
        yield from _batches_from(read)


def _blob_bytes(conn: Connection, table: sa.Table, column: str, where: sa.ColumnElement[bool]) -> bytearray:
    """One row's blob, read 1 MB at a time into a buffer of its size (the driver never holds it whole)."""
    with _blob_reader(conn, table, column, where) as (size, read):
        return _filled(size, read)


@contextmanager
def _blob_reader(
    conn: Connection, table: sa.Table, column: str, where: sa.ColumnElement[bool]
) -> Iterator[tuple[int, Callable[[int, int], bytes]]]:
    """(size, read(offset, n)) of one row's blob, read in order a piece at a time: SQLite's
    incremental blob I/O; on PostgreSQL ``substring`` of an out-of-line, uncompressed value
    (migrations 0012, 0013), of which only the piece asked for is read."""
    if conn.dialect.name == "sqlite":
        query = sa.select(sa.literal_column("rowid")).select_from(table).where(where)
        rowid = conn.execute(query).scalar_one()
        with _raw(conn).blobopen(table.name, column, rowid, readonly=True) as blob:
            yield len(blob), lambda start, n: blob.read(n)
        return
    size = conn.execute(sa.select(sa.func.length(table.c[column])).where(where)).scalar_one()
    query = sa.select(sa.func.substring(table.c[column], sa.bindparam("at"), sa.bindparam("n"))).where(where)
    yield size, lambda start, n: bytes(conn.execute(query, {"at": start + 1, "n": n}).scalar())


def _filled(size: int, read: Callable[[int, int], bytes]) -> bytearray:
    out = bytearray(size)
    for start in range(0, size, _BLOB_PIECE):
        piece = read(start, min(_BLOB_PIECE, size - start))
        out[start : start + len(piece)] = piece
    return out


def _batches_from(read: Callable[[int, int], bytes]) -> Iterator[pa.RecordBatch]:
    """Arrow's stream reader over ``read(offset, size)`` (a blob read in sequence)."""
    stream = io.BufferedReader(_PieceReader(read), _BLOB_PIECE)
    yield from pa.ipc.open_stream(pa.PythonFile(stream, mode="r"))


class _PieceReader(io.RawIOBase):
    """A value read piece by piece, in order, as a readable stream."""

    def __init__(self, read: Callable[[int, int], bytes]) -> None:
        self._read, self._at = read, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(self._at, len(buffer))
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)


_SETTLING: dict[threading.Thread, tuple[Engine, str]] = {}  # each move running: its database, ledger
_SETTLING_LOCK = threading.Lock()


def settle_soon(engine: Engine, dataset: str) -> None:
    """Settle ``dataset`` in a thread of its own: the import that committed its rows returns now.

    Not a daemon: a command-line import finishes the move before its process ends. Killed
    before that, the rows stay pending and the next read or write of the ledger moves them.
    """

    def run() -> None:
        try:
            settle(engine, dataset)
        except Exception:  # the rows stay pending, moved by the next reader or writer
            log.exception("moving the pending rows of %s into its ledger", dataset)

    thread = threading.Thread(target=run, name=f"settle-{dataset}")
    with _SETTLING_LOCK:
        for done in [t for t in _SETTLING if not t.is_alive()]:
            del _SETTLING[done]
        _SETTLING[thread] = (engine, dataset)
        thread.start()  # (alive before another caller can see it)


def _settle_in_background(engine: Engine, dataset: str) -> None:
    """:func:`settle_soon`, unless this process is moving ``dataset``'s rows already (its import's
    own thread): a reader served from a copy still sees pending rows moved, never waits for it."""
    with _SETTLING_LOCK:
        if any(t.is_alive() and where == (engine, dataset) for t, where in _SETTLING.items()):
            return
    settle_soon(engine, dataset)


def wait_settled(timeout: float | None = None) -> None:
    """Wait for this process's :func:`settle_soon` threads (tests, benchmarks, shutdown)."""
    with _SETTLING_LOCK:
        threads = list(_SETTLING)
    for thread in threads:
        thread.join(timeout)


def _pending_between(conn: Connection, dataset: str, above: int, upto: int | None) -> bool:
    query = sa.select(sa.func.count()).where(_PENDING.c.dataset == dataset, _PENDING.c.version > above)
    if upto is not None:
        query = query.where(_PENDING.c.version <= upto)
    return bool(conn.execute(query).scalar_one())


@contextmanager
def reading(engine: Engine, dataset: str, *, upto: int | None = None, above: int = 0) -> Iterator[Connection]:
    """A connection that reads one snapshot in which the versions ``above < v <= upto`` (None: every
    one) of ``dataset`` have their rows in the ledger table: pending ones are settled first.

    A version's rows are pending for a few seconds after its commit. The check and the reads
    after it see the same snapshot (SQLite's deferred BEGIN, PostgreSQL's REPEATABLE READ), so a
    version committed in between is not half seen.
    """
    while True:
        with _snapshot(engine) as conn:
            if not _pending_between(conn, dataset, above, upto):
                yield conn
                return
        settle(engine, dataset)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one snapshot (PostgreSQL: REPEATABLE READ; SQLite's
    deferred transaction already does)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        yield conn


def _pieces(content: _Blob) -> Iterator[bytes | memoryview]:
    if hasattr(content, "read"):  # a file (TemporaryFile's type varies by platform)
        yield from iter(lambda: content.read(_BLOB_PIECE), b"")
        return
    view = memoryview(content)
    for start in range(0, len(view), _BLOB_PIECE):
        yield view[start : start + _BLOB_PIECE]


def _blob_size(content: _Blob) -> int:
    if hasattr(content, "read"):
        return os.fstat(content.fileno()).st_size - content.tell()
    return len(content)


_Blob = bytes | pa.Buffer | BinaryIO  # a value in memory (any buffer), or a rewound file of it


_BLOB_PIECE = 1 << 20


def _close(conn: Connection, table: sa.Table, ids: np.ndarray, number: int, *, everything: bool) -> None:
    """Mark rows as ending before version ``number`` (history stays readable)."""
    if len(ids) == 0:
        return
    name = _quote(conn, table.name)
    cur = _raw(conn).cursor()
    try:
        if everything:
            cur.execute(_sql(conn, f"UPDATE {name} SET version_to = ? WHERE version_to IS NULL"), (number,))
        elif conn.dialect.name == "postgresql":
            cur.execute(f"UPDATE {name} SET version_to = %s WHERE id = ANY(%s)", (number, ids.tolist()))
        else:
            cur.executemany(
                f"UPDATE {name} SET version_to = ? WHERE id = ?", [(number, i) for i in ids.tolist()]
            )
    finally:
        cur.close()


def _insert_rows(
    conn: Connection,
    ds: Dataset,
    table: sa.Table,
    frame: pd.DataFrame,
    number: int,
    ids: np.ndarray,
    positions: np.ndarray,
    keys: pa.Array,
    hashes: np.ndarray,
) -> None:
    if frame.empty:
        return
    names = ["version_from", "id", "position", "row_key", "row_hash", *ds.column_names]
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, ds, table, frame, names, number, ids, positions, keys, hashes)
        return
    # version_from is the same int for every row: written into the SQL, one bind less per row.
    # Several rows per INSERT: a third less time per row than one row per statement.
    width = len(names) - 1
    one_row = f"({int(number)}, {', '.join('?' * width)})"
    head = f"INSERT INTO {_quote(conn, table.name)} ({', '.join(_quote(conn, n) for n in names)}) VALUES "
    per = max(1, _SQLITE_MAX_VARIABLES // width)
    many = head + ", ".join([one_row] * per)
    step = max(per, _SQLITE_CHUNK_ROWS // per * per)  # whole statements per chunk but the last
    cur = _raw(conn).cursor()
    try:
        for start in range(0, len(frame), step):
            # One chunk's rows as Python values at a time (a million rows of them at once were
            # most of the import's peak memory); the statements' parameter lists are cut from
            # one object grid by numpy, not assembled row by row in Python.
            stop = min(start + step, len(frame))
            grid = np.empty((stop - start, width), dtype=object)
            grid[:, 0] = ids[start:stop].tolist()
            grid[:, 1] = positions[start:stop].tolist()
            grid[:, 2] = keys.slice(start, stop - start).to_numpy(zero_copy_only=False)
            grid[:, 3] = hashes[start:stop].tolist()
            for i, c in enumerate(ds.columns, start=4):
                grid[:, i] = _sqlite_values(frame[c.name].iloc[start:stop], c.type)
            full = (stop - start) // per * per
            if full:
                cur.executemany(many, grid[:full].reshape(-1, per * width).tolist())
            if full < len(grid):
                cur.executemany(head + one_row, grid[full:].tolist())  # the rest, fewer than ``per``
            del grid
    finally:
        cur.close()


def _sqlite_values(series: pd.Series, col_type: ColType) -> list[Any]:
    """Python values sqlite3 can bind: None for missing, ISO text for dates."""
    if col_type is ColType.DATE:
        return _iso_dates(series).tolist()
    return series.to_numpy(dtype=object, na_value=None).tolist()


def _copy_rows(
    conn: Connection,
    ds: Dataset,
    table: sa.Table,
    frame: pd.DataFrame,
    names: list[str],
    number: int,
    ids: np.ndarray,
    positions: np.ndarray,
    keys: pa.Array,
    hashes: np.ndarray,
) -> None:
    """PostgreSQL: COPY the rows as CSV written by pyarrow (fast, NULL = empty).

    The ids are given (see :func:`_write_version`); the id sequence is moved past them after.
    """
    import pyarrow.csv as pacsv

    arrays: list[pa.Array] = [
        pa.array(np.full(len(frame), number, dtype=np.int64)),
        pa.array(np.asarray(ids, dtype=np.int64)),
        pa.array(np.asarray(positions, dtype=np.int64)),
        keys,
        pa.array(np.asarray(hashes, dtype=np.int64)),
    ]
    for c in ds.columns:
        arr = pa.array(frame[c.name], from_pandas=True)
        if c.type is ColType.DATE:
            arr = arr.cast(pa.date32(), safe=False)
        arrays.append(arr)
    data = pa.Table.from_arrays(arrays, names=names)
    columns = ", ".join(_quote(conn, n) for n in names)
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    cur = _raw(conn).cursor()
    try:
        with cur.copy(f"COPY {_quote(conn, table.name)} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(frame), _COPY_CHUNK_ROWS):
                buf = io.BytesIO()
                pacsv.write_csv(data.slice(start, _COPY_CHUNK_ROWS), buf, options)
                copy.write(buf.getvalue())
        # Anything inserting with the default id after this (nothing does today) must not collide.
        cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", (table.name, int(ids[-1])))
    finally:
        cur.close()


# ---------------------------------------------------------------------------
# Reading rows back


def _load(conn: Connection, ds: Dataset, version: int | None) -> pd.DataFrame:
    """Content of ``version`` (None: current) typed like ``Checked.frame``, in ledger order."""
    return _load_with_positions(conn, ds, version)[0]


def _load_with_positions(
    conn: Connection, ds: Dataset, version: int | None
) -> tuple[pd.DataFrame, np.ndarray]:
    rows = _rows_of(conn, ds, version)
    return rows.frame, rows.positions


def _rows_of(conn: Connection, ds: Dataset, version: int | None) -> VersionRows:
    """The ledger rows of ``version`` (None: the current ones)."""
    if version is None:
        return _rows_where(conn, ds, "version_to IS NULL", ())
    where = "version_from <= ? AND (version_to IS NULL OR version_to > ?)"
    return _rows_where(conn, ds, where, (version, version))


def _rows_where(conn: Connection, ds: Dataset, where: str, params: tuple[Any, ...]) -> VersionRows:
    """The ledger rows matching ``where``, typed like ``Checked.frame``, in ledger order."""
    names = ", ".join(_quote(conn, n) for n in ds.column_names)
    table = _quote(conn, LEDGERS[ds.name].name)
    rows = _fetchall(conn, _sql(conn, f"SELECT position, id, {names} FROM {table} WHERE {where}"), params)
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return VersionRows(typed_empty(ds), empty, empty.copy())
    grid = np.array(rows, dtype=object)  # one C pass; columns are then cheap slices
    del rows
    # Positions are unique within a version; sorting here is cheaper than ORDER BY.
    positions = grid[:, 0].astype(np.int64)
    if np.any(positions[1:] < positions[:-1]):  # usually stored in order already
        order = np.argsort(positions, kind="stable")
        grid, positions = grid[order], positions[order]
    frame = pd.DataFrame({c.name: _decode(grid[:, i + 2], c.type) for i, c in enumerate(ds.columns)})
    return VersionRows(coerce_types(ds, frame), grid[:, 1].astype(np.int64), positions)


def _decode(values: np.ndarray, col_type: ColType) -> Any:
    """Driver values (object array) -> the column's pandas dtype.

    SQLite gives dates as ISO text and bools as 0/1; PostgreSQL gives date
    and bool objects. Dates and bools repeat a lot: convert each distinct
    value once.
    """
    if col_type is ColType.DATE:
        codes, uniques = pd.factorize(values)
        days = np.append(
            np.array([str(u) for u in uniques], dtype="datetime64[s]"), np.datetime64("NaT", "s")
        )
        return days[codes]
    if col_type is ColType.BOOL:
        codes, uniques = pd.factorize(values)
        flags = pd.array([bool(u) for u in uniques], dtype="boolean")
        return flags.take(codes, allow_fill=True)
    if col_type is ColType.INT:
        return pd.array(values, dtype="Int64")
    if col_type in (ColType.NUMBER, ColType.PERCENT):
        return pd.array(values, dtype="Float64")
    return pd.array(values, dtype="string")


def _version_row(conn: Connection, dataset: str, number: int) -> Any:
    query = sa.select(_VERSION).where(_VERSION.c.dataset == dataset, _VERSION.c.number == number)
    return conn.execute(query).first()


def _info(row: Any) -> VersionInfo:
    created = row.created_at
    created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
    return VersionInfo(
        dataset=row.dataset,
        number=row.number,
        created_at=created,
        user=row.user,
        file_name=row.file_name,
        sha256=row.sha256,
        mode=row.mode,
        rows=row.rows,
        added=row.added,
        changed=row.changed,
        removed=row.removed,
        skipped=row.skipped,
        restored_from=row.restored_from,
        id=row.id,
        corrections=[Correction.from_json(c) for c in json.loads(row.corrections or "[]")],
        scope=getattr(row, "scope", "") or "",
        note=row.note or "",
    )


# ---------------------------------------------------------------------------
# Raw driver helpers


def _raw(conn: Connection) -> Any:
    """The DBAPI connection inside ``conn``'s transaction (same BEGIN, same lock)."""
    return conn.connection.driver_connection


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _sql(conn: Connection, sql: str) -> str:
    """'?' placeholders (sqlite3) -> '%s' (psycopg)."""
    return sql.replace("?", "%s") if conn.dialect.name == "postgresql" else sql


def _fetchall(conn: Connection, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    cur = _raw(conn).cursor()
    try:
        cur.execute(sql, params)
        return cur.fetchall()
    finally:
        cur.close()
