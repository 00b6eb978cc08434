"""Accounts, roles, sessions and the audit trail. No Reflex here: the CLI, the HTTP
routes and the Reflex states all go through these functions, so every door checks
the same way.

- Passwords (等保 GB/T 22239 basics): argon2id (argon2-cffi); at least 8 characters
  from 3 of 4 classes (lower, upper, digit, symbol); not the user name; not one of
  the account's last 5. An account an admin created or reset must change its
  password before anything else (``Identity.must_change``), and so must one whose
  password is older than DASHBOARD_PASSWORD_MAX_DAYS (0: no expiry).
- Login: 5 failures in a row lock the account for 15 minutes. Every failure
  (unknown name, wrong password, locked, disabled) gives the same answer and
  costs the same argon2 work, so the answer never tells whether a name exists.
- Sessions: a random token in the browser (an HttpOnly cookie); only its
  SHA-256 is stored, so a stolen database holds no usable session. A session
  idle for 8 hours is gone; logout deletes it on the server.
- Roles: viewer < editor < admin, each able to do what the one before can; and
  审计员 auditor, apart (三员分立): reads the audit log and nothing else.
- Audit: logins, uploads, rejections, restores and account changes are rows in
  ``audit_log``, appended only by :func:`audit` (the one writer). Each row carries
  a SHA-256 chained to the previous row's, so an edited, removed or reordered row
  is found by :func:`verify_audit`; appends are serialized (advisory lock on
  PostgreSQL, BEGIN IMMEDIATE on SQLite) so concurrent writers never fork the
  chain. Nothing in the app edits or deletes a row, except :func:`purge_audit` of
  rows older than the retention (never under 180 days), which leaves an anchor.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from dashboard.settings import MIN_AUDIT_KEEP_DAYS, get_settings
from dashboard.store.tables import AuditAnchor, AuditEntry, PasswordHistory, UserAccount, UserSession

MIN_PASSWORD = 8
MIN_CLASSES = 3  # of lower, upper, digit, symbol
HISTORY = 5  # a new password may not be any of the last 5
MAX_FAILURES = 5
LOCK_MINUTES = 15
IDLE_HOURS = 8
SESSION_COOKIE = "dashboard_session"
_TOUCH_SECONDS = 60  # last_seen is written at most once a minute per session
_NAME_RE = re.compile(r"^[\w.\-@]{1,100}$")  # letters (also Chinese), digits, . - _ @

_USERS = UserAccount.__table__
_SESSIONS = UserSession.__table__
_AUDIT = AuditEntry.__table__
_ANCHOR = AuditAnchor.__table__
_HISTORY = PasswordHistory.__table__
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone " + secrets.token_hex(8))

LOGIN_FAILED = "登录失败：用户名或密码不正确，或连续失败次数过多已暂时锁定，请稍后再试。"
LOGIN_FAILED_EN = "Sign-in failed: wrong name or password, or too many failures (locked for a while)."


class Role(StrEnum):
    """viewer < editor < admin are ordered (each can do what the one before can); auditor stands apart."""

    VIEWER = "viewer"  # 领导: sees the boards
    EDITOR = "editor"  # 工作人员: also uploads, sees history, downloads originals
    ADMIN = "admin"  # 管理员: also restores, manages accounts, reads the audit log, unmasked names
    AUDITOR = "auditor"  # 审计员: reads the audit log, nothing else (no boards, no uploads)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.VIEWER: "领导",
    Role.EDITOR: "工作人员",
    Role.ADMIN: "管理员",
    Role.AUDITOR: "审计员",
}
_ORDERED = (Role.VIEWER, Role.EDITOR, Role.ADMIN)
AUDIT_READERS = frozenset({Role.AUDITOR, Role.ADMIN})


def allows(role: Role | str | None, needed: Role) -> bool:
    """Whether ``role`` may do what needs ``needed`` (None: not signed in).

    ``needed=Role.AUDITOR`` means "read the audit log": auditors and admins. An
    auditor is allowed nothing else, not even the boards a viewer sees.
    """
    if role is None:
        return False
    try:
        role = Role(role)
    except ValueError:
        return False
    if needed is Role.AUDITOR:
        return role in AUDIT_READERS
    if role is Role.AUDITOR:
        return False
    return _ORDERED.index(role) >= _ORDERED.index(needed)


def home_path(role: Role | str | None) -> str:
    """Where a role lands after sign-in: the auditor has no board, only /audit."""
    return "/audit" if role == Role.AUDITOR else "/"


class AccountError(ValueError):
    """A refused account change, with a Chinese and an English message."""

    def __init__(self, message: str, message_en: str, code: str = "") -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.code = code  # which password rule refused it (the change-password page names it)


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: Role
    disabled: bool
    locked_until: datetime | None
    created_at: datetime
    must_change: bool = False


@dataclass(frozen=True)
class Identity:
    """Who a valid session belongs to, read from the database on every request."""

    name: str
    role: Role
    session_id: int
    must_change: bool = False  # created/reset by an admin, or expired: nothing but a new password

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN and not self.must_change

    def can(self, needed: Role) -> bool:
        return not self.must_change and allows(self.role, needed)


@dataclass(frozen=True)
class Audit:
    at: datetime
    user: str
    action: str
    ok: bool
    target: str
    detail: str
    address: str


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# ---------------------------------------------------------------------------
# Audit


def _iso(at: datetime) -> str:
    return (_aware(at) or at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(prev: str, row_id: int, at: datetime, user: str, action: str, ok: bool, target: str,
               detail: str, address: str) -> str:  # fmt: skip
    """SHA-256 of the previous row's hash and this row's fields (its id too: a moved row breaks it).

    Migration 0005 keeps a frozen copy of this rule for the rows it backfills.
    """
    fields = [row_id, _iso(at), user, action, bool(ok), target, detail, address]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{payload}".encode()).hexdigest()


def _row_hash(prev: str, r: sa.Row) -> str:
    return chain_hash(prev, r.id, r.at, r.user, r.action, r.ok, r.target, r.detail, r.address)


@contextmanager
def _audit_transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """A transaction that may append to the chain: BEGIN IMMEDIATE on SQLite (the one writer from
    the start, so no two appenders read the same last hash); the caller's own when it passes one."""
    if isinstance(bind, Connection):
        if bind.in_transaction():
            yield bind
        else:
            with bind.begin():
                yield bind
        return
    with bind.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


def _lock_chain(conn: Connection) -> None:
    """Serialize appends on PostgreSQL (released at commit); SQLite's write lock already does."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('dashboard.audit_chain'))"))


def _chain_head(conn: Connection) -> str:
    last = conn.execute(sa.select(_AUDIT.c.hash).order_by(_AUDIT.c.id.desc()).limit(1)).scalar()
    if last is not None:
        return last
    anchor = conn.execute(sa.select(_ANCHOR.c.last_hash).order_by(_ANCHOR.c.id.desc()).limit(1)).scalar()
    return anchor or ""


def audit(
    bind: Engine | Connection,
    action: str,
    *,
    user: str = "",
    ok: bool = True,
    target: str = "",
    detail: str = "",
    address: str = "",
) -> None:
    """Record one event: the only function that writes ``audit_log``.

    With an Engine: its own short transaction (it survives a refused upload). With an open
    Connection: inside the caller's transaction, so the event commits or rolls back with the
    change it records (on SQLite that transaction should be BEGIN IMMEDIATE, as imports are).
    """
    values: dict[str, object] = {
        "at": _now(),
        "user": user[:200],
        "action": action[:40],
        "ok": ok,
        "target": target[:500],
        "detail": detail,
        "address": address[:100],
    }
    with _audit_transaction(bind) as conn:
        _lock_chain(conn)
        prev = _chain_head(conn)
        if (
            conn.dialect.name == "sqlite"
        ):  # SQLite reuses ids once a purge emptied the table: never below the anchor
            top = conn.execute(sa.select(sa.func.max(_AUDIT.c.id))).scalar()
            anchored = conn.execute(sa.select(sa.func.max(_ANCHOR.c.last_id))).scalar()
            values["id"] = max(top or 0, anchored or 0) + 1
        row_id = conn.execute(_AUDIT.insert().values(hash="", **values)).inserted_primary_key[0]
        values.pop("id", None)
        digest = chain_hash(prev, row_id, **values)  # type: ignore[arg-type]
        conn.execute(_AUDIT.update().where(_AUDIT.c.id == row_id).values(hash=digest))


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_audit` found: rows checked, the chain's head, the first broken row."""

    checked: int
    head: str
    broken_id: int | None = None
    broken_at: datetime | None = None
    broken_action: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_audit(engine: Engine) -> ChainReport:
    """Recompute the chain from the anchor (or the start) and name the first row that breaks it."""
    checked = 0
    with engine.connect() as conn:
        anchor = conn.execute(sa.select(_ANCHOR).order_by(_ANCHOR.c.id.desc()).limit(1)).first()
        prev, after = (anchor.last_hash, anchor.last_id) if anchor is not None else ("", 0)
        rows = conn.execution_options(yield_per=2000).execute(sa.select(_AUDIT).order_by(_AUDIT.c.id))
        for r in rows:
            if r.id <= after:
                reason = "older than the purge anchor"
            elif r.hash != _row_hash(prev, r):
                reason = "hash mismatch (this row, or one before it, was changed or removed)"
            else:
                checked += 1
                prev = r.hash
                continue
            rows.close()
            return ChainReport(checked, prev, r.id, _aware(r.at), r.action, reason)
    return ChainReport(checked, prev)


def purge_audit(engine: Engine, keep_days: int | None = None, *, now: datetime | None = None) -> int:
    """Delete audit rows older than ``keep_days`` (never fewer than 180), keeping the chain verifiable:
    the last removed row's id and hash become the anchor, and the purge itself is an audit row."""
    keep = max(MIN_AUDIT_KEEP_DAYS, keep_days if keep_days is not None else get_settings().audit_keep_days)
    now = now or _now()
    with _audit_transaction(engine) as conn:
        _lock_chain(conn)
        old = sa.select(_AUDIT.c.id, _AUDIT.c.hash).where(_AUDIT.c.at < now - timedelta(days=keep))
        last = conn.execute(old.order_by(_AUDIT.c.id.desc()).limit(1)).first()
        if last is None:
            return 0
        gone = conn.execute(_AUDIT.delete().where(_AUDIT.c.id <= last.id)).rowcount
        conn.execute(_ANCHOR.insert().values(last_id=last.id, last_hash=last.hash, purged=gone, at=now))
        audit(conn, "audit_purge", user="system", target=f"id <= {last.id}",
              detail=f"{gone} row(s) older than {keep} days; anchor {last.hash}")  # fmt: skip
    return gone


def list_audit(engine: Engine, *, limit: int = 500, action: str | None = None) -> list[Audit]:
    """Newest first."""
    query = sa.select(_AUDIT).order_by(_AUDIT.c.id.desc()).limit(limit)
    if action:
        query = query.where(_AUDIT.c.action == action)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Audit(_aware(r.at), r.user, r.action, r.ok, r.target, r.detail, r.address)  # type: ignore[arg-type]
        for r in rows
    ]


# ---------------------------------------------------------------------------
# Accounts


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() and not c.isspace() for c in password),
        )
    )


def check_password(password: str, name: str = "") -> None:
    """The rules a new password must meet (each refusal says which rule, in both languages)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"密码至少需要 {MIN_PASSWORD} 个字符。",
            f"A password needs at least {MIN_PASSWORD} characters.",
            "length",
        )
    if _classes(password) < MIN_CLASSES:
        raise AccountError(
            "密码须包含小写字母、大写字母、数字、符号四类中的至少三类。",
            "A password needs at least 3 of: lower-case letters, upper-case letters, digits, symbols.",
            "classes",
        )
    folded, who = password.casefold(), name.casefold()
    meaningful = len(who) >= 3 or (len(who) == 2 and not who.isascii())  # 王芳 is a whole name, "li" is not
    if who and (folded == who or (meaningful and who in folded)):
        raise AccountError(
            "密码不能是用户名，也不能包含用户名。",
            "A password may not be or contain the user name.",
            "name",
        )


def _reused(conn: Connection, user_id: int, password: str) -> bool:
    recent = conn.execute(
        sa.select(_HISTORY.c.password_hash)
        .where(_HISTORY.c.user_id == user_id)
        .order_by(_HISTORY.c.id.desc())
        .limit(HISTORY)
    ).scalars()
    for old in recent:
        try:
            if _HASHER.verify(old, password):
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


def _store_password(conn: Connection, user_id: int, password: str, *, must_change: bool) -> None:
    """New hash on the account and in its history (only the last HISTORY are kept)."""
    if _reused(conn, user_id, password):
        raise AccountError(
            f"新密码不能与最近 {HISTORY} 次使用过的密码相同。",
            f"The new password may not be one of the last {HISTORY} passwords.",
            "reused",
        )
    digest, now = _HASHER.hash(password), _now()
    conn.execute(
        _USERS.update()
        .where(_USERS.c.id == user_id)
        .values(
            password_hash=digest,
            must_change_password=must_change,
            password_changed_at=now,
            failed_logins=0,
            locked_until=None,
        )
    )
    conn.execute(_HISTORY.insert().values(user_id=user_id, password_hash=digest, created_at=now))
    keep = (
        sa.select(_HISTORY.c.id)
        .where(_HISTORY.c.user_id == user_id)
        .order_by(_HISTORY.c.id.desc())
        .limit(HISTORY)
        .scalar_subquery()
    )
    conn.execute(_HISTORY.delete().where(_HISTORY.c.user_id == user_id, _HISTORY.c.id.not_in(keep)))


def _check_name(name: str) -> None:
    if not _NAME_RE.match(name):
        raise AccountError(
            "用户名只能包含文字、数字和 . - _ @，最长 100 个字符。",
            "A user name may hold letters, digits and . - _ @ only, at most 100 characters.",
        )


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(
            f"未知角色「{role}」，可选：viewer、editor、admin、auditor。",
            f"unknown role {role!r}; choose viewer, editor, admin or auditor.",
        ) from None


def _user_row(conn: sa.Connection, name: str) -> sa.Row | None:
    return conn.execute(sa.select(_USERS).where(_USERS.c.name == name)).first()


def add_user(
    engine: Engine, name: str, role: Role | str, password: str, *, by: str = "cli", must_change: bool = False
) -> UserInfo:
    """A new account. ``must_change``: an admin chose the password (the /users page and the CLI
    pass True), so its owner must replace it at first sign-in."""
    _check_name(name)
    role = _role(role)
    check_password(password, name)
    with engine.begin() as conn:
        if _user_row(conn, name) is not None:
            raise AccountError(f"用户「{name}」已存在。", f"user {name!r} already exists.")
        user_id = conn.execute(
            _USERS.insert().values(
                name=name,
                role=role.value,
                password_hash="",
                disabled=False,
                failed_logins=0,
                created_at=_now(),
            )
        ).inserted_primary_key[0]
        _store_password(conn, user_id, password, must_change=must_change)
    audit(engine, "user_add", user=by, target=name, detail=f"role={role.value}")
    return get_user(engine, name)  # type: ignore[return-value]


def get_user(engine: Engine, name: str) -> UserInfo | None:
    with engine.connect() as conn:
        row = _user_row(conn, name)
    return None if row is None else _info(row)


def _info(row: sa.Row) -> UserInfo:
    return UserInfo(
        row.name,
        Role(row.role),
        row.disabled,
        _aware(row.locked_until),
        _aware(row.created_at),  # type: ignore[arg-type]
        row.must_change_password or _expired(row),
    )


def _expired(row: sa.Row, now: datetime | None = None) -> bool:
    days = get_settings().password_max_days
    if days <= 0:
        return False
    changed = _aware(row.password_changed_at) or _aware(row.created_at) or _now()
    return (now or _now()) - changed > timedelta(days=days)


def list_users(engine: Engine) -> list[UserInfo]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(_USERS).order_by(_USERS.c.name)).all()
    return [_info(r) for r in rows]


def _update_user(engine: Engine, name: str, **values: object) -> int:
    with engine.begin() as conn:
        row = _user_row(conn, name)
        if row is None:
            raise AccountError(f"没有用户「{name}」。", f"no user {name!r}.")
        conn.execute(_USERS.update().where(_USERS.c.id == row.id).values(**values))
        conn.execute(_SESSIONS.delete().where(_SESSIONS.c.user_id == row.id))  # sign out everywhere
        return row.id


def set_disabled(engine: Engine, name: str, disabled: bool = True, *, by: str = "cli") -> None:
    """Disable (or enable) an account; disabling ends its sessions at once."""
    _update_user(engine, name, disabled=disabled)
    audit(engine, "user_disable" if disabled else "user_enable", user=by, target=name)


def set_password(
    engine: Engine, name: str, password: str, *, by: str = "cli", must_change: bool = False
) -> None:
    """New password (an admin's reset passes ``must_change``); clears the lock, ends the sessions."""
    check_password(password, name)
    with engine.begin() as conn:
        row = _user_row(conn, name)
        if row is None:
            raise AccountError(f"没有用户「{name}」。", f"no user {name!r}.")
        _store_password(conn, row.id, password, must_change=must_change)
        conn.execute(_SESSIONS.delete().where(_SESSIONS.c.user_id == row.id))  # sign out everywhere
    audit(engine, "user_passwd", user=by, target=name)


WRONG_CURRENT = AccountError("当前密码不正确。", "The current password is wrong.", "wrong")


def change_password(
    engine: Engine, name: str, current: str, new: str, *, keep_session: int | None = None, address: str = ""
) -> None:
    """The owner replaces their password (knowing the current one); clears ``must_change`` and
    ends every other session of the account (``keep_session``: the one asking stays signed in)."""
    with engine.begin() as conn:
        row = _user_row(conn, name)
        try:
            _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, current)
        except (VerificationError, InvalidHashError):
            row = None
        if row is None or row.disabled:
            error: AccountError | None = WRONG_CURRENT
        else:
            try:
                check_password(new, name)
                _store_password(conn, row.id, new, must_change=False)
                error = None
            except AccountError as exc:
                error = exc
        if error is None:
            others = _SESSIONS.c.user_id == row.id
            if keep_session is not None:
                others &= _SESSIONS.c.id != keep_session
            conn.execute(_SESSIONS.delete().where(others))
    audit(engine, "password_change", user=name, ok=error is None,
          detail="" if error is None else error.message_en, address=address)  # fmt: skip
    if error is not None:
        raise error


def set_role(engine: Engine, name: str, role: Role | str, *, by: str = "cli") -> None:
    role = _role(role)
    _update_user(engine, name, role=role.value)
    audit(engine, "user_role", user=by, target=name, detail=f"role={role.value}")


# ---------------------------------------------------------------------------
# Login and sessions


def login(engine: Engine, name: str, password: str, *, address: str = "") -> str | None:
    """A new session token, or None. Every kind of failure looks and costs the same."""
    now = _now()
    with engine.begin() as conn:
        row = _user_row(conn, name) if _NAME_RE.match(name or "") else None
        locked = row is not None and (_aware(row.locked_until) or now) > now
        try:
            _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
            verified = row is not None
        except (VerificationError, InvalidHashError):
            verified = False
        if row is not None and verified and not locked and not row.disabled:
            token = secrets.token_urlsafe(32)
            values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
            if _HASHER.check_needs_rehash(row.password_hash):
                values["password_hash"] = _HASHER.hash(password)
            conn.execute(_USERS.update().where(_USERS.c.id == row.id).values(**values))
            conn.execute(
                _SESSIONS.insert().values(
                    token_hash=_token_hash(token),
                    user_id=row.id,
                    created_at=now,
                    last_seen=now,
                    address=address[:100],
                )
            )
        else:
            token = None
            if row is not None and not locked:
                failures = row.failed_logins + 1
                lock = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
                conn.execute(
                    _USERS.update()
                    .where(_USERS.c.id == row.id)
                    .values(failed_logins=0 if lock else failures, locked_until=lock)
                )
    detail = "" if token else ("locked" if locked else "disabled" if row is not None and row.disabled else "")
    audit(engine, "login", user=name[:200], ok=token is not None, detail=detail, address=address)
    return token


def resolve(engine: Engine, token: str | None) -> Identity | None:
    """The signed-in user of a session token, or None (unknown, expired, disabled)."""
    if not token or len(token) > 200:
        return None
    now = _now()
    j = _SESSIONS.join(_USERS, _SESSIONS.c.user_id == _USERS.c.id)
    query = sa.select(
        _SESSIONS.c.id,
        _SESSIONS.c.last_seen,
        _USERS.c.name,
        _USERS.c.role,
        _USERS.c.disabled,
        _USERS.c.must_change_password,
        _USERS.c.password_changed_at,
        _USERS.c.created_at,
    )
    with engine.connect() as conn:
        row = conn.execute(query.select_from(j).where(_SESSIONS.c.token_hash == _token_hash(token))).first()
    if row is None:
        return None
    last_seen = _aware(row.last_seen) or now
    if row.disabled or now - last_seen > timedelta(hours=IDLE_HOURS):
        with engine.begin() as conn:
            conn.execute(_SESSIONS.delete().where(_SESSIONS.c.id == row.id))
        return None
    if (now - last_seen).total_seconds() > _TOUCH_SECONDS:
        with engine.begin() as conn:
            conn.execute(_SESSIONS.update().where(_SESSIONS.c.id == row.id).values(last_seen=now))
    return Identity(row.name, Role(row.role), row.id, bool(row.must_change_password) or _expired(row, now))


def logout(engine: Engine, token: str | None, *, address: str = "") -> None:
    """End the session on the server (the cookie alone is then worthless)."""
    who = resolve(engine, token)
    if who is None:
        return
    with engine.begin() as conn:
        conn.execute(_SESSIONS.delete().where(_SESSIONS.c.id == who.session_id))
    audit(engine, "logout", user=who.name, address=address)


def token_from_cookie_header(header: str | None) -> str | None:
    """Our session token out of a Cookie header (as sent with the request or websocket)."""
    from http.cookies import CookieError, SimpleCookie

    if not header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None


def identity_from_cookie(engine: Engine, header: str | None) -> Identity | None:
    return resolve(engine, token_from_cookie_header(header))


# ---------------------------------------------------------------------------
# Demo accounts

DEMO_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    ("leader", Role.VIEWER),
    ("staff", Role.EDITOR),
    ("admin", Role.ADMIN),
)


def demo_accounts_file(data_dir: Path) -> Path:
    return data_dir / "demo-accounts.txt"


def random_password(length: int = 14) -> str:
    """A random password that meets :func:`check_password` (all four classes; no look-alike symbols)."""
    alphabet = string.ascii_letters + string.digits + "-_.@#%+"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if _classes(password) == 4:
            return password


def ensure_demo_accounts(engine: Engine, data_dir: Path) -> dict[str, str]:
    """Create leader/staff/admin with random passwords (once per database) and keep them
    in <data_dir>/demo-accounts.txt (owner-only, git-ignored); returns name -> password.

    Accounts that already exist keep their password (read back from the file).
    """
    path = demo_accounts_file(data_dir)
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 3 and not line.startswith("#"):
                known[parts[0]] = parts[2]
    out: dict[str, str] = {}
    for name, role in DEMO_ACCOUNTS:
        if get_user(engine, name) is None:
            password = random_password()
            add_user(engine, name, role, password, by="demo")  # not must_change: the demo signs straight in
            out[name] = password
        elif name in known:
            out[name] = known[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# 演示账户 demo accounts: name role password (random per database; never for real data)"]
    lines += [f"{name} {role.value} {out[name]}" for name, role in DEMO_ACCOUNTS if name in out]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return out
