"""Versioned storage: engine, tables, migrations, versions and their writes, pending uploads, export
(CSV and XLSX), marked workbooks.

Every write is one transaction; reading a version never changes it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Public names and the module that defines them; imported on first use so that
# importing the package (the CLI does) stays cheap.
_PUBLIC: dict[str, str] = {
    "Actor": "audit",
    "CLI": "audit",
    "as_actor": "audit",
    "record": "audit",
    "BOM": "export",
    "FORMULA_START": "export",
    "mask_name": "export",
    "make_inert": "export",
    "to_text_frame": "export",
    "to_csv_bytes": "export",
    "template_csv": "export",
    "XLSX_MEDIA": "xlsx",
    "to_xlsx_bytes": "xlsx",
    "table_xlsx": "xlsx",
    "prefilled_xlsx": "xlsx",
    "download_name": "xlsx",
    "content_disposition": "xlsx",
    "MIGRATIONS_DIR": "storage",
    "KEY_SEPARATOR": "storage",
    "SQLITE_BUSY_TIMEOUT_MS": "storage",
    "VersionInfo": "storage",
    "ImportResult": "storage",
    "make_engine": "storage",
    "alembic_config": "storage",
    "migrate": "storage",
    "import_file": "storage",
    "import_table": "storage",
    "store_frame": "storage",
    "restore": "storage",
    "load_current": "storage",
    "load_version": "storage",
    "list_versions": "storage",
    "latest_versions": "storage",
    "data_stamp": "storage",
    "is_empty": "storage",
    "original_file": "storage",
    "row_keys": "storage",
    "row_hashes": "storage",
    "DatasetVersion": "tables",
    "VersionFile": "tables",
    "DatasetHead": "tables",
    "LEDGER_SYSTEM_COLUMNS": "tables",
    "ledger_name": "tables",
    "LEDGERS": "tables",
    "UserAccount": "tables",
    "UserSession": "tables",
    "AuditEntry": "tables",
    "KioskLink": "tables",
    "NotifyChannel": "tables",
    "NotifyDigest": "tables",
    "NotifyDelivery": "tables",
    "NotifyLog": "tables",
    "PENDING_TTL_SECONDS": "uploads",
    "SAMPLE_ROWS": "uploads",
    "SHOWN_ERRORS": "uploads",
    "PendingNotFound": "uploads",
    "safe_file_name": "uploads",
    "guess_dataset": "uploads",
    "status_moves": "uploads",
    "Report": "uploads",
    "check_upload": "uploads",
    "correct": "uploads",
    "purge_expired": "uploads",
    "load_report": "uploads",
    "discard": "uploads",
    "confirm": "uploads",
    "errors_csv": "uploads",
    "errors_xlsx": "uploads",
    "errors_table": "uploads",
    "load_upload": "uploads",
    "mark_workbook": "marked",
    "report_problems": "marked",
    "template_xlsx": "uploads",
    "VersionDiff": "diff",
    "KeyState": "diff",
    "diff_versions": "diff",
    "version_changes": "diff",
    "key_history": "diff",
    "key_texts": "diff",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
