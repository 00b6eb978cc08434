"""The view cache keeps a board's view across a version of a dataset the board does not read.

Whatever it keeps must be exactly what building the board afresh from the new data gives:
for random sequences of uploads (each dataset's ledger cut to a random subset of its rows),
every board the cache serves equals ``build_view`` of a freshly read snapshot.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import contract
from dashboard.board.cache import ViewCache
from dashboard.board.present import build_view
from dashboard.board.snapshot import load_snapshot
from dashboard.board.views import BOARDS
from dashboard.contract import Mode
from dashboard.store import storage
from tests.conftest import DEMO_DAY

uploads = st.lists(
    st.tuples(st.sampled_from(sorted(contract.DATASETS)), st.integers(0, 2**31)), min_size=1, max_size=3
)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo ledgers in a database file, copied for each example."""
    from dashboard.demo.load import load_demo

    path = tmp_path_factory.mktemp("reuse") / "demo.db"
    engine = storage.make_engine(f"sqlite:///{path}")
    storage.migrate(engine)
    load_demo(engine, DEMO_DAY)
    engine.dispose()
    return path


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uploads)
def test_every_board_the_cache_serves_equals_the_board_built_afresh(
    demo_file: Path, sequence: list[tuple[str, int]]
) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="reuse-"))
    shutil.copy(demo_file, tmp / "v.db")
    engine = storage.make_engine(f"sqlite:///{tmp / 'v.db'}")
    try:
        cache = ViewCache(lambda: engine)
        for board in BOARDS:
            cache.view(board, "zh", today=DEMO_DAY)
        for dataset, seed in sequence:
            rows = storage.load_current(engine, dataset)
            kept = rows.sample(frac=0.6, random_state=seed % 2**32).sort_index()
            storage.store_frame(engine, dataset, kept, mode=Mode.REPLACE)
            fresh = load_snapshot(engine, DEMO_DAY)
            for board in BOARDS:
                assert cache.view(board, "zh", today=DEMO_DAY) == build_view(fresh, board, "zh"), board
    finally:
        engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def test_an_upload_keeps_the_boards_that_do_not_read_it(demo_db: str) -> None:
    engine = storage.make_engine(demo_db)
    cache = ViewCache(lambda: engine)
    before = {board: cache.view(board, "zh", today=DEMO_DAY) for board in BOARDS}

    storage.restore(engine, "demolition", 1)
    after = {board: cache.view(board, "zh", today=DEMO_DAY) for board in BOARDS}

    kept = {b for b in BOARDS if after[b].charts is before[b].charts}
    assert kept == {"elections", "brands", "tasks", "org_life"}  # none of them reads the demolition ledger
    assert all(v.stamp == storage.data_stamp(engine) for v in after.values())
