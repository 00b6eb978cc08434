"""The staff and admin pages in a real browser: /history, /audit, /users, /upload's templates, sign-in.

Each test signs in as the role it is about (the demo accounts leader/staff/admin,
or an account it creates itself) and checks what that person sees against what
the command line says is in the database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect

from dashboard.contract import DATASETS
from tests.browser.conftest import Server
from tests.browser.helpers import READY_MS, has_cjk

LOGIN_FAILED = "登录失败"


# ---------------------------------------------------------------------------
# helpers


@pytest.fixture
def as_user(browser: Browser, app_server: Server) -> Iterator:
    """``as_user("admin")`` -> a page signed in as that demo account; contexts closed afterwards."""
    contexts: list[BrowserContext] = []

    def open_page(name: str) -> Page:
        context = browser.new_context(locale="zh-CN", storage_state=app_server.signed_in(name))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def table(page: Page, selector: str) -> list[list[str]]:
    """The body rows of a table as the user reads them: one list of cell texts per row."""
    expect(page.locator(f"{selector} tbody tr").first).to_be_visible(timeout=READY_MS)
    return page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.innerText.trim()))"
    )


def cli_ok(server: Server, *args: str, input: str | None = None) -> str:
    done = server.cli(*args, input=input)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def cli_versions(server: Server, dataset: str) -> list[list[str]]:
    """``python -m dashboard history DATASET`` as rows (newest first): dataset, version, time,
    user, file, rows, counts, mode, restored from."""
    lines = cli_ok(server, "history", dataset).splitlines()[2:]  # header, dashes
    rows = [re.split(r" {2,}", line) for line in lines]
    return [cells + [""] * (9 - len(cells)) for cells in rows]  # "restored from" is often empty


def export(server: Server, dataset: str, tmp: Path, *args: str) -> bytes:
    """The bytes ``python -m dashboard export DATASET [args]`` writes (a file keeps its CRLFs)."""
    path = tmp / f"export-{dataset}{'-'.join(args)}.csv"
    cli_ok(server, "export", dataset, "-o", str(path), *args)
    return path.read_bytes()


def import_copy(server: Server, dataset: str, file_name: str, tmp: Path) -> tuple[int, bytes]:
    """Export the current ledger and import it again as ``file_name``: a new version with the
    same content, so what the boards show stays the same. (version number, file bytes)"""
    path = tmp / file_name
    path.write_bytes(export(server, dataset, tmp))
    cli_ok(server, "import", dataset, str(path), "--mode", "replace")
    return int(cli_versions(server, dataset)[0][1]), path.read_bytes()


def submit_login(page: Page, server: Server, name: str, password: str) -> None:
    """Type into the sign-in form and send it, as a person does; waits for the answer page."""
    page.goto(server.url + "/login")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    with page.expect_navigation():
        page.click("#login-submit")


def refused_message(page: Page) -> str:
    """The sign-in form's answer to a refused attempt (it stays on /login)."""
    expect(page.locator("#login-failed")).to_contain_text(LOGIN_FAILED, timeout=READY_MS)
    assert "/login" in page.url
    return page.locator("#login-failed").inner_text()


# ---------------------------------------------------------------------------
# /history


def test_an_admin_reads_the_history_downloads_an_original_and_restores_an_older_version(
    as_user, app_server: Server, tmp_path: Path
) -> None:
    dataset = "milestones"
    title = DATASETS[dataset].title
    # The session's other browser tests read the same demo data. So the version restored
    # here has the same content as the current one: a copy of the current ledger is
    # imported as a new version first, then the version before it is restored.
    copied, original = import_copy(app_server, dataset, "节点台账-副本.csv", tmp_path)
    older = copied - 1
    newest = cli_versions(app_server, dataset)[0]

    page = as_user("admin")
    page.goto(app_server.url + "/history")
    rows = table(page, "#history-table")
    by_version = {(r[0], r[1]): i for i, r in enumerate(rows)}
    mine = rows[by_version[(title, str(copied))]]
    # version, time, user, file name, row count and +added ~changed -removed =skipped, as the CLI has them
    assert mine[1:7] == newest[1:7]
    assert mine[3] == "cli" and mine[4] == "节点台账-副本.csv"
    assert mine[5] == str(len(original.decode("utf-8-sig").splitlines()) - 1)
    assert {r[0] for r in rows} == {ds.title for ds in DATASETS.values()}  # every dataset's versions

    # the original file downloads byte for byte
    row = page.locator("#history-table tbody tr").nth(by_version[(title, str(copied))])
    with page.expect_download() as download:
        row.locator("a.original").click()
    assert download.value.suggested_filename == "节点台账-副本.csv"
    assert Path(download.value.path()).read_bytes() == original

    # restore the older version: a confirmation first; cancel writes nothing
    history_before = cli_ok(app_server, "history")
    older_row = page.locator("#history-table tbody tr").nth(by_version[(title, str(older))])
    older_row.locator("button.restore").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"把「{title}」恢复为版本 {older} 的内容")
    page.click("#restore-cancel")
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(500)  # a stray write would land by now
    assert cli_ok(app_server, "history") == history_before
    expect(page.locator("#history-message")).to_have_count(0)

    # confirm: a new version with the older one's content, and a green message
    older_row.locator("button.restore").click()
    expect(dialog).to_be_visible()
    page.click("#restore-confirm")
    message = page.locator("#history-message")
    expect(message).to_contain_text(f"已恢复：{title} 版本 {older} → 新版本 {copied + 1}", timeout=READY_MS)
    assert message.get_attribute("data-accent-color") == "green"
    restored = cli_versions(app_server, dataset)[0]
    assert (restored[1], restored[3], restored[8]) == (str(copied + 1), "admin", str(older))
    current = export(app_server, dataset, tmp_path)
    assert current == export(app_server, dataset, tmp_path, "--version", str(older))
    assert current == original  # the figures are as they were
    expect(page.locator("#history-table tbody tr").first).to_contain_text(f"恢复自 v{older}")


def test_staff_see_the_history_but_no_restore_button(as_user, app_server: Server) -> None:
    page = as_user("staff")
    page.goto(app_server.url + "/history")
    rows = table(page, "#history-table")
    assert len(rows) >= len(DATASETS)
    expect(page.locator("#history-table a.original").first).to_be_visible()
    expect(page.locator("#history-table button.restore")).to_have_count(0)
    expect(page.get_by_role("button", name="恢复")).to_have_count(0)


# Records, from the first byte of each page load, every staff page (.app[data-page]) that
# ever showed anything in its main part: a heading, a form, a table.
WATCH_STAFF_PAGES = """
window.__staffShown = [];
new MutationObserver(() => {
    for (const el of document.querySelectorAll('.app[data-page] main *')) {
        const what = el.closest('.app').dataset.page;
        if (!window.__staffShown.includes(what)) window.__staffShown.push(what);
    }
}).observe(document, {childList: true, subtree: true});
"""


@pytest.mark.parametrize(
    ("who", "paths"),
    [("leader", ["/upload", "/history", "/audit", "/users"]), ("staff", ["/audit", "/users"])],
)
def test_typing_a_page_above_ones_role_leads_back_to_the_overview_without_showing_it(
    as_user, app_server: Server, who: str, paths: list[str]
) -> None:
    page = as_user(who)
    page.add_init_script(WATCH_STAFF_PAGES)
    for path in paths:
        page.goto(app_server.url + path)
        page.wait_for_url(app_server.url + "/", timeout=READY_MS)
        expect(page.locator("h1.page-title")).to_have_text("总览")
        assert page.evaluate("window.__staffShown") == [], f"{who} was shown {path}"


# ---------------------------------------------------------------------------
# /audit


def test_an_admin_reads_failed_and_successful_sign_ins_with_address_and_the_uploads_and_restores(
    as_user, browser: Browser, app_server: Server, tmp_path: Path
) -> None:
    # a wrong password typed into the sign-in form (one failure: far from staff's lock-out)
    stranger = browser.new_context(locale="zh-CN").new_page()
    submit_login(stranger, app_server, "staff", "not-the-password")
    refused_message(stranger)
    stranger.context.close()
    # an upload and a restore from the command line (same content: the boards stay as they are)
    copied, data = import_copy(app_server, "meetings", "调度会-副本.csv", tmp_path)
    rows_in_file = len(data.decode("utf-8-sig").splitlines()) - 1
    cli_ok(app_server, "rollback", "meetings", str(copied - 1))

    page = as_user("admin")
    page.goto(app_server.url + "/audit")
    rows = table(page, "#audit-table")
    # columns: time, user, event, result, object, detail, address; newest first
    failed = next(r for r in rows if r[1] == "staff" and r[2] == "登录" and r[3] == "失败")
    assert failed[6] == "127.0.0.1"
    assert any(r[1:4] == ["admin", "登录", "成功"] and r[6] == "127.0.0.1" for r in rows)
    upload = next(r for r in rows if r[2] == "上传" and "调度会-副本.csv" in r[4])
    assert (upload[1], upload[3], upload[5]) == ("cli", "成功", f"version {copied}, {rows_in_file} rows")
    restore = next(r for r in rows if r[2] == "恢复版本" and r[4] == f"meetings v{copied - 1}")
    assert restore[3] == "成功" and restore[5] == f"new version {copied + 1}, {rows_in_file} rows"
    assert rows.index(restore) < rows.index(upload) < rows.index(failed)  # newest first


# ---------------------------------------------------------------------------
# /users


def test_an_admin_adds_an_account_that_can_sign_in_until_it_is_disabled(
    as_user, browser: Browser, app_server: Server
) -> None:
    name, password = "王芳", "wangfang-2026"
    page = as_user("admin")
    page.goto(app_server.url + "/users")
    table(page, "#users-table")
    form = page.locator("#user-add")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=role]").select_option("editor")
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page.get_by_text(f"已添加账户 {name}。")).to_be_visible(timeout=READY_MS)
    mine = page.locator("#users-table tbody tr").filter(has=page.get_by_role("cell", name=name, exact=True))
    expect(mine).to_have_count(1)
    expect(mine.locator("select")).to_have_value("editor")
    expect(mine).to_contain_text("正常")

    # the new account signs in through the form, must choose its own password first (等保: the
    # admin typed this one), then reaches a staff page
    newcomer = browser.new_context(locale="zh-CN").new_page()
    submit_login(newcomer, app_server, name, password)
    newcomer.wait_for_url(re.compile(r"/password"), timeout=READY_MS)
    newcomer.goto(app_server.url + "/upload")
    newcomer.wait_for_url(re.compile(r"/password"), timeout=READY_MS)
    newcomer.fill("#password-current", password)
    password = "Wangfang-own-1"
    newcomer.fill("#password-new", password)
    newcomer.fill("#password-again", password)
    with newcomer.expect_navigation():
        newcomer.click("#password-submit")
    newcomer.goto(app_server.url + "/upload")
    expect(newcomer.locator("#upload-file")).to_be_visible(timeout=READY_MS)

    # disabled: its open session ends and the same password is refused
    mine.get_by_role("button", name="停用").click()
    expect(page.get_by_text(f"已停用 {name}")).to_be_visible(timeout=READY_MS)
    expect(mine).to_contain_text("停用")
    newcomer.goto(app_server.url + "/upload")
    newcomer.wait_for_url(re.compile(r"/login"), timeout=READY_MS)
    submit_login(newcomer, app_server, name, password)
    refused_message(newcomer)
    newcomer.context.close()

    page.goto(app_server.url + "/audit")
    rows = table(page, "#audit-table")
    assert any(r[1:5] == ["admin", "添加账户", "成功", name] and r[5] == "role=editor" for r in rows)
    assert any(r[1:5] == ["admin", "停用账户", "成功", name] for r in rows)


# ---------------------------------------------------------------------------
# /upload templates


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_the_upload_page_offers_csv_and_xlsx_templates_with_the_chinese_headers(
    as_user, app_server: Server, dataset: str
) -> None:
    headers = list(DATASETS[dataset].headers)
    assert all(has_cjk(h) for h in headers)
    page = as_user("staff")
    page.goto(app_server.url + "/upload")
    title = DATASETS[dataset].title

    with page.expect_download() as csv_download:
        page.click(f"#template-{dataset}-csv")
    assert csv_download.value.suggested_filename == f"{title}-模板.csv"
    data = Path(csv_download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads it as UTF-8
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == headers and len(lines) == 2  # header and one example row

    with page.expect_download() as xlsx_download:
        page.click(f"#template-{dataset}-xlsx")
    assert xlsx_download.value.suggested_filename == f"{title}-模板.xlsx"
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert [c.value for c in sheet[1]] == headers


# ---------------------------------------------------------------------------
# sign-in lock-out


def test_five_wrong_passwords_lock_an_account_with_the_same_answer_as_an_unknown_name(
    browser: Browser, app_server: Server
) -> None:
    name, password = "锁定测试", "right-password-1"  # a throwaway: the demo accounts stay usable
    cli_ok(app_server, "users", "add", name, "--role", "viewer", "--password-stdin", input=password + "\n")
    first = browser.new_context(locale="zh-CN").new_page()
    submit_login(first, app_server, name, password)
    assert "/login" not in first.url  # the password is right
    first.context.close()

    page = browser.new_context(locale="zh-CN").new_page()
    try:
        submit_login(page, app_server, "没有这个人", password)
        unknown = refused_message(page)
        for _ in range(5):
            submit_login(page, app_server, name, "wrong-password")
            assert refused_message(page) == unknown
        submit_login(page, app_server, name, password)  # the right one, now refused
        assert refused_message(page) == unknown
    finally:
        page.context.close()
