"""Memory benchmark: server memory with 0, 100 and 500 connected viewers.

The server is every process of the app's session (``reflex run`` and its
Granian workers; the production frontend is static files served by them).
RSS is summed over those processes (forked workers share pages, so the sum
over-counts the shared part; PSS, which splits shared pages fairly, is given
beside it). Viewers are websocket clients holding a board open
(dashboard/bench/viewers.py), a quarter on each board; "0" is measured
after one viewer per board has loaded and left, so the caches are warm.
Target (issue 5): <= 100 KB per extra viewer. In ``scaled`` mode the
per-viewer state lives in Redis: its used_memory growth is reported too.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from dashboard.bench.propagation import BOARDS, app_in
from dashboard.bench.viewers import Viewer, close_all, open_viewers, session_cookie

TARGET_KB_PER_VIEWER = 100.0
COUNTS = (0, 100, 500)
SETTLE_S = 3.0


def _session_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[3])  # fields after the name: state ppid pgrp session


def _kb(path: Path, field: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def server_memory_kb(session: int) -> dict[str, Any]:
    """RSS and PSS (KB) summed over every process of the server's session, and each process's RSS
    (the supervisor and each worker: the view is held once per worker, so a worker's share shows)."""
    rss = pss = procs = 0
    each: list[int] = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if _session_of(int(proc.name)) != session:
                continue
            one = _kb(proc / "status", "VmRSS")
            pss += _kb(proc / "smaps_rollup", "Pss")
        except (OSError, ValueError, IndexError):
            continue  # a process that just ended
        rss += one
        each.append(one)
        procs += 1
    return {"rss_kb": rss, "pss_kb": pss, "processes": procs, "rss_kb_each": sorted(each, reverse=True)}


def _redis_used(redis_url: str | None) -> int | None:
    if not redis_url:
        return None
    import redis

    return int(redis.Redis.from_url(redis_url).info("memory")["used_memory"]) // 1024


async def _measure(url: str, db_url: str, redis_url: str | None) -> dict[str, Any]:
    cookie = session_cookie(db_url)
    warm = await open_viewers(url, BOARDS, cookie)
    session = _session_of(await warm[0].identify())
    await close_all(warm)
    held: list[Viewer] = []
    points = []
    try:
        for count in COUNTS:
            more = count - len(held)
            if more > 0:
                held += await open_viewers(url, [BOARDS[i % len(BOARDS)] for i in range(more)], cookie)
            await asyncio.sleep(SETTLE_S)
            mem = server_memory_kb(session)
            points.append({"viewers": count, **mem, "redis_kb": _redis_used(redis_url)})
            rss, pss = mem["rss_kb"] / 1024, mem["pss_kb"] / 1024
            each = ", ".join(f"{kb / 1024:.0f}" for kb in mem["rss_kb_each"])
            print(f"memory: {count:>4} viewers: RSS {rss:.1f} MB ({each}), PSS {pss:.1f} MB", flush=True)
    finally:
        await close_all(held)
    base = points[0]
    per_viewer = {
        str(p["viewers"]): round((p["rss_kb"] - base["rss_kb"]) / p["viewers"], 1) for p in points[1:]
    }
    per_viewer_pss = {
        str(p["viewers"]): round((p["pss_kb"] - base["pss_kb"]) / p["viewers"], 1) for p in points[1:]
    }
    worst = max(per_viewer.values())
    return {
        "points": points,
        "kb_per_viewer": per_viewer,  # KiB per extra viewer, from RSS
        "kb_per_viewer_pss": per_viewer_pss,
        "target_kb": TARGET_KB_PER_VIEWER,
        "met": worst <= TARGET_KB_PER_VIEWER,
    }


def run(modes: list[str], size: str = "demo") -> list[dict[str, Any]]:
    """Each mode at ``size``: demo (the demo ledgers) or city (bench/city.py, issue 11)."""
    results = []
    for mode in modes:
        t0 = time.monotonic()
        if mode == "scaled":
            from dashboard.bench.scale import scaled_app

            with scaled_app(4, size) as app:
                row = asyncio.run(_measure(app.url, app.db_url, app.redis_url))
                workers = app.workers
        else:
            with app_in(mode, size=size) as (url, db_url, workers):
                row = asyncio.run(_measure(url, db_url, None))
        row = {
            "mode": mode,
            "size": size,
            "workers": workers,
            **row,
            "seconds": round(time.monotonic() - t0, 1),
        }
        results.append(row)
        print(
            f"memory {mode}, {size}: KB per extra viewer (RSS) {row['kb_per_viewer']}, "
            f"(PSS) {row['kb_per_viewer_pss']}"
            f"  target <= {TARGET_KB_PER_VIEWER:g} KB: {'yes' if row['met'] else 'NO'}",
            flush=True,
        )
    return results
