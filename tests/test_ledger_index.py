"""The ledger index (``ledger_index``: the current rows' ids, keys and hashes as one blob) changes
nothing an import stores: the same random sequences of uploads and restores, made once diffing
against the index and once against the ledger's rows read whole (the index deleted before every
step, which is also what an older database without one does), leave identical ledgers, version
records, diffs and exports. After every step the index lists exactly the ledger's current rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.contract import Dataset, get_dataset
from dashboard.ingest import coerce_types, typed_empty
from dashboard.store import LEDGERS, storage
from dashboard.store.diff import version_changes
from dashboard.store.export import to_csv_bytes
from tests.brand_steps import apply_step, brands_csv, copied_database

CODES = [f"BR-{i:02d}" for i in range(10)]
STATUSES = ["筹备", "已挂牌", "示范"]

NAMES = st.sampled_from(["甲", "乙", "丙"])
brands_rows = st.dictionaries(st.sampled_from(CODES), st.tuples(st.sampled_from(STATUSES), NAMES), max_size=9)
steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["replace", "append", "upsert"]), brands_rows),
        st.tuples(st.just("restore"), st.integers(1, 8)),
    ),
    min_size=1,
    max_size=8,
)


def _ledger(engine: sa.Engine) -> list[tuple]:
    table = LEDGERS["brands"]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table).order_by(table.c.id))]


def _versions(engine: sa.Engine) -> list[tuple]:
    return [
        (v.number, v.rows, v.added, v.changed, v.removed, v.skipped, v.restored_from)
        for v in storage.list_versions(engine, "brands")
    ]


def assert_index_is_the_current_rows(engine: sa.Engine, dataset: str) -> None:
    """The stored index describes the newest version and lists exactly its current rows."""
    ds = get_dataset(dataset)
    with engine.connect() as conn:
        head = conn.execute(
            sa.text("SELECT current_version FROM dataset_head WHERE dataset = :d"), {"d": dataset}
        ).scalar()
        query = "SELECT version, max_id, rows, content FROM ledger_index WHERE dataset = :d"
        stored = conn.execute(sa.text(query), {"d": dataset}).first()
        table = storage._quote(conn, LEDGERS[ds.name].name)
        max_id = int(conn.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())
        truth = storage._current_from_ledger(conn, table, max_id)
    if not head:
        assert stored is None
        return
    assert stored is not None
    assert (stored.version, stored.max_id, stored.rows) == (head, max_id, len(truth))
    index = storage._CurrentRows.from_bytes(bytes(stored.content), int(stored.max_id))
    assert (index.positions[1:] > index.positions[:-1]).all()  # in ledger order

    def frame(rows: storage._CurrentRows) -> pd.DataFrame:
        out = pd.DataFrame(
            {"id": rows.ids, "position": rows.positions, "key": rows.keys.to_pylist(), "hash": rows.hashes}
        )
        return out.sort_values("id").reset_index(drop=True)

    pd.testing.assert_frame_equal(frame(index), frame(truth))


@contextmanager
def _run(empty: Path, sequence: list[tuple[str, object]], *, index: bool) -> Iterator[sa.Engine]:
    with copied_database(empty, "index-") as (engine, _):
        last = 0
        for kind, arg in sequence:
            if not index:  # as a database from before the index: the ledger's rows are read
                with engine.begin() as conn:
                    conn.execute(sa.text("DELETE FROM ledger_index"))
            result = apply_step(engine, kind, arg, last)
            last = result.version or last
            if index or result.accepted:  # a refused step after the delete leaves no index: fine
                assert_index_is_the_current_rows(engine, "brands")
        yield engine


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_imports_through_the_index_store_what_imports_reading_the_ledger_store(
    migrated: Path, sequence: list[tuple[str, object]]
) -> None:
    with _run(migrated, sequence, index=True) as fast, _run(migrated, sequence, index=False) as whole:
        assert _ledger(fast) == _ledger(whole)
        assert _versions(fast) == _versions(whole)
        for v in storage.list_versions(fast, "brands"):
            a, b = version_changes(fast, "brands", v.number), version_changes(whole, "brands", v.number)
            assert a.to_json() == b.to_json()
            assert to_csv_bytes("brands", storage.load_version(fast, "brands", v.number)) == to_csv_bytes(
                "brands", storage.load_version(whole, "brands", v.number)
            )


def test_the_index_follows_every_mode_on_both_databases(db_url: str) -> None:
    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    rows = {code: ("已挂牌", "甲") for code in CODES}
    for mode, upload in (
        ("replace", rows),
        ("replace", rows | {"BR-03": ("示范", "甲")}),  # one row changed
        ("upsert", {"BR-04": ("筹备", "乙"), "BR-99": ("筹备", "乙")}),  # one changed, one new
        ("append", {"BR-05": ("示范", "丙"), "BR-98": ("示范", "丙")}),  # one skipped, one new
        ("replace", {c: v for c, v in rows.items() if c != "BR-01"}),  # several closed
    ):
        assert storage.import_file(engine, "brands", brands_csv(upload), "b.csv", mode=mode).accepted
        assert_index_is_the_current_rows(engine, "brands")
    assert storage.restore(engine, "brands", 2).accepted
    assert_index_is_the_current_rows(engine, "brands")
    # A dry run leaves the index of the version before it.
    dry = storage.import_file(engine, "brands", brands_csv(rows), "b.csv", mode="replace", dry_run=True)
    assert dry.accepted
    assert_index_is_the_current_rows(engine, "brands")


def test_a_stale_index_is_not_used(sqlite_url: str) -> None:
    """An index that does not describe the newest version (a database restored from an older
    backup, rows written by older code) is ignored: the ledger's rows are diffed instead."""
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    rows = {code: ("已挂牌", "甲") for code in CODES}
    storage.import_file(engine, "brands", brands_csv(rows), "b.csv")
    with engine.begin() as conn:
        old = conn.execute(sa.text("SELECT content FROM ledger_index")).scalar_one()
    storage.import_file(engine, "brands", brands_csv(rows | {"BR-03": ("示范", "甲")}), "b.csv")
    with engine.begin() as conn:  # the index of version 1 put back beside version 2
        conn.execute(sa.text("UPDATE ledger_index SET content = :c"), {"c": old})
        conn.execute(sa.text("UPDATE ledger_index SET version = 1"))

    result = storage.import_file(engine, "brands", brands_csv(rows), "b.csv")

    assert (result.added, result.changed, result.removed) == (0, 1, 0)
    assert_index_is_the_current_rows(engine, "brands")


cells = st.one_of(st.none(), st.text(max_size=3))


def _old_row_keys(ds: Dataset, frame: pd.DataFrame) -> list[str]:
    """row_keys as it was written before it joined in Arrow (a Python join per row)."""

    def text(series: pd.Series, col_type: object) -> list[str]:
        if str(col_type) == "date":
            return ["" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in series]
        return series.astype("string").to_numpy(dtype=object, na_value="").tolist()

    parts = [text(frame[name], ds.column(name).type) for name in ds.key]
    return [storage.KEY_SEPARATOR.join(values) for values in zip(*parts, strict=True)]


days = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2199, 12, 31)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(days, cells, cells), max_size=30))
def test_row_keys_are_the_key_values_joined_as_before(rows: list[tuple]) -> None:
    ds = get_dataset("activities")  # date + project code + title
    frame = typed_empty(ds).reindex(range(len(rows)))
    frame["date"] = pd.to_datetime(pd.Series([r[0] for r in rows], dtype=object)).astype("datetime64[s]")
    frame["project_code"] = pd.array([r[1] for r in rows], dtype="string")
    frame["title"] = pd.array([r[2] for r in rows], dtype="string")
    frame = coerce_types(ds, frame)

    assert storage.row_keys(ds, frame).tolist() == _old_row_keys(ds, frame)
    brands = get_dataset("brands")
    single = typed_empty(brands).reindex(range(len(rows))).assign(project_code=frame["title"])
    single = coerce_types(brands, single)
    assert storage.row_keys(brands, single).tolist() == _old_row_keys(brands, single)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=3), unique=True, max_size=20), st.data())
def test_finding_keys_among_the_current_rows_is_exact(current: list[str], data: st.DataObject) -> None:
    """Keys in the index's own order take the one-pass path; any other upload the hash lookup."""
    wanted = data.draw(st.one_of(st.just(list(current)), st.lists(st.text(max_size=3), max_size=20)))
    n = len(current)
    rows = storage._CurrentRows(
        np.arange(n), np.arange(n), pa.array(current, pa.large_string()), np.zeros(n, np.int64), n
    )
    at = rows.find(pa.array(wanted, pa.large_string()))
    assert at.tolist() == [current.index(k) if k in current else -1 for k in wanted]


def test_row_hashes_in_slices_are_the_hashes_of_the_whole_frame() -> None:
    """Stored row_hash values are compared with the next upload's: hashing in slices of rows
    (to bound memory) must give exactly what one call over the whole frame gives."""
    ds = get_dataset("demolition")
    rows = 2 * storage._HASH_SLICE_ROWS + 7
    every = np.arange(rows)
    frame = pd.DataFrame({
        "property_id": [f"P{i:07d}" for i in range(rows)],
        "household": np.where(every % 3 == 0, "张三", None),
        "category": pd.array(every % 6 + 1, dtype="Int64"),
        "signed_date": pd.to_datetime(np.where(every % 2 == 0, "2024-05-03", None)),
    })  # fmt: skip
    frame = coerce_types(ds, frame.reindex(columns=list(ds.column_names)))
    whole = pd.util.hash_pandas_object(frame, index=False).to_numpy().view(np.int64)

    assert np.array_equal(storage.row_hashes(ds, frame), whole)


def test_a_large_upload_and_its_index_are_stored_whole(db_url: str) -> None:
    """Values over a megabyte (the original file, the index) are written in pieces (SQLite: into
    an empty blob; PostgreSQL: a binary COPY): the file comes back byte for byte and the next
    month's file is diffed against the index."""
    from dashboard.bench import synthetic

    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    data = synthetic.demolition_csv(100_000)
    first = storage.import_file(engine, "demolition", data, "d.csv")
    with engine.connect() as conn:
        index_bytes = conn.execute(sa.text("SELECT length(content) FROM ledger_index")).scalar_one()

    assert len(data) > storage._BLOB_PIECE and index_bytes > storage._BLOB_PIECE
    assert storage.original_file(engine, "demolition", first.version) == ("d.csv", data)
    edited = synthetic.changed_csv(data, "demolition", 0, 0.01)
    second = storage.import_file(engine, "demolition", edited, "d.csv", mode="replace")
    assert second.changed == 1000 and second.added == second.removed == 0
    assert_index_is_the_current_rows(engine, "demolition")
