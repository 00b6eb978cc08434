"""Issue 13 in the browser: an admin sets up a robot on /notify and test-sends; /report downloads Word."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.robots import Robots, serve

SECRET = "SECbrowser0123456789wxyz"


@pytest.fixture
def robots() -> Iterator[Robots]:
    server, robots = serve()
    yield robots
    server.shutdown()
    server.server_close()


def test_an_admin_adds_a_robot_sees_its_secret_masked_test_sends_and_reads_the_log(
    browser: Browser, app_server: Server, robots: Robots, screens: Path
) -> None:
    admin = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", storage_state=app_server.signed_in("admin")
    )
    page = admin.new_page()
    page.goto(app_server.url + "/notify")
    expect(page.locator("h1.page-title")).to_have_text("消息推送", timeout=30_000)
    page.locator("#notify-kind").select_option("dingtalk")
    page.locator("#notify-target").fill(robots.address("dingtalk", "access_token=tok0123456789abcdefgh"))
    page.locator("#notify-secret").fill(SECRET)
    page.locator("#notify-label").fill("党工委工作群")
    page.locator("#notify-add").click()
    table = page.locator("#notify-channels")
    expect(table).to_contain_text("钉钉", timeout=20_000)
    expect(table).to_contain_text("access_token=…efgh")
    expect(table).to_contain_text("…wxyz")
    content = page.content()
    assert SECRET not in content and "tok0123456789abcdefgh" not in content
    page.locator("#notify-test-dingtalk").click()
    expect(page.locator("#notify-message")).to_contain_text("测试消息已发送", timeout=30_000)
    [got] = robots.of("dingtalk")
    assert got.body["markdown"]["title"] == "党建看板测试消息" and got.query["sign"]
    expect(page.locator("#notify-log")).to_contain_text("成功")
    page.screenshot(path=str(screens / "notify-1366x900.png"), full_page=True)
    admin.close()


def test_a_leader_does_not_see_the_notify_page(page: Page, app_server: Server) -> None:
    page.goto(app_server.url + "/notify")
    page.wait_for_timeout(3000)
    assert "消息推送" not in page.locator("main").inner_text()
    assert page.locator("#notify-channels").count() == 0


def test_the_weekly_report_downloads_as_a_word_document_from_its_button(
    page: Page, app_server: Server
) -> None:
    import docx

    page.goto(app_server.url + "/report")
    page.wait_for_selector("#report[data-ready='true']", timeout=30_000)
    with page.expect_download(timeout=120_000) as download:
        page.locator("#report-download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    word = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "党建工作周报" in text and "数据截至" in text
