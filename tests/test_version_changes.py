"""A version read from its neighbour's frame and the rows that changed equals the version read whole.

The board's frame store turns the frame of version N-1 into version N's with the rows the
version closed and opened (``storage.load_changes``) instead of reading every row again;
these properties check, for random ledgers and random sequences of replaces, appends and
restores, that the frames, ids and ledger order are exactly what ``load_version`` gives.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dashboard.board.snapshot import FrameStore
from dashboard.store import storage
from tests.brand_steps import apply_step, brands_csv, copied_database

CODES = [f"BR-{i:02d}" for i in range(8)]
STATUSES = ["筹备", "已挂牌", "示范"]

# One upload: brand code -> (status, name); its mode; or a restore of an earlier version.
brands_rows = st.dictionaries(
    st.sampled_from(CODES), st.tuples(st.sampled_from(STATUSES), st.sampled_from(["甲", "乙"])), max_size=8
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("replace"), brands_rows),
        st.tuples(st.just("append"), brands_rows),
        st.tuples(st.just("restore"), st.integers(1, 6)),
    ),
    min_size=1,
    max_size=7,
)


@contextmanager
def _versions(empty: Path, sequence: list[tuple[str, object]]) -> Iterator[tuple[sa.Engine, int]]:
    """A fresh SQLite database holding the versions ``sequence`` makes; (engine, last version)."""
    with copied_database(empty, "changes-") as (engine, _):
        last = 0
        for kind, arg in sequence:
            last = apply_step(engine, kind, arg, last).version or last
        yield engine, last


def _same(got: storage.VersionRows, want: storage.VersionRows) -> None:
    pd.testing.assert_frame_equal(got.frame, want.frame)
    assert got.ids.tolist() == want.ids.tolist()
    assert got.positions.tolist() == want.positions.tolist()


# BR-03 moves (version 5 places it at 2) and version 3, restored, had BR-02 at 2 and BR-03 at 3.
MOVED_THEN_RESTORED: list[tuple[str, object]] = [
    ("replace", {"BR-01": ("筹备", "甲")}),
    ("restore", 1),
    ("replace", {c: ("筹备", "甲") for c in ("BR-00", "BR-01", "BR-02", "BR-03")}),
    ("restore", 1),
    ("replace", {"BR-00": ("筹备", "甲"), "BR-03": ("筹备", "甲")}),
    ("restore", 3),
]


def test_a_restore_puts_every_row_back_in_its_place_even_one_that_moved_since(migrated: Path) -> None:
    """Found by the property below: a row unchanged since the restored version but moved kept its
    new place, where a row written back also went; two rows in one place have no single order."""
    with _versions(migrated, MOVED_THEN_RESTORED) as (engine, last):
        restored, original = storage.load_rows(engine, "brands", last), storage.load_rows(engine, "brands", 3)

    assert restored.frame["project_code"].tolist() == original.frame["project_code"].tolist()
    assert restored.positions.tolist() == original.positions.tolist() == [0, 1, 2, 3]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps)
@example(MOVED_THEN_RESTORED)
def test_any_version_from_any_other_plus_the_changes_equals_the_version_read_whole(
    migrated: Path, sequence: list[tuple[str, object]]
) -> None:
    with _versions(migrated, sequence) as (engine, last):
        whole = {n: storage.load_rows(engine, "brands", n) for n in range(1, last + 1)}
        for n, rows in whole.items():
            pd.testing.assert_frame_equal(rows.frame, storage.load_version(engine, "brands", n))
        for a in whole:
            for b in whole:
                if a != b:
                    _same(whole[a].apply(*storage.load_changes(engine, "brands", a, b)), whole[b])
                if a == b + 1:  # one back: the rows ``a`` wrote found by id; a wrong hint means the scan
                    for ids in (whole[a].ids, whole[a].ids[: len(whole[a].ids) // 2], whole[b].ids):
                        changes = storage.load_changes(engine, "brands", a, b, since_ids=ids)
                        _same(whole[a].apply(*changes), whole[b])
                if a < b:  # the scan from the last id of ``a`` on; a wrong hint falls back to the whole scan
                    for after_id in (int(whole[a].ids.max(initial=0)), 10**9, 0):
                        changes = storage.load_changes(engine, "brands", a, b, after_id)
                        _same(whole[a].apply(*changes), whole[b])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps, st.lists(st.integers(1, 7), max_size=8))
def test_the_frame_store_gives_each_version_as_load_version_whatever_it_held_before(
    migrated: Path, sequence: list[tuple[str, object]], visits: list[int]
) -> None:
    with _versions(migrated, sequence) as (engine, last):
        if not last:  # every upload refused (an empty file): nothing to read
            return
        store = FrameStore()
        for n in [v for v in visits if v <= last] + [last]:
            store.keep_only({"brands": n})
            pd.testing.assert_frame_equal(
                store.get(engine, "brands", n), storage.load_version(engine, "brands", n)
            )
            if n > 1:  # the KPI deltas' previous version, next to it
                pd.testing.assert_frame_equal(
                    store.get(engine, "brands", n - 1), storage.load_version(engine, "brands", n - 1)
                )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(steps, st.lists(st.integers(1, 7), min_size=1, max_size=6))
def test_a_restarted_worker_reading_from_copies_on_disk_gives_each_version_as_load_version(
    migrated: Path, sequence: list[tuple[str, object]], restarts: list[int]
) -> None:
    """Each restart is a new frame store (a worker started again) sharing the copies on disk
    the earlier ones kept: whichever version each copy is of, the frames are the ledger's."""
    with _versions(migrated, sequence) as (engine, last), tempfile.TemporaryDirectory() as disk:
        for n in [min(r, last) for r in restarts if last]:
            store = FrameStore(Path(disk))
            pd.testing.assert_frame_equal(
                store.get(engine, "brands", n), storage.load_version(engine, "brands", n)
            )
            if n < last:  # then the next version, from this one and the rows changed
                pd.testing.assert_frame_equal(
                    store.get(engine, "brands", n + 1), storage.load_version(engine, "brands", n + 1)
                )


def test_a_replace_changing_one_row_reads_one_row(sqlite_url: str) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    rows = {code: ("已挂牌", "甲") for code in CODES}
    storage.import_file(engine, "brands", brands_csv(rows), "b.csv")
    storage.import_file(engine, "brands", brands_csv(rows | {"BR-03": ("示范", "甲")}), "b.csv")

    gone, added = storage.load_changes(engine, "brands", 1, 2)

    assert len(gone) == 1
    assert added.frame["project_code"].tolist() == ["BR-03"]
    assert added.frame["status"].tolist() == ["model"]
    assert np.isin(gone, storage.load_rows(engine, "brands", 1).ids).all()
