"""Versioned storage, on SQLite and PostgreSQL: what each upload mode does to
the data, what a version records, and that a refused or dry-run upload
writes nothing.

Files are built here from the contract's Chinese headers, the way staff save
them from a spreadsheet.
"""

from __future__ import annotations

import csv as csv_module
import hashlib
import io
from datetime import UTC, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.contract import Mode, get_dataset
from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import validate
from dashboard.store import diff, storage
from dashboard.store.tables import ledger_name
from tests.messages import said


def csv(
    dataset: str, rows: list[dict[str, str]], encoding: str = "utf-8", leave_out: tuple[str, ...] = ()
) -> bytes:
    """A CSV with the dataset's Chinese headers; cells by column name, missing = empty.
    ``leave_out``: columns the file does not have at all (a narrower sheet)."""
    columns = [c for c in get_dataset(dataset).columns if c.name not in leave_out]
    out = io.StringIO()
    writer = csv_module.writer(out)
    writer.writerow([c.header for c in columns])
    writer.writerows([row.get(c.name, "") for c in columns] for row in rows)
    return out.getvalue().encode(encoding)


def brand(code: str, status: str = "已挂牌", name: str = "连心网络") -> dict[str, str]:
    return {
        "project_code": code,
        "community": "常春藤社区",
        "brand_name": name,
        "category": "网络管理",
        "status": status,
        "start_date": "2024-03-01",
        "target_activities": "12",
    }


def activity(day: str, code: str, title: str, participants: str = "30") -> dict[str, str]:
    return {
        "date": day,
        "project_code": code,
        "title": title,
        "type": "志愿服务",
        "participants": participants,
    }


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


def codes(frame: pd.DataFrame) -> list[str]:
    return frame["project_code"].tolist()


# ---------------------------------------------------------------------------
# Modes


def test_first_upload_is_version_1_with_every_row_added(engine: sa.Engine) -> None:
    assert storage.is_empty(engine)
    result = storage.import_file(engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02")]), "b.csv")

    assert (result.accepted, result.version, result.rows) == (True, 1, 2)
    assert (result.added, result.changed, result.removed, result.skipped) == (2, 0, 0, 0)
    assert codes(storage.load_current(engine, "brands")) == ["BR-01", "BR-02"]
    assert not storage.is_empty(engine)


def test_replace_makes_the_file_the_whole_dataset(engine: sa.Engine) -> None:
    storage.import_file(
        engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02"), brand("BR-03")]), "v1.csv"
    )
    v2 = csv("brands", [brand("BR-01"), brand("BR-02", status="示范"), brand("BR-04")])

    result = storage.import_file(engine, "brands", v2, "v2.csv")

    assert (result.version, result.added, result.changed, result.removed, result.skipped) == (2, 1, 1, 1, 0)
    now = storage.load_current(engine, "brands")
    # A changed row keeps its place; a new one goes to the end.
    assert codes(now) == ["BR-01", "BR-02", "BR-04"]
    assert now.set_index("project_code").loc["BR-02", "status"] == "model"
    assert codes(storage.load_version(engine, "brands", 1)) == ["BR-01", "BR-02", "BR-03"]


def test_upsert_changes_matched_rows_adds_new_ones_and_deletes_nothing(engine: sa.Engine) -> None:
    storage.import_file(
        engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02"), brand("BR-03")]), "v1.csv"
    )
    v2 = csv("brands", [brand("BR-02", status="示范"), brand("BR-04")])

    result = storage.import_file(engine, "brands", v2, "v2.csv", mode=Mode.UPSERT)

    assert (result.version, result.added, result.changed, result.removed, result.skipped) == (2, 1, 1, 0, 0)
    now = storage.load_current(engine, "brands").set_index("project_code")
    assert now.index.tolist() == ["BR-01", "BR-02", "BR-03", "BR-04"]
    assert now.loc["BR-02", "status"] == "model"


def task(code: str, status: str = "办理中", closed: str = "", **cells: str) -> dict[str, str]:
    return {
        "task_code": code,
        "raised_date": "2025-05-06",
        "source": "企业座谈",
        "domain": "企业服务",
        "title": "申请贴息贷款",
        "owner": "李红",
        "deadline": "2025-05-20",
        "status": status,
        "closed_date": closed,
        **cells,
    }


WEEK_1 = [
    task("DB-0001", unit="创新大厦联合党支部", note="已对接银行"),
    task("DB-0002", unit="第一党小组", outcome="已协调", note="周五回访"),
]
NARROW = ("unit", "outcome", "note")  # week 2's sheet: only the columns that move


def test_an_upsert_keeps_what_the_ledger_holds_in_columns_the_file_does_not_have(engine: sa.Engine) -> None:
    """Week 2's 督办 sheet has no 责任单位/办理结果/备注 columns: the item it moves on keeps its own,
    a new item has them empty, and a warning names the columns kept."""
    storage.import_file(engine, "tasks", csv("tasks", WEEK_1), "w1.csv")
    week_2 = [task("DB-0001", status="已办结", closed="2025-05-19"), task("DB-0003")]

    result = storage.import_file(engine, "tasks", csv("tasks", week_2, leave_out=NARROW), "w2.csv")

    assert (result.accepted, result.added, result.changed, result.removed) == (True, 1, 1, 0)
    now = storage.load_current(engine, "tasks").set_index("task_code")
    assert now.loc["DB-0001", ["status", "unit", "note"]].tolist() == [
        "closed", "创新大厦联合党支部", "已对接银行"
    ]
    assert now.loc["DB-0002", ["unit", "outcome", "note"]].tolist() == ["第一党小组", "已协调", "周五回访"]
    assert now.loc["DB-0003", ["unit", "outcome", "note"]].isna().all()
    [warning] = [p for p in result.problems.warnings if p.rule == "upsert.absent_kept"]
    assert said(warning, "check.upsert.absent_kept") == {
        "columns": "责任单位、办理结果、备注",
        "n": "1",  # rows already in the ledger: DB-0001
    }
    assert said(warning, "check.upsert.absent_kept", "en")["columns"] == "Responsible unit, Outcome, Note"


def test_a_narrower_upsert_changes_only_the_cells_the_file_changed_and_restores_exactly(
    engine: sa.Engine,
) -> None:
    storage.import_file(engine, "tasks", csv("tasks", WEEK_1), "w1.csv")
    week_2 = [task("DB-0001", status="已办结", closed="2025-05-19"), task("DB-0002")]  # DB-0002 as it was

    result = storage.import_file(engine, "tasks", csv("tasks", week_2, leave_out=NARROW), "w2.csv")

    assert (result.added, result.changed) == (0, 1)
    changes = diff.version_changes(engine, "tasks", 2).changes()
    assert changes[["key", "column"]].values.tolist() == [["DB-0001", "status"], ["DB-0001", "closed_date"]]
    back = storage.restore(engine, "tasks", 1)
    assert (back.added, back.changed, back.removed) == (0, 1, 0)
    pd.testing.assert_frame_equal(
        storage.load_current(engine, "tasks"), storage.load_version(engine, "tasks", 1), check_exact=True
    )


def test_a_column_in_the_file_left_empty_clears_and_a_replace_still_takes_the_file_as_it_is(
    engine: sa.Engine,
) -> None:
    storage.import_file(engine, "tasks", csv("tasks", WEEK_1), "w1.csv")

    upsert = storage.import_file(
        engine, "tasks", csv("tasks", [task("DB-0001")], leave_out=("unit", "outcome")), "w2.csv"
    )  # 备注 is a column of this file, its cell empty

    now = storage.load_current(engine, "tasks").set_index("task_code")
    assert now.loc["DB-0001", "unit"] == "创新大厦联合党支部" and pd.isna(now.loc["DB-0001", "note"])
    [warning] = [p for p in upsert.problems.warnings if p.rule == "upsert.absent_kept"]
    assert said(warning, "check.upsert.absent_kept")["columns"] == "责任单位、办理结果"

    replace = storage.import_file(
        engine, "tasks", csv("tasks", [task("DB-0001")], leave_out=NARROW), "w3.csv", mode="replace"
    )

    assert [p.rule for p in replace.problems.warnings] == []
    now = storage.load_current(engine, "tasks").set_index("task_code")
    assert now.index.tolist() == ["DB-0001"] and pd.isna(now.loc["DB-0001", "unit"])


def test_a_reopened_item_does_not_keep_a_closing_date_its_file_has_no_column_for(engine: sa.Engine) -> None:
    """办结日期 takes part in a rule (empty until 已办结): the file's rows were checked with it empty,
    so it is not kept; a reopened item has none, as the contract wants."""
    storage.import_file(engine, "tasks", csv("tasks", [task("DB-0001", "已办结", "2025-05-19")]), "w1.csv")

    result = storage.import_file(
        engine, "tasks", csv("tasks", [task("DB-0001", "办理中")], leave_out=("closed_date",)), "w2.csv"
    )

    assert [p.rule for p in result.problems.warnings] == []
    now = storage.load_current(engine, "tasks")
    assert now["status"].tolist() == ["in_progress"] and now["closed_date"].isna().all()


def test_append_adds_new_keys_and_skips_the_ones_already_there(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01")]), "brands.csv")
    first = [activity("2024-05-03", "BR-01", "健康讲座"), activity("2024-05-04", "BR-01", "义诊")]
    storage.import_file(engine, "activities", csv("activities", first), "week1.csv")
    # The same file again with one new activity and a different head count on a known one.
    again = [
        activity("2024-05-03", "BR-01", "健康讲座", participants="99"),
        activity("2024-05-10", "BR-01", "植树"),
    ]

    result = storage.import_file(engine, "activities", csv("activities", again), "week2.csv")

    assert (result.version, result.added, result.changed, result.removed, result.skipped) == (2, 1, 0, 0, 1)
    now = storage.load_current(engine, "activities")
    assert now["title"].tolist() == ["健康讲座", "义诊", "植树"]
    assert now["participants"].tolist() == [30, 30, 30]  # the skipped row did not overwrite


def test_mode_may_be_given_as_text(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01")]), "v1.csv")
    result = storage.import_file(engine, "brands", csv("brands", [brand("BR-02")]), "v2.csv", mode="upsert")
    assert codes(storage.load_current(engine, "brands")) == ["BR-01", "BR-02"]
    assert storage.list_versions(engine, "brands")[0].mode == "upsert"
    assert result.removed == 0


def test_the_same_file_again_is_a_new_version_that_changes_nothing(engine: sa.Engine) -> None:
    data = csv("brands", [brand("BR-01"), brand("BR-02")])
    storage.import_file(engine, "brands", data, "b.csv")

    result = storage.import_file(engine, "brands", data, "b.csv")

    assert (result.accepted, result.version) == (True, 2)
    assert (result.added, result.changed, result.removed, result.skipped) == (0, 0, 0, 0)


def test_unchanged_rows_are_not_copied_into_the_next_version(engine: sa.Engine) -> None:
    rows = [brand(f"BR-{i:02d}") for i in range(10)]
    storage.import_file(engine, "brands", csv("brands", rows), "v1.csv")
    rows[3] = brand("BR-03", status="示范")
    storage.import_file(engine, "brands", csv("brands", rows), "v2.csv")

    with engine.connect() as conn:
        stored = conn.execute(sa.text(f"SELECT count(*) FROM {ledger_name('brands')}")).scalar_one()
    assert stored == 11  # ten rows, plus the new state of the one that changed


# ---------------------------------------------------------------------------
# Every type survives the round trip


def test_stored_rows_read_back_exactly_as_validated(engine: sa.Engine) -> None:
    rows = [
        {
            "property_id": "DX-001",
            "household": "张三丰",
            "category": "1",
            "party_group": "4",
            "status": "已拆除",
            "signed_date": "2024/3/5",
            "vacated_date": "2024年3月9日",
            "demolished_date": "2024-03-20",
            "key_household": "是",
            "area_m2": "0.1",
            "note": "NA",  # text that looks like a missing value stays text
        },
        {
            "property_id": "DX-002",
            "household": "李四",
            "category": "6",
            "party_group": "1",
            "status": "已摸底",
        },
        {
            "property_id": "DX-003",
            "household": "王五",
            "category": "3",
            "party_group": "2",
            "status": "已签约",
            "signed_date": "2024-05-03",
            "key_household": "否",
            "area_m2": "1234567.891234567",
            "note": '=1+1, "引号", 逗号\n第二行 \\N',
        },
    ]
    data = csv("demolition", rows)
    expected = validate(get_dataset("demolition"), read_table(data, "d.csv")).frame.reset_index(drop=True)

    assert storage.import_file(engine, "demolition", data, "d.csv").accepted
    now = storage.load_current(engine, "demolition")

    pd.testing.assert_frame_equal(now, expected, check_exact=True)
    # Rows read back hash as they did on the way in: restoring the current version changes nothing.
    same = storage.restore(engine, "demolition", 1)
    assert (same.version, same.added, same.changed, same.removed) == (2, 0, 0, 0)
    assert now["note"].tolist()[0] == "NA"
    assert now["note"].tolist()[2] == '=1+1, "引号", 逗号\n第二行 \\N'
    assert now["area_m2"].tolist()[2] == 1234567.891234567
    assert now["key_household"].tolist() == [True, False, False]  # empty: the contract default 否


def test_an_empty_dataset_reads_as_typed_empty_frame(engine: sa.Engine) -> None:
    empty = storage.load_current(engine, "milestones")
    assert len(empty) == 0
    assert list(empty.columns) == list(get_dataset("milestones").column_names)
    assert str(empty["planned_start"].dtype) == "datetime64[s]"


# ---------------------------------------------------------------------------
# What a version records


def test_each_version_records_who_when_which_file_and_what_changed(engine: sa.Engine) -> None:
    before = datetime.now(UTC)
    data1 = csv("brands", [brand("BR-01"), brand("BR-02")])
    data2 = csv("brands", [brand("BR-01", status="示范")])
    storage.import_file(engine, "brands", data1, "品牌台账.csv", user="王书记")
    stamp = storage.data_stamp(engine)
    storage.import_file(engine, "brands", data2, "品牌台账-5月.csv", user="李干事")

    newest, oldest = storage.list_versions(engine, "brands")

    assert (oldest.number, oldest.user, oldest.file_name, oldest.mode) == (
        1,
        "王书记",
        "品牌台账.csv",
        "replace",
    )
    assert oldest.sha256 == hashlib.sha256(data1).hexdigest()
    assert (oldest.rows, oldest.added, oldest.changed, oldest.removed, oldest.skipped) == (2, 2, 0, 0, 0)
    assert (newest.number, newest.user, newest.file_name) == (2, "李干事", "品牌台账-5月.csv")
    assert (newest.rows, newest.added, newest.changed, newest.removed) == (1, 0, 1, 1)
    assert newest.restored_from is None
    assert before <= oldest.created_at <= newest.created_at <= datetime.now(UTC)
    assert newest.created_at.tzinfo is not None
    assert storage.data_stamp(engine) > stamp
    assert storage.latest_versions(engine)["brands"].number == 2


def test_history_lists_every_dataset_newest_first(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01")]), "b.csv", user="demo")
    storage.import_file(
        engine, "activities", csv("activities", [activity("2024-05-03", "BR-01", "义诊")]), "a.csv"
    )

    history = storage.list_versions(engine)
    latest = storage.latest_versions(engine)

    assert [(v.dataset, v.number) for v in history] == [("activities", 1), ("brands", 1)]
    assert set(latest) == {"brands", "activities"}
    assert latest["brands"].user == "demo"  # how the UI tells demo data apart


def test_the_uploaded_file_is_kept_byte_for_byte(engine: sa.Engine) -> None:
    data = csv("brands", [brand("BR-01")], encoding="gb18030")  # what Excel on Chinese Windows saves

    storage.import_file(engine, "brands", data, "品牌.csv")

    assert storage.original_file(engine, "brands", 1) == ("品牌.csv", data)
    assert storage.original_file(engine, "brands", 2) is None


def test_result_json_has_the_agreed_shape(engine: sa.Engine) -> None:
    bad = csv("brands", [{**brand("BR-01"), "target_activities": "十二"}])
    payload = storage.import_file(engine, "brands", bad, "b.csv").to_json()

    assert list(payload) == [
        "dataset", "accepted", "dry_run", "version", "rows", "added", "changed", "removed", "skipped",
        "warnings", "errors", "error_count",
    ]  # fmt: skip
    assert payload["error_count"] == len(payload["errors"]) >= 1
    assert set(payload["errors"][0]) == {"sheet", "line", "column", "value", "rule", "message", "message_en"}
    assert payload["errors"][0]["line"] == 2


# ---------------------------------------------------------------------------
# Earlier versions and restore


def test_restore_makes_a_new_version_with_the_old_content(engine: sa.Engine) -> None:
    first = csv("brands", [brand("BR-01"), brand("BR-02")])
    storage.import_file(engine, "brands", first, "v1.csv")
    storage.import_file(
        engine, "brands", csv("brands", [brand("BR-02", status="示范"), brand("BR-03")]), "v2.csv"
    )

    result = storage.restore(engine, "brands", 1, user="王书记")

    assert (result.accepted, result.version) == (True, 3)
    assert (result.added, result.changed, result.removed) == (1, 1, 1)
    pd.testing.assert_frame_equal(
        storage.load_current(engine, "brands"), storage.load_version(engine, "brands", 1)
    )
    newest = storage.list_versions(engine, "brands")[0]
    assert (newest.number, newest.restored_from, newest.user) == (3, 1, "王书记")
    # History is never rewritten: version 2 still reads as it was.
    assert codes(storage.load_version(engine, "brands", 2)) == ["BR-02", "BR-03"]
    # A restore uploaded no file: its original is the file its content came from.
    assert storage.original_file(engine, "brands", 3) == ("v1.csv", first)
    storage.restore(engine, "brands", 3, user="王书记")
    assert storage.original_file(engine, "brands", 4) == ("v1.csv", first)


def test_restoring_a_version_that_does_not_exist_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01")]), "v1.csv")

    result = storage.restore(engine, "brands", 7)

    assert (result.accepted, result.version) == (False, None)
    assert [p.rule for p in result.problems.errors] == ["restore.no_such_version"]
    assert len(storage.list_versions(engine, "brands")) == 1
    with pytest.raises(KeyError):
        storage.load_version(engine, "brands", 7)


# ---------------------------------------------------------------------------
# All or nothing


def test_an_upload_with_errors_writes_nothing(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01")]), "v1.csv")
    bad = csv("brands", [brand("BR-01", status="示范"), brand("BR-02", status="开张"), brand("BR-03")])

    result = storage.import_file(engine, "brands", bad, "v2.csv")

    assert (result.accepted, result.version, result.rows) == (False, None, 3)
    assert [(p.line, p.column) for p in result.problems.errors] == [(3, "状态")]
    assert [v.number for v in storage.list_versions(engine, "brands")] == [1]
    now = storage.load_current(engine, "brands")
    assert (codes(now), now["status"].tolist()) == (["BR-01"], ["launched"])


def test_a_dry_run_counts_but_writes_nothing(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02")]), "v1.csv")
    stamp = storage.data_stamp(engine)

    result = storage.import_file(
        engine,
        "brands",
        csv("brands", [brand("BR-01", status="示范"), brand("BR-03")]),
        "v2.csv",
        dry_run=True,
    )

    assert (result.accepted, result.dry_run, result.version) == (True, True, None)
    assert (result.added, result.changed, result.removed) == (1, 1, 1)
    assert storage.data_stamp(engine) == stamp
    assert codes(storage.load_current(engine, "brands")) == ["BR-01", "BR-02"]
    # The next real upload is still version 2.
    assert storage.import_file(engine, "brands", csv("brands", [brand("BR-09")]), "v2.csv").version == 2


def test_an_activity_for_a_brand_that_does_not_exist_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02")]), "v1.csv")
    rows = [activity("2024-05-03", "BR-01", "义诊"), activity("2024-05-04", "BR-99", "植树")]

    result = storage.import_file(engine, "activities", csv("activities", rows), "a.csv")

    assert not result.accepted
    assert [(p.rule, p.line, p.value) for p in result.problems.errors] == [
        ("foreign_key.project_code", 3, "BR-99")
    ]
    assert storage.list_versions(engine, "activities") == []


def test_foreign_keys_are_checked_against_the_current_brands_not_old_ones(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02")]), "v1.csv")
    storage.import_file(engine, "brands", csv("brands", [brand("BR-02")]), "v2.csv")  # BR-01 is gone

    result = storage.import_file(
        engine, "activities", csv("activities", [activity("2024-05-03", "BR-01", "义诊")]), "a.csv"
    )

    assert [p.rule for p in result.problems.errors] == ["foreign_key.project_code"]


def test_replacing_the_brands_without_one_that_activities_still_use_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02")]), "v1.csv")
    rows = [activity("2024-05-03", "BR-01", "义诊"), activity("2024-05-04", "BR-01", "植树")]
    storage.import_file(engine, "activities", csv("activities", rows), "a.csv")

    result = storage.import_file(engine, "brands", csv("brands", [brand("BR-02")]), "v2.csv")

    assert not result.accepted
    (problem,) = result.problems.errors
    assert (problem.rule, problem.column, problem.value) == (
        "referenced.activities.project_code",
        "项目编码",
        "BR-01",
    )
    fields = said(problem, "check.referenced")  # still used by 2 rows of 品牌活动记录
    assert (fields["code"], fields["other"], fields["n"]) == ("BR-01", "品牌活动记录", "2")
    assert [v.number for v in storage.list_versions(engine, "brands")] == [1]  # nothing written
    # Keeping the used brand, the same change goes in; upsert never removes one.
    assert storage.import_file(engine, "brands", csv("brands", [brand("BR-01")]), "v2.csv").accepted
    assert storage.import_file(
        engine, "brands", csv("brands", [brand("BR-03")]), "v3.csv", mode="upsert"
    ).accepted


def test_restoring_brands_from_before_a_brand_that_activities_now_use_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01")]), "v1.csv")
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02")]), "v2.csv")
    storage.import_file(
        engine, "activities", csv("activities", [activity("2024-05-03", "BR-02", "义诊")]), "a.csv"
    )

    result = storage.restore(engine, "brands", 1, user="王书记")

    assert not result.accepted
    assert [(p.rule, p.value) for p in result.problems.errors] == [
        ("referenced.activities.project_code", "BR-02")
    ]
    assert codes(storage.load_current(engine, "brands")) == ["BR-01", "BR-02"]


def test_restoring_activities_of_a_brand_removed_since_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("BR-01"), brand("BR-02")]), "v1.csv")
    first = [activity("2024-05-03", "BR-01", "义诊"), activity("2024-05-04", "BR-01", "植树")]
    storage.import_file(engine, "activities", csv("activities", first), "a1.csv", mode="replace")
    later = [activity("2024-05-05", "BR-02", "讲座")]
    storage.import_file(engine, "activities", csv("activities", later), "a2.csv", mode="replace")
    storage.import_file(engine, "brands", csv("brands", [brand("BR-02")]), "v2.csv")  # BR-01 unused now

    result = storage.restore(engine, "activities", 1)

    assert not result.accepted
    (problem,) = result.problems.errors
    assert (problem.rule, problem.column, problem.value) == ("foreign_key.project_code", "项目编码", "BR-01")
    assert said(problem, "check.restore.foreign_key")["n"] == "2"
    assert [v.number for v in storage.list_versions(engine, "activities")] == [2, 1]  # nothing written


def test_a_frame_with_a_repeated_key_is_refused_by_storage_itself(engine: sa.Engine) -> None:
    data = csv("brands", [brand("BR-01"), brand("BR-02")])
    frame = validate(get_dataset("brands"), read_table(data, "b.csv")).frame
    frame.loc[3, "project_code"] = "BR-01"

    result = storage.store_frame(engine, "brands", frame, file_name="b.csv", data=data)

    assert not result.accepted
    assert [(p.rule, p.line) for p in result.problems.errors] == [("storage.duplicate_key", 3)]
    assert storage.is_empty(engine)


def test_a_database_or_disk_outage_is_told_apart_from_a_bug() -> None:
    """What the CLI and the upload page say plainly (nothing written, try later) instead of a trace."""
    import errno

    assert storage.unavailable(sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full")))
    assert storage.unavailable(OSError(errno.ENOSPC, "No space left on device"))
    assert not storage.unavailable(OSError(errno.ENOENT, "No such file"))
    assert not storage.unavailable(ValueError("a bug"))
