"""The current rows of each ledger as one columnar blob (ledger_index), read by the next import
instead of every current row (issue 11).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 17:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'ledger_index',
        sa.Column('dataset', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('max_id', sa.Integer(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('dataset'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('ledger_index')
