"""The 督办 board in a browser: its charts and lists, a live redraw after a CLI import, and the way
there from a dispatch meeting on the demolition board."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from dashboard.board.present import RECENT_LIMIT
from dashboard.clock import office_today
from tests.browser.conftest import Server
from tests.browser.helpers import (
    READY_MS,
    chart_ids,
    demo_ledger_rows,
    drawn_charts,
    newest_version,
    open_board,
    wait_drawn,
    write_ledger,
)
from tests.browser.test_live import REDRAW_MS


def _tasks() -> list[dict[str, str]]:
    """Today's demo 督办 ledger as the CSV says it (not through our code)."""
    rows = demo_ledger_rows("tasks")
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _overdue() -> list[dict[str, str]]:
    today = office_today().isoformat()
    return [t for t in _tasks() if t["办理状态"] != "已办结" and t["办理时限"] < today]


def _all_closed_today(app_server: Server) -> str:
    """The demo 督办 ledger with every open item closed today."""
    rows = demo_ledger_rows("tasks")
    status, closed = rows[0].index("办理状态"), rows[0].index("办结日期")
    for row in rows[1:]:
        if row[status] != "已办结":
            row[status], row[closed] = "已办结", office_today().isoformat()
    return str(write_ledger(rows, app_server.tmp, "tasks_all_closed.csv"))


def test_tasks_draws_its_charts_and_lists_the_overdue_items_longest_first(
    page: Page, app_server: Server
) -> None:
    overdue = _overdue()
    assert overdue, "the demo has a few overdue items"
    open_board(page, app_server.url + "/tasks")
    assert sorted(drawn_charts(page)) == sorted(chart_ids("tasks"))
    rows = page.locator("#overdue-tasks tbody tr")
    expect(rows).to_have_count(len(overdue))
    oldest = min(overdue, key=lambda t: (t["办理时限"], t["提出日期"], t["事项编码"]))
    expect(rows.first).to_contain_text(oldest["事项编码"])
    expect(rows.first).to_contain_text(oldest["责任人"])  # a staff member's name: shown as entered
    expect(page.locator("#recent-tasks tbody tr")).to_have_count(min(RECENT_LIMIT, len(_tasks())))


def test_a_cli_import_of_the_tasks_ledger_redraws_the_open_board(page: Page, app_server: Server) -> None:
    overdue = len(_overdue())
    open_board(page, app_server.url + "/tasks")
    rows = page.locator("#overdue-tasks tbody tr")
    expect(rows).to_have_count(overdue)
    page.evaluate("window.__not_reloaded = true")

    before = newest_version(app_server, "tasks")
    done = app_server.cli("import", "tasks", _all_closed_today(app_server))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        expect(page.locator("#overdue-tasks-none")).to_be_visible(timeout=REDRAW_MS)
        assert page.evaluate("window.__not_reloaded") is True
    finally:
        back = app_server.cli("rollback", "tasks", before, "--user", "demo")
        assert back.returncode == 0, back.stdout + back.stderr
    expect(rows).to_have_count(overdue, timeout=READY_MS)  # the demo back (clean-up, not the live bound)


def test_a_dispatch_meeting_leads_to_the_items_raised_at_it_that_day(page: Page, app_server: Server) -> None:
    rows = demo_ledger_rows("meetings")
    meetings = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    day = max(m["日期"] for m in meetings if m["类型"] == "专题调度会")
    raised = {t["事项编码"] for t in _tasks() if t["提出日期"] == day and t["来源"] == "专题调度会"}
    assert raised, "the demo's last dispatch meeting raised items"

    open_board(page, app_server.url + "/demolition")
    link = page.locator("#dispatch-meetings .dispatch-link").first
    expect(link).to_have_text(f"督办 {len(raised)} 项")
    link.click()
    page.wait_for_url(re.compile(rf"/tasks\?from={day}&to={day}&source=dispatch$"))
    wait_drawn(page)
    listed = page.locator("#recent-tasks tbody tr td:first-child")
    expect(listed).to_have_count(len(raised))
    assert set(listed.all_inner_texts()) == raised
    expect(page.locator("#filter-from")).to_have_value(date.fromisoformat(day).isoformat())
    expect(page.locator("#filter-source")).to_have_value("dispatch")
    expect(page.locator("#filter-source option[value=dispatch]")).to_have_text("专题调度会")
