"""The weekly report as Word and PDF; the email carrying the digest and, on the report day, the report.

The documents are opened with python-docx and pypdf and must hold the key
figures; the first PDF page is saved as a PNG with the other screenshots.
The email goes to a real local SMTP server (aiosmtpd).
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import clock
from dashboard.board.weekly import WeeklyPage, weekly_page
from dashboard.demo.load import load_demo
from dashboard.notify import delivery, document
from dashboard.store import storage

SCREENS = Path(__file__).resolve().parent.parent / "test-output" / "screens"
FAST = delivery.Options(retries=2, backoff=0.01, timeout=5.0)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """The demo loaded today, shared: these tests only read the ledgers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'docs.db'}"
    eng = storage.make_engine(url)
    storage.migrate(eng)
    load_demo(eng, clock.office_today())
    yield eng


def _figures(engine: sa.Engine, lang: str = "zh") -> WeeklyPage:
    """What /report shows this week: the documents must hold the same (one source)."""
    return weekly_page(lang, engine, clock.office_today())


def test_the_word_report_is_a4_in_a_chinese_font_with_page_numbers_stamp_tables_and_charts(engine) -> None:
    import docx

    doc = document.build(engine, clock.office_today(), "docx", "zh")
    assert doc.engine == "python-docx" and doc.charts_drawn
    word = docx.Document(io.BytesIO(doc.content))
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = "\n".join(p.text for p in word.paragraphs)
    rep = _figures(engine)
    assert rep.title in text and rep.period in text and rep.as_of in text and "数据截至" in text
    cells = {c.text for t in word.tables for row in t.rows for c in row.cells}
    for figure in rep.figures:  # every key figure, with its value, is in the figures table
        assert figure.label in cells and figure.value in cells
    assert len(word.inline_shapes) == len(rep.charts) == 7  # the seven main charts (督办, 组织生活) as images
    xml = zipfile.ZipFile(io.BytesIO(doc.content))
    styles = xml.read("word/styles.xml").decode()
    assert 'w:eastAsia="Noto Sans CJK SC"' in styles
    footer = "".join(xml.read(n).decode() for n in xml.namelist() if n.startswith("word/footer"))
    assert "PAGE" in footer and "第 " in footer


def test_without_a_chart_renderer_the_document_still_builds_with_its_tables_and_says_so(
    engine, monkeypatch
) -> None:
    import docx

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")
    doc = document.build(engine, clock.office_today(), "docx", "zh")
    assert not doc.charts_drawn
    word = docx.Document(io.BytesIO(doc.content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "本机没有可用的图表渲染器" in text
    assert len(word.inline_shapes) == 0 and word.tables


def test_the_pdf_has_the_same_key_figures_and_its_first_page_is_saved_as_a_screenshot(engine) -> None:
    from pypdf import PdfReader

    doc = document.build(engine, clock.office_today(), "pdf", "zh")
    assert doc.engine in ("libreoffice", "chromium")
    pdf = PdfReader(io.BytesIO(doc.content))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = "".join(page.extract_text() for page in pdf.pages)
    # pypdf reads some CJK glyphs back as Kangxi radicals (⼯ for 工): NFKC folds them
    flat = unicodedata.normalize("NFKC", "".join(text.split()))
    rep = _figures(engine)
    assert "".join(rep.title.split()) in flat
    for figure in rep.figures:
        assert "".join(figure.value.split()) in flat
    assert "第1" in flat and "第2" in flat  # the page numbers (页 itself comes back as a radical)
    SCREENS.mkdir(parents=True, exist_ok=True)
    pdf_path = SCREENS / "weekly-report.pdf"
    pdf_path.write_bytes(doc.content)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf_path),
                str(SCREENS / "weekly-report-pdf-page1"),
            ],
            check=True,
            timeout=60,
        )
        assert (SCREENS / "weekly-report-pdf-page1.png").stat().st_size > 10_000


def test_the_english_report_is_in_english(engine) -> None:
    doc = document.build(engine, clock.office_today(), "html", "en", charts=False)
    page = doc.content.decode()
    assert "Party-building weekly report" in page and "Key figures" in page and 'lang="en"' in page
    assert "换届" not in page.split("<body>")[1].split("示例")[0]


def test_the_documents_print_the_pages_changes_since_last_week_read_as_of_a_week_ago(engine) -> None:
    """A week of the 100 days has passed since last week: 时间进度 +7 pp on the page and in the file."""
    page = _figures(engine)
    assert {f.label: f.change for f in page.figures}["时间进度"] == "较上周 +7 个百分点"
    doc = document.build(engine, clock.office_today(), "html", "zh", charts=False).content.decode()
    for figure in page.figures:
        assert figure.change in doc.split(figure.label, 1)[1], figure.label


def test_a_past_weeks_report_reads_the_data_as_it_stood_that_day(engine) -> None:
    before = clock.office_today() - timedelta(days=400)  # the demo was loaded today: nothing then
    page = weekly_page("zh", engine, before)
    assert page.as_of == "尚未导入" and page.warnings == []
    doc = document.build(engine, before, "html", "zh", charts=False).content.decode()
    assert "尚未导入" in doc and page.period in doc


# ---------------------------------------------------------------------------
# email


@pytest.fixture
def smtp() -> Iterator[tuple[str, list[EmailMessage]]]:
    from aiosmtpd.controller import Controller

    got: list[EmailMessage] = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            got.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks its server by connecting to the port: name a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}?from=dj@example.cn", got
    finally:
        controller.stop()


def test_the_email_brings_the_digest_as_html_and_on_the_report_day_the_word_report(
    engine, smtp, monkeypatch, tmp_path
) -> None:
    url, inbox = smtp
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DASHBOARD_SMTP_URL", url)
    monkeypatch.setenv("DASHBOARD_DIGEST_EMAIL", "leader@example.cn; deputy@example.cn")
    monkeypatch.setenv("DASHBOARD_WEBHOOKS", "")
    today = clock.office_today()
    monkeypatch.setenv("DASHBOARD_REPORT_WEEKDAY", str(today.isoweekday()))
    [result] = delivery.run(engine, opts=FAST)
    assert result.status == "sent", result.reason
    [mail] = inbox
    assert mail["From"] == "dj@example.cn"
    assert mail["To"] == "leader@example.cn, deputy@example.cn"
    assert str(mail["Subject"]).startswith("党建看板每日简报")
    html = mail.get_body(("html",)).get_content()
    assert "<h3>主要指标</h3>" in html and "签约率" in html and "/api/report/weekly.docx" in html
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"weekly-report-{today.isoformat()}.docx"
    import docx

    word = docx.Document(io.BytesIO(attachment.get_content()))
    assert any("党建工作周报" in p.text for p in word.paragraphs)


def test_an_ordinary_day_email_has_no_attachment_and_an_unreachable_server_is_logged(
    engine, smtp, monkeypatch, tmp_path
) -> None:
    url, inbox = smtp
    today = clock.office_today()
    monkeypatch.setenv("DASHBOARD_DIGEST_EMAIL", "leader@example.cn")
    monkeypatch.setenv("DASHBOARD_WEBHOOKS", "")
    monkeypatch.setenv("DASHBOARD_REPORT_WEEKDAY", str(today.isoweekday() % 7 + 1))
    monkeypatch.setenv("DASHBOARD_SMTP_URL", "smtp://user:pa55word@127.0.0.1:1")  # nobody listens
    day = today - timedelta(weeks=52)  # the same weekday, with no delivery yet
    [failed] = delivery.run(engine, today=day, opts=FAST)
    assert failed.status == "failed" and "pa55word" not in failed.reason
    monkeypatch.setenv("DASHBOARD_SMTP_URL", url)
    [sent] = delivery.run(engine, today=day, opts=FAST)
    assert sent.status == "sent"
    [mail] = inbox
    assert list(mail.iter_attachments()) == []


# ---------------------------------------------------------------------------
# the download route behind /report's buttons


def test_the_report_downloads_need_a_session_and_come_as_word_in_the_asked_language(sqlite_url) -> None:
    import docx
    from starlette.testclient import TestClient

    from dashboard import api
    from dashboard.accounts import auth

    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    load_demo(eng, clock.office_today())
    auth.add_user(eng, "leader", "viewer", "Correct-horse-9")
    anonymous = TestClient(api.build())
    assert anonymous.get("/api/report/weekly.docx").status_code == 401
    client = TestClient(api.build(), follow_redirects=False)
    assert client.post("/api/login", data={"name": "leader", "password": "Correct-horse-9"}).status_code in (
        200,
        303,
    )
    got = client.get("/api/report/weekly.docx?lang=en")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"weekly-report-{clock.office_today().isoformat()}.docx" in got.headers["content-disposition"]
    word = docx.Document(io.BytesIO(got.content))
    assert word.paragraphs[0].text == "Party-building weekly report"
    assert client.get("/api/report/weekly.xlsx").status_code == 404
    assert client.get("/api/report/weekly.docx?week_ending=someday").status_code == 400
