"""Staff update a ledger in the browser while a leader watches the board.

Staff sign in, upload a GBK CSV (what Excel on a Chinese Windows saves) with
one bad cell, read that line and column in Chinese, upload the fixed file,
confirm, and the leader's open demolition page redraws with the new figures.
"""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Browser, expect

from dashboard.clock import office_today
from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS, wait_drawn


def _ledgers(server: Server) -> tuple[bytes, bytes, int]:
    """(bad GBK file, fixed GBK file, spreadsheet line of the bad cell) from the current ledger."""
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
    bad_rows[bad_line - 1][header.index("户类")] = "九"
    return encoded(bad_rows), fixed, bad_line


def test_staff_upload_fix_confirm_and_the_leaders_open_page_redraws(
    browser: Browser, app_server: Server
) -> None:
    bad, fixed, bad_line = _ledgers(app_server)

    leader = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("leader")).new_page()
    leader.goto(app_server.url + "/demolition")
    wait_drawn(leader)
    stamp_before = leader.locator(".app[data-stamp]").get_attribute("data-stamp")

    staff_context = browser.new_context(locale="zh-CN")
    staff = staff_context.new_page()
    try:
        staff.goto(app_server.url + "/upload")
        staff.wait_for_url("**/login**")  # every page needs a login
        staff.fill("#login-name", "staff")
        staff.fill("#login-password", app_server.password("staff"))
        staff.click("#login-submit")
        staff.wait_for_url("**/upload**")
        expect(staff.locator("#nav-upload")).to_be_visible(timeout=READY_MS)

        staff.select_option("#upload-dataset", "demolition")
        staff.set_input_files("#upload-file", {"name": "拆迁台账.csv", "mimeType": "text/csv", "buffer": bad})
        staff.click("#upload-send")
        errors = staff.locator("#upload-errors")
        expect(errors).to_be_visible(timeout=READY_MS)
        expect(staff.locator("#upload-error-count")).to_contain_text("有 1 处错误")
        first = errors.locator("tbody tr").first
        expect(first.locator("td").nth(0)).to_have_text(str(bad_line))
        expect(first.locator("td").nth(1)).to_have_text("户类")
        expect(first.locator("td").nth(2)).to_have_text("九")
        expect(first.locator("td").nth(3)).to_contain_text("不是整数")  # what is wrong, in Chinese
        assert (
            leader.locator(".app[data-stamp]").get_attribute("data-stamp") == stamp_before
        )  # nothing written

        staff.set_input_files(
            "#upload-file", {"name": "拆迁台账.csv", "mimeType": "text/csv", "buffer": fixed}
        )
        staff.click("#upload-send")
        expect(staff.locator("#upload-confirm")).to_be_visible(timeout=READY_MS)
        expect(staff.locator("#upload-moves")).to_contain_text("+1 已签约")
        expect(staff.locator("#upload-sample")).to_contain_text("**")  # names masked for staff
        staff.click("#upload-confirm")
        expect(staff.locator("#upload-done")).to_contain_text("已导入", timeout=READY_MS)

        leader.wait_for_function(
            "s => document.querySelector('.app[data-stamp]').dataset.stamp !== s",
            arg=stamp_before,
            timeout=READY_MS,
        )
        wait_drawn(leader)
    finally:
        staff_context.close()
        leader.context.close()
    history = app_server.cli("history", "demolition")
    assert "staff" in history.stdout and "拆迁台账.csv" in history.stdout
