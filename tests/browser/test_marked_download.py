"""A refused upload comes back from /upload as the staff member's own workbook, problems marked.

Staff upload an XLSX with one bad cell, download "my file with the problems marked", find that
cell red with the message in its comment, fix it in the downloaded file and upload that file:
the check passes. Then the 一表通 (current ledger to edit) downloads and re-uploads with 0 changes.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS

RED = "FFFFC7CE"
HEADER = ["房产编号", "户主", "户类", "党小组", "当前状态"]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "我的台账"
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(page: Page, dataset: str, name: str, data: bytes) -> None:
    page.select_option("#upload-dataset", dataset)
    page.set_input_files(
        "#upload-file", {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )
    page.click("#upload-send")


def test_staff_download_their_refused_file_marked_fix_it_and_it_passes(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("staff"))
    page = context.new_page()
    try:
        page.goto(app_server.url + "/upload")
        expect(page.locator("#upload-dataset")).to_be_visible(timeout=READY_MS)
        bad = _xlsx([["ZZ-901", "测试甲", 1, 1, "已摸底"], ["ZZ-902", "测试乙", "九", 1, "已摸底"]])
        _upload(page, "demolition", "我的台账.xlsx", bad)
        expect(page.locator("#upload-error-count")).to_be_visible(timeout=READY_MS)
        expect(page.locator("#upload-marked")).to_be_visible()

        with page.expect_download() as download:
            page.click("#upload-marked")
        assert download.value.suggested_filename == "我的台账-问题标注.xlsx"
        wb = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert wb.sheetnames == ["我的台账", "问题清单"]  # their sheet, first; the list after it
        sheet = wb["我的台账"]
        red = {c.coordinate for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb == RED}
        assert red == {"C3"}  # 户类 of the second data row, as Excel numbers it
        assert "不是整数" in sheet["C3"].comment.text
        assert wb["问题清单"]["D3"].hyperlink.location == "'我的台账'!C3"

        sheet["C3"] = 2  # fixed in Excel, the marks left as they are
        fixed = io.BytesIO()
        wb.save(fixed)
        _upload(page, "demolition", "我的台账-问题标注.xlsx", fixed.getvalue())
        expect(page.locator("#upload-confirm")).to_be_visible(timeout=READY_MS)  # the check passed
        page.click("#upload-cancel")  # nothing written: the other browser tests keep the demo ledger

        with page.expect_download() as prefilled:
            page.click("#prefilled-elections")
        assert prefilled.value.suggested_filename.startswith("换届选举进度-一表通_")
        data = Path(prefilled.value.path()).read_bytes()
        assert load_workbook(io.BytesIO(data)).sheetnames == ["换届选举进度", "填表说明"]
        _upload(page, "elections", "一表通.xlsx", data)
        expect(page.locator("#upload-counts")).to_contain_text("新增 0，修改 0，删除 0", timeout=READY_MS)
        page.click("#upload-cancel")
    finally:
        context.close()
