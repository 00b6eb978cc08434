"""Workbooks and headers as offices make them, beyond the template: which sheets are the ledger,
how a header may be spelled, which rows under a table are not data.

Found by trying office-made files that are not in this repository: a month sheet with one column
more was left out behind a warning, a hidden sheet was read as data, a 汇总 sheet first was taken
for the ledger, *组织编码 and 到会率% did not name their columns, 第一党小组小计 and 注：… were read
as rows, and a code pasted with a zero-width space failed its reference check looking right.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from dashboard import i18n
from dashboard.contract import normalise_text
from dashboard.ingest.problems import UnreadableFile
from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import validate
from tests.test_office_files import HEADER, TITLE, check, rules, xlsx


def _hide(data: bytes, *names: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for name in names:
        book[name].sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- which sheets are the ledger ---------------------------------------------------------------


def test_a_month_sheet_with_one_column_more_or_its_columns_in_another_order_is_read_by_name():
    april = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]
    may = [[*HEADER, "备注"], ["DX-002", "李四", 2, 3, "已评估", "外出务工"]]
    june = [["户主", "房产编号", "户类", "当前状态", "党小组"], ["王五", "DX-003", 3, "已摸底", 4]]

    raw = read_table(xlsx({"4月": april, "5月": may, "6月": june}), "ledger.xlsx", "demolition")
    checked = validate("demolition", raw)

    assert checked.ok, checked.problems.errors
    assert raw.sheets == ["4月", "5月", "6月"]
    assert not [p for p in checked.problems.warnings if p.rule.startswith("read.sheet")]
    frame = checked.frame
    assert frame["property_id"].tolist() == ["DX-001", "DX-002", "DX-003"]
    assert frame["household"].tolist() == ["张三", "李四", "王五"]
    assert frame["party_group"].tolist() == [2, 3, 4]
    assert frame["note"].tolist()[1] == "外出务工" and frame["note"].isna().tolist() == [True, False, True]


def test_a_month_sheet_that_lost_a_required_column_is_read_and_its_rows_refused_where_they_are():
    april = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]
    may = [[h for h in HEADER if h != "户类"], ["DX-002", "李四", 3, "已评估"]]

    checked = check("demolition", xlsx({"4月": april, "5月": may}))

    [error] = checked.problems.errors
    assert (error.rule, error.sheet, error.line, error.column) == ("cell.required", "5月", 2, "户类")


def test_a_hidden_sheet_is_not_read_and_a_warning_names_it():
    current = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]
    old = [HEADER, ["DX-001", "张三（旧）", 1, 2, "已摸底"], ["DX-009", "已撤并", 1, 1, "已摸底"]]

    raw = read_table(_hide(xlsx({"台账": current, "2021届(旧)": old}), "2021届(旧)"), "ledger.xlsx")
    checked = validate("demolition", raw)

    assert checked.ok, checked.problems.errors
    assert checked.frame["property_id"].tolist() == ["DX-001"]
    [hidden] = [p for p in checked.problems.warnings if p.rule == "read.sheet.hidden"]
    assert hidden.sheet == "2021届(旧)"
    assert "隐藏" in hidden.message and "hidden" in hidden.message_en


def test_a_ledger_on_a_hidden_sheet_alone_is_still_read():
    guide = [["填表说明"], ["户类填 1-6"]]
    rows = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]

    checked = check("demolition", _hide(xlsx({"说明": guide, "台账": rows}), "台账"))

    assert checked.ok and checked.frame["property_id"].tolist() == ["DX-001"]


def test_a_summary_sheet_first_is_left_out_and_the_ledger_read_from_the_sheet_that_has_every_column():
    summary = [["党小组", "户数", "已签约户数", "建筑面积"], [1, 12, 8, 1520.5], [2, 9, 9, 980]]
    detail = [TITLE, HEADER, ["DX-001", "张三", 1, 1, "已摸底"], ["DX-002", "李四", 2, 2, "已评估"]]

    raw = read_table(xlsx({"汇总": summary, "明细": detail}), "ledger.xlsx", "demolition")
    checked = validate("demolition", raw)

    assert checked.ok, checked.problems.errors
    assert raw.sheets == ["明细"] and raw.header_lines == {"明细": 2}
    [left] = [p for p in checked.problems.warnings if p.rule == "read.sheet.summary"]
    assert left.sheet == "汇总"
    assert "党小组" in left.message and "建筑面积" in left.message and "summary" in left.message_en


def test_a_workbook_holding_two_ledgers_is_read_as_the_one_it_is_uploaded_as():
    houses = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]
    nodes = [
        ["节点编码", "阶段", "节点名称", "计划开始", "计划完成", "进度"],
        ["M-01", 1, "入户调查", "2024-03-01", "2024-03-20", 100],
    ]
    data = xlsx({"房产": houses, "节点": nodes})

    milestones = validate("milestones", read_table(data, "ledger.xlsx", "milestones"))
    demolition = validate("demolition", read_table(data, "ledger.xlsx", "demolition"))

    assert milestones.ok, milestones.problems.errors
    assert milestones.frame["milestone_code"].tolist() == ["M-01"]
    assert demolition.ok and demolition.frame["property_id"].tolist() == ["DX-001"]


def test_a_file_without_a_header_names_the_columns_of_the_ledger_it_is_uploaded_as():
    with pytest.raises(UnreadableFile) as caught:
        read_table(xlsx({"Sheet1": [[None]]}), "empty.xlsx", "elections")

    assert "组织编码" in caught.value.message and "房产编号" not in caught.value.message


# --- headers as offices spell them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "members", "turnout"),
    [
        ("*组织编码", "党员数/人", "到会率%"),
        ("组织编码【必填】", "党员数（人）", "到会率（%）"),
        ("【必填】组织编码", "党员数", "到会率"),
    ],
)
def test_a_required_mark_before_a_header_a_note_in_brackets_and_a_unit_after_a_slash_or_percent_sign(
    code: str, members: str, turnout: str
):
    header = [code, "党组织名称", "组织类型", members, "当前阶段", turnout]
    rows = [header, ["C01", "东辛村党支部", "村", 15, "摸底调研", 95]]

    checked = check("elections", xlsx({"换届": rows}))

    assert checked.ok and not checked.problems.warnings, checked.problems.items
    assert set(checked.column_map) == {"org_code", "org_name", "org_type", "members", "stage", "turnout"}
    assert checked.frame["turnout"].tolist() == [95]


# --- rows under the table that are not data --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("第一党小组小计", "read.skipped.total"),
        ("本页合计", "read.skipped.total"),
        ("合计（2个）", "read.skipped.total"),
        ("合计：2户", "read.skipped.total"),
        ("小计（第一党小组）", "read.skipped.total"),
        ("注：1.户类按评估结果填写", "read.skipped.footer"),
        ("说明：日期写成 2024-05-03", "read.skipped.footer"),
        ("单位负责人：王强  联系电话：1380000", "read.skipped.footer"),
        ("填报单位（盖章）：东辛村临时党支部", "read.skipped.footer"),
    ],
)
def test_a_total_named_more_than_by_its_word_and_a_note_under_the_table_are_skipped_with_a_warning(
    text: str, rule: str
):
    rows = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"], [text, None, 3, None, None]]

    checked = check("demolition", xlsx({"台账": rows}))

    assert checked.ok, checked.problems.errors
    assert checked.frame["property_id"].tolist() == ["DX-001"]
    assert rules(checked.problems.warnings) == [(rule, 3)]


def test_a_household_whose_name_only_starts_like_a_total_or_a_note_is_data():
    rows = [
        ["户主", "房产编号", "户类", "党小组", "当前状态"],
        ["小计划", "DX-001", 1, 2, "已摸底"],
        ["注册", "DX-002", 1, 2, "已摸底"],
        ["说明书", "DX-003", 1, 2, "已摸底"],
    ]

    checked = check("demolition", xlsx({"台账": rows}))

    assert checked.ok and not checked.problems.warnings, checked.problems.items
    assert checked.frame["household"].tolist() == ["小计划", "注册", "说明书"]


# --- text pasted from a chat or a web page -----------------------------------------------------


def test_zero_width_characters_and_a_bom_inside_a_cell_are_removed_like_spaces():
    rows = [
        HEADER,
        ["DX-001\u200b", "张\u200d三", 1, 2, "已摸底"],
        ["\ufeffDX-002", "李四\u2060", 2, 3, "已评估"],
    ]

    checked = check("demolition", xlsx({"台账": rows}))

    assert checked.ok, checked.problems.errors
    assert checked.frame["property_id"].tolist() == ["DX-001", "DX-002"]
    assert checked.frame["household"].tolist() == ["张三", "李四"]
    assert normalise_text(" 示例社区Ａ\u200b ") == "示例社区A"  # a scope typed the same way matches


def test_every_new_message_reads_in_both_languages():
    for key in ("read.sheet.hidden", "read.sheet.summary", "read.no_header_of"):
        zh, en = i18n.both(key, sheet="汇总", columns="党小组、户数")
        assert zh and en and zh != en


# --- a header over two rows ------------------------------------------------------------------


def _two_row_form() -> list[list[object]]:
    return [
        ["2024年换届工作进度表"],
        ["序号", "组织编码", "党组织名称", "组织类型", "党员数", "当前阶段", "时间节点", None, None],
        [None, None, None, None, None, None, "计划完成日期", "完成日期", "任期届满日期"],
        [1, "ORG-001", "东辛村党支部", "村", 61, "已完成", "2024-05-12", "2024-05-11", None],
        [2, "ORG-002", "西河村党支部", "村", 78, "选举大会", "2024-05-30", None, None],
    ]


def test_a_form_whose_dates_sit_under_one_merged_label_reads_the_header_from_both_rows():
    merges = ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:I2", "A1:I1"]

    raw = read_table(xlsx({"换届": _two_row_form()}, {"换届": merges}), "form.xlsx", "elections")
    checked = validate("elections", raw)

    assert checked.ok, checked.problems.errors
    assert raw.header_lines == {"换届": 3}
    assert list(checked.frame.index) == [4, 5]  # the sheet's own lines
    assert checked.frame["planned_date"].astype(str).tolist() == ["2024-05-12", "2024-05-30"]
    assert checked.frame["completed_date"].astype(str).tolist()[0] == "2024-05-11"
    assert rules(checked.problems.warnings) == [("header.ignored", 3)]  # 序号 only


def test_the_same_form_saved_as_csv_reads_the_same_rows_at_the_same_lines():
    lines = [",".join("" if v is None else str(v) for v in row) for row in _two_row_form()]

    checked = check("elections", "\n".join(lines).encode("gbk"), "form.csv")

    assert checked.ok, checked.problems.errors
    assert list(checked.frame.index) == [4, 5]
    assert checked.frame["planned_date"].astype(str).tolist() == ["2024-05-12", "2024-05-30"]
