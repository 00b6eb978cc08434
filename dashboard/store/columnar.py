"""Columnar copies of versions on disk: a worker's first read of a ledger from one file, not every row.

Why (issue 11): at city size the first board after a server start waited about 6 s, most of it
fetching and decoding 1.3 million ledger rows. The same version kept as an lz4 Arrow stream reads
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
A copy is written by the first worker that reads a version from the ledger, or by the import
itself when it holds the version's every row (a first version, a replace): see
``storage._keep_copy``. Naming and writing live in :mod:`dashboard.store.copyfiles`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.store import copyfiles, storage
from dashboard.store.copyfiles import FORMAT, KEEP, folder

__all__ = ["FORMAT", "KEEP", "LOOK_BACK", "Copies", "copies", "folder"]

LOOK_BACK = 20  # versions tried, newest first, before reading the ledger instead


def _name(identity: str, info: storage.VersionInfo) -> str:
    return copyfiles.copy_name(
        identity, info.dataset, info.number, info.id, info.created_at, info.sha256, info.mode
    )


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
            rows = _load(self.paths[n], self.dataset)
            if rows is not None:
                return n, rows
        return None

    def keep(self, number: int, rows: storage.VersionRows) -> Path | None:
        """Keep ``rows`` (version ``number``) on disk for the next worker that starts
        (:func:`copyfiles.write`: whole or not at all; a failure only logs)."""
        path = self.paths.get(number)
        if path is None:
            return None
        return copyfiles.write(path, self.dataset, rows.frame, rows.ids, rows.positions)


def copies(directory: Path, engine: Engine, dataset: str) -> Copies:
    """The copies of ``dataset``'s versions under ``directory`` (none for a database without a token)."""
    with engine.connect() as conn:
        identity = copyfiles.identity(conn)
    if identity is None:
        return Copies(directory, dataset, {})
    versions = storage.list_versions(engine, dataset)  # newest first
    return Copies(directory, dataset, {v.number: directory / _name(identity, v) for v in versions})


def _load(path: Path, dataset: str) -> storage.VersionRows | None:
    loaded = copyfiles.load(path, dataset)
    return None if loaded is None else storage.VersionRows(*loaded)
