"""The committed migrations build exactly the schema the code declares.

If a contract column or a table changes without a new migration, the
comparison below lists the difference; write the migration with
``alembic -c dashboard/store/migrations/alembic.ini revision --autogenerate``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from dashboard.contract import DATASETS
from dashboard.store import storage
from dashboard.store.tables import ledger_name

OWN_TABLES = {
    "dataset_version",
    "version_file",
    "dataset_head",
    "user_account",
    "user_session",
    "audit_log",
    "kiosk_link",
    "notify_channel",
    "notify_digest",
    "notify_delivery",
    "notify_log",
    "ledger_index",
    "ledger_pending",
} | {ledger_name(d) for d in DATASETS}


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(storage.alembic_config()).get_current_head()


def _differences(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_migrate_builds_the_declared_schema(db_url: str) -> None:
    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    assert _differences(engine) == []
    assert set(sa.inspect(engine).get_table_names()) >= OWN_TABLES


def test_migrate_twice_is_a_no_op(db_url: str) -> None:
    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    storage.migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [_head()]
    assert _differences(engine) == []


def test_postgresql_tables_land_in_the_schema_of_the_url(pg_url: str) -> None:
    """The URL's search_path decides the schema: tests and tenants never share tables."""
    engine = storage.make_engine(pg_url)
    storage.migrate(engine)
    with engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        rows = conn.execute(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
            {"s": schema},
        )
        tables = set(rows.scalars())
    assert schema.startswith("t_")
    assert OWN_TABLES | {"alembic_version"} <= tables


def test_postgresql_keeps_uploads_in_lz4_and_the_index_as_it_is(pg_url: str) -> None:
    """pglz spent 1.2 s of a 1M-row import compressing its 62 MB original (lz4: 0.36 s), and the
    ledger index and pending rows are lz4 Arrow streams already: not compressed again."""
    engine = storage.make_engine(pg_url)
    storage.migrate(engine)
    with engine.connect() as conn:
        methods = conn.execute(
            sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        ).scalar()
        found = conn.execute(
            sa.text(
                "SELECT c.relname, a.attstorage, a.attcompression FROM pg_attribute a"
                " JOIN pg_class c ON c.oid = a.attrelid"
                " WHERE a.attname = 'content'"
                " AND c.relname IN ('version_file', 'ledger_index', 'ledger_pending')"
                " AND c.relnamespace = current_schema()::regnamespace"
            )
        ).all()
    settings = {name: (storage_kind, compression) for name, storage_kind, compression in found}
    assert settings["ledger_index"][0] == "e"  # external: out of line, never compressed
    assert settings["ledger_pending"][0] == "e"
    assert settings["version_file"] == ("x", "l" if methods and "lz4" in methods else "")
