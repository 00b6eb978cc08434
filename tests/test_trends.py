"""Curves rebuilt from the version history: each upload is a snapshot placed at its upload day.

Versions are imported into a temporary database and their ``created_at``
set to chosen days, as if staff had uploaded on those days; the curve must
then read, day by day, what each upload said, and fall back to the row dates
before the first upload.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.insights import trends
from dashboard.store import export, storage
from dashboard.store.tables import DatasetVersion
from tests.frames import frames, typed

TODAY = date(2026, 6, 30)  # a Tuesday


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


def upload(engine: sa.Engine, dataset: str, rows: list[dict[str, object]], day: date) -> None:
    """Import ``rows`` as a new version uploaded at 10:00 Beijing time on ``day``."""
    data = export.to_csv_bytes(dataset, typed(dataset, rows))
    result = storage.import_file(engine, dataset, data, f"{dataset}-{day}.csv")
    assert result.accepted, result.to_json()
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    table = DatasetVersion.__table__
    with engine.begin() as conn:
        conn.execute(
            table.update()
            .where(table.c.dataset == dataset, table.c.number == result.version)
            .values(created_at=at)
        )


def properties(
    signed: int, vacated: int = 0, total: int = 10, signed_on: date | None = None
) -> list[dict[str, object]]:
    day = signed_on or TODAY - timedelta(days=30)
    rows = []
    for i in range(total):
        status = "vacated" if i < vacated else "signed" if i < signed else "surveyed"
        rows.append(
            {
                "property_id": f"P{i:02d}",
                "household": "王五",
                "category": 1,
                "party_group": 1,
                "status": status,
                "signed_date": day if i < signed else None,
                "vacated_date": day if i < vacated else None,
            }
        )
    return rows


def test_signed_rate_per_day_reads_each_upload_from_its_day_on(engine: sa.Engine) -> None:
    d1, d2, d3 = TODAY - timedelta(days=4), TODAY - timedelta(days=2), TODAY - timedelta(days=2)
    upload(engine, "demolition", properties(2), d1)
    upload(engine, "demolition", properties(5, vacated=1), d2)
    upload(engine, "demolition", properties(6, vacated=2), d3)  # same day: the last upload wins
    current = {"demolition": storage.load_current(engine, "demolition")}
    curve = trends.trend(engine, TODAY, "demolition_rates", current)
    tail = curve.loc[pd.Timestamp(d1) :]
    assert tail["signed"].tolist() == [0.2, 0.2, 0.6, 0.6, 0.6]
    assert tail["vacated"].tolist() == [0.0, 0.0, 0.2, 0.2, 0.2]
    assert tail["source"].tolist() == ["history"] * 5


def test_days_before_the_first_upload_come_from_the_row_dates(engine: sa.Engine) -> None:
    first_upload = TODAY - timedelta(days=1)
    # 6 of 10 signed, all on TODAY - 3: history starts later than the signing
    upload(engine, "demolition", properties(6, signed_on=TODAY - timedelta(days=3)), first_upload)
    current = {"demolition": storage.load_current(engine, "demolition")}
    curve = trends.trend(engine, TODAY, "demolition_rates", current)
    assert curve.index[0] == pd.Timestamp(TODAY - timedelta(days=3))
    assert curve["signed"].tolist() == [0.6, 0.6, 0.6, 0.6]
    assert curve["source"].tolist() == ["dates", "dates", "history", "history"]


def test_a_restore_shows_up_as_the_older_figures_again(engine: sa.Engine) -> None:
    upload(engine, "demolition", properties(2), TODAY - timedelta(days=2))
    upload(engine, "demolition", properties(8), TODAY - timedelta(days=1))
    storage.restore(engine, "demolition", 1, user="test")  # today (real clock) -> after TODAY: ignored
    counts = trends.counts_by_version(engine, trends.MEASURES["demolition_rates"])
    assert counts["signed"].tolist() == [2, 8, 2]
    assert counts["total"].tolist() == [10, 10, 10]


def org(code: str, completed: date | None) -> dict[str, object]:
    return {
        "org_code": code,
        "org_name": f"{code}党支部",
        "org_type": "village",
        "members": 10,
        "stage": "completed" if completed else "voting",
        "completed_date": completed,
    }


def test_elections_completed_per_week(engine: sa.Engine) -> None:
    monday = trends.week_start(TODAY)  # 2026-06-29
    w1, w2 = monday - timedelta(days=14), monday - timedelta(days=7)
    # recorded: 1 done by the first upload (week w1), 3 by the second (week w2)
    upload(engine, "elections", [org("A", w1), org("B", None), org("C", None)], w1 + timedelta(days=2))
    upload(engine, "elections", [org("A", w1), org("B", w2), org("C", w2)], w2 + timedelta(days=3))
    current = {"elections": storage.load_current(engine, "elections")}
    curve = trends.trend(engine, TODAY, "elections_weekly", current)
    assert [d.date() for d in curve.index] == [w1, w2, monday]
    assert curve["completed"].tolist() == [1, 3, 3]
    assert curve["new_completed"].tolist() == [1, 2, 0]


def brand(code: str, status: str, start: date) -> dict[str, object]:
    return {
        "project_code": code,
        "community": "常春藤社区",
        "brand_name": "连心网络",
        "category": "network",
        "status": status,
        "start_date": start,
    }


def test_brands_launched_per_month_with_dates_before_the_history(engine: sa.Engine) -> None:
    upload(
        engine,
        "brands",
        [brand("BR-1", "launched", date(2026, 3, 10)), brand("BR-2", "building", date(2026, 5, 1))],
        date(2026, 5, 20),
    )
    upload(
        engine,
        "brands",
        [brand("BR-1", "model", date(2026, 3, 10)), brand("BR-2", "launched", date(2026, 5, 1))],
        date(2026, 6, 10),
    )
    current = {"brands": storage.load_current(engine, "brands")}
    curve = trends.trend(engine, TODAY, "brands_monthly", current)
    assert [d.strftime("%Y-%m") for d in curve.index] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert curve["launched"].tolist() == [1, 1, 1, 2]
    assert curve["new_launched"].tolist() == [1, 0, 0, 1]
    assert curve["source"].tolist() == ["dates", "dates", "history", "history"]


def test_without_a_database_the_curves_come_from_the_row_dates() -> None:
    f = frames(demolition=properties(4, vacated=2, signed_on=TODAY - timedelta(days=1)))
    curve = trends.from_dates(f, TODAY, "demolition_rates")
    assert curve["signed"].tolist() == [0.4, 0.4]
    assert curve["vacated"].tolist() == [0.2, 0.2]
    assert set(curve["source"]) == {"dates"}
    assert trends.get(f, TODAY, "demolition_rates").equals(curve)


def test_empty_ledgers_give_empty_curves(engine: sa.Engine) -> None:
    for tid in trends.MEASURES:
        assert trends.trend(engine, TODAY, tid, frames()).empty
