"""The weekly report (周报) as a file: Word (.docx), PDF, or a self-contained HTML page.

The content is the /report page itself (:func:`dashboard.board.weekly.weekly_page`,
one source): key figures with their change on last week, the progress
sentences, the week's ledger updates, the open warnings, and the main charts
(``charts.registry.REPORT``), the boards' own figures drawn as images.

- Word: python-docx, A4, Noto Sans CJK SC as the East Asian font (WPS and
  Word on Chinese Windows substitute their own CJK font when it is missing),
  a PAGE field in the footer, the data's "截至" stamp under the title.
- Charts as PNG: plotly's image export (kaleido 1.x) driving the system
  Chromium (BROWSER_PATH, else ``chromium`` on PATH). Without a renderer the
  document still builds, with its tables, and says the charts were left out.
- PDF: LibreOffice (``soffice --headless --convert-to pdf``) from the .docx when
  installed; else Chromium prints the HTML version (A4, page numbers from
  CSS @page margin boxes). :data:`Document.engine` says which one made it.
- Drawing the charts starts a Chromium (seconds): the last few documents made are kept, by the
  database and its newest version, so the office's next download of the same week's report (the
  digest's attachment, a second leader, Word after PDF) is made once.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Engine

from dashboard import i18n
from dashboard.board import WeeklyPage, weekly_page
from dashboard.contract.scopes import Scope
from dashboard.store import storage

T = TypeVar("T")

log = logging.getLogger(__name__)

FORMATS = ("docx", "pdf", "html")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
CJK_FONT = "Noto Sans CJK SC"
CHART_PX = (1000, 520)
RENDER_TIMEOUT = 120


@dataclass
class Chart:
    id: str
    title: str
    png: bytes | None = None


@dataclass
class Content:
    """Everything the document shows, in one language."""

    page: WeeklyPage  # what /report shows, in ``lang``
    lang: str
    charts: list[Chart] = field(default_factory=list)
    charts_missing: str = ""  # why the charts are not drawn ("" = they are)

    def text(self, key: str, **fmt: object) -> str:
        return i18n.t(key, self.lang, **fmt)


@dataclass
class Document:
    content: bytes
    format: str
    engine: str  # what made it: python-docx | libreoffice | chromium | html
    charts_drawn: bool

    @property
    def mime(self) -> str:
        return MIME[self.format]


# ---------------------------------------------------------------------------
# content


def browser() -> str | None:
    """The Chromium kaleido and PDF printing use: BROWSER_PATH, else the first on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured and Path(configured).exists():
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


_RENDER_LOCK = threading.Lock()  # one Chromium at a time per process: two downloads must not race kaleido


def chart_pngs(figures: list[dict[str, Any]]) -> list[bytes]:
    """Every figure as PNG in one kaleido session (one browser start for all of them)."""
    import plotly.io as pio

    path = browser()
    if path is None:
        raise RuntimeError("no Chromium for plotly's image export")
    os.environ.setdefault("BROWSER_PATH", path)
    with _RENDER_LOCK, tempfile.TemporaryDirectory() as tmp:
        files = [Path(tmp) / f"{i}.png" for i in range(len(figures))]
        width, height = CHART_PX
        pio.write_images(figures, files, format="png", width=width, height=height)
        return [f.read_bytes() for f in files]


def content(
    engine: Engine, week_ending: date, lang: str = i18n.DEFAULT_LANG, charts: bool = True,
    scope: Scope | None = None,
) -> Content:
    """The report of the week ending ``week_ending``, from the data as it stood that day (``scope``:
    a scoped viewer's, its rows only)."""
    page = weekly_page(lang, engine, week_ending, scope)
    out = Content(page=page, lang=lang, charts=[Chart(c.id, c.title) for c in page.charts])
    if not charts:
        out.charts_missing = i18n.t("report.doc.no_charts", lang)
        return out
    try:
        for chart, png in zip(out.charts, chart_pngs([c.figure for c in page.charts]), strict=True):
            chart.png = png
    except Exception as exc:  # no renderer here: the tables still go out, and the text says so
        log.warning("charts not drawn: %r", exc)
        out.charts_missing = i18n.t("report.doc.no_charts", lang)
    return out


def _warning_rows(c: Content) -> list[tuple[str, str, str]]:
    return [(c.text(f"report.doc.level.{w.level}"), w.reason, w.since) for w in c.page.warnings]


# ---------------------------------------------------------------------------
# Word


def _east_asian(style_or_run: object, font: str = CJK_FONT) -> None:
    """Set the Latin and the East Asian font (python-docx only sets the Latin one by itself)."""
    from docx.oxml.ns import qn

    element = style_or_run.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _page_field(paragraph: object) -> None:
    """A PAGE field: Word and WPS fill in the page number."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def piece(tag: str, **attrs: str) -> object:
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        return el

    run = paragraph.add_run()  # type: ignore[attr-defined]
    run._r.append(piece("w:fldChar", **{"w:fldCharType": "begin"}))
    instr = piece("w:instrText", **{"xml:space": "preserve"})
    instr.text = " PAGE "  # type: ignore[attr-defined]
    run._r.append(instr)
    run._r.append(piece("w:fldChar", **{"w:fldCharType": "separate"}))
    shown = paragraph.add_run("1")  # type: ignore[attr-defined]
    end = paragraph.add_run()  # type: ignore[attr-defined]
    end._r.append(piece("w:fldChar", **{"w:fldCharType": "end"}))
    del shown


def _table(doc: object, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def to_docx(c: Content) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        _east_asian(doc.styles[name])
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = c.page.title
    doc.core_properties.language = "zh-CN" if c.lang == "zh" else "en-GB"

    rep = c.page
    doc.add_heading(rep.title, level=0)
    doc.add_paragraph(rep.period)
    doc.add_paragraph(c.page.as_of)

    doc.add_heading(c.text("app.report.figures"), level=1)
    _table(
        doc,
        (c.text("report.doc.col.kpi"), c.text("report.doc.col.value"), c.text("report.doc.col.change")),
        [(f.label, f.value, f.change) for f in rep.figures],
    )
    doc.add_heading(c.text("app.report.summary"), level=1)
    for sentence in rep.summary:
        doc.add_paragraph(sentence)
    doc.add_heading(c.text("app.report.changes"), level=1)
    for line in rep.uploads:
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading(c.text("app.report.warnings"), level=1)
    rows = _warning_rows(c)
    if rows:
        _table(
            doc,
            (
                c.text("report.doc.col.level"),
                c.text("report.doc.col.warning"),
                c.text("report.doc.col.since"),
            ),
            rows,
        )
    else:
        doc.add_paragraph(c.text("notify.no_warnings"))
    doc.add_heading(c.text("app.report.charts"), level=1)
    if c.charts_missing:
        doc.add_paragraph(c.charts_missing)
    for chart in c.charts:
        if chart.png is None:
            continue
        doc.add_heading(chart.title, level=2)
        doc.add_picture(io.BytesIO(chart.png), width=Cm(16.5))

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _, after = c.text("report.doc.page").partition("{page}")
    footer.add_run(before)
    _page_field(footer)
    footer.add_run(after)
    for run in footer.runs:
        _east_asian(run)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# HTML and PDF


def to_html(c: Content) -> str:
    """One self-contained page (images inline), A4 print CSS with page numbers."""
    e = html.escape
    rep = c.page

    def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    page = c.text("report.doc.page").replace("{page}", '" counter(page) "')
    parts = [
        f"<h1>{e(rep.title)}</h1>",
        f'<p class="period">{e(rep.period)}</p>',
        f'<p class="stamp">{e(c.page.as_of)}</p>',
        f"<h2>{e(c.text('app.report.figures'))}</h2>",
        table(
            (c.text("report.doc.col.kpi"), c.text("report.doc.col.value"), c.text("report.doc.col.change")),
            [(f.label, f.value, f.change) for f in rep.figures],
        ),
        f"<h2>{e(c.text('app.report.summary'))}</h2>",
        *(f"<p>{e(s)}</p>" for s in rep.summary),
        f"<h2>{e(c.text('app.report.changes'))}</h2>",
        "<ul>" + "".join(f"<li>{e(u)}</li>" for u in rep.uploads) + "</ul>",
        f"<h2>{e(c.text('app.report.warnings'))}</h2>",
        table(
            (
                c.text("report.doc.col.level"),
                c.text("report.doc.col.warning"),
                c.text("report.doc.col.since"),
            ),
            _warning_rows(c),
        )
        if rep.warnings
        else f"<p>{e(c.text('notify.no_warnings'))}</p>",
        f"<h2>{e(c.text('app.report.charts'))}</h2>",
    ]
    if c.charts_missing:
        parts.append(f'<p class="notice">{e(c.charts_missing)}</p>')
    for chart in c.charts:
        if chart.png is not None:
            src = "data:image/png;base64," + base64.b64encode(chart.png).decode()
            parts.append(
                f"<figure><figcaption>{e(chart.title)}</figcaption>"
                f'<img src="{src}" alt="{e(chart.title)}"></figure>'
            )
    lang = "zh-CN" if c.lang == "zh" else "en"
    style = f"""
@page {{ size: A4; margin: 18mm 18mm 20mm; @bottom-center {{ content: "{page}"; font-size: 9pt; }} }}
body {{ font-family: "{CJK_FONT}", "Microsoft YaHei", sans-serif; font-size: 10.5pt; color: #222; }}
h1 {{ color: #c8102e; font-size: 20pt; margin: 0 0 4pt; }}
h2 {{ font-size: 13pt; border-bottom: 1px solid #c8102e; padding-bottom: 2pt; margin-top: 14pt; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 3pt 6pt; text-align: left; }}
th {{ background: #f3f3f3; }}
td:first-child, td:last-child {{ white-space: nowrap; }}
figure {{ margin: 8pt 0; break-inside: avoid; }}
img {{ width: 100%; }}
.notice {{ color: #b7791f; }}
"""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(rep.title)}</title>'
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )


def _libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(c: Content) -> tuple[bytes, str]:
    """(PDF bytes, what made it): LibreOffice from the .docx, else Chromium printing the HTML."""
    with tempfile.TemporaryDirectory() as tmp:
        office = _libreoffice()
        if office:
            src = Path(tmp) / "report.docx"
            src.write_bytes(to_docx(c))
            subprocess.run(
                [office, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(src)],
                check=True,
                capture_output=True,
                timeout=RENDER_TIMEOUT,
            )
            return (Path(tmp) / "report.pdf").read_bytes(), "libreoffice"
        chrome = browser()
        if chrome is None:
            raise RuntimeError("neither LibreOffice nor Chromium is installed: no PDF")
        page = Path(tmp) / "report.html"
        page.write_text(to_html(c), encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        subprocess.run(
            [
                chrome,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--print-to-pdf={out}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=RENDER_TIMEOUT,
        )
        return out.read_bytes(), "chromium"


def build(
    engine: Engine, week_ending: date, fmt: str = "docx", lang: str = i18n.DEFAULT_LANG, charts: bool = True,
    scope: Scope | None = None,
) -> Document:
    """The weekly report ending ``week_ending`` as ``fmt`` (docx | pdf | html), within ``scope``.

    Made once per database version: a document asked for again before the data changes is the
    one made before (a document whose charts could not be drawn is made again next time).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    drawable = charts and browser() is not None  # what this server can draw is part of the report
    report = (str(engine.url), storage.data_stamp(engine), week_ending, lang, drawable, scope)

    def make_content() -> Content:
        return content(engine, week_ending, lang, charts, scope)

    def make() -> Document:
        c = _CONTENTS.get_or_make(report, make_content, keep=lambda c: not (charts and c.charts_missing))
        drawn = not c.charts_missing
        if fmt == "docx":
            return Document(to_docx(c), fmt, "python-docx", drawn)
        if fmt == "html":
            return Document(to_html(c).encode(), fmt, "html", drawn)
        data, how = to_pdf(c)
        return Document(data, fmt, how, drawn)

    maker = _libreoffice() if fmt == "pdf" else None
    return _DOCUMENTS.get_or_make((*report, fmt, maker), make, keep=lambda d: d.charts_drawn or not charts)


def can_make(fmt: str) -> bool:
    """Whether this server has what ``fmt`` needs (a PDF: LibreOffice or Chromium), asked before
    the seconds a report takes."""
    return fmt in FORMATS and (fmt != "pdf" or bool(_libreoffice() or browser()))


class _Recent(Generic[T]):
    """The last ``size`` things made, by key; callers asking for one being made wait for it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._made: OrderedDict[Hashable, T] = OrderedDict()
        self._making: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T], keep: Callable[[T], bool]) -> T:
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._made:
                    self._made.move_to_end(key)
                    return self._made[key]
            try:
                made = make()
            finally:
                with self._lock:
                    self._making.pop(key, None)
            if keep(made):
                with self._lock:
                    self._made[key] = made
                    while len(self._made) > self.size:
                        self._made.popitem(last=False)
            return made

    def clear(self) -> None:
        with self._lock:
            self._made.clear()


_CONTENTS: _Recent[Content] = _Recent(4)  # with the charts' PNGs: Word and PDF share them
_DOCUMENTS: _Recent[Document] = _Recent(8)  # 0.2-0.7 MB each


def file_name(week_ending: date, fmt: str) -> str:
    return f"weekly-report-{week_ending.isoformat()}.{fmt}"
