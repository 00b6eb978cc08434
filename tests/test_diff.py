"""What versions changed (store.diff): computed from the ledger's opened and closed rows, it must
say exactly what comparing the two versions' exports says; and one row's story through every
version (key_history).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.contract import Mode, get_dataset
from dashboard.store import diff, storage
from dashboard.store.export import to_text_frame
from tests.frames import typed

DS = get_dataset("demolition")
REPO = Path(__file__).resolve().parent.parent
STATUSES = ("surveyed", "appraised", "signed", "vacated")


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """One database for every generated example: each adds versions, any pair must still agree."""
    eng = storage.make_engine(f"sqlite:///{tmp_path_factory.mktemp('diff') / 'diff.db'}")
    storage.migrate(eng)
    return eng


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


def prop(pid: str, status: str = "surveyed", household: str = "张三丰", **more: object) -> dict[str, object]:
    return {"property_id": pid, "household": household, "category": 1, "party_group": 1, "status": status,
            **more}  # fmt: skip


rows = st.builds(
    prop,
    pid=st.sampled_from([f"P{i}" for i in range(6)]),
    status=st.sampled_from(STATUSES),
    household=st.sampled_from(["张三丰", "李四", "王五"]),
    signed_date=st.sampled_from([None, date(2024, 5, 3), date(2024, 6, 1)]),
    key_household=st.booleans(),
    area_m2=st.sampled_from([None, 80.5, 120.0]),
    note=st.sampled_from([None, "", "=1+1", "留守老人"]),
)
uploads = st.lists(
    st.tuples(
        st.lists(rows, max_size=6, unique_by=lambda r: r["property_id"]),
        st.sampled_from([Mode.REPLACE, Mode.UPSERT, Mode.APPEND]),
    ),
    min_size=1,
    max_size=4,
)


def by_key(frame: pd.DataFrame) -> dict[str, dict[str, str | None]]:
    text = to_text_frame(DS, frame)
    text.columns = list(DS.column_names)
    return {
        r["property_id"]: {k: (None if pd.isna(v) else str(v)) for k, v in r.items()}
        for r in text.to_dict("records")
    }


def reference(engine: sa.Engine, old: int, new: int) -> dict[str, object]:
    """The diff as a person would make it: both versions' exports, compared key by key in pandas."""
    empty: dict[str, dict[str, str | None]] = {}
    a = by_key(storage.load_version(engine, "demolition", old)) if old else empty
    b = by_key(storage.load_version(engine, "demolition", new)) if new else empty
    return {
        "added": sorted(k for k in b if k not in a),
        "removed": sorted(k for k in a if k not in b),
        "changed": sorted(
            (k, c, a[k][c], b[k][c])
            for k in a.keys() & b.keys()
            for c in DS.column_names
            if a[k][c] != b[k][c]
        ),
    }


def computed(engine: sa.Engine, old: int, new: int) -> dict[str, object]:
    got = diff.diff_versions(engine, "demolition", old, new).to_json()
    return {
        "added": sorted(r["property_id"] for r in got["added"]),
        "removed": sorted(r["property_id"] for r in got["removed"]),
        "changed": sorted((c["key"], c["column"], c["old"], c["new"]) for c in got["changed"]),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    uploads=uploads, pairs=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=4)
)
def test_diff_of_any_two_versions_equals_comparing_their_exports(shared_engine, uploads, pairs) -> None:
    # Each example starts from an emptied ledger (a version of its own) and adds its uploads.
    base = storage.store_frame(
        shared_engine, "demolition", typed("demolition", []), mode=Mode.REPLACE
    ).version
    for upload, mode in uploads:
        storage.store_frame(shared_engine, "demolition", typed("demolition", upload), mode=mode)
    for i, j in pairs:
        old, new = base + min(i, len(uploads)), base + min(j, len(uploads))
        assert computed(shared_engine, old, new) == reference(shared_engine, old, new)


def test_the_first_version_adds_everything(engine) -> None:
    storage.store_frame(engine, "demolition", typed("demolition", [prop("A"), prop("B")]))
    storage.store_frame(engine, "demolition", typed("demolition", [prop("B", "signed")]))
    assert computed(engine, 0, 2) == reference(engine, 0, 2)
    assert computed(engine, 0, 2)["added"] == ["B"]
    assert diff.version_changes(engine, "demolition", 1).counts == (2, 0, 0)


def test_a_version_lists_its_added_removed_and_changed_rows(engine) -> None:
    storage.store_frame(engine, "demolition", typed("demolition", [prop("A"), prop("B"), prop("C")]))
    storage.store_frame(
        engine,
        "demolition",
        typed("demolition", [prop("A", "signed", signed_date=date(2024, 5, 3)), prop("C"), prop("D")]),
    )

    got = diff.version_changes(engine, "demolition", 2)

    assert got.counts == (1, 1, 1)
    assert got.added["property_id"].tolist() == ["D"]
    assert got.removed["property_id"].tolist() == ["B"]
    changes = got.changes().to_dict("records")
    assert changes == [
        {"key": "A", "column": "status", "old": "已摸底", "new": "已签约"},
        {"key": "A", "column": "signed_date", "old": None, "new": "2024-05-03"},
    ]
    masked = diff.version_changes(engine, "demolition", 1).to_json(mask_personal=True)
    assert {r["household"] for r in masked["added"]} == {"张**"}


def test_going_back_swaps_added_and_removed(engine) -> None:
    storage.store_frame(engine, "demolition", typed("demolition", [prop("A")]))
    storage.store_frame(engine, "demolition", typed("demolition", [prop("A", "appraised"), prop("B")]))

    back = diff.diff_versions(engine, "demolition", 2, 1)

    assert back.removed["property_id"].tolist() == ["B"]
    assert back.changes()[["old", "new"]].values.tolist() == [["已评估", "已摸底"]]


def test_an_unknown_version_is_a_key_error(engine) -> None:
    storage.store_frame(engine, "demolition", typed("demolition", [prop("A")]))
    with pytest.raises(KeyError):
        diff.diff_versions(engine, "demolition", 1, 7)


def test_key_history_gives_each_state_with_its_version_user_and_changed_columns(engine) -> None:
    storage.store_frame(engine, "demolition", typed("demolition", [prop("A"), prop("B")]), user="王主任")
    storage.store_frame(engine, "demolition", typed("demolition", [prop("A"), prop("B", "appraised")]))
    storage.store_frame(
        engine, "demolition", typed("demolition", [prop("A", "signed", signed_date=date(2024, 5, 3))])
    )

    states = diff.key_history(engine, "demolition", "A")

    assert [(s.first, s.until) for s in states] == [(1, 3), (3, None)]
    assert states[0].user == "王主任"
    assert states[1].changed == ["status", "signed_date"]
    assert states[1].row["status"] == "signed"
    assert diff.key_history(engine, "demolition", "nobody") == []
    (b,) = diff.key_history(engine, "demolition", "B")[-1:]
    assert (b.until, b.removed_by) == (3, "cli") and b.removed_at is not None


def test_a_note_is_kept_with_the_version(engine) -> None:
    data = "房产编号,户主,户类,党小组,当前状态\nA,张三,1,1,已摸底\n".encode()
    storage.import_file(engine, "demolition", data, "a.csv", note="  第一批摸底  ")
    assert storage.list_versions(engine, "demolition")[0].note == "第一批摸底"


# ---------------------------------------------------------------------------
# python -m dashboard diff

HEAD = "房产编号,户主,户类,党小组,当前状态,签约日期\n"
V1 = HEAD + "DX-001,张某某,1,1,已摸底,\nDX-002,李某某,2,3,已摸底,\n"
V2 = HEAD + "DX-001,张某某,1,1,已签约,2024-05-03\nDX-003,王某某,6,4,已评估,\n"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], capture_output=True, cwd=REPO,
        env=os.environ | {"PYTHONIOENCODING": "utf-8"}, encoding="utf-8", timeout=120,
    )  # fmt: skip


@pytest.fixture
def two_versions(sqlite_url: str, tmp_path: Path) -> str:
    for i, text in enumerate((V1, V2), 1):
        path = tmp_path / f"v{i}.csv"
        path.write_text(text, encoding="utf-8")
        run = cli("import", "demolition", str(path), "--note", f"第{i}批")
        assert run.returncode == 0, run.stderr
    return sqlite_url


def test_cli_diff_prints_added_removed_and_changed_cells(two_versions) -> None:
    run = cli("diff", "demolition", "1", "2")

    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "新增 1 行，删除 1 行，修改 1 行" in lines[0] and "1 added, 1 removed, 1 changed" in lines[0]
    assert any(line.startswith("+ DX-003") and "户主=王某某" in line for line in lines)
    assert any(line.startswith("- DX-002") for line in lines)
    assert "~ DX-001  当前状态: 已摸底 → 已签约" in lines
    assert "~ DX-001  签约日期: — → 2024-05-03" in lines


def test_cli_diff_json_has_rows_and_cells_as_the_export_writes_them(two_versions) -> None:
    run = cli("diff", "demolition", "1", "2", "--json")

    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert [r["property_id"] for r in got["added"]] == ["DX-003"]
    assert got["added"][0]["status"] == "已评估"
    assert [r["property_id"] for r in got["removed"]] == ["DX-002"]
    assert got["changed"] == [
        {"key": "DX-001", "column": "status", "old": "已摸底", "new": "已签约"},
        {"key": "DX-001", "column": "signed_date", "old": None, "new": "2024-05-03"},
    ]


def test_cli_diff_refuses_an_unknown_version_or_dataset_with_exit_2(two_versions) -> None:
    run = cli("diff", "demolition", "1", "9")
    assert run.returncode == 2
    assert "9" in run.stderr and "Traceback" not in run.stderr
    run = cli("diff", "nosuch", "1", "2")
    assert run.returncode == 2
    assert "nosuch" in run.stderr


def test_cli_import_note_is_kept_with_the_version(two_versions) -> None:
    engine = storage.make_engine(two_versions)
    assert [v.note for v in storage.list_versions(engine, "demolition")] == ["第2批", "第1批"]
