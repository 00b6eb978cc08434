"""What the HTTP routes and the CLI answer to what people and links really send.

Numbers and days typed into a URL or an argument (dashboard.params): '²', 5000 digits, 2**64,
year 1, year 9999, a week in the future are a 400 in the routes' JSON shape (or exit 2), never a
500, a 503 or a traceback. A browser opening a download without a session (a report link tapped
in 企业微信/钉钉/飞书) is sent to sign in and lands on the download; API clients keep the JSON 401.
Downloads name themselves in ASCII for old clients too. Starlette's own refusals under /api/ (no
such route, wrong method, malformed form) speak the same JSON.

Routes run through Starlette's TestClient on a fresh SQLite database per test; the CLI runs as a
subprocess, as people run it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from dashboard import api, clock, params
from dashboard.accounts import auth
from dashboard.store import storage
from tests.messages import said
from tests.test_cli import dashboard

PASSWORD = "Correct-horse-9"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
DEMOLITION_CSV = "房产编号,户主,户类,党小组,当前状态,签约日期\nDX-001,张某某,1,1,已签约,2024-05-03\n".encode()


@pytest.fixture
def engine(sqlite_url: str) -> sa.Engine:
    """Two demolition versions, the first uploaded under a Chinese file name; a leader and an admin."""
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    storage.import_file(eng, "demolition", DEMOLITION_CSV, "拆迁台账_2026-12-01.csv")
    storage.import_file(
        eng, "demolition", DEMOLITION_CSV + "DX-002,李某某,2,3,已摸底,\n".encode(), "dx-ledger.csv"
    )
    auth.add_user(eng, "leader", "viewer", PASSWORD)
    auth.add_user(eng, "admin", "admin", PASSWORD)
    return eng


def _client(name: str | None = None) -> TestClient:
    client = TestClient(api.build(), follow_redirects=False)
    if name:
        assert client.post("/api/login", data={"name": name, "password": PASSWORD}).status_code == 303
    return client


@pytest.fixture
def admin(engine: sa.Engine) -> Iterator[TestClient]:
    with _client("admin") as client:
        yield client


# ---------------------------------------------------------------------------
# Numbers and days, read in one place


@pytest.mark.parametrize(
    "text", ["²", "٣", "３", " 3", "3 ", "-1", "+1", "", "1e3", "0x10", "9" * 5000, str(2**31), str(2**64)]
)
def test_a_number_is_ascii_digits_below_2_to_the_31(text: str) -> None:
    assert params.number(text) is None
    with pytest.raises(params.BadParameter) as refused:
        params.version(text)
    assert refused.value.key == "param.bad_version"
    assert len(refused.value.fmt["text"]) <= 41  # 5000 digits are not quoted back whole


def test_numbers_that_are_numbers_are_read() -> None:
    assert [params.number(t) for t in ("0", "7", "0012", str(2**31 - 1))] == [0, 7, 12, 2**31 - 1]


def test_a_report_day_is_an_iso_day_from_2000_to_the_office_today() -> None:
    today = date(2026, 12, 7)
    assert params.report_day(None, today) == params.report_day("", today) == today
    assert params.report_day("2026-12-04", today) == date(2026, 12, 4)
    assert params.report_day("2000-01-01", today) == params.EARLIEST_DAY
    for text in (
        "someday",
        "2026/12/04",
        "20261204",
        "2026-W49-5",
        "2026-13-01",
        "2026-02-30",
        "２０２６-12-04",
    ):
        with pytest.raises(params.BadParameter) as refused:
            params.report_day(text, today)
        assert refused.value.key == "param.bad_date"
    for text in ("0001-01-01", "1999-12-31", "2026-12-08", "2030-06-30", "9999-12-31"):
        with pytest.raises(params.BadParameter) as refused:
            params.report_day(text, today)
        assert refused.value.key == "param.date_range"
        assert refused.value.fmt == {"text": text, "first": "2000-01-01", "last": "2026-12-07"}


def test_without_a_day_the_report_is_the_office_today() -> None:
    assert params.report_day(None) == clock.office_today()


# ---------------------------------------------------------------------------
# Bad numbers and days over HTTP: 400 in the routes' JSON, nothing else


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/export/demolition.csv?version=%C2%B2", "param.bad_version"),  # '²'.isdigit(), int('²') raises
        ("/api/export/demolition.xlsx?version=%D9%A3", "param.bad_version"),  # Arabic-Indic 3
        ("/api/export/demolition.csv?version=" + "9" * 5000, "param.bad_version"),  # int() refuses 4300+
        ("/api/export/demolition.csv?version=-1", "param.bad_version"),
        ("/api/original/demolition/99999999999999999999", "param.bad_version"),  # SQLite's integer overflows
        ("/api/original/demolition/%C2%B2", "param.bad_version"),
        ("/api/report/weekly.docx?week_ending=0001-01-01", "param.date_range"),  # a week back overflows
        ("/api/report/weekly.docx?week_ending=9999-12-31", "param.date_range"),  # the next quarter overflows
        ("/api/report/weekly.pdf?week_ending=2030-06-30", "param.date_range"),  # today's data as 2030's
        ("/api/report/weekly.docx?week_ending=someday", "param.bad_date"),
    ],
)
def test_a_bad_number_or_day_in_the_url_is_a_400_saying_so_in_both_languages(
    admin: TestClient, path: str, key: str
) -> None:
    refused = admin.get(path)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/json"
    said(refused.json(), key)


def test_a_week_ending_tomorrow_is_refused_and_names_today(admin: TestClient) -> None:
    today = clock.office_today()
    refused = admin.get(f"/api/report/weekly.docx?week_ending={today + timedelta(days=1)}")
    assert refused.status_code == 400
    assert said(refused.json(), "param.date_range")["last"] == today.isoformat()


def test_well_formed_numbers_still_find_their_version_or_a_404(admin: TestClient) -> None:
    assert admin.get("/api/export/demolition.csv?version=1").status_code == 200
    assert admin.get("/api/original/demolition/2").status_code == 200
    for path in ("/api/export/demolition.csv?version=3", "/api/original/demolition/0"):
        missing = admin.get(path)
        assert missing.status_code == 404 and missing.json()["message_en"].startswith("No ")
    assert admin.get("/api/diff/demolition/%EF%BC%93.csv").status_code == 404  # full-width 3: not a version
    assert admin.get("/api/diff/demolition/1..2.csv").status_code == 200


def test_malformed_filter_numbers_in_a_drill_link_are_dropped_not_a_500(admin: TestClient) -> None:
    got = admin.get("/api/drill.csv?chart=demolition_by_group&label=%C2%B2&party_group=%C2%B2")
    assert got.status_code == 404 and got.json()["message_en"] == "No such rows."


# ---------------------------------------------------------------------------
# The weekly-report link in the digest, tapped in a chat app without a session


def _next_of(location: str) -> str:
    url = urlsplit(location)
    assert url.path == "/login" and not url.netloc
    return parse_qs(url.query)["next"][0]


def test_a_browser_opening_the_report_link_signed_out_is_sent_to_sign_in_then_gets_the_report(
    engine: sa.Engine,
) -> None:
    link = f"/api/report/weekly.docx?week_ending={clock.office_today()}&lang=en"
    browser = _client()
    sent = browser.get(link, headers={"accept": BROWSER})
    assert sent.status_code == 303
    assert _next_of(sent.headers["location"]) == link  # the whole address, query included
    # the sign-in page posts its ?next back with the form; the account lands on the report
    signed_in = browser.post("/api/login", data={"name": "leader", "password": PASSWORD, "next": link})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == link
    report = browser.get(link, headers={"accept": BROWSER})
    assert report.status_code == 200 and report.content[:2] == b"PK"


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/json, text/html;q=0.5", "text/html;q=0"]
)
def test_api_clients_signed_out_keep_the_json_401(engine: sa.Engine, accept: str | None) -> None:
    headers = {"accept": accept} if accept is not None else {}
    client = _client()
    if accept is None:
        client.headers.pop("accept", None)
    for path in ("/api/report/weekly.docx", "/api/export/demolition.csv", "/api/original/demolition/1"):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 401
        said(refused.json(), "api.refused.not_signed_in")


def test_every_download_opened_in_a_browser_signed_out_goes_to_sign_in(engine: sa.Engine) -> None:
    browser = _client()
    for path in ("/api/export/demolition.xlsx", "/api/original/demolition/1", "/api/drill.csv?chart=x"):
        sent = browser.get(path, headers={"accept": BROWSER})
        assert sent.status_code == 303 and _next_of(sent.headers["location"]) == path
    # a form post is never a navigation to redirect: still the JSON refusal
    refused = browser.post(
        "/api/upload?dataset=demolition&name=a.csv", content=b"x", headers={"accept": BROWSER}
    )
    assert refused.status_code == 401


def test_an_account_due_a_new_password_opening_the_link_is_sent_to_change_it_first(engine: sa.Engine) -> None:
    auth.add_user(engine, "新人", "viewer", "Initial-pass-1", by="admin", must_change=True)
    browser = TestClient(api.build(), follow_redirects=False)
    browser.post("/api/login", data={"name": "新人", "password": "Initial-pass-1"})
    sent = browser.get("/api/export/demolition.csv", headers={"accept": BROWSER})
    assert sent.status_code == 303
    url = urlsplit(sent.headers["location"])
    assert url.path == "/password" and unquote(parse_qs(url.query)["next"][0]) == "/api/export/demolition.csv"
    assert browser.get("/api/export/demolition.csv").status_code == 403  # an API client: JSON


# ---------------------------------------------------------------------------
# Download names: an ASCII filename= that is the real name, the Chinese one in filename*


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dx-ledger.csv", "dx-ledger.csv"),
        ("weekly-report-2026-12-07.docx", "weekly-report-2026-12-07.docx"),
        ("台账 demolition.xlsx", "_ demolition.xlsx"),
        ("拆迁台账.xlsx", "demolition_v3.xlsx"),
        ("拆迁台账_2026-12-01.csv", "demolition_v3_2026-12-01.csv"),
        (".csv", "demolition_v3.csv"),
    ],
)
def test_the_ascii_name_is_the_real_name_with_non_ascii_replaced(name: str, expected: str) -> None:
    assert api.ascii_name(name, "demolition_v3") == expected


def test_original_files_download_under_their_own_name(admin: TestClient) -> None:
    chinese = admin.get("/api/original/demolition/1").headers["content-disposition"]
    assert 'filename="demolition_v1_2026-12-01.csv"' in chinese
    assert "filename*=UTF-8''%E6%8B%86%E8%BF%81%E5%8F%B0%E8%B4%A6_2026-12-01.csv" in chinese  # 拆迁台账_…
    ascii_only = admin.get("/api/original/demolition/2").headers["content-disposition"]
    assert 'filename="dx-ledger.csv"' in ascii_only and "download" not in ascii_only


def test_the_weekly_report_is_named_in_chinese_with_its_ascii_name_for_old_clients(admin: TestClient) -> None:
    day = clock.office_today() - timedelta(days=1)
    got = admin.get(f"/api/report/weekly.docx?week_ending={day}&lang=zh")
    assert got.status_code == 200
    disposition = got.headers["content-disposition"]
    assert f'filename="weekly-report-{day}.docx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"党建工作周报_{day}.docx"


# ---------------------------------------------------------------------------
# Starlette's own refusals under /api/: the routes' JSON shape


def test_an_unknown_api_address_is_a_json_404(engine: sa.Engine) -> None:
    missing = _client().get("/api/nonexistent")
    assert missing.status_code == 404
    said(missing.json(), "api.refused.not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/api/upload", "POST"),
        ("delete", "/api/export/demolition.csv", "GET, HEAD"),
        ("get", "/api/login", "POST"),
    ],
)
def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(
    engine: sa.Engine, method: str, path: str, allowed: str
) -> None:
    refused = getattr(_client(), method)(path)
    assert refused.status_code == 405 and refused.headers["allow"] == allowed
    said(refused.json(), "api.refused.method")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--x\r\n", "multipart/form-data"),  # missing boundary
        (b"&".join(b"f%d=1" % i for i in range(10)), "application/x-www-form-urlencoded"),  # too many fields
        (
            b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\n' + b"x" * 5000 + b"\r\n--b--\r\n",
            "multipart/form-data; boundary=b",  # a part past 4 KB
        ),
    ],
)
def test_a_malformed_sign_in_form_is_a_json_400(engine: sa.Engine, body: bytes, content_type: str) -> None:
    refused = _client().post("/api/login", content=body, headers={"content-type": content_type})
    assert refused.status_code == 400
    said(refused.json(), "api.refused.bad_request")


def test_behind_our_routes_reflex_still_answers_every_other_path() -> None:
    """As Reflex mounts its app (api_transformer): /api/ stays ours, the rest is Reflex's."""
    app = api.build()
    app.mount("", Starlette(routes=[Route("/{page:path}", lambda request: PlainTextResponse("reflex page"))]))
    client = TestClient(app)
    assert client.get("/brands").text == "reflex page"
    assert client.get("/_upload/x").text == "reflex page"
    missing = client.get("/api/nonexistent")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert client.get("/api/upload").status_code == 405


def test_outside_api_starlettes_own_answers_stay_as_they_were() -> None:
    missing = TestClient(api.build()).get("/nowhere")
    assert missing.status_code == 404 and missing.text == "Not Found"


# ---------------------------------------------------------------------------
# The CLI: the same checks, exit 2 with the message, no traceback


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2030-06-30", "2026/13/01"])
def test_report_with_an_impossible_week_ending_exits_2_with_the_message(
    sqlite_url: str, tmp_path: Path, day: str
) -> None:
    out = tmp_path / "周报.docx"
    done = dashboard("report", "--no-charts", "--week-ending", day, "-o", str(out))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
    key = "param.bad_date" if "/" in day else "param.date_range"
    zh, en = done.stderr.strip().splitlines()
    said({"message": zh, "message_en": en}, key)


@pytest.mark.parametrize(
    "args",
    [
        ("rollback", "demolition", "99999999999999999999"),
        ("diff", "demolition", "²", "1"),
        ("export", "demolition", "--version", "9" * 5000),
        ("rounds", "close", "99999999999999999999"),
    ],
)
def test_a_number_argument_that_is_not_one_exits_2_without_a_traceback(
    sqlite_url: str, args: tuple[str]
) -> None:
    done = dashboard(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "2147483647" in done.stderr
