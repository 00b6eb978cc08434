"""Columnar copies of versions on disk: a worker's first read of a ledger from one file, not every row.

Why (issue 11): at city size the first board after a server start waited about 6 s, most of it
fetching and decoding 1.3 million ledger rows. The same version kept as a zstd Arrow file reads
in about a quarter of a second, and the rows changed since (``storage.load_changes``) bring it
up to date.

A version's content never changes once committed (versions are append-only), so a copy stays
true for as long as it is the copy of *that* version. Its file name is a hash of everything that
makes it so: this database's token (``store_identity``, made by migration 0011 and carried by
backups), the schema revision (a migration may rewrite stored values), the contract's columns,
and the version's dataset, number, id, time, file hash and mode. A database restored from a
backup keeps the versions it shares with the copies and makes new names for the ones it adds;
another database at the same address has another token.

The copies are derived data in ``<data_dir>/cache`` (a backup leaves them out): a file missing,
unreadable or of another shape is skipped and the ledger read instead, never an error shown.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.contract import get_dataset
from dashboard.ingest import typed_empty
from dashboard.store import storage

log = logging.getLogger(__name__)

FORMAT = "version-copy/1"
KEEP = 3  # copies kept per dataset: the newest, and the ones a worker may still be reading from
LOOK_BACK = 20  # versions tried, newest first, before reading the ledger instead
_ID, _POSITION = "__ledger_id", "__ledger_position"


def folder(data_dir: Path) -> Path:
    """Where the copies live under a data directory (left out of backups, see store.backup)."""
    return data_dir / "cache" / "versions"


def _identity(engine: Engine) -> str | None:
    """This database's token and schema revision; None (no copies) when it has none yet."""
    try:
        with engine.connect() as conn:
            token = conn.execute(sa.text("SELECT token FROM store_identity")).scalars().first()
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().first()
    except sa.exc.DBAPIError:  # a database made before migration 0011, or without Alembic's table
        return None
    return f"{token}|{revision}" if token else None


def _name(identity: str, info: storage.VersionInfo) -> str:
    ds = get_dataset(info.dataset)
    columns = ",".join(f"{c.name}:{c.type.value}" for c in ds.columns)
    key = "|".join(
        (
            FORMAT,
            identity,
            columns,
            info.dataset,
            str(info.number),
            str(info.id),
            info.created_at.isoformat(),
            info.sha256,
            info.mode,
        )
    )
    return f"{info.dataset}-{info.number}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.arrow"


@dataclass
class Copies:
    """Where the copy of each version of one dataset is, or would be: named once per first read
    (one query for the token, one for the versions), for finding a copy and keeping one."""

    directory: Path
    dataset: str
    paths: dict[int, Path]  # version number -> its copy's path, newest version first

    def newest(self, number: int) -> tuple[int, storage.VersionRows] | None:
        """The newest copy of a version at or before ``number``: (its number, its rows).

        None when no copy is here (the caller reads the ledger). The rows are exactly what
        ``storage.load_rows`` gives for that version.
        """
        tried = [n for n in self.paths if n <= number][:LOOK_BACK]
        for n in tried:
            if self.paths[n].is_file():
                rows = _load(self.paths[n], self.dataset)
                if rows is not None:
                    return n, rows
        return None

    def keep(self, number: int, rows: storage.VersionRows) -> Path | None:
        """Keep ``rows`` (version ``number``) on disk for the next worker that starts.

        Written to a temporary name and renamed, so a reader never sees half a file; the oldest
        copies of the dataset beyond :data:`KEEP` are removed. A failure (disk full) only logs.
        """
        path = self.paths.get(number)
        if path is None or path.is_file():
            return path
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            frame = rows.frame.assign(**{_ID: rows.ids, _POSITION: rows.positions})
            feather.write_feather(pa.Table.from_pandas(frame, preserve_index=False), tmp, compression="zstd")
            os.replace(tmp, path)
        except (OSError, pa.ArrowException) as exc:
            log.warning("version copy of %s %s not kept: %s", self.dataset, number, exc)
            tmp.unlink(missing_ok=True)
            return None
        _prune(self.directory, self.dataset)
        return path


def copies(directory: Path, engine: Engine, dataset: str) -> Copies:
    """The copies of ``dataset``'s versions under ``directory`` (none for a database without a token)."""
    identity = _identity(engine)
    if identity is None:
        return Copies(directory, dataset, {})
    versions = storage.list_versions(engine, dataset)  # newest first
    return Copies(directory, dataset, {v.number: directory / _name(identity, v) for v in versions})


def _load(path: Path, dataset: str) -> storage.VersionRows | None:
    try:
        frame = feather.read_table(path, memory_map=False).to_pandas()
    except (OSError, pa.ArrowException, ValueError) as exc:  # truncated, or another format
        log.warning("version copy %s unreadable, reading the ledger instead: %s", path.name, exc)
        return None
    expected = typed_empty(get_dataset(dataset))
    names = list(expected.columns)
    if list(frame.columns) != [*names, _ID, _POSITION] or list(frame[names].dtypes) != list(expected.dtypes):
        log.warning("version copy %s has another shape, reading the ledger instead", path.name)
        return None
    ids = frame[_ID].to_numpy(dtype=np.int64)
    positions = frame[_POSITION].to_numpy(dtype=np.int64)
    return storage.VersionRows(frame[names], ids, positions)


def _prune(directory: Path, dataset: str) -> None:
    copies = sorted(directory.glob(f"{dataset}-*.arrow"), key=_mtime, reverse=True)
    for old in copies[KEEP:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another worker meanwhile
        return 0.0
