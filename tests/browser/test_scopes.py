"""Scoped accounts and reporting rounds in the browser: a community editor sees its round on /upload,
uploads, the office's /rounds view turns that community green and the leader's board redraws; a
scoped viewer's boards show its community alone, whatever the link asks for."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, expect

from dashboard.accounts import auth
from dashboard.clock import office_today
from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS, drop_file, wait_drawn

PASSWORD = "Scope-pass-1"


def _signed_in(server: Server, name: str, role: str, scope: str) -> dict:
    """A scoped account made as an admin's /users page would, signed in (its storage state)."""
    if auth.get_user(server.engine(), name) is None:
        auth.add_user(server.engine(), name, role, PASSWORD, scope=scope)
    return server.signed_in(name, PASSWORD)


def test_a_community_editor_reports_in_its_round_and_the_office_sees_it_green(
    browser: Browser, app_server: Server
) -> None:
    deadline = (office_today() + timedelta(days=3)).isoformat()
    opened = app_server.cli("rounds", "open", "activities", "--scope", "community=示例社区A,示例社区B",
                            "--deadline", deadline, "--note", "11月品牌活动，请于30日前上报")  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    round_id = opened.stdout.split("#")[1].split()[0]

    leader = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("leader")).new_page()
    office = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("admin")).new_page()
    editor_state = _signed_in(app_server, "a-staff", "editor", "community=示例社区A")
    editor = browser.new_context(locale="zh-CN", storage_state=editor_state).new_page()
    try:
        leader.goto(app_server.url + "/brands")
        wait_drawn(leader)
        stamp_before = leader.locator(".app[data-stamp]").get_attribute("data-stamp")

        office.goto(app_server.url + "/rounds")
        card = office.locator(f"#round-{round_id}")
        expect(card).to_contain_text("11月品牌活动", timeout=READY_MS)
        expect(card.locator(".round-scope[data-state=pending]")).to_have_count(2)

        editor.goto(app_server.url + "/upload")
        mine = editor.locator("#my-rounds")
        expect(mine).to_contain_text("11月品牌活动", timeout=READY_MS)
        expect(mine.locator(".round-scope")).to_have_count(1)  # its own community only
        expect(mine.locator(".round-scope")).to_contain_text("未报")

        editor.select_option("#upload-dataset", "activities")
        row = f"{office_today().isoformat()},BR-01,入户走访,志愿服务,12\n"
        head = "活动日期,项目编码,活动名称,活动类型,参与人数\n"
        drop_file(editor, "示例社区A活动.csv", (head + row).encode())
        expect(editor.locator("#upload-chosen")).to_contain_text("示例社区A活动.csv")
        editor.click("#upload-send")
        expect(editor.locator("#upload-confirm")).to_be_visible(timeout=READY_MS)
        editor.click("#upload-confirm")
        expect(editor.locator("#upload-done")).to_contain_text("已导入", timeout=READY_MS)
        expect(mine.locator(".round-scope")).to_contain_text("已报", timeout=READY_MS)

        office.reload()
        reported = office.locator(f"#round-{round_id} .round-scope[data-state=reported]")
        expect(reported).to_contain_text("示例社区A", timeout=READY_MS)
        expect(reported).to_contain_text("a-staff")
        pending = office.locator(f"#round-{round_id} .round-scope[data-state=pending]")
        expect(pending).to_contain_text("示例社区B")

        leader.wait_for_function(
            "s => document.querySelector('.app[data-stamp]').dataset.stamp !== s",
            arg=stamp_before,
            timeout=READY_MS,
        )
        wait_drawn(leader)
    finally:
        for page in (leader, office, editor):
            page.context.close()
        app_server.cli("rounds", "close", round_id)


def test_a_scoped_viewers_boards_show_its_community_alone(browser: Browser, app_server: Server) -> None:
    state = _signed_in(app_server, "a-leader", "viewer", "community=示例社区A")
    page = browser.new_context(locale="zh-CN", storage_state=state).new_page()
    try:
        page.goto(app_server.url + "/brands")
        wait_drawn(page)
        cards = page.locator(".brand-card")
        expect(cards).to_have_count(1, timeout=READY_MS)
        expect(cards).to_contain_text("示例社区A")
        expect(page.locator("#whoami-scope")).to_contain_text("社区：示例社区A")  # it knows what it sees
        page.goto(app_server.url + "/brands?community=示例社区B")  # a hand-made link
        wait_drawn(page)
        expect(page.locator(".brand-card")).to_have_count(0)
    finally:
        page.context.close()


def test_threat_a_community_editor_uploads_another_communitys_row_in_the_browser(
    browser: Browser, app_server: Server
) -> None:
    before = app_server.cli("history", "brands").stdout
    state = _signed_in(app_server, "a-staff", "editor", "community=示例社区A")
    editor = browser.new_context(locale="zh-CN", storage_state=state).new_page()
    try:
        editor.goto(app_server.url + "/upload")
        editor.select_option("#upload-dataset", "brands")
        rows = "BR-02,示例社区B,先锋驿站,服务实效,已挂牌\n"
        drop_file(editor, "品牌.csv", ("项目编码,社区,品牌名称,类别,状态\n" + rows).encode())
        expect(editor.locator("#upload-chosen")).to_contain_text("品牌.csv")
        editor.click("#upload-send")
        errors = editor.locator("#upload-errors")
        expect(errors).to_contain_text("不在您的填报范围", timeout=READY_MS)
        expect(errors).to_contain_text("示例社区B")
        expect(editor.locator("#upload-confirm")).to_have_count(0)  # nothing to confirm: nothing written
    finally:
        editor.context.close()
    assert app_server.cli("history", "brands").stdout == before
