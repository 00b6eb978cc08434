"""Shared fixtures: a fresh database per test, SQLite and real PostgreSQL.

``db_url`` is parametrised over both back ends for the data-layer tests;
``sqlite_url`` is for tests that are not about the database. PostgreSQL tests
get a schema of their own (search_path in the URL), dropped afterwards, so
tests never see each other's rows. Set DASHBOARD_TEST_PG_URL to point at
another server, or to "skip" to run without PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

# No per-example deadline: a property test checks what is computed, not how fast (a loaded machine
# made a 200 ms deadline fail a slicing test that was right); speed lives in the benchmarks.
settings.register_profile("dashboard", deadline=None)
settings.load_profile("dashboard")

# The office day the demo-loaded tests take as "today" (tests that need the real today load their own).
DEMO_DAY = date(2025, 6, 30)

PG_BASE = os.environ.get("DASHBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    if PG_BASE == "skip":
        return False
    try:
        eng = sa.create_engine(PG_BASE)
        with eng.connect() as conn:
            conn.execute(sa.text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


PG_OK = _pg_available()


@pytest.fixture(autouse=True)
def _rows_settled() -> Iterator[None]:
    """A big import moves its rows into the ledger in a thread after its commit (storage.settle):
    done before the test's database goes away."""
    yield
    from dashboard.store import storage

    storage.wait_settled()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty migrated SQLite file, for a property test to copy per example (migrating is the slow part)."""
    from dashboard.store import storage

    path = tmp_path_factory.mktemp("migrated") / "empty.db"
    engine = storage.make_engine(f"sqlite:///{path}")
    storage.migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite file; also exported as DASHBOARD_DB_URL for subprocesses."""
    url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DASHBOARD_DB_URL", url)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    return url


@pytest.fixture
def pg_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A fresh PostgreSQL schema on the local server (database test)."""
    if not PG_OK:
        pytest.skip("PostgreSQL not reachable at " + PG_BASE)
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_BASE else "?"
    url = f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"
    monkeypatch.setenv("DASHBOARD_DB_URL", url)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def demo_db(sqlite_url: str) -> str:
    """A fresh SQLite database holding the demo ledgers as loaded on DEMO_DAY (an office day)."""
    from dashboard.demo.load import load_demo
    from dashboard.store import storage

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    load_demo(engine, DEMO_DAY)
    return sqlite_url
