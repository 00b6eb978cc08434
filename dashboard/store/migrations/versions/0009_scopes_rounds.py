"""Scoped accounts: user_account.scope and dataset_version.scope (issue 15).

Revision ID: 0009
Revises: 0007 (the integrator re-chains it to 0008, the version note, at merge)
Create Date: 2026-12-04 14:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('user_account', sa.Column('scope', sa.String(length=2000), server_default='', nullable=False))
    op.add_column('dataset_version', sa.Column('scope', sa.String(length=2000), server_default='', nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('dataset_version') as batch:
        batch.drop_column('scope')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('scope')
