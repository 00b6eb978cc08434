"""Backups that restore: one .tar.gz holding the database, the private data directory and a manifest.

Why this shape:

- Online and consistent: SQLite is copied with its backup API in one step (one read
  transaction: WAL lets imports go on meanwhile, and the copy is the database as of one
  instant). PostgreSQL is read in ONE ``REPEATABLE READ, READ ONLY`` transaction, table
  by table, as JSON lines: every table from the same snapshot, while uploads go on.
  Not pg_dump: its output names the schema it came from and refuses a server newer than
  the client, and an intranet server seldom has matching client tools; this export
  restores into any schema, database, or even the other back end.
- The private data directory (kiosk links, demo accounts, logs) goes along, without
  what is transient (pending uploads, the SQLite files themselves, backups, temp files).
- ``manifest.json`` lists every part with its SHA-256 and size, the back end and the
  Alembic revision: :func:`verify` recomputes them; :func:`restore` verifies first,
  refuses a backup of another schema revision, and refuses a non-empty installation
  unless forced. The restore is one transaction: it lands whole or not at all.
- A forced restore replaces the audit log too, so it first keeps the rows it replaces in
  ``<data_dir>/audit-archive/`` (never deleted by a restore, kept in later backups): going
  back to an old backup cannot make an admin's recent actions disappear.

No Reflex, no accounts import (store is below accounts): callers write the audit rows.
"""

from __future__ import annotations

import base64
import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard import i18n

FORMAT = "dashboard-backup/1"
MANIFEST = "manifest.json"
SQLITE_PART = "db/database.sqlite"
FILES_PREFIX = "files/"
#: Directories of the data dir that are never backed up (and never cleared by a restore).
TRANSIENT_DIRS = frozenset({"pending", "backups", "tmp", "cache"})
#: Kept across restores: the audit rows a forced restore replaced.
ARCHIVE_DIR = "audit-archive"
_TRANSIENT_SUFFIXES = (".tmp", ".lock", "-wal", "-shm", "-journal")
_SKIP_TABLES = frozenset({"alembic_version"})
#: Backed up and restored, but not data: a fresh installation has its token (migration 0011).
_NOT_DATA_TABLES = frozenset({"store_identity"})
_CHUNK = 500
#: Emptied, never filled, by a restore: sign-ins of the backup's day (a session signed out, or of an
#: account disabled, since) must not come back to life; everyone signs in again.
_NOT_RESTORED = frozenset({"user_session"})


class BackupError(Exception):
    """A backup that cannot be made, verified or restored, with a Chinese and an English message."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


@dataclass
class Manifest:
    backend: str
    revision: str | None
    created_at: str
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> {sha256, size}
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows
    replaced_audit: Path | None = None  # set by a forced restore that archived the audit rows it replaced

    def to_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "backend": self.backend,
            "revision": self.revision,
            "created_at": self.created_at,
            "parts": self.parts,
            "rows": self.rows,
        }
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        body = json.loads(data)
        if body.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} manifest")
        return cls(
            body["backend"], body.get("revision"), body["created_at"], body["parts"], body.get("rows", {})
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sqlite_path(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return Path(database).resolve() if database and database != ":memory:" else None


# ---------------------------------------------------------------------------
# The private data directory


def _in_scope(rel: PurePosixPath, skip: set[Path], path: Path) -> bool:
    if rel.parts and rel.parts[0] in TRANSIENT_DIRS:
        return False
    if any(part.startswith(".") for part in rel.parts):  # temp files of atomic writes (.kiosk-xxxx)
        return False
    if rel.name.endswith(_TRANSIENT_SUFFIXES):
        return False
    return path.resolve() not in skip


def data_files(data_dir: Path, engine: Engine, backup_dir: Path | None = None) -> list[tuple[str, Path]]:
    """(relative POSIX path, path) of every file of the data dir that a backup keeps."""
    if not data_dir.is_dir():
        return []
    skip: set[Path] = set()
    db = _sqlite_path(engine)
    if db is not None:
        skip |= {db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")}
    backup_root = backup_dir.resolve() if backup_dir else None
    out = []
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if backup_root is not None and backup_root in path.resolve().parents:
            continue
        rel = PurePosixPath(path.relative_to(data_dir).as_posix())
        if _in_scope(rel, skip, path):
            out.append((str(rel), path))
    return out


# ---------------------------------------------------------------------------
# Values as JSON (PostgreSQL export)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$": "dt", "v": value.isoformat()}
    if isinstance(value, date):
        return {"$": "d", "v": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$": "b", "v": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$" in value:
        kind, raw = value["$"], value["v"]
        if kind == "dt":
            return datetime.fromisoformat(raw)
        if kind == "d":
            return date.fromisoformat(raw)
        if kind == "b":
            return base64.b64decode(raw)
    return value


def _tables(conn: Connection) -> list[sa.Table]:
    meta = sa.MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name not in _SKIP_TABLES]


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


def _order(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns) or list(table.columns)


def _export_postgresql(engine: Engine, folder: Path, manifest: Manifest) -> None:
    """Every table from one snapshot: REPEATABLE READ sees the database as of its first query."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            manifest.revision = _revision(conn)
            for table in _tables(conn):
                part = f"db/{table.name}.jsonl.gz"
                path = folder / part
                path.parent.mkdir(parents=True, exist_ok=True)
                count = 0
                with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
                    out.write(json.dumps([c.name for c in table.columns], ensure_ascii=False) + "\n")
                    query = sa.select(table).order_by(*_order(table))
                    for row in conn.execution_options(yield_per=2000).execute(query):
                        out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
                        count += 1
                manifest.rows[table.name] = count


def _export_sqlite(engine: Engine, folder: Path, manifest: Manifest) -> None:
    source = _sqlite_path(engine)
    if source is None:
        raise BackupError(*i18n.both("backup.in_memory"))
    target = folder / SQLITE_PART
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: the whole database in one step, one consistent read
    finally:
        dst.close()
        src.close()
    check = sa.create_engine(f"sqlite:///{target}")
    try:
        with check.connect() as conn:
            manifest.revision = _revision(conn)
            for table in _tables(conn):
                manifest.rows[table.name] = conn.execute(
                    sa.select(sa.func.count()).select_from(table)
                ).scalar()
    finally:
        check.dispose()


# ---------------------------------------------------------------------------
# Backup


def backup(engine: Engine, data_dir: Path, output: Path, *, backup_dir: Path | None = None) -> Manifest:
    """Write a backup to ``output`` (owner-only; written beside it and renamed, so never half a file)."""
    output = output.resolve()
    inside = data_dir.resolve() in output.parents
    if inside and not (backup_dir is not None and backup_dir.resolve() in output.parents):
        # it would be a data file of every later backup (each holding the one before) and come back on restore
        raise BackupError(*i18n.both("backup.inside_data_dir", path=output, data_dir=data_dir.resolve()))
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(engine.dialect.name, None, datetime.now(UTC).isoformat(timespec="seconds"))
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as tmp:
        folder = Path(tmp) / "parts"
        if engine.dialect.name == "sqlite":
            _export_sqlite(engine, folder, manifest)
        elif engine.dialect.name == "postgresql":
            _export_postgresql(engine, folder, manifest)
        else:
            raise BackupError(*i18n.both("backup.unsupported", dialect=engine.dialect.name))
        for rel, path in data_files(data_dir, engine, backup_dir):
            target = folder / (FILES_PREFIX + rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(path, target)
            except FileNotFoundError:  # removed while we walked (a pending upload confirmed, a log rotated)
                continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            manifest.parts[path.relative_to(folder).as_posix()] = {"sha256": _sha256(data), "size": len(data)}
        partial = Path(tmp) / "backup.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            _add_bytes(tar, MANIFEST, manifest.to_json())
            for rel in manifest.parts:
                tar.add(folder / rel, arcname=rel, recursive=False, filter=_plain)
        os.replace(partial, output)
    return manifest


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------------------
# Verify


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(*i18n.both("backup.unreadable", path=path, reason=exc)) from None


def verify(path: Path) -> tuple[Manifest | None, list[str]]:
    """The manifest and every problem found (empty: every part is there, whole, and nothing else)."""
    problems: list[str] = []
    with _open(path) as tar:
        try:
            members = tar.getmembers()
            names = {m.name: m for m in members}
            if MANIFEST not in names:
                return None, [f"{MANIFEST}: missing"]
            manifest = Manifest.from_json(tar.extractfile(names[MANIFEST]).read())  # type: ignore[union-attr]
            for m in members:
                if m.name == MANIFEST:
                    continue
                if not m.isfile() or not _safe_name(m.name):
                    problems.append(f"{m.name}: not a plain file inside the backup")
                elif m.name not in manifest.parts:
                    problems.append(f"{m.name}: not listed in the manifest")
                else:
                    digest = hashlib.sha256()
                    stream = tar.extractfile(m)
                    while block := stream.read(1 << 20):  # type: ignore[union-attr]
                        digest.update(block)
                    if digest.hexdigest() != manifest.parts[m.name]["sha256"]:
                        problems.append(f"{m.name}: SHA-256 does not match the manifest")
            problems += [f"{name}: missing" for name in manifest.parts if name not in names]
        except (OSError, EOFError, tarfile.TarError, ValueError, KeyError, json.JSONDecodeError) as exc:
            return None, [f"damaged archive: {exc}"]
    return manifest, problems


# ---------------------------------------------------------------------------
# Restore


def has_data(engine: Engine, data_dir: Path) -> bool:
    """Whether an installation holds anything a restore would overwrite (rows, or kept data files)."""
    with engine.connect() as conn:
        for table in _tables(conn):
            if table.name in _NOT_DATA_TABLES:
                continue
            if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None:
                return True
    kept = ("logs/", ARCHIVE_DIR + "/")
    return any(not rel.startswith(kept) for rel, _ in data_files(data_dir, engine))


def _json_rows(folder: Path, table: str) -> Iterator[dict[str, Any]]:
    """Rows of a PostgreSQL export: a header line of column names, then one JSON list per row."""
    part = folder / f"db/{table}.jsonl.gz"
    if not part.exists():
        return
    with gzip.open(part, "rt", encoding="utf-8") as lines:
        columns = json.loads(next(lines))
        for line in lines:
            yield dict(zip(columns, (_decode(v) for v in json.loads(line)), strict=True))


def _normalise(value: Any, to_sqlite: bool) -> Any:
    """Every time we store is UTC: SQLite keeps it naive, PostgreSQL aware (never the session zone)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.replace(tzinfo=None) if to_sqlite else value
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _batches(rows: Iterable[dict[str, Any]], size: int = _CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(conn: Connection, tables: list[sa.Table]) -> None:
    """PostgreSQL: ids were inserted as they were; the next default id must come after them."""
    for table in tables:
        for col in table.primary_key.columns:
            if not isinstance(col.type, sa.Integer):
                continue
            seq = conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{table.name}"', "c": col.name}
            ).scalar()
            if seq:
                top = conn.execute(sa.select(sa.func.max(col))).scalar()
                conn.execute(
                    sa.text("SELECT setval(:s, :v, :called)"),
                    {"s": seq, "v": top or 1, "called": top is not None},
                )


def restore(path: Path, engine: Engine, data_dir: Path, *, head: str | None, force: bool = False) -> Manifest:
    """Restore a verified backup into ``engine`` (already migrated to ``head``) and ``data_dir``."""
    manifest, problems = verify(path)
    if manifest is None or problems:
        listed = tuple(sep.join(problems) for sep in i18n.both("sep.clauses"))
        raise BackupError(*i18n.both("backup.verify_failed", problems=listed))
    if manifest.revision != head:
        raise BackupError(*i18n.both("backup.other_revision", revision=manifest.revision, head=head))
    if not force and has_data(engine, data_dir):
        raise BackupError(*i18n.both("backup.not_empty"))
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=_tmp_root(engine, data_dir)) as tmp:
        folder = Path(tmp)
        with _open(path) as tar:
            for member in tar.getmembers():
                if member.name != MANIFEST and member.name in manifest.parts:
                    target = folder / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as src, target.open("wb") as dst:  # type: ignore[union-attr]
                        shutil.copyfileobj(src, dst)
        if force:
            manifest.replaced_audit = _archive_audit(engine, data_dir)
        _restore_database(engine, folder, manifest)
        _restore_files(engine, folder, manifest, data_dir)
    return manifest


def _archive_audit(engine: Engine, data_dir: Path) -> Path | None:
    """The installation's audit rows, kept before a forced restore replaces them (None: there were none)."""
    with engine.connect() as conn:
        try:
            table = sa.Table("audit_log", sa.MetaData(), autoload_with=conn)
        except sa.exc.NoSuchTableError:
            return None
        rows = conn.execute(sa.select(table).order_by(table.c.id)).all()
        if not rows:
            return None
        folder = data_dir / ARCHIVE_DIR
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"replaced-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.jsonl.gz"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as out:
            out.write(json.dumps([c.name for c in table.columns]) + "\n")
            for row in rows:
                out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
    return path


def _tmp_root(engine: Engine, data_dir: Path) -> Path:
    root = data_dir / "tmp"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def _restore_database(engine: Engine, folder: Path, manifest: Manifest) -> None:
    source_engine = (
        sa.create_engine(f"sqlite:///{folder / SQLITE_PART}") if manifest.backend == "sqlite" else None
    )
    to_sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            if to_sqlite:
                conn.execution_options(sqlite_immediate=True)
            with conn.begin():
                if not to_sqlite:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('dashboard.audit_chain'))"))
                tables = _tables(conn)
                for table in reversed(tables):  # --force: the old content goes, children first
                    conn.execute(table.delete())
                for table in tables:
                    if table.name in _NOT_RESTORED:
                        continue
                    names = {c.name for c in table.columns}
                    rows = _rows_of(source_engine, folder, manifest, table.name)
                    for batch in _batches(rows):
                        values = [
                            {k: _normalise(v, to_sqlite) for k, v in r.items() if k in names} for r in batch
                        ]
                        conn.execute(table.insert(), values)
                if not to_sqlite:
                    _reset_sequences(conn, tables)
    finally:
        if source_engine is not None:
            source_engine.dispose()


def _rows_of(source: Engine | None, folder: Path, manifest: Manifest, table: str) -> Iterator[dict[str, Any]]:
    if source is None:
        yield from _json_rows(folder, table)
        return
    with source.connect() as conn:
        meta = sa.MetaData()
        try:
            t = sa.Table(table, meta, autoload_with=conn)
        except sa.exc.NoSuchTableError:
            return
        for row in conn.execution_options(yield_per=2000).execute(sa.select(t).order_by(*_order(t))):
            yield dict(row._mapping)


def _restore_files(engine: Engine, folder: Path, manifest: Manifest, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for rel, path in data_files(
        data_dir, engine
    ):  # --force: the old files go (not transient ones, not the archive)
        if not rel.startswith(ARCHIVE_DIR + "/"):
            path.unlink(missing_ok=True)
    for name in manifest.parts:
        if not name.startswith(FILES_PREFIX):
            continue
        rel = name[len(FILES_PREFIX) :]
        target = data_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write((folder / name).read_bytes())


# ---------------------------------------------------------------------------
# The daily backup


def backup_name(day: date) -> str:
    return f"dashboard-{day:%Y%m%d}.tar.gz"


def scheduled_backup(
    engine: Engine, data_dir: Path, backup_dir: Path, *, keep: int, day: date
) -> Path | None:
    """Today's backup if nobody made it yet (one process at a time: a file lock), then only the
    newest ``keep`` kept. None when there was nothing to do (or another process holds the lock)."""
    if keep <= 0:
        return None
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = backup_dir / backup_name(day)
    if target.exists():
        return None
    with open(backup_dir / ".lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another worker is at it
        try:
            if target.exists():
                return None
            backup(engine, data_dir, target, backup_dir=backup_dir)
            prune(backup_dir, keep)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def prune(backup_dir: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` daily backups (names sort by day); returns the removed."""
    daily = sorted(backup_dir.glob("dashboard-[0-9]*.tar.gz"))
    gone = daily[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
