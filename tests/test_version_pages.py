"""The version page, the property page (一户一档) and the diff download, driven as the app drives them:
states fired with a signed-in cookie and the URL the browser opened, HTTP through the real routes.
户主 is masked for every role but admin."""

from __future__ import annotations

import csv
import io

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.istate.data import ReflexURL, URLData
from starlette.testclient import TestClient

from dashboard import api
from dashboard.accounts import auth
from dashboard.board import grid_group
from dashboard.contract import get_dataset
from dashboard.state.versions import PropertyPage, VersionPage
from dashboard.store import storage
from tests.reflex_events import fire, state_for

PASSWORD = "pass-word-1"
USERS = {"leader": "viewer", "staff": "editor", "admin": "admin"}
HEAD = "房产编号,户主,户类,党小组,当前状态,签约日期,重点户,备注\n"
V1 = (HEAD + "DX-001,张三丰,1,1,已摸底,,是,独居老人\nDX-002,李四,2,1,已评估,,否,\n").encode()
V2 = (HEAD + "DX-001,张三丰,1,1,已签约,2024-05-03,是,独居老人\nDX-003,王五,2,1,已摸底,,否,\n").encode()


@pytest.fixture
def engine(sqlite_url: str) -> sa.Engine:
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    for name, role in USERS.items():
        auth.add_user(eng, name, role, PASSWORD)
    storage.import_file(eng, "demolition", V1, "v1.csv", user="staff")
    storage.import_file(eng, "demolition", V2, "v2.csv", user="staff", note="签约一户，新增王五")
    return eng


def opened(cls: type[rx.State], user: str | None, path: str) -> rx.State:
    """``cls`` for a socket signed in as ``user`` on the page at ``path``."""
    cookie = f"{auth.SESSION_COOKIE}={auth.login(storage.make_engine(), user, PASSWORD)}" if user else ""
    state = state_for(cls, cookie)
    state.rx_router_url = URLData.from_url(ReflexURL(f"http://localhost:3000{path}"))
    return state


def test_the_version_page_shows_added_removed_and_changed_rows_and_the_note(engine) -> None:
    page = opened(VersionPage, "staff", "/history/demolition/2")
    fire(page, "load")

    assert page.found
    assert page.heading == "拆迁房产进度 · 版本 2" and page.heading_en.endswith("version 2")
    assert {"label": "更新说明", "label_en": "Update note", "value": "签约一户，新增王五",
            "value_en": "签约一户，新增王五"} in page.facts  # fmt: skip
    assert [(c["key"], c["column"], c["old"], c["new"]) for c in page.changes] == [
        ("DX-001", "当前状态", "已摸底", "已签约"),
        ("DX-001", "签约日期", "—", "2024-05-03"),
    ]
    assert page.added_rows[0][:2] == ["DX-003", "王**"]  # masked for an editor
    assert page.removed_rows[0][:2] == ["DX-002", "李**"]
    assert page.previous_href == "/history/demolition/1" and page.next_href == ""
    assert page.numbers == ["1"]  # to compare with
    compare = VersionPage.compare_with.fn  # a plain handler: what the event processor runs
    assert "/history/demolition/1..2" in str(compare(page, "1"))
    assert compare(page, "../../api") is None  # only a version of this dataset


def test_an_admin_sees_names_and_two_versions_compare_with_v1_dot_dot_v2(engine) -> None:
    page = opened(VersionPage, "admin", "/history/demolition/0..2")
    fire(page, "load")

    assert page.found and page.heading == "拆迁房产进度 · 版本 0 → 2"
    assert sorted(r[1] for r in page.added_rows) == ["张三丰", "王五"]
    assert page.changes == [] and page.removed_rows == []


@pytest.mark.parametrize("path", ["/history/demolition/9", "/history/nosuch/1", "/history/demolition/x"])
def test_an_unknown_version_or_dataset_says_so(engine, path: str) -> None:
    page = opened(VersionPage, "staff", path)
    fire(page, "load")
    assert page.loaded and not page.found


def test_a_leader_cannot_open_a_version_page(engine) -> None:
    page = opened(VersionPage, "leader", "/history/demolition/2")
    fire(page, "load")
    assert not page.found and page.changes == []


def test_the_property_page_shows_the_record_flag_note_and_timeline(engine) -> None:
    page = opened(PropertyPage, "leader", "/property/DX-001")
    fire(page, "load")

    assert page.found and page.current and page.key_household and page.note == "独居老人"
    fields = {f["label"]: f["value"] for f in page.fields}
    assert fields["户主"] == "张**" and fields["当前状态"] == "已签约"
    assert {f["label_en"]: f["value_en"] for f in page.fields}["Key household"] == "yes"
    assert [e["version"] for e in page.timeline] == ["2", "1"]  # newest first
    assert page.timeline[0]["user"] == "staff"
    assert page.timeline[0]["text"] == "当前状态：已摸底 → 已签约；签约日期：— → 2024-05-03"
    status = get_dataset("demolition").column("status")
    surveyed, signed = (status.enum.label_en(code) for code in ("surveyed", "signed"))
    assert page.timeline[0]["text_en"].startswith(
        f"{status.header_en}: {surveyed} → {signed}; "
    )  # English labels
    assert page.timeline[1]["text"] == "首次录入：已摸底"
    assert page.timeline[0]["href"] == "/history/demolition/2"


def test_a_removed_property_keeps_its_file_and_an_unknown_one_is_not_found(engine) -> None:
    gone = opened(PropertyPage, "admin", "/property/DX-002")
    fire(gone, "load")
    assert gone.found and not gone.current
    assert (gone.timeline[0]["version"], gone.timeline[0]["user"]) == ("2", "staff")
    assert gone.timeline[0]["text"] == "从台账中删除"
    assert {f["label"]: f["value"] for f in gone.fields}["户主"] == "李四"  # admin: unmasked

    nobody = opened(PropertyPage, "leader", "/property/DX-999")
    fire(nobody, "load")
    assert nobody.loaded and not nobody.found


def test_the_grid_links_each_property_to_its_page() -> None:
    group = {
        "party_group": 1,
        "total": 1,
        "counts": {},
        "cells": [{"property_id": "DX 1/2", "status": "signed"}],
    }
    assert grid_group(group, "zh").cells[0].href == "/property/DX%201%2F2"


def _client(name: str) -> TestClient:
    client = TestClient(api.build(), follow_redirects=False)
    assert client.post("/api/login", data={"name": name, "password": PASSWORD}).status_code == 303
    return client


def test_the_whole_diff_downloads_as_csv_and_xlsx_masked_but_for_admins(engine) -> None:
    got = _client("staff").get("/api/diff/demolition/1..2.csv")
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["变更", "变更列", "房产编号", "户主"]
    assert [r[0] for r in rows[1:]] == ["新增", "删除", "修改前", "修改后"]
    assert rows[1][3] == "王**" and rows[3][1] == "当前状态、签约日期"
    admin = _client("admin").get("/api/diff/demolition/1..2.csv?lang=en")
    assert "王五" in admin.content.decode("utf-8-sig") and "Changed columns" in admin.content.decode(
        "utf-8-sig"
    )
    xlsx = _client("staff").get("/api/diff/demolition/1..2.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert _client("staff").get("/api/diff/demolition/1..7.csv").status_code == 404
    assert _client("leader").get("/api/diff/demolition/1..2.csv").status_code == 403
