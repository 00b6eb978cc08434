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
    )
