"""Scale-out mode: PostgreSQL for the data, Redis for Reflex's state, several workers.

The production app runs with 3 Granian workers on a fresh PostgreSQL schema and
a Redis database of its own (dashboard/bench/scale.py). Viewers are websocket
clients speaking Reflex's protocol (dashboard/bench/viewers.py), each asking
the worker that holds its socket for its pid, so the test knows they are
spread over different workers. A CLI import in another process must reach
every one of them, whichever worker it is on, within 2 s.
"""

from __future__ import annotations

import asyncio
import contextvars
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from dashboard.bench.scale import ScaledApp, pg_available, redis_available, scaled_app
from dashboard.bench.viewers import Viewer, close_all, open_viewers, session_cookie
from dashboard.store import storage
from tests.browser.helpers import all_signed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORKERS = 3
BOARDS = ["/", "/elections", "/brands", "/demolition"]
# The promise: every viewer redrawn within 2 s of the import (the target is 1 s).
REDRAW_S = 2.0
REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")


@pytest.fixture(scope="module")
def app() -> Iterator[ScaledApp]:
    if not pg_available():
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (database test)")
    if not redis_available():
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    with scaled_app(WORKERS) as running:
        yield running


def _run(scenario: Coroutine[Any, Any, T]) -> T:
    """Run an asyncio scenario to its end, from a test.

    A thread of its own: Playwright's sync API (the browser tests before this one in the
    same session) leaves an event loop running in the main thread, where asyncio.run refuses.
    It runs in a copy of this context: Reflex keeps its state registry in a context variable.
    """
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, scenario).result()


async def _viewers_on_several_workers(app: ScaledApp, cookie: str) -> list[Viewer]:
    """Open boards until the viewers sit on at least two workers (the kernel picks the worker)."""
    viewers: list[Viewer] = []
    for _ in range(5):
        viewers += await open_viewers(app.url, BOARDS * 3, cookie)
        await asyncio.gather(*(v.identify() for v in viewers if not v.pid))
        if len({v.pid for v in viewers}) >= 2:
            break
    return viewers


def test_a_cli_import_redraws_viewers_on_every_worker(app: ScaledApp, tmp_path: Path) -> None:
    cookie = session_cookie(app.db_url)
    engine = storage.make_engine(app.db_url)

    async def scenario() -> dict[str, object]:
        viewers = await _viewers_on_several_workers(app, cookie)
        try:
            before = {v.stamp for v in viewers}
            done = subprocess.run(
                [sys.executable, "-m", "dashboard", "import", "demolition", str(all_signed(tmp_path))],
                cwd=REPO, env=app.env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            imported = time.monotonic()
            assert done.returncode == 0, done.stdout + done.stderr
            stamp = storage.data_stamp(engine)
            late = await asyncio.gather(
                *(v.wait_stamp(stamp, REDRAW_S + 5) for v in viewers), return_exceptions=True
            )
            return {
                "pids": {v.pid for v in viewers},
                "before": before,
                "stamp": stamp,
                "seconds": [t - imported if isinstance(t, float) else None for t in late],
                "paths": [v.path for v in viewers],
                "signed": [v.board.get("kpi_groups") for v in viewers if v.path == "/"],
            }
        finally:
            await close_all(viewers)

    seen = _run(scenario())

    assert len(seen["pids"]) >= 2, f"all viewers landed on one worker: {seen['pids']}"
    assert seen["before"] == {seen["stamp"] - 1}, "every viewer had the board before the import"
    missing = [p for p, s in zip(seen["paths"], seen["seconds"], strict=True) if s is None]
    assert not missing, f"{len(missing)} viewers never redrew: {missing}"
    slow = [round(s, 2) for s in seen["seconds"] if s > REDRAW_S]
    assert not slow, f"redrawn later than {REDRAW_S} s after the import: {slow}"
    # What the overview's viewers now read: every property signed.
    assert all("100%" in str(groups) for groups in seen["signed"])


def test_viewers_joining_a_board_send_nothing_to_those_already_watching_it(app: ScaledApp) -> None:
    """A meeting where everyone opens the same board at once costs each phone one board, not one per
    colleague (linking to a Reflex shared state used to re-send the whole board to every viewer
    already on it)."""
    cookie = session_cookie(app.db_url)

    async def scenario() -> tuple[int, int, int]:
        (first,) = await open_viewers(app.url, ["/demolition"], cookie)
        try:
            await asyncio.sleep(0.5)
            board_bytes = first.received_bytes
            joined = await open_viewers(app.url, ["/demolition"] * 20, cookie)
            await asyncio.sleep(1.5)  # time for any push to arrive, through Redis from other workers too
            await close_all(joined)
            return board_bytes, first.received_bytes - board_bytes, len({v.pid for v in joined})
        finally:
            await close_all([first])

    board_bytes, after_joins, _ = _run(scenario())
    assert board_bytes > 10_000  # the board itself came (demo demolition: about 40 KB)
    assert after_joins < 1_000, f"{after_joins} bytes reached the first viewer while 20 others joined"
