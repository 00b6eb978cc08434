"""What each version changed, and 一户一档, in the browser.

Staff upload a changed demolition ledger with an 更新说明 typed before confirming, open the new
version from /history and read the rows it added, removed and changed (old → new) and the note.
A leader clicks a property on the 战果图 and lands on its own page, with its timeline through
the versions. Each test puts the demolition ledger back as it found it (a restore: a new version
equal to the one that was current), whatever number that was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.contract import PROPERTY_STATUS
from dashboard.store import storage
from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS, all_signed, demo_ledger_rows, open_board, write_ledger


@pytest.fixture
def restored(app_server: Server) -> Iterator[None]:
    """Whatever the test imports, demolition is current as before afterwards."""
    before = storage.list_versions(app_server.engine(), "demolition")[0].number
    yield
    done = app_server.cli("rollback", "demolition", str(before), "--user", "demo")
    assert done.returncode == 0, done.stdout + done.stderr


def _changed_ledger(server: Server) -> tuple[bytes, str, str, str]:
    """(CSV bytes, added id, removed id, changed id): one row added, the last removed, one moved on."""
    done = server.cli("export", "demolition")  # as it is now (the demo may have moved on)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    header = rows[0]
    pid, status, household = header.index("房产编号"), header.index("当前状态"), header.index("户主")
    changed = next(r for r in rows[1:-1] if r[status] == "已摸底")
    changed[status] = "已评估"
    removed = rows.pop()
    added = list(rows[1])
    added[pid], added[household] = "DX-NEW-1", "测试户"
    rows.append(added)
    path = write_ledger(rows, server.tmp, "拆迁台账_更新.csv")
    return path.read_bytes(), added[pid], removed[pid], changed[pid]


def test_staff_type_a_note_at_confirm_and_the_version_page_shows_what_changed(
    browser: Browser, app_server: Server, restored: None
) -> None:
    data, added, removed, changed = _changed_ledger(app_server)
    context = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("staff"))
    page = context.new_page()
    try:
        page.goto(app_server.url + "/upload")
        page.select_option("#upload-dataset", "demolition")
        page.set_input_files(
            "#upload-file", {"name": "拆迁台账_更新.csv", "mimeType": "text/csv", "buffer": data}
        )
        page.click("#upload-send")
        expect(page.locator("#upload-confirm")).to_be_visible(timeout=READY_MS)
        page.fill("#upload-note", "新增一户，删除一户，一户已评估")
        page.click("#upload-confirm")
        expect(page.locator("#upload-done")).to_contain_text("已导入", timeout=READY_MS)

        page.goto(app_server.url + "/history")
        newest = page.locator("#history-table tbody tr").first
        expect(newest).to_contain_text("新增一户，删除一户，一户已评估", timeout=READY_MS)
        newest.locator(".version-link").click()
        page.wait_for_url(re.compile(r"/history/demolition/\d+$"))

        expect(page.locator("#version-facts")).to_contain_text(
            "新增一户，删除一户，一户已评估", timeout=READY_MS
        )
        change = page.locator("#version-changed tbody tr").filter(has_text=changed)
        expect(change).to_contain_text("当前状态")
        expect(change).to_contain_text("已摸底 → 已评估")
        expect(page.locator("#version-added")).to_contain_text(added)
        expect(page.locator("#version-added")).to_contain_text("测**")  # an editor sees names masked
        expect(page.locator("#version-removed")).to_contain_text(removed)

        page.locator("#lang-toggle").click()
        expect(page.locator("#version-changed")).to_contain_text("Cells changed")

        page.select_option("#version-compare", index=1)  # any other version of the ledger
        page.wait_for_url(re.compile(r"/history/demolition/\d+\.\.\d+$"))
        expect(page.locator("#version-heading")).to_contain_text(" → ", timeout=READY_MS)
    finally:
        context.close()


def test_a_click_on_the_grid_opens_the_propertys_page_with_its_timeline(
    page: Page, app_server: Server, restored: None
) -> None:
    done = app_server.cli("import", "demolition", str(all_signed(app_server.tmp)), "--note", "全部签约")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = demo_ledger_rows("demolition")
    status = rows[0].index("当前状态")
    signed_now = next(r for r in rows[1:] if r[status] in ("已摸底", "已评估"))[0]  # all_signed signed it

    open_board(page, app_server.url + "/demolition")
    page.locator(f'#property-grid .cell[title^="{signed_now} · "]').click()
    page.wait_for_url(re.compile(rf"/property/{re.escape(signed_now)}$"))

    expect(page.locator("#property-heading")).to_contain_text(signed_now, timeout=READY_MS)
    expect(page.locator("#property-fields")).to_contain_text("**")  # a leader sees the name masked
    timeline = page.locator("#property-timeline tbody tr")  # newest first; the demo may hold several
    expect(timeline.nth(1)).to_be_visible()
    expect(timeline.first).to_contain_text("当前状态")
    expect(timeline.first).to_contain_text("→ 已签约")
    expect(timeline.last).to_contain_text("首次录入")

    page.locator("#lang-toggle").click()
    expect(page.locator("#property-heading")).to_contain_text("property file")
    expect(timeline.last).to_contain_text("First recorded")
    expect(timeline.first).to_contain_text(f"→ {PROPERTY_STATUS.label_en('signed')}")  # labels in English too
