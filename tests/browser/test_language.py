"""The language toggle switches every visible label (boards, staff and admin pages, sign-in), and the
browser remembers it."""

from __future__ import annotations

import contextlib
import csv
import io
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboard.accounts import kiosk
from tests.browser.conftest import PAGES, Server
from tests.browser.helpers import LABEL_TEXT_JS, has_cjk, open_board, wait_drawn


@pytest.mark.parametrize("board", list(PAGES))
def test_english_leaves_no_chinese_label_and_survives_a_reload(
    page: Page, app_server: Server, board: str
) -> None:
    open_board(page, app_server.url + PAGES[board])
    expect(page.locator("#nav-overview")).to_have_text("总览")

    page.locator("#lang-toggle").click()
    expect(page.locator("#nav-overview")).to_have_text("Overview")
    expect(page.locator(".app")).to_have_attribute("data-lang", "en")
    wait_drawn(page)
    leftovers = [t for t in page.evaluate(LABEL_TEXT_JS) if has_cjk(t)]
    assert leftovers == []
    expect(page).to_have_title(re.compile(r"^Party-building dashboard · "))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.reload()
    wait_drawn(page)
    expect(page.locator("#nav-overview")).to_have_text("Overview")
    expect(page.locator(".app")).to_have_attribute("data-lang", "en")

    page.locator("#lang-toggle").click()
    expect(page.locator("#nav-overview")).to_have_text("总览")
    expect(page.locator(".app")).to_have_attribute("data-lang", "zh")
    expect(page).to_have_title(re.compile(r"^党建看板 · "))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


# The staff and admin pages: (path, an element that shows the page is ready, its Chinese title).
STAFF_PAGES: list[tuple[str, str, str]] = [
    ("/upload", "#upload-send", "上传"),
    ("/history", "#history-table tbody tr", "历史"),
    ("/audit", "#audit-table tbody tr", "审计"),
    ("/users", "#users-table tbody tr", "账户"),
    ("/kiosk", "#kiosk-links tbody tr", "大屏链接"),
    ("/notify", "#notify-schedule", "消息推送"),
    ("/report", "#report[data-ready='true'] #report-figures tr", "周报"),
]


def _english_then_back(page: Page, ready: str, zh_title: str) -> None:
    """Toggle to English: no Chinese label left, English tab title; toggle back: Chinese again."""
    page.locator(ready).first.wait_for(timeout=30_000)
    expect(page).to_have_title(f"党建看板 · {zh_title}")
    page.locator("#lang-toggle").click()
    expect(page.locator("#lang-toggle")).to_have_text("中文")
    expect(page).to_have_title(re.compile(r"^Party-building dashboard · [A-Z]"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(ready).first.wait_for(timeout=30_000)
    # labels switch on the client; the report is rebuilt on the server: poll until it has arrived
    with contextlib.suppress(PlaywrightTimeoutError):  # if some stay, the assert below lists them
        page.wait_for_function(
            f"() => !({LABEL_TEXT_JS})().some(t => /[\\u3000-\\u9fff\\uff00-\\uffef]/.test(t))",
            timeout=30_000,
        )
    leftovers = [t for t in page.evaluate(LABEL_TEXT_JS) if has_cjk(t)]
    assert leftovers == []
    page.locator("#lang-toggle").click()
    expect(page.locator("#lang-toggle")).to_have_text("English")
    expect(page).to_have_title(f"党建看板 · {zh_title}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def _an_upload_check_reads_in_english(page: Page, app_server: Server) -> None:
    """A state-built result (error count, the validator's message_en) follows the toggle too."""
    done = app_server.cli("export", "demolition")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    rows[4][rows[0].index("户类")] = "abc"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    page.locator("#lang-toggle").click()
    expect(page.locator("#upload-send")).to_have_text("Upload and check")
    page.select_option("#upload-dataset", "demolition")
    page.set_input_files(
        "#upload-file", {"name": "ledger.csv", "mimeType": "text/csv", "buffer": buf.getvalue().encode()}
    )
    page.click("#upload-send")
    expect(page.locator("#upload-errors")).to_be_visible(timeout=30_000)
    expect(page.locator("#upload-error-count")).to_contain_text("1 error(s): nothing was written")
    expect(page.locator("#upload-errors tbody tr").first.locator("td").nth(3)).to_contain_text("whole number")
    # a message quotes the file's own value and header ('abc', '户类'): data, shown as written
    texts = [re.sub(r"'[^']*'", "", t) for t in page.evaluate(LABEL_TEXT_JS)]
    leftovers = [t for t in texts if has_cjk(t)]
    assert leftovers == []
    page.locator("#lang-toggle").click()
    expect(page.locator("#upload-error-count")).to_contain_text("有 1 处错误")
    expect(page.locator("#upload-errors tbody tr").first.locator("td").nth(3)).to_contain_text("不是整数")


def test_the_staff_and_admin_pages_switch_every_label_to_english_and_back(
    browser: Browser, app_server: Server
) -> None:
    _, revoked = kiosk.create(app_server.engine(), "admin", "旧大厅")  # labels are data: shown as typed
    kiosk.revoke(app_server.engine(), revoked.id, "admin")
    kiosk.create(app_server.engine(), "admin", "大厅")
    context = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("admin"))
    page = context.new_page()
    try:
        for path, ready, zh_title in STAFF_PAGES:
            page.goto(app_server.url + path)
            _english_then_back(page, ready, zh_title)
        # the Chinese texts are still the defaults
        page.goto(app_server.url + "/upload")
        expect(page.locator("#upload-send")).to_have_text("上传并检查")
        expect(page.locator("#nav-users")).to_have_text("账户")
        _an_upload_check_reads_in_english(page, app_server)
    finally:
        context.close()


def test_the_login_page_switches_to_english_and_keeps_what_was_typed(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(locale="zh-CN")  # signed out
    page = context.new_page()
    try:
        page.goto(app_server.url + "/login?failed=1")
        expect(page.locator("#login-submit")).to_have_text("登录", use_inner_text=True)
        expect(page.locator("#login-failed")).to_contain_text("登录失败")
        page.fill("#login-name", "staff")
        _english_then_back(page, "#login-form", "登录")
        expect(page.locator("#login-name")).to_have_value("staff")
        page.locator("#lang-toggle").click()
        expect(page.locator("#login-submit")).to_have_text("Sign in", use_inner_text=True)
        expect(page.locator("#login-failed")).to_contain_text("Sign-in failed")
        expect(page.locator("#login-name")).to_have_value("staff")
    finally:
        context.close()
