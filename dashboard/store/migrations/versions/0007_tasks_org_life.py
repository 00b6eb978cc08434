"""The two new ledgers: tasks (督办事项) and org_life (组织生活).

Written like 0001's ledger tables (generated from the contract: the bookkeeping
columns, then the contract's own, and the current-rows index); the columns are
spelled out here so the migration stays what it was when the contract moves on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _bookkeeping() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_from', sa.Integer(), nullable=False),
        sa.Column('version_to', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('row_key', sa.Text(), nullable=False),
        sa.Column('row_hash', sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('ledger_tasks',
    *_bookkeeping(),
    sa.Column('task_code', sa.Text(), nullable=True),
    sa.Column('raised_date', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('domain', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('owner', sa.Text(), nullable=True),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('closed_date', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_ledger_tasks_current', 'ledger_tasks', ['version_to', 'row_key'], unique=False)

    op.create_table('ledger_org_life',
    *_bookkeeping(),
    sa.Column('org_code', sa.Text(), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('type', sa.Text(), nullable=True),
    sa.Column('topic', sa.Text(), nullable=True),
    sa.Column('expected', sa.BigInteger(), nullable=True),
    sa.Column('attended', sa.BigInteger(), nullable=True),
    sa.Column('chair', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_ledger_org_life_current', 'ledger_org_life', ['version_to', 'row_key'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_ledger_org_life_current', table_name='ledger_org_life')
    op.drop_table('ledger_org_life')
    op.drop_index('ix_ledger_tasks_current', table_name='ledger_tasks')
    op.drop_table('ledger_tasks')
