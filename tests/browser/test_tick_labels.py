"""Every tick label of every chart lies inside its chart, on a laptop and a phone, in both languages.

The charts are drawn on the server (charts.static) with the figure's margins, fitted in
charts.common (and for plotly's own drawing in the report, ticklabeloverflow "allow":
tests/test_chart_tick_labels.py): they must leave every label room, or it would show cut off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Server
from tests.browser.helpers import open_board

BOARDS = ("/elections", "/brands", "/demolition", "/tasks", "/org-life")
OUTSIDE_JS = """() => [...document.querySelectorAll('[data-chart] .cs')].flatMap(svg => {
    const box = svg.getBoundingClientRect();
    const chart = svg.closest('[data-chart]').dataset.chart;
    return [...svg.querySelectorAll('.cs-xt, .cs-yt')]
        .filter(t => t.textContent && getComputedStyle(t).display !== 'none')
        .map(t => [t, t.getBoundingClientRect()])
        .filter(([, r]) => r.left < box.left - 1 || r.right > box.right + 1
                           || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        .map(([t]) => chart + ': ' + t.textContent);
})"""


@pytest.mark.parametrize("size", [(1366, 768), (375, 812)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_tick_label_crosses_its_chart_s_edge(
    browser: Browser, app_server: Server, size: tuple[int, int], lang: str
) -> None:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, storage_state=app_server.signed_in("leader")
    )
    page = context.new_page()
    outside: list[str] = []
    for route in BOARDS:
        open_board(page, app_server.url + route)
        if lang == "en" and route == BOARDS[0]:
            page.locator("#lang-toggle").click()
            page.wait_for_function("() => document.querySelector('.app').dataset.lang === 'en'")
            open_board(page, app_server.url + route)
        outside += page.evaluate(OUTSIDE_JS)
    context.close()
    assert not outside, outside
