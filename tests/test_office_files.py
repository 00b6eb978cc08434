"""Ledgers as offices really make them: Excel, WPS and LibreOffice files, read as a person reads them.

Every file is generated here with the real libraries (openpyxl for .xlsx, xlwt
for .xls, odfpy for .ods) in the conventions offices use: a title row above
the header, a 填表说明 first sheet, one sheet per month, merged 党小组 blocks,
percent formats, a 合计 row and a 填表人 footer. Line numbers are always the
sheet's own rows.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from dashboard import i18n
from dashboard.ingest.problems import Problem, UnreadableFile
from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import Checked, validate
from tests.messages import fields_in, said
from tests.test_cli import dashboard

Rows = list[list[object]]
HEADER = ["房产编号", "户主", "户类", "党小组", "当前状态"]
TITLE = ["xx街道东辛村拆迁房产进度表"]
UNIT_LINE = ["填报单位：东辛村临时党支部", None, None, "日期：2024年5月3日"]


class Percent(float):
    """A number in a cell formatted as percent (0.95 shown as 95%)."""


# --- the three kinds, written by their own libraries ---------------------------------


def xlsx(sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c, float(value) if isinstance(value, Percent) else value)
                if isinstance(value, Percent):
                    cell.number_format = "0%" if r % 2 else "0.0%"
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    percent = xlwt.easyxf(num_format_str="0%")
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        spans = [_span(ref) for ref in (merges or {}).get(name, [])]
        covered = {
            (r, c) for (r0, c0), (r1, c1) in spans for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
        }
        for (r0, c0), (r1, c1) in spans:
            ws.write_merge(r0, r1, c0, c1, _xls_value(rows[r0][c0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or (r, c) in covered:
                    continue
                if isinstance(value, Percent):
                    ws.write(r, c, float(value), percent)
                elif isinstance(value, dt.datetime):
                    ws.write(r, c, value, dates)
                else:
                    ws.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls_value(value: object) -> object:
    return float(value) if isinstance(value, Percent) else value


def ods(sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None) -> bytes:
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        spans = {_span(ref)[0]: _span(ref)[1] for ref in (merges or {}).get(name, [])}
        covered = {
            (r, c)
            for (r0, c0), (r1, c1) in spans.items()
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)
        }
        for r, row in enumerate(rows):
            tr = TableRow()
            for c, value in enumerate(row):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                attrs: dict[str, object] = {}
                if (r, c) in spans:
                    (r1, c1) = spans[(r, c)]
                    attrs = {"numberrowsspanned": r1 - r + 1, "numbercolumnsspanned": c1 - c + 1}
                if value is None:
                    tr.addElement(TableCell(**attrs))
                    continue
                if isinstance(value, Percent):
                    cell = TableCell(valuetype="percentage", value=float(value), **attrs)
                    shown = f"{float(value) * 100:g}%"
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value, **attrs)
                    shown = str(value)
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    shown = str(value)
                cell.addElement(P(text=shown))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _span(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """'D3:D6' -> ((2, 3), (5, 3)), 0-based."""
    a, b = ref.split(":")
    return _cell(a), _cell(b)


def _cell(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters) :]) - 1, col - 1


Writer = Callable[..., bytes]
KINDS = pytest.mark.parametrize(("write", "kind"), [(xlsx, "xlsx"), (xls, "xls"), (ods, "ods")])


def check(dataset: str, data: bytes, name: str = "ledger.xlsx") -> Checked:
    return validate(dataset, read_table(data, name))


def rules(problems: list[Problem]) -> list[tuple[str, int | None]]:
    return [(p.rule, p.line) for p in problems]


# --- the sheet and the header row ------------------------------------------------------


@KINDS
def test_title_rows_above_the_header_are_skipped_and_lines_stay_the_sheets_own(write: Writer, kind: str):
    rows = [TITLE, UNIT_LINE, HEADER, ["DX-001", "张三", 1, 2, "已摸底"], ["DX-002", "李四", 2, 3, "已评估"]]
    data = write({"台账": rows}, {"台账": ["A1:E1"]})

    raw = read_table(data, f"ledger.{kind}")
    checked = validate("demolition", raw)

    assert raw.kind == kind
    assert (raw.sheets, raw.header_lines) == (["台账"], {"台账": 3})
    assert checked.ok, checked.problems.items
    assert list(checked.frame.index) == [4, 5]
    assert list(checked.frame["household"]) == ["张三", "李四"]


def test_an_error_under_title_rows_is_reported_at_its_true_line_and_nothing_is_loosened():
    rows = [TITLE, HEADER, ["DX-001", "张三", 1, 2, "已摸底"], ["DX-002", "李四", 9, 3, "已评估"]]

    checked = check("demolition", xlsx({"台账": rows}))

    [error] = checked.problems.errors
    assert (error.rule, error.line, error.column, error.sheet) == ("cell.range", 4, "户类", None)
    assert error.where("zh") == "第 4 行，列「户类」"


def test_a_csv_saved_by_excel_with_a_title_row_reads_from_its_header():
    text = "xx街道东辛村拆迁房产进度表,,,,,\n房产编号,户主,户类,党小组,当前状态,签约日期\n"
    text += "DX-001,张三,1,2,已签约,2018/5/1 0:00\nDX-002,李四,7,3,已摸底,\n"

    raw = read_table(text.encode("gbk"), "ledger.csv")
    checked = validate("demolition", raw)

    assert (raw.kind, raw.encoding, raw.sheets, raw.header_lines) == ("csv", "gb18030", [], {"": 2})
    assert checked.frame.loc[3, "signed_date"] == pd.Timestamp("2018-05-01")
    assert rules(checked.problems.errors) == [("cell.range", 4)]


@pytest.mark.parametrize("spelled", ["组织编码*", "组织编码＊", "组织 编码", "组织\n编码", "org_code *"])
def test_headers_as_templates_write_them_name_their_columns(spelled: str):
    header = [spelled, "党组织名称（全称）", "组织类型", "党员数（人）", "当前阶段", "到会率(%)"]
    rows = [header, ["C01", "东辛村党支部", "村", 15, "摸底调研", Percent(0.95)]]

    checked = check("elections", xlsx({"换届": rows}))

    assert checked.ok and not checked.problems.warnings, checked.problems.items
    assert set(checked.column_map) == {"org_code", "org_name", "org_type", "members", "stage", "turnout"}
    assert list(checked.frame["members"]) == [15]


def test_csv_headers_with_units_in_full_width_parentheses_and_stars_name_their_columns():
    text = "房产编号＊,户主*,户类,党小组,当前状态,建筑面积（㎡）,重点户\n（是/否）\n"
    text = text.replace("重点户\n（是/否）", '"重点户\n（是/否）"')
    text += "DX-001,张三,1,2,已摸底,120.5,√\n"

    checked = check("demolition", text.encode("gbk"), "ledger.csv")

    assert checked.ok and not checked.problems.warnings, checked.problems.items
    assert list(checked.frame.index) == [3]  # the header takes lines 1 and 2
    assert (checked.frame.loc[3, "area_m2"], checked.frame.loc[3, "key_household"]) == (120.5, True)


def test_a_workbook_without_any_ledger_header_says_which_columns_are_missing():
    checked = check("demolition", xlsx({"填表说明": [[None], ["填表说明"], ["户类填 1-6"]]}))

    missing = [p for p in checked.problems.errors if p.rule == "header.missing"]
    assert {p.column for p in missing} == {"房产编号", "户主", "户类", "党小组", "当前状态"}
    assert {p.line for p in missing} == {2}


def test_a_guide_sheet_first_is_skipped_and_the_ledger_read_from_the_sheet_whose_header_matches():
    guide = [["填表说明"], ["1. 户类填 1-6"], ["2. 日期写成 2024-05-03"]]
    rows = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"], ["DX-002", "李四", "七", 3, "已评估"]]

    raw = read_table(xlsx({"填表说明": guide, "台账": rows}))
    checked = validate("demolition", raw)

    assert raw.sheets == ["台账"]
    [skipped] = [p for p in checked.problems.warnings if p.rule == "read.sheet.skipped"]
    assert skipped.sheet == "填表说明"
    [error] = checked.problems.errors
    assert (error.rule, error.sheet, error.line) == ("cell.int", "台账", 3)
    assert error.where("zh") == "「台账」第 3 行，列「户类」"
    assert error.where("en") == "sheet 台账, line 3, column 户类"


@KINDS
def test_monthly_sheets_with_the_same_header_are_one_ledger_and_locations_name_the_sheet(
    write: Writer, kind: str
):
    march = [TITLE, HEADER, ["DX-001", "张三", 1, 2, "已摸底"], ["DX-002", "李四", 2, 3, "已评估"]]
    april = [HEADER, ["DX-003", "王五", 3, 1, "已摸底"], ["DX-001", "赵六", 4, 4, "已摸底"]]

    raw = read_table(write({"3月": march, "4月": april}), f"ledger.{kind}")
    checked = validate("demolition", raw)

    assert raw.sheets == ["3月", "4月"]
    assert raw.header_lines == {"3月": 2, "4月": 1}
    assert list(raw.frame.index) == [3, 4, 2, 3]
    assert list(raw.sheet_of_row) == list(checked.sheet_of_row) == ["3月", "3月", "4月", "4月"]
    [error] = checked.problems.errors
    assert (error.rule, error.sheet, error.line) == ("key.duplicate", "4月", 3)
    assert fields_in(said(error, "check.key.duplicate")["first"], "where.sheet_line") == {
        "sheet": "3月",
        "line": "3",
    }
    assert error.where("zh") == "「4月」第 3 行，列「房产编号」"


def test_problems_in_several_sheets_come_sheet_by_sheet_in_line_order():
    march = [HEADER, ["DX-001", "张三", 9, 2, "已摸底"], ["DX-002", "李四", 2, 3, "已评估"]]
    april = [HEADER, ["DX-003", "王五", 3, 9, "已摸底"]]

    checked = check("demolition", xlsx({"3月": march, "4月": april}))

    assert [(p.sheet, p.line, p.column) for p in checked.problems.errors] == [
        ("3月", 2, "户类"),
        ("4月", 2, "党小组"),
    ]


@KINDS
def test_the_dataset_is_recognised_from_a_header_below_a_title_with_starred_headers(write: Writer, kind: str):
    from dashboard.store.uploads import guess_dataset

    header = ["组织编码*", "党组织名称*", "组织类型", "党员数（人）", "当前阶段*"]
    rows = [["xx街道换届工作进度表"], header, ["C01", "东辛村党支部", "村", 15, "摸底调研"]]

    assert guess_dataset(write({"填表说明": [["填表说明"]], "3月": rows}), f"台账.{kind}") == "elections"


def test_a_location_names_the_sheet_in_both_languages_when_it_is_set():
    in_sheet = Problem("cell.int", "", "", line=5, column="户类", sheet="3月")
    sheet_only = Problem("read.sheet.skipped", "", "", sheet="填表说明", severity="warning")

    assert in_sheet.where("zh") == "「3月」第 5 行，列「户类」"
    assert in_sheet.where("en") == "sheet 3月, line 5, column 户类"
    assert (sheet_only.where("zh"), sheet_only.where("en")) == ("工作表「填表说明」", "sheet 填表说明")
    assert Problem("cell.int", "", "", line=5, column="户类").where("zh") == "第 5 行，列「户类」"


# --- rows that are not data ----------------------------------------------------------------


@pytest.mark.parametrize("make", ["xlsx", "csv"])
def test_empty_total_and_footer_rows_are_skipped_and_listed_as_warnings_with_their_lines(make: str):
    rows: Rows = [
        TITLE,
        HEADER,
        ["DX-001", "张三", 1, 2, "已摸底"],
        [None, None, None, None, None],
        ["DX-002", "李四", 2, 3, "已评估"],
        ["合 计", None, 3, 5, None],
        ["填表人：张三", None, "审核人：李四", None, "填报日期：2024年5月3日"],
    ]
    if make == "xlsx":
        data = xlsx({"台账": rows})
    else:
        data = "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows).encode("gbk")

    checked = check("demolition", data, f"ledger.{make}")

    assert checked.ok, checked.problems.errors
    assert list(checked.frame.index) == [3, 5]
    assert rules(checked.problems.warnings) == [
        ("read.skipped.empty", 4),
        ("read.skipped.total", 6),
        ("read.skipped.footer", 7),
    ]
    assert all(p.severity == "warning" for p in checked.problems.warnings)


@KINDS
def test_a_title_and_a_footer_merged_across_the_whole_sheet_leave_no_column_behind(write: Writer, kind: str):
    rows: Rows = [
        TITLE + [None] * 7,
        HEADER,
        ["DX-001", "张三", 1, 2, "已摸底"],
        ["填表人：张三  审核人：李四"],
    ]
    rows[-1] += [None] * 7

    checked = check("demolition", write({"台账": rows}, {"台账": ["A1:H1", "A4:H4"]}), f"ledger.{kind}")

    assert checked.ok, checked.problems.errors
    assert rules(checked.problems.warnings) == [("read.skipped.footer", 4)]


def test_a_title_merged_across_every_column_of_the_sheet_does_not_widen_the_table():
    rows = [TITLE, HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]

    raw = read_table(xlsx({"台账": rows}, {"台账": ["A1:XFD1"]}))

    assert raw.headers == HEADER


def test_a_household_named_like_a_total_in_another_column_is_still_data():
    rows = [HEADER, ["DX-001", "合计", 1, 2, "已摸底"]]

    checked = check("demolition", xlsx({"台账": rows}))

    assert checked.ok and list(checked.frame["household"]) == ["合计"]


# --- cells as spreadsheets hold them -------------------------------------------------------


@KINDS
def test_a_party_group_merged_down_its_block_holds_for_every_household_it_spans(write: Writer, kind: str):
    rows = [HEADER] + [[f"DX-00{i}", f"户{i}", 1, 2 if i == 1 else None, "已摸底"] for i in range(1, 5)]

    checked = check("demolition", write({"台账": rows}, {"台账": ["D2:D5"]}), f"ledger.{kind}")

    assert checked.ok, checked.problems.errors
    assert list(checked.frame["party_group"]) == [2, 2, 2, 2]


@KINDS
def test_percent_formatted_cells_are_read_as_percent(write: Writer, kind: str):
    header = ["组织编码", "党组织名称", "组织类型", "党员数", "当前阶段", "到会率"]
    rows = [header, ["C01", "东辛村党支部", "村", 15, "摸底调研", Percent(0.95)]]
    rows.append(["C02", "西辛村党支部", "村", 12, "摸底调研", Percent(0.875)])

    checked = check("elections", write({"换届": rows}), f"ledger.{kind}")

    assert checked.ok, checked.problems.errors
    assert list(checked.frame["turnout"]) == [95.0, 87.5]


def test_a_number_shown_with_a_literal_percent_sign_is_not_multiplied():
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["组织编码", "党组织名称", "组织类型", "党员数", "当前阶段", "到会率"])
    ws.append(["C01", "东辛村党支部", "村", 15, "摸底调研", 85])
    ws["F2"].number_format = '0"%"'  # shows 85%, holds 85
    out = io.BytesIO()
    book.save(out)

    checked = check("elections", out.getvalue())

    assert checked.ok and list(checked.frame["turnout"]) == [85.0]


def test_numbers_shown_with_thousands_separators_and_saved_as_csv_are_the_numbers():
    """Excel/WPS 数值 format with 使用千位分隔符, saved as CSV (GBK): the cells are quoted "1,203"."""
    text = '房产编号,户主,户类,党小组,当前状态,建筑面积（㎡）\nDX-001,张三,1,1,已摸底,"1,234.5"\n'
    members = '组织编码,党组织名称,组织类型,党员数,当前阶段\nORG-001,幸福社区党委,社区,"1,203",摸底调研\n'

    area = check("demolition", text.encode("gbk"), "拆迁.csv")
    elections = check("elections", members.encode("gbk"), "换届.csv")

    assert area.ok and elections.ok, area.problems.errors + elections.problems.errors
    assert list(area.frame["area_m2"]) == [1234.5]
    assert list(elections.frame["members"]) == [1203]


@pytest.mark.parametrize("make", ["xlsx", "csv"])
def test_a_turnout_computed_as_a_fraction_without_the_percent_format_is_kept_with_a_warning(make: str):
    """=实到/应到 in a General-format cell (or the CSV saved from it) holds 0.95, which the contract reads
    as 0.95%: the upload goes in as written, and each such cell says to type 95 or 95% for 95%."""
    header = ["组织编码", "党组织名称", "组织类型", "党员数", "当前阶段", "完成日期", "到会率"]
    rows = [
        header,
        ["ORG-001", "东辛村党支部", "村", 61, "已完成", "2024/5/11", 0.95],
        ["ORG-002", "西河村党支部", "村", 78, "已完成", "2024/5/12", 0.928],
    ]
    if make == "xlsx":
        data = xlsx({"换届": rows})
    else:
        data = "\n".join(",".join(str(c) for c in row) for row in rows).encode("gbk")

    checked = check("elections", data, f"换届.{make}")

    assert checked.ok, checked.problems.errors
    assert list(checked.frame["turnout"]) == [0.95, 0.928]
    warnings = [p for p in checked.problems.warnings if p.rule == "cell.percent.fraction"]
    assert [(p.line, p.column) for p in warnings] == [(2, "到会率"), (3, "到会率")]
    assert said(warnings[1], "check.cell.percent.fraction", "en") == {"column": "到会率", "value": "0.928"}


def test_whole_numbers_stored_as_decimals_are_integers_but_a_fraction_stays_an_error():
    rows = [HEADER, ["DX-001", "张三", 1.0, 2.0, "已摸底"], ["DX-002", "李四", 2.5, 3, "已摸底"]]

    checked = check("demolition", xlsx({"台账": rows}))

    assert list(checked.frame.loc[2, ["category", "party_group"]]) == [1, 2]
    assert rules(checked.problems.errors) == [("cell.int", 3)]


@pytest.mark.parametrize("make", ["xlsx", "csv"])
def test_a_date_at_midnight_is_the_date_and_another_time_gives_the_date_and_a_warning(make: str):
    header = [*HEADER, "签约日期"]
    signed = [dt.datetime(2018, 5, 1), dt.datetime(2018, 5, 2, 8, 30)]
    rows = [
        header,
        ["DX-001", "张三", 1, 2, "已签约", signed[0]],
        ["DX-002", "李四", 2, 3, "已签约", signed[1]],
    ]
    if make == "xlsx":
        data = xlsx({"台账": rows})
    else:  # as Excel/WPS save date cells to CSV
        text = "房产编号,户主,户类,党小组,当前状态,签约日期\nDX-001,张三,1,2,已签约,2018/5/1 0:00\n"
        data = (text + "DX-002,李四,2,3,已签约,2018/5/2 8:30\n").encode("utf-8-sig")

    checked = check("demolition", data, f"ledger.{make}")

    assert checked.ok, checked.problems.errors
    assert list(checked.frame["signed_date"]) == [pd.Timestamp("2018-05-01"), pd.Timestamp("2018-05-02")]
    [warning] = [p for p in checked.problems.warnings if p.rule == "cell.date.time_dropped"]
    assert (warning.line, warning.column, warning.severity) == (3, "签约日期", "warning")


def test_ticks_and_crosses_are_yes_and_no_and_an_empty_box_is_no():
    header = [*HEADER, "重点户"]
    marks = ["√", "✓", "×", "○", None]
    rows = [header] + [[f"DX-00{i}", "张三", 1, 2, "已摸底", m] for i, m in enumerate(marks)]

    checked = check("demolition", xlsx({"台账": rows}))

    assert checked.ok, checked.problems.errors
    assert list(checked.frame["key_household"]) == [True, True, False, False, False]


def test_numbers_dates_and_booleans_in_one_column_are_each_shown_as_staff_see_them():
    header = [*HEADER, "备注"]
    notes = [True, 1, 1.5, dt.datetime(2024, 5, 3), dt.datetime(2024, 5, 3, 8, 30), "已联系"]
    rows = [header] + [[f"DX-00{i}", "张三", 1, 2, "已摸底", n] for i, n in enumerate(notes)]

    checked = check("demolition", xlsx({"台账": rows}))

    assert list(checked.frame["note"]) == ["是", "1", "1.5", "2024-05-03", "2024-05-03 08:30:00", "已联系"]


# --- a file is what its bytes are -------------------------------------------------------------


@pytest.mark.parametrize(
    ("write", "name"), [(xlsx, "台账.csv"), (xls, "台账.xlsx"), (ods, "台账.xls"), (xls, "台账.et")]
)
def test_a_workbook_is_read_as_what_its_bytes_are_whatever_its_name_says(write: Writer, name: str):
    rows = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]

    checked = check("demolition", write({"台账": rows}), name)

    assert checked.ok and list(checked.frame.index) == [2]


def _ole_with_stream(name: str) -> bytes:
    """An OLE2 compound file (as Excel writes) whose one stream is called ``name``.

    An encrypted .xlsx is such a file with EncryptionInfo/EncryptedPackage streams.
    """
    data = bytearray(xls({"a": [["x"]]}))
    old = "Workbook".encode("utf-16-le") + b"\x00\x00"
    at = data.index(old)
    entry = name.encode("utf-16-le") + b"\x00\x00"
    data[at : at + 64] = entry.ljust(64, b"\x00")
    data[at + 64 : at + 66] = len(entry).to_bytes(2, "little")
    return bytes(data)


WORD_DOC = {"what": i18n.t("read.kind.doc"), "save_as": i18n.t("read.save_as")}


@pytest.mark.parametrize(
    ("data", "name", "key", "fields"),
    [
        (_ole_with_stream("EncryptedPackage"), "台账.xlsx", "read.password", {}),
        (_ole_with_stream("EncryptionInfo"), "台账.xls", "read.password", {}),
        (_ole_with_stream("WpsBook"), "台账.et", "read.wps_et", {}),
        (b"\x00\x01\x02WPS binary" * 50, "台账.et", "read.wps_et", {}),
        (_ole_with_stream("WordDocument"), "台账.doc", "read.not_a_table", WORD_DOC),
    ],
)
def test_a_file_that_cannot_be_read_says_what_it_is_and_to_save_it_as_xlsx(
    data: bytes, name: str, key: str, fields: dict[str, str]
):
    """Each message names what the file is and says 另存为 .xlsx (tests/test_messages.py)."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(data, name)

    assert said(caught.value, key) == fields


def test_a_word_document_zip_is_not_mistaken_for_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")

    with pytest.raises(UnreadableFile) as caught:
        read_table(out.getvalue(), "台账.xlsx")

    assert said(caught.value, "read.not_a_table") == {
        "what": i18n.t("read.kind.text"),
        "save_as": i18n.t("read.save_as"),
    }


# --- through the command line, as a new user tries it --------------------------------------


def test_cli_imports_an_office_made_workbook_and_lists_what_it_skipped(tmp_path: Path, sqlite_url: str):
    guide = [["填表说明"], ["户类填 1-6"]]
    march = [TITLE, HEADER, ["DX-001", "张三", 1, 2, "已摸底"], ["合计", None, 1, 2, None]]
    april = [HEADER, ["DX-002", "李四", 2, 3, "已评估"], [None] * 5, ["DX-003", "王五", 3, 4, "已摸底"]]
    path = tmp_path / "东辛村拆迁台账.xls"
    path.write_bytes(xls({"填表说明": guide, "3月": march, "4月": april}))

    done = dashboard("import", "demolition", str(path), "--json")

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rows"] == 3
    assert [(w["rule"], w["sheet"], w["line"]) for w in result["warnings"]] == [
        ("read.sheet.skipped", "填表说明", None),
        ("read.skipped.total", "3月", 4),
        ("read.skipped.empty", "4月", 3),
    ]


def test_cli_rejects_an_error_at_its_sheet_and_line_and_writes_nothing(tmp_path: Path, sqlite_url: str):
    march = [TITLE, HEADER, ["DX-001", "张三", 1, 2, "已摸底"]]
    april = [HEADER, ["DX-002", "李四", 8, 3, "已评估"]]
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx({"3月": march, "4月": april}))

    done = dashboard("import", "demolition", str(path), "--json")

    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert (error["rule"], error["sheet"], error["line"], error["column"]) == ("cell.range", "4月", 2, "户类")
    assert dashboard("history", "demolition").stdout.count("台账.xlsx") == 0


def test_cli_says_what_an_encrypted_workbook_is_and_exits_2(tmp_path: Path, sqlite_url: str):
    path = tmp_path / "加密台账.xlsx"
    path.write_bytes(_ole_with_stream("EncryptedPackage"))

    done = dashboard("import", "demolition", str(path))

    assert done.returncode == 2
    assert i18n.t("read.password", "zh") in done.stderr and "Traceback" not in done.stderr


def test_cli_lists_errors_sheet_by_sheet_naming_each_sheet(tmp_path: Path, sqlite_url: str):
    march = [HEADER, ["DX-001", "张三", 1, 2, "已摸底"], ["DX-002", "李四", 1, 9, "已摸底"]]
    april = [HEADER, ["DX-003", "王五", 8, 3, "已评估"]]
    path = tmp_path / "台账.ods"
    path.write_bytes(ods({"3月": march, "4月": april}))

    done = dashboard("import", "demolition", str(path))

    assert done.returncode == 1
    march_at = done.stdout.find(i18n.t("where.sheet_line", "en", sheet="3月", line=3))
    april_at = done.stdout.find(i18n.t("where.sheet_line", "en", sheet="4月", line=2))
    assert -1 < march_at < april_at, done.stdout


def test_the_upload_check_previews_an_office_workbook_before_anything_is_written(sqlite_url: str):
    from dashboard.settings import get_settings
    from dashboard.store import storage, uploads

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    march = [TITLE, HEADER, ["DX-001", "张三", 1, 2, "已摸底"], ["合计", None, 1, 2, None]]
    april = [HEADER, ["DX-002", "李四", 2, 3, "已评估"]]
    data = xls({"填表说明": [["填表说明"]], "3月": march, "4月": april})

    report = uploads.check_upload(
        engine, get_settings().data_dir, data, "台账.xls", "demolition", user="staff", reveal_names=False
    )

    assert report.accepted
    assert [row[0] for row in report.sample_rows] == ["DX-001", "DX-002"]
    assert storage.list_versions(engine, "demolition") == []
