"""The command line, run as staff and scripts run it: ``python -m dashboard ...``.

Each test starts the real CLI in a subprocess against a fresh SQLite database
(DASHBOARD_DB_URL from the sqlite_url fixture) and checks what a person sees
on screen and the exit code: 0 done, 1 rejected (nothing written), 2 usage
error, 3 internal error.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.contract import DATASETS
from tests.messages import said

REPO = Path(__file__).resolve().parent.parent

DEMOLITION_OK = (
    "房产编号,户主,户类,党小组,当前状态,签约日期\n"
    "DX-001,张某某,1,1,已签约,2024-05-03\n"
    "DX-002,李某某,2,3,已摸底,\n"
)
DEMOLITION_MORE = DEMOLITION_OK + "DX-003,王某某,6,4,已评估,\n"
JSON_KEYS = {
    "dataset",
    "accepted",
    "dry_run",
    "version",
    "rows",
    "added",
    "changed",
    "removed",
    "skipped",
    "warnings",
    "errors",
    "error_count",
}


def dashboard(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m dashboard ARGS`` the way a person would (env from the fixture)."""
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        capture_output=True,
        cwd=REPO,
        env=os.environ | {"PYTHONIOENCODING": "utf-8"},
        encoding="utf-8",
        timeout=120,
    )


def write(path: Path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def db(sqlite_url: str) -> str:
    pytest.importorskip("dashboard.store.storage")
    return sqlite_url


def test_import_accepted_exits_0_with_a_summary(db, tmp_path):
    run = dashboard("import", "demolition", write(tmp_path / "拆迁.csv", DEMOLITION_OK))

    assert run.returncode == 0, run.stderr
    assert "accepted demolition as version 1" in run.stdout
    assert "已导入 demolition，版本 1" in run.stdout
    assert "2 rows: added 2, changed 0, removed 0, skipped 0" in run.stdout
    assert "Traceback" not in run.stderr


def test_import_json_prints_exactly_one_object(db, tmp_path):
    run = dashboard("import", "demolition", write(tmp_path / "d.csv", DEMOLITION_OK), "--json")

    assert run.returncode == 0
    report = json.loads(run.stdout)  # the whole of stdout is one JSON object
    assert set(report) == JSON_KEYS
    assert report | {"warnings": [], "errors": []} == {
        "dataset": "demolition",
        "accepted": True,
        "dry_run": False,
        "version": 1,
        "rows": 2,
        "added": 2,
        "changed": 0,
        "removed": 0,
        "skipped": 0,
        "warnings": [],
        "errors": [],
        "error_count": 0,
    }


def test_a_gbk_file_with_a_bad_cell_is_rejected_citing_line_and_column(db, tmp_path):
    """What Excel on a Chinese Windows saves: GBK. 户类 7 on spreadsheet line 3."""
    bad = "房产编号,户主,户类,党小组,当前状态\nDX-001,张某某,1,1,已摸底\nDX-002,李某某,7,2,已摸底\n"
    path = write(tmp_path / "拆迁.csv", bad, encoding="gbk")

    human = dashboard("import", "demolition", path)
    as_json = dashboard("import", "demolition", path, "--json")

    assert human.returncode == 1
    assert "line 3, column 户类:" in human.stdout
    assert "nothing was written" in human.stdout
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["accepted"] is False and report["version"] is None
    assert report["error_count"] == 1
    (error,) = report["errors"]
    assert (error["line"], error["column"], error["value"]) == (3, "户类", "7")
    assert error["rule"] == "cell.range" and said(error, "check.cell.range.between")["value"] == "7"
    assert "户类" in as_json.stdout  # ensure_ascii=False: Chinese stays readable
    assert dashboard("history").stdout.strip() == "还没有任何版本 / no versions yet"


def test_every_error_is_listed_in_chinese_then_english(db, tmp_path):
    bad = "房产编号,户主,户类,党小组,当前状态\nDX-001,,9,1,已摸底\nDX-001,李某某,1,5,拆掉了\n"

    run = dashboard("import", "demolition", write(tmp_path / "d.csv", bad), "--json")
    human = dashboard("import", "demolition", write(tmp_path / "d.csv", bad))

    report = json.loads(run.stdout)
    assert report["error_count"] >= 5  # all of them, not just the first
    for e in report["errors"]:
        where = f"line {e['line']}, column {e['column']}: {e['message']}"
        assert where in human.stdout
        assert e["message_en"] in human.stdout


def test_dry_run_checks_and_counts_but_writes_nothing(db, tmp_path):
    run = dashboard("import", "demolition", write(tmp_path / "d.csv", DEMOLITION_OK), "--dry-run")

    assert run.returncode == 0
    assert "dry run demolition: would be accepted, nothing written" in run.stdout
    assert "added 2" in run.stdout
    assert dashboard("history").stdout.strip() == "还没有任何版本 / no versions yet"
    export = dashboard("export", "demolition")
    assert export.stdout.lstrip("\ufeff").strip().count("\n") == 0  # header only


def test_unknown_dataset_is_a_usage_error_listing_the_valid_names(db, tmp_path):
    run = dashboard("import", "houses", write(tmp_path / "d.csv", DEMOLITION_OK))

    assert run.returncode == 2
    assert "unknown dataset 'houses'" in run.stderr
    assert ", ".join(DATASETS) in run.stderr


def test_a_missing_file_is_a_usage_error(db, tmp_path):
    run = dashboard("import", "demolition", str(tmp_path / "nope.csv"))

    assert run.returncode == 2
    assert "cannot read" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\xff\xfe\x00garbage\x00" * 20])
def test_an_unreadable_file_is_a_usage_error(db, tmp_path, content):
    path = tmp_path / "d.csv"
    path.write_bytes(content)

    run = dashboard("import", "demolition", str(path))

    assert run.returncode == 2
    assert run.stderr.strip()
    assert "Traceback" not in run.stderr


def test_template_prints_the_chinese_header_and_an_example(db):
    run = dashboard("template", "meetings")

    assert run.returncode == 0
    header, example = run.stdout.lstrip("\ufeff").splitlines()
    assert header == "日期,类型,议题,主持人,参会人数,决议事项数"
    assert example.startswith("2024-05-03,专题调度会,")


def test_export_writes_a_bom_csv_file_excel_can_open(db, tmp_path):
    dashboard("import", "demolition", write(tmp_path / "d.csv", DEMOLITION_OK))
    out = tmp_path / "out.csv"

    run = dashboard("export", "demolition", "-o", str(out))

    assert run.returncode == 0
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("房产编号,户主,户类,党小组,当前状态,签约日期")
    assert lines[1].startswith("DX-001,张某某,1,1,已签约,2024-05-03")


def test_history_and_rollback(db, tmp_path):
    first = write(tmp_path / "v1.csv", DEMOLITION_OK)
    assert dashboard("import", "demolition", first, "--user", "王主任").returncode == 0
    assert dashboard("import", "demolition", write(tmp_path / "v2.csv", DEMOLITION_MORE)).returncode == 0

    rollback = dashboard("rollback", "demolition", "1")
    history = dashboard("history", "demolition")

    assert rollback.returncode == 0
    assert "as new version 3" in rollback.stdout
    lines = history.stdout.splitlines()
    assert lines[0].split()[:4] == ["数据集", "dataset", "版本", "version"]
    rows = [line.split() for line in lines[2:]]
    assert [r[:2] for r in rows] == [["demolition", "3"], ["demolition", "2"], ["demolition", "1"]]
    assert rows[0][-1] == "1"  # restored from version 1
    assert "王主任" in lines[-1] and "v1.csv" in lines[-1]
    exported = dashboard("export", "demolition").stdout.lstrip("\ufeff").splitlines()
    assert len(exported) == 3  # header + the two rows of version 1
    old = dashboard("export", "demolition", "--version", "2").stdout.lstrip("\ufeff").splitlines()
    assert len(old) == 4


def test_rollback_to_a_version_that_does_not_exist_is_a_usage_error(db, tmp_path):
    dashboard("import", "demolition", write(tmp_path / "d.csv", DEMOLITION_OK))

    run = dashboard("rollback", "demolition", "7")

    assert run.returncode == 2
    assert "demolition has no version 7 (existing: 1)" in run.stderr


def test_demo_loads_every_ledger_and_if_empty_leaves_existing_data_alone(db):
    first = dashboard("demo", "--if-empty")
    again = dashboard("demo", "--if-empty")

    assert first.returncode == 0
    for name in DATASETS:
        assert f"demo {name}:" in first.stdout
    assert "91 行 rows" in first.stdout
    assert again.returncode == 0
    assert "demo not loaded" in again.stdout
    # with its history: each ledger's last version number is how many versions it has
    finals = {name: int(n) for name, n in re.findall(r"demo (\w+): .*?(\d+)\s*$", first.stdout, re.M)}
    assert set(finals) == set(DATASETS) and min(finals.values()) > 1
    assert len(dashboard("history").stdout.strip().splitlines()) == 2 + sum(finals.values())


def test_migrate_is_idempotent(db):
    assert dashboard("migrate").returncode == 0
    run = dashboard("migrate")
    assert run.returncode == 0
    assert "up to date" in run.stdout


def test_no_command_is_a_usage_error():
    run = dashboard()
    assert run.returncode == 2
    assert "usage:" in run.stderr


def test_the_cli_does_not_import_reflex():
    """Fast start: the CLI's import path stays free of the web framework."""
    code = "import sys, dashboard.cli, dashboard.store.export, dashboard.demo.load, dashboard.store.storage\n"
    code += "print('reflex' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert run.stdout.strip() == "False"


def test_a_bug_in_a_check_exits_3_without_a_traceback_and_is_logged(db, tmp_path, monkeypatch, capsys):
    """A crashing check must never look like bad data: exit 3, nothing written, report it."""
    from dashboard import cli
    from dashboard.ingest import validation

    def broken_check(*args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(validation, "_check_key", broken_check)
    path = write(tmp_path / "d.csv", DEMOLITION_OK)

    code = cli.main(["import", "demolition", path])

    out, err = capsys.readouterr()
    assert code == 3
    assert "internal error in check key.duplicate, nothing was written; please report" in err
    assert "Traceback" not in out + err
    log = Path(os.environ["DASHBOARD_DATA_DIR"]) / "logs" / "errors.log"
    assert "ZeroDivisionError: a bug" in log.read_text(encoding="utf-8")
    monkeypatch.undo()
    assert dashboard("history").stdout.strip() == "还没有任何版本 / no versions yet"


def test_an_xlsx_workbook_imports_like_a_csv(db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import date

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["房产编号", "户主", "户类", "党小组", "当前状态", "签约日期"])
    sheet.append(["DX-001", "张某某", 1, 1, "已签约", date(2024, 5, 3)])
    path = tmp_path / "拆迁台账.xlsx"
    book.save(path)

    run = dashboard("import", "demolition", str(path), "--json")

    assert run.returncode == 0, run.stdout
    assert json.loads(run.stdout)["rows"] == 1
    exported = dashboard("export", "demolition").stdout.lstrip("\ufeff").splitlines()
    assert exported[1].startswith("DX-001,张某某,1,1,已签约,2024-05-03")


def test_a_database_that_cannot_be_reached_is_said_plainly_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 17: a database restarting, unreachable or on a full disk is not a trace (exit 3)."""
    monkeypatch.setenv(
        "DASHBOARD_DB_URL", "postgresql+psycopg://postgres@127.0.0.1:1/closed?connect_timeout=2"
    )

    run = dashboard("import", "demolition", write(tmp_path / "拆迁.csv", DEMOLITION_OK))

    assert run.returncode == 3
    assert "Traceback" not in run.stderr + run.stdout
    assert "什么都没有写入" in run.stderr and "nothing was written" in run.stderr
    said_lines = run.stderr.strip().splitlines()  # one line per language: the driver's reason, no SQL
    assert len(said_lines) == 2 and "127.0.0.1" in said_lines[1], said_lines
