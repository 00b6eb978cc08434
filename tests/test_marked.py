"""A refused upload comes back as the user's own workbook with the problems marked.

Files are made here with openpyxl the way offices make them (title rows above the header, a
merged title, formatting, several sheets) and checked through the real import path
(dashboard.store.storage); problems that today's reader cannot yet produce for such files
(title rows, a problem's sheet) are given as the reader will report them: the spreadsheet's
own row, the header as written.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from starlette.testclient import TestClient

from dashboard import api
from dashboard.accounts import auth
from dashboard.ingest.problems import Problem
from dashboard.store import storage
from dashboard.store.marked import RED, YELLOW, header_key, mark_workbook

PASSWORD = "pass-word-1"
ROOT = Path(__file__).resolve().parents[1]
HEADER = ["房产编号", "户主", "户类", "党小组", "当前状态", "签约日期", "备注"]
BAD_CSV = (
    "房产编号,户主,户类,党小组,当前状态,签约日期,备注\n"
    'DX-001,张三丰,九,1,已签约,2024-05-03,"两行\n备注"\n'
    "DX-002,李四,2,1,已评估,,007\n"
    "DX-003,王五,2,7,已签约,,\n"
).encode()


def _engine(url: str) -> sa.Engine:
    eng = storage.make_engine(url)
    storage.migrate(eng)
    return eng


def _book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def coloured(wb: Workbook, rgb: str) -> set[tuple[str, str]]:
    """(sheet, cell) of every cell filled with ``rgb`` in the user's sheets (not our list)."""
    return {
        (s.title, c.coordinate)
        for s in wb.worksheets
        if s.title not in ("问题清单", "Problems")
        for row in s.iter_rows()
        for c in row
        if c.fill is not None and c.fill.fgColor is not None and c.fill.fgColor.rgb == rgb
    }


def office_workbook(rows: list[list[object]]) -> bytes:
    """A ledger as an office makes it: a merged title, a 单位 line, the header on row 3, a second
    sheet, a bold header, a coloured cell and a wide column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "3月"
    ws.append(["东辛村拆迁房产进度表"])
    ws.merge_cells("A1:G1")
    ws["A1"].font = Font(bold=True, size=16)
    ws.append(["填报单位：东辛村", None, None, None, "日期：2024-05"])
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    ws["G4"].fill = PatternFill("solid", fgColor="FFCCE5FF")  # the user's own colour
    ws.column_dimensions["B"].width = 21
    other = wb.create_sheet("备用")
    other["A1"] = "留作下月"
    return _save(wb)


def problem(
    line: int | None, column: str | None, message: str, severity: str = "error", **extra: object
) -> Problem:
    return Problem(
        extra.pop("rule", "cell.int"),
        message,
        message + " (en)",
        line=line,
        column=column,
        severity=severity,
        **extra,
    )  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Marking, located from the problem


def test_red_cells_are_exactly_the_error_cells_below_title_rows_and_carry_their_messages() -> None:
    data = office_workbook(
        [["DX-001", "张三丰", "九", 1, "已签约", date(2024, 5, 3)], ["DX-002", "李四", 2, 7, "已签约"]]
    )
    problems = [
        problem(4, "户类", "「九」不是整数"),
        problem(5, "党小组", "「7」超出范围"),
        problem(5, "签约日期", "必须填写「签约日期」", rule="required_from.signed_date"),
    ]

    wb = _book(mark_workbook(data, "demolition", problems))

    assert coloured(wb, RED) == {("3月", "C4"), ("3月", "D5"), ("3月", "F5")}
    assert wb["3月"]["C4"].comment.text == "「九」不是整数"
    assert wb["3月"]["F5"].comment.text == "必须填写「签约日期」"
    # the user's file is kept: sheets in order, title, merge, fonts, their own colour, widths
    assert wb.sheetnames == ["3月", "备用", "问题清单"]
    assert wb["3月"]["A1"].value == "东辛村拆迁房产进度表" and wb["3月"]["A1"].font.size == 16
    assert "A1:G1" in {str(r) for r in wb["3月"].merged_cells.ranges}
    assert wb["3月"]["G4"].fill.fgColor.rgb == "FFCCE5FF"
    assert wb["3月"].column_dimensions["B"].width == 21
    assert wb["备用"]["A1"].value == "留作下月"


def test_the_problem_list_sheet_links_every_problem_to_its_cell() -> None:
    data = office_workbook([["DX-001", "张三丰", "九", 1, "已评估"]])
    problems = [problem(4, "户类", "「九」不是整数"), problem(None, None, "文件级问题", rule="file.x")]

    wb = _book(mark_workbook(data, "demolition", problems))

    sheet = wb["问题清单"]
    rows = [{h.value: c for h, c in zip(sheet[2], r, strict=True)} for r in sheet.iter_rows(min_row=3)]
    assert len(rows) == 2
    first = next(r for r in rows if r["问题"].value == "「九」不是整数")
    assert first["单元格"].value == "C4" and first["单元格"].hyperlink.location == "'3月'!C4"
    assert first["工作表"].value == "3月" and first["行"].value == 4 and first["列"].value == "户类"
    assert first["级别"].value == "错误" and first["级别"].fill.fgColor.rgb == RED
    whole_file = next(r for r in rows if r["问题"].value == "文件级问题")
    assert whole_file["单元格"].value is None and whole_file["单元格"].hyperlink is None


def test_a_value_that_looks_like_a_formula_is_listed_as_text() -> None:
    data = office_workbook([["DX-001", "张三丰", "=1+1", 1, "已评估"]])
    listed = _book(mark_workbook(data, "demolition", [problem(4, "户类", "不是整数", value="=1+1")]))[
        "问题清单"
    ]
    value = next(c for c in listed[3] if c.value == "=1+1")
    assert value.data_type == "s"  # shown, never run


def test_a_missing_required_column_is_named_in_a_note_on_the_header_row() -> None:
    data = office_workbook([["DX-001", "张三丰", 1, 1, "已评估"]])
    problems = [
        problem(1, "重点户", "缺少必填列「重点户」", rule="header.missing"),
        problem(1, "面积", "缺少", rule="header.missing"),
    ]

    wb = _book(mark_workbook(data, "demolition", problems))

    note = wb["3月"]["H3"]  # right of the last header cell, on the header row (row 3 here)
    assert note.comment is not None and "重点户" in note.comment.text and "面积" in note.comment.text
    assert note.value is None  # a note, not a new column


def test_warnings_are_yellow_a_skipped_row_whole_and_an_ignored_column_on_its_header() -> None:
    data = office_workbook(
        [["DX-001", "张三丰", 1, 1, "已评估"], ["合计", None, None, None, None, None, "1 户"]]
    )
    problems = [
        problem(5, None, "合计行已跳过", severity="warning", rule="row.total"),
        problem(1, "备注", "列「备注」已忽略", severity="warning", rule="header.ignored"),
    ]

    wb = _book(mark_workbook(data, "demolition", problems))

    assert coloured(wb, RED) == set()
    yellow = {c for s, c in coloured(wb, YELLOW) if s == "3月"}
    assert {"A5", "B5", "C5", "D5", "E5", "F5", "G5"} <= yellow and "G3" in yellow
    assert wb["3月"]["A5"].comment.text == "合计行已跳过"


def test_a_problem_names_its_sheet_when_the_ledger_spans_sheets() -> None:
    wb = Workbook()
    for title in ("3月", "4月"):
        ws = wb.create_sheet(title)
        ws.append(HEADER)
        ws.append(["DX-1", "张三", 1, 1, "已评估"])
        ws.append(["DX-2", "李四", "x", 1, "已评估"])
    wb.remove(wb["Sheet"])
    bad = SimpleNamespace(
        rule="cell.int", message="不是整数", message_en="not whole", line=3, column="户类", value="x",
        severity="error", sheet="4月",
    )  # fmt: skip

    marked = _book(mark_workbook(_save(wb), "demolition", [bad]))

    assert coloured(marked, RED) == {("4月", "C3")}


def test_without_a_sheet_named_the_marks_go_to_the_sheet_holding_the_header_not_a_guide_first() -> None:
    wb = Workbook()
    guide = wb.active
    guide.title = "填表说明"
    for h in HEADER:  # a guide listing the columns, one a row
        guide.append([h, "说明"])
    ledger = wb.create_sheet("台账")
    ledger.append(HEADER)
    ledger.append(["DX-1", "张三", "九", 1, "已评估"])

    marked = _book(mark_workbook(_save(wb), "demolition", [problem(2, "户类", "不是整数")]))

    assert coloured(marked, RED) == {("台账", "C2")}


def test_headers_are_matched_as_templates_write_them() -> None:
    assert header_key("组织编码*") == header_key("组织编码＊") == "组织编码"
    assert header_key("党员数（人）") == header_key("党员数 (人)") == header_key("党员\n数") == "党员数"
    wb = Workbook()
    ws = wb.active
    ws.append(["组织编码*", "党组织名称", "党员数（人）"])
    ws.append(["ORG-1", "示例", "三十"])
    marked = _book(mark_workbook(_save(wb), "elections", [problem(2, "党员数（人）", "不是整数")]))
    assert coloured(marked, RED) == {("Sheet", "C2")}


def test_comments_and_the_list_follow_the_viewers_language() -> None:
    data = office_workbook([["DX-001", "张三丰", "九", 1, "已评估"]])
    wb = _book(mark_workbook(data, "demolition", [problem(4, "户类", "「九」不是整数")], lang="en"))
    assert wb["3月"]["C4"].comment.text == "「九」不是整数 (en)"
    assert wb.sheetnames[-1] == "Problems"


# ---------------------------------------------------------------------------
# Through the real import path


def test_a_refused_csv_comes_back_as_a_workbook_marked_at_its_rows_and_fixing_it_is_accepted(
    sqlite_url: str,
) -> None:
    engine = _engine(sqlite_url)
    refused = storage.import_file(engine, "demolition", BAD_CSV, "台账.csv", dry_run=True)
    assert not refused.accepted

    wb = _book(mark_workbook(BAD_CSV, "demolition", refused.problems.items))

    sheet = wb.worksheets[0]
    assert wb.sheetnames == ["拆迁房产进度", "问题清单"]
    # line 5 of the file (a quoted cell spans lines 2-3) is the sheet's row 4
    assert coloured(wb, RED) == {("拆迁房产进度", "C2"), ("拆迁房产进度", "D4"), ("拆迁房产进度", "F4")}
    assert {sheet[c].comment.text for c in ("C2", "D4", "F4")} == {p.message for p in refused.problems.errors}
    assert sheet["G3"].value == "007" and sheet["G3"].data_type == "s"  # every cell text as written
    sheet["C2"], sheet["D4"], sheet["F4"] = 1, 2, date(2024, 5, 6)

    fixed = storage.import_file(engine, "demolition", _save(wb), "台账.xlsx")

    assert fixed.accepted, fixed.to_json()["errors"]
    assert fixed.rows == 3  # the 问题清单 sheet is not read, and the reader says so
    assert [(p.rule, p.sheet) for p in fixed.problems.items] == [("read.sheet.skipped", "问题清单")]
    assert storage.load_current(engine, "demolition")["note"].tolist()[1] == "007"


def test_a_gbk_tab_separated_csv_is_marked_with_its_chinese_intact(sqlite_url: str) -> None:
    engine = _engine(sqlite_url)
    text = "房产编号\t户主\t户类\t党小组\t当前状态\r\nDX-001\t张三丰\t九\t1\t已评估\r\n"
    data = text.encode("gbk")  # what Excel on a Chinese Windows saves
    refused = storage.import_file(engine, "demolition", data, "台账.csv", dry_run=True)

    sheet = _book(mark_workbook(data, "demolition", refused.problems.items)).worksheets[0]

    assert [c.value for c in sheet[1]] == HEADER[:5] and sheet["B2"].value == "张三丰"
    assert sheet["C2"].fill.fgColor.rgb == RED


def test_a_refused_xlsx_is_marked_in_place_and_a_second_refusal_clears_the_first_marks(
    sqlite_url: str,
) -> None:
    engine = _engine(sqlite_url)
    wb = Workbook()
    ws = wb.active
    ws.title = "房产"
    ws.append(HEADER)
    ws.append(["DX-001", "张三丰", "九", 1, "已评估"])
    ws.append(["DX-002", "李四", 2, 1, "已评估"])
    ws["A1"].font = Font(bold=True, color="FF0000FF")
    data = _save(wb)
    first = storage.import_file(engine, "demolition", data, "a.xlsx", dry_run=True)
    marked = _book(mark_workbook(data, "demolition", first.problems.items))
    assert coloured(marked, RED) == {("房产", "C2")} and marked["房产"]["A1"].font.color.rgb == "FF0000FF"
    marked["房产"]["C2"] = 3
    marked["房产"]["D3"] = 9  # fixed one, broke another
    second_data = _save(marked)
    second = storage.import_file(engine, "demolition", second_data, "a.xlsx", dry_run=True)

    again = _book(mark_workbook(second_data, "demolition", second.problems.items))

    assert coloured(again, RED) == {("房产", "D3")}  # the old mark on C2 is gone
    assert again["房产"]["C2"].comment is None
    assert again.sheetnames == ["房产", "问题清单"]  # one list, the new one
    again["房产"]["D3"] = 2
    assert storage.import_file(engine, "demolition", _save(again), "a.xlsx").accepted


def test_the_cli_writes_the_marked_workbook_only_when_the_import_is_refused(
    sqlite_url: str, tmp_path: Path
) -> None:
    _engine(sqlite_url)
    (tmp_path / "bad.csv").write_bytes(BAD_CSV)
    good = "房产编号,户主,户类,党小组,当前状态\nDX-001,张三丰,1,1,已评估\n"
    (tmp_path / "good.csv").write_text(good, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "dashboard", "import", "demolition", *args],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
        )  # fmt: skip

    refused = run("bad.csv", "--marked", "标注.xlsx")
    assert refused.returncode == 1 and "标注.xlsx" in refused.stderr
    assert coloured(_book((tmp_path / "标注.xlsx").read_bytes()), RED) == {
        ("拆迁房产进度", "C2"), ("拆迁房产进度", "D4"), ("拆迁房产进度", "F4"),
    }  # fmt: skip
    accepted = run("good.csv", "--marked", "none.xlsx")
    assert accepted.returncode == 0 and not (tmp_path / "none.xlsx").exists()
    assert run("bad.csv", "--marked", "x.csv").returncode == 2


# ---------------------------------------------------------------------------
# The web route


@pytest.fixture
def web(sqlite_url: str) -> sa.Engine:
    engine = _engine(sqlite_url)
    for user, role in (("staff", "editor"), ("staff2", "editor"), ("leader", "viewer")):
        auth.add_user(engine, user, role, PASSWORD)
    return engine


def _client(name: str | None) -> TestClient:
    client = TestClient(api.build())
    if name:
        client.post("/api/login", data={"name": name, "password": PASSWORD})
    return client


def test_the_marked_file_downloads_after_a_refused_check_for_its_uploader_only(web: sa.Engine) -> None:
    staff = _client("staff")
    pending = staff.post("/api/upload?dataset=demolition&name=台账.csv", content=BAD_CSV).json()["id"]

    answer = staff.get(f"/api/upload/{pending}/marked.xlsx")

    assert answer.status_code == 200
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert 'filename="demolition-marked.xlsx"' in answer.headers["content-disposition"]
    wb = _book(answer.content)
    assert coloured(wb, RED) == {("拆迁房产进度", "C2"), ("拆迁房产进度", "D4"), ("拆迁房产进度", "F4")}
    english = _book(staff.get(f"/api/upload/{pending}/marked.xlsx?lang=en").content)
    assert english.sheetnames[-1] == "Problems" and "whole number" in english.worksheets[0]["C2"].comment.text
    assert _client("staff2").get(f"/api/upload/{pending}/marked.xlsx").status_code == 404
    assert _client("leader").get(f"/api/upload/{pending}/marked.xlsx").status_code == 403
    assert _client(None).get(f"/api/upload/{pending}/marked.xlsx").status_code == 401
    good = "房产编号,户主,户类,党小组,当前状态\nDX-001,张三丰,1,1,已评估\n".encode()
    ok = staff.post("/api/upload?dataset=demolition&name=ok.csv", content=good).json()["id"]
    assert staff.get(f"/api/upload/{ok}/marked.xlsx").status_code == 404  # nothing to mark
    assert storage.list_versions(web) == []  # nothing was written along the way


def test_an_xls_upload_comes_back_converted_to_xlsx_with_the_same_marks_and_fixing_it_is_accepted(
    sqlite_url: str,
) -> None:
    xlwt = pytest.importorskip("xlwt")
    engine = _engine(sqlite_url)
    book = xlwt.Workbook()
    sheet = book.add_sheet("房产台账")
    for r, row in enumerate(
        [HEADER[:5], ["DX-001", "张三丰", "九", 1, "已评估"], ["DX-002", "李四", 2, 1, "已评估"]]
    ):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    bad = problem(2, "户类", "「九」不是整数")

    wb = _book(mark_workbook(out.getvalue(), "demolition", [bad]))

    assert wb.sheetnames == ["房产台账", "问题清单"]
    assert coloured(wb, RED) == {("房产台账", "C2")} and wb["房产台账"]["C2"].comment.text == "「九」不是整数"
    assert wb["房产台账"]["C3"].value == 2 and wb["房产台账"]["A2"].value == "DX-001"  # values as they were
    wb["房产台账"]["C2"] = 1
    assert storage.import_file(engine, "demolition", _save(wb), "房产台账.xlsx").accepted


# ---------------------------------------------------------------------------
# Merged cells: only a block's top-left cell can carry a comment


def test_a_bad_value_merged_down_a_block_is_marked_on_its_top_left_cell_naming_the_cells(
    sqlite_url: str,
) -> None:
    engine = _engine(sqlite_url)
    wb = Workbook()
    ws = wb.active
    ws.append(["组织编码", "党组织名称", "组织类型", "党员数", "当前阶段"])
    ws.append(["ORG-001", "东辛村党支部", "村居", 61, "摸底调研"])  # a typo merged down C2:C3
    ws.append(["ORG-002", "西河村党支部", None, 78, "摸底调研"])
    ws.merge_cells("C2:C3")
    data = _save(wb)
    refused = storage.import_file(engine, "elections", data, "换届.xlsx", dry_run=True)
    assert [(p.line, p.column) for p in refused.problems.errors] == [(2, "组织类型"), (3, "组织类型")]

    marked = _book(mark_workbook(data, "elections", refused.problems.items))

    sheet = marked["Sheet"]
    assert coloured(marked, RED) == {("Sheet", "C2")}
    message = refused.problems.errors[0].message
    assert sheet["C2"].comment.text == f"C2、C3（合并单元格 C2:C3）：{message}"
    assert "C2:C3" in {str(r) for r in sheet.merged_cells.ranges}  # the user's merge is kept
    listed = marked["问题清单"]
    assert [r[3].value for r in listed.iter_rows(min_row=3)] == ["C2", "C3"]  # each problem at its cell
    sheet["C2"] = "村"
    assert storage.import_file(engine, "elections", _save(marked), "换届.xlsx").accepted


def test_a_problem_on_one_cell_of_a_merged_block_names_that_cell_in_the_viewers_language() -> None:
    data = office_workbook([["DX-001", "张三丰", 1, 1, "已评估"], ["DX-002", "李四", 2, 1, "已评估"]])
    wb = _book(data)
    wb["3月"].merge_cells("D4:D5")  # 党小组 merged down its block
    bad = problem(5, "党小组", "「1」不对")

    zh = _book(mark_workbook(_save(wb), "demolition", [bad]))
    en = _book(mark_workbook(_save(wb), "demolition", [bad], lang="en"))

    assert coloured(zh, RED) == coloured(en, RED) == {("3月", "D4")}
    assert zh["3月"]["D4"].comment.text == "D5（合并单元格 D4:D5）：「1」不对"
    assert en["3月"]["D4"].comment.text == "D5 (merged cells D4:D5): 「1」不对 (en)"


def test_a_missing_column_note_goes_right_of_a_header_cell_merged_across() -> None:
    wb = _book(office_workbook([["DX-001", "张三丰", 1, 1, "已评估"]]))
    wb["3月"].merge_cells("G3:I3")  # 备注 spread over three columns
    missing = problem(3, "重点户", "缺少必填列「重点户」", rule="header.missing")

    marked = _book(mark_workbook(_save(wb), "demolition", [missing]))

    assert "重点户" in marked["3月"]["J3"].comment.text


def test_a_problem_the_workbook_cannot_hold_still_comes_back_in_the_list() -> None:
    data = office_workbook([["DX-001", "张三丰", "九", 1, "已评估"]])
    nowhere = problem(0, "户类", "「九」不是整数")  # no sheet has a row 0

    marked = _book(mark_workbook(data, "demolition", [nowhere, problem(4, "户类", "第二处")]))

    listed = [r[7].value for r in marked["问题清单"].iter_rows(min_row=3)]
    assert sorted(listed) == ["「九」不是整数", "第二处"]
