"""One settings object, read from the environment.

Every knob of the product lives here so that the CLI, the app, the benchmark
and the tests agree on the database and the private data directory.

- DASHBOARD_DB_URL: SQLAlchemy URL. Default: a SQLite file under data/.
  PostgreSQL works with the same variable: postgresql+psycopg://user@host/db
- DASHBOARD_DATA_DIR: private data directory (never served). Default: data/
- DASHBOARD_UPLOAD_MAX_MB: upload size limit in MB. Default: 20
- REDIS_URL: Reflex's state manager for several workers. Default: none
- DASHBOARD_DEMO: 1 = demo mode (`make run`): demo accounts, a notice on every page
- DASHBOARD_RHYTHM_DAYS: update rhythm per ledger for staleness warnings, e.g.
  "demolition=2,activities=14" (read by dashboard.insights.warnings.rhythm_days)
- DASHBOARD_WEBHOOKS: digest robots, comma-separated ``kind=url`` with an optional
  ``|secret`` (kind: wecom, dingtalk, feishu, json). Default: none
- DASHBOARD_SMTP_URL: ``smtp://user:password@host:587`` (STARTTLS when offered) or
  ``smtps://...:465``; ``?from=addr`` sets the sender. Default: none
- DASHBOARD_DIGEST_EMAIL: digest recipients, comma-separated. Default: none
- DASHBOARD_DIGEST_AT: office time (Asia/Shanghai) the server sends the daily digest,
  e.g. ``08:30``; empty = the server never sends by itself. Default: none
- DASHBOARD_DIGEST_LANG: zh | en, the language of digests and report documents. Default: zh
- DASHBOARD_REPORT_WEEKDAY: 1 (Monday) .. 7: the day the digest attaches the weekly report. Default: 5
- DASHBOARD_PUBLIC_URL: the address leaders open, for the links in messages. Default:
  http://localhost:3000
- DASHBOARD_PASSWORD_MAX_DAYS: a password older than this must be changed at sign-in. Default: 0 (never)
- DASHBOARD_AUDIT_KEEP_DAYS: audit rows are kept this long, never less than 180. Default: 180
- DASHBOARD_BACKUP_DIR: where the daily backup goes. Default: <data_dir>/backups (put it on another disk)
- DASHBOARD_BACKUP_KEEP: how many daily backups to keep; 0 turns the daily backup off. Default: 7
- DASHBOARD_BACKUP_AT: office time (HH:MM, Asia/Shanghai) after which the day's backup runs. Default: 02:00
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`get_settings`."""

    db_url: str
    data_dir: Path
    upload_max_bytes: int
    redis_url: str | None
    demo: bool = False
    webhooks: str = ""  # raw DASHBOARD_WEBHOOKS; parsed (and secrets kept out of logs) by notify.channels
    smtp_url: str = ""
    digest_email: tuple[str, ...] = ()
    digest_at: str = ""  # "HH:MM" office time, "" = the server sends nothing by itself
    digest_lang: str = "zh"
    report_weekday: int = 5  # ISO weekday the digest attaches the weekly report (5 = Friday)
    public_url: str = "http://localhost:3000"
    password_max_days: int = 0
    audit_keep_days: int = 180
    backup_dir: Path | None = None
    backup_keep: int = 7
    backup_at: str = "02:00"
    #: Variables set to a value that cannot be used, as (name, value as set, the default used instead):
    #: the CLI warns about each and ``doctor`` fails on them (messages: i18n "settings.expect.<name>").
    invalid: tuple[tuple[str, str, str], ...] = ()

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


class _Reader:
    """Reads variables, falling back to the default on a value that cannot be used, and notes it:
    the app must not crash on a typo, nor silently run with something else than the admin meant."""

    def __init__(self) -> None:
        self.invalid: list[tuple[str, str, str]] = []

    def raw(self, name: str) -> str:
        return os.environ.get(name, "").strip()

    def bad(self, name: str, default: object) -> None:
        self.invalid.append((name, self.raw(name), str(default)))

    def number(self, name: str, default: int, low: int, high: int | None = None) -> int:
        raw = self.raw(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            self.bad(name, default)
            return default
        return value

    def time(self, name: str, default: str) -> str:
        raw = self.raw(name)
        if not raw:
            return default
        value = _hhmm(raw)
        if value is None:
            self.bad(name, default)
            return default
        return value


def get_settings() -> Settings:
    """Read the environment now (tests change it between cases)."""
    read = _Reader()
    data_dir = Path(os.environ.get("DASHBOARD_DATA_DIR") or REPO_ROOT / "data").resolve()
    db_url = os.environ.get("DASHBOARD_DB_URL") or f"sqlite:///{data_dir / 'dashboard.db'}"
    max_mb = _megabytes(read.raw("DASHBOARD_UPLOAD_MAX_MB") or "20")
    if max_mb is None:
        read.bad("DASHBOARD_UPLOAD_MAX_MB", 20)
        max_mb = 20.0
    lang = read.raw("DASHBOARD_DIGEST_LANG").lower()
    if lang not in ("", "zh", "en"):
        read.bad("DASHBOARD_DIGEST_LANG", "zh")
    public_url = (read.raw("DASHBOARD_PUBLIC_URL") or "http://localhost:3000").rstrip("/")
    if not public_url.startswith(("http://", "https://")):
        read.bad("DASHBOARD_PUBLIC_URL", "http://localhost:3000")
        public_url = "http://localhost:3000"
    audit_keep = read.number("DASHBOARD_AUDIT_KEEP_DAYS", MIN_AUDIT_KEEP_DAYS, 0)
    return Settings(
        db_url=db_url,
        data_dir=data_dir,
        upload_max_bytes=int(max_mb * 1024 * 1024),
        redis_url=os.environ.get("REDIS_URL") or None,
        demo=os.environ.get("DASHBOARD_DEMO", "").strip().lower() in {"1", "true", "yes"},
        webhooks=os.environ.get("DASHBOARD_WEBHOOKS", "").strip(),
        smtp_url=os.environ.get("DASHBOARD_SMTP_URL", "").strip(),
        digest_email=addresses(os.environ.get("DASHBOARD_DIGEST_EMAIL", "")),
        digest_at=read.time("DASHBOARD_DIGEST_AT", ""),
        digest_lang="en" if lang == "en" else "zh",
        report_weekday=read.number("DASHBOARD_REPORT_WEEKDAY", 5, 1, 7),
        public_url=public_url,
        password_max_days=read.number("DASHBOARD_PASSWORD_MAX_DAYS", 0, 0),
        audit_keep_days=max(MIN_AUDIT_KEEP_DAYS, audit_keep),  # below 180 is raised, as documented
        backup_dir=Path(os.environ.get("DASHBOARD_BACKUP_DIR") or data_dir / "backups").resolve(),
        backup_keep=read.number("DASHBOARD_BACKUP_KEEP", 7, 0),
        backup_at=read.time("DASHBOARD_BACKUP_AT", "02:00"),
        invalid=tuple(read.invalid),
    )


def _megabytes(raw: str) -> float | None:
    """A positive, finite number of MB (20, 0.5), else None."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 < value < 1e6 else None  # inf and nan fail the comparison too


def addresses(raw: str) -> tuple[str, ...]:
    """'a@x, b@y; c@z' -> ('a@x', 'b@y', 'c@z'): Outlook users separate with semicolons."""
    return tuple(a.strip() for a in raw.replace(";", ",").split(",") if a.strip())


#: 等保 (GB/T 22239) asks for at least six months of audit records: no setting goes below.
MIN_AUDIT_KEEP_DAYS = 180


def _hhmm(value: str) -> str | None:
    """'8:30', '08:30' or '8' as 'HH:MM'; None for anything else ('25:00', '8.30', '08:30pm')."""
    hour, sep, minute = value.strip().partition(":")
    if not (hour.isdigit() and hour.isascii() and ((minute.isdigit() and minute.isascii()) or not sep)):
        return None
    h, m = int(hour), int(minute or 0)
    if not (0 <= h < 24 and 0 <= m < 60):
        return None
    return f"{h:02d}:{m:02d}"
