"""Scoped accounts (user_account.scope, dataset_version.scope) and reporting rounds
(report_round, report_round_scope) (issue 15).

Revision ID: 0009
Revises: 0007 (the integrator re-chains it to 0008, the version note, at merge)
Create Date: 2026-12-04 14:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('user_account', sa.Column('scope', sa.String(length=2000), server_default='', nullable=False))
    op.add_column('dataset_version', sa.Column('scope', sa.String(length=2000), server_default='', nullable=False))
    op.create_table(
        'report_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset', sa.String(length=40), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('opened_by', sa.String(length=200), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'report_round_scope',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reported_by', sa.String(length=200), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['report_round.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('round_id', 'scope', name='uq_report_round_scope'),
    )
    op.create_index(op.f('ix_report_round_scope_round_id'), 'report_round_scope', ['round_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_report_round_scope_round_id'), table_name='report_round_scope')
    op.drop_table('report_round_scope')
    op.drop_table('report_round')
    with op.batch_alter_table('dataset_version') as batch:
        batch.drop_column('scope')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('scope')
