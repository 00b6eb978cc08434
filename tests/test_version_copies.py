"""A restarted worker reads each ledger from its version's columnar copy on disk (store.columnar).

At city size a worker's first board read 1.3M ledger rows (about 6 s); the copy reads in a
fraction of that. A copy is only ever the copy of the version it names: these tests show that
a worker reads it instead of the ledger, that a copy made by another database at the same
address is never taken for this one's, and that a damaged copy means reading the ledger.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.board.snapshot import FrameStore
from dashboard.store import backup, columnar, storage
from dashboard.store.tables import ledger_name
from tests.test_storage import brand, csv

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _brands(codes: list[str], status: str = "已挂牌") -> bytes:
    return csv("brands", [brand(code, status) for code in codes])


def _migrated(url: str) -> sa.Engine:
    engine = storage.make_engine(url)
    storage.migrate(engine)
    return engine


def test_a_restarted_worker_reads_the_copy_on_disk_not_the_ledger(db_url: str, tmp_path: Path) -> None:
    engine = _migrated(db_url)
    disk = tmp_path / "copies"
    storage.import_file(engine, "brands", _brands(["BR-1", "BR-2", "BR-3"]), "b.csv")
    first = FrameStore(disk).get(engine, "brands", 1)  # read from the ledger, and kept on disk
    assert [p.name.split("-")[0] for p in disk.iterdir()] == ["brands"]

    with engine.begin() as conn:  # the ledger's rows gone: only the copy can give them now
        conn.execute(sa.text(f"DELETE FROM {ledger_name('brands')}"))
    restarted = FrameStore(disk).get(engine, "brands", 1)

    pd.testing.assert_frame_equal(restarted, first)
    assert restarted["project_code"].tolist() == ["BR-1", "BR-2", "BR-3"]


def test_a_worker_starts_from_the_newest_copy_and_reads_only_the_rows_changed_since(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = _migrated(sqlite_url)
    disk = tmp_path / "copies"
    storage.import_file(engine, "brands", _brands(["BR-1", "BR-2", "BR-3"]), "b.csv")
    FrameStore(disk).get(engine, "brands", 1)
    storage.import_file(engine, "brands", _brands(["BR-1", "BR-2", "BR-4"], "示范"), "b.csv")
    storage.import_file(engine, "brands", _brands(["BR-4", "BR-5"]), "b.csv", mode="append")

    got = FrameStore(disk).get(engine, "brands", 3)

    pd.testing.assert_frame_equal(got, storage.ledger_rows(engine, "brands", 3).frame)
    # ...and the version it built is kept for the next start
    assert sorted(p.name.split("-")[1] for p in disk.iterdir()) == ["1", "3"]


def test_a_copy_made_by_another_database_at_the_same_address_is_never_used(
    sqlite_url: str, tmp_path: Path
) -> None:
    disk = tmp_path / "copies"
    db = Path(sa.engine.make_url(sqlite_url).database or "")
    # The first database: version 2 is file F2 at T0+1h, read by a worker and kept on disk.
    engine = _migrated(sqlite_url)
    storage.import_file(engine, "brands", _brands(["BR-1", "BR-2"]), "b.csv", at=T0)
    storage.import_file(engine, "brands", _brands(["BR-2", "BR-3"]), "b.csv", at=T0 + timedelta(hours=1))
    FrameStore(disk).get(engine, "brands", 2)
    engine.dispose()
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    # A new database at the same address: the same file F2 as version 2 at the same time, after
    # another version 1, so the same content sits under other ledger row ids.
    engine = _migrated(sqlite_url)
    storage.import_file(engine, "brands", _brands(["BR-7", "BR-8", "BR-9"]), "b.csv", at=T0)
    storage.import_file(engine, "brands", _brands(["BR-2", "BR-3"]), "b.csv", at=T0 + timedelta(hours=1))
    storage.import_file(engine, "brands", _brands(["BR-3"]), "b.csv", at=T0 + timedelta(hours=2))

    got = FrameStore(disk).get(engine, "brands", 3)

    pd.testing.assert_frame_equal(got, storage.ledger_rows(engine, "brands", 3).frame)
    assert got["project_code"].tolist() == ["BR-3"]


def test_a_damaged_copy_is_skipped_and_the_ledger_read(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = _migrated(sqlite_url)
    disk = tmp_path / "copies"
    storage.import_file(engine, "brands", _brands(["BR-1", "BR-2"]), "b.csv")
    FrameStore(disk).get(engine, "brands", 1)
    (copy,) = disk.iterdir()
    copy.write_bytes(copy.read_bytes()[:100])  # a disk that filled up, say

    with caplog.at_level(logging.WARNING, logger="dashboard.store.copyfiles"):
        got = FrameStore(disk).get(engine, "brands", 1)

    pd.testing.assert_frame_equal(got, storage.ledger_rows(engine, "brands", 1).frame)
    assert "unreadable, reading the ledger instead" in caplog.text


def test_only_the_newest_copies_are_kept_and_a_backup_leaves_them_out(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = _migrated(sqlite_url)
    data_dir = tmp_path / "data"
    disk = columnar.folder(data_dir)
    for n in range(1, 7):
        storage.import_file(engine, "brands", _brands([f"BR-{i}" for i in range(n)]), "b.csv")
        FrameStore(disk).get(engine, "brands", n)

    assert len(list(disk.glob("brands-*.arrow"))) == columnar.KEEP
    assert not any("cache" in rel for rel, _ in backup.data_files(data_dir, engine))


def test_after_restoring_an_older_backup_a_version_number_made_again_is_read_from_the_ledger(
    db_url: str, tmp_path: Path
) -> None:
    from tests.test_backup import _head

    engine = _migrated(db_url)
    data_dir = tmp_path / "data"
    disk = columnar.folder(data_dir)
    storage.import_file(engine, "brands", _brands(["BR-1"]), "b.csv")
    backup.backup(engine, data_dir, tmp_path / "b.tar.gz")
    storage.import_file(engine, "brands", _brands(["BR-1", "BR-2"]), "b.csv")  # version 2, then lost
    FrameStore(disk).get(engine, "brands", 2)
    backup.restore(tmp_path / "b.tar.gz", engine, data_dir, head=_head(), force=True)
    storage.import_file(engine, "brands", _brands(["BR-3"]), "b.csv")  # another version 2

    got = FrameStore(disk).get(engine, "brands", 2)

    assert got["project_code"].tolist() == ["BR-3"]
    pd.testing.assert_frame_equal(got, storage.ledger_rows(engine, "brands", 2).frame)


def _lines_with_new_keys(data: bytes, drop: int, new: int) -> bytes:
    """The ledger without its first ``drop`` rows and with ``new`` rows under keys not seen before,
    written at the top (the ledger puts new rows last: the copy must be in ledger order)."""
    header, *rows = data.decode().splitlines()
    added = [row.replace("P", "Q", 1) for row in rows[:new]]
    return "\n".join([header, *added, *rows[drop:]]).encode() + b"\n"


def test_a_big_import_keeps_the_copy_of_its_version_exactly_as_the_ledger_gives_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload of the whole ledger (a first version, a replace, a restore) holds every row of
    the version it makes: when a tenth or more of them is new, it writes the copy itself, so no
    worker reads the ledger's rows after a bulk import. After a small edit a starting worker
    reads the copy before it and the rows changed since. Each copy gives what the ledger gives
    for that version, to the dtype, though it is written a slice of rows at a time."""
    from dashboard.bench import synthetic
    from dashboard.settings import get_settings
    from dashboard.store import copyfiles

    monkeypatch.setattr(copyfiles, "SLICE_ROWS", 4096)  # several slices, as a million rows have
    engine = _migrated(db_url)
    disk = columnar.folder(get_settings().data_dir)
    first = synthetic.demolition_csv(storage.COPY_AT_ROWS + 3000)
    uploads = [
        (first, 1),
        (synthetic.changed_csv(first, "demolition", 0, 0.01), 1),  # 1% edited: version 1's copy serves
        (_lines_with_new_keys(first, drop=3000, new=2500), 3),  # rows gone, 2,500 new rows
        (None, 4),  # version 4: version 2's rows again
    ]
    for number, (data, copy_of) in enumerate(uploads, start=1):
        if data is None:
            assert storage.restore(engine, "demolition", 2).accepted
        else:
            assert storage.import_file(engine, "demolition", data, "d.csv", mode="replace").accepted

        found = columnar.copies(disk, engine, "demolition").newest(number)

        assert found is not None and found[0] == copy_of
        rows, ledger = found[1], storage.ledger_rows(engine, "demolition", copy_of)
        pd.testing.assert_frame_equal(rows.frame, ledger.frame)
        assert rows.ids.tolist() == ledger.ids.tolist()
        assert rows.positions.tolist() == ledger.positions.tolist()
    assert len(list(disk.glob("demolition-*.arrow"))) == 3


def test_a_small_or_partial_upload_leaves_the_copy_to_the_first_reader(sqlite_url: str) -> None:
    """Below COPY_AT_ROWS the ledger reads quickly; an append holds only the new rows."""
    from dashboard.settings import get_settings

    engine = _migrated(sqlite_url)
    storage.import_file(engine, "brands", _brands(["BR-1", "BR-2"]), "b.csv")
    storage.import_file(engine, "brands", _brands(["BR-3"]), "b.csv", mode="append")

    assert not columnar.folder(get_settings().data_dir).exists()


def test_an_import_whose_copy_cannot_be_written_is_still_committed(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The copy is derived data: a cache folder that cannot be made (here a file stands in its
    way) is logged; the version is stored and read from the ledger."""
    from dashboard.bench import synthetic
    from dashboard.settings import get_settings

    engine = _migrated(sqlite_url)
    blocker = get_settings().data_dir / "cache"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    data = synthetic.demolition_csv(storage.COPY_AT_ROWS)

    with caplog.at_level(logging.WARNING):
        result = storage.import_file(engine, "demolition", data, "d.csv")

    assert result.accepted and result.version == 1
    assert len(storage.load_version(engine, "demolition", 1)) == storage.COPY_AT_ROWS
    assert "not kept" in caplog.text


def test_an_export_of_a_version_with_a_copy_reads_the_copy_and_gives_what_the_ledger_gives(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A whole version (an export, a version page, a drill-down) is read from its copy when it has
    one, settled or not: 1M rows in 0.25 s instead of 4 s from the ledger table. Shown here by
    emptying the ledger table after comparing: only the copy can still give the rows. A damaged
    copy, or a version without one, is read from the ledger."""
    from dashboard.bench import synthetic
    from dashboard.settings import get_settings

    engine = _migrated(db_url)
    data = synthetic.demolition_csv(storage.COPY_AT_ROWS)
    storage.import_file(engine, "demolition", data, "d.csv")  # version 1, with its copy
    storage.import_file(engine, "brands", _brands(["BR-1"]), "b.csv")  # small: no copy
    storage.wait_settled()
    ledger = storage.ledger_rows(engine, "demolition", 1)
    exported = storage.load_rows(engine, "demolition", 1)
    pd.testing.assert_frame_equal(exported.frame, ledger.frame)
    assert exported.ids.tolist() == ledger.ids.tolist()
    assert exported.positions.tolist() == ledger.positions.tolist()

    with engine.begin() as conn:  # the ledger's rows gone: only the copy can give them now
        conn.execute(sa.text(f"DELETE FROM {ledger_name('demolition')}"))

    pd.testing.assert_frame_equal(storage.load_version(engine, "demolition", 1), ledger.frame)
    pd.testing.assert_frame_equal(storage.load_current(engine, "demolition"), ledger.frame)
    assert storage.load_current(engine, "brands")["project_code"].tolist() == ["BR-1"]  # its ledger
    (copy,) = columnar.folder(get_settings().data_dir).glob("demolition-*.arrow")
    copy.write_bytes(copy.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="dashboard.store.copyfiles"):
        assert len(storage.load_version(engine, "demolition", 1)) == 0  # the (emptied) ledger
    assert "unreadable, reading the ledger instead" in caplog.text
    with pytest.raises(KeyError):
        storage.load_version(engine, "demolition", 2)
