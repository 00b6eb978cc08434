"""Fix in place: offending cells are corrected on the upload page and checked again, no new upload.

Corrections apply to the pending file's rows as read, never to its bytes: the
version keeps the ORIGINAL file and the list of corrections (cell, old value,
new value, who), which /history and the audit log show. Every handler checks
the role and the uploader on the server: a forged event writes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from dashboard import api
from dashboard.accounts import auth
from dashboard.ingest import corrections as corr
from dashboard.ingest.corrections import Correction
from dashboard.ingest.reading import read_table
from dashboard.settings import get_settings
from dashboard.state.history import History
from dashboard.state.upload import Upload
from dashboard.store import storage, uploads
from tests import test_security as security
from tests.messages import said
from tests.test_security import PASSWORD, _client, _fire, _state, _upload

engine = security.engine  # the fixture: a migrated database with a viewer, an editor and an admin

HEADER = "房产编号,户主,户类,党小组,当前状态,签约日期\n"
BAD = (HEADER + "DX-1,张三,1,1,已评估,\nDX-2,李四,九,1,已评估,\nDX-3,王五,3,2,已签约,2024-13-01\n").encode(
    "gbk"
)


def _check(eng: sa.Engine, data: bytes = BAD) -> uploads.Report:
    return uploads.check_upload(
        eng, get_settings().data_dir, data, "台账.csv", "demolition", user="staff", reveal_names=False
    )


def _where(report: uploads.Report) -> list[tuple[int, str]]:
    return [(e["line"], e["column"]) for e in report.result["errors"]]


def test_a_refused_upload_offers_an_input_for_each_offending_cell(engine: sa.Engine) -> None:
    report = _check(engine)
    assert not report.accepted
    assert _where(report) == [(3, "户类"), (4, "签约日期")]
    assert report.fixable == [True, True]
    missing = _check(engine, "房产编号,户类\nDX-1,1\n".encode())  # a missing column is no cell to fix
    assert not any(
        f for e, f in zip(missing.result["errors"], missing.fixable, strict=True) if e["line"] == 1
    )


def test_corrected_cells_are_checked_again_without_a_new_upload(engine: sa.Engine) -> None:
    data_dir = get_settings().data_dir
    report = _check(engine)
    again = uploads.correct(engine, data_dir, report.id, "staff", [(3, "户类", "2")], reveal_names=False)
    assert again.id == report.id and _where(again) == [(4, "签约日期")]  # the rest still stands
    done = uploads.correct(
        engine, data_dir, report.id, "staff", [(4, "签约日期", "2024-03-01")], reveal_names=False
    )
    assert done.accepted and done.result["added"] == 3
    assert [(c.line, c.column, c.old, c.new, c.user) for c in done.correction_list()] == [
        (3, "户类", "九", "2", "staff"),
        (4, "签约日期", "2024-13-01", "2024-03-01", "staff"),
    ]
    assert storage.list_versions(engine) == []  # checked, not written


def test_a_correction_keeps_the_files_own_old_value_and_typing_it_back_drops_it(engine: sa.Engine) -> None:
    raw = read_table(BAD)
    first = corr.merge(raw, [], [(3, "户类", "7")], "staff")
    second = corr.merge(raw, first, [(3, "户类", "2")], "staff")
    assert [(c.old, c.new) for c in second] == [("九", "2")]  # old is the file's, not the first typing
    assert corr.merge(raw, second, [(3, "户类", "九")], "staff") == []
    assert corr.merge(raw, [], [(99, "户类", "1"), (3, "没有这列", "1"), (1, "户类", "1")], "x") == []
    assert raw.frame.loc[3, "户类"] == "九"  # applying never edits what was read
    assert corr.apply(raw, second).frame.loc[3, "户类"] == "2"


def test_confirm_writes_the_original_file_and_the_corrections_with_the_version(engine: sa.Engine) -> None:
    data_dir = get_settings().data_dir
    report = _check(engine)
    edits = [(3, "户类", "2"), (4, "签约日期", "2024-03-01")]
    uploads.correct(engine, data_dir, report.id, "staff", edits, reveal_names=False)
    result = uploads.confirm(engine, data_dir, report.id, "staff")
    assert result.accepted and result.version == 1
    version = storage.list_versions(engine, "demolition")[0]
    assert version.sha256 == hashlib.sha256(BAD).hexdigest()
    assert storage.original_file(engine, "demolition", 1) == ("台账.csv", BAD)  # the bytes as uploaded
    assert [(c.line, c.column, c.old, c.new) for c in version.corrections] == [
        (3, "户类", "九", "2"),
        (4, "签约日期", "2024-13-01", "2024-03-01"),
    ]
    current = storage.load_current(engine, "demolition").set_index("property_id")
    assert int(current.loc["DX-2", "category"]) == 2
    assert str(current.loc["DX-3", "signed_date"])[:10] == "2024-03-01"


def test_an_upload_without_corrections_records_none(engine: sa.Engine) -> None:
    good = BAD.replace("九".encode("gbk"), b"2").replace(b"2024-13-01", b"2024-03-01")
    uploads.confirm(engine, get_settings().data_dir, _check(engine, good).id, "staff")
    assert storage.list_versions(engine)[0].corrections == []
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT corrections FROM dataset_version")).scalar_one() is None


def test_the_page_corrects_checks_again_confirms_and_the_audit_log_and_history_say_what_changed(
    engine: sa.Engine,
) -> None:
    pending = _upload(_client("staff"), BAD).json()["id"]
    state = _state(Upload, "staff")
    _fire(state, "received", {"id": pending})
    assert state.error_count == 2 and state.fixable == 2
    assert {f["value"] for f in state.facts} >= {"CSV 文本", "GBK（GB18030，中文 Windows 默认）", "第 1 行"}
    assert [m["written"] for m in state.mapping][:3] == ["房产编号", "户主", "户类"]
    # the second input for line 3 was left as shown: it does not undo the first
    edits = [["3", "户类", "2"], ["3", "户类", "九"], ["4", "签约日期", "2024-03-01"], ["5", "户类", "x"]]
    _fire(state, "recheck", edits)
    assert state.accepted and state.error_count == 0
    assert [c["zh"] for c in state.corrections] == [
        "第 3 行「户类」：九 → 2（staff）",
        "第 4 行「签约日期」：2024-13-01 → 2024-03-01（staff）",
    ]
    _fire(state, "confirm")
    assert "版本 1" in state.done
    entry = auth.list_audit(engine, action="upload")[0]
    assert entry.user == "staff" and "2 cell(s) corrected" in entry.detail and "'九' -> '2'" in entry.detail
    history = _state(History, "staff")
    _fire(history, "load")
    assert history.rows[0]["corrections"].startswith("页面更正 2 处：第 3 行「户类」：九 → 2")
    assert "line 3, column 户类: 九 → 2" in history.rows[0]["corrections_en"]


def test_threat_a_viewer_or_a_signed_out_client_fires_check_again(engine: sa.Engine) -> None:
    pending = _upload(_client("staff"), BAD).json()["id"]
    for user in ("leader", None):
        state = _state(Upload, user)
        state.pending = pending
        _fire(state, "check_again")
        _fire(state, "recheck", [["3", "户类", "2"], ["4", "签约日期", "2024-03-01"]])
        assert said(state, "staff.upload.forbidden") == {} and not state.accepted
    report = uploads.load_report(get_settings().data_dir, pending, "staff")
    assert report.corrections == [] and not report.accepted  # the pending upload is as it was
    assert storage.list_versions(engine) == []


def test_threat_another_editor_corrects_someone_elses_pending_upload(engine: sa.Engine) -> None:
    auth.add_user(engine, "staff2", "editor", PASSWORD)
    pending = _upload(_client("staff"), BAD).json()["id"]
    state = _state(Upload, "staff2")
    state.pending = pending
    _fire(state, "recheck", [["3", "户类", "2"], ["4", "签约日期", "2024-03-01"]])
    assert said(state, "staff.upload.not_found") == {}
    _fire(state, "confirm")
    assert uploads.load_report(get_settings().data_dir, pending, "staff").corrections == []
    assert storage.list_versions(engine) == []


def test_a_correction_survives_its_json_round_trip() -> None:
    c = Correction(line=3, column="户类", old=None, new="2", user="staff", sheet="3月")
    assert Correction.from_json(c.to_json()) == c


def test_an_upload_cancelled_while_it_arrives_keeps_nothing(engine: sa.Engine) -> None:
    """取消上传 aborts the browser's request: the route sees the client go and keeps nothing."""
    token = auth.login(engine, "staff", PASSWORD)
    messages = iter(
        [{"type": "http.request", "body": b"x" * 65536, "more_body": True}, {"type": "http.disconnect"}]
    )

    async def receive() -> dict:
        return next(messages)

    answer: dict = {}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = {
        "type": "http", "method": "POST", "path": "/api/upload", "raw_path": b"/api/upload",
        "query_string": b"dataset=demolition&name=big.csv", "client": ("10.0.0.9", 5000),
        "headers": [(b"host", b"testserver"), (b"cookie", f"{auth.SESSION_COOKIE}={token}".encode())],
        "server": ("testserver", 80), "scheme": "http", "http_version": "1.1", "root_path": "",
    }  # fmt: skip
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, api.build()(scope, receive, send)).result()
    assert answer["status"] == 400
    pending = get_settings().data_dir / "pending"
    assert not pending.exists() or not any(pending.iterdir())
    assert storage.list_versions(engine) == []
