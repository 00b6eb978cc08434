"""等保 in a real browser: every page works under the Content-Security-Policy with not one violation,
a new account chooses its own password before anything else, and the auditor sees the audit log only."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from dashboard.accounts import kiosk
from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS, wait_drawn

# Collect violations as the page sees them (securitypolicyviolation), from the first script on.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _watched(page: Page) -> list[str]:
    """Console lines about the policy (Chromium logs every refusal there too)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH_CSP)
    return seen


def test_every_page_works_under_the_content_security_policy_without_a_violation(
    browser: Browser, app_server: Server
) -> None:
    context = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in("admin"))
    page = context.new_page()
    console = _watched(page)
    answer = page.goto(app_server.url + "/demolition")
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and answer.headers["x-content-type-options"] == "nosniff"
    wait_drawn(page)  # data came over the websocket and every chart is drawn
    for path, ready in (
        ("/", "h1.page-title"),
        ("/elections", "h1.page-title"),
        ("/report", "h1"),
        ("/upload", "#upload-file"),
        ("/history", "h1"),
        ("/audit", "#audit-table tbody tr"),
        ("/users", "#users-table tbody tr"),
        ("/kiosk", "h1"),
        ("/notify", "h1"),
        ("/password", "#password-form"),
    ):
        page.goto(app_server.url + path)
        expect(page.locator(ready).first).to_be_visible(timeout=READY_MS)
    page.locator("#lang-toggle").click()  # an event round trip over the socket
    expect(page.locator("#password-form")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__csp") == [] and console == []
    context.close()

    token, _ = kiosk.create(app_server.engine(), "admin", "CSP")
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen = wall.new_page()
    console = _watched(screen)
    answer = screen.goto(f"{app_server.url}/screen?k={token}")
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]  # the wall is never framed
    expect(screen.locator("#screen[data-allowed='true']")).to_be_visible(timeout=READY_MS)
    screen.wait_for_timeout(1000)
    assert screen.evaluate("window.__csp") == [] and console == []
    wall.close()


def _sign_in(page: Page, server: Server, name: str, password: str) -> None:
    page.goto(server.url + "/login")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    with page.expect_navigation():
        page.click("#login-submit")


def _choose_password(page: Page, current: str, new: str) -> None:
    expect(page.locator("#password-forced")).to_be_visible(timeout=READY_MS)
    page.fill("#password-current", current)
    page.fill("#password-new", new)
    page.fill("#password-again", new)
    with page.expect_navigation():
        page.click("#password-submit")


def test_an_auditor_chooses_a_password_first_then_reads_the_audit_log_and_nothing_else(
    browser: Browser, app_server: Server
) -> None:
    done = app_server.cli(
        "users", "add", "审计员甲", "--role", "auditor", "--password-stdin", input="Audit-first-1\n"
    )
    assert done.returncode == 0, done.stderr
    page = browser.new_context(locale="zh-CN").new_page()
    _sign_in(page, app_server, "审计员甲", "Audit-first-1")
    page.wait_for_url(re.compile(r"/password"), timeout=READY_MS)
    page.goto(app_server.url + "/audit")  # nothing else opens before the new password
    page.wait_for_url(re.compile(r"/password"), timeout=READY_MS)
    # a weak one is refused with the rule it broke
    page.fill("#password-current", "Audit-first-1")
    page.fill("#password-new", "auditpass")
    page.fill("#password-again", "auditpass")
    with page.expect_navigation():
        page.click("#password-submit")
    expect(page.locator("#password-failed")).to_contain_text("至少三类", timeout=READY_MS)
    _choose_password(page, "Audit-first-1", "Audit-own-2")
    page.wait_for_url(re.compile(r"/audit/?(\?.*)?$"), timeout=READY_MS)
    expect(page.locator("#audit-table tbody tr").first).to_be_visible(timeout=READY_MS)
    expect(page.locator("#nav-audit")).to_be_visible()
    for hidden in (
        "#nav-overview",
        "#nav-demolition",
        "#nav-upload",
        "#nav-history",
        "#nav-users",
        "#nav-report",
    ):
        expect(page.locator(hidden)).to_have_count(0)
    for path in ("/", "/demolition", "/upload", "/history", "/users", "/report", "/kiosk"):
        page.goto(app_server.url + path)
        page.wait_for_url(re.compile(r"/audit/?(\?.*)?$"), timeout=READY_MS)
    assert page.request.get(app_server.url + "/api/export/demolition.csv").status == 403
    page.context.close()


def test_the_digests_report_link_tapped_in_a_chat_app_downloads_the_report_signed_in(
    browser: Browser, app_server: Server
) -> None:
    """The digest's link to the Word report is tapped in 企业微信/钉钉/飞书, another site: the leader,
    signed in, gets the report, not the sign-in page (the cookie is SameSite=Lax). That site's own
    page still cannot post to ours."""
    import http.server
    import threading

    from dashboard.clock import office_today

    link = f"{app_server.url}/api/report/weekly.docx?week_ending={office_today().isoformat()}"
    html = (
        f'<a id="go" href="{link}">本周周报</a>'
        f'<form id="post" method="post" action="{app_server.url}/api/logout"><button>x</button></form>'
    ).encode()

    class ChatPage(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    chat = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ChatPage)
    threading.Thread(target=chat.serve_forever, daemon=True).start()
    chat_url = f"http://localhost:{chat.server_address[1]}/"  # localhost and 127.0.0.1: two sites
    try:
        context = browser.new_context(
            locale="zh-CN", storage_state=app_server.signed_in("leader"), accept_downloads=True
        )
        page = context.new_page()
        page.goto(chat_url)
        with page.expect_download(timeout=READY_MS) as got:
            page.click("#go")
        assert got.value.suggested_filename.endswith(".docx") and got.value.failure() is None

        page.goto(chat_url)
        with page.expect_response(lambda r: r.url.endswith("/api/logout")) as posted:
            page.click("#post button")  # another site's form: refused, the session stays
        assert posted.value.status == 403
        with page.expect_download(timeout=READY_MS) as again:
            page.goto(chat_url)
            page.click("#go")
        assert again.value.failure() is None
        context.close()
    finally:
        chat.shutdown()
