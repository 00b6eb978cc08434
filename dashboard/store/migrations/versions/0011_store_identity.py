"""A random token per database, naming its versions' columnar copies on disk (issue 11).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:50:00

"""
import secrets
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    table = op.create_table(
        'store_identity',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('token'),
    )
    op.bulk_insert(table, [{'token': secrets.token_hex(16)}])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('store_identity')
