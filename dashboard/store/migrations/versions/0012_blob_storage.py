"""PostgreSQL keeps large blobs cheaply: uploads compressed with lz4, the ledger index as it is (issue 11).

PostgreSQL compresses a large value with pglz by default: storing a 1M-row upload's 62 MB
original took 1.2 s of its import (0.36 s with lz4), and the ledger index is an lz4 Arrow
stream already, which pglz only spends time on. lz4 is used where the server has it
(PostgreSQL 14 and later, built with lz4, as Debian's is); otherwise the default stays.
SQLite stores blobs as they are: nothing to do there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 00:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _has_lz4() -> bool:
    methods = op.get_bind().execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return bool(methods) and 'lz4' in methods


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    if _has_lz4():
        op.execute('ALTER TABLE version_file ALTER COLUMN content SET COMPRESSION lz4')
    op.execute('ALTER TABLE ledger_index ALTER COLUMN content SET STORAGE EXTERNAL')


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    if _has_lz4():
        op.execute('ALTER TABLE version_file ALTER COLUMN content SET COMPRESSION default')
    op.execute('ALTER TABLE ledger_index ALTER COLUMN content SET STORAGE EXTENDED')
