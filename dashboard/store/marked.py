"""A refused upload handed back as the user's own workbook with the problems marked.

Why: a list of line numbers must be matched by hand against a sheet whose
title rows shift them. Here every bad cell is filled red and carries a comment
(批注) with the message, warnings are yellow, a missing required column is
named in a note on the header row, and a 问题清单 sheet lists every problem
with a link to its cell. The ledger sheet stays first (the reader reads the
first sheet that holds the ledger), so fixing the red cells and uploading the
same file again is accepted: fills, comments and the extra sheet are not data.

- XLSX: the user's bytes loaded with openpyxl: their sheets, title rows and
  formatting are kept; marks left by an earlier round (our comments, our
  fills, our 问题清单 sheet) are cleared first.
- CSV: a workbook made from the file, every cell text as written.
- XLS/ODS (openpyxl cannot write them): converted through python-calamine.

Cells are located from the Problem: ``line`` is the spreadsheet row (for a
CSV, the line a record starts on), ``column`` the header as written in the
file; the header row is found by scanning the sheet (title rows may stand
above it); ``sheet`` is used when the problem carries one.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from dashboard import i18n
from dashboard.contract import Dataset, get_dataset
from dashboard.ingest.reading import sniff_delimiter
from dashboard.store.xlsx import (
    AUTHOR,
    HEADER_FILL,
    HEADER_FONT,
    clean_text,
    fit_width,
    formula_like,
    sheet_title,
)

log = logging.getLogger(__name__)

RED = "FFFFC7CE"
YELLOW = "FFFFEB9C"
RED_FILL = PatternFill("solid", fgColor=RED)
YELLOW_FILL = PatternFill("solid", fgColor=YELLOW)
NO_FILL = PatternFill()
HEADER_SCAN_ROWS = 50  # title rows above a header are few; the header is within the first rows

# The strings of the marked workbook, as (zh, en) templates from the catalogue.
LABELS: dict[str, tuple[str, str]] = {
    "sheet": i18n.both("marked.sheet"),
    "col.n": i18n.both("marked.col.n"),
    "col.level": i18n.both("marked.col.level"),
    "col.sheet": i18n.both("marked.col.sheet"),
    "col.cell": i18n.both("marked.col.cell"),
    "col.line": i18n.both("marked.col.line"),
    "col.column": i18n.both("marked.col.column"),
    "col.value": i18n.both("marked.col.value"),
    "col.message": i18n.both("marked.col.message"),
    "col.rule": i18n.both("marked.col.rule"),
    "error": i18n.both("marked.error"),
    "warning": i18n.both("marked.warning"),
    "missing_note": i18n.both("marked.missing_note"),
    "summary": i18n.both("marked.summary"),
    "merged": i18n.both("marked.merged"),
}
# Other names of our list sheet (an earlier round in the other language): removed before marking again.
OUR_SHEETS = {v for pair in (LABELS["sheet"],) for v in pair}


def _l(key: str, lang: str, **fmt: Any) -> str:
    zh, en = LABELS[key]
    return (en if lang == "en" else zh).format(**fmt)


def as_problem(item: Any) -> Any:
    """A Problem, or a dict of one (a stored report's JSON), as an object with the fields we read."""
    if isinstance(item, Mapping):
        fields = {"line": None, "column": None, "value": None, "rule": "", "sheet": None, "severity": None}
        fields.update(item)
        return SimpleNamespace(**fields)
    return item


def report_problems(result: Mapping[str, Any]) -> list[Any]:
    """The problems of an ``ImportResult.to_json()`` (errors and warnings), severities restored."""
    errors = [as_problem({**p, "severity": "error"}) for p in result.get("errors", [])]
    warnings = [as_problem({**p, "severity": "warning"}) for p in result.get("warnings", [])]
    return errors + warnings


_UNIT = re.compile(r"[（(][^）)]*[）)]$")


def header_key(text: object) -> str:
    """A header cell compared as the reader compares it: NFKC, no spaces or line breaks, no trailing
    */＊ or unit in parentheses (党员数（人）, 组织编码*)."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = re.sub(r"\s+", "", s)
    for _ in range(2):
        s = _UNIT.sub("", s).rstrip("*＊")
    return s


# ---------------------------------------------------------------------------
# Opening the user's file


@dataclass
class Opened:
    """The workbook to mark, and how the reader's line numbers map to its rows (CSV records)."""

    book: Workbook
    row_of_line: dict[int, int] | None = None  # None: line == row
    converted: bool = False


def _decode_text(data: bytes) -> str:
    if data[:3] == codecs.BOM_UTF8:
        return data[3:].decode("utf-8", errors="replace")
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:4096]:
        nul_even = data[:4096:2].count(0)
        return data.decode(
            "utf-16-be" if nul_even > data[1:4096:2].count(0) else "utf-16-le", errors="replace"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _from_csv(data: bytes, title: str) -> Opened:
    """Every record on its own row, every cell text as written (so nothing changes on re-upload)."""
    text = _decode_text(data)
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = sniff_delimiter(first)  # as the reader splits it
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_of_line: dict[int, int] = {}
    widths: dict[int, list[str]] = {}
    prev, row = 0, 0
    for cells in reader:
        start, prev = prev + 1, reader.line_num
        row += 1
        row_of_line[start] = row
        for c, value in enumerate(cells, 1):
            if value == "":
                continue
            cell = sheet.cell(row=row, column=c, value=clean_text(value))
            cell.data_type = "s"  # text as written: '=1' stays text, 007 stays 007
            cell.number_format = "@"
            if row <= 200:
                widths.setdefault(c, []).append(value)
    for c, texts in widths.items():
        sheet.column_dimensions[get_column_letter(c)].width = fit_width("", pd.Series(texts, dtype="string"))
    return Opened(book, row_of_line, converted=True)


def _from_calamine(data: bytes) -> Opened:
    """.xls/.ods (openpyxl cannot write them): every sheet's values into a new workbook."""
    import python_calamine

    source = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    book = Workbook()
    book.remove(book.active)
    for name in source.sheet_names:
        sheet = book.create_sheet(sheet_title(name))
        for r, values in enumerate(source.get_sheet_by_name(name).to_python(skip_empty_area=False), 1):
            for c, value in enumerate(values, 1):
                if value == "" or value is None:
                    continue
                cell = sheet.cell(
                    row=r, column=c, value=clean_text(value) if isinstance(value, str) else value
                )
                if isinstance(value, str):
                    cell.data_type = "s"
                elif hasattr(value, "year"):
                    cell.number_format = "yyyy-mm-dd"
    if not book.worksheets:
        book.create_sheet("Sheet1")
    return Opened(book, None, converted=True)


def open_upload(data: bytes, title: str) -> Opened:
    """The user's file as a workbook we can mark and save."""
    if data[:4] == b"PK\x03\x04":
        try:
            return Opened(load_workbook(io.BytesIO(data), rich_text=True))
        except Exception:  # not an OOXML workbook openpyxl can edit (an .ods is a zip too)
            return _from_calamine(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _from_calamine(data)
    return _from_csv(data, title)


# ---------------------------------------------------------------------------
# Finding the header


@dataclass
class Header:
    """Where the ledger's header stands: sheet, row, and header key -> column number."""

    sheet: Worksheet
    row: int
    columns: dict[str, int] = field(default_factory=dict)
    last: int = 0
    hits: int = 0  # how many known headers the row names


def find_header(sheet: Worksheet, known: set[str]) -> Header | None:
    """The first row (of the first rows) whose cells name the most known headers."""
    best: Header | None = None
    best_hits = 0
    for r, values in enumerate(sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), 1):
        keys = {header_key(v): c for c, v in enumerate(values, 1) if v not in (None, "")}
        hits = len(known & set(keys))
        if hits > best_hits:
            last = max((c for c, v in enumerate(values, 1) if v not in (None, "")), default=0)
            best, best_hits = Header(sheet, r, {k: c for k, c in keys.items() if k}, last, hits), hits
    return best


def _known_headers(ds: Dataset, problems: list[Any]) -> set[str]:
    known = {header_key(s) for c in ds.columns for s in c.spellings}
    known |= {header_key(p.column) for p in problems if p.column}
    return known


def _headers(book: Workbook, ds: Dataset, problems: list[Any]) -> dict[str, Header]:
    """The header of every sheet that holds the ledger (by sheet title)."""
    known = _known_headers(ds, problems)
    out = {}
    for sheet in book.worksheets:
        found = find_header(sheet, known)
        if found is not None:
            out[sheet.title] = found
    return out


# ---------------------------------------------------------------------------
# Marking


def _clear_old_marks(book: Workbook) -> None:
    """A marked file refused again: our list sheet, comments and fills from the earlier round go."""
    for title in list(book.sheetnames):
        if title in OUR_SHEETS:
            del book[title]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None
                    if cell.fill.fgColor is not None and cell.fill.fgColor.rgb in (RED, YELLOW):
                        cell.fill = NO_FILL


@dataclass
class _Mark:
    messages: list[str] = field(default_factory=list)
    error: bool = False
    block: str | None = None  # the merged block ("C2:C3") the mark stands for, at its top-left cell
    cells: dict[str, list[str]] = field(default_factory=dict)  # message -> cells of the block it is about

    def text(self, lang: str) -> str:
        """The comment: the messages, each naming its cells when the mark stands for a merged block."""
        if self.block is None:
            return "\n".join(msg for msg in self.messages if msg)
        sep = i18n.t("sep.list", lang)
        return "\n".join(
            _l("merged", lang, cells=sep.join(self.cells[msg]), block=self.block, message=msg)
            for msg in self.messages
            if msg
        )


def _block(sheet: Worksheet, row: int, col: int) -> CellRange | None:
    """The merged block holding the cell (row, col), or None: only a block's top-left cell takes
    a comment (openpyxl refuses one on the others, Excel would not show it)."""
    for block in sheet.merged_cells.ranges:
        if block.min_row <= row <= block.max_row and block.min_col <= col <= block.max_col:
            return block
    return None


def _is_header_problem(p: Any) -> bool:
    return str(p.rule or "").startswith("header.")


def mark_workbook(
    data: bytes,
    dataset: Dataset | str,
    problems: Iterable[Any],
    *,
    lang: str = "zh",
) -> bytes:
    """The user's file with every problem marked (see the module docstring); XLSX bytes.

    Never raises for the file's sake: should the user's workbook not take the marks (a layout we
    did not foresee), the marks go on a plain copy of its values, and failing that the problems
    come back as the list alone. The refusal itself is already reported; this is only its aid.
    """
    ds = dataset if isinstance(dataset, Dataset) else get_dataset(dataset)
    items = [as_problem(p) for p in problems]
    try:
        return _marked(open_upload(data, ds.title), ds, items, lang)
    except Exception as exc:  # one line in the log, no traceback on a CLI user's screen
        log.warning("marking the %s upload in place failed (%r); marking a copy of its values", ds.name, exc)
    try:
        return _marked(_from_calamine(data), ds, items, lang)
    except Exception as exc:
        log.warning("marking a copy of the %s upload failed (%r); listing the problems alone", ds.name, exc)
    book = Workbook()
    book.active.title = sheet_title(ds.title)
    _problem_sheet(book, [(p, Header(book.active, 1), None) for p in items], lang)
    return _save(book)


def _marked(opened: Opened, ds: Dataset, items: list[Any], lang: str) -> bytes:
    book = opened.book
    if not opened.converted:
        _clear_old_marks(book)
    headers = _headers(book, ds, items)
    # the sheet whose header names the most ledger columns (a 填表说明 sheet listing them one per
    # row names one a row); the first such sheet on a tie
    default = max(headers.values(), key=lambda h: h.hits, default=None)
    if default is None:  # no header found at all: the first sheet, row 1
        default = Header(book.worksheets[0], 1)
    marks: dict[tuple[str, int, int], _Mark] = {}
    located: list[tuple[Any, Header, str | None]] = []  # problem, its sheet's header, cell reference
    missing: list[str] = []

    def mark(header: Header, row: int, col: int, message: str, error: bool) -> str:
        ref = f"{get_column_letter(col)}{row}"
        block = _block(header.sheet, row, col)
        if block is None:
            m = marks.setdefault((header.sheet.title, row, col), _Mark())
        else:  # inside a merged block: marked on its top-left cell, naming the cells it is about
            m = marks.setdefault((header.sheet.title, block.min_row, block.min_col), _Mark(block=block.coord))
            if ref not in (about := m.cells.setdefault(message, [])):
                about.append(ref)
        if message not in m.messages:
            m.messages.append(message)
        m.error = m.error or error
        return ref

    for p in items:
        message = p.message_en if lang == "en" else p.message
        error = p.severity != "warning"
        sheet_name = getattr(p, "sheet", None)
        header = headers.get(sheet_title(sheet_name)) if sheet_name else None
        header = header or default
        col = header.columns.get(header_key(p.column)) if p.column else None
        if p.column and col is None and (_is_header_problem(p) or p.line is None):
            missing.append(p.column)  # a column the file lacks: named in one note on the header row
            located.append((p, header, None))
        elif _is_header_problem(p):  # about a header cell, wherever the header stands
            located.append((p, header, mark(header, header.row, col, message, error) if col else None))
        elif p.line is None:  # about the whole file: the list only
            located.append((p, header, None))
        elif col is not None:
            located.append((p, header, mark(header, _row(opened, p.line), col, message, error)))
        elif p.column:  # a column we cannot find on that row: the list points at the row
            located.append((p, header, f"A{_row(opened, p.line)}"))
        else:  # a row-level problem (a skipped 合计 row, too many cells): the row, noted on its first cell
            row, last = _row(opened, p.line), max(header.last, 1)
            ref = mark(header, row, 1, message, error)
            for c in range(2, last + 1):
                mark(header, row, c, "", error)
            located.append((p, header, f"A{row}:{get_column_letter(last)}{row}" if last > 1 else ref))

    for (title, row, col), m in marks.items():
        cell = book[title].cell(row=row, column=col)
        cell.fill = RED_FILL if m.error else YELLOW_FILL
        text = m.text(lang)
        if text:
            cell.comment = _comment(text)
    if missing:
        note = _l("missing_note", lang, columns=i18n.t("sep.list", "zh").join(dict.fromkeys(missing)))
        column = default.last + 1
        while (block := _block(default.sheet, default.row, column)) is not None:  # a header merged across
            column = block.max_col + 1
        spot = default.sheet.cell(row=default.row, column=column)
        spot.fill = RED_FILL
        spot.comment = _comment(note)
    _problem_sheet(book, located, lang)
    return _save(book)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(opened: Opened, line: int) -> int:
    """The sheet row of a reader's line (a CSV record may span several lines)."""
    return opened.row_of_line.get(line, line) if opened.row_of_line else line


def _comment(text: str) -> Comment:
    lines = text.count("\n") + 1 + len(text) // 30
    return Comment(clean_text(text), AUTHOR, width=300, height=min(400, 24 + 18 * lines))


def _problem_sheet(book: Workbook, located: list[tuple[Any, Header, str | None]], lang: str) -> None:
    """问题清单, after every sheet of the user's (never first: it must not be read as the ledger)."""
    sheet = book.create_sheet(_l("sheet", lang))
    errors = sum(1 for p, _, _ in located if p.severity != "warning")
    sheet.append([_l("summary", lang, errors=errors, warnings=len(located) - errors)])
    sheet.cell(row=1, column=1).font = Font(bold=True)
    keys = (
        "col.n",
        "col.level",
        "col.sheet",
        "col.cell",
        "col.line",
        "col.column",
        "col.value",
        "col.message",
        "col.rule",
    )
    sheet.append([_l(k, lang) for k in keys])
    for cell in sheet[2]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    order = sorted(
        range(len(located)), key=lambda i: (located[i][0].severity == "warning", located[i][0].line or 0)
    )
    for n, i in enumerate(order, 1):
        p, header, ref = located[i]
        error = p.severity != "warning"
        message = p.message_en if lang == "en" else p.message
        row = [
            n,
            _l("error" if error else "warning", lang),
            header.sheet.title,
            ref,
            p.line,
            p.column,
            p.value,
            message,
            p.rule,
        ]
        sheet.append([clean_text(v) if isinstance(v, str) else v for v in row])
        r = n + 2  # the summary line and the header stand above (max_row would rescan the sheet)
        for c, v in enumerate(row, 1):
            if formula_like(v):  # the user's "=2" is shown as text, never run
                cell = sheet.cell(row=r, column=c)
                cell.data_type, cell.quotePrefix = "s", True
        sheet.cell(row=r, column=2).fill = RED_FILL if error else YELLOW_FILL
        if ref:
            link = sheet.cell(row=r, column=4)
            target = ref.split(":")[0]
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{header.sheet.title}'!{target}")
            link.font = Font(color="0563C1", underline="single")
    sheet.freeze_panes = "A3"
    for c, w in enumerate((6, 8, 14, 10, 6, 14, 16, 70, 24), 1):
        sheet.column_dimensions[get_column_letter(c)].width = w
