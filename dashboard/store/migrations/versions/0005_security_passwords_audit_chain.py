"""等保 basics: password rules (history, must-change, age), the audit hash chain and its anchor.

Existing audit rows get their chain computed here, in id order, with a frozen copy of
the hashing rule in dashboard.store.audit.chain_hash (a migration must not change when the app does).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:30:00
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _iso(at: datetime) -> str:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _chain(prev: str, row: sa.Row) -> str:
    fields = [row.id, _iso(row.at), row.user, row.action, bool(row.ok), row.target, row.detail, row.address]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{payload}".encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('password_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_password_history_user_id', 'password_history', ['user_id'], unique=False)
    op.create_table('audit_anchor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('purged', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('hash', sa.String(length=64), server_default='', nullable=False))

    conn = op.get_bind()
    audit = sa.table(  # typed, so SQLite's stored text comes back as the datetime the app wrote
        'audit_log',
        sa.column('id', sa.Integer), sa.column('at', sa.DateTime(timezone=True)), sa.column('user', sa.String),
        sa.column('action', sa.String), sa.column('ok', sa.Boolean), sa.column('target', sa.String),
        sa.column('detail', sa.Text), sa.column('address', sa.String), sa.column('hash', sa.String),
    )
    prev = ""
    rows = conn.execute(sa.select(audit).order_by(audit.c.id)).all()
    for row in rows:
        prev = _chain(prev, row)
        conn.execute(audit.update().where(audit.c.id == row.id).values(hash=prev))


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('hash')
    op.drop_table('audit_anchor')
    op.drop_index('ix_password_history_user_id', table_name='password_history')
    op.drop_table('password_history')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('password_changed_at')
        batch.drop_column('must_change_password')
