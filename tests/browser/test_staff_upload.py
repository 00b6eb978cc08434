"""Staff update a ledger in the browser while a leader watches the board.

Staff sign in, drop a GBK CSV (what Excel on a Chinese Windows saves) with one
bad cell onto the drop zone, read how it was read (encoding, header row, which
file column became which ledger column), see that line and column in Chinese,
correct the cell right there and check again (no new upload), confirm, and the
leader's open demolition page redraws with the new figures; /history then shows
the correction beside the version. A large upload shows its percent and can be
cancelled, with nothing kept.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from dashboard.clock import office_today
from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS, drop_file, wait_drawn


def _ledgers(server: Server) -> tuple[bytes, bytes, int, str]:
    """(bad GBK file, fixed GBK file, spreadsheet line of the bad cell, its right value)."""
    done = server.cli("export", "demolition")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    header = rows[0]
    status, signed = header.index("当前状态"), header.index("签约日期")
    target = next(i for i, r in enumerate(rows) if i and r[status] in ("已摸底", "已评估"))
    rows[target][status], rows[target][signed] = "已签约", office_today().isoformat()

    def encoded(table: list[list[str]]) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(table)
        return buf.getvalue().encode("gbk")

    fixed = encoded(rows)
    bad_rows = [list(r) for r in rows]
    bad_line = 5  # header is line 1
    right = bad_rows[bad_line - 1][header.index("户类")]
    bad_rows[bad_line - 1][header.index("户类")] = "九"
    return encoded(bad_rows), fixed, bad_line, right


def _sign_in_as_staff(page: Page, server: Server) -> None:
    page.goto(server.url + "/upload")
    page.wait_for_url("**/login**")  # every page needs a login
    page.fill("#login-name", "staff")
    page.fill("#login-password", server.password("staff"))
    page.click("#login-submit")
    page.wait_for_url("**/upload**")
    expect(page.locator("#nav-upload")).to_be_visible(timeout=READY_MS)



def test_staff_drop_read_the_summary_fix_a_cell_in_place_confirm_and_the_leaders_page_redraws(
    browser: Browser, app_server: Server, screens: Path
) -> None:
    bad, _fixed, bad_line, right = _ledgers(app_server)

    leader = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("leader")).new_page()
    leader.goto(app_server.url + "/demolition")
    wait_drawn(leader)
    stamp_before = leader.locator(".app[data-stamp]").get_attribute("data-stamp")

    staff_context = browser.new_context(locale="zh-CN")
    staff = staff_context.new_page()
    try:
        _sign_in_as_staff(staff, app_server)
        drop = staff.locator("#upload-drop")
        expect(drop).to_contain_text("把文件拖到这里")
        expect(drop).to_contain_text("选择文件")
        expect(drop).to_contain_text("CSV、XLSX、XLS")

        staff.select_option("#upload-dataset", "demolition")
        drop_file(staff, "拆迁台账.csv", bad)
        expect(staff.locator("#upload-chosen")).to_contain_text("拆迁台账.csv")
        staff.click("#upload-send")

        read = staff.locator("#upload-read")
        expect(read).to_be_visible(timeout=READY_MS)
        expect(read).to_contain_text("GBK")
        expect(staff.locator("#upload-read-facts")).to_contain_text("表头行：第 1 行")
        mapping = staff.locator("#upload-mapping .map")
        expect(mapping.first).to_have_text("房产编号 → 房产编号")  # file column → ledger column

        errors = staff.locator("#upload-errors")
        expect(staff.locator("#upload-error-count")).to_contain_text("有 1 处错误")
        first = errors.locator("tbody tr").first
        expect(first.locator("td").nth(0)).to_have_text(str(bad_line))
        expect(first.locator("td").nth(1)).to_have_text("户类")
        expect(first.locator("td").nth(2)).to_have_text("九")
        expect(first.locator("td").nth(3)).to_contain_text("不是整数")  # the rule's hint, in Chinese
        assert (
            leader.locator(".app[data-stamp]").get_attribute("data-stamp") == stamp_before
        )  # nothing written

        staff.screenshot(path=str(screens / "upload-fix-in-place.png"), full_page=True)
        cell = first.locator("input.fix-input")
        expect(cell).to_have_value("九")
        cell.fill(right)
        staff.click("#upload-check-again")  # no new upload: the server corrects its pending rows

        expect(staff.locator("#upload-confirm")).to_be_visible(timeout=READY_MS)
        expect(staff.locator("#upload-corrections")).to_contain_text(
            f"第 {bad_line} 行「户类」：九 → {right}"
        )
        expect(staff.locator("#upload-moves")).to_contain_text("+1 已签约")
        # what confirming will change, cell by cell: the household's status and its signing day
        changed = staff.locator("#upload-preview-changed tbody tr")
        expect(changed).to_have_count(2)
        expect(changed.nth(0)).to_contain_text("当前状态")
        expect(changed.nth(0).locator(".new")).to_have_text("已签约")
        expect(changed.nth(1)).to_contain_text("签约日期")
        expect(changed.nth(1).locator(".new")).to_have_text(office_today().isoformat())
        expect(staff.locator("#upload-sample")).to_contain_text("**")  # names masked for staff
        staff.screenshot(path=str(screens / "upload-checked-again.png"), full_page=True)
        staff.click("#upload-confirm")
        expect(staff.locator("#upload-done")).to_contain_text("已导入", timeout=READY_MS)

        leader.wait_for_function(
            "s => document.querySelector('.app[data-stamp]').dataset.stamp !== s",
            arg=stamp_before,
            timeout=READY_MS,
        )
        wait_drawn(leader)

        staff.goto(app_server.url + "/history")
        newest = staff.locator("#history-table tbody tr").first
        expect(newest).to_contain_text("拆迁台账.csv", timeout=READY_MS)
        expect(newest.locator(".corrections")).to_contain_text(f"第 {bad_line} 行「户类」：九 → {right}")
    finally:
        staff_context.close()
        leader.context.close()
    history = app_server.cli("history", "demolition")
    assert "staff" in history.stdout and "拆迁台账.csv" in history.stdout


def test_a_slow_upload_shows_its_percent_and_cancel_keeps_nothing(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("staff"))
    page = context.new_page()
    try:
        page.goto(app_server.url + "/upload")
        expect(page.locator("#upload-drop")).to_be_visible(timeout=READY_MS)
        pending = app_server.tmp / "data" / "pending"
        before = sorted(pending.iterdir()) if pending.exists() else []
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 200_000},
        )  # an office line: 200 KB/s up, so 3 MB takes ~15 s
        big = ("房产编号,户主\n" + "DX-1,张三\n" * 250_000).encode()
        page.set_input_files("#upload-file", {"name": "大文件.csv", "mimeType": "text/csv", "buffer": big})
        page.select_option("#upload-dataset", "demolition")
        page.click("#upload-send")
        box = page.locator("#upload-progress-box")
        expect(box).to_have_attribute("data-phase", "sending", timeout=READY_MS)
        page.wait_for_function(
            "() => { const n = parseInt(document.getElementById('upload-percent').textContent);"
            " return n > 0 && n < 100; }",
            timeout=READY_MS,
        )
        expect(page.locator("#upload-percent")).to_have_text(re.compile(r"^\d{1,2}%$"))
        page.click("#upload-abort")
        expect(page.locator("#upload-message")).to_contain_text("已取消上传", timeout=READY_MS)
        assert (sorted(pending.iterdir()) if pending.exists() else []) == before  # nothing kept
    finally:
        context.close()
