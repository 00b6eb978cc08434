"""The upload page's check, preview, templates and error report (dashboard.store.uploads, /api routes)."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.testclient import TestClient

from dashboard import api
from dashboard.accounts import auth
from dashboard.contract import DATASETS
from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import validate
from dashboard.settings import get_settings
from dashboard.store import storage, uploads

HEADER = "房产编号,户主,户类,党小组,当前状态,签约日期\n"
V1 = HEADER + "DX-1,张三,1,1,已评估,\nDX-2,李四,2,1,已评估,\nDX-3,王五,3,2,已摸底,\n"
V2 = HEADER + "DX-1,张三,1,1,已签约,2024-05-03\nDX-2,李四,2,1,已签约,2024-05-04\nDX-4,赵六,3,2,已摸底,\n"


def _engine(url: str) -> sa.Engine:
    eng = storage.make_engine(url)
    storage.migrate(eng)
    return eng


def test_the_headers_choose_the_dataset() -> None:
    assert uploads.guess_dataset(V1.encode()) == "demolition"
    assert uploads.guess_dataset("日期,类型,议题\n2024-05-03,周例会,进度\n".encode()) == "meetings"
    assert uploads.guess_dataset(b"date,project_code,title,type,participants\n") == "activities"
    assert uploads.guess_dataset("姓名,年龄\n张三,3\n".encode()) is None


def test_the_preview_counts_changes_and_status_moves_against_the_current_version(sqlite_url: str) -> None:
    engine = _engine(sqlite_url)
    storage.import_file(engine, "demolition", V1.encode(), "v1.csv", user="staff")
    report = uploads.check_upload(
        engine, get_settings().data_dir, V2.encode(), "v2.csv", "demolition", user="staff", reveal_names=False
    )
    assert report.accepted
    r = report.result
    assert (r["added"], r["changed"], r["removed"]) == (1, 2, 1)
    assert report.moves == ["-2 已评估", "+2 已签约"]  # DX-3 out, DX-4 in: 已摸底 unchanged
    assert report.sample_headers[:2] == ["房产编号", "户主"]
    assert [row[1] for row in report.sample_rows] == ["张**", "李**", "赵**"]
    assert [v.number for v in storage.list_versions(engine, "demolition")] == [1]  # nothing written yet


def test_status_moves_name_each_status_that_gains_or_loses_rows() -> None:
    ds = DATASETS["demolition"]
    before = validate(ds, read_table(V1.encode())).frame
    after = validate(ds, read_table(V2.encode())).frame
    assert uploads.status_moves(ds, before, after) == ["-2 已评估", "+2 已签约"]


def test_confirm_makes_the_version_and_cancel_writes_nothing(sqlite_url: str) -> None:
    engine, data_dir = _engine(sqlite_url), get_settings().data_dir
    first = uploads.check_upload(
        engine, data_dir, V1.encode(), "a.csv", "demolition", user="staff", reveal_names=False
    )
    uploads.discard(data_dir, first.id, "staff")
    assert storage.list_versions(engine) == [] and not any((data_dir / "pending").iterdir())
    second = uploads.check_upload(
        engine, data_dir, V1.encode(), "a.csv", "demolition", user="staff", reveal_names=False
    )
    result = uploads.confirm(engine, data_dir, second.id, "staff")
    assert result.accepted and result.version == 1
    assert storage.list_versions(engine)[0].user == "staff"


def test_the_error_report_lists_line_column_value_and_message(sqlite_url: str) -> None:
    engine = _engine(sqlite_url)
    bad = V1.replace("DX-2,李四,2", "DX-2,李四,=2").encode()
    report = uploads.check_upload(
        engine, get_settings().data_dir, bad, "bad.csv", "demolition", user="staff", reveal_names=False
    )
    assert not report.accepted and report.result["error_count"] == 1
    table = read_table(uploads.errors_csv(report), "errors.csv").frame
    assert list(table.columns) == ["行 line", "列 column", "值 value", "问题", "problem"]
    row = table.iloc[0]
    assert (row["行 line"], row["列 column"], row["值 value"]) == ("3", "户类", "'=2")  # made inert


def test_templates_download_as_csv_with_bom_and_as_xlsx_and_both_read_back(sqlite_url: str) -> None:
    _engine(sqlite_url)
    auth.add_user(storage.make_engine(), "staff", "editor", "pass-word-1")
    client = TestClient(api.build())
    client.post("/api/login", data={"name": "staff", "password": "pass-word-1"})
    for name in DATASETS:
        csv_file = client.get(f"/api/template/{name}.csv")
        xlsx = client.get(f"/api/template/{name}.xlsx")
        assert csv_file.status_code == xlsx.status_code == 200
        assert csv_file.content.startswith("\ufeff".encode())
        for data, file_name in ((csv_file.content, "t.csv"), (xlsx.content, "t.xlsx")):
            raw = read_table(data, file_name)
            assert raw.headers == list(DATASETS[name].headers) and len(raw.frame) == 1  # the example row
        assert uploads.guess_dataset(xlsx.content, "t.xlsx") == name


def test_the_error_report_downloads_only_for_its_uploader(sqlite_url: str) -> None:
    engine = _engine(sqlite_url)
    for name in ("staff", "staff2"):
        auth.add_user(engine, name, "editor", "pass-word-1")
    mine, other = TestClient(api.build()), TestClient(api.build())
    mine.post("/api/login", data={"name": "staff", "password": "pass-word-1"})
    other.post("/api/login", data={"name": "staff2", "password": "pass-word-1"})
    answer = mine.post("/api/upload?name=bad.csv", content=V1.replace(",1,1,", ",九,1,").encode())
    assert answer.json()["dataset"] == "demolition" and answer.json()["accepted"] is False
    report_url = f"/api/upload/{answer.json()['id']}/errors.csv"
    assert "户类" in mine.get(report_url).content.decode("utf-8-sig")
    assert other.get(report_url).status_code == 404
    assert auth.list_audit(engine, action="upload_rejected")[0].user == "staff"
