"""The read summary: how a file was read, said back before anything is written (dashboard.ingest.summary)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from dashboard.ingest.problems import Problem
from dashboard.ingest.reading import read_table
from dashboard.ingest.summary import ReadSummary, summarise
from dashboard.state.upload import read_facts


def test_a_gbk_csv_names_its_encoding_separator_header_row_and_column_mapping() -> None:
    data = "房产编号,户主,category,党小组,当前状态,联系电话\nDX-1,张三,1,1,已评估,138\n".encode("gbk")
    summary = summarise(read_table(data, "台账.csv"), "demolition")
    assert (summary.kind, summary.encoding, summary.delimiter) == ("csv", "gb18030", ",")
    assert summary.header_lines == {"": 1}
    assert [(m.written, m.column, m.header) for m in summary.columns] == [
        ("房产编号", "property_id", "房产编号"),
        ("户主", "household", "户主"),
        ("category", "category", "户类"),  # validation's own matching: the English name counts
        ("党小组", "party_group", "党小组"),
        ("当前状态", "status", "当前状态"),
    ]
    assert summary.ignored == ["联系电话"]
    facts = {f["label"]: f["value"] for f in read_facts(summary)}
    assert facts == {
        "文件类型": "CSV 文本",
        "编码": "GBK（GB18030，中文 Windows 默认）",
        "分隔符": "逗号",
        "表头行": "第 1 行",
    }
    assert {f["label_en"]: f["value_en"] for f in read_facts(summary)}[
        "Encoding"
    ] == "GBK (GB18030, Chinese Windows)"


def test_a_workbook_names_its_sheet_and_the_line_its_header_is_on() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "拆迁台账"
    sheet.append([])
    sheet.append(["房产编号", "户主", "户类", "党小组", "当前状态"])
    sheet.append(["DX-1", "张三", 1, 1, "已评估"])
    out = io.BytesIO()
    book.save(out)
    summary = summarise(read_table(out.getvalue(), "台账.xlsx"), "demolition")
    assert (summary.kind, summary.sheets, summary.header_lines) == ("xlsx", ["拆迁台账"], {"拆迁台账": 2})
    facts = {f["label"]: f["value"] for f in read_facts(summary)}
    assert facts == {"文件类型": "Excel 工作簿（.xlsx）", "工作表": "「拆迁台账」", "表头行": "第 2 行"}


def test_skipped_lines_are_listed_with_the_readers_reason_and_sheet() -> None:
    raw = read_table("房产编号,户主,户类,党小组,当前状态\nDX-1,张三,1,1,已评估\n".encode())
    raw.problems.add(
        Problem(
            "read.skipped.total",
            "第 9 行是合计行，已跳过。",
            "Line 9 is a total; skipped.",
            line=9,
            severity="warning",
            sheet="3月",
        )
    )
    raw.problems.add(Problem("cell.int", "x", "x", line=2, column="户类", severity="warning"))
    raw.sheets, raw.header_lines = ["3月", "4月"], {"3月": 3, "4月": 2}
    summary = summarise(raw, "demolition")
    assert [(s.line, s.sheet, s.rule, s.message) for s in summary.skipped] == [
        (9, "3月", "read.skipped.total", "第 9 行是合计行，已跳过。")
    ]
    assert ReadSummary.from_json(summary.to_json()) == summary
    facts = {f["label"]: f["value"] for f in read_facts(summary)}
    assert facts["工作表"] == "「3月」、「4月」" and facts["表头行"] == "「3月」第 3 行，「4月」第 2 行"
    facts_en = {f["label_en"]: f["value_en"] for f in read_facts(summary)}
    assert facts_en["Sheet(s)"] == "'3月', '4月'" and facts_en["Header row"] == "'3月' line 3, '4月' line 2"


def test_an_upload_that_changes_nothing_says_so_before_it_is_confirmed():
    """An unchanged export uploaded again would still make a version (the boards' 数据截至 moves):
    the preview says the file matches the current data, in both languages."""
    from dashboard.state.upload import counts_text

    same = counts_text({"rows": 307, "added": 0, "changed": 0, "removed": 0, "skipped": 0})
    edit = counts_text({"rows": 307, "added": 1, "changed": 2, "removed": 0, "skipped": 0})

    assert same[0].startswith("307 行：新增 0") and "与当前数据相同" in same[0]
    assert "matches the current data" in same[1]
    assert "相同" not in edit[0] and "matches" not in edit[1]
