"""Every overview KPI across recent versions: the points of the small trend line on each card.

A few versions are imported at chosen office days (``import_file(at=...)``); each point must
then read what the card showed at the end of that day, for any KPI ``overview_kpis`` returns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.board import format as fmt
from dashboard.board.present import build_view
from dashboard.board.snapshot import FrameStore, load_snapshot
from dashboard.insights import metrics, sparklines
from dashboard.insights.filters import Filters
from dashboard.store import export, storage
from tests.frames import typed

TODAY = date(2026, 6, 30)


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


def upload(engine: sa.Engine, dataset: str, rows: list[dict[str, object]], day: date, hour: int = 10) -> None:
    """``rows`` as a new version uploaded at ``hour`` o'clock Beijing time on ``day``."""
    at = datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)
    data = export.to_csv_bytes(dataset, typed(dataset, rows))
    result = storage.import_file(engine, dataset, data, f"{dataset}-{day}.csv", at=at)
    assert result.accepted, result.to_json()


def properties(signed: int, total: int = 4) -> list[dict[str, object]]:
    return [
        {
            "property_id": f"P{i}",
            "household": "王五",
            "category": 1,
            "party_group": 1,
            "status": "signed" if i < signed else "surveyed",
            "signed_date": date(2026, 6, 1) if i < signed else None,
        }
        for i in range(total)
    ]


def history(engine: sa.Engine, today: date = TODAY, memo: sparklines.Memo | None = None) -> pd.DataFrame:
    latest = storage.latest_versions(engine)
    current = {name: storage.load_current(engine, name) for name in latest}
    return sparklines.kpi_history(engine, today, current, latest, memo)


def test_each_point_is_what_the_card_showed_at_the_end_of_an_upload_day(engine):
    upload(engine, "demolition", properties(1), TODAY - timedelta(days=9))
    upload(engine, "demolition", properties(2), TODAY - timedelta(days=5))
    upload(engine, "demolition", properties(3), TODAY - timedelta(days=5), hour=17)  # the day's last wins
    upload(engine, "demolition", properties(4), TODAY - timedelta(days=2))

    got = history(engine)

    days = [TODAY - timedelta(days=n) for n in (9, 5, 2, 0)]
    assert list(got.index.date) == days  # upload days, and today last
    assert got["signed_rate"].tolist() == [0.25, 0.75, 1.0, 1.0]
    assert got["activities_month"].tolist() == [0, 0, 0, 0]
    assert got["election_completion"].isna().all()  # no elections ledger: no value, no line


def test_every_kpi_overview_kpis_returns_has_its_points_and_other_ledgers_stand_at_their_version(engine):
    upload(engine, "demolition", properties(1), TODAY - timedelta(days=20))
    upload(engine, "milestones", [_milestone(TODAY - timedelta(days=30))], TODAY - timedelta(days=10))
    upload(engine, "demolition", properties(2), TODAY - timedelta(days=3))

    got = history(engine)

    ids = [k.id for k in metrics.overview_kpis({}, {}, TODAY)]
    assert list(got.columns) == ids
    assert got["signed_rate"].tolist() == [0.25, 0.25, 0.5, 0.5]
    # before its first upload a ledger is empty (no campaign yet); after, time moves with each day
    assert pd.isna(got["time_progress"].iloc[0])
    assert got["time_progress"].iloc[1:].tolist() == [0.21, 0.28, 0.31]


def test_a_version_uploaded_after_the_snapshot_was_read_is_left_to_the_next_snapshot(engine):
    """The history is read on first use, maybe seconds after the snapshot; an upload in between
    used to make the overview fail to build (KeyError: a point needing rows nobody had read)."""
    upload(engine, "demolition", properties(1), TODAY - timedelta(days=3))
    upload(engine, "demolition", properties(2), TODAY, hour=9)
    latest = storage.latest_versions(engine)
    current = {name: storage.load_current(engine, name) for name in latest}
    memo: sparklines.Memo = {}  # the worker's: the earlier points are not evaluated again
    before = sparklines.kpi_history(engine, TODAY, current, latest, memo)

    upload(engine, "demolition", properties(3), TODAY, hour=10)  # lands between snapshot and history

    got = sparklines.kpi_history(engine, TODAY, current, latest, memo)
    pd.testing.assert_frame_equal(got, before)
    assert got["signed_rate"].tolist() == [0.25, 0.5]
    assert history(engine)["signed_rate"].tolist() == [0.25, 0.75]  # the next snapshot has it


def _milestone(start: date) -> dict[str, object]:
    return {"milestone_code": "M1", "phase": 1, "name": "签约", "planned_start": start,
            "planned_end": start + timedelta(days=99), "progress": 10.0}  # fmt: skip


def test_the_line_is_bounded_to_the_last_points_and_days(engine):
    for n in range(45):  # an upload every other day for three months
        upload(engine, "demolition", properties(n % 5), TODAY - timedelta(days=90 - 2 * n))

    got = history(engine)

    assert len(got) == sparklines.SPARK_POINTS
    assert got.index[-1].date() == TODAY
    assert got.index[0].date() > TODAY - timedelta(days=sparklines.SPARK_DAYS)


def test_a_new_version_evaluates_only_the_new_point_the_others_come_from_the_memo(engine):
    upload(engine, "demolition", properties(1), TODAY - timedelta(days=4))
    upload(engine, "demolition", properties(2), TODAY - timedelta(days=2))
    memo: sparklines.Memo = {}
    first = history(engine, memo=memo)
    kept = {key: memo[key] for key in memo if key[0] < TODAY}

    upload(engine, "demolition", properties(3), TODAY)
    second = history(engine, memo=memo)

    assert all(memo[key] is values for key, values in kept.items())  # not evaluated again
    assert first["signed_rate"].tolist() == [0.25, 0.5, 0.5]
    assert second["signed_rate"].tolist() == [0.25, 0.5, 0.75]
    assert len(memo) == len(second)  # only the points still plotted are kept


def test_a_ledger_too_big_to_read_again_shortens_the_line_instead_of_slowing_the_page(engine, monkeypatch):
    upload(engine, "demolition", properties(1, total=40), TODAY - timedelta(days=6))
    upload(engine, "demolition", properties(2, total=40), TODAY - timedelta(days=4))
    upload(engine, "demolition", properties(3, total=40), TODAY - timedelta(days=2))
    monkeypatch.setattr(sparklines, "SPARK_ROW_BUDGET", 40)  # version 2 alone (40 rows), not 1 and 2 (41)

    got = history(engine)

    assert list(got.index.date) == [TODAY - timedelta(days=4), TODAY - timedelta(days=2), TODAY]
    assert got["signed_rate"].tolist() == [2 / 40, 3 / 40, 3 / 40]


def test_a_build_evaluates_a_bounded_number_of_points_newest_first_the_line_fills_in_later(
    engine, monkeypatch
):
    for n in range(4):  # days 8, 6, 4 and 2 before today
        upload(engine, "demolition", properties(n + 1), TODAY - timedelta(days=8 - 2 * n))
    monkeypatch.setattr(sparklines, "SPARK_EVAL_ROWS", 8)  # 4 rows now: two points per build
    memo: sparklines.Memo = {}
    back = [TODAY - timedelta(days=n) for n in (8, 6, 4, 2, 0)]

    first = history(engine, memo=memo)
    second = history(engine, memo=memo)
    third = history(engine, memo=memo)

    assert list(first.index.date) == back[3:]
    assert list(second.index.date) == back[1:]
    assert list(third.index.date) == back and third["signed_rate"].tolist() == [0.25, 0.5, 0.75, 1.0, 1.0]


def test_versions_between_read_once_give_each_version_as_load_version_does(engine):
    upload(engine, "demolition", properties(1), TODAY - timedelta(days=6))
    upload(engine, "demolition", properties(2, total=3), TODAY - timedelta(days=4))
    upload(engine, "demolition", properties(3, total=5), TODAY - timedelta(days=2))

    rows = storage.load_versions_between(engine, "demolition", 1, 3)

    for number in (1, 2, 3):
        pd.testing.assert_frame_equal(rows.at(number), storage.load_version(engine, "demolition", number))
    assert len(rows.frame) == 8  # every row any of the three versions held, once
    assert storage.count_rows_between(engine, "demolition", 2, 3) == 6  # less the two version 2 closed


def test_a_version_time_before_the_newest_is_refused(engine):
    upload(engine, "demolition", properties(1), TODAY - timedelta(days=2))
    data = export.to_csv_bytes("demolition", typed("demolition", properties(2)))
    with pytest.raises(ValueError):
        storage.import_file(engine, "demolition", data, "late.csv", at=datetime(2026, 6, 1, tzinfo=UTC))
    assert [v.number for v in storage.list_versions(engine, "demolition")] == [1]


# ---------------------------------------------------------------------------
# drawn on the cards (board layer)


def test_points_scale_to_the_box_oldest_left_missing_values_skipped():
    assert fmt.spark_points([0.0, 0.5, 1.0]) == "0.0,22.0 50.0,12.0 100.0,2.0"
    assert fmt.spark_points([3.0, 3.0]) == "0.0,12.0 100.0,12.0"  # flat: mid-height
    assert fmt.spark_points([float("nan"), 1.0, 2.0]) == "50.0,22.0 100.0,2.0"
    assert fmt.spark_points([1.0]) == "" and fmt.spark_points([None, 1.0]) == ""


def test_every_card_carries_its_line_in_both_languages_and_a_filtered_board_none(engine):
    upload(engine, "demolition", properties(1), TODAY - timedelta(days=4))
    upload(engine, "demolition", properties(3), TODAY - timedelta(days=2))
    snap = load_snapshot(engine, TODAY, FrameStore())

    zh, en = (build_view(snap, "overview", lang) for lang in ("zh", "en"))
    filtered = build_view(snap, "overview", "zh", Filters(party_group=1))

    signed_zh = next(k for g in zh.kpi_groups for k in g.kpis if k.id == "signed_rate")
    signed_en = next(k for g in en.kpi_groups for k in g.kpis if k.id == "signed_rate")
    assert len(signed_zh.spark.split()) == 3 and signed_zh.spark == signed_en.spark
    assert signed_zh.spark_label.endswith("25% → 75%")
    assert signed_en.spark_label.startswith("Trend over 3 update days")
    assert all(k.spark == "" for g in filtered.kpi_groups for k in g.kpis)
