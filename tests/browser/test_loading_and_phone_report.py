"""A slow network shows "加载中…", never "暂无数据"; the weekly report's buttons fit a phone (zh and en)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, WebSocketRoute, expect

from tests.browser.conftest import Server
from tests.browser.helpers import wait_drawn

PHONE = {"width": 375, "height": 812}


def test_until_its_data_arrives_a_board_says_loading_not_no_data(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", storage_state=app_server.signed_in())
    page = context.new_page()
    # The board's websocket, with everything the server says held back (a weak mobile signal).
    held: list[str | bytes] = []
    sockets: list[WebSocketRoute] = []
    holding = [True]

    def slow(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        sockets.append(ws)
        server.on_message(lambda message: held.append(message) if holding[0] else ws.send(message))

    page.route_web_socket(re.compile(r"/_event"), slow)
    try:
        page.goto(app_server.url + "/demolition")
        expect(page.locator("#board-loading")).to_have_text("加载中…")
        page.wait_for_timeout(1500)  # still nothing from the server
        main = page.locator("main")
        expect(main).not_to_contain_text("暂无数据")
        expect(page.locator(".skeleton-card").first).to_be_visible()
        expect(page.locator("#dispatch-tasks")).to_contain_text("加载中…")

        # The server's messages arrive: the figures replace the placeholders.
        holding[0] = False  # from now on, passed straight through
        for message in held:
            sockets[-1].send(message)
        wait_drawn(page)
        expect(page.locator("#board-loading")).to_have_count(0)
        expect(page.locator(".skeleton-card")).to_have_count(0)
        expect(page.locator("[data-chart]").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_a_phone_the_report_buttons_sit_under_the_title_inside_the_screen(
    browser: Browser, app_server: Server, lang: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", storage_state=app_server.signed_in())
    page = context.new_page()
    try:
        page.goto(app_server.url + "/report")
        page.wait_for_selector("#report[data-ready='true']", timeout=30_000)
        if lang == "en":
            page.locator("#lang-toggle").click()
            expect(page.locator("#report-print")).to_contain_text("Print")
            expect(page.locator("#report h1")).to_have_text(re.compile("weekly report"), timeout=30_000)
        page.wait_for_timeout(300)
        width = page.evaluate("window.innerWidth")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        title = page.locator("#report h1").bounding_box()
        for button in ("#report-download-docx button", "#report-download-pdf button", "#report-print"):
            box = page.locator(button).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (button, box)
            assert box["y"] >= title["y"] + title["height"] - 1, (button, box, title)  # under the title
            # the label stays inside its button: one line, not spilling over the background
            assert page.locator(button).evaluate(
                "b => b.scrollWidth <= b.clientWidth + 1 && b.scrollHeight <= b.clientHeight + 1"
            )
        # nothing on the page reaches past the screen's right edge
        past = page.evaluate(
            """w => [...document.querySelectorAll('main *')].filter(el => {
                   const r = el.getBoundingClientRect();
                   return r.width && r.right > w + 1 && !el.closest('.js-plotly-plot, .rt-ScrollAreaRoot');
               }).map(el => el.tagName + '.' + el.className).slice(0, 5)""",
            width,
        )
        assert past == []
    finally:
        context.close()
