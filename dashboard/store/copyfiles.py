"""Where a version's columnar copy lives on disk and how it is written (read by ``store.columnar``).

Split from :mod:`dashboard.store.columnar` so that the import itself can write the copy of the
version it has just committed (:mod:`dashboard.store.storage` sits below the reader, which
needs its rows and versions). Why a copy is true for exactly one version, and how its name
says so, is told in :mod:`dashboard.store.columnar`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.contract import get_dataset
from dashboard.ingest import typed_empty

log = logging.getLogger(__name__)

# An lz4 Arrow IPC stream of the contract's columns, then ID and POSITION, maybe more after them:
# the form of a version's pending rows (``ledger_pending``), so a first import's copy is those bytes.
FORMAT = "version-copy/2"
KEEP = 3  # copies kept per dataset: the newest, and the ones a worker may still be reading from
ID, POSITION = "__id", "__position"


def folder(data_dir: Path) -> Path:
    """Where the copies live under a data directory (left out of backups, see store.backup)."""
    return data_dir / "cache" / "versions"


def identity(conn: Connection) -> str | None:
    """This database's token and schema revision; None (no copies) when it has none yet.

    ``conn``: a connection of its own (on PostgreSQL a failed query ends its transaction).
    """
    try:
        token = conn.execute(sa.text("SELECT token FROM store_identity")).scalars().first()
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().first()
    except sa.exc.DBAPIError:  # a database made before migration 0011, or without Alembic's table
        return None
    return f"{token}|{revision}" if token else None


def copy_name(
    identity: str, dataset: str, number: int, version_id: int, created_at: datetime, sha256: str, mode: str
) -> str:
    """The file name of one version's copy: a hash of everything that makes it that version's."""
    ds = get_dataset(dataset)
    columns = ",".join(f"{c.name}:{c.type.value}" for c in ds.columns)
    key = "|".join(
        (
            FORMAT,
            identity,
            columns,
            dataset,
            str(number),
            str(version_id),
            created_at.isoformat(),
            sha256,
            mode,
        )
    )
    return f"{dataset}-{number}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.arrow"


def write(
    path: Path, dataset: str, frame: pd.DataFrame, ids: np.ndarray, positions: np.ndarray
) -> Path | None:
    """Keep a version's rows at ``path`` (done already: nothing to do).

    Written to a temporary name and renamed, so a reader never sees half a file; the oldest
    copies of the dataset beyond :data:`KEEP` are removed. A failure (disk full) only logs.
    """
    return _kept(path, dataset, lambda tmp: _write_stream(tmp, dataset, frame, ids, positions))


def place(path: Path, dataset: str, stream: BinaryIO) -> Path | None:
    """Keep a version's rows at ``path`` from ``stream``, bytes already in this form (a first
    import's pending rows, in ledger order): copied as they are, nothing converted again."""

    def copy(tmp: Path) -> None:
        stream.seek(0)
        with tmp.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)

    return _kept(path, dataset, copy)


def read(path: Path, dataset: str) -> pd.DataFrame:
    """A copy's contract columns, ID and POSITION, as pandas (raises on a damaged file)."""
    names = [*get_dataset(dataset).column_names, ID, POSITION]
    with pa.OSFile(str(path)) as source:
        reader = pa.ipc.open_stream(source)
        batches = [batch.select(names) for batch in reader]  # a first import's keys and hashes go
        schema = reader.schema
    if not batches:
        return schema.empty_table().select(names).to_pandas()
    return pa.Table.from_batches(batches).to_pandas()


def load(path: Path, dataset: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """A copy's rows as ``storage.load_rows`` gives them: (frame, ids, positions); None when the
    file is missing, unreadable or of another shape (the caller reads the ledger, never an error)."""
    if not path.is_file():
        return None
    try:
        frame = read(path, dataset)
    except (OSError, pa.ArrowException, ValueError, KeyError) as exc:  # truncated, or another format
        log.warning("version copy %s unreadable, reading the ledger instead: %s", path.name, exc)
        return None
    expected = typed_empty(get_dataset(dataset))
    names = list(expected.columns)
    if list(frame.columns) != [*names, ID, POSITION] or list(frame[names].dtypes) != list(expected.dtypes):
        log.warning("version copy %s has another shape, reading the ledger instead", path.name)
        return None
    return frame[names], frame[ID].to_numpy(dtype=np.int64), frame[POSITION].to_numpy(dtype=np.int64)


def _kept(path: Path, dataset: str, make: Callable[[Path], None]) -> Path | None:
    """``make`` the file under a temporary name and rename it, so a reader never sees half a file;
    the oldest copies of the dataset beyond :data:`KEEP` are removed. A failure only logs."""
    if path.is_file():
        return path
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        make(tmp)
        os.replace(tmp, path)
    except (OSError, pa.ArrowException) as exc:
        log.warning("version copy %s not kept: %s", path.name, exc)
        tmp.unlink(missing_ok=True)
        return None
    _prune(path.parent, dataset)
    return path


def _write_stream(
    path: Path, dataset: str, frame: pd.DataFrame, ids: np.ndarray, positions: np.ndarray
) -> None:
    schema, batches = record_batches(
        frame, {ID: pa.array(ids, pa.int64()), POSITION: pa.array(positions, pa.int64())}
    )
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, schema, options=LZ4) as writer:
        for batch in batches:
            writer.write_batch(batch)


def record_batches(
    frame: pd.DataFrame, extra: Mapping[str, pa.Array], rows: int | None = None
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """``frame`` (its index left out) and the ``extra`` columns after it, as record batches of
    ``rows``, each made Arrow only when it is asked for: converted whole, a million rows were
    60-80 MB more at the peak. The schema is the frame's (with pandas' dtypes) plus the extras."""
    rows = rows or SLICE_ROWS
    columns = pa.Schema.from_pandas(frame.iloc[:0], preserve_index=False)
    schema = columns
    for name, values in extra.items():
        schema = schema.append(pa.field(name, values.type))

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, len(frame), rows):
            part = pa.RecordBatch.from_pandas(
                frame.iloc[start : start + rows], schema=columns, preserve_index=False
            )
            more = [values.slice(start, part.num_rows) for values in extra.values()]
            yield pa.RecordBatch.from_arrays([*part.columns, *more], schema=schema)

    return schema, batches()


SLICE_ROWS = 65_536  # rows per record batch of a copy
LZ4 = pa.ipc.IpcWriteOptions(compression="lz4")  # copies and pending rows alike


def _prune(directory: Path, dataset: str) -> None:
    copies = sorted(directory.glob(f"{dataset}-*.arrow"), key=_mtime, reverse=True)
    for old in copies[KEEP:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another worker meanwhile
        return 0.0
