"""A big version's rows wait as one columnar blob until they are in their ledger (issue 11).

A first import or a whole-ledger replace of a million rows spent most of its time inserting
table rows. It now commits them as one lz4 Arrow stream in ``ledger_pending`` and they are
moved into the ledger table right after (``storage.settle``). On PostgreSQL the blob is
kept out of line as it is: it is compressed already.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'ledger_pending',
        sa.Column('dataset', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('dataset', 'version'),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE ledger_pending ALTER COLUMN content SET STORAGE EXTERNAL')


def downgrade() -> None:
    """Downgrade schema.

    Rows still pending are moved into their ledgers by the code that wrote them: a downgrade
    with rows pending would lose them, so it refuses.
    """
    pending = op.get_bind().execute(sa.text('SELECT COUNT(*) FROM ledger_pending')).scalar()
    if pending:
        raise RuntimeError('ledger_pending holds versions not yet in their ledgers: start the app once first')
    op.drop_table('ledger_pending')
