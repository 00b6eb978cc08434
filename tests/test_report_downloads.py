"""Downloading the weekly report (周报) as Word or PDF: made once per data version, and a report
still being drawn answers with its headers first.

Drawing the charts starts a Chromium and takes seconds; leaders clicking 下载 Word saw nothing
happen for 8-12 s. Now the browser shows the download at once (its own progress) while the
server draws, and the office's next download of the same week's report is the one made before.
The download test talks to the real routes served by Granian over a socket, since a test client
hands back a whole answer and cannot show what arrived first.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import clock
from dashboard.accounts import auth
from dashboard.board.weekly import weekly_page
from dashboard.demo.load import load_demo
from dashboard.notify import document
from dashboard.store import storage

PASSWORD = "Correct-horse-9"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def demo_engine(sqlite_url: str) -> sa.Engine:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    load_demo(engine, clock.office_today())
    return engine


def _paragraphs(content: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_the_same_weeks_report_is_made_once_until_the_data_changes(demo_engine: sa.Engine) -> None:
    today = clock.office_today()
    first = document.build(demo_engine, today, "docx", "zh")
    assert document.build(demo_engine, today, "docx", "zh") is first  # the second leader's download
    assert document.build(demo_engine, today, "docx", "en") is not first  # each language its own
    assert document.build(demo_engine, today, "pdf", "zh").format == "pdf"

    newest = max(v.number for v in storage.list_versions(demo_engine, "demolition"))
    assert storage.restore(demo_engine, "demolition", newest - 1).accepted  # the data changes
    again = document.build(demo_engine, today, "docx", "zh")
    assert again is not first
    assert weekly_page("zh", demo_engine, today).as_of in _paragraphs(again.content)  # the new stamp


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(demo_engine: sa.Engine, sqlite_url: str, tmp_path: Path) -> Iterator[int]:
    """Our routes alone (dashboard.api.build) on a free port, as the app mounts them."""
    auth.add_user(demo_engine, "leader", "viewer", PASSWORD)
    port = _free_port()
    env = {**os.environ, "DASHBOARD_DB_URL": sqlite_url, "DASHBOARD_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [str(VENV_BIN / "granian"), "--interface", "asgi", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "dashboard.api:build"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("granian did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _sign_in(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST", "/api/login", body=f"name=leader&password={PASSWORD}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    answer = conn.getresponse()
    assert answer.status == 303
    cookie = SimpleCookie(answer.getheader("set-cookie"))[auth.SESSION_COOKIE].value
    conn.close()
    return f"{auth.SESSION_COOKIE}={cookie}"


def _download(port: int, cookie: str) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/api/report/weekly.docx?lang=zh", headers={"cookie": cookie})
    answer = conn.getresponse()  # returns once the status line and headers are in
    body = answer.read()
    conn.close()
    return answer, body


def test_a_report_still_being_drawn_answers_with_its_headers_first_and_the_next_download_at_once(
    served: int,
) -> None:
    cookie = _sign_in(served)
    first, body = _download(served, cookie)
    assert first.status == 200 and "attachment" in first.getheader("content-disposition", "")
    # Streamed: the headers went before the document was made (its length was not known yet).
    assert first.getheader("transfer-encoding") == "chunked" and first.getheader("content-length") is None
    assert first.getheader("x-content-type-options") == "nosniff"
    assert "党建工作周报" in _paragraphs(body)

    again, same = _download(served, cookie)  # made before: the whole answer, with its length
    assert again.status == 200 and again.getheader("content-length") == str(len(same))
    assert same == body
