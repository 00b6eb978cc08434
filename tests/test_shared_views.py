"""Several workers build each view once per data version between them (dashboard/board/shared.py).

Two view caches on one database and one Redis stand for two workers: the second gets the view
the first built, equal to what it would have built itself, and the store keeps working, alone,
when Redis cannot be reached. The Redis is one of the test's own (a redis-server on a free port).
"""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import threading
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa

from dashboard.board.cache import ViewCache
from dashboard.board.present import build_view
from dashboard.board.shared import PREFIX, SharedViews
from dashboard.board.snapshot import load_snapshot
from dashboard.board.views import BOARDS
from dashboard.contract import Mode
from dashboard.store import storage
from tests.conftest import DEMO_DAY


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    from dashboard.bench.services import own_redis

    with own_redis() as server:
        yield server.url


@pytest.fixture
def engine(demo_db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.setenv("REDIS_URL", redis_url)
    redis.Redis.from_url(redis_url).flushdb()
    return storage.make_engine(demo_db)


def _stored(url: str) -> list[bytes]:
    return [k for k in redis.Redis.from_url(url).keys(PREFIX + "*") if not k.endswith(b":lease")]


def test_a_second_worker_gets_the_view_the_first_built(engine: sa.Engine, redis_url: str) -> None:
    first, second = ViewCache(lambda: engine), ViewCache(lambda: engine)
    built = {board: first.view(board, "zh", today=DEMO_DAY) for board in BOARDS}
    keys = _stored(redis_url)
    assert len(keys) == len(BOARDS)
    fresh = load_snapshot(engine, DEMO_DAY)
    for board in BOARDS:
        assert second.view(board, "zh", today=DEMO_DAY) == built[board] == build_view(fresh, board, "zh")
    assert _stored(redis_url) == keys  # nothing stored twice

    # The second worker reads what the first stored (a marked copy here), it does not build its own.
    db = redis.Redis.from_url(redis_url)
    (key,) = [k for k in keys if k.endswith(b":brands:zh:")]
    view, reads = pickle.loads(db.get(key))
    db.set(key, pickle.dumps((dataclasses.replace(view, day="marked"), reads)))
    assert ViewCache(lambda: engine).view("brands", "zh", today=DEMO_DAY).day == "marked"


def test_a_new_version_is_shared_too_and_kept_views_stay_kept(engine: sa.Engine, redis_url: str) -> None:
    first, second = ViewCache(lambda: engine), ViewCache(lambda: engine)
    for cache in (first, second):
        for board in BOARDS:
            cache.view(board, "zh", today=DEMO_DAY)
    rows = storage.load_current(engine, "demolition")
    storage.store_frame(engine, "demolition", rows.iloc[: len(rows) // 2], mode=Mode.REPLACE)
    fresh = load_snapshot(engine, DEMO_DAY)
    before = len(_stored(redis_url))
    for cache in (first, second):
        for board in BOARDS:
            assert cache.view(board, "zh", today=DEMO_DAY) == build_view(fresh, board, "zh"), board
    # only the boards that read the demolition ledger were built, once between the two workers
    assert 0 < len(_stored(redis_url)) - before < len(BOARDS)


def test_workers_asking_at_once_all_get_the_view(engine: sa.Engine) -> None:
    caches = [ViewCache(lambda: engine) for _ in range(4)]
    views: list[object] = [None] * 4

    def ask(i: int) -> None:
        views[i] = caches[i].view("demolition", "zh", today=DEMO_DAY)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(v == views[0] for v in views) and views[0] is not None


def test_without_redis_each_worker_builds_its_own(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.bench.services import free_port

    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    engine = storage.make_engine(demo_db)
    view = ViewCache(lambda: engine).view("brands", "zh", today=DEMO_DAY)
    assert view == build_view(load_snapshot(engine, DEMO_DAY), "brands", "zh")


def test_a_builder_that_fails_lets_the_others_build(redis_url: str) -> None:
    store = SharedViews(redis_url)

    def broken() -> int:
        raise RuntimeError("build failed")

    with pytest.raises(RuntimeError):
        store.get("failing", broken)
    assert store.get("failing", lambda: 7) == 7  # no lease left behind to wait on
