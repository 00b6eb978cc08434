"""A version that writes many rows commits them as one blob (``ledger_pending``) and they move into
the ledger table just after (``storage.settle``): the row inserts were most of a million-row
import's time. Nothing a user reads may tell the difference: the same random sequences of uploads
and restores, made once with every version's rows pending and once written at once, leave
identical ledgers, versions, diffs, contents and histories, read before and after the move. A
process killed between the commit and the move leaves its version whole: the next read moves it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from dashboard.bench.synthetic import changed_csv, demolition_csv
from dashboard.contract import get_dataset
from dashboard.ingest import read_table, validate
from dashboard.settings import REPO_ROOT
from dashboard.store import LEDGERS, storage
from dashboard.store.audit import begin_write
from dashboard.store.diff import KeyState, key_history, version_changes
from dashboard.store.export import to_csv_bytes
from tests.brand_steps import apply_step, copied_database
from tests.test_ledger_index import _ledger, _versions, assert_index_is_the_current_rows, steps


@contextmanager
def rows_pending_from(rows: int, data_dir: Path) -> Iterator[None]:
    """Versions of ``rows`` rows or more get their columnar copy (in ``data_dir``) and, writing that
    many, commit them as a blob (both 20,000 by default)."""
    before = storage.SETTLE_LATER_AT_ROWS, storage.COPY_AT_ROWS, os.environ.get("DASHBOARD_DATA_DIR")
    storage.SETTLE_LATER_AT_ROWS = storage.COPY_AT_ROWS = rows
    os.environ["DASHBOARD_DATA_DIR"] = str(data_dir)
    try:
        yield
    finally:
        storage.SETTLE_LATER_AT_ROWS, storage.COPY_AT_ROWS, data = before
        if data is None:
            os.environ.pop("DASHBOARD_DATA_DIR", None)
        else:
            os.environ["DASHBOARD_DATA_DIR"] = data


def _pending(engine: sa.Engine) -> list[tuple[str, int, int]]:
    with engine.connect() as conn:
        query = "SELECT dataset, version, rows FROM ledger_pending ORDER BY dataset, version"
        return [tuple(r) for r in conn.execute(sa.text(query))]


@contextmanager
def _run(empty: Path, sequence: list[tuple[str, object]], *, later: bool) -> Iterator[sa.Engine]:
    """The steps imported into a copy of ``empty``; ``later``: every version's rows pending first,
    each version read back at once (while its rows may still be moving)."""
    with copied_database(empty, "pending-") as (engine, folder):
        with rows_pending_from(1 if later else 10**9, folder / "data"):
            last = 0
            for kind, arg in sequence:
                result = apply_step(engine, kind, arg, last)
                last = result.version or last
                if result.version:
                    storage.load_version(engine, "brands", result.version)  # settles if still pending
        storage.wait_settled()
        yield engine


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_rows_moved_after_the_commit_are_what_rows_written_at_once_would_be(
    migrated: Path, sequence: list[tuple[str, object]]
) -> None:
    with _run(migrated, sequence, later=True) as later, _run(migrated, sequence, later=False) as now:
        assert _pending(later) == []
        assert _ledger(later) == _ledger(now)  # ids, versions, positions, keys, hashes, cells
        assert _versions(later) == _versions(now)
        assert_index_is_the_current_rows(later, "brands")
        for v in storage.list_versions(later, "brands"):
            assert (
                version_changes(later, "brands", v.number).to_json()
                == version_changes(now, "brands", v.number).to_json()
            )
            pd.testing.assert_frame_equal(
                storage.load_version(later, "brands", v.number), storage.load_version(now, "brands", v.number)
            )
        for code in ("BR-00", "BR-05"):
            assert _history(later, code) == _history(now, code)


def _history(engine: sa.Engine, code: str) -> list[KeyState]:
    """A key's states, without the times (the two runs were made moments apart)."""
    return [replace(s, created_at=None, removed_at=None) for s in key_history(engine, "brands", code)]


def _import_then_die(db_url: str, dataset: str, data: bytes, tmp: Path, rows_pending_at: int) -> None:
    """A server process killed right after an import's commit, before its rows are moved."""
    path = tmp / "upload.csv"
    path.write_bytes(data)
    child = (
        "import os, signal, sys\n"
        "from dashboard.store import storage\n"
        f"storage.SETTLE_LATER_AT_ROWS = storage.COPY_AT_ROWS = {rows_pending_at}\n"
        "engine = storage.make_engine()\n"
        f"result = storage.import_file(engine, {dataset!r}, open(sys.argv[1], 'rb').read(), 'upload.csv')\n"
        "assert result.accepted\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "DASHBOARD_DB_URL": db_url}
    proc = subprocess.run([sys.executable, "-c", child, str(path)], cwd=REPO_ROOT, env=env, timeout=120)
    assert proc.returncode == -signal.SIGKILL


def test_a_version_whose_process_died_before_the_move_is_read_whole(db_url: str, tmp_path: Path) -> None:
    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    first = demolition_csv(30_000, seed=1)
    _import_then_die(db_url, "demolition", first, tmp_path, rows_pending_at=20_000)
    assert _pending(engine) == [("demolition", 1, 30_000)]  # committed, not yet moved
    table = LEDGERS["demolition"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0

    rows = storage.load_rows(engine, "demolition", 1)  # from the version's copy; the read moves them
    storage.wait_settled()
    assert len(rows.ids) == 30_000 and _pending(engine) == []
    assert list(rows.ids) == list(range(1, 30_001)) and list(rows.positions) == list(range(30_000))
    typed = validate(get_dataset("demolition"), read_table(first)).frame.reset_index(drop=True)
    pd.testing.assert_frame_equal(rows.frame, typed)  # every cell as typed: text, dates, numbers, flags
    _assert_same_rows(storage.ledger_rows(engine, "demolition", 1), rows)  # now in the ledger
    assert_index_is_the_current_rows(engine, "demolition")

    # A replace committed and then killed; the next import moves it before it diffs.
    second = changed_csv(first, "demolition", 1, fraction=0.9)
    _import_then_die(db_url, "demolition", second, tmp_path, rows_pending_at=20_000)
    assert [p[:2] for p in _pending(engine)] == [("demolition", 2)]
    third = storage.import_file(engine, "demolition", changed_csv(second, "demolition", 2), "third.csv")
    assert third.version == 3 and third.changed < 1_000  # diffed against version 2, not 1
    assert _pending(engine) == []
    assert storage.load_changes(engine, "demolition", 1, 2)[1].frame.shape[0] > 20_000


def test_settles_at_once_move_the_rows_once(db_url: str, tmp_path: Path) -> None:
    """Two readers, and the importer's own thread, all finding the rows pending: each row once."""
    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    data = demolition_csv(25_000, seed=4)
    _import_then_die(db_url, "demolition", data, tmp_path, rows_pending_at=20_000)
    start = threading.Barrier(3)
    moved: list[int] = []

    def settle() -> None:
        start.wait()
        moved.append(storage.settle(engine, "demolition"))

    threads = [threading.Thread(target=settle) for _ in range(2)]
    for t in threads:
        t.start()
    start.wait()
    current = storage.load_current(engine, "demolition")
    for t in threads:
        t.join()
    storage.wait_settled()  # (the reader, served from the version's copy, set a move going)
    assert len(current) == 25_000
    assert sorted(moved) in ([0, 0], [0, 25_000])  # the reader's own move may be the one
    with engine.connect() as conn:
        table = LEDGERS["demolition"]
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 25_000


def _assert_same_rows(got: storage.VersionRows, expected: storage.VersionRows) -> None:
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    assert got.ids.tolist() == expected.ids.tolist()
    assert got.positions.tolist() == expected.positions.tolist()


@contextmanager
def _move_held_back(engine: sa.Engine) -> Iterator[None]:
    """Another writer holds the pending rows, as a big version's own move does for seconds:
    SQLite's one write lock, PostgreSQL's lock on the rows."""
    with begin_write(engine) as conn:
        pg = conn.dialect.name == "postgresql"
        conn.execute(sa.text("SELECT version FROM ledger_pending FOR UPDATE" if pg else "SELECT 1"))
        yield


def _within(seconds: float, read: Callable[[], object]) -> object:
    """``read()`` in a thread; what it returned, or AssertionError when it is still waiting."""
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(read()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, f"still waiting after {seconds} s"
    return out[0]


def test_a_version_still_moving_is_read_from_its_copy_without_waiting(db_url: str, tmp_path: Path) -> None:
    """An export, a version page or a drill-down of a big version opened while its rows move into
    the ledger (about 4 s per million) gets them at once from the version's copy: the same rows."""
    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    first = demolition_csv(22_000, seed=5)
    small = demolition_csv(1_000, seed=6)
    storage.import_file(engine, "demolition", small, "small.csv")  # version 1, no copy
    _import_then_die(db_url, "demolition", first, tmp_path, rows_pending_at=20_000)  # version 2
    assert [p[:2] for p in _pending(engine)] == [("demolition", 2)]

    with _move_held_back(engine):
        rows = _within(10, lambda: storage.load_rows(engine, "demolition", 2))
        version = _within(10, lambda: storage.load_version(engine, "demolition", 2))
        current = _within(10, lambda: storage.load_current(engine, "demolition"))
    storage.wait_settled()  # the reads set the move going (the importer died before it)

    assert _pending(engine) == []
    from_ledger = storage.ledger_rows(engine, "demolition", 2)
    assert isinstance(rows, storage.VersionRows) and len(rows.ids) == 22_000
    _assert_same_rows(rows, from_ledger)
    pd.testing.assert_frame_equal(version, from_ledger.frame)
    pd.testing.assert_frame_equal(current, from_ledger.frame)
    # Version 1 has no copy: it is read from the ledger as before.
    assert len(storage.load_version(engine, "demolition", 1)) == 1_000


def test_a_foreign_key_check_sees_the_pending_rows_of_the_ledger_it_refers_to(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Activities name brands: a brands version whose rows are still pending is what they are
    checked against."""
    from dashboard.demo.load import load_demo
    from tests.conftest import DEMO_DAY

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    load_demo(engine, DEMO_DAY)
    brands = storage.load_current(engine, "brands")
    new = brands.iloc[[0]].assign(project_code="BR-NEW", brand_name="新品牌")
    _import_then_die(
        sqlite_url, "brands", to_csv_bytes("brands", pd.concat([brands, new], ignore_index=True)), tmp_path, 1
    )
    newest = storage.list_versions(engine, "brands")[0].number
    assert [p[:2] for p in _pending(engine)] == [("brands", newest)]

    activities = storage.load_current(engine, "activities")
    one = activities.iloc[[0]].assign(project_code="BR-NEW")
    upload = to_csv_bytes("activities", pd.concat([activities, one], ignore_index=True))
    result = storage.import_file(engine, "activities", upload, "activities.csv")
    assert result.accepted, result.problems.errors
    assert _pending(engine) == []  # moved by the activities' import, before its check


def test_a_server_starting_moves_what_a_stopped_one_left_pending(sqlite_url: str, tmp_path: Path) -> None:
    from dashboard.state import schedule
    from tests.reflex_events import run

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    _import_then_die(sqlite_url, "demolition", demolition_csv(21_000, seed=5), tmp_path, 20_000)
    assert len(_pending(engine)) == 1

    run(schedule.left_pending(None))  # type: ignore[arg-type]  (the app is not used)

    assert _pending(engine) == []
    with engine.connect() as conn:
        table = LEDGERS["demolition"]
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 21_000
