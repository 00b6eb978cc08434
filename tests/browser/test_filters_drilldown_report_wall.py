"""Filters in the URL, drill-down, the warnings panel, the weekly report (PDF) and the wall screen.

In the browser, against the demo server of tests/browser/conftest.py.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pandas as pd
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from dashboard import i18n
from dashboard.accounts import kiosk
from dashboard.store import storage
from tests.browser.conftest import Server
from tests.browser.helpers import (
    LINES_JS,
    all_signed,
    demo_ledger_rows,
    newest_version,
    open_board,
    write_ledger,
)


def demolition(server: Server) -> pd.DataFrame:
    return storage.load_current(storage.make_engine(server.env["DASHBOARD_DB_URL"]), "demolition")


def test_a_filter_in_the_url_reproduces_the_same_figures(page: Page, app_server: Server) -> None:
    dem = demolition(app_server)
    group = dem[dem["party_group"] == 2]
    signed = int(group["status"].isin(["signed", "vacated", "demolished", "cleared"]).sum())
    url = app_server.url + "/?party_group=2"
    open_board(page, url)
    sub = page.locator("#kpi-signed_rate .kpi-sub")
    expect(sub).to_have_text(f"{signed} / {len(group)}")
    expect(page.locator("#filter-party_group")).to_have_value("2")
    value = page.locator("#kpi-signed_rate .kpi-value").inner_text()
    assert value == i18n.fmt_pct(signed / len(group))
    # the same link in another tab gives the same figures
    other = page.context.new_page()
    open_board(other, url)
    expect(other.locator("#kpi-signed_rate .kpi-sub")).to_have_text(f"{signed} / {len(group)}")
    expect(other.locator("#kpi-signed_rate .kpi-value")).to_have_text(value)
    other.close()
    # choosing a filter puts it into the URL
    open_board(page, app_server.url + "/demolition")
    page.locator("#filter-category").select_option("3")
    page.wait_for_url(re.compile(r"/demolition\?category=3$"))


def test_a_drill_down_shows_exactly_the_rows_behind_the_clicked_bar(page: Page, app_server: Server) -> None:
    dem = demolition(app_server)
    open_board(page, app_server.url + "/demolition")
    bars = page.locator("#chart-demolition_by_group rect[data-c]")
    expect(bars.first).to_be_visible()
    page.locator("#chart-demolition_by_group").scroll_into_view_if_needed()
    bars.nth(1).hover()  # 第2党小组: its label shows on hover
    expect(page.locator("#chart-demolition_by_group .cs-tip")).to_contain_text("第2党小组")
    bars.nth(1).click()
    dialog = page.locator("#drill-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("第2党小组")
    expected = dem.loc[dem["party_group"] == 2, "property_id"].tolist()
    rows = page.locator("#drill-table tbody tr")
    expect(rows).to_have_count(len(expected))
    ids = [rows.nth(i).locator("td").first.inner_text() for i in range(len(expected))]
    assert ids == expected
    households = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(len(expected))]
    assert all(h.endswith("**") for h in households)  # the leader sees masked names
    href = page.locator("#drill-csv").get_attribute("href") or ""
    answer = page.request.get(app_server.url + href)
    assert answer.status == 200
    body = answer.body().decode("utf-8-sig")
    assert [line.split(",")[0] for line in body.splitlines()[1:]] == expected


def test_the_weekly_report_prints_to_a_pdf_with_the_key_figures(
    page: Page, app_server: Server, screens: Path
) -> None:
    dem = demolition(app_server)
    signed = int(dem["status"].isin(["signed", "vacated", "demolished", "cleared"]).sum())
    page.set_viewport_size({"width": 1000, "height": 1414})  # A4 proportions
    page.goto(app_server.url + "/report")
    page.wait_for_selector("#report[data-ready='true']", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.report-chart .main-svg').length >= 3", timeout=30_000
    )
    expect(page.locator("#report-figures")).to_contain_text("签约率")
    page.screenshot(path=str(screens / "report-1000x1414.png"), full_page=True)
    # each chart downloads as a PNG from its camera button
    chart = page.locator("#report-chart-demolition_burnup")
    chart.hover()
    with page.expect_download() as download:
        chart.locator(".modebar-btn").first.click()
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and download.value.suggested_filename.endswith(".png")
    pdf = page.pdf(format="A4", print_background=True)
    (screens / "report.pdf").write_bytes(pdf)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # NFKC: the PDF maps some glyphs to Kangxi radicals (⼯ for 工), and the CJK font's shared
    # glyphs to 戶 for 户 and to the radical ⻩ (which NFKC keeps) for 黄
    squashed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("戶", "户").replace("⻩", "黄")
    assert "党建工作周报" in squashed
    assert f"签约率{i18n.fmt_pct(signed / len(dem))}" in squashed
    assert "待办预警红色预警" in squashed or "黄色预警" in squashed
    assert f"已签约{signed}户" in squashed
    assert "33个党组织中" in squashed


def test_the_kiosk_link_works_without_login_until_revoked_and_reaches_nothing_else(
    browser: Browser, app_server: Server, screens: Path
) -> None:
    token, link = kiosk.create(app_server.engine(), "admin", "大厅")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")  # no session
    page = context.new_page()
    page.goto(f"{app_server.url}/screen?k={token}&s=300")  # the overview stays while it is measured
    expect(page.locator("#screen[data-allowed='true']")).to_be_visible(timeout=20_000)
    expect(page.locator("#screen-title")).to_contain_text("总览")
    expect(page.locator("#screen-kpi-signed_rate")).to_be_visible()
    # the overview, the fullest board (every KPI group and the warnings), fits the wall
    assert_the_wall_fits(page, "overview")
    page.screenshot(path=str(screens / "screen-1920x1080.png"))
    # it rotates to the next board on its own
    page.goto(f"{app_server.url}/screen?k={token}&s=5")
    expect(page.locator("#screen-title")).to_contain_text("换届", timeout=15_000)
    assert_the_wall_fits(page, "elections")
    # the kiosk has no session: every other page sends it to sign in
    for path in ("/", "/demolition", "/report", "/upload", "/kiosk"):
        page.goto(app_server.url + path)
        page.wait_for_url(re.compile(r"/login"), timeout=20_000)
    assert page.request.get(app_server.url + "/api/export/demolition.csv").status == 401
    # revoked: the same link shows nothing
    assert kiosk.revoke(app_server.engine(), link.id, "admin")
    page.goto(f"{app_server.url}/screen?k={token}")
    expect(page.locator("#screen-refused")).to_be_visible(timeout=20_000)
    expect(page.locator("#screen-kpi-signed_rate")).to_have_count(0)
    page.goto(f"{app_server.url}/screen?k=not-a-token")
    expect(page.locator("#screen-refused")).to_be_visible(timeout=20_000)
    context.close()


def test_a_filtered_board_redraws_live_too(page: Page, app_server: Server) -> None:
    from tests.browser.test_live import REDRAW_MS, _back_to_demo

    dem = demolition(app_server)
    unsigned = dem[dem["status"].isin(["surveyed", "appraised"])]
    g = int(unsigned["party_group"].value_counts().idxmax())  # a group with properties still to sign
    group = dem[dem["party_group"] == g]
    open_board(page, app_server.url + f"/?party_group={g}")
    sub = page.locator("#kpi-signed_rate .kpi-sub")
    expect(sub).not_to_have_text(f"{len(group)} / {len(group)}")
    demo = newest_version(app_server, "demolition")
    done = app_server.cli("import", "demolition", str(all_signed(app_server.tmp)))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        expect(sub).to_have_text(f"{len(group)} / {len(group)}", timeout=REDRAW_MS)
    finally:
        _back_to_demo(app_server, demo)


def test_the_overview_lists_warnings_that_link_to_their_boards(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/")
    rows = page.locator("#warnings .warning-row")
    expect(rows.first).to_be_visible()
    levels = [rows.nth(i).get_attribute("data-level") for i in range(rows.count())]
    assert levels == sorted(levels, key=["red", "yellow"].index)
    first = rows.first.get_attribute("href") or ""
    assert first in ("/elections", "/brands", "/demolition", "/tasks", "/org-life")
    rows.first.click()
    page.wait_for_url(re.compile(re.escape(first) + "/?$"))


DRAWN_JS = (
    """() => [...document.querySelectorAll('.screen-chart')].every(c => c.querySelector('.cs'))"""
)
# Whether the wall screen's page fits 1920×1080 as drawn: nothing to scroll, the title not cut,
# and nothing drawn below or beside the wall (hidden by an overflow rule instead of fitting).
FITS_JS = """() => {
    const doc = document.documentElement, title = document.getElementById('screen-title');
    const boxes = [...document.querySelectorAll('#screen *')].map(e => e.getBoundingClientRect());
    return {height: doc.scrollHeight <= 1080, width: doc.scrollWidth <= 1920,
            title: title.scrollWidth <= title.clientWidth + 1,
            inside: boxes.every(b => b.bottom <= 1080 && b.right <= 1920)};
}"""
FITS = {"height": True, "width": True, "title": True, "inside": True}
# The wall's figures whose text spills out of their box (a figure kept on one line but too wide).
SPILLS_JS = "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
# The smallest type of the wall's figures and of its labels, in px (read from across a room).
SMALLEST_JS = """() => {
    const px = sel => Math.min(999, ...[...document.querySelectorAll(sel)]
        .map(e => parseFloat(getComputedStyle(e).fontSize)));
    const labels = '.screen-kpi-label, .screen-kpi-sub, .screen-group-title, .screen-warning';
    return {figure: px('.screen-kpi-value'), label: px(labels)};
}"""


def assert_the_wall_fits(page: Page, board: str) -> None:
    """Once its charts are drawn, the board on the wall fits 1920×1080 and reads from across a room:
    each figure on one line inside its card, figures ≥ 40 px and labels ≥ 18 px."""
    page.wait_for_function(DRAWN_JS, timeout=15_000)
    assert page.evaluate(FITS_JS) == FITS, board
    figures = page.eval_on_selector_all(".screen-kpi-value", LINES_JS)
    assert [text for text, lines in figures if lines > 1] == [], board
    assert page.eval_on_selector_all(".screen-kpi-value", SPILLS_JS) == [], board
    smallest = page.evaluate(SMALLEST_JS)
    assert smallest["figure"] >= 40 and smallest["label"] >= 18, (board, smallest)


def test_an_admin_gets_the_wall_screen_link_in_both_languages_and_the_english_one_reads_english(
    browser: Browser, app_server: Server, screens: Path
) -> None:
    admin = browser.new_context(
        viewport={"width": 1366, "height": 768}, storage_state=app_server.signed_in("admin")
    )
    page = admin.new_page()
    page.goto(app_server.url + "/kiosk")
    page.locator("#kiosk-label").fill("会议室")
    page.locator("#kiosk-create").click()
    zh_link = page.locator("#kiosk-new-link").inner_text(timeout=20_000)
    en_link = page.locator("#kiosk-new-link-en").inner_text()
    assert zh_link.endswith("&lang=zh") and en_link == zh_link.replace("&lang=zh", "&lang=en")
    admin.close()

    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")  # no session
    screen = wall.new_page()
    screen.goto(en_link + "&s=300")  # the overview stays while it is measured
    expect(screen.locator("#screen[data-allowed='true']")).to_have_attribute(
        "data-lang", "en", timeout=20_000
    )
    expect(screen.locator("#screen-title")).to_have_text(
        f"{i18n.t('app.title', 'en')} · {i18n.t('app.page.overview', 'en')}"
    )
    expect(screen.locator("#screen-kpi-signed_rate .screen-kpi-label")).to_have_text(
        i18n.t("kpi.signed_rate", "en")
    )
    expect(screen).to_have_title(re.compile(r"^Party-building dashboard · Wall screen"))
    expect(screen.locator("html")).to_have_attribute("lang", "en")
    # the English overview (longer labels) fits the wall too, each figure on one line
    assert_the_wall_fits(screen, "overview")
    screen.screenshot(path=str(screens / "screen-en-1920x1080.png"))
    # it stays English as it rotates, and every board fits the wall: nothing to scroll, no title cut
    screen.goto(en_link + "&s=5")
    for board in ("elections", "brands", "demolition", "tasks"):
        title = i18n.t(f"app.page.{board}", "en")
        expect(screen.locator("#screen-title")).to_contain_text(title, timeout=15_000)
        assert_the_wall_fits(screen, board)
    # the Chinese link on the same wall goes back to Chinese
    screen.goto(zh_link)
    expect(screen.locator("#screen-title")).to_contain_text("总览", timeout=20_000)
    wall.close()


def test_the_wall_screen_redraws_a_new_version_and_goes_dark_when_revoked_without_waiting_to_rotate(
    browser: Browser, app_server: Server
) -> None:
    from tests.browser.helpers import demo_facts
    from tests.browser.test_live import REDRAW_MS, _back_to_demo

    facts = demo_facts()
    token, link = kiosk.create(app_server.engine(), "admin", "指挥部")
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")  # no session
    screen = wall.new_page()
    screen.goto(f"{app_server.url}/screen?k={token}&s=300")  # no rotation during the test
    signed = screen.locator("#screen-kpi-signed_rate .screen-kpi-value")
    expect(signed).to_have_text(i18n.fmt_pct(facts.signed / facts.properties), timeout=20_000)
    # every figure on the wall carries its trend line across the demo's versions
    expect(screen.locator("#screen-kpi-signed_rate svg.screen-kpi-spark polyline")).to_have_count(1)
    demo = newest_version(app_server, "demolition")

    done = app_server.cli("import", "demolition", str(all_signed(app_server.tmp)))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        expect(signed).to_have_text("100%", timeout=REDRAW_MS)
    finally:
        _back_to_demo(app_server, demo)
    expect(signed).to_have_text(i18n.fmt_pct(facts.signed / facts.properties), timeout=REDRAW_MS)

    assert kiosk.revoke(app_server.engine(), link.id, "admin")
    expect(screen.locator("#screen-refused")).to_be_visible(timeout=REDRAW_MS)
    expect(signed).to_have_count(0)
    wall.close()


def test_with_more_communities_than_a_list_can_offer_the_community_filter_is_typed(
    page: Page, app_server: Server
) -> None:
    """A city has thousands of communities: the board sends none of them and the leader types one."""
    from dashboard.board import FILTER_CHOICES_LIMIT

    rows = demo_ledger_rows("brands")
    header, model = rows[0], rows[1]
    code, community, name = (header.index(h) for h in ("项目编码", "社区", "品牌名称"))
    for i in range(FILTER_CHOICES_LIMIT + 1):
        extra = list(model)
        extra[code], extra[community], extra[name] = f"BR-T{i:03d}", f"测试社区{i:03d}", f"测试品牌{i:03d}"
        rows.append(extra)
    path = write_ledger(rows, app_server.tmp, "many_communities.csv")
    demo = newest_version(app_server, "brands")
    done = app_server.cli("import", "brands", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        open_board(page, app_server.url + "/brands")
        typed = page.locator("#filter-community")
        expect(typed).to_have_attribute("type", "search")
        typed.fill("测试社区123")
        typed.press("Tab")  # leaving the field applies it
        page.wait_for_url(re.compile(r"community=%E6%B5%8B%E8%AF%95%E7%A4%BE%E5%8C%BA123"))
        expect(page.locator(".brand-card")).to_have_count(1, timeout=10_000)
        expect(page.locator(".brand-card")).to_contain_text("测试品牌123")
        expect(page.locator("#filter-community")).to_have_value("测试社区123")
    finally:
        done = app_server.cli("rollback", "brands", demo, "--user", "demo")
        assert done.returncode == 0, done.stdout + done.stderr
