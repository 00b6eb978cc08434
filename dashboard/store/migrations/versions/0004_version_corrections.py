"""Cells corrected on the upload page, kept with the version (dataset_version.corrections, JSON).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('dataset_version', sa.Column('corrections', sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('dataset_version') as batch:
        batch.drop_column('corrections')
