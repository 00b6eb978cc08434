"""More files as offices make them, each read as the staff member who made it expects.

A ledger uploaded as another ledger is named for what it is (not "add the column 日期"); a
formula's error value (#N/A from a VLOOKUP that found nothing) or a formula saved without its
result (files exported by other systems) is refused as what it is, never read as an empty cell;
a CSV split by semicolons (a European-locale Excel or LibreOffice) is read by its columns. Dates
typed as text are read when they can only mean one day (2024-05-03(周五), 2024 年 5 月 3 日) and
otherwise refused saying what is missing (5月3日: the year) or what to write (20240503: 2024-05-03).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwt

from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import Checked, validate
from dashboard.store.marked import mark_workbook
from tests.messages import said
from tests.test_cli import dashboard
from tests.test_office_files import ods

MEETINGS = "日期,类型,议题,主持人,参会人数,决议事项数\n2024-05-03,周例会,第1周工作例会,指挥部,29,5\n"
ACTIVITIES = (
    "活动日期,项目编码,活动名称,活动类型,参与人数,志愿者人数\n"
    "2024-05-03,BR-01,困难家庭结对帮扶,结对帮扶,18,7\n"
    "2024-05-04,BR-01,党员志愿者便民服务,志愿服务,34,16\n"
)


def check(dataset: str, data: bytes, name: str = "台账.csv") -> Checked:
    return validate(dataset, read_table(data, name, dataset))


def xlsx(rows: list[list[object]], errors: dict[str, str] | None = None) -> bytes:
    """A workbook as openpyxl writes it: formulas without their results, error cells as given."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "活动"
    for row in rows:
        sheet.append(row)
    for ref, error in (errors or {}).items():
        sheet[ref] = error
        sheet[ref].data_type = "e"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["活动日期", "项目编码", "活动名称", "活动类型", "参与人数", "志愿者人数"]


def rows(n: int) -> list[list[object]]:
    return [[dt.datetime(2024, 5, d + 1), "BR-01", f"活动{d + 1}", "志愿服务", 20 + d, 5] for d in range(n)]


# --- another ledger's file ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "chosen", "other"),
    [(ACTIVITIES, "meetings", "品牌活动记录"), (MEETINGS, "activities", "调度会记录")],
)
def test_another_ledgers_file_is_named_for_what_it_is_in_one_message(file: str, chosen: str, other: str):
    checked = check(chosen, file.encode())

    assert not checked.ok
    [problem] = checked.problems.items  # no "add column 日期", no ignored-column warnings, no rows
    fields = said(problem, "check.header.other_dataset")
    assert fields["other"] == other and problem.line == 1
    assert fields["columns"].startswith(file.split(",")[0])


def test_a_big_ledger_uploaded_as_another_is_one_error_not_one_per_row():
    org_life = "组织编码,日期,类型,主题\n" + "".join(
        f"ORG-00{i % 9},2024-05-0{i % 9 + 1},党课,党课{i}\n" for i in range(300)
    )

    checked = check("elections", org_life.encode())

    assert [p.rule for p in checked.problems.errors] == ["header.other_dataset"]
    assert (
        said(checked.problems.errors[0], "check.header.other_dataset", "en")["other"] == "Organisational life"
    )


def test_a_ledger_missing_a_column_still_says_which_column_to_add():
    checked = check("meetings", "日期,议题,主持人\n2024-05-03,第1周工作例会,指挥部\n".encode())

    assert [p.rule for p in checked.problems.errors] == ["header.missing"]
    assert said(checked.problems.errors[0], "check.header.missing")["header"] == "类型"


def test_the_cli_names_the_ledger_the_file_belongs_to_and_writes_nothing(sqlite_url: str, tmp_path: Path):
    path = tmp_path / "品牌活动.csv"
    path.write_text(ACTIVITIES, encoding="utf-8")

    done = dashboard("import", "meetings", str(path))

    assert done.returncode == 1
    assert "品牌活动记录" in done.stdout and "缺少必填列" not in done.stdout
    assert "meetings" not in dashboard("history").stdout.split("\n", 2)[-1]


# --- formulas: error values and formulas without results -----------------------------------


def test_an_error_value_in_an_optional_cell_is_refused_not_read_as_empty():
    data = xlsx([HEADER, *rows(3)], errors={"F3": "#DIV/0!", "E4": "#N/A"})

    checked = check("activities", data, "活动.xlsx")

    found = {(p.line, p.column, p.value) for p in checked.problems.errors}
    assert found == {(3, "志愿者人数", "#DIV/0!"), (4, "参与人数", "#N/A")}  # not "必须填写", said once
    for problem in checked.problems.errors:
        assert said(problem, "check.cell.formula_error")["column"] == problem.column


def test_an_error_value_saved_to_csv_is_refused_even_in_a_text_column():
    csv = ACTIVITIES.replace("困难家庭结对帮扶", "#N/A")

    checked = check("activities", csv.encode())

    [problem] = checked.problems.errors
    assert (problem.line, problem.column, problem.value) == (2, "活动名称", "#N/A")
    said(problem, "check.cell.formula_error")


def test_a_formula_saved_without_its_result_is_refused_with_what_to_do():
    data = xlsx(
        [
            HEADER,
            *[[*r[:4], f"=F{i + 2}*4", r[5]] for i, r in enumerate(rows(2))],
            ["合计", *[None] * 3, "=SUM(E2:E3)"],
        ]
    )

    checked = check("activities", data, "导出.xlsx")

    assert [(p.line, p.value) for p in checked.problems.errors] == [(2, "=F2*4"), (3, "=F3*4")]
    assert said(checked.problems.errors[0], "check.cell.formula_uncached")["value"] == "=F2*4"
    assert [p.rule for p in checked.problems.warnings] == [
        "read.skipped.total"
    ]  # the 合计 row's formula is not data


def test_a_formula_cell_corrected_on_the_page_is_the_value_typed():
    from dashboard.ingest import corrections

    data = xlsx([HEADER, *[[*r[:4], "=F2*4", r[5]] for r in rows(1)]])
    raw = read_table(data, "导出.xlsx", "activities")
    fixed = corrections.merge(raw, [], [(2, "参与人数", "20")], "staff")

    checked = validate("activities", corrections.apply(raw, fixed))

    assert checked.ok and checked.frame.loc[2, "participants"] == 20


def test_a_workbook_saved_by_excel_with_formulas_and_their_results_reads_the_results():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([dt.datetime(2024, 5, 3), "BR-01", "活动", "志愿服务", None, 5])
    out = io.BytesIO()
    book.save(out)
    # What Excel writes: the formula and its cached result side by side.
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = xml.replace(
        '<c r="F2" t="n"><v>5</v></c>', '<c r="E2"><f>F2*4</f><v>20</v></c><c r="F2" t="n"><v>5</v></c>'
    ).encode()
    again = io.BytesIO()
    with zipfile.ZipFile(again, "w") as zf:
        for name, content in parts.items():
            zf.writestr(name, content)

    checked = check("activities", again.getvalue(), "活动.xlsx")

    assert checked.ok, checked.problems.items
    assert checked.frame.loc[2, "participants"] == 20


def test_my_file_with_the_problems_marked_marks_the_error_cell():
    data = xlsx([HEADER, *rows(2)], errors={"E3": "#N/A"})
    checked = check("activities", data, "活动.xlsx")

    book = openpyxl.load_workbook(io.BytesIO(mark_workbook(data, "activities", checked.problems.items)))

    assert book["活动"]["E3"].comment is not None and book["活动"]["E2"].comment is None


# --- separators -------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_a_csv_split_by_another_separator_is_read_by_its_columns(separator: str):
    text = ACTIVITIES.replace(",", separator)

    checked = check("activities", text.encode("utf-8-sig"))

    assert checked.ok, checked.problems.items
    assert list(checked.frame["participants"]) == [18, 34]


def test_a_semicolon_csv_with_a_title_line_and_commas_inside_a_cell_keeps_its_cells():
    text = "品牌活动记录表\n" + ACTIVITIES.replace(",", ";").replace("困难家庭结对帮扶", '"帮扶,走访"')

    checked = check("activities", text.encode())

    assert checked.ok, checked.problems.items
    assert checked.frame.loc[3, "title"] == "帮扶,走访"  # line 3: the title line is line 1


# --- dates typed as text, as offices type them --------------------------------------------------


def meetings_on(*days: str) -> Checked:
    text = "日期,类型,议题\n" + "".join(f"{d},周例会,议题{i}\n" for i, d in enumerate(days))
    return check("meetings", text.encode())


@pytest.mark.parametrize(
    "written",
    [
        "2024-05-03(周五)",  # a weekday after the date, as offices add it
        "2024/05/03 星期五",
        "2024年5月3日星期五",  # Excel's and WPS's long date format, saved as text
        "2024 年 5 月 3 日",
        "2024年5月3号",
        "２０２４年５月３日（周五）",  # full-width, as an input method types it
    ],
)
def test_a_date_written_with_its_weekday_spaces_or_as_eight_digits_is_that_date(written: str):
    checked = meetings_on(written)

    assert checked.ok, checked.problems.items
    assert checked.frame.loc[2, "date"] == pd.Timestamp("2024-05-03")


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("5月3日", "check.cell.date.no_year"),
        ("5/3", "check.cell.date.no_year"),
        ("2024年5月", "check.cell.date.no_day"),
        ("2024-05", "check.cell.date.no_day"),
        ("24-5-3", "check.cell.date.short_year"),
        ("二〇二四年五月三日", "check.cell.date.zh_numerals"),
    ],
)
def test_a_date_missing_its_year_or_day_is_refused_saying_what_is_missing(written: str, key: str):
    checked = meetings_on(written)

    [problem] = checked.problems.errors
    assert (problem.line, problem.column, problem.value) == (2, "日期", written)
    assert said(problem, key)["value"] == written


def test_a_weekday_that_is_not_the_dates_is_refused_naming_the_dates_weekday():
    checked = meetings_on("2024-05-03(周六)", "2024-05-04(周六)")

    [problem] = checked.problems.errors  # 2024-05-04 is a Saturday: read
    assert problem.line == 2
    assert said(problem, "check.cell.date.weekday") == {
        "value": "2024-05-03(周六)",
        "date": "2024-05-03",
        "weekday": "星期五",
    }
    assert said(problem, "check.cell.date.weekday", "en")["weekday"] == "Friday"


def test_eight_digits_are_refused_with_the_date_to_write_when_they_make_one():
    checked = meetings_on("20240503", "20241303")

    first, second = checked.problems.errors
    assert said(first, "check.cell.date.eight_digits")["date"] == "2024-05-03"  # told, not read
    assert said(second, "check.cell.date")["value"] == "20241303"


# --- numbers typed as forms write them ----------------------------------------------------------


def properties_with_area(*areas: str) -> Checked:
    text = "房产编号,户主,户类,党小组,当前状态,建筑面积\n" + "".join(
        f"DX-{i:03d},张三,1,1,已摸底,{a}\n" for i, a in enumerate(areas, start=1)
    )
    return check("demolition", text.encode())


@pytest.mark.parametrize(
    ("written", "key", "number"),
    [
        ("186.5平方米", "check.cell.number.unit", "186.5"),
        ("120㎡", "check.cell.number.unit", "120"),  # NFKC: 120m2
        ("120m²", "check.cell.number.unit", "120"),
        ("1.2万", "check.cell.number.wan", "12000"),
        ("约120", "check.cell.number.rough", None),
        ("120余", "check.cell.number.rough", None),
        ("100-120", "check.cell.number.rough", None),
    ],
)
def test_a_number_with_a_unit_in_wan_or_approximate_is_refused_saying_what_to_write(
    written: str, key: str, number: str | None
):
    [problem] = properties_with_area(written).problems.errors

    assert (problem.rule, problem.line, problem.column, problem.value) == (
        "cell.number",
        2,
        "建筑面积",
        problem.value,
    )
    fields = said(problem, key)
    assert fields.get("number") == number and fields["column"] == "建筑面积"


def test_a_count_written_with_people_is_refused_with_the_number_and_plain_numbers_are_read():
    text = "日期,类型,议题,参会人数\n2024-05-03,周例会,例会,29人\n2024-05-04,周例会,例会,29\n"

    checked = check("meetings", text.encode())

    [problem] = checked.problems.errors
    assert problem.line == 2 and said(problem, "check.cell.number.unit")["number"] == "29"


# --- yes/no marks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "value"), [("✔️", True), ("✔\ufe0e", True), ("☑", True), ("☒", False)])
def test_a_tick_from_a_phones_emoji_keyboard_or_a_check_box_symbol_is_yes_or_no(written: str, value: bool):
    text = f"房产编号,户主,户类,党小组,当前状态,重点户\nDX-001,张三,1,1,已摸底,{written}\n"

    checked = check("demolition", text.encode())

    assert checked.ok, checked.problems.items
    assert bool(checked.frame.loc[2, "key_household"]) is value


@pytest.mark.parametrize("written", ["☐", "有"])
def test_an_empty_check_box_or_you_is_no_sure_answer_and_is_refused(written: str):
    text = f"房产编号,户主,户类,党小组,当前状态,重点户\nDX-001,张三,1,1,已摸底,{written}\n"

    [problem] = check("demolition", text.encode()).problems.errors

    assert said(problem, "check.cell.bool")["value"] == written


CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def test_an_error_value_in_a_libreoffice_sheet_is_refused_not_read_as_its_stand_in():
    """LibreOffice saves #DIV/0! as the number 0 beside an error mark, #N/A as an empty string."""
    data = ods(
        {
            "活动": [
                HEADER,
                ["2024-05-03", "BR-01", "帮扶", "结对帮扶", 18, "XDIV"],
                ["2024-05-04", "BR-01", "服务", "志愿服务", "XNA", 3],
            ]
        }
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    error = '<table:table-cell {} calcext:value-type="error"><text:p>{}</text:p></table:table-cell>'
    content = (
        parts["content.xml"]
        .decode()
        .replace(
            "<office:document-content ",
            f'<office:document-content xmlns:calcext="{CALCEXT}" ',
            1,
        )
    )
    for mark, attrs, shown in [
        ("XDIV", 'table:formula="of:=1/0" office:value-type="float" office:value="0"', "#DIV/0!"),
        ("XNA", 'table:formula="of:=VLOOKUP(1;A1:B2;2;0)" office:string-value=""', "#N/A"),
    ]:
        content = re.sub(
            rf'<table:table-cell office:value-type="string"[^>]*><text:p>{mark}</text:p></table:table-cell>',
            error.format(attrs, shown),
            content,
        )
    parts["content.xml"] = content.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", parts.pop("mimetype"))
        for name, part in parts.items():
            zf.writestr(name, part)

    checked = check("activities", out.getvalue(), "活动.ods")

    assert {(p.line, p.column, p.value) for p in checked.problems.errors} == {
        (2, "志愿者人数", "#DIV/0!"),
        (3, "参与人数", "#N/A"),
    }


def test_an_error_value_in_an_xls_is_refused_not_read_as_empty():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("活动")
    for c, header in enumerate(HEADER):
        sheet.write(0, c, header)
    for c, value in enumerate(["2024-05-03", "BR-01", "帮扶", "结对帮扶", 18]):
        sheet.write(1, c, value)
    sheet.row(1).set_cell_error(5, 0x07)  # #DIV/0!
    for c, value in enumerate(["2024-05-04", "BR-01", "服务", "志愿服务"]):
        sheet.write(2, c, value)
    sheet.row(2).set_cell_error(4, 0x2A)  # #N/A
    sheet.write(2, 5, 3)
    out = io.BytesIO()
    book.save(out)

    checked = check("activities", out.getvalue(), "活动.xls")

    assert {(p.line, p.column, p.value) for p in checked.problems.errors} == {
        (2, "志愿者人数", "#DIV/0!"),
        (3, "参与人数", "#N/A"),
    }


# --- empty files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n", "\r\n".encode("utf-16"), b"\xff\xfe", b" \r\n"],
    ids=["utf8-bom", "utf8-bom-blank-lines", "unicode-text-blank", "utf16-bom", "blank"],
)
def test_an_empty_sheet_saved_as_csv_or_unicode_text_is_said_to_be_empty(data: bytes):
    from dashboard.ingest.problems import UnreadableFile

    with pytest.raises(UnreadableFile) as refused:
        read_table(data, "台账.csv", "meetings")

    said(refused.value, "read.empty")


def test_the_upload_page_names_every_kind_of_workbook_it_reads():
    from dashboard import i18n
    from dashboard.pages.upload import ACCEPT

    for lang in ("zh", "en"):
        said_kinds = i18n.t("staff.upload.kinds", lang)
        for kind in (".csv", ".xlsx", ".xls", ".ods"):
            assert kind in ACCEPT and kind[1:].upper() in said_kinds, (lang, kind)
