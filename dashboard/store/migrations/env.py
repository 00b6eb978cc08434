"""Alembic environment for the dashboard's own tables (SQLModel.metadata).

Run by :func:`dashboard.store.storage.migrate`, which hands over a connection
already inside a transaction (``config.attributes["connection"]``). From the
command line: ``alembic -c dashboard/store/migrations/alembic.ini upgrade head``
(database from DASHBOARD_DB_URL, as everywhere else).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import dashboard.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from dashboard.store.storage import make_engine

    url = config.get_main_option("sqlalchemy.url") or None
    with make_engine(url).connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
