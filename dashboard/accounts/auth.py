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
  ``audit_log``, appended only by :func:`dashboard.store.audit.record` (the one
  writer; :func:`audit` wraps it for events that change nothing). Each row carries
  a SHA-256 chained to the previous row's (tamper-evident, see that module);
  nothing in the app edits or deletes a row, except ``purge_audit`` of rows older
  than the retention (never under 180 days), which leaves an anchor.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import string
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from dashboard import clock
from dashboard.contract.scopes import Scope, ScopeError, ScopeKind, scope_text
from dashboard.i18n import both, join_both
from dashboard.ingest import scoping
from dashboard.settings import get_settings
from dashboard.store import (  # noqa: F401 (the chain's checks, re-exported for the CLI and tests)
    CLI,
    Actor,
    AuditEntry,
    ChainReport,
    PasswordHistory,
    UserAccount,
    UserSession,
    begin_write,
    chain_hash,
    load_current,
    purge_audit,
    record,
    rounds,
    verify_audit,
)
from dashboard.store import audit as store_audit

MIN_PASSWORD = 8
MIN_CLASSES = 3  # of lower, upper, digit, symbol
HISTORY = 5  # a new password may not be any of the last 5
MAX_FAILURES = 5
LOCK_MINUTES = 15
IDLE_HOURS = 8
SESSION_COOKIE = "dashboard_session"
_TOUCH_SECONDS = 60  # last_seen is written at most once a minute per session
_NAME_RE = re.compile(r"[\w.\-@]{1,100}")  # letters (also Chinese), digits, . - _ @ (whole name: fullmatch)

_USERS = UserAccount.__table__
_SESSIONS = UserSession.__table__
_AUDIT = AuditEntry.__table__
_HISTORY = PasswordHistory.__table__
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone " + secrets.token_hex(8))

LOGIN_FAILED, LOGIN_FAILED_EN = both("auth.login_failed")
# The first line of the demo passwords file: a comment for whoever opens it, in both languages at once.
DEMO_FILE_HEADER = "# 演示账户 demo accounts: name role password (random per database; never for real data)"


class Role(StrEnum):
    """viewer < editor < admin are ordered (each can do what the one before can); auditor stands apart."""

    VIEWER = "viewer"  # 领导: sees the boards
    EDITOR = "editor"  # 工作人员: also uploads, sees history, downloads originals
    ADMIN = "admin"  # 管理员: also restores, manages accounts, reads the audit log, unmasked names
    AUDITOR = "auditor"  # 审计员: reads the audit log, nothing else (no boards, no uploads)

    @property
    def label(self) -> str:
        """The Chinese label the CLI prints: the catalogue's ``role.<value>``."""
        from dashboard import i18n  # the catalogue (pandas) only when a label is printed

        return i18n.t(f"role.{self.value}")


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
    scope: Scope | None = None  # None: the whole sub-district


@dataclass(frozen=True)
class Identity:
    """Who a valid session belongs to, read from the database on every request."""

    name: str
    role: Role
    session_id: int
    must_change: bool = False  # created/reset by an admin, or expired: nothing but a new password
    scope: Scope | None = None  # what this account reports and sees; None: the whole sub-district

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


def audit(
    engine: Engine,
    action: str,
    *,
    user: str = "",
    ok: bool = True,
    target: str = "",
    detail: str = "",
    address: str = "",
) -> None:
    """Record one event that changes nothing (a sign-in, a refusal, a download) in its own transaction.

    Writes record theirs inside their own transaction (:func:`dashboard.store.audit.record`).
    """
    store_audit.audit(engine, action, Actor(user, address), ok=ok, target=target, detail=detail)


def list_audit(
    engine: Engine, *, limit: int | None = 500, action: str | None = None, user: str | None = None,
    since: datetime | None = None, until: datetime | None = None,
) -> list[Audit]:
    """Newest first; ``since`` inclusive, ``until`` exclusive; ``limit=None``: every row that matches
    (an auditor's export reaches back to the retention, not just the page's last rows)."""
    query = sa.select(_AUDIT).order_by(_AUDIT.c.id.desc()).limit(limit)
    if action:
        query = query.where(_AUDIT.c.action == action)
    if user:
        query = query.where(_AUDIT.c.user == user)
    if since is not None:
        query = query.where(_AUDIT.c.at >= since)
    if until is not None:
        query = query.where(_AUDIT.c.at < until)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Audit(_aware(r.at), r.user, r.action, r.ok, r.target, r.detail, r.address)  # type: ignore[arg-type]
        for r in rows
    ]


def first_audit_at(engine: Engine) -> datetime | None:
    """When the oldest audit row was written (None: none yet): how long an installation has run."""
    with engine.connect() as conn:
        return _aware(conn.execute(sa.select(sa.func.min(_AUDIT.c.at))).scalar())


def office_day_start(day: date) -> datetime:
    """The UTC instant of an office day's midnight (Asia/Shanghai): what --from/--to and ?from=&to= mean."""
    return datetime.combine(day, datetime.min.time(), tzinfo=clock.OFFICE_TZ).astimezone(UTC)


def audit_csv(entries: list[Audit]) -> bytes:
    """Audit rows (newest first, as :func:`list_audit` gives them) as CSV for Excel, oldest first:
    UTF-8 with BOM, CRLF, office time, values as recorded. A name typed at sign-in is anyone's text,
    so a cell Excel would run as a formula is made inert."""
    import csv
    import io

    from dashboard.store import BOM, make_inert

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = ("time", "user", "action", "result", "target", "detail", "address")
    writer.writerow(" ".join(both(f"audit.col.{c}")) for c in columns)
    for e in reversed(entries):
        cells = (e.user, e.action, "ok" if e.ok else "failed", e.target, e.detail, e.address)
        writer.writerow((clock.office_time(e.at, "%Y-%m-%d %H:%M:%S"), *(make_inert(str(c)) for c in cells)))
    return (BOM + out.getvalue()).encode("utf-8")


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
        raise AccountError(*both("auth.password.too_short", n=MIN_PASSWORD), "length")
    if _classes(password) < MIN_CLASSES:
        raise AccountError(*both("auth.password.classes"), "classes")
    folded, who = password.casefold(), name.casefold()
    meaningful = len(who) >= 3 or (len(who) == 2 and not who.isascii())  # 王芳 is a whole name, "li" is not
    if who and (folded == who or (meaningful and who in folded)):
        raise AccountError(*both("auth.password.has_name"), "name")


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
        raise AccountError(*both("auth.password.reused", n=HISTORY), "reused")
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
    if not _NAME_RE.fullmatch(name):  # fullmatch: "abc\n" is no name ("$" would let a newline end it)
        raise AccountError(*both("auth.name.invalid"))


def fold_name(name: str) -> str:
    """What a user name is compared by: ＡＢＣ, Abc and abc are one name (NFKC, then case-folded), so
    no second account can look like an existing one in the header, /users or the audit log."""
    return unicodedata.normalize("NFKC", name).casefold()


def _look_alike(conn: sa.Connection, name: str) -> str | None:
    """The existing account whose name differs from ``name`` only by case or full/half width."""
    folded = fold_name(name)
    for other in conn.execute(sa.select(_USERS.c.name)).scalars():
        if fold_name(other) == folded:
            return other
    return None


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(*both("auth.role.unknown", role=role)) from None


def _user_row(conn: sa.Connection, name: str) -> sa.Row | None:
    """The account named ``name``; else the one account whose name differs only by case or width
    (a phone capitalises "Admin", an IME types ｌｅａｄｅｒ): names are unique as folded."""
    row = conn.execute(sa.select(_USERS).where(_USERS.c.name == name)).first()
    if row is not None or not name:
        return row
    folded = fold_name(name)
    alike = [n for n in conn.execute(sa.select(_USERS.c.name)).scalars() if fold_name(n) == folded]
    if len(alike) != 1:  # none, or look-alikes made before names were folded: only the exact name
        return None
    return conn.execute(sa.select(_USERS).where(_USERS.c.name == alike[0])).first()


def parse_scope(text: str | Scope | None) -> Scope | None:
    """A scope as typed (``community=示例社区A,示例社区B``), or AccountError saying how to write it."""
    if text is None or isinstance(text, Scope):
        return text
    try:
        return Scope.parse(text)
    except ScopeError:
        raise AccountError(*both("auth.scope.invalid", text=text)) from None


def _check_scope(role: Role, scope: Scope | None) -> None:
    if scope is not None and role not in (Role.VIEWER, Role.EDITOR):
        raise AccountError(*both("auth.scope.role"))


def vet_scope(engine: Engine, scope: Scope | str | None) -> tuple[str, str] | None:
    """Refuse a scope naming a community, organisation or party group no current ledger holds
    (a typo would give an account a view of nothing, silently); the notice (zh, en) to show
    when the ledgers that name them are still empty and nothing could be checked; else None.

    Values are compared as the contract normalises cells (``Scope.parse``, ``normalise_text``).
    """
    scope = parse_scope(scope or None)
    if scope is None:
        return None
    unknown = _unknown_names(engine, scope, {})
    if unknown is None:
        return both("auth.scope.unchecked", kind=both(f"scope.kind.{scope.kind.value}"))
    if unknown:
        kind = both(f"scope.kind.{scope.kind.value}")
        raise AccountError(*both("auth.scope.unknown", kind=kind, values=join_both("sep.list", unknown)))
    return None


def _unknown_names(
    engine: Engine, scope: Scope, frames: dict[str, pd.DataFrame]
) -> list[tuple[str, str]] | None:
    """The scope's values no current ledger names, as (zh, en) pairs; None while the ledgers that
    would name them are empty. ``frames``: the ledgers read so far, filled as needed (one read of
    each for several scopes)."""
    for name in scoping.naming(scope):
        if name not in frames:
            frames[name] = load_current(engine, name)
    unknown = scoping.unknown_values(scope, frames)
    return None if unknown is None else [(value, value) for value in unknown]


def open_round(
    engine: Engine, dataset: str, scopes: list[str], deadline: date, note: str = "", *, by: Actor | str = CLI
) -> int:
    """A reporting round (``store.rounds.open_round``) whose asked names a current ledger holds: a
    typo (示例社区 for 示例社区A) would wait for a report nobody can make. Checked as an account's
    scope is (:func:`vet_scope`); not while the ledgers that would name them are still empty. The
    CLI and /rounds both open rounds here."""
    frames: dict[str, pd.DataFrame] = {}
    for text in scopes:
        try:
            scope = Scope.parse(text)
        except ScopeError:
            continue  # the store says how to write it
        if scope is not None and (unknown := _unknown_names(engine, scope, frames)):
            raise rounds.RoundError("rounds.error.unknown_scope", values=join_both("sep.list", unknown))
    return rounds.open_round(engine, dataset, scopes, deadline, note, by=by)


def add_user(
    engine: Engine, name: str, role: Role | str, password: str, *, by: Actor | str = CLI,
    must_change: bool = False, scope: Scope | str | None = None,
) -> UserInfo:
    """A new account. ``must_change``: an admin chose the password (the /users page and the CLI
    pass True), so its owner must replace it at first sign-in. ``scope``: what a viewer or
    editor reports and sees (None: the whole sub-district)."""
    name = unicodedata.normalize("NFKC", name)  # ＡＢＣ is saved as ABC, as a ledger cell would be
    _check_name(name)
    role = _role(role)
    scope = parse_scope(scope)
    _check_scope(role, scope)
    vet_scope(engine, scope)
    check_password(password, name)
    with begin_write(engine) as conn:
        if (other := _look_alike(conn, name)) is not None:
            key = "auth.user.exists" if other == name else "auth.user.look_alike"
            raise AccountError(*both(key, name=name, other=other))
        user_id = conn.execute(
            _USERS.insert().values(
                name=name,
                role=role.value,
                password_hash="",
                disabled=False,
                failed_logins=0,
                created_at=_now(),
                scope=scope_text(scope),
            )
        ).inserted_primary_key[0]
        _store_password(conn, user_id, password, must_change=must_change)
        detail = f"role={role.value}" + (f" scope={scope.text}" if scope is not None else "")
        record(conn, "user_add", by, target=name, detail=detail)
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
        _stored_scope(row.scope),
    )


def _stored_scope(text: str | None) -> Scope | None:
    """A stored scope; one that no longer parses narrows to nothing rather than widening to everything."""
    try:
        return Scope.parse(text)
    except ScopeError:
        return Scope(ScopeKind.COMMUNITY, ("\x00",))


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


def _update_user(
    engine: Engine, name: str, action: str, by: Actor | str, detail: str = "", **values: object
) -> int:
    """Change an account, end its sessions and record ``action``: one transaction. A change that
    would leave no active admin (disabling or demoting the last one) is refused: nobody could then
    manage accounts, restore versions or read the audit log on the site."""
    with begin_write(engine) as conn:
        row = _user_row(conn, name)
        if row is None:
            raise AccountError(*both("auth.user.missing", name=name))
        was_admin = row.role == Role.ADMIN and not row.disabled
        stays_admin = values.get("role", row.role) == Role.ADMIN and not values.get("disabled", row.disabled)
        if was_admin and not stays_admin and not _other_admins(conn, row.id):
            raise AccountError(*both("auth.user.last_admin", name=row.name))
        conn.execute(_USERS.update().where(_USERS.c.id == row.id).values(**values))
        conn.execute(_SESSIONS.delete().where(_SESSIONS.c.user_id == row.id))  # sign out everywhere
        record(conn, action, by, target=row.name, detail=detail)
        return row.id


def _other_admins(conn: Connection, user_id: int) -> int:
    """Active admin accounts besides ``user_id``."""
    query = (
        sa.select(sa.func.count())
        .select_from(_USERS)
        .where(_USERS.c.role == Role.ADMIN.value, _USERS.c.disabled.is_(False), _USERS.c.id != user_id)
    )
    return int(conn.execute(query).scalar_one())


def set_disabled(engine: Engine, name: str, disabled: bool = True, *, by: Actor | str = CLI) -> None:
    """Disable (or enable) an account; disabling ends its sessions at once."""
    _update_user(engine, name, "user_disable" if disabled else "user_enable", by, disabled=disabled)


def set_password(
    engine: Engine, name: str, password: str, *, by: Actor | str = CLI, must_change: bool = False
) -> None:
    """New password (an admin's reset passes ``must_change``); clears the lock, ends the sessions."""
    check_password(password, name)
    with begin_write(engine) as conn:
        row = _user_row(conn, name)
        if row is None:
            raise AccountError(*both("auth.user.missing", name=name))
        _store_password(conn, row.id, password, must_change=must_change)
        conn.execute(_SESSIONS.delete().where(_SESSIONS.c.user_id == row.id))  # sign out everywhere
        record(conn, "user_passwd", by, target=row.name)


WRONG_CURRENT = AccountError(*both("auth.password.wrong_current"), "wrong")
LOCKED = AccountError(*both("auth.password.locked", minutes=LOCK_MINUTES), "locked")


def change_password(
    engine: Engine, name: str, current: str, new: str, *, keep_session: int | None = None, address: str = ""
) -> None:
    """The owner replaces their password (knowing the current one); clears ``must_change`` and
    ends every other session of the account (``keep_session``: the one asking stays signed in)."""
    now = _now()
    with begin_write(engine) as conn:
        row = _user_row(conn, name)
        locked = row is not None and (_aware(row.locked_until) or now) > now
        try:
            _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, current)
        except (VerificationError, InvalidHashError):
            if row is not None and not locked:  # a wrong current password counts as a failed sign-in:
                _count_failure(conn, row, now)  # a borrowed session cannot try passwords unthrottled
            row = None
        if locked:
            error: AccountError | None = LOCKED
        elif row is None or row.disabled:
            error = WRONG_CURRENT
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
        record(conn, "password_change", Actor(name, address), ok=error is None,
               detail="" if error is None else error.message_en)  # fmt: skip
    if error is not None:
        raise error


def set_role(engine: Engine, name: str, role: Role | str, *, by: Actor | str = CLI) -> None:
    role = _role(role)
    info = get_user(engine, name)
    if info is not None:
        _check_scope(role, info.scope)
    _update_user(engine, name, "user_role", by, detail=f"role={role.value}", role=role.value)


def set_scope(
    engine: Engine, name: str, scope: Scope | str | None, *, by: Actor | str = CLI
) -> tuple[str, str] | None:
    """A new scope ('' or None: the whole sub-district); the account's sessions end, so every open
    tab of it signs in again and sees the new scope at once. A scope naming what no ledger holds
    is refused (:func:`vet_scope`); the notice it returns (ledgers still empty) is passed on."""
    scope = parse_scope(scope or None)
    info = get_user(engine, name)
    if info is None:
        raise AccountError(*both("auth.user.missing", name=name))
    _check_scope(info.role, scope)
    notice = vet_scope(engine, scope)
    text = scope_text(scope)
    _update_user(engine, name, "user_scope", by, detail=f"scope={text or '-'}", scope=text)
    return notice


# ---------------------------------------------------------------------------
# Login and sessions


def _count_failure(conn: Connection, row: sa.Row, now: datetime) -> None:
    """One more wrong password for the account; the MAX_FAILURES-th locks it for LOCK_MINUTES."""
    failures = row.failed_logins + 1
    lock = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
    values = {"failed_logins": 0 if lock else failures, "locked_until": lock}
    conn.execute(_USERS.update().where(_USERS.c.id == row.id).values(**values))


#: One address failing this often within LOCK_MINUTES is refused for the rest of the window, whatever
#: the name: trying one password on every account (spraying) stays under each account's own lock.
ADDRESS_FAILURES = 30


def _address_throttled(conn: Connection, address: str, now: datetime) -> bool:
    """Whether ``address`` failed ADDRESS_FAILURES sign-ins in the last LOCK_MINUTES (read from the
    audit log, so every worker and host agrees). Loopback is never throttled: behind a proxy not
    told to pass the client's address (REFLEX_TRUSTED_PROXY_HOPS) every sign-in comes from it, and
    one stranger would lock out the whole office."""
    import ipaddress

    try:
        if not address or ipaddress.ip_address(address).is_loopback:
            return False
    except ValueError:
        pass
    failures = (
        sa.select(sa.func.count())
        .select_from(_AUDIT)
        .where(_AUDIT.c.at >= now - timedelta(minutes=LOCK_MINUTES), _AUDIT.c.action == "login")
        .where(_AUDIT.c.ok.is_(False), _AUDIT.c.address == address[:100])
    )
    return int(conn.execute(failures).scalar_one()) >= ADDRESS_FAILURES


def login(engine: Engine, name: str, password: str, *, address: str = "") -> str | None:
    """A new session token, or None. Every kind of failure looks and costs the same."""
    now = _now()
    with begin_write(engine) as conn:
        typed = unicodedata.normalize("NFKC", name or "")  # as add_user saved it
        row = _user_row(conn, typed) if _NAME_RE.fullmatch(typed) else None
        throttled = _address_throttled(conn, address, now)
        locked = row is not None and ((_aware(row.locked_until) or now) > now or throttled)
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
                _count_failure(conn, row, now)
    detail = "" if token else ("locked" if locked else "disabled" if row is not None and row.disabled else "")
    detail = "address throttled" if throttled and not token else detail
    user = row.name if row is not None else name  # "Admin" typed: the row names the account, admin
    audit(engine, "login", user=user[:200], ok=token is not None, detail=detail, address=address)
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
        _USERS.c.scope,
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
    return Identity(
        row.name, Role(row.role), row.id, bool(row.must_change_password) or _expired(row, now),
        _stored_scope(row.scope),
    )  # fmt: skip


def session_key(cookie_header: str | None) -> str:
    """The stored hash of the session in a Cookie header ("" without one): what a pushed tab is
    checked against (:func:`live_sessions`), never the token itself."""
    token = token_from_cookie_header(cookie_header)
    return _token_hash(token) if token and len(token) <= 200 else ""


def live_sessions(engine: Engine, keys: Collection[str], needed: Role = Role.VIEWER) -> set[str]:
    """Which of these session hashes (:func:`session_key`) may still be shown data needing ``needed``.

    One query for every tab a worker pushes to: a session that was ended, idled past
    IDLE_HOURS, whose account was disabled, demoted or must change its password is
    not in the answer. Only reads: a push is not the user's activity, so it never
    keeps a session alive (``last_seen`` is left alone).
    """
    wanted = {k for k in keys if k}
    if not wanted:
        return set()
    now = _now()
    j = _SESSIONS.join(_USERS, _SESSIONS.c.user_id == _USERS.c.id)
    query = sa.select(
        _SESSIONS.c.token_hash,
        _SESSIONS.c.last_seen,
        _USERS.c.role,
        _USERS.c.disabled,
        _USERS.c.must_change_password,
        _USERS.c.password_changed_at,
        _USERS.c.created_at,
    ).select_from(j)
    live: set[str] = set()
    ordered = sorted(wanted)
    with engine.connect() as conn:
        for start in range(0, len(ordered), 500):  # bounded IN lists
            rows = conn.execute(query.where(_SESSIONS.c.token_hash.in_(ordered[start : start + 500])))
            for row in rows:
                idle = now - (_aware(row.last_seen) or now) > timedelta(hours=IDLE_HOURS)
                who = Identity("", Role(row.role), 0, bool(row.must_change_password) or _expired(row, now))
                if not row.disabled and not idle and who.can(needed):
                    live.add(row.token_hash)
    return live


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
    lines = [DEMO_FILE_HEADER]
    lines += [f"{name} {role.value} {out[name]}" for name, role in DEMO_ACCOUNTS if name in out]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return out
