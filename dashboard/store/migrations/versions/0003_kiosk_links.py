"""Wall-screen (kiosk) links move from a JSON file in the data directory into the database.

Several workers or hosts share one database, not one file (the file's lock was
in-process). Links already made in the old file are not carried over: an admin
makes new ones on /kiosk (they are a minute's work and the old tokens stop).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('kiosk_link',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )


def downgrade() -> None:
    op.drop_table('kiosk_link')
