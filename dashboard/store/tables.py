"""Database tables: versions, original files, per-dataset heads and ledgers.

Versions are append-only. Each dataset has one ledger table whose rows carry
the range of versions they belong to (``version_from`` .. ``version_to``,
``version_to`` NULL while current), so a version that changes ten rows writes
ten rows, yet every earlier version can be read back whole:

    content(V) = rows with version_from <= V and (version_to IS NULL or version_to > V)

Ledger columns are generated from :mod:`dashboard.contract`, so a column
is declared once. The tables live on ``SQLModel.metadata`` (plain SQLModel, no
Reflex import); the app registers them with Reflex itself. Schema changes go
through Alembic (``dashboard/store/migrations``); a test checks that the
migrations and this module agree.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dashboard.contract import DATASETS, ColType, Dataset


class DatasetVersion(SQLModel, table=True):
    """One accepted upload (or restore) of one dataset: who, when, what, counts."""

    __tablename__ = "dataset_version"
    __table_args__ = (sa.UniqueConstraint("dataset", "number", name="uq_dataset_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(sa_type=sa.String(40), index=True)
    number: int  # 1, 2, 3 ... per dataset
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))  # UTC
    user: str = Field(sa_type=sa.String(200))
    file_name: str = Field(sa_type=sa.String(500))
    sha256: str = Field(sa_type=sa.String(64))
    mode: str = Field(sa_type=sa.String(16))
    rows: int
    added: int
    changed: int
    removed: int
    skipped: int
    restored_from: int | None = None
    # Cells corrected on the upload page, as JSON (dashboard.ingest.corrections): the kept
    # original file plus this list is the version's content. NULL: none.
    corrections: str | None = Field(default=None, sa_type=sa.Text)
    # The scope it was made under (contract.scopes ``community=…``); '' = office-wide.
    scope: str = Field(default="", sa_type=sa.String(2000), sa_column_kwargs={"server_default": ""})
    # The uploader's 更新说明 typed at confirm (or `import --note`); NULL: none.
    note: str | None = Field(default=None, sa_type=sa.Text)


class VersionFile(SQLModel, table=True):
    """The uploaded bytes, kept privately in the database (never a public upload dir)."""

    __tablename__ = "version_file"

    version_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("dataset_version.id", ondelete="CASCADE"), primary_key=True
        )
    )
    content: bytes = Field(sa_type=sa.LargeBinary)


class DatasetHead(SQLModel, table=True):
    """Latest version number per dataset; imports lock this row to serialize."""

    __tablename__ = "dataset_head"

    dataset: str = Field(sa_type=sa.String(40), primary_key=True)
    current_version: int = 0


class LedgerIndex(SQLModel, table=True):
    """The current rows of one ledger as one compact columnar blob: id, position, row_key, row_hash.

    What the next import diffs against, read in one fetch instead of a million rows; written in
    the same transaction as the version it describes (``version``), so it is never ahead of or
    behind the ledger. Derived data: when it is missing or does not match (``version``,
    ``max_id``), the import reads the ledger's current rows instead and writes it again.
    """

    __tablename__ = "ledger_index"

    dataset: str = Field(sa_type=sa.String(40), primary_key=True)
    version: int  # the version whose current rows it lists
    max_id: int  # the ledger's largest row id then (0: none)
    rows: int
    content: bytes = Field(sa_type=sa.LargeBinary)  # Arrow IPC stream (storage._CurrentRows)


class LedgerPending(SQLModel, table=True):
    """A big version's written rows as one columnar blob, until they are in its ledger table.

    A first import or a whole-ledger replace of a million rows spent most of its time on the
    table's row inserts (issue 11). It commits its rows here instead, in the version's own
    transaction (nothing is lost if the process dies), and they are moved into the ledger
    right after (``storage.settle``); anything that reads or writes a ledger settles its
    pending rows first, so no reader ever sees a version without them.
    """

    __tablename__ = "ledger_pending"

    dataset: str = Field(sa_type=sa.String(40), primary_key=True)
    version: int = Field(primary_key=True, sa_type=sa.Integer, sa_column_kwargs={"autoincrement": False})
    rows: int
    content: bytes = Field(sa_type=sa.LargeBinary)  # Arrow IPC stream (storage._Pending)


class StoreIdentity(SQLModel, table=True):
    """A random token made once per database (migration 0011), carried along by its backups.

    What names this database's copies of versions on disk (``store.columnar``): another
    database at the same address, made afresh, has another token, so a copy of its
    version 3 can never be taken for this one's.
    """

    __tablename__ = "store_identity"

    token: str = Field(sa_type=sa.String(64), primary_key=True)


# ---------------------------------------------------------------------------
# Ledgers

#: Columns every ledger has before the contract's own columns.
LEDGER_SYSTEM_COLUMNS = ("id", "version_from", "version_to", "position", "row_key", "row_hash")

_SQL_TYPES: dict[ColType, type[sa.types.TypeEngine]] = {
    ColType.TEXT: sa.Text,
    ColType.INT: sa.BigInteger,
    ColType.NUMBER: sa.Float,
    ColType.PERCENT: sa.Float,
    ColType.BOOL: sa.Boolean,
    ColType.DATE: sa.Date,
    ColType.ENUM: sa.Text,  # the English code
}


def ledger_name(dataset: str) -> str:
    return f"ledger_{dataset}"


def _ledger_table(ds: Dataset) -> sa.Table:
    clash = set(ds.column_names) & set(LEDGER_SYSTEM_COLUMNS)
    if clash:  # a contract change would silently shadow bookkeeping columns
        raise ValueError(f"{ds.name}: contract columns {sorted(clash)} clash with ledger columns")
    name = ledger_name(ds.name)
    return sa.Table(
        name,
        SQLModel.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_from", sa.Integer, nullable=False),
        sa.Column("version_to", sa.Integer, nullable=True),  # NULL: still current
        sa.Column("position", sa.Integer, nullable=False),  # ledger order
        sa.Column("row_key", sa.Text, nullable=False),  # key values joined
        sa.Column("row_hash", sa.BigInteger, nullable=False),  # hash of the row's values
        *(sa.Column(c.name, _SQL_TYPES[c.type](), nullable=True) for c in ds.columns),
        sa.Index(f"ix_{name}_current", "version_to", "row_key"),
    )


LEDGERS: dict[str, sa.Table] = {name: _ledger_table(ds) for name, ds in DATASETS.items()}


# ---------------------------------------------------------------------------
# Accounts, sessions and the audit trail (dashboard.accounts.auth)


class UserAccount(SQLModel, table=True):
    """A person who signs in: role, argon2 hash, failed-login counter and lock."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(100), unique=True)
    role: str = Field(sa_type=sa.String(16))  # viewer | editor | admin | auditor
    password_hash: str = Field(sa_type=sa.String(200))
    disabled: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    # 等保: an account an admin created or reset changes its password before anything else.
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    password_changed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # What the account reports and sees (contract.scopes ``community=…``); '' = the whole sub-district.
    scope: str = Field(default="", sa_type=sa.String(2000), sa_column_kwargs={"server_default": ""})


class PasswordHistory(SQLModel, table=True):
    """The argon2 hashes of an account's last passwords (a new one may not repeat them)."""

    __tablename__ = "password_history"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    password_hash: str = Field(sa_type=sa.String(200))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class UserSession(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its random token is stored."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    last_seen: datetime = Field(sa_type=sa.DateTime(timezone=True))
    address: str = Field(default="", sa_type=sa.String(100))


class AuditEntry(SQLModel, table=True):
    """One security-relevant event: who, what, from where, whether it succeeded."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    user: str = Field(default="", sa_type=sa.String(200))
    action: str = Field(sa_type=sa.String(40), index=True)
    ok: bool = True
    target: str = Field(default="", sa_type=sa.String(500))
    detail: str = Field(default="", sa_type=sa.Text)
    address: str = Field(default="", sa_type=sa.String(100))
    # SHA-256 over the previous row's hash and this row's fields (dashboard.store.audit.record):
    # an edited, removed or reordered row breaks the chain from there on.
    hash: str = Field(default="", sa_type=sa.String(64), sa_column_kwargs={"server_default": ""})


class AuditAnchor(SQLModel, table=True):
    """Where the chain starts after old rows were purged: the last purged row's id and hash."""

    __tablename__ = "audit_anchor"

    id: int | None = Field(default=None, primary_key=True)
    last_id: int
    last_hash: str = Field(sa_type=sa.String(64))
    purged: int  # rows removed by that purge
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class KioskLink(SQLModel, table=True):
    """A wall-screen link: only the SHA-256 of its token is kept, so every worker and host sees the
    same links and a revoked one is refused everywhere at its next check."""

    __tablename__ = "kiosk_link"

    id: str = Field(sa_type=sa.String(16), primary_key=True)  # short public id, to revoke by
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    label: str = Field(default="", sa_type=sa.String(100))
    created_by: str = Field(default="", sa_type=sa.String(200))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


# ---------------------------------------------------------------------------
# Reporting rounds (填报任务, dashboard.store.rounds)


class ReportRound(SQLModel, table=True):
    """A round an admin opened: a dataset the listed scopes are asked to report by a deadline."""

    __tablename__ = "report_round"

    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(sa_type=sa.String(40))
    note: str = Field(default="", sa_type=sa.String(500))
    deadline: date  # the last office day a report is on time
    opened_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    opened_by: str = Field(default="", sa_type=sa.String(200))
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_by: str = Field(default="", sa_type=sa.String(200))


class ReportRoundScope(SQLModel, table=True):
    """One scope asked to report in a round (``community=示例社区A``), and its report once made."""

    __tablename__ = "report_round_scope"
    __table_args__ = (sa.UniqueConstraint("round_id", "scope", name="uq_report_round_scope"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="report_round.id", index=True)
    scope: str = Field(sa_type=sa.String(200))  # one kind=value
    reported_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    reported_by: str = Field(default="", sa_type=sa.String(200))
    version: int | None = None  # the dataset version that was the report


# ---------------------------------------------------------------------------
# Digests and their delivery (dashboard.notify)


class NotifyChannel(SQLModel, table=True):
    """A digest channel an admin added on /notify (the environment's channels are not stored).

    ``target`` is the robot's address or the SMTP URL: both carry credentials,
    so only ``notify.channels.mask`` of them ever leaves the server.
    """

    __tablename__ = "notify_channel"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(16))  # wecom | dingtalk | feishu | json | email
    target: str = Field(sa_type=sa.Text)
    secret: str = Field(default="", sa_type=sa.Text)
    recipients: str = Field(default="", sa_type=sa.Text)  # email only, comma-separated
    label: str = Field(default="", sa_type=sa.String(200))
    enabled: bool = True
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_by: str = Field(default="", sa_type=sa.String(200))


class NotifyDigest(SQLModel, table=True):
    """The digest of one office day, frozen when first sent: retries send the same text,
    and tomorrow's digest counts its changes from it."""

    __tablename__ = "notify_digest"

    office_day: date = Field(sa_type=sa.Date, primary_key=True)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    payload: str = Field(sa_type=sa.Text)  # notify.digest.Digest as JSON (codes, numbers, dates)


class NotifyDelivery(SQLModel, table=True):
    """The once-per-day lease and state of one channel's digest.

    The unique (office_day, channel) row is claimed in a transaction (insert,
    or a conditional update of a failed / expired row), so two workers or
    hosts at the digest time send once.
    """

    __tablename__ = "notify_delivery"
    __table_args__ = (sa.UniqueConstraint("office_day", "channel", name="uq_notify_delivery_day_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    office_day: date = Field(sa_type=sa.Date)
    channel: str = Field(sa_type=sa.String(80))  # notify.channels.Channel.key (no secret in it)
    status: str = Field(sa_type=sa.String(16))  # sending | sent | failed
    attempts: int = 0
    parts_sent: int = 0  # a split message resumes after the parts already delivered
    reason: str = Field(default="", sa_type=sa.Text)
    owner: str = Field(default="", sa_type=sa.String(100))  # host:pid holding the lease
    lease_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    next_try_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class NotifyLog(SQLModel, table=True):
    """One delivery attempt, as /notify lists it: when, where (masked), whether it worked, why not."""

    __tablename__ = "notify_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    office_day: date = Field(sa_type=sa.Date)
    channel: str = Field(sa_type=sa.String(80))
    target: str = Field(default="", sa_type=sa.String(300))  # masked
    ok: bool = True
    attempt: int = 1
    test: bool = False
    reason: str = Field(default="", sa_type=sa.Text)
