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

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


def get_settings() -> Settings:
    """Read the environment now (tests change it between cases)."""
    data_dir = Path(os.environ.get("DASHBOARD_DATA_DIR") or REPO_ROOT / "data").resolve()
    db_url = os.environ.get("DASHBOARD_DB_URL") or f"sqlite:///{data_dir / 'dashboard.db'}"
    max_mb = float(os.environ.get("DASHBOARD_UPLOAD_MAX_MB") or 20)
    return Settings(
        db_url=db_url,
        data_dir=data_dir,
        upload_max_bytes=int(max_mb * 1024 * 1024),
        redis_url=os.environ.get("REDIS_URL") or None,
        demo=os.environ.get("DASHBOARD_DEMO", "").strip().lower() in {"1", "true", "yes"},
        webhooks=os.environ.get("DASHBOARD_WEBHOOKS", "").strip(),
        smtp_url=os.environ.get("DASHBOARD_SMTP_URL", "").strip(),
        digest_email=addresses(os.environ.get("DASHBOARD_DIGEST_EMAIL", "")),
        digest_at=os.environ.get("DASHBOARD_DIGEST_AT", "").strip(),
        digest_lang="en" if os.environ.get("DASHBOARD_DIGEST_LANG", "").strip().lower() == "en" else "zh",
        report_weekday=_weekday(os.environ.get("DASHBOARD_REPORT_WEEKDAY", "")),
        public_url=(os.environ.get("DASHBOARD_PUBLIC_URL") or "http://localhost:3000").strip().rstrip("/"),
        password_max_days=max(0, _int("DASHBOARD_PASSWORD_MAX_DAYS", 0)),
        audit_keep_days=max(MIN_AUDIT_KEEP_DAYS, _int("DASHBOARD_AUDIT_KEEP_DAYS", MIN_AUDIT_KEEP_DAYS)),
        backup_dir=Path(os.environ.get("DASHBOARD_BACKUP_DIR") or data_dir / "backups").resolve(),
        backup_keep=max(0, _int("DASHBOARD_BACKUP_KEEP", 7)),
        backup_at=_hhmm(os.environ.get("DASHBOARD_BACKUP_AT") or "02:00"),
    )


def _weekday(raw: str) -> int:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 7 else 5


def addresses(raw: str) -> tuple[str, ...]:
    """'a@x, b@y; c@z' -> ('a@x', 'b@y', 'c@z'): Outlook users separate with semicolons."""
    return tuple(a.strip() for a in raw.replace(";", ",").split(",") if a.strip())


#: 等保 (GB/T 22239) asks for at least six months of audit records: no setting goes below.
MIN_AUDIT_KEEP_DAYS = 180


def _int(name: str, default: int) -> int:
    """A whole number from the environment; a typo falls back to the default rather than crash the app."""
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


def _hhmm(value: str) -> str:
    parts = value.strip().split(":")
    try:
        hour, minute = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return "02:00"
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return "02:00"
    return f"{hour:02d}:{minute:02d}"
