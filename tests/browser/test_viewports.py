"""Phone, laptop and wall screen: no sideways scrolling, no clipped text; screenshots saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PAGES, Server
from tests.browser.helpers import CLIPPED_JS, LINES_JS, open_board

SIZES = ((375, 812), (1366, 768), (1920, 1080))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("board", list(PAGES))
def test_page_fits_the_screen(
    browser: Browser, app_server: Server, screens: Path, board: str, size: tuple
) -> None:
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", storage_state=app_server.signed_in()
    )
    try:
        page = context.new_page()
        open_board(page, app_server.url + PAGES[board])
        page.screenshot(path=str(screens / f"{board}-{width}x{height}.png"), full_page=True)
        scroll_width, inner_width = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width
        assert page.evaluate(CLIPPED_JS) == []
        # Every chart is as wide as its card allows, never wider than the screen.
        widths = page.eval_on_selector_all(
            "[data-chart] .cs", "els => els.map(e => e.getBoundingClientRect().right)"
        )
        assert all(right <= inner_width + 1 for right in widths)
        if width >= 1366:  # a figure reads on one line ("94.5 / %" broke at half width)
            broken = page.eval_on_selector_all(".kpi-value", LINES_JS)
            assert [text for text, lines in broken if lines > 1] == []
    finally:
        context.close()


def test_on_a_phone_the_filters_fold_behind_a_switch_that_says_when_one_is_on(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", storage_state=app_server.signed_in()
    )
    page = context.new_page()
    open_board(page, app_server.url + "/")
    switch = page.locator("#filter-toggle-label")
    expect(switch).to_have_text("筛选")
    expect(page.locator("#filter-party_group")).to_be_hidden()
    switch.click()
    expect(page.locator("#filter-party_group")).to_be_visible()
    switch.click()
    expect(page.locator("#filter-party_group")).to_be_hidden()

    open_board(page, app_server.url + "/?party_group=2")
    expect(switch).to_have_text("筛选 · 已筛选")
    context.close()

    wide = browser.new_context(viewport={"width": 1366, "height": 768}, storage_state=app_server.signed_in())
    page = wide.new_page()
    open_board(page, app_server.url + "/")
    expect(page.locator("#filter-toggle-label")).to_be_hidden()
    expect(page.locator("#filter-party_group")).to_be_visible()
    wide.close()
