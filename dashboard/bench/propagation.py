"""Propagation benchmark: a new data version committed, how long until every open board redraws.

100 viewers (websocket clients speaking Reflex's protocol, dashboard/bench/viewers.py;
a browser tab adds only its own drawing time) hold the four boards open, a
quarter each. A version is committed in this process (``storage.restore``,
the same transaction an upload ends with); each viewer's latency is from the
commit's return to the arrival of the delta carrying the new stamp. Several
rounds, all latencies pooled: p50 / p95 / max. Target (issue 5): p95 <= 1 s.

Sizes: ``demo`` (the commit restores demolition version 1) and ``city`` (5,000
organisations, 1,000,000 activities, 100,000 properties; the commit replaces the
demolition ledger with 1% of its rows changed, as a staff upload would).

Modes: ``sqlite`` (``make run``: SQLite, one worker, state in process) and
``scaled`` (``make run-scaled``: PostgreSQL + Redis, several workers).
The viewers run on the same 2 cores as the server, so the figures include
the client's own JSON parsing.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dashboard.bench.viewers import close_all, open_viewers, session_cookie

TARGET_P95_S = 1.0
BOARDS = ["/", "/elections", "/brands", "/demolition"]
ROUNDS = 3
SCALED_WORKERS = 4
CITY_WARM_S = 15.0  # at city size the server's first build of every board reads a million rows


@contextmanager
def app_in(mode: str, workers: int = SCALED_WORKERS, size: str = "demo") -> Iterator[tuple[str, str, int]]:
    """(url, db url, workers) of the app served in ``mode`` with the ``size`` data (demo or city)."""
    if mode == "scaled":
        from dashboard.bench.scale import scaled_app

        with scaled_app(workers, size) as app:
            yield app.url, app.db_url, workers
        return
    from dashboard.bench.page import _prepare, serve

    with tempfile.TemporaryDirectory(prefix="bench-prop-") as tmp:
        workdir = Path(tmp)
        db_url = f"sqlite:///{workdir / 'bench.db'}"
        _prepare(size, db_url, workdir / "data")
        with serve(db_url, workdir) as url:
            yield url, db_url, 1


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def _commit(engine: Any, size: str, round_no: int) -> None:
    """One new version: demo size restores demolition v1; city size replaces the city's
    demolition ledger (100,000 properties) with 1% of its rows changed, as an upload does."""
    from dashboard.bench.rebuild import changed_csv
    from dashboard.store import storage

    if size == "demo":
        storage.restore(engine, "demolition", 1, "bench")
        return
    name, data = storage.original_file(engine, "demolition", 1) or ("", b"")
    result = storage.import_file(
        engine, "demolition", changed_csv(data, "demolition", round_no), name, user="bench", mode="replace"
    )
    if not result.accepted:
        raise SystemExit(f"bench upload refused: {result.to_json()['errors'][:3]}")


async def _measure(url: str, db_url: str, viewers: int, rounds: int, size: str = "demo") -> dict[str, Any]:
    from dashboard.store import storage

    engine = storage.make_engine(db_url)
    cookie = session_cookie(db_url)
    t0 = time.monotonic()
    opened = await open_viewers(url, [BOARDS[i % len(BOARDS)] for i in range(viewers)], cookie)
    connect_s = time.monotonic() - t0
    await asyncio.gather(*(v.identify() for v in opened))
    per_worker = Counter(v.pid for v in opened)
    latencies: list[float] = []
    missing = 0
    try:
        for round_no in range(rounds):
            await asyncio.sleep(1.5)  # the previous round's warm-up of the view cache is over
            await asyncio.to_thread(_commit, engine, size, round_no)
            committed = time.monotonic()
            stamp = storage.data_stamp(engine)
            arrived = await asyncio.gather(*(v.wait_stamp(stamp, 30) for v in opened), return_exceptions=True)
            for t in arrived:
                if isinstance(t, float):
                    latencies.append(max(0.0, t - committed))
                else:
                    missing += 1
    finally:
        await close_all(opened)
    return {
        "size": size,
        "viewers": viewers,
        "rounds": rounds,
        "connect_s": round(connect_s, 2),
        "workers_used": len(per_worker),
        "per_worker": sorted(per_worker.values(), reverse=True),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "missing": missing,
        "target_p95_s": TARGET_P95_S,
        "met": bool(latencies) and not missing and percentile(latencies, 95) <= TARGET_P95_S,
    }


def run(
    modes: list[str], viewers: int = 100, rounds: int = ROUNDS, size: str = "demo"
) -> list[dict[str, Any]]:
    results = []
    for mode in modes:
        with app_in(mode, size=size) as (url, db_url, workers):
            if size == "city":
                time.sleep(CITY_WARM_S)
            row = asyncio.run(_measure(url, db_url, viewers, rounds, size))
        row = {"mode": mode, "workers": workers, **row}
        results.append(row)
        print(
            f"propagation {size} {mode:<7} {workers} worker(s), {viewers} viewers on {row['workers_used']} "
            f"(per worker {row['per_worker']}): p50 {row['p50_s']} s  p95 {row['p95_s']} s  "
            f"max {row['max_s']} s  missing {row['missing']}  (target p95 <= {TARGET_P95_S} s: "
            f"{'yes' if row['met'] else 'NO'})",
            flush=True,
        )
    return results
