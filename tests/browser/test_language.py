"""The language toggle switches every visible label, and the browser remembers it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

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
