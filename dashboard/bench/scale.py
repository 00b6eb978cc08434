"""The app in scale-out mode for a test or a benchmark: PostgreSQL + Redis + several workers.

Each run gets its own PostgreSQL schema (search_path in the URL, as the test
fixtures do) and its own Redis database number, leased in Redis db 0, so two
runs at once (or a developer's ``make run-scaled``) never share Reflex state,
socket records or kiosk tabs.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

PG_BASE = os.environ.get("DASHBOARD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_BASE = os.environ.get("DASHBOARD_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
LEASE_SECONDS = 3600


@dataclass(frozen=True)
class ScaledApp:
    url: str  # http://127.0.0.1:<port>
    db_url: str
    redis_url: str
    workers: int
    env: dict[str, str]  # for CLI commands against the same database
    workdir: Path


def pg_available() -> bool:
    try:
        engine = sa.create_engine(PG_BASE)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:  # any failure means: not available
        return False


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_BASE, socket_timeout=2).ping())
    except Exception:
        return False


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema on the PostgreSQL server; yields its URL; dropped afterwards."""
    schema = "scale_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_BASE else "?"
    url = f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        from dashboard.store import storage

        storage.make_engine(url).dispose()  # our pooled connections: nothing may hold the schema
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def redis_db() -> Iterator[str]:
    """A Redis database number nobody else holds (leased in db 0), emptied before and after."""
    import redis

    lease = redis.Redis.from_url(REDIS_BASE)
    for number in range(1, 16):
        key = f"dashboard:bench-lease:{number}"
        if lease.set(key, os.getpid(), nx=True, ex=LEASE_SECONDS):
            break
    else:
        raise RuntimeError("every Redis database 1-15 is leased by another run")
    url = f"{REDIS_BASE.rstrip('/')}/{number}"
    db = redis.Redis.from_url(url)
    try:
        db.flushdb()
        yield url
    finally:
        db.flushdb()
        lease.delete(key)


@contextmanager
def scaled_app(workers: int, size: str = "demo") -> Iterator[ScaledApp]:
    """Migrate and load ``size`` data into a fresh schema, serve it with ``workers`` workers."""
    from dashboard.bench.page import _prepare, serve

    with tempfile.TemporaryDirectory(prefix="scale-") as tmp, pg_schema() as db_url, redis_db() as redis_url:
        workdir = Path(tmp)
        _prepare(size, db_url, workdir / "data")
        extra = {
            "REDIS_URL": redis_url,
            "GRANIAN_WORKERS": str(workers),
            "DASHBOARD_DATA_DIR": str(workdir / "data"),
        }
        with serve(db_url, workdir, extra) as url:
            env = {**os.environ, "DASHBOARD_DB_URL": db_url, **extra}
            yield ScaledApp(url, db_url, redis_url, workers, env, workdir)
