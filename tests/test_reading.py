"""Reading uploads: whatever Excel or WPS saved, staff get the rows they see.

Every test builds its file in the test. The frame's index is the spreadsheet
line (header = 1), so problems found later can point at the right line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import i18n
from dashboard.ingest.reading import UnreadableFile, normalise, normalise_text, read_table
from tests.messages import said

LEDGER = "房产编号,户主,户类\nDX-001,张三,1\nDX-002,李四,2\n"


def cells(raw, column: str) -> list[object]:
    """The column's cells in line order, NA as None."""
    return [None if pd.isna(v) else v for v in raw.frame[column]]


# --- encodings and separators ------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),  # Excel/WPS "CSV" on Chinese Windows; GB18030 is its superset
    ],
)
def test_comma_separated_file_in_each_encoding_reads_the_same(codec, reported):
    raw = read_table(LEDGER.encode(codec), "ledger.csv")

    assert raw.encoding == reported
    assert raw.delimiter == ","
    assert raw.headers == ["房产编号", "户主", "户类"]
    assert cells(raw, "户主") == ["张三", "李四"]


def test_excel_unicode_text_is_utf16_with_tabs():
    data = LEDGER.replace(",", "\t").replace("\n", "\r\n").encode("utf-16")  # with BOM, like Excel

    raw = read_table(data, "ledger.txt")

    assert (raw.encoding, raw.delimiter) == ("utf-16", "\t")
    assert cells(raw, "户主") == ["张三", "李四"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_nul_bytes(codec):
    data = (LEDGER + "DX-003,一丁,1\n").replace(",", "\t").encode(codec)  # 一 is U+4E00: a NUL byte too

    raw = read_table(data)

    assert raw.encoding == "utf-16"
    assert cells(raw, "户主") == ["张三", "李四", "一丁"]


def test_gbk_file_with_chinese_only_far_down_is_still_gbk():
    rows = "".join(f"DX-{i:05d},Zhang,1\n" for i in range(5000))  # over 64 KB of ASCII first
    data = ("房产编号,户主,户类\n" + rows + "DX-99999,王五,3\n").encode("gbk")
    data = data.replace("房产编号,户主,户类".encode("gbk"), b"property_id,household,category")

    raw = read_table(data)

    assert raw.encoding == "gb18030"
    assert cells(raw, "household")[-1] == "王五"


def test_tab_separated_utf8_file():
    raw = read_table(LEDGER.replace(",", "\t").encode())

    assert raw.delimiter == "\t"
    assert cells(raw, "户类") == ["1", "2"]


# --- line numbers ----------------------------------------------------------------


def test_index_is_the_spreadsheet_line_with_header_as_line_1():
    raw = read_table(LEDGER.encode())

    assert list(raw.frame.index) == [2, 3]


def test_quoted_cell_with_newlines_and_commas_keeps_later_lines_right():
    data = '房产编号,户主,备注\nDX-001,张三,"第一行\n第二行, 有逗号"\nDX-002,李四,\n'

    raw = read_table(data.encode())

    assert cells(raw, "备注") == ["第一行\n第二行, 有逗号", None]
    assert list(raw.frame.index) == [2, 4]  # DX-002 is on spreadsheet line 4


def test_blank_lines_are_dropped_without_shifting_later_lines():
    raw = read_table("房产编号,户主\n\nDX-001,张三\n\r\n\nDX-002,李四\n".encode())

    assert list(raw.frame.index) == [3, 6]
    assert cells(raw, "户主") == ["张三", "李四"]


def test_a_quoted_header_over_a_plain_body_keeps_headers_and_lines_right():
    """Exports often quote the header only: the body is then read without looking for quotes."""
    raw = read_table('"房产编号","户主, 姓名"\nDX-001,张三\n\nDX-002,李四\n'.encode())

    assert raw.headers == ["房产编号", "户主, 姓名"]
    assert cells(raw, "房产编号") == ["DX-001", "DX-002"]
    assert list(raw.frame.index) == [2, 4]


def test_a_header_cell_broken_over_two_lines_is_still_one_header():
    raw = read_table('"房产\n编号",户主\nDX-001,张三\n'.encode())

    assert raw.headers == ["房产编号", "户主"]
    assert cells(raw, "户主") == ["张三"]
    assert list(raw.frame.index) == [3]


def test_windows_line_endings():
    raw = read_table(LEDGER.replace("\n", "\r\n").encode())

    assert cells(raw, "户类") == ["1", "2"]
    assert list(raw.frame.index) == [2, 3]


def test_last_line_without_a_newline_is_read():
    raw = read_table(LEDGER.rstrip("\n").encode())

    assert cells(raw, "户主") == ["张三", "李四"]


def test_a_stray_quote_inside_a_cell_is_text():
    raw = read_table('房产编号,备注\nDX-001,屏幕 15" 宽\n\nDX-002,好\n'.encode())

    assert cells(raw, "备注") == ['屏幕 15" 宽', "好"]
    assert list(raw.frame.index) == [2, 4]


def test_a_stray_quote_before_a_quoted_multi_line_cell_keeps_lines_right():
    data = '房产编号,备注\nDX-001,屏幕 15"\nDX-002,"两\n行"\nDX-003,"说 ""好"""\nDX-004,完\n'

    raw = read_table(data.encode())

    assert cells(raw, "备注") == ['屏幕 15"', "两\n行", '说 "好"', "完"]
    assert list(raw.frame.index) == [2, 3, 5, 6]


def test_row_with_more_cells_than_the_header_is_reported_at_its_line():
    raw = read_table("房产编号,户主\nDX-001,张三\nDX-002,李四,多余\nDX-003,王五\n".encode())

    [problem] = raw.problems.items
    assert (problem.rule, problem.line, problem.value) == ("row.too_many_cells", 3, "多余")
    assert said(problem, "read.row.too_many_cells") == {"cells": "3", "ncols": "2"}  # "check the separators"
    assert list(raw.frame.index) == [2, 3, 4]
    assert cells(raw, "户主") == ["张三", "李四", "王五"]


def test_row_with_hundreds_of_extra_cells_is_still_reported():
    raw = read_table(("a,b\n1,2\n" + ",".join(["x"] * 260) + "\n3,4\n").encode())

    assert [(p.rule, p.line) for p in raw.problems.items] == [("row.too_many_cells", 3)]
    assert list(raw.frame.index) == [2, 3, 4]


def test_trailing_empty_cells_beyond_the_header_are_harmless():
    raw = read_table("房产编号,户主\nDX-001,张三,,\n".encode())

    assert not raw.problems
    assert cells(raw, "户主") == ["张三"]


def test_row_with_fewer_cells_is_padded_with_missing_values():
    raw = read_table("房产编号,户主,户类\nDX-001\nDX-002,李四,2\n".encode())

    assert not raw.problems
    assert cells(raw, "户主") == [None, "李四"]
    assert list(raw.frame.index) == [2, 3]


CELL = st.text(alphabet='ab Z9０１ＡＢ　,"\n\t张三-.%', max_size=8)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=12),
    blanks=st.lists(st.integers(0, 12), max_size=4),
)
def test_any_table_excel_could_write_reads_back_at_the_right_lines(rows, blanks):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["甲", "乙", "丙"])
    expected_lines, empty_lines, line = [], [], 2
    for i, row in enumerate(rows):
        empty_lines += range(line, line + blanks.count(i))
        line += blanks.count(i)
        out.write("\n" * blanks.count(i))
        writer.writerow(row)
        (expected_lines if any(normalise_text(c) for c in row) else empty_lines).append(line)
        line += 1 + sum(cell.count("\n") for cell in row)

    raw = read_table(out.getvalue().encode("utf-8"))

    assert list(raw.frame.index) == expected_lines
    for column, header in enumerate(["甲", "乙", "丙"]):
        want = [normalise_text(row[column]) or None for row in rows if any(normalise_text(c) for c in row)]
        assert cells(raw, header) == want
    last = max(expected_lines, default=0)
    warned = [p.line for p in raw.problems.warnings if p.rule == "read.skipped.empty"]
    assert sorted(warned) == [n for n in empty_lines if n < last]


# --- normalisation ---------------------------------------------------------------


def test_cells_are_trimmed_and_full_width_characters_become_half_width():
    raw = read_table("户类,编号,户主\n　９１ ,ＤＸ－００１, 张三 \n".encode())

    assert cells(raw, "户类") == ["91"]
    assert cells(raw, "编号") == ["DX-001"]
    assert cells(raw, "户主") == ["张三"]


def test_a_column_read_in_many_pieces_is_trimmed_wherever_the_padding_is():
    """pyarrow hands a large file over in blocks; a padded cell far down is still trimmed,
    and a clean column comes out the same without being copied for trimming."""
    padded = pa.chunked_array([["a", "b"], ["c", "d\t"], ["e"]])
    clean = pa.chunked_array([["a", "b"], ["c", "d"], ["e"]])
    wide = pa.chunked_array([pa.array([" x"], pa.large_string())])

    assert normalise(padded).to_pylist() == ["a", "b", "c", "d", "e"]
    assert normalise(clean).to_pylist() == ["a", "b", "c", "d", "e"]
    assert normalise(wide).to_pylist() == ["x"]
    assert normalise(pa.chunked_array([], pa.string())).to_pylist() == []


def test_empty_and_blank_cells_are_missing():
    raw = read_table(b"a,b,c\nx,,   \n")

    assert cells(raw, "b") == [None]
    assert cells(raw, "c") == [None]
    assert raw.frame["a"].dtype == "string"


def test_headers_are_trimmed_and_normalised_too():
    raw = read_table(" 房产编号 ,ＨＯＵＳＥＨＯＬＤ\nDX-001,张三\n".encode())

    assert raw.headers == ["房产编号", "HOUSEHOLD"]
    assert list(raw.frame.columns) == ["房产编号", "HOUSEHOLD"]


def test_header_only_file_has_no_rows_but_is_readable():
    raw = read_table("房产编号,户主\n".encode())

    assert raw.frame.empty
    assert raw.headers == ["房产编号", "户主"]


# --- not a table at all -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "read.empty"),
        (b"   \r\n\n", "read.empty"),
        (bytes(range(256)) * 20, "read.not_text"),  # binary garbage
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "read.not_text"),
        # an .xls header with nothing behind it
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "read.office_damaged"),
    ],
    ids=["empty", "blank", "binary", "png", "broken-xls"],
)
def test_files_that_are_not_tables_are_refused_with_a_message_in_both_languages(data, key):
    with pytest.raises(UnreadableFile) as caught:
        read_table(data, "upload.csv")

    fields = said(caught.value, key)  # both languages, each that message's
    assert fields in ({}, {"save_as": i18n.t("read.save_as", "zh")})  # a damaged one says what to do


# --- XLSX -------------------------------------------------------------------------


def xlsx(rows: list[list[object]], percent: dict[str, str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref, fmt in (percent or {}).items():
        sheet[ref].number_format = fmt
    book.create_sheet("其他").append(["只读第一个工作表"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_cells_read_as_staff_see_them():
    data = xlsx(
        [
            ["房产编号", "签约日期", "户类", "建筑面积", "重点户"],
            ["DX-001", dt.date(2024, 5, 3), 1, 186.5, True],
            ["DX-002", dt.datetime(2024, 6, 1), 2.0, 90, False],
        ]
    )

    raw = read_table(data, "ledger.xlsx")

    assert raw.encoding == "xlsx" and raw.delimiter is None
    assert cells(raw, "签约日期") == ["2024-05-03", "2024-06-01"]
    assert cells(raw, "户类") == ["1", "2"]
    assert cells(raw, "建筑面积") == ["186.5", "90"]
    assert cells(raw, "重点户") == ["是", "否"]


def test_xlsx_percent_cells_keep_their_percent():
    data = xlsx(
        [["组织编码", "到会率"], ["O-1", 0.85], ["O-2", 0.9612], ["O-3", 96]],
        percent={"B2": "0%", "B3": "0.00%"},
    )

    raw = read_table(data)

    assert cells(raw, "到会率") == ["85%", "96.12%", "96"]


def test_xlsx_lines_are_excel_row_numbers_and_blank_rows_are_skipped():
    data = xlsx([["房产编号", "户主"], ["DX-001", "张三"], [None, None], ["ＤＸ－００３", " 王五 "]])

    raw = read_table(data)

    assert list(raw.frame.index) == [2, 4]
    assert cells(raw, "房产编号") == ["DX-001", "DX-003"]
    assert cells(raw, "户主") == ["张三", "王五"]


def test_corrupt_xlsx_is_refused():
    with pytest.raises(UnreadableFile):
        read_table(b"PK\x03\x04" + bytes(300), "broken.xlsx")


def test_xlsx_zip_bomb_is_refused_before_it_expands():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))  # compresses ~1000:1

    with pytest.raises(UnreadableFile) as caught:
        read_table(out.getvalue(), "bomb.xlsx")

    assert said(caught.value, "read.zip_bomb") == {"mb": "30"}
