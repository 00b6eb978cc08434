"""XLSX downloads: every file opens in Excel/WPS as a person would have made it, and reads back.

Each test opens the bytes with openpyxl (what Excel would show: cell types, number formats,
widths, sheet names) or sends them through the real import path (dashboard.store.storage).
"""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from starlette.testclient import TestClient

from dashboard import api, clock
from dashboard.accounts import auth
from dashboard.contract import DATASETS, ColType, Mode, get_dataset
from dashboard.demo.load import load_demo
from dashboard.ingest.reading import read_table
from dashboard.store import storage
from dashboard.store.export import to_csv_bytes
from dashboard.store.xlsx import (
    DATE_FORMAT,
    content_disposition,
    display_width,
    prefilled_xlsx,
    template_xlsx,
    to_xlsx_bytes,
)
from tests.test_export import TEXT, ledgers, ref_ledger, text_key, typed

PASSWORD = "pass-word-1"
ROOT = Path(__file__).resolve().parents[1]


def book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def cells(sheet: Worksheet) -> dict[str, list]:
    """Header -> the column's cells below it."""
    header = [c.value for c in sheet[1]]
    return {h: [row[i] for row in sheet.iter_rows(min_row=2)] for i, h in enumerate(header)}


def demolition_frame() -> pd.DataFrame:
    return typed(
        "demolition",
        property_id=["DX-001", "DX-002"],
        household=["张三丰", "李四"],
        category=[1, 6],
        party_group=[2, 4],
        status=["vacated", "surveyed"],
        signed_date=[date(2024, 5, 3), None],
        vacated_date=[date(2024, 5, 9), None],
        key_household=[True, False],
        area_m2=[186.5, 200.0],
        note=['=HYPERLINK("http://evil.example","点我")', "+86 138"],
    )


# ---------------------------------------------------------------------------
# The workbook itself


def test_the_sheet_is_named_after_the_ledger_with_a_bold_frozen_header_in_contract_order() -> None:
    sheet = book(to_xlsx_bytes("demolition", demolition_frame())).worksheets[0]
    assert sheet.title == "拆迁房产进度"
    assert [c.value for c in sheet[1]] == list(get_dataset("demolition").headers)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"


def test_dates_are_date_cells_numbers_are_numbers_and_labels_are_text() -> None:
    col = cells(book(to_xlsx_bytes("demolition", demolition_frame())).worksheets[0])
    signed = col["签约日期"][0]
    assert signed.is_date and signed.value == datetime(2024, 5, 3) and signed.number_format == DATE_FORMAT
    assert col["签约日期"][1].value is None  # missing stays empty
    assert [c.value for c in col["户类"]] == [1, 6] and col["户类"][0].data_type == "n"
    assert [c.value for c in col["建筑面积"]] == [186.5, 200] and col["建筑面积"][0].data_type == "n"
    assert [c.value for c in col["当前状态"]] == ["已腾空", "已摸底"]  # Chinese labels, as the CSV
    assert [c.value for c in col["重点户"]] == ["是", "否"]


def test_percentages_are_percent_cells_holding_the_fraction() -> None:
    frame = typed(
        "elections",
        org_code=["ORG-1", "ORG-2"],
        org_name=["示例村01党支部", "示例村02党支部"],
        org_type=["village", "community"],
        members=[30, 12],
        stage=["voting", "voting"],
        turnout=[96.0, 92.5],
    )
    col = cells(book(to_xlsx_bytes("elections", frame)).worksheets[0])
    whole, fraction = col["到会率"]
    assert whole.value == pytest.approx(0.96) and whole.number_format == "0%"
    assert fraction.value == pytest.approx(0.925) and fraction.number_format == "0.00%"
    assert read_table(to_xlsx_bytes("elections", frame)).frame["到会率"].tolist() == ["96%", "92.5%"]


@pytest.mark.parametrize("dangerous", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_text_a_spreadsheet_would_run_stays_text_never_a_formula(dangerous: str) -> None:
    frame = typed("meetings", date=[date(2024, 5, 3)], type=["weekly"], topic=[dangerous], chair=["A=B"])
    data = to_xlsx_bytes("meetings", frame)
    topic = cells(book(data).worksheets[0])["议题"][0]
    assert topic.data_type == "s" and topic.value == dangerous  # a string cell: Excel never runs it
    assert topic.quotePrefix  # and editing it in Excel keeps it text
    assert b"<f>" not in _sheet_xml(data)  # no formula element anywhere in the file
    assert read_table(data).frame["议题"].tolist() == [dangerous]  # no quote added: the cell has a type


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))


def test_column_widths_fit_chinese_text_counting_a_cjk_character_as_two() -> None:
    assert display_width("东辛村") == 6 and display_width("DX-001") == 6 and display_width("９１") == 4
    frame = demolition_frame()
    frame.loc[0, "note"] = "突出网络管理、构建社区连心网络"  # 15 CJK characters: 30 units
    sheet = book(to_xlsx_bytes("demolition", frame)).worksheets[0]
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    assert widths["备注"] >= 30
    assert widths["房产编号"] >= display_width("房产编号") + 2  # the header fits too
    assert widths["户类"] < widths["备注"]


def test_household_names_are_masked_exactly_as_in_the_csv() -> None:
    frame = demolition_frame()
    xlsx = cells(book(to_xlsx_bytes("demolition", frame, mask_personal=True)).worksheets[0])
    csv_rows = read_table(to_csv_bytes("demolition", frame, mask_personal=True)).frame
    assert [c.value for c in xlsx["户主"]] == csv_rows["户主"].tolist() == ["张**", "李**"]
    plain = cells(book(to_xlsx_bytes("demolition", frame)).worksheets[0])
    assert [c.value for c in plain["户主"]] == ["张三丰", "李四"]


def test_the_download_name_is_chinese_in_filename_star_with_an_ascii_fallback() -> None:
    header = content_disposition("拆迁房产进度_2026-12-02.xlsx", "demolition_2026-12-02.xlsx")
    assert header == (
        'attachment; filename="demolition_2026-12-02.xlsx"; '
        f"filename*=UTF-8''{quote('拆迁房产进度_2026-12-02.xlsx')}"
    )


# ---------------------------------------------------------------------------
# Round trips through the real import path


def _engine(url: str) -> sa.Engine:
    eng = storage.make_engine(url)
    storage.migrate(eng)
    return eng


def _stable(s: str) -> bool:
    return not s.startswith(("=", "+", "-", "@", "'"))


@pytest.mark.parametrize("name", list(DATASETS))
def test_export_to_xlsx_then_import_gives_the_same_rows_as_the_csv_path(sqlite_url: str, name: str) -> None:
    engine = _engine(sqlite_url)
    ds = get_dataset(name)
    examples = itertools.count()

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ledgers(ds))
    def round_trip(frame: pd.DataFrame) -> None:
        key = text_key(ds)
        frame[key] = f"{next(examples)}." + frame[key]
        for fk in ds.foreign_keys:
            ref = ref_ledger(fk.ref_dataset, sorted(set(frame[fk.column])))
            storage.import_file(
                engine, fk.ref_dataset, to_xlsx_bytes(fk.ref_dataset, ref), "r.xlsx", mode=Mode.UPSERT
            )
        got = {}
        for kind, data in (("csv", to_csv_bytes(name, frame)), ("xlsx", to_xlsx_bytes(name, frame))):
            result = storage.import_file(engine, name, data, f"x.{kind}", mode=Mode.REPLACE)
            assert result.accepted, (kind, result.to_json()["errors"])
            got[kind] = storage.load_current(engine, name)
        pd.testing.assert_frame_equal(got["xlsx"], got["csv"])
        pd.testing.assert_frame_equal(got["xlsx"], frame)

    round_trip()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        TEXT,
        st.sampled_from(
            ["=1+1", "+86 138", "-2", "@A1", "'quoted", "007", "1e5", "TRUE", "a<b>&c", '"引号"', "一\r\n二"]
        ),
    )
)
def test_any_text_comes_back_from_the_xlsx_exactly_formula_characters_included(text: str) -> None:
    frame = typed("meetings", date=[date(2024, 5, 3)], type=["weekly"], topic=[text])
    assert read_table(to_xlsx_bytes("meetings", frame)).frame["议题"].tolist() == [text]


# ---------------------------------------------------------------------------
# Templates: blank and prefilled (一表通)


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_blank_template_has_typed_examples_dropdowns_required_marks_and_a_guide(name: str) -> None:
    ds = get_dataset(name)
    wb = book(template_xlsx(name))
    assert wb.sheetnames == [ds.title, "填表说明"]  # the ledger first: the reader reads the first sheet
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]] == list(ds.headers)  # headers today's reader accepts
    for cell, col in zip(sheet[1], ds.columns, strict=True):
        assert bool(cell.comment) == col.required  # required columns carry a note (and a red header)
        assert (cell.font.color is not None and cell.font.color.rgb == "00C00000") == col.required
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    for cell, col in zip(sheet[1], ds.columns, strict=True):
        if col.type is ColType.ENUM:
            assert lists[f"{cell.column_letter}2"] == '"' + ",".join(col.enum.labels) + '"'
        elif col.type is ColType.BOOL:
            assert lists[f"{cell.column_letter}2"] == '"是,否"'
        else:
            assert f"{cell.column_letter}2" not in lists
        example = sheet.cell(row=2, column=cell.column)
        if col.type is ColType.DATE and col.example:
            assert example.is_date
        if col.type is ColType.PERCENT and col.example:
            assert "%" in example.number_format
    guide = [r for r in wb["填表说明"].iter_rows(values_only=True)]
    assert any(ds.title in str(r[0]) for r in guide[:1])
    rules = {r[0]: r for r in guide if r and r[0] in ds.headers}
    assert set(rules) == set(ds.headers)  # every column explained
    for col in ds.columns:
        if col.enum is not None:
            assert all(lbl in rules[col.header][3] for lbl in col.enum.labels)


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_prefilled_ledger_uploaded_unchanged_makes_a_version_with_no_changes(
    sqlite_url: str, name: str
) -> None:
    engine = _engine(sqlite_url)
    load_demo(engine)
    before = storage.load_current(engine, name)
    data = prefilled_xlsx(name, before)
    assert book(data).sheetnames == [get_dataset(name).title, "填表说明"]

    result = storage.import_file(engine, name, data, "一表通.xlsx")

    assert result.accepted, result.to_json()["errors"]
    assert (result.added, result.changed, result.removed) == (0, 0, 0)
    # the guide sheet is not read (the reader says so, as for any office's 填表说明), nor are the marks
    assert [(p.rule, p.sheet) for p in result.problems.items] == [("read.sheet.skipped", "填表说明")]
    pd.testing.assert_frame_equal(storage.load_current(engine, name), before)


# ---------------------------------------------------------------------------
# The HTTP downloads


@pytest.fixture
def web(sqlite_url: str) -> sa.Engine:
    engine = _engine(sqlite_url)
    for user, role in (("leader", "viewer"), ("staff", "editor"), ("admin", "admin")):
        auth.add_user(engine, user, role, PASSWORD)
    return engine


def _client(name: str | None) -> TestClient:
    client = TestClient(api.build())
    if name:
        client.post("/api/login", data={"name": name, "password": PASSWORD})
    return client


def _import(engine: sa.Engine, frame: pd.DataFrame) -> None:
    assert storage.import_file(engine, "demolition", to_csv_bytes("demolition", frame), "v.csv").accepted


def test_the_ledger_downloads_as_xlsx_masked_for_all_but_admins_named_with_the_data_date(
    web: sa.Engine,
) -> None:
    _import(web, demolition_frame())
    day = storage.list_versions(web, "demolition")[0].created_at.astimezone(clock.OFFICE_TZ).date()
    assert _client(None).get("/api/export/demolition.xlsx").status_code == 401
    for user, names in (
        ("leader", ["张**", "李**"]),
        ("staff", ["张**", "李**"]),
        ("admin", ["张三丰", "李四"]),
    ):
        answer = _client(user).get("/api/export/demolition.xlsx")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert (
            f"filename*=UTF-8''{quote(f'拆迁房产进度_{day:%Y-%m-%d}.xlsx')}"
            in answer.headers["content-disposition"]
        )
        assert f'filename="demolition_{day:%Y-%m-%d}.xlsx"' in answer.headers["content-disposition"]
        sheet = book(answer.content).worksheets[0]
        assert sheet.title == "拆迁房产进度"
        assert [c.value for c in cells(sheet)["户主"]] == names
    csv_answer = _client("staff").get("/api/export/demolition.csv")
    assert csv_answer.content.startswith("\ufeff".encode())
    assert quote(f"拆迁房产进度_{day:%Y-%m-%d}.csv") in csv_answer.headers["content-disposition"]


def test_any_version_downloads_both_ways_for_editors_only(web: sa.Engine) -> None:
    first = demolition_frame()
    _import(web, first)
    second = first.copy()
    second.loc[1, "status"] = "appraised"
    _import(web, second)
    staff = _client("staff")
    old = staff.get("/api/export/demolition.xlsx?version=1")
    assert old.status_code == 200
    assert [c.value for c in cells(book(old.content).worksheets[0])["当前状态"]] == ["已腾空", "已摸底"]
    assert "已摸底" in staff.get("/api/export/demolition.csv?version=1").content.decode("utf-8-sig")
    assert staff.get("/api/export/demolition.xlsx?version=9").status_code == 404
    assert _client("leader").get("/api/export/demolition.xlsx?version=1").status_code == 403
    assert staff.get("/api/export/demolition.pdf").status_code == 404


def test_the_term_calendar_downloads_as_xlsx_with_date_cells_and_day_counts(web: sa.Engine) -> None:
    frame = typed(
        "elections",
        org_code=["=ORG-1"],
        org_name=["示例村01党支部"],
        org_type=["village"],
        members=[30],
        stage=["completed"],
        completed_date=[date(2024, 5, 28)],
    )
    assert storage.import_file(web, "elections", to_csv_bytes("elections", frame), "e.csv").accepted
    answer = _client("leader").get("/api/reminders/term-calendar.xlsx")
    assert answer.status_code == 200 and quote("任期届满日历_") in answer.headers["content-disposition"]
    sheet = book(answer.content).worksheets[0]
    col = cells(sheet)
    assert col["任期届满日期"][0].is_date and col["任期届满日期"][0].value == datetime(2029, 5, 28)
    assert col["距今天数"][0].data_type == "n"
    assert col["组织编码"][0].data_type == "s"  # "'=ORG-1" as the CSV made it: text, never a formula
    english = book(_client("leader").get("/api/reminders/term-calendar.xlsx?lang=en").content).worksheets[0]
    assert english["A1"].value == "Organisation code"


def test_the_drill_rows_download_as_xlsx_masked_for_a_viewer(web: sa.Engine) -> None:
    _import(web, demolition_frame())
    url = "/api/drill.xlsx?chart=demolition_by_category&label=1类户&lang=zh"
    answers = {u: _client(u).get(url) for u in ("leader", "admin")}
    assert all(a.status_code == 200 for a in answers.values())
    leader = cells(book(answers["leader"].content).worksheets[0])
    admin = cells(book(answers["admin"].content).worksheets[0])
    assert [c.value for c in leader["户主"]] == ["张**"] and [c.value for c in admin["户主"]] == ["张三丰"]
    assert [c.value for c in leader["房产编号"]] == ["DX-001"]


def test_the_error_report_downloads_as_xlsx_for_its_uploader(web: sa.Engine) -> None:
    bad = "房产编号,户主,户类,党小组,当前状态\nDX-1,张三,=2,1,已评估\n".encode()
    answer = _client("staff").post("/api/upload?dataset=demolition&name=bad.csv", content=bad)
    pending = answer.json()["id"]
    report = _client("staff").get(f"/api/upload/{pending}/errors.xlsx")
    assert report.status_code == 200 and quote("bad-错误报告.xlsx") in report.headers["content-disposition"]
    rows = list(book(report.content).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == (2, "户类", "=2")  # line as a number; the value as text, inert
    assert _client("admin").get(f"/api/upload/{pending}/errors.xlsx").status_code == 404


def test_the_prefilled_ledger_with_household_names_is_for_admins_only(web: sa.Engine) -> None:
    _import(web, demolition_frame())
    assert _client("leader").get("/api/prefilled/elections.xlsx").status_code == 403
    assert _client("staff").get("/api/prefilled/elections.xlsx").status_code == 200
    refused = _client("staff").get("/api/prefilled/demolition.xlsx")
    assert refused.status_code == 403 and "管理员" in refused.json()["message"]
    whole = _client("admin").get("/api/prefilled/demolition.xlsx")
    assert whole.status_code == 200 and quote("拆迁房产进度-一表通_") in whole.headers["content-disposition"]
    assert [c.value for c in cells(book(whole.content).worksheets[0])["户主"]] == ["张三丰", "李四"]


def test_the_blank_templates_download_as_xlsx_with_the_guide(web: sa.Engine) -> None:
    answer = _client("staff").get("/api/template/meetings.xlsx")
    assert answer.status_code == 200 and book(answer.content).sheetnames == ["调度会记录", "填表说明"]
    assert 'filename="meetings-template.xlsx"' in answer.headers["content-disposition"]


# ---------------------------------------------------------------------------
# The CLI


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env_path = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**__import__("os").environ, "PYTHONPATH": env_path},
        timeout=120,
    )


def test_the_cli_writes_the_format_the_file_name_says_and_refuses_a_mismatch(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = _engine(sqlite_url)
    _import(engine, demolition_frame())
    done = run_cli("export", "demolition", "-o", "拆迁.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert book((tmp_path / "拆迁.xlsx").read_bytes()).worksheets[0].title == "拆迁房产进度"
    assert run_cli("export", "demolition", "-o", "拆迁.csv", cwd=tmp_path).returncode == 0
    assert (tmp_path / "拆迁.csv").read_bytes().startswith("\ufeff".encode())
    refused = run_cli("export", "demolition", "-o", "x.csv", "--format", "xlsx", cwd=tmp_path)
    assert refused.returncode == 2 and "--format" in refused.stderr and not (tmp_path / "x.csv").exists()
    assert run_cli("export", "demolition", "-o", "x.txt", cwd=tmp_path).returncode == 2
    assert run_cli("export", "demolition", "-o", "台账", "--format", "xlsx", cwd=tmp_path).returncode == 0
    assert book((tmp_path / "台账.xlsx").read_bytes())  # the name got the format's extension
    assert run_cli("template", "elections", "-o", "模板.xlsx", cwd=tmp_path).returncode == 0
    assert book((tmp_path / "模板.xlsx").read_bytes()).sheetnames == ["换届选举进度", "填表说明"]
    assert run_cli("template", "demolition", "--prefilled", "-o", "一表通.xlsx", cwd=tmp_path).returncode == 0
    again = storage.import_file(engine, "demolition", (tmp_path / "一表通.xlsx").read_bytes(), "p.xlsx")
    assert again.accepted and (again.added, again.changed, again.removed) == (0, 0, 0)
    assert run_cli("template", "demolition", "--prefilled", "-o", "p.csv", cwd=tmp_path).returncode == 2
