"""Fault drills: each runs against a real server it starts and prints what happened against what must.

Nothing shared is touched: the drills start their own ``redis-server`` and their own
PostgreSQL cluster (``initdb`` into a temporary directory, as the ``postgres`` user when
run as root) on free loopback ports, and make (and unmount) their own tmpfs for the full
disk; they stop only those. Viewers are websocket clients speaking Reflex's protocol
(dashboard/bench/viewers.py); a viewer whose socket dropped reconnects with the same tab
token, as socket.io-client does in a browser. Uploads go through the real CLI
(``python -m dashboard import``, the same pipeline as the upload page), so what staff
would read is what the drill checks.

Two servers:

- SQLite, one worker, its database and data directory on a 64 MB tmpfs, the office clock
  shifted (``DASHBOARD_CLOCK_OFFSET_S``, for drills only) so office midnight comes
  ``MIDNIGHT_AFTER_S`` after the start: ``session``, ``disk_full``, ``midnight``;
- PostgreSQL + Redis (both the drills' own), ``WORKERS`` workers: ``postgres_restart``,
  ``redis_restart``, ``worker_kill``.

A drill that needs what one machine cannot give (a second host) is reported as skipped,
with the reason, never as passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dashboard import clock
from dashboard.bench.services import OwnPostgres, OwnRedis, own_postgres, own_redis, tmpfs, wait_until
from dashboard.bench.soak import log_errors, upload_bytes
from dashboard.bench.viewers import Viewer, close_all, open_viewers, session_cookie
from dashboard.store import AuditEntry

WORKERS = 3
MIDNIGHT_AFTER_S = 240.0  # office midnight this long after the SQLite server is launched
RECONNECT_S = 5.0  # tabs show the current board again within this (issue 17)
PUSH_S = 5.0
SIGN_OUT_S = 15.0  # a tab of an ended session goes dark within this (the poll checks every 5 s)
TMPFS_MB = 64
BOARDS = ["/", "/elections", "/brands", "/demolition"]
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Drill:
    name: str
    must: str  # what must happen
    passed: bool = False
    skipped: bool = False
    reason: str = ""  # why it failed or was skipped
    happened: list[str] = field(default_factory=list)  # what the drill saw, step by step
    figures: dict[str, Any] = field(default_factory=dict)

    def saw(self, text: str) -> None:
        self.happened.append(text)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("must")
        return {**out, "must": self.must}


# ---------------------------------------------------------------------------
# The app under drill


@dataclass
class App:
    url: str
    db_url: str
    env: dict[str, str]  # for CLI commands against the same database and data directory
    workdir: Path
    log: Path

    def engine(self) -> sa.Engine:
        from dashboard.store import storage

        return storage.make_engine(self.db_url)

    def stamp(self) -> int:
        from dashboard.store import storage

        return storage.data_stamp(self.engine())

    def versions(self) -> int:
        with self.engine().connect() as conn:
            return int(conn.execute(sa.text("select count(*) from dataset_version")).scalar_one())

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dashboard", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def upload(self, dataset: str = "demolition", refuse: bool = False) -> subprocess.CompletedProcess:
        """An upload through the real CLI: the ledger as it stands (a new version with 0 changes)."""
        path = self.workdir / f"upload-{dataset}.csv"
        path.write_bytes(upload_bytes(self.engine(), dataset, refuse))
        return self.cli("import", dataset, str(path), "--user", "drill")


@contextmanager
def serve_app(db_url: str, workdir: Path, data_dir: Path, extra_env: dict[str, str]) -> Iterator[App]:
    from dashboard.bench.page import _prepare, serve

    _prepare("demo", db_url, data_dir)
    env = {"DASHBOARD_DATA_DIR": str(data_dir), **extra_env}
    with serve(db_url, workdir, env) as url:
        full = {**os.environ, "DASHBOARD_DB_URL": db_url, "REFLEX_TELEMETRY_ENABLED": "false", **env}
        yield App(url, db_url, full, workdir, workdir / "reflex.log")


def reconnect(viewer: Viewer) -> Viewer:
    """The same tab again (same token: its state is found again), as the browser reconnects."""
    again = Viewer(f"http://{viewer.host}:{viewer.port}", viewer.path, viewer.cookie)
    again.token = viewer.token
    return again


async def show_current(viewers: list[Viewer], stamp: int, timeout: float) -> tuple[list[Viewer], float, int]:
    """Every tab showing ``stamp`` (reconnecting those whose socket dropped); (tabs, seconds, reconnected)."""
    t0 = time.monotonic()
    out: list[Viewer] = []
    reconnected = 0

    async def one(v: Viewer) -> Viewer:
        nonlocal reconnected
        deadline = t0 + timeout
        while True:
            if not v.error:
                with contextlib.suppress(TimeoutError, ConnectionError):
                    await v.wait_stamp(stamp, max(0.1, min(1.0, deadline - time.monotonic())))
                    return v
            if time.monotonic() > deadline:
                return v
            if v.error:
                await v.close()
                await asyncio.sleep(0.5)  # socket.io-client's first reconnect delay
                v = reconnect(v)
                reconnected += 1
                with contextlib.suppress(TimeoutError, ConnectionError, OSError):
                    await v.connect(max(0.5, deadline - time.monotonic()))

    out = list(await asyncio.gather(*(one(v) for v in viewers)))
    return out, time.monotonic() - t0, reconnected


def _current(viewers: list[Viewer], stamp: int) -> int:
    return sum(1 for v in viewers if v.stamp >= stamp and not v.error)


def attempt(name: str, scenario: Any, log: Path) -> Drill:
    """Run one drill's scenario; a drill that breaks is reported as failed, with why, not raised.
    Figures gain the ERROR lines the server logged meanwhile (expected while a service is down)."""
    before = len(log_errors(log))
    try:
        drill = asyncio.run(scenario)
    except Exception as exc:
        drill = Drill(name, "", reason=f"the drill broke: {type(exc).__name__}: {exc}"[:500])
    lines = log_errors(log)[before:]
    drill.figures["server_errors_logged"] = len(lines)
    if lines:
        drill.figures["first_error"] = lines[0][:200]
    return drill


# ---------------------------------------------------------------------------
# SQLite server: session, disk full, midnight


def midnight_offset(after_s: float) -> float:
    """Seconds to add to the office clock so office midnight comes ``after_s`` from now."""
    target = clock.office_now() + timedelta(seconds=after_s)
    midnight = datetime.combine(target.date() + timedelta(days=1), datetime.min.time(), clock.OFFICE_TZ)
    return (midnight - target).total_seconds()


async def drill_session(app: App) -> Drill:
    d = Drill(
        "session",
        "a tab left open past the 8-hour idle expiry, and a tab of an account disabled with `users disable`, "
        "stop receiving data (figures cleared) and ask to sign in; other tabs keep updating",
    )
    cookies = {name: session_cookie(app.db_url, name) for name in ("drill-idle", "drill-off", "drill-ok")}
    tabs = {name: await open_viewers(app.url, ["/", "/demolition"], c) for name, c in cookies.items()}
    try:
        t0 = time.monotonic()
        from dashboard.store import UserAccount, UserSession

        sessions, users = UserSession.__table__, UserAccount.__table__
        idle_user = sa.select(users.c.id).where(users.c.name == "drill-idle").scalar_subquery()
        with app.engine().begin() as conn:  # the idle tab's session: last used 8 h 1 min ago
            conn.execute(
                sessions.update()
                .where(sessions.c.user_id == idle_user)
                .values(last_seen=datetime.now(UTC) - timedelta(hours=8, minutes=1))
            )
        disabled = app.cli("users", "disable", "drill-off")
        d.saw(f"session of drill-idle aged 8 h 1 min; `users disable drill-off` exit {disabled.returncode}")
        ended = tabs["drill-idle"] + tabs["drill-off"]
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.gather(
                *(v.wait_for(lambda v: v.board.get("signed_out") is True, SIGN_OUT_S) for v in ended)
            )
        dark = [v for v in ended if v.board.get("signed_out") is True]
        d.figures["signed_out_s"] = round(time.monotonic() - t0, 2)
        cleared = [v for v in dark if not v.board.get("cards") and not v.board.get("kpi_groups")]
        d.saw(
            f"{len(dark)} of {len(ended)} ended tabs asked to sign in, "
            f"{len(cleared)} with their figures cleared, "
            f"after {d.figures['signed_out_s']} s"
        )
        before = {id(v): v.stamp for v in ended}
        result = app.upload()
        stamp = app.stamp()
        ok = tabs["drill-ok"]
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.gather(*(v.wait_stamp(stamp, PUSH_S) for v in ok))
        await asyncio.sleep(1.0)  # time enough for a wrong push to arrive too
        got_new = sum(1 for v in ok if v.stamp >= stamp)
        leaked = sum(1 for v in ended if v.stamp != before[id(v)] or v.board.get("cards"))
        d.saw(
            f"upload exit {result.returncode}: {got_new} of {len(ok)} valid tabs got it; "
            f"{leaked} ended tabs received data"
        )
        d.figures.update(
            ended_tabs=len(ended),
            asked_to_sign_in=len(dark),
            cleared=len(cleared),
            valid_tabs_updated=got_new,
            ended_tabs_received_data=leaked,
        )
        d.passed = (
            disabled.returncode == 0
            and len(dark) == len(cleared) == len(ended)
            and result.returncode == 0
            and got_new == len(ok)
            and leaked == 0
        )
    finally:
        await close_all([v for group in tabs.values() for v in group])
    return d


async def drill_disk_full(app: App, disk: Path) -> Drill:
    d = Drill(
        "disk_full",
        "with the disk holding the database and data directory full, an upload fails with a clear "
        "message and writes nothing, the app keeps serving; once space is freed the next upload succeeds",
    )
    cookie = session_cookie(app.db_url, "drill-disk")
    tabs = await open_viewers(app.url, BOARDS, cookie)
    filler = disk / "filler"
    try:
        stamp0, versions0 = app.stamp(), app.versions()
        # SQLite's write-ahead log keeps its size after a checkpoint: a small upload fits in the
        # space it already holds and never meets the full disk (2026-12-05: the 0-change upload
        # was accepted). Emptied first, any write needs a new block.
        with app.engine().connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with filler.open("wb", buffering=0) as fh:  # fill the disk to the last byte (unbuffered:
            # nothing left to flush, and fail, at close)
            chunk = b"\0" * (1 << 20)
            with contextlib.suppress(OSError):
                while True:
                    fh.write(chunk)
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 4096)
        free = shutil.disk_usage(disk).free
        d.saw(f"disk filled: {free} bytes free")
        failed = app.upload()
        text = (failed.stdout + failed.stderr).strip()
        clear = failed.returncode != 0 and "Traceback" not in text and bool(text)
        d.saw(
            f"upload on the full disk: exit {failed.returncode}: "
            f"{text.splitlines()[-1][:160] if text else ''}"
        )
        wrote = app.stamp() != stamp0 or app.versions() != versions0
        serving = _page_ok(app.url)
        d.saw(f"written: {'yes' if wrote else 'nothing'}; the app answers: {'yes' if serving else 'NO'}")
        filler.unlink()
        d.saw("space freed")
        again = app.upload()
        stamp = app.stamp()
        tabs, seconds, reconnected = await show_current(tabs, stamp, PUSH_S)
        current = _current(tabs, stamp)
        d.saw(
            f"next upload exit {again.returncode}; {current} of {len(tabs)} tabs show it after "
            f"{seconds:.2f} s ({reconnected} reconnects)"
        )
        d.figures.update(
            free_bytes=free,
            failed_exit=failed.returncode,
            message=text[-300:],
            wrote=wrote,
            serving=serving,
            next_exit=again.returncode,
            tabs_current=current,
            tabs=len(tabs),
        )
        d.passed = clear and not wrote and serving and again.returncode == 0 and current == len(tabs)
        if not clear:
            d.reason = "the failed upload did not say so plainly (exit code 0, no message, or a trace)"
    finally:
        with contextlib.suppress(OSError):
            filler.unlink()
        await close_all(tabs)
    return d


def _page_ok(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url + "/login", timeout=10) as resp:
            return resp.status == 200
    except OSError:
        return False


async def drill_midnight(app: App, midnight_at: float) -> Drill:
    d = Drill(
        "midnight",
        'office midnight passes while boards are open: "today", day N of 100 and the warnings move '
        "to the new day without a reload",
    )
    if time.monotonic() > midnight_at - 10:
        d.reason = (
            f"the server started too late: office midnight passed {time.monotonic() - midnight_at:.0f} s ago"
        )
        return d
    cookie = session_cookie(app.db_url, "drill-midnight")
    tabs = await open_viewers(app.url, ["/", "/demolition"], cookie)
    try:
        before = [
            (v.board.get("day"), _day_n(v), json.dumps(v.board.get("warnings"), ensure_ascii=False))
            for v in tabs
        ]
        d.saw(f"before: today {before[0][0]}, {before[0][1] or 'no day N shown'}")
        await asyncio.sleep(max(0.0, midnight_at - time.monotonic()))
        new_day = (datetime.fromisoformat(before[0][0]).date() + timedelta(days=1)).isoformat()
        t0 = time.monotonic()
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.gather(*(v.wait_for(lambda v: v.board.get("day") == new_day, 15) for v in tabs))
        after = [
            (v.board.get("day"), _day_n(v), json.dumps(v.board.get("warnings"), ensure_ascii=False))
            for v in tabs
        ]
        moved = sum(1 for a in after if a[0] == new_day)
        d.figures.update(
            seconds_after_midnight=round(time.monotonic() - t0, 2),
            tabs=len(tabs),
            tabs_moved=moved,
            day_before=before[0][0],
            day_after=after[0][0],
            day_n_before=before[0][1],
            day_n_after=after[0][1],
            warnings_changed=any(b[2] != a[2] for b, a in zip(before, after, strict=True)),
            reconnects=sum(1 for v in tabs if v.error),
        )
        d.saw(
            f"after: today {after[0][0]} on {moved} of {len(tabs)} tabs, {after[0][1] or 'no day N shown'}, "
            f"warnings {'changed' if d.figures['warnings_changed'] else 'unchanged'}, without a reload"
        )
        day_moved = before[0][1] is None or before[0][1] != after[0][1]
        d.passed = moved == len(tabs) and day_moved and not d.figures["reconnects"]
    finally:
        await close_all(tabs)
    return d


def _day_n(viewer: Viewer) -> str | None:
    """The "第 N 天 / 共 100 天" text the board shows, if any."""
    import re

    found = re.search(
        r"第 \d+ 天 / 共 \d+ 天", json.dumps(viewer.board.get("kpi_groups"), ensure_ascii=False)
    )
    return found.group(0) if found else None


def sqlite_drills(names: set[str]) -> list[Drill]:
    out: list[Drill] = []
    with tempfile.TemporaryDirectory(prefix="drill-sqlite-") as tmp, tmpfs(TMPFS_MB) as disk:
        workdir = Path(tmp)
        db_url = f"sqlite:///{disk / 'dashboard.db'}"
        launched = time.monotonic()
        offset = midnight_offset(MIDNIGHT_AFTER_S)
        midnight_at = launched + MIDNIGHT_AFTER_S
        env = {clock.OFFSET_ENV: f"{offset:.0f}"}
        os.environ[clock.OFFSET_ENV] = env[clock.OFFSET_ENV]  # the demo data and this process agree
        try:
            with serve_app(db_url, workdir, disk / "data", env) as app:
                print(
                    f"faults: SQLite server up after {time.monotonic() - launched:.0f} s",
                    flush=True,
                    file=sys.stderr,
                )
                if "session" in names:
                    out.append(attempt("session", drill_session(app), app.log))
                if "disk_full" in names:
                    out.append(attempt("disk_full", drill_disk_full(app, disk), app.log))
                if "midnight" in names:
                    out.append(attempt("midnight", drill_midnight(app, midnight_at), app.log))
        finally:
            os.environ.pop(clock.OFFSET_ENV, None)
    return out


# ---------------------------------------------------------------------------
# PostgreSQL + Redis server: PostgreSQL restarted, Redis restarted, a worker killed


async def drill_postgres_restart(app: App, pg: OwnPostgres) -> Drill:
    d = Drill(
        "postgres_restart",
        "PostgreSQL restarted during an upload: the upload fails with a clear message, no partial "
        "version; the next upload succeeds and the open boards show it",
    )
    tabs = await open_viewers(app.url, BOARDS, session_cookie(app.db_url, "drill-pg"))
    try:
        stamp0, versions0 = app.stamp(), app.versions()
        # Hold the audit table: the import writes its version and rows, then waits on its audit row,
        # inside its transaction; the restart lands exactly there.
        blocker = sa.create_engine(app.db_url, poolclass=sa.pool.NullPool)
        conn = blocker.connect()
        conn.begin()  # held until the restart ends the session
        audit = AuditEntry.__tablename__  # only locked, never written: store.audit stays its one writer
        conn.execute(sa.text(f"lock table {audit} in access exclusive mode"))
        path = app.workdir / "upload-pg.csv"
        path.write_bytes(upload_bytes(app.engine(), "demolition", False))
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "import", "demolition", str(path), "--user", "drill"],
            cwd=REPO,
            env=app.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        blocked = await asyncio.to_thread(wait_until, lambda: _waiting_on_lock(app.db_url), 60)
        d.saw(f"upload started; inside its transaction, waiting on a lock: {'yes' if blocked else 'NO'}")
        # The lock is held through the restart, which ends both sessions: released first, the
        # import finished its few remaining statements and committed before the restart landed
        # (2026-12-05: the drill saw an upload accepted, not a restart during one).
        t0 = time.monotonic()
        await asyncio.to_thread(pg.restart)
        with contextlib.suppress(Exception):
            conn.close()  # its session ended with the restart
        blocker.dispose()
        d.figures["restart_s"] = round(time.monotonic() - t0, 2)
        out, err = await asyncio.to_thread(proc.communicate, timeout=120)
        text = (out + err).strip()
        clear = proc.returncode not in (0, None) and "Traceback" not in text and bool(text)
        d.saw(
            f"PostgreSQL restarted in {d.figures['restart_s']} s; the upload: exit {proc.returncode}: "
            f"{text.splitlines()[-1][:160] if text else ''}"
        )
        partial = app.stamp() != stamp0 or app.versions() != versions0
        d.saw(f"partial version: {'YES' if partial else 'none'}")
        again = app.upload()
        stamp = app.stamp()
        tabs, seconds, reconnected = await show_current(tabs, stamp, PUSH_S)
        current = _current(tabs, stamp)
        d.saw(
            f"next upload exit {again.returncode}; {current} of {len(tabs)} tabs show it "
            f"after {seconds:.2f} s"
        )
        d.figures.update(
            blocked_in_transaction=blocked,
            failed_exit=proc.returncode,
            message=text[-300:],
            partial_version=partial,
            next_exit=again.returncode,
            tabs_current=current,
            tabs=len(tabs),
            reconnects=reconnected,
        )
        d.passed = blocked and clear and not partial and again.returncode == 0 and current == len(tabs)
        if not blocked:
            d.reason = "the upload never waited inside its transaction: the restart did not land during it"
        elif not clear:
            d.reason = "the failed upload did not say so plainly"
    finally:
        await close_all(tabs)
    return d


def _waiting_on_lock(db_url: str) -> bool:
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text("select count(*) from pg_stat_activity where wait_event_type = 'Lock'")
                ).scalar_one()
            )
    finally:
        engine.dispose()


async def drill_redis_restart(app: App, redis_server: OwnRedis) -> Drill:
    d = Drill(
        "redis_restart",
        f"Redis restarted (its data lost) while tabs are open: the tabs show the current board within "
        f"{RECONNECT_S:g} s of the next upload; no upload lost",
    )
    tabs = await open_viewers(app.url, BOARDS * 2, session_cookie(app.db_url, "drill-redis"))
    try:
        await asyncio.gather(*(v.identify() for v in tabs))
        d.figures["workers_used"] = len({v.pid for v in tabs})
        versions0 = app.versions()
        t0 = time.monotonic()
        await asyncio.to_thread(redis_server.stop)
        during = app.upload()  # an upload while Redis is down: the data lives in PostgreSQL
        await asyncio.to_thread(redis_server.start)
        d.figures["redis_down_s"] = round(time.monotonic() - t0, 2)
        d.saw(
            f"Redis stopped and started again (empty) after {d.figures['redis_down_s']} s; "
            f"an upload meanwhile: exit {during.returncode}"
        )
        after = app.upload()
        stamp = app.stamp()
        tabs, seconds, reconnected = await show_current(tabs, stamp, RECONNECT_S)
        current = _current(tabs, stamp)
        lost = app.versions() - versions0 != (during.returncode == 0) + (after.returncode == 0)
        d.saw(
            f"next upload exit {after.returncode}; {current} of {len(tabs)} tabs show it after "
            f"{seconds:.2f} s ({reconnected} reconnects); uploads lost: {'YES' if lost else 'none'}"
        )
        d.figures.update(
            upload_while_down_exit=during.returncode,
            next_exit=after.returncode,
            tabs=len(tabs),
            tabs_current=current,
            seconds=round(seconds, 2),
            reconnects=reconnected,
            uploads_lost=lost,
        )
        d.passed = during.returncode == 0 and after.returncode == 0 and current == len(tabs) and not lost
        if current < len(tabs):
            d.reason = f"{len(tabs) - current} tab(s) did not show the current board within {RECONNECT_S:g} s"
    finally:
        await close_all(tabs)
    return d


async def drill_worker_kill(app: App) -> Drill:
    d = Drill(
        "worker_kill",
        "a worker killed (-9) while it holds sockets: its tabs reconnect to another worker and show "
        f"the current board within {RECONNECT_S:g} s; no version lost",
    )
    tabs = await open_viewers(app.url, BOARDS * 3, session_cookie(app.db_url, "drill-kill"))
    try:
        await asyncio.gather(*(v.identify() for v in tabs))
        by_pid: dict[int, int] = {}
        for v in tabs:
            by_pid[v.pid] = by_pid.get(v.pid, 0) + 1
        if len(by_pid) < 2:
            d.skipped = True
            d.reason = f"every tab landed on one worker ({by_pid}); nothing to move to"
            return d
        victim = max(by_pid, key=lambda p: by_pid[p])
        versions0 = app.versions()
        os.kill(victim, signal.SIGKILL)
        t0 = time.monotonic()
        d.saw(f"worker {victim} killed with {by_pid[victim]} of {len(tabs)} tabs on it (workers {by_pid})")
        result = app.upload()
        stamp = app.stamp()
        tabs, seconds, reconnected = await show_current(tabs, stamp, RECONNECT_S + (time.monotonic() - t0))
        current = _current(tabs, stamp)
        await asyncio.gather(
            *(v.identify(5) for v in tabs if v.stamp >= stamp and not v.error), return_exceptions=True
        )
        moved_to = sorted({v.pid for v in tabs if v.pid and v.pid != victim})
        lost = app.versions() - versions0 != (result.returncode == 0)
        d.saw(
            f"upload exit {result.returncode}; {current} of {len(tabs)} tabs show it "
            f"{seconds:.2f} s after the "
            f"kill ({reconnected} reconnected), now on workers {moved_to}; versions lost: "
            f"{'YES' if lost else 'none'}"
        )
        d.figures.update(
            killed_pid=victim,
            tabs_on_killed=by_pid[victim],
            tabs=len(tabs),
            tabs_current=current,
            seconds=round(seconds, 2),
            reconnects=reconnected,
            versions_lost=lost,
        )
        d.passed = result.returncode == 0 and current == len(tabs) and not lost and victim not in moved_to
    finally:
        await close_all(tabs)
    return d


def scaled_drills(names: set[str]) -> list[Drill]:
    out: list[Drill] = []
    with tempfile.TemporaryDirectory(prefix="drill-scaled-") as tmp, own_postgres() as pg, own_redis() as rd:
        workdir = Path(tmp)
        env = {"REDIS_URL": rd.url, "GRANIAN_WORKERS": str(WORKERS)}
        launched = time.monotonic()
        with serve_app(pg.url, workdir, workdir / "data", env) as app:
            print(
                f"faults: PostgreSQL + Redis server ({WORKERS} workers) up after "
                f"{time.monotonic() - launched:.0f} s",
                flush=True,
                file=sys.stderr,
            )
            if "postgres_restart" in names:
                out.append(attempt("postgres_restart", drill_postgres_restart(app, pg), app.log))
            if "redis_restart" in names:
                out.append(attempt("redis_restart", drill_redis_restart(app, rd), app.log))
            if "worker_kill" in names:
                out.append(attempt("worker_kill", drill_worker_kill(app), app.log))
    return out


def second_host() -> Drill:
    return Drill(
        "second_host",
        "a whole host lost (two hosts behind nginx): its tabs move to the other host",
        skipped=True,
        reason="needs a second host; this machine (and CI) has one. The worker-kill drill covers a lost "
        "process on one host",
    )


SQLITE = ("session", "disk_full", "midnight")
SCALED = ("postgres_restart", "redis_restart", "worker_kill")
NAMES = (*SQLITE, *SCALED, "second_host")


def run(names: list[str] | None = None) -> list[Drill]:
    wanted = set(names or NAMES)
    unknown = wanted - set(NAMES)
    if unknown:
        raise SystemExit(f"unknown drill(s): {', '.join(sorted(unknown))}; choose from {', '.join(NAMES)}")
    drills: list[Drill] = []
    if wanted & set(SQLITE):
        if os.geteuid() != 0:
            drills += [
                Drill(n, "", skipped=True, reason="needs root to mount its tmpfs")
                for n in SQLITE
                if n in wanted
            ]
        else:
            drills += sqlite_drills(wanted)
    if wanted & set(SCALED):
        missing = [] if shutil.which("redis-server") else ["redis-server"]
        if not sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            missing.append("PostgreSQL server binaries (initdb)")
        if missing:
            drills += [
                Drill(n, "", skipped=True, reason=f"not installed: {', '.join(missing)}")
                for n in SCALED
                if n in wanted
            ]
        else:
            drills += scaled_drills(wanted)
    if "second_host" in wanted:
        drills.append(second_host())
    order = {n: i for i, n in enumerate(NAMES)}
    return sorted(drills, key=lambda d: order[d.name])


def report(drills: list[Drill]) -> str:
    lines = []
    for d in drills:
        verdict = "SKIPPED" if d.skipped else "passed" if d.passed else "FAILED"
        lines.append(f"{d.name}: {verdict}{f' ({d.reason})' if d.reason else ''}")
        if d.must:
            lines.append(f"  must: {d.must}")
        lines += [f"  saw:  {h}" for h in d.happened]
    return "\n".join(lines)


def main(names: list[str] | None = None, *, as_json: bool = False) -> int:
    drills = run(names)
    if as_json:
        print(json.dumps({"drills": [d.as_json() for d in drills]}, ensure_ascii=False, default=str))
    else:
        print(report(drills), flush=True)
    return 0 if all(d.passed or d.skipped for d in drills) else 1
