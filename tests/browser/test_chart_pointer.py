"""A board's charts, drawn on the server with no plotly.js, answer the pointer as plotly's did: the
label of the bar or line point under it on hover, the same on a phone's tap, and category labels
too wide for a phone's card tilted instead of piled on each other."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Server
from tests.browser.helpers import open_board


def test_hovering_a_line_shows_the_label_of_the_point_nearest_the_pointer(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, storage_state=app_server.signed_in()
    )
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    open_board(page, app_server.url + "/elections")
    chart = page.locator("#chart-elections_cumulative")
    chart.scroll_into_view_if_needed()
    plot = chart.locator(".cs-plot").bounding_box()
    assert plot is not None
    # a few pixels off the actual curve's last point: everything completed by now, and it says so
    block = chart.locator("script.cs-pts").last.text_content() or "{}"
    last = json.loads(block)["xy"][-2:]
    x, y = plot["x"] + last[0] / 1000 * plot["width"], plot["y"] + last[1] / 1000 * plot["height"]
    page.mouse.move(x - 3, y + 4)
    tip = chart.locator(".cs-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("累计 33")
    assert chart.locator(".cs-dot").count() == 1  # the point it speaks of is marked
    page.mouse.move(plot["x"] + plot["width"] / 2, plot["y"] + plot["height"] + 200)  # off the chart
    expect(tip).to_have_count(0)
    # a bar's own label
    chart = page.locator("#chart-elections_by_type")
    chart.locator("rect[data-tip]").first.hover()
    expect(chart.locator(".cs-tip")).to_contain_text("已完成")
    assert not [u for u in requested if "plotly" in u]
    context.close()


def test_on_a_phone_a_tap_shows_the_label_and_wide_labels_are_tilted_not_piled(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        has_touch=True,
        is_mobile=True,
        storage_state=app_server.signed_in(),
    )
    page = context.new_page()
    open_board(page, app_server.url + "/elections")
    page.locator("#lang-toggle").click()
    page.wait_for_function("() => document.querySelector('.app').dataset.lang === 'en'")
    open_board(page, app_server.url + "/elections")
    chart = page.locator("#chart-elections_by_stage")
    chart.scroll_into_view_if_needed()
    bar = chart.locator("rect[data-tip]").last  # Completed: every organisation
    bar.tap()
    expect(chart.locator(".cs-tip")).to_contain_text("Completed")
    # seven stage names cannot lie flat in a phone's card: tilted, none over another
    expect(chart.locator(".cs.cs-tilt")).to_have_count(1)
    overlaps = page.evaluate(
        """() => {
            const boxes = [...document.querySelectorAll('#chart-elections_by_stage .cs-xt')]
                .map(t => t.getBoundingClientRect()).sort((a, b) => a.left - b.left);
            // tilted labels are parallel: the next one starts right of where this one's right end is
            return boxes.slice(1).filter((b, i) => b.right <= boxes[i].right).length;
        }"""
    )
    assert overlaps == 0
    context.close()
