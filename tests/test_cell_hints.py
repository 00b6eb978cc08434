"""A refused cell says what to write in its place, the way staff fill in forms.

Offices type "/", "—" or 无 in a cell that does not apply, see Excel show a date as 45748 when
the column is formatted 常规, write 户类 as 一类, and keep meeting times in datetime cells. Each
case here is read and checked as an upload is; the messages are pinned by their catalogue key
(``tests.messages.said``), their wording in tests/test_messages.py.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import Checked, validate
from dashboard.store import storage
from tests.messages import said

DEMOLITION = "房产编号,户主,户类,党小组,当前状态,签约日期,腾空日期,重点户,建筑面积"
ACTIVITIES = "活动日期,项目编码,活动名称,活动类型,参与人数"
MEETINGS = "日期,类型,议题"


def check(dataset: str, data: bytes | str, name: str = "ledger.csv") -> Checked:
    return validate(dataset, read_table(data.encode("utf-8") if isinstance(data, str) else data, name))


def csv(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def found(problems: list) -> list[tuple[str, int | None, str | None]]:
    return [(p.rule, p.line, p.column) for p in problems]


# --- a date shown as an Excel number -----------------------------------------------------------


def test_an_excel_date_number_in_a_csv_is_refused_naming_the_date_it_stands_for():
    checked = check("meetings", csv(MEETINGS, "45748,晚研判,研判签约难点"))

    [error] = checked.problems.errors
    assert found([error]) == [("cell.date", 2, "日期")]
    assert said(error, "check.cell.date.serial") == {"value": "45748", "date": "2025-04-01"}
    assert said(error, "check.cell.date.serial", "en")["date"] == "2025-04-01"


def test_a_date_cell_formatted_general_in_a_workbook_is_refused_the_same_way():
    book = openpyxl.Workbook()
    book.active.append(["日期", "类型", "议题"])
    book.active.append([45748, "晚研判", "研判签约难点"])  # 常规: Excel shows 45748
    out = io.BytesIO()
    book.save(out)

    [error] = check("meetings", out.getvalue(), "调度会.xlsx").problems.errors

    assert said(error, "check.cell.date.serial")["date"] == "2025-04-01"


@pytest.mark.parametrize("written", ["20251403", "2025", "12345", "99999"])  # 20250403: its own message
def test_a_number_that_is_no_likely_excel_date_gets_the_usual_date_message(written: str):
    [error] = check("meetings", csv(MEETINGS, f"{written},晚研判,研判")).problems.errors

    assert said(error, "check.cell.date")["value"] == written


def test_an_excel_date_number_is_refused_and_nothing_is_written(sqlite_url: str):
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)

    result = storage.import_file(engine, "meetings", csv(MEETINGS, "45748,晚研判,研判").encode(), "a.csv")

    assert not result.accepted
    assert storage.list_versions(engine) == []


# --- a whole number in a small range -------------------------------------------------------------


def test_a_whole_number_in_a_small_range_is_asked_for_within_that_range():
    rows = ["DX-002,李秀英,一类,1,已摸底", "DX-003,王德胜,2,第一党小组,已评估"]

    checked = check("demolition", csv(DEMOLITION, *rows))

    category, group = checked.problems.errors
    assert found([category, group]) == [("cell.int", 2, "户类"), ("cell.int", 3, "党小组")]
    assert said(category, "check.cell.int.range") == {
        "value": "一类", "column": "户类", "lo": "1", "hi": "6", "example": "1",
    }  # fmt: skip
    assert said(group, "check.cell.int.range", "en")["hi"] == "4"


def test_a_whole_number_without_an_upper_bound_keeps_the_plain_example():
    [error] = check("activities", csv(ACTIVITIES, "2025-04-01,BR-01,讲座,健康讲座,三十五")).problems.errors

    assert (
        said(error, "check.cell.int")["value"] == "三十五"
    )  # 35人: told to write 35 (test_office_files_more)


# --- a time of day dropped from a date ---------------------------------------------------------


def datetime_workbook(header: list[str], row: list[object]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_dropped_time_points_to_the_note_column_only_where_the_ledger_has_one():
    evening = dt.datetime(2025, 4, 4, 20, 30)
    meetings = datetime_workbook(["日期", "类型", "议题"], [evening, "晚研判", "夜间渣土运输"])
    demolition = datetime_workbook(DEMOLITION.split(",")[:6], ["DX-001", "张三", 1, 1, "已签约", evening])

    [no_note] = check("meetings", meetings, "调度会.xlsx").problems.warnings
    [with_note] = check("demolition", demolition, "台账.xlsx").problems.warnings

    assert said(no_note, "check.cell.date.time_dropped.no_note")["column"] == "日期"
    assert "备注" not in no_note.message
    assert said(with_note, "check.cell.date.time_dropped")["column"] == "签约日期"
    assert "备注" in with_note.message


# --- "/", "—", 无: not applicable ------------------------------------------------------------------


def test_not_applicable_marks_in_optional_cells_are_empty_with_one_warning_per_column():
    rows = [
        "DX-001,张三,1,1,已摸底,/,—,无,/",
        "DX-002,李四,2,1,已摸底,／,－,,——",
        "DX-003,王五,3,1,已摸底,,,是,120",
    ]

    checked = check("demolition", csv(DEMOLITION, *rows))

    assert checked.ok, checked.problems.errors
    frame = checked.frame
    assert frame["signed_date"].isna().all() and frame["vacated_date"].isna().all()
    assert list(frame["area_m2"].isna()) == [True, True, False]
    assert list(frame["key_household"]) == [False, False, True]  # empty: the contract's default 否
    warnings = checked.problems.warnings
    columns = ["签约日期", "腾空日期", "重点户", "建筑面积"]
    assert found(warnings) == [("cell.placeholder", 2, column) for column in columns]
    signed = said(warnings[0], "check.cell.placeholder")
    assert signed == {"column": "签约日期", "lines": "第 2 行、第 3 行", "marks": "/"}
    assert said(warnings[1], "check.cell.placeholder", "en")["marks"] == "—, -"
    assert said(warnings[3], "check.cell.placeholder")["lines"] == "第 2 行、第 3 行"


def test_a_column_of_many_marks_names_its_first_lines_and_counts_them_all():
    rows = [f"DX-{i:03},户主{i},1,1,已摸底,,,,/" for i in range(12)]

    [warning] = check("demolition", csv(DEMOLITION, *rows)).problems.warnings

    lines = said(warning, "check.cell.placeholder")["lines"]
    assert lines.startswith("第 2 行、第 3 行") and "第 11 行" in lines and "第 12 行" not in lines
    assert lines.endswith("等，共 12 行")


def test_a_mark_where_the_status_requires_the_date_is_a_missing_date():
    checked = check("demolition", csv(DEMOLITION, "DX-001,张三,1,1,已签约,/,,,"))

    assert found(checked.problems.errors) == [("required_from.signed_date", 2, "签约日期")]
    assert found(checked.problems.warnings) == [("cell.placeholder", 2, "签约日期")]


def test_a_mark_in_a_required_cell_is_refused_saying_the_cell_is_required():
    checked = check("activities", csv(ACTIVITIES, "无,BR-01,讲座,健康讲座,/"))

    date, people = checked.problems.errors
    assert found([date, people]) == [("cell.required", 2, "活动日期"), ("cell.required", 2, "参与人数")]
    assert said(date, "check.cell.required.placeholder") == {"value": "无", "column": "活动日期"}
    assert said(people, "check.cell.required.placeholder", "en") == {"value": "/", "column": "参与人数"}
    assert checked.problems.warnings == []


def test_an_upload_with_marks_is_stored_with_those_cells_empty(sqlite_url: str):
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    data = csv(DEMOLITION, "DX-001,张三,1,1,已摸底,/,/,/,/", "DX-002,李四,2,1,已摸底,,,是,86.5").encode("gbk")

    result = storage.import_file(engine, "demolition", data, "拆迁.csv")

    assert result.accepted and result.added == 2
    stored = storage.load_current(engine, "demolition").set_index("property_id")
    assert pd.isna(stored.loc["DX-001", "area_m2"]) and pd.isna(stored.loc["DX-001", "signed_date"])
    assert not stored.loc["DX-001", "key_household"] and stored.loc["DX-002", "area_m2"] == 86.5
