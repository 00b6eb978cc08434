"""Random sequences of brands uploads and restores, replayed into a copy of an empty database: what
the storage property tests (ledger index, pending rows, version changes) share."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from dashboard.store import storage
from tests.test_storage import brand, csv


def brands_csv(rows: dict[str, tuple[str, str]]) -> bytes:
    """A brands upload: brand code -> (status, name), the other cells fixed (test_storage's brand)."""
    return csv("brands", [brand(code, status, name) for code, (status, name) in rows.items()])


@contextmanager
def copied_database(empty: Path, prefix: str) -> Iterator[tuple[sa.Engine, Path]]:
    """A copy of the migrated database ``empty`` in a folder of its own: (engine, folder), both gone
    after (any rows still being moved into their ledgers are moved first)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copy(empty, folder / "v.db")
    engine = storage.make_engine(f"sqlite:///{folder / 'v.db'}")
    try:
        yield engine, folder
    finally:
        storage.wait_settled()
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def apply_step(engine: sa.Engine, kind: str, arg: object, last: int) -> storage.ImportResult:
    """One step: a restore of version ``arg`` (at most ``last``, the newest), or an upload in mode
    ``kind``."""
    if kind == "restore":
        return storage.restore(engine, "brands", min(int(arg), max(last, 1)))  # type: ignore[call-overload]
    return storage.import_file(engine, "brands", brands_csv(arg), "b.csv", mode=kind)  # type: ignore[arg-type]
