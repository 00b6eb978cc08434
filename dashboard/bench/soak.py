"""Soak: many viewers on the boards for a long time, an upload every 10 s, viewers coming and going.

N viewers (websocket clients speaking Reflex's protocol, dashboard/bench/viewers.py)
hold the four boards open, a quarter each. Every ``UPLOAD_EVERY_S`` an upload goes
through the whole pipeline (``storage.import_file``: read, validate, store in one
transaction, as /api/upload and ``python -m dashboard import`` end), alternating
ledgers; every third one is refused on purpose (a required cell left empty), so it
must write nothing and push nothing. Every second one viewer leaves and a new one
joins. Measured over the whole run:

- updates: for every accepted upload, each viewer that had drawn its board before the
  commit and was still open must receive the new stamp (``missed`` must be 0);
- push latency (commit returned -> delta with the new stamp arrived): p50 / p95 / max;
- server RSS (every process of the server's session) at start, middle and end; growth
  is counted from the ``WARMUP_S`` mark (the first 5 minutes when the run is long enough);
- ERROR / Traceback lines in the server's log;
- database size before and after, per version written.

Targets (issue 17): 0 missed, p95 <= 1 s, RSS growth <= 5 % after the warm-up, no error
logged. The full target run is 300 viewers on 4 workers (PostgreSQL + Redis) for 30
minutes; ``--minutes 2 --viewers 100`` is the quick one. In ``scaled`` mode the data is in a schema
of its own on the PostgreSQL server and Reflex's state in a redis-server the soak starts itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dashboard.bench.memory import _session_of, server_memory_kb
from dashboard.bench.propagation import BOARDS, SCALED_WORKERS, percentile
from dashboard.bench.viewers import Viewer, close_all, open_viewers, session_cookie

TARGET_P95_S = 1.0
TARGET_RSS_GROWTH = 0.05
UPLOAD_EVERY_S = 10.0
REFUSE_EVERY = 3  # every third upload is refused on purpose
LEDGERS = ("demolition", "milestones")
PUSH_WAIT_S = 9.0  # an update not there before the next upload is missed
CHURN_EVERY_S = 1.0
WARMUP_S = 300.0  # RSS growth counted from here (or from a quarter of a shorter run)


@dataclass(frozen=True)
class Served:
    url: str
    db_url: str
    workers: int
    log: Path  # the server's console log
    redis_url: str | None = None


@contextmanager
def served(
    mode: str, workers: int = SCALED_WORKERS, extra_env: dict[str, str] | None = None
) -> Iterator[Served]:
    """The production app with the demo data in ``mode`` (sqlite: one worker; scaled: PostgreSQL +
    Redis, ``workers`` workers), with its log file at hand."""
    from dashboard.bench.page import _prepare, serve

    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        # As deployed: the daily backup runs (a minute after start, the data folder being new).
        env = {"DASHBOARD_DATA_DIR": str(workdir / "data"), "DASHBOARD_BACKUP_KEEP": "7", **(extra_env or {})}
        redis_url = None
        if mode == "scaled":  # a schema of the shared PostgreSQL, a redis-server of its own
            from dashboard.bench.scale import pg_schema
            from dashboard.bench.services import own_redis

            db_url = stack.enter_context(pg_schema())
            redis_url = stack.enter_context(own_redis()).url
            env |= {"REDIS_URL": redis_url, "GRANIAN_WORKERS": str(workers)}
        else:
            db_url, workers = f"sqlite:///{workdir / 'bench.db'}", 1
        _prepare("demo", db_url, workdir / "data")
        with serve(db_url, workdir, env) as url:
            yield Served(url, db_url, workers, workdir / "reflex.log", redis_url)


def log_errors(log: Path, start: int = 0) -> list[str]:
    """ERROR / CRITICAL / Traceback lines of the server log from byte ``start``."""
    try:
        with log.open("rb") as fh:
            fh.seek(start)
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return []
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):  # named by its exception: the first unindented line after it
            exc = next((x for x in lines[i + 1 :] if x and not x[0].isspace()), "")
            out.append(f"Traceback: {exc.strip()}"[:300])
        elif "ERROR" in line or "CRITICAL" in line:
            out.append(line.strip()[:300])
    return out


def database_bytes(db_url: str) -> int:
    """Size of the database: the SQLite file(s), or every relation of the PostgreSQL schema in use."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.split(":///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    from dashboard.store import storage

    with storage.make_engine(db_url).connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c "
                    "join pg_namespace n on n.oid = c.relnamespace "
                    "where n.nspname = current_schema() and c.relkind in ('r', 'm')"
                )
            ).scalar_one()
        )


def upload_bytes(engine: sa.Engine, dataset: str, refuse: bool) -> bytes:
    """The ledger as it stands, as a CSV staff would upload (a version with 0 changes); with
    ``refuse`` its first key cell emptied, which the validation must refuse."""
    from dashboard.contract import datasets
    from dashboard.store import storage, to_csv_bytes

    frame = storage.load_current(engine, dataset)
    if refuse:
        frame = frame.copy()
        key = datasets.get_dataset(dataset).key[0]
        frame[key] = frame[key].astype(object)
        frame.loc[frame.index[0], key] = None
    return to_csv_bytes(dataset, frame)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    expected: int = 0
    received: int = 0
    missed: int = 0
    uploads: int = 0
    accepted: int = 0
    refused: int = 0
    refused_wrote: int = 0  # a refused upload that still moved the stamp (must stay 0)
    joined: int = 0
    left: int = 0
    join_failed: int = 0
    per_viewer_missed: dict[str, int] = field(default_factory=dict)


class Soak:
    def __init__(self, app: Served, viewers: int, seconds: float) -> None:
        from dashboard.store import storage

        self.app = app
        self.count = viewers
        self.seconds = seconds
        self.engine = storage.make_engine(app.db_url)
        self.cookie = session_cookie(app.db_url, "soak-viewer")
        self.open: list[Viewer] = []
        self.busy: dict[int, int] = {}  # id(viewer) -> updates it is still awaited for
        self.tally = Tally()
        self.rss: list[tuple[float, int]] = []  # (seconds into the run, RSS KB)
        self.session = 0
        self._waits: set[asyncio.Task] = set()

    def _board(self, i: int) -> str:
        return BOARDS[i % len(BOARDS)]

    async def run(self) -> None:
        self.open = await open_viewers(self.app.url, [self._board(i) for i in range(self.count)], self.cookie)
        self.session = _session_of(await self.open[0].identify())
        t0 = time.monotonic()
        self._sample(0.0)
        stop = t0 + self.seconds
        tasks = [
            asyncio.create_task(self._uploads(t0, stop)),
            asyncio.create_task(self._churn(stop)),
            asyncio.create_task(self._memory(t0, stop)),
        ]
        try:
            await asyncio.gather(*tasks)
            if self._waits:
                await asyncio.gather(*self._waits, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()
            await close_all(self.open)

    def _sample(self, at: float) -> None:
        self.rss.append((round(at, 1), server_memory_kb(self.session)["rss_kb"]))

    async def _memory(self, t0: float, stop: float) -> None:
        while time.monotonic() < stop:
            await asyncio.sleep(min(10.0, max(0.0, stop - time.monotonic())))
            self._sample(time.monotonic() - t0)

    async def _uploads(self, t0: float, stop: float) -> None:
        from dashboard.store import storage

        n = 0
        while True:
            await asyncio.sleep(max(0.0, t0 + (n + 1) * UPLOAD_EVERY_S - time.monotonic()))
            if time.monotonic() > stop - PUSH_WAIT_S:
                return
            dataset = LEDGERS[n % len(LEDGERS)]
            refuse = n % REFUSE_EVERY == REFUSE_EVERY - 1
            n += 1
            data = await asyncio.to_thread(upload_bytes, self.engine, dataset, refuse)
            before = await asyncio.to_thread(storage.data_stamp, self.engine)
            drawn = {id(v) for v in self.open if v.stamp >= 0 and not v.error}  # drawn before the commit
            result = await asyncio.to_thread(
                storage.import_file, self.engine, dataset, data, f"{dataset}.csv", user="soak"
            )
            committed = time.monotonic()
            stamp = await asyncio.to_thread(storage.data_stamp, self.engine)
            self.tally.uploads += 1
            if not result.accepted:
                self.tally.refused += 1
                self.tally.refused_wrote += stamp != before
                continue
            self.tally.accepted += 1
            # and still open after it (one that left during the upload is not expected to get it)
            for viewer in [v for v in self.open if id(v) in drawn]:
                self._expect(viewer, stamp, committed)

    def _expect(self, viewer: Viewer, stamp: int, committed: float) -> None:
        self.tally.expected += 1
        self.busy[id(viewer)] = self.busy.get(id(viewer), 0) + 1

        async def wait() -> None:
            try:
                arrived = await viewer.wait_stamp(stamp, PUSH_WAIT_S)
                self.tally.received += 1
                self.tally.latencies.append(max(0.0, arrived - committed))
            except (TimeoutError, ConnectionError):
                self.tally.missed += 1
                missed = self.tally.per_viewer_missed
                missed[viewer.token] = missed.get(viewer.token, 0) + 1
            finally:
                self.busy[id(viewer)] -= 1

        task = asyncio.create_task(wait())
        self._waits.add(task)
        task.add_done_callback(self._waits.discard)

    async def _churn(self, stop: float) -> None:
        """One viewer leaves and one joins every second (a leaving viewer is never one still awaited)."""
        rng = random.Random(17)
        i = self.count
        while time.monotonic() < stop - PUSH_WAIT_S:
            await asyncio.sleep(CHURN_EVERY_S)
            idle = [v for v in self.open if not self.busy.get(id(v))]
            if idle:
                gone = rng.choice(idle)
                self.open.remove(gone)
                self.tally.left += 1
                self._spawn(gone.close())
            self._spawn(self._join(self._board(i)))
            i += 1

    def _spawn(self, job: Any) -> None:
        task = asyncio.create_task(job)
        self._waits.add(task)
        task.add_done_callback(self._waits.discard)

    async def _join(self, path: str) -> None:
        viewer = Viewer(self.app.url, path, self.cookie)
        try:
            await viewer.connect(30)
            await viewer.wait_drawn(30)
        except (TimeoutError, ConnectionError, OSError):
            self.tally.join_failed += 1
            await viewer.close()
            return
        self.open.append(viewer)
        self.tally.joined += 1


def _growth(rss: list[tuple[float, int]], seconds: float) -> tuple[int, float]:
    """(RSS KB at the warm-up mark, growth from there to the end as a fraction)."""
    mark = min(WARMUP_S, seconds / 4)
    base = next((kb for at, kb in rss if at >= mark), rss[-1][1])
    return base, (rss[-1][1] - base) / base if base else 0.0


def run(mode: str, minutes: float, viewers: int, workers: int = SCALED_WORKERS) -> dict[str, Any]:
    seconds = minutes * 60
    t0 = time.monotonic()
    with served(mode, workers) as app:
        size_before = database_bytes(app.db_url)
        from dashboard.store import storage

        stamp_before = storage.data_stamp(storage.make_engine(app.db_url))
        log_start = app.log.stat().st_size if app.log.exists() else 0
        soak = Soak(app, viewers, seconds)
        asyncio.run(soak.run())
        size_after = database_bytes(app.db_url)
        versions = storage.data_stamp(storage.make_engine(app.db_url)) - stamp_before
        errors = log_errors(app.log, log_start)
    tally, rss = soak.tally, soak.rss
    base, growth = _growth(rss, seconds)
    lat = tally.latencies
    p95 = round(percentile(lat, 95), 3) if lat else None
    row: dict[str, Any] = {
        "mode": mode,
        "workers": app.workers,
        "minutes": minutes,
        "viewers": viewers,
        "uploads": tally.uploads,
        "accepted": tally.accepted,
        "refused": tally.refused,
        "refused_wrote": tally.refused_wrote,
        "joined": tally.joined,
        "left": tally.left,
        "join_failed": tally.join_failed,
        "updates_expected": tally.expected,
        "updates_received": tally.received,
        "missed_updates": tally.missed,
        "viewers_missing_updates": len(tally.per_viewer_missed),
        "p50_s": round(statistics.median(lat), 3) if lat else None,
        "p95_s": p95,
        "max_s": round(max(lat), 3) if lat else None,
        "rss_mb": {
            "start": round(rss[0][1] / 1024, 1),
            "middle": round(rss[len(rss) // 2][1] / 1024, 1),
            "end": round(rss[-1][1] / 1024, 1),
        },
        "rss_after_warmup_mb": round(base / 1024, 1),
        "rss_growth_after_warmup": round(growth, 4),
        "errors": len(errors),
        "error_lines": errors[:10],
        "db_bytes": {"start": size_before, "end": size_after},
        "versions_written": versions,
        "db_bytes_per_version": round((size_after - size_before) / versions) if versions else None,
        "seconds": round(time.monotonic() - t0, 1),
    }
    row["met"] = (
        tally.missed == 0
        and tally.expected > 0
        and p95 is not None
        and p95 <= TARGET_P95_S
        and growth <= TARGET_RSS_GROWTH
        and not errors
        and not tally.refused_wrote
    )
    return row


def report(row: dict[str, Any]) -> str:
    rss = row["rss_mb"]
    return (
        f"soak {row['mode']} ({row['workers']} worker(s)), {row['viewers']} viewers, {row['minutes']} min: "
        f"{row['uploads']} uploads ({row['accepted']} accepted, {row['refused']} refused, "
        f"{row['refused_wrote']} refused that wrote), viewers joined {row['joined']} / left {row['left']} "
        f"(joins failed {row['join_failed']})\n"
        f"  updates expected {row['updates_expected']}, received {row['updates_received']}, "
        f"missed {row['missed_updates']} (target 0)\n"
        f"  push p50 {row['p50_s']} s  p95 {row['p95_s']} s (target <= {TARGET_P95_S} s)  "
        f"max {row['max_s']} s\n"
        f"  RSS start {rss['start']} MB, middle {rss['middle']} MB, end {rss['end']} MB; "
        "growth after warm-up "
        f"{row['rss_growth_after_warmup'] * 100:.1f} % (target <= {TARGET_RSS_GROWTH * 100:g} %)\n"
        f"  errors logged {row['errors']} (target 0); database {row['db_bytes']['start']} -> "
        f"{row['db_bytes']['end']} bytes, {row['versions_written']} versions, "
        f"{row['db_bytes_per_version']} bytes per version\n"
        f"  targets met: {'yes' if row['met'] else 'NO'}"
    )
