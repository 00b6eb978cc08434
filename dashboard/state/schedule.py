"""The daily backup and the audit retention, run by the server itself (a lifespan task); and, once
at start, the rows a server stopped before it moved them into their ledger (:func:`left_pending`).

Every worker checks once a minute whether today's backup (office day, after
DASHBOARD_BACKUP_AT) is due; the first to find it due takes a file lock in the
backup directory and makes it, the others see the lock or the file and do nothing.
Right after its backup, the same worker purges audit rows older than the retention
(never under 180 days), so a purged row is always in the backups made before it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import reflex as rx

from dashboard import clock
from dashboard.accounts import auth
from dashboard.settings import get_settings
from dashboard.store import backup, storage

log = logging.getLogger(__name__)

CHECK_SECONDS = 60.0


def run_due() -> Path | None:
    """Make today's backup if it is due and nobody made it; then the audit purge. Returns the file."""
    settings = get_settings()
    now = clock.office_now()
    if settings.backup_keep <= 0 or now.strftime("%H:%M") < settings.backup_at:
        return None
    engine = storage.make_engine(settings.db_url)
    made = backup.scheduled_backup(
        engine, settings.data_dir, settings.backup_dir, keep=settings.backup_keep, day=now.date()
    )
    if made is not None:
        auth.audit(engine, "backup", user="system", target=str(made), detail="daily")
        auth.purge_audit(engine, settings.audit_keep_days)
    return made


async def daily(app: rx.App) -> None:
    """The lifespan task: a cheap check a minute (a stat of today's file once it exists)."""
    while True:
        await asyncio.sleep(CHECK_SECONDS)
        try:
            made = await asyncio.to_thread(run_due)
            if made is not None:
                log.info("daily backup written to %s", made)
        except asyncio.CancelledError:
            raise
        except Exception:  # a full disk must not stop the server; the log says why, and it tries again
            log.exception("daily backup failed")


async def left_pending(app: rx.App) -> None:
    """The lifespan task run once at start: rows a stopped server had committed but not yet moved
    into their ledger (``storage.settle``) are moved now, not by the first reader that needs them."""
    try:
        moved = await asyncio.to_thread(storage.settle, storage.make_engine(get_settings().db_url))
        if moved:
            log.info("%d pending ledger rows moved into their ledgers", moved)
    except asyncio.CancelledError:
        raise
    except Exception:  # a reader moves them instead; the log says why it could not be done here
        log.exception("moving pending ledger rows at start failed")
