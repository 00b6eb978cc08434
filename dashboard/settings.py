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
    )


def _weekday(raw: str) -> int:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 7 else 5


def addresses(raw: str) -> tuple[str, ...]:
    """'a@x, b@y; c@z' -> ('a@x', 'b@y', 'c@z'): Outlook users separate with semicolons."""
    return tuple(a.strip() for a in raw.replace(";", ",").split(",") if a.strip())
