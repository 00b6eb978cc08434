"""Each board shows what the demo ledgers imply, and every chart draws."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard import i18n
from dashboard.demo.load import CAMPAIGN_DAY, DEMO_USERS
from tests.browser.conftest import PAGES, Server
from tests.browser.helpers import chart_ids, demo_facts, drawn_charts, open_board

FACTS = demo_facts()


def test_the_demo_ledgers_are_the_article_s(app_server: Server) -> None:
    # What the tests below expect, read from the demo CSV files themselves.
    assert (FACTS.organisations, FACTS.village_residential, FACTS.communities) == (33, 25, 8)
    assert (FACTS.properties, FACTS.party_groups) == (91, 4)


def test_overview_shows_the_demo_kpis_with_their_counts(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/")

    def card(kpi: str) -> str:
        return "#kpi-" + kpi

    expect(page.locator(card("election_completion") + " .kpi-sub")).to_have_text(
        f"{FACTS.completed} / {FACTS.organisations}"
    )
    expect(page.locator(card("election_completion_village") + " .kpi-sub")).to_have_text(
        f"{FACTS.village_residential} / {FACTS.village_residential}"
    )
    expect(page.locator(card("election_completion_community") + " .kpi-sub")).to_have_text(
        f"{FACTS.communities} / {FACTS.communities}"
    )
    expect(page.locator(card("signed_rate") + " .kpi-value")).to_have_text(
        i18n.fmt_pct(FACTS.signed / FACTS.properties)
    )
    expect(page.locator(card("signed_rate") + " .kpi-sub")).to_have_text(
        f"{FACTS.signed} / {FACTS.properties}"
    )
    expect(page.locator(card("time_progress") + " .kpi-sub")).to_have_text(
        f"第 {CAMPAIGN_DAY} 天 / 共 100 天"
    )
    # Signing is ahead of the calendar in the demo: 进度差 is positive, not a warning.
    expect(page.locator(card("progress_gap"))).to_have_attribute("data-level", "ok")
    expect(page.locator(card("progress_gap") + " .kpi-value")).to_contain_text("+")
    # A change is coloured by what it means: more signed is good news, more open 督办 items bad.
    for kpi, tone in (("signed_rate", "good"), ("tasks_open", "bad")):
        expect(page.locator(card(kpi) + " .kpi-delta")).to_have_class(re.compile(rf"\bkpi-change-{tone}\b"))


def test_every_kpi_card_draws_its_trend_line_across_the_demo_s_versions(
    page: Page, app_server: Server
) -> None:
    open_board(page, app_server.url + "/")
    cards = page.locator(".kpi-card")
    expect(cards.first).to_be_visible()
    lines = page.locator(".kpi-card svg.kpi-spark polyline")
    expect(lines).to_have_count(cards.count())  # one per card, whatever KPI groups the overview has
    points = lines.evaluate_all("ls => ls.map(l => l.points.numberOfItems)")
    assert all(n > 1 for n in points), points  # the demo's history: real movement, not one dot
    expect(page.locator(".kpi-delta", has_text=i18n.t("delta.none", "zh"))).to_have_count(0)  # all compared
    label = page.locator("#kpi-signed_rate svg.kpi-spark")
    expect(label).to_have_attribute(
        "aria-label",
        re.compile(r"^走势：.* → " + re.escape(i18n.fmt_pct(FACTS.signed / FACTS.properties)) + "$"),
    )
    box = lines.first.bounding_box()
    assert box is not None and box["width"] > 50  # drawn across the card, not collapsed
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: still one line per card, drawn
    assert page.locator("#kpi-signed_rate svg.kpi-spark").bounding_box()["width"] > 50


def test_a_kpi_s_formula_shows_its_counts_on_hover(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/")
    page.locator("#kpi-signed_rate .kpi-info").hover()
    tip = page.get_by_role("tooltip")
    expect(tip).to_contain_text("全部房产")
    expect(tip).to_contain_text(str(FACTS.properties))


@pytest.mark.parametrize("board", list(PAGES))
def test_every_board_says_how_fresh_its_data_is_and_that_it_is_sample_data(
    page: Page, app_server: Server, board: str
) -> None:
    open_board(page, app_server.url + PAGES[board])
    expect(page.locator("#demo-banner")).to_contain_text("示例数据")
    lines = page.locator(".freshness-item")
    expect(lines.first).to_contain_text("数据截至")
    for text in lines.all_inner_texts():  # the demo's staff uploaded them (or "demo", putting one back)
        assert "数据截至" in text and text.rsplit("· ", 1)[1] in DEMO_USERS, text


@pytest.mark.parametrize("board", list(PAGES))
def test_every_chart_draws(page: Page, app_server: Server, board: str) -> None:
    open_board(page, app_server.url + PAGES[board])
    drawn = drawn_charts(page)
    assert sorted(drawn) == sorted(chart_ids(board))
    for chart, text in drawn.items():
        assert "error" not in text.lower(), chart
    expect(page.get_by_text("error", exact=False)).to_have_count(0)


def test_elections_lists_every_organisation_and_the_terms_ending_soon(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/elections")
    expect(page.locator("#org-table tbody tr")).to_have_count(FACTS.organisations)
    assert str(FACTS.organisations) in drawn_charts(page)["elections_by_stage"]
    # The demo notes a few terms ending within 180 days: listed in yellow.
    soon = page.locator("#term-expiry .expiry-row[data-level=yellow]")
    expect(soon.first).to_be_visible()
    expect(soon.first).to_contain_text("即将届满")


def test_brands_shows_a_card_per_brand(page: Page, app_server: Server) -> None:
    open_board(page, app_server.url + "/brands")
    cards = page.locator("#brand-cards .brand-card")
    expect(cards).to_have_count(FACTS.brands)
    for name in ("连心网络", "先锋驿站", "服务联盟", "天使之家"):
        assert name in FACTS.brand_names
        expect(cards.filter(has_text=name)).to_have_count(1)


def test_demolition_grid_has_every_property_by_party_group_with_names_masked(
    page: Page, app_server: Server
) -> None:
    open_board(page, app_server.url + "/demolition")
    expect(page.locator("#property-grid .grid-group")).to_have_count(FACTS.party_groups)
    cells = page.locator("#property-grid .grid-group .cell")
    expect(cells).to_have_count(FACTS.properties)
    titles = cells.evaluate_all("cells => cells.map(c => c.title)")
    # "DX-001 · 李** · 已拆除": the household's given name never reaches the page.
    assert all(t.split(" · ")[1].endswith("**") for t in titles), titles[:3]
    assert str(FACTS.properties) in drawn_charts(page)["demolition_funnel"]
