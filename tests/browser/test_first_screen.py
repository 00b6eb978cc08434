"""What a leader sees first on a laptop and a phone: the KPI cards before the warnings, the warnings
folded (counts, the most severe few, "全部 N 条"), the 督办 tables scrolling inside their cards on a
phone instead of stretching the page; and the /users page refusing a scope no ledger holds."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS, open_board

LAPTOP, PHONE = (1280, 800), (375, 812)
BOARD_ROUTES = ("/elections", "/brands", "/demolition", "/tasks", "/org-life")
FIRST_ROWS = 5  # components/warnings.py FIRST_ROWS: the rows shown before the expander


@pytest.fixture
def at_size(browser: Browser, app_server: Server) -> Iterator:
    """A page of a browser signed in as the demo leader, at a given viewport."""
    contexts = []

    def open_page(size: tuple[int, int], user: str = "leader") -> Page:
        context = browser.new_context(
            viewport={"width": size[0], "height": size[1]},
            locale="zh-CN",
            storage_state=app_server.signed_in(user),
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_kpi_cards_come_first_and_the_warnings_fold_behind_all_n(
    at_size, app_server: Server, size: tuple[int, int]
) -> None:
    page = at_size(size)
    open_board(page, app_server.url + "/")
    card = page.locator(".kpi-card").first.bounding_box()
    assert card is not None and 0 <= card["y"] < size[1], f"first KPI card at {card} on {size}"
    panel = page.locator("#warnings").bounding_box()
    assert panel is not None and panel["y"] > card["y"]  # the panel comes after the cards

    summary = page.locator("#warnings-all")
    total = int(re.fullmatch(r"全部 (\d+) 条", summary.inner_text()).group(1))
    assert FIRST_ROWS < total < 60, "the demo has more warnings than the first few, all sent"
    counts = {
        level: int(page.locator(f"#warnings .warning-count[data-level={level}]").inner_text().split()[-1])
        for level in ("red", "yellow")
    }
    assert page.locator(".warning-count[data-level=red]").inner_text().startswith("红色预警")
    assert counts["red"] + counts["yellow"] == total

    rows = page.locator("#warnings .warning-row")
    visible = page.locator("#warnings .warning-row:visible")
    expect(visible).to_have_count(FIRST_ROWS)
    levels = [rows.nth(i).get_attribute("data-level") for i in range(FIRST_ROWS)]
    assert levels == sorted(levels, key=["red", "yellow"].index)  # the most severe first
    summary.click()
    expect(visible).to_have_count(total)
    assert sum(rows.nth(i).get_attribute("data-level") == "red" for i in range(total)) == counts["red"]
    links = [rows.nth(i).get_attribute("href") for i in range(total)]
    assert all(link in BOARD_ROUTES for link in links), links
    last = rows.nth(total - 1)  # a row that was behind the expander still opens its board
    last.click()
    page.wait_for_url(re.compile(re.escape(links[-1]) + r"/?$"), timeout=READY_MS)


# The page-height bound on a phone, from what /tasks holds: the frame (header, title, freshness,
# filter switch, section titles, table headers and notes) takes under 1,200 px; the chart cards
# their own height plus the grid's gap; each table row at most ROW_PX (its cells keep one line,
# the item's title wraps at 14em to at most three lines: about 70 px). Squeezed to a character
# a line, a row of the overdue list was hundreds of pixels and the page 8,670 px.
FRAME_PX, GAP_PX, ROW_PX = 1_200, 24, 80


def test_on_a_phone_the_tasks_tables_scroll_inside_their_cards_and_the_page_stays_short(
    at_size, app_server: Server
) -> None:
    page = at_size(PHONE)
    open_board(page, app_server.url + "/tasks")
    got = page.evaluate(
        """() => ({
            scrollWidth: document.scrollingElement.scrollWidth,
            innerWidth: window.innerWidth,
            height: document.scrollingElement.scrollHeight,
            tables: [...document.querySelectorAll('.scroll-table')].map(t => {
                const box = t.getBoundingClientRect();
                const area = t.querySelector('.rt-ScrollAreaViewport') || t;
                return {right: box.right, scrolls: area.scrollWidth > area.clientWidth + 1,
                        rows: [...t.querySelectorAll('tbody tr')].map(r => r.getBoundingClientRect().height)};
            }),
            charts: [...document.querySelectorAll('[data-chart]')].map(c => c.getBoundingClientRect().height),
        })"""
    )
    assert got["scrollWidth"] <= got["innerWidth"]
    assert len(got["tables"]) == 2 and all(t["rows"] for t in got["tables"])  # overdue and latest
    assert all(t["right"] <= got["innerWidth"] + 1 for t in got["tables"])
    assert all(t["scrolls"] for t in got["tables"]), "the 9 columns scroll sideways inside the card"
    heights = [h for t in got["tables"] for h in t["rows"]]
    assert max(heights) <= ROW_PX, heights
    bound = FRAME_PX + sum(got["charts"]) + len(got["charts"]) * GAP_PX + len(heights) * ROW_PX
    assert got["height"] <= bound, (got["height"], bound)


def test_the_users_page_refuses_a_scope_no_ledger_holds_and_saves_one_written_full_width(
    at_size, app_server: Server
) -> None:
    done = app_server.cli("users", "add", "scope-probe", "--role", "viewer", "--password-stdin",
                          input="Probe-pass-2026x\n")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    page = at_size(LAPTOP, "admin")
    page.goto(app_server.url + "/users")
    expect(page.locator("#users-table")).to_be_visible(timeout=READY_MS)
    form = page.locator("#user-scope")
    form.locator("input[name=name]").fill("scope-probe")
    form.locator("input[name=scope]").fill("community=示例社区X")
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("当前台账中没有这个社区：示例社区X")).to_be_visible(timeout=READY_MS)
    mine = page.locator("#users-table tbody tr").filter(has=page.get_by_role("cell", name="scope-probe"))
    expect(mine).not_to_contain_text("示例社区X")

    form.locator("input[name=name]").fill("scope-probe")
    form.locator("input[name=scope]").fill("community=示例社区Ａ")  # full-width Ａ, as typed on a phone
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("已保存 scope-probe 的范围")).to_be_visible(timeout=READY_MS)
    expect(mine).to_contain_text("community=示例社区A")
