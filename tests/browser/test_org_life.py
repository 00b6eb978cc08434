"""/org-life in the browser: the grid of organisations × periods, a square's meetings, the filters."""

from __future__ import annotations

import re

import pandas as pd
from playwright.sync_api import Page, expect

from dashboard import clock
from dashboard.insights import org_life
from dashboard.store import storage
from tests.browser.conftest import Server
from tests.browser.helpers import LABEL_TEXT_JS, has_cjk, open_board


def _ledgers(server: Server) -> dict[str, pd.DataFrame]:
    engine = storage.make_engine(server.env["DASHBOARD_DB_URL"])
    return {name: storage.load_current(engine, name) for name in ("elections", "org_life")}


def test_the_grid_shows_every_organisation_by_month_and_quarter(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/org-life")
    grid = page.locator("#org-life-grid")
    expect(grid).to_be_visible()
    expect(grid.locator(".olg-row:not(.olg-head)")).to_have_count(33)
    expect(grid.locator(".olg-head .olg-col")).to_have_count(12 + 4)
    expect(grid.locator(".olg-row:not(.olg-head)").first.locator(".olc")).to_have_count(16)
    expect(grid.locator(".olc.q").first).to_be_visible()
    # the demo's organisations with a gap come first, each saying how many meetings it missed
    cells = org_life.compliance(_ledgers(app_server), clock.office_today())
    worst, _ = org_life.gaps_by_org(cells, limit=None)
    if worst:
        first = grid.locator(".olg-row:not(.olg-head)").first
        expect(first.locator(".dv")).to_have_text(worst[0]["org_name"])
        expect(first).to_contain_text(f"缺 {worst[0]['missing']} 次")
        expect(grid.locator(".olc.s-missing").first).to_be_visible()


def test_a_click_on_a_square_lists_that_organisations_meetings_of_that_period(
    page: Page, app_server: Server
) -> None:
    ledgers = _ledgers(app_server)
    open_board(page, app_server.url + "/org-life")
    square = page.locator("#org-life-grid .olc.s-held:not(.q)").first
    key = square.get_attribute("data-key") or ""
    org_code, period = key.split(" ")
    meetings = org_life.cell_meetings(ledgers, org_code, period)
    assert len(meetings) >= 1
    square.click()
    dialog = page.locator("#drill-dialog")
    expect(dialog).to_be_visible()
    rows = page.locator("#drill-table tbody tr")
    expect(rows).to_have_count(len(meetings))
    headers = page.locator("#drill-table thead th").all_inner_texts()
    assert {"日期", "类型", "主题", "应到人数", "实到人数", "主持人"} <= set(headers)
    dates = [rows.nth(i).locator("td").nth(headers.index("日期")).inner_text() for i in range(len(meetings))]
    assert all(d.startswith(period) for d in dates), dates


def test_the_meeting_type_filter_shows_labels_and_narrows_the_grid_to_quarters(
    page: Page, app_server: Server
) -> None:
    open_board(page, app_server.url + "/org-life")
    select = page.locator("#filter-meeting_type")
    expect(select.locator("option[value='party_lecture']")).to_have_text("党课")
    select.select_option("party_lecture")
    page.wait_for_url(re.compile(r"/org-life\?meeting_type=party_lecture$"))
    expect(page.locator("#org-life-grid .olg-head .olg-col")).to_have_count(4)
    expect(page.locator("#org-life-grid .olc:not(.q)")).to_have_count(0)
    page.locator("#filter-org_type").select_option("community")
    expect(page.locator("#org-life-grid .olg-row:not(.olg-head)")).to_have_count(8)


def test_in_english_the_grid_and_its_filters_read_english(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/org-life")
    page.locator("#lang-toggle").click()
    expect(page.locator("#filter-meeting_type option[value='party_day']")).to_have_text("Party day")
    expect(page.locator("#org-life-grid .olg-head .olg-col").last).to_have_text(re.compile(r"^Q\d$"))
    leftovers = [t for t in page.evaluate(LABEL_TEXT_JS) if has_cjk(t)]
    assert leftovers == []
    page.locator("#lang-toggle").click()
