"""A CLI import in another process redraws the open page, without a reload."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from dashboard import i18n
from tests.browser.conftest import Server
from tests.browser.helpers import (
    all_signed,
    demo_facts,
    demo_ledger_rows,
    newest_version,
    open_board,
    write_ledger,
)

# The promise: redrawn within 2 s of the import's commit (the target is 1 s).
REDRAW_MS = 2_000


def _signing_lags(tmp: Path, back: int) -> Path:
    """Today's demo ledger with ``back`` signed properties back at 已评估 (dates cleared)."""
    rows = demo_ledger_rows("demolition")
    header = rows[0]
    status = header.index("当前状态")
    dates = [header.index(h) for h in ("签约日期", "腾空日期", "拆除日期")]
    moved = 0
    for row in rows[1:]:
        if moved < back and row[status] not in ("已摸底", "已评估"):
            row[status] = "已评估"
            for i in dates:
                row[i] = ""
            moved += 1
    return write_ledger(rows, tmp, "signing_lags.csv")


def _back_to_demo(app_server: Server, version: str) -> None:
    """Back to the demo ledger (its newest ``version`` before the test), still marked as demo data."""
    done = app_server.cli("rollback", "demolition", version, "--user", "demo")
    assert done.returncode == 0, done.stdout + done.stderr


def test_cli_import_changes_the_open_overview_without_reload(page: Page, app_server: Server) -> None:
    facts = demo_facts()
    open_board(page, app_server.url + "/")
    signed = page.locator("#kpi-signed_rate .kpi-value")
    expect(signed).to_have_text(i18n.fmt_pct(facts.signed / facts.properties))
    page.evaluate("window.__not_reloaded = true")
    demo = newest_version(app_server, "demolition")

    done = app_server.cli("import", "demolition", str(all_signed(app_server.tmp)))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        expect(signed).to_have_text("100%", timeout=REDRAW_MS)
        expect(page.locator("#kpi-signed_rate .kpi-delta")).to_contain_text("+")
        assert page.evaluate("window.__not_reloaded") is True
    finally:
        _back_to_demo(app_server, demo)
    expect(signed).to_have_text(i18n.fmt_pct(facts.signed / facts.properties), timeout=REDRAW_MS)


def test_signing_behind_the_calendar_turns_the_progress_gap_red(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/")
    gap = page.locator("#kpi-progress_gap")
    expect(gap).to_have_attribute("data-level", "ok")
    ok_colour = gap.locator(".kpi-value").evaluate("e => getComputedStyle(e).color")

    demo = newest_version(app_server, "demolition")
    # 20 signed properties back to 已评估 on day 85 of 100: signing falls more than 10 points behind.
    done = app_server.cli("import", "demolition", str(_signing_lags(app_server.tmp, back=20)))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        expect(gap).to_have_attribute("data-level", "bad", timeout=REDRAW_MS)
        expect(gap.locator(".kpi-value")).to_contain_text("−")
        assert gap.locator(".kpi-value").evaluate("e => getComputedStyle(e).color") != ok_colour
    finally:
        _back_to_demo(app_server, demo)
    expect(gap).to_have_attribute("data-level", "ok", timeout=REDRAW_MS)
