"""Validation: every contract rule, every problem collected, each one saying
where (spreadsheet line, column as written) and what to do.

Files are built in each test; ``check`` reads and validates them the way an
upload is.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.contract import TERM_YEARS, ColType, get_dataset
from dashboard.ingest import cells
from dashboard.ingest.frames import coerce_types, typed_empty
from dashboard.ingest.problems import CheckCrashed
from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import Checked, validate
from tests.messages import fields_in, said

DEMOLITION_HEADER = "房产编号,户主,户类,党小组,当前状态,签约日期,腾空日期,拆除日期,重点户,建筑面积,备注"


def check(dataset: str, text: str, refs=None) -> Checked:
    return validate(get_dataset(dataset), read_table(text.encode("utf-8")), refs=refs)


def demolition(*rows: str) -> Checked:
    return check("demolition", DEMOLITION_HEADER + "\n" + "\n".join(rows) + "\n")


def found(checked: Checked) -> list[tuple[str, int | None, str | None]]:
    """(rule, line, column) of every error, in reading order."""
    return [(p.rule, p.line, p.column) for p in checked.problems.errors]


def only_error(checked: Checked):
    [problem] = checked.problems.errors
    return problem


GOOD = "DX-001,张三,1,2,已签约,2024-05-03,,,是,186.5,"


# --- a clean upload becomes typed rows ----------------------------------------------


def test_clean_upload_becomes_typed_rows_indexed_by_spreadsheet_line():
    checked = demolition(GOOD, "DX-002,李四,6,4,已摸底,,,,,,门口有树")

    assert checked.ok
    frame = checked.frame
    assert list(frame.columns) == list(get_dataset("demolition").column_names)
    assert list(frame.index) == [2, 3]
    assert frame.loc[2, "status"] == "signed"  # enums hold the English code
    assert frame.loc[2, "signed_date"] == pd.Timestamp("2024-05-03")
    assert frame.loc[2, "category"] == 1
    assert frame.loc[2, "area_m2"] == 186.5
    assert bool(frame.loc[2, "key_household"]) is True
    assert pd.isna(frame.loc[3, "signed_date"])
    assert frame.loc[3, "note"] == "门口有树"


def test_typed_frame_has_the_agreed_dtypes():
    frame = demolition(GOOD).frame

    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        "property_id": "string",
        "household": "string",
        "category": "Int64",
        "party_group": "Int64",
        "status": "string",
        "signed_date": "datetime64[s]",
        "vacated_date": "datetime64[s]",
        "demolished_date": "datetime64[s]",
        "key_household": "boolean",
        "area_m2": "Float64",
        "note": "string",
    }


def test_typed_empty_has_the_same_dtypes_and_no_rows():
    empty = typed_empty(get_dataset("demolition"))

    assert len(empty) == 0
    assert list(empty.dtypes) == list(demolition(GOOD).frame.dtypes)


# --- headers --------------------------------------------------------------------------


def test_english_headers_in_any_order_and_any_case_are_accepted():
    checked = check(
        "brands",
        "STATUS,Project_Code,brand_name,community,category\n已挂牌,BR-01,连心网络,常春藤社区,network\n",
    )

    assert checked.ok
    assert checked.frame.loc[2, "project_code"] == "BR-01"
    assert checked.column_map["project_code"] == "Project_Code"


def test_mixed_chinese_and_english_headers_are_accepted():
    checked = check(
        "brands", "项目编码,community,品牌名称,category,状态\nBR-01,常春藤社区,连心网络,其他,示范\n"
    )

    assert checked.ok
    assert checked.frame.loc[2, "status"] == "model"


def test_extra_columns_are_ignored_with_a_warning():
    checked = check(
        "brands", "项目编码,社区,品牌名称,类别,状态,联系电话\nBR-01,常春藤社区,连心网络,其他,示范,123\n"
    )

    assert checked.ok
    [warning] = checked.problems.warnings
    assert (warning.rule, warning.column) == ("header.ignored", "联系电话")
    assert said(warning, "check.header.ignored") == {"written": "联系电话", "dataset": "一社区一品牌"}


def test_missing_required_column_is_reported_by_its_chinese_name():
    checked = check("brands", "项目编码,社区,类别,状态\nBR-01,常春藤社区,其他,示范\n")

    problem = only_error(checked)
    assert (problem.rule, problem.line, problem.column) == ("header.missing", 1, "品牌名称")
    assert said(problem, "check.header.missing") == {"header": "品牌名称", "line": "1", "name": "brand_name"}


def test_absent_optional_columns_are_all_missing():
    checked = check("brands", "项目编码,社区,品牌名称,类别,状态\nBR-01,常春藤社区,连心网络,其他,示范\n")

    assert checked.ok
    assert pd.isna(checked.frame.loc[2, "start_date"])
    assert str(checked.frame["target_activities"].dtype) == "Int64"


def test_the_same_column_twice_is_an_error():
    checked = check("demolition", DEMOLITION_HEADER + ",category\n" + GOOD + ",3\n")

    problem = only_error(checked)
    assert (problem.rule, problem.column) == ("header.duplicate", "category")
    assert said(problem, "check.header.duplicate.two_names") == {
        "written": "category",
        "first": "户类",
        "header": "户类",
    }


def test_the_same_header_written_twice_is_an_error():
    checked = check("demolition", DEMOLITION_HEADER + ",户类\n" + GOOD + ",3\n")

    problem = only_error(checked)
    assert (problem.rule, problem.column) == ("header.duplicate", "户类")
    assert said(problem, "check.header.duplicate") == {"written": "户类"}


def test_a_column_with_cells_but_no_header_is_ignored_with_a_warning():
    checked = check("demolition", DEMOLITION_HEADER + ",\n" + GOOD + ",孤立的值\n")

    assert checked.ok
    [warning] = checked.problems.warnings
    assert (warning.rule, warning.column) == ("header.ignored", "")
    assert said(warning, "check.header.ignored.unnamed") == {"pos": "12", "line": "1"}


def test_a_file_with_only_a_header_has_no_rows():
    checked = check("brands", "项目编码,社区,品牌名称,类别,状态\n")

    assert found(checked) == [("file.no_rows", None, None)]


def test_empty_rows_are_skipped_and_later_lines_stay_right():
    checked = demolition(GOOD, ",,,,,,,,,,", "DX-002,李四,9,1,已摸底,,,,,,")

    assert list(checked.frame.index) == [2, 4]
    assert found(checked) == [("cell.range", 4, "户类")]


# --- cells ----------------------------------------------------------------------------------


def test_full_width_digits_count_as_digits():
    checked = demolition("ＤＸ－００１,张三,６,４,已摸底,,,,,１８６．５,")

    assert checked.ok
    assert checked.frame.loc[2, "property_id"] == "DX-001"
    assert checked.frame.loc[2, "category"] == 6
    assert checked.frame.loc[2, "area_m2"] == 186.5


def test_an_empty_required_cell_is_reported():
    problem = only_error(demolition("DX-001,,1,2,已摸底,,,,,,"))

    assert (problem.rule, problem.line, problem.column, problem.value) == ("cell.required", 2, "户主", None)
    assert said(problem, "check.cell.required") == {"column": "户主"}


@pytest.mark.parametrize("written", ["2024-05-03", "2024/5/3", "2024.5.3", "2024年5月3日", "2024-5-03"])
def test_each_date_form_is_read(written):
    checked = demolition(f"DX-001,张三,1,2,已签约,{written},,,,,")

    assert checked.ok
    assert checked.frame.loc[2, "signed_date"] == pd.Timestamp("2024-05-03")


def test_leap_day_is_a_date():
    assert demolition("DX-001,张三,1,2,已签约,2024-02-29,,,,,").ok


@pytest.mark.parametrize(
    "written",
    ["2024-02-30", "2023-02-29", "2024-13-01", "03/05/2024", "20241303", "明天", "2024-05-03 25:00"],
)
def test_anything_else_is_not_a_date(written):
    problem = only_error(demolition(f"DX-001,张三,1,2,已摸底,{written},,,,,"))

    assert (problem.rule, problem.line, problem.column, problem.value) == (
        "cell.date",
        2,
        "签约日期",
        written,
    )
    assert said(problem, "check.cell.date")["value"] == written  # the message shows how to write it


def test_cells_of_a_column_with_few_distinct_values_are_quoted_as_written_among_many_rows():
    """Validation keeps such a column's text dictionary-encoded once it is parsed (a million dates
    take 4 MB so, not 14): what a later check quotes is still the cell as written, at its line."""
    rows = [f"DX-{i:03d},张三,1,2,已签约,2024-05-03,,,是,186.5," for i in range(1, 40)]
    rows[25] = "DX-026,张三,1,2,已签约,2024/5/3,2024/5/1,,否,186.5,"  # vacated before signed
    rows[30] = "DX-031,张三,1,2,已签约,明天,,,是,186.5,"

    checked = demolition(*rows)

    assert [(p.rule, p.line, p.column, p.value) for p in checked.problems.errors] == [
        ("date_order.signed_date.vacated_date", 27, "腾空日期", "2024/5/1"),
        ("cell.date", 32, "签约日期", "明天"),
    ]


@pytest.mark.parametrize("written", ["85", "85%", "85.0", "85 %", "８５％"])
def test_percent_forms(written):
    checked = check(
        "milestones",
        f"节点编码,阶段,节点名称,计划开始,计划完成,进度\nM-1,1,入户摸底,2024-03-01,2024-03-20,{written}\n",
    )

    assert checked.ok
    assert checked.frame.loc[2, "progress"] == 85.0


@pytest.mark.parametrize(
    ("written", "rule"), [("101", "cell.range"), ("-5%", "cell.range"), ("很多", "cell.percent")]
)
def test_percent_outside_0_to_100_or_not_a_number(written, rule):
    checked = check(
        "milestones",
        f"节点编码,阶段,节点名称,计划开始,计划完成,进度\nM-1,1,入户摸底,2024-03-01,2024-03-20,{written}\n",
    )

    problem = only_error(checked)
    assert (problem.rule, problem.column, problem.value) == (rule, "进度", written)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("yes", True),
        ("NO", False),
        ("true", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("", False),
    ],
)
def test_bool_forms_and_the_default(written, value):
    checked = demolition(f"DX-001,张三,1,2,已摸底,,,,{written},,")

    assert checked.ok
    assert bool(checked.frame.loc[2, "key_household"]) is value


def test_a_bool_that_is_neither_yes_nor_no():
    problem = only_error(demolition("DX-001,张三,1,2,已摸底,,,,也许,,"))

    assert (problem.rule, problem.column, problem.value) == ("cell.bool", "重点户", "也许")


@pytest.mark.parametrize("written", ["已签约", "signed", "SIGNED"])
def test_enum_by_chinese_label_or_english_code(written):
    checked = demolition(f"DX-001,张三,1,2,{written},2024-05-03,,,,,")

    assert checked.ok
    assert checked.frame.loc[2, "status"] == "signed"


def test_unknown_enum_value_lists_the_allowed_labels():
    problem = only_error(demolition("DX-001,张三,1,2,签了,,,,,,"))

    assert (problem.rule, problem.column, problem.value) == ("cell.enum", "当前状态", "签了")
    assert said(problem, "check.cell.enum")["choices"] == "已摸底、已评估、已签约、已腾空、已拆除、已清运"
    assert said(problem, "check.cell.enum", "en")["choices"].startswith(
        "已摸底 (surveyed), 已评估 (appraised)"
    )


@pytest.mark.parametrize("written", ["3", "3.0", "+3", "３"])
def test_int_forms(written):
    checked = demolition(f"DX-001,张三,{written},2,已摸底,,,,,,")

    assert checked.ok
    assert checked.frame.loc[2, "category"] == 3


@pytest.mark.parametrize("written", ["3.5", "abc", "3个", "1e3"])
def test_not_an_int(written):
    problem = only_error(demolition(f"DX-001,张三,{written},2,已摸底,,,,,,"))

    assert (problem.rule, problem.column, problem.value) == ("cell.int", "户类", written)
    range_ = {"lo": "1", "hi": "6", "example": "1"}  # 户类 is 1-6: the message asks for one of those
    assert said(problem, "check.cell.int.range") == {"value": written, "column": "户类", **range_}


def test_int_outside_its_range():
    problem = only_error(demolition("DX-001,张三,7,2,已摸底,,,,,,"))

    assert (problem.rule, problem.value) == ("cell.range", "7")
    assert said(problem, "check.cell.range.between") == {"value": "7", "column": "户类", "lo": "1", "hi": "6"}


@pytest.mark.parametrize(("written", "rule"), [("大", "cell.number"), ("-1", "cell.range")])
def test_number_rules(written, rule):
    problem = only_error(demolition(f"DX-001,张三,1,2,已摸底,,,,,{written},"))

    assert (problem.rule, problem.column, problem.value) == (rule, "建筑面积", written)


ELECTIONS_MEMBERS = "组织编码,党组织名称,组织类型,党员数,当前阶段\nORG-1,幸福社区党委,社区,{},摸底调研\n"
MILESTONES_HEADER = "节点编码,阶段,节点名称,计划开始,计划完成,进度"


@pytest.mark.parametrize(
    ("written", "value"),
    [('"1,203"', 1203), ('"12,345,678"', 12345678), ('"1,203.0"', 1203), ("１，２０３", 1203)],
)
def test_a_whole_number_with_thousands_separators_is_the_number(written, value):
    """Excel's 使用千位分隔符 format saved to CSV quotes the cell: "1,203". A full-width ， is a comma too."""
    checked = check("elections", ELECTIONS_MEMBERS.format(written))

    assert checked.ok, checked.problems.errors
    assert checked.frame.loc[2, "members"] == value


@pytest.mark.parametrize(
    ("written", "value"), [("1,234.5", 1234.5), ("1,234,567.25", 1234567.25), ("1,234", 1234.0)]
)
def test_a_number_with_thousands_separators_is_the_number(written, value):
    checked = demolition(f'DX-001,张三,1,2,已摸底,,,,,"{written}",')

    assert checked.ok, checked.problems.errors
    assert checked.frame.loc[2, "area_m2"] == value


@pytest.mark.parametrize("written", ["12,5", "1,2345", "1,23", "0,085", "1,234,5", ",123", "1,,234"])
def test_a_comma_that_does_not_group_thousands_is_not_a_number(written):
    """A decimal comma (12,5) or groups of other sizes: refused as before, quoted as written."""
    problem = only_error(demolition(f'DX-001,张三,1,2,已摸底,,,,,"{written}",'))

    assert (problem.rule, problem.column, problem.value) == ("cell.number", "建筑面积", written)
    assert said(problem, "check.cell.number") == {"value": written}


def test_a_grouped_number_with_a_fraction_is_still_not_a_whole_number():
    problem = only_error(check("elections", ELECTIONS_MEMBERS.format('"1,203.5"')))

    assert (problem.rule, problem.column, problem.value) == ("cell.int", "党员数", "1,203.5")


def test_a_grouped_percent_is_read_as_the_number_it_shows_and_checked_against_its_range():
    checked = check("milestones", MILESTONES_HEADER + '\nM-1,1,入户摸底,2024-03-01,2024-03-20,"1,000%"\n')

    problem = only_error(checked)
    assert (problem.rule, problem.value) == ("cell.range", "1,000%")


# --- a percent column typed as fractions (0.95 for 95%) ----------------------------------------


def milestones(*progress: str) -> Checked:
    rows = [f"M-{i},1,入户摸底,2024-03-01,2024-03-20,{p}" for i, p in enumerate(progress, start=1)]
    return check("milestones", MILESTONES_HEADER + "\n" + "\n".join(rows) + "\n")


def test_a_percent_column_of_fractions_is_stored_as_written_with_a_warning_at_each_fraction():
    """=实到/应到 without the % format gives 0.95: stored as 0.95 (%), as the contract reads it, but every
    value being 1 or less with some decimals says the clerk meant 95%. Zero is zero either way."""
    checked = milestones("0.95", "0.5", "1", "0")

    assert checked.ok
    assert list(checked.frame["progress"]) == [0.95, 0.5, 1.0, 0.0]
    warnings = [p for p in checked.problems.warnings if p.rule == "cell.percent.fraction"]
    assert [(p.line, p.column, p.value) for p in warnings] == [
        (2, "进度", "0.95"),
        (3, "进度", "0.5"),
        (4, "进度", "1"),
    ]
    assert said(warnings[0], "check.cell.percent.fraction") == {"column": "进度", "value": "0.95"}


@pytest.mark.parametrize(
    "progress",
    [
        ("0.95", "95"),  # a value over 1: the column is in percent
        ("1", "0", "1"),  # whole numbers only: 1% and 0% are plausible
        ("0.5%", "0.3"),  # a % sign written: the clerk writes percents
        ("85", "85%"),
    ],
)
def test_a_percent_column_that_is_not_all_fractions_gets_no_fraction_warning(progress):
    checked = milestones(*progress)

    assert checked.ok
    assert [p.rule for p in checked.problems.warnings] == []


# --- rows and cross-field rules ----------------------------------------------------------


def test_a_repeated_key_cites_the_line_of_its_first_use():
    checked = demolition(GOOD, "DX-002,李四,1,2,已摸底,,,,,,", "DX-001,王五,1,2,已摸底,,,,,,")

    problem = only_error(checked)
    assert (problem.rule, problem.line, problem.column, problem.value) == (
        "key.duplicate",
        4,
        "房产编号",
        "DX-001",
    )
    assert fields_in(said(problem, "check.key.duplicate")["first"], "where.line") == {"line": "2"}


def test_a_repeated_composite_key_counts_dates_written_differently_as_the_same():
    checked = check(
        "activities",
        "活动日期,项目编码,活动名称,活动类型,参与人数\n"
        "2024-05-03,BR-01,健康讲座,健康讲座,40\n"
        "2024/5/3,BR-01,健康讲座,health,41\n",
    )

    problem = only_error(checked)
    assert (problem.rule, problem.line) == ("key.duplicate", 3)
    assert fields_in(said(problem, "check.key.duplicate")["first"], "where.line") == {"line": "2"}


def test_a_later_date_before_an_earlier_one():
    problem = only_error(demolition("DX-001,张三,1,2,已腾空,2024-05-03,2024-05-01,,,,"))

    assert (problem.rule, problem.line, problem.column) == (
        "date_order.signed_date.vacated_date",
        2,
        "腾空日期",
    )
    assert said(problem, "check.date_order") == {
        "column": "腾空日期",
        "value": "2024-05-01",
        "other": "签约日期",
    }


def test_milestone_cannot_end_before_it_starts():
    checked = check(
        "milestones",
        "节点编码,阶段,节点名称,计划开始,计划完成,进度\nM-1,1,入户摸底,2024-03-20,2024-03-01,0\n",
    )

    assert found(checked) == [("date_order.planned_start.planned_end", 2, "计划完成")]


def test_dates_become_required_as_the_status_advances():
    checked = demolition("DX-001,张三,1,2,已拆除,2024-05-03,,,,,")

    assert found(checked) == [
        ("required_from.vacated_date", 2, "腾空日期"),
        ("required_from.demolished_date", 2, "拆除日期"),
    ]
    assert said(checked.problems.errors[0], "check.required_from") == {
        "status": "当前状态",
        "label": "已腾空",
        "column": "腾空日期",
    }


ELECTIONS_HEADER = "组织编码,党组织名称,组织类型,党员数,当前阶段,完成日期,任期届满日期"


def test_completed_election_needs_its_completion_date():
    checked = check("elections", ELECTIONS_HEADER + "\nORG-1,东辛村党支部,村,15,已完成,,\n")

    assert found(checked) == [("required_from.completed_date", 2, "完成日期")]


def test_completion_date_must_stay_empty_before_the_election_is_completed():
    checked = check("elections", ELECTIONS_HEADER + "\nORG-1,东辛村党支部,村,15,选举大会,2024-05-03,\n")

    problem = only_error(checked)
    assert (problem.rule, problem.line, problem.column) == ("empty_before.completed_date", 2, "完成日期")
    assert said(problem, "check.empty_before") == {
        "status": "当前阶段",
        "label": "已完成",
        "column": "完成日期",
    }


def test_term_end_defaults_to_completion_plus_five_years():
    checked = check(
        "elections",
        ELECTIONS_HEADER + "\n"
        "ORG-1,东辛村党支部,村,15,已完成,2024-05-03,\n"
        "ORG-2,创科社区党委,社区,40,已完成,2024-05-03,2028-01-01\n",
    )

    assert checked.ok
    assert checked.frame.loc[2, "term_end"] == pd.Timestamp(2024 + TERM_YEARS, 5, 3)
    assert checked.frame.loc[3, "term_end"] == pd.Timestamp("2028-01-01")


def test_activity_must_belong_to_an_existing_brand():
    text = (
        "活动日期,项目编码,活动名称,活动类型,参与人数\n"
        "2024-05-03,BR-01,讲座,健康讲座,40\n"
        "2024-05-04,BR-09,义诊,志愿服务,12\n"
    )

    checked = check("activities", text, refs={"brands": {"BR-01"}})

    problem = only_error(checked)
    assert (problem.rule, problem.line, problem.column, problem.value) == (
        "foreign_key.project_code",
        3,
        "项目编码",
        "BR-09",
    )
    assert said(problem, "check.foreign_key") == {
        "value": "BR-09",
        "ref": "一社区一品牌",
        "column": "项目编码",
    }


def test_foreign_keys_are_skipped_without_refs():
    text = "活动日期,项目编码,活动名称,活动类型,参与人数\n2024-05-04,BR-09,义诊,志愿服务,12\n"

    assert check("activities", text).ok


# --- all problems together, at the right lines -------------------------------------------


def test_every_problem_is_collected_with_its_spreadsheet_line():
    checked = demolition(
        GOOD,
        'DX-002,李四,1,2,已摸底,,,,,,"备注\n跨两行"',  # lines 3-4
        "DX-003,王五,8,2,已摸底,,,,,,",  # line 5
        "DX-004,,1,2,拆了,,,,,abc,",  # line 6
        "DX-001,赵六,1,5,已摸底,2024-02-30,,,,,",  # line 7
    )

    assert found(checked) == [
        ("cell.range", 5, "户类"),
        ("cell.required", 6, "户主"),
        ("cell.enum", 6, "当前状态"),
        ("cell.number", 6, "建筑面积"),
        ("cell.range", 7, "党小组"),
        ("cell.date", 7, "签约日期"),
        ("key.duplicate", 7, "房产编号"),
    ]
    assert not checked.ok


def test_a_row_with_too_many_cells_is_among_the_problems():
    checked = demolition(GOOD, GOOD.replace("DX-001", "DX-002") + ",多余")

    assert found(checked) == [("row.too_many_cells", 3, None)]


def test_columns_are_named_as_written_in_the_file():
    checked = check(
        "demolition",
        "property_id,household,category,party_group,status\nDX-001,张三,9,1,surveyed\n",
    )

    assert [(p.column, p.value) for p in checked.problems.errors] == [("category", "9")]


def test_xlsx_with_real_date_cells_validates(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["房产编号", "户主", "户类", "党小组", "当前状态", "签约日期", "腾空日期"])
    book.active.append(["DX-001", "张三", 1, 2, "已腾空", dt.date(2024, 5, 3), dt.datetime(2024, 6, 1)])
    path = tmp_path / "ledger.xlsx"
    book.save(path)

    checked = validate(get_dataset("demolition"), read_table(path.read_bytes(), path.name))

    assert checked.ok
    assert checked.frame.loc[2, "vacated_date"] == pd.Timestamp("2024-06-01")
    assert checked.frame.loc[2, "category"] == 1


# --- a bug is a bug ----------------------------------------------------------------------------


def test_a_crashing_check_raises_check_crashed_instead_of_marking_cells_invalid(monkeypatch):
    def broken(values: pa.Array) -> cells.Parsed:
        raise ZeroDivisionError("bug in the int parser")

    monkeypatch.setitem(cells.PARSERS, ColType.INT, broken)

    with pytest.raises(CheckCrashed) as caught:
        demolition(GOOD)

    assert caught.value.rule == "cell.int"
    assert isinstance(caught.value.cause, ZeroDivisionError)


# --- typed frames from elsewhere -----------------------------------------------------------------


def test_coerce_types_casts_rows_read_back_from_a_database():
    stored = pd.DataFrame(
        {
            "property_id": ["DX-001", "DX-002"],
            "household": ["张三", None],
            "category": [1.0, None],
            "status": ["signed", "surveyed"],
            "signed_date": [dt.date(2024, 5, 3), None],
            "vacated_date": ["2024-06-01", None],
            "key_household": [1, 0],
            "area_m2": [186.5, None],
        }
    )

    frame = coerce_types(get_dataset("demolition"), stored)

    assert list(frame.dtypes) == list(typed_empty(get_dataset("demolition")).dtypes)
    assert frame.loc[0, "signed_date"] == pd.Timestamp("2024-05-03")
    assert frame.loc[0, "vacated_date"] == pd.Timestamp("2024-06-01")
    assert frame["key_household"].tolist() == [True, False]
    assert frame.loc[0, "category"] == 1
    assert frame["party_group"].isna().all()  # absent column: all missing


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=20))
def test_no_cell_text_whatsoever_crashes_a_parser(texts):
    values = pa.array(texts, pa.large_string())
    enum = get_dataset("demolition").column("status").enum
    for parsed in [*(parse(values) for parse in cells.PARSERS.values()), cells.parse_enum(values, enum)]:
        assert len(parsed.values) == len(texts)
        assert not any(parsed.bad[i] for i, t in enumerate(texts) if t is None)


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["12", "12.0", "+3", "x", "85%", "是", "否", "signed", "签约", ""]),
            st.sampled_from(["2024-05-03", "2024/5/3 0:00", "2024年5月3日 9:30", "2023-02-29"]),
            st.sampled_from(["2024-1-1 9:61", "2024-1-1 23:59:59"]),
            st.text(max_size=6),
        ),
        max_size=40,
    )
)
def test_a_column_parsed_a_slice_at_a_time_is_the_column_parsed_whole(texts):
    """A million cells are parsed 262,144 at a time (what a parse makes on the way is held for one
    slice); each cell's value, fault and note are what one parse of the whole column gives."""
    values = pa.array(texts, pa.large_string())
    enum = get_dataset("demolition").column("status").enum
    parsers = [*cells.PARSERS.values(), lambda v: cells.parse_enum(v, enum)]
    whole = [parse(values) for parse in parsers]
    original = cells.SLICE_ROWS
    cells.SLICE_ROWS = 3
    try:
        sliced = [parse(values) for parse in parsers]
    finally:
        cells.SLICE_ROWS = original
    for a, b in zip(whole, sliced, strict=True):
        assert a.values.equals(b.values)
        assert a.bad.tolist() == b.bad.tolist()
        assert _noted(a, len(texts)) == _noted(b, len(texts))


def _noted(parsed: cells.Parsed, n: int) -> list[bool]:
    return [False] * n if parsed.noted is None else [bool(x) for x in parsed.noted]
