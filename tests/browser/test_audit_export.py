"""/audit's export in a real browser: the table shows the newest 1000 rows; the form under the title
downloads every row asked for as CSV (a plain GET form, as /login's is a plain POST)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS


def test_an_admin_downloads_the_sign_ins_of_the_audit_log_as_csv(
    browser: Browser, app_server: Server, tmp_path: Path
) -> None:
    context = browser.new_context(
        locale="zh-CN", storage_state=app_server.signed_in("admin"), accept_downloads=True
    )
    page = context.new_page()
    page.goto(app_server.url + "/audit")
    expect(page.locator("#audit-table tbody tr").first).to_be_visible(timeout=READY_MS)
    form = page.locator("#audit-export-form")
    expect(form).to_contain_text("最近 1000 条")
    form.locator("#audit-action").fill("login")
    with page.expect_download(timeout=READY_MS) as caught:
        page.click("#audit-export")
    download = caught.value
    assert download.suggested_filename.endswith(".csv") and "审计日志" in download.suggested_filename
    target = tmp_path / "audit.csv"
    download.save_as(target)
    rows = target.read_bytes().decode("utf-8-sig").splitlines()
    assert rows[0].startswith("时间 Time,用户 User,事件 Event")
    assert len(rows) > 1 and all(",login," in row for row in rows[1:])
    assert page.url.rstrip("/").endswith("/audit")  # a download: the page stays
    context.close()
