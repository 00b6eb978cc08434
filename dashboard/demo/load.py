"""The demo ledgers: eight CSV files that make a first screen read as a live situation.

The files in ``demo/`` (written by ``python -m dashboard.demo.build``) hold
dates placed around :data:`DEMO_ANCHOR`. :func:`load_demo` moves every date by
``today - DEMO_ANCHOR`` days (today in office time, as the boards count), so on
load day the 100-day campaign is at day 85, activities run up to this week and
the elections finished recently. The files
then go through :func:`storage.import_file`, the same code as any upload.

Into an empty database the demo comes with its history (:mod:`dashboard.demo.history`):
every ledger uploaded several times over the 100 days, in its dataset's mode, each
version stamped with its past office time and one of the demo's staff
(``history.DEMO_STAFF``), the committed files last. Into a database that already
has versions (the demo loaded again, another day) it is one replace per ledger by
user ``"demo"``, now, so versions never go back in time. The app shows a "示例数据"
banner while a demo name (:data:`DEMO_USERS`) made the latest version.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from dashboard import clock
from dashboard.contract import LOAD_ORDER, ColType, Mode, get_dataset
from dashboard.demo.history import DEMO_STAFF

if TYPE_CHECKING:
    from dashboard.store import ImportResult

DEMO_DIR = Path(__file__).resolve().parent / "ledgers"
DEMO_ANCHOR = date(2025, 6, 30)  # the day the demo files are written for ("today" in the files)
DEMO_USER = "demo"  # the demo loaded again over data: one replace per ledger
DEMO_USERS: tuple[str, ...] = (DEMO_USER, *DEMO_STAFF)  # versions made by these are demo data
CAMPAIGN_DAY = 85  # the demolition campaign's day number on load day (of 100)


def demo_path(dataset: str) -> Path:
    return DEMO_DIR / f"{dataset}.csv"


def shift_dates(dataset: str, data: bytes, days: int) -> bytes:
    """The demo CSV with every DATE cell moved by ``days`` (other cells untouched)."""
    ds = get_dataset(dataset)
    date_headers = {c.header for c in ds.columns if c.type is ColType.DATE}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    date_idx = [i for i, h in enumerate(header) if h in date_headers]
    for row in body:
        for i in date_idx:
            if row[i]:
                row[i] = (date.fromisoformat(row[i]) + timedelta(days=days)).isoformat()
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *body])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def demo_bytes(dataset: str, today: date | None = None) -> bytes:
    """The demo file of ``dataset`` as it is imported on ``today``."""
    today = today or clock.office_today()
    return shift_dates(dataset, demo_path(dataset).read_bytes(), (today - DEMO_ANCHOR).days)


def load_demo(engine: Engine, today: date | None = None) -> list[ImportResult]:
    """Import the eight demo ledgers; returns the last import of each, in LOAD_ORDER.

    An empty database gets the history (see the module docstring); otherwise every dataset
    is imported once in replace mode so loading the demo twice (or on another day) leaves
    exactly the demo, never a mix. A rejected demo file is a bug in the committed files (or
    in the history replayed from them): RuntimeError with the first problems.
    """
    from dashboard.store import storage  # storage pulls in SQLModel; keep this module light

    today = today or clock.office_today()
    files = {name: demo_bytes(name, today) for name in LOAD_ORDER}
    last: dict[str, ImportResult] = {}
    if storage.is_empty(engine):
        from dashboard.demo.history import uploads

        for up in uploads(files, today, CAMPAIGN_DAY):
            last[up.dataset] = _checked(
                up.dataset,
                storage.import_file(engine, up.dataset, up.data, up.file_name, user=up.user, at=up.at),
            )
    else:
        for name in LOAD_ORDER:
            result = storage.import_file(
                engine, name, files[name], demo_path(name).name, mode=Mode.REPLACE, user=DEMO_USER
            )
            last[name] = _checked(name, result)
    return [last[name] for name in LOAD_ORDER]


def _checked(name: str, result: ImportResult) -> ImportResult:
    if not result.accepted:
        first = "; ".join(f"{p.where('en')}: {p.message_en}" for p in result.problems.errors[:5])
        raise RuntimeError(f"demo ledger {name} rejected (a bug in the demo files): {first}")
    return result
