"""Spreadsheets (.xlsx, .xls, .ods) as grids of cells rendered the way staff see them.

python-calamine reads the values of all three kinds, but exposes no number
formats, and merged ranges for .xlsx/.xls only. Percent formats (Excel keeps
85% as 0.85) come from each kind's own place: xlsx styles (a small parser:
openpyxl would take seconds on a 100,000-row sheet), xlrd's XF table for .xls,
the cells' value type in the .ods content.xml (which also gives its merges).

A merged cell's value is copied into every cell it spans, so a 党小组 merged
down its block of households is filled in on every row, as the user sees it.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import python_calamine

from dashboard import i18n
from dashboard.ingest.problems import UnreadableFile

XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip bomb expands beyond this
XLSX_MAX_RATIO = 100  # ... or compresses suspiciously well
XLSX_RATIO_MIN_BYTES = 1024 * 1024  # tiny parts may compress well legitimately

Cell = tuple[int, int]  # (row, column), 0-based
Range = tuple[Cell, Cell]  # first and last cell, inclusive

# What to do with any file we cannot read: every office program can save it as .xlsx.
SAVE_AS, SAVE_AS_EN = i18n.both("read.save_as")


@dataclass
class Sheet:
    """One worksheet: its name and columns of rendered cells ('' = empty), all of one length.

    Column-major (numpy object arrays) because that is what the table is
    built from: a column of text passes through untouched, at C speed.
    """

    name: str
    columns: list[np.ndarray]
    hidden: bool = False  # hidden (or very hidden) in the workbook: not what staff see

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def row(self, r: int) -> list[str]:
        return [col[r] for col in self.columns]

    def head(self, n: int) -> list[list[str]]:
        return [self.row(r) for r in range(min(n, self.height))]

    def filled(self, r: int) -> bool:
        return any(col[r].strip() for col in self.columns)

    def first_filled(self) -> int | None:
        return next((r for r in range(self.height) if self.filled(r)), None)


@dataclass
class _Extras:
    percent: set[Cell] = field(default_factory=set)
    merged: list[Range] = field(default_factory=list)
    shown: dict[Cell, str] = field(default_factory=dict)  # cells calamine reads as empty, as Excel shows them


def read_workbook(data: bytes, kind: str) -> list[Sheet]:
    """Every worksheet of an xlsx/xls/ods workbook, in workbook order.

    The cyclic garbage collector is paused meanwhile: a 100,000-row sheet is
    a million new cell objects, none in a cycle, and the collector's passes
    over them cost more than the reading.
    """
    with _collector_paused():
        return _read_workbook(data, kind)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_workbook(data: bytes, kind: str) -> list[Sheet]:
    if kind in ("xlsx", "ods"):
        refuse_zip_bomb(data)
    # An .xlsx's sheets are inflated a second time for what calamine does not say (percent formats,
    # error cells): beside calamine's read, on another core (zlib lets go of the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_xlsx_extras, data) if kind == "xlsx" else None
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            worksheets = [m for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")]
            names = [m.name for m in worksheets]
            hidden = {m.name for m in worksheets if not str(m.visible).endswith(".Visible")}
            grids = {name: book.get_sheet_by_name(name) for name in names}
            values = {name: sheet.to_python(skip_empty_area=False) for name, sheet in grids.items()}
        except python_calamine.PasswordError as exc:
            raise password_protected() from exc
        except (python_calamine.CalamineError, ValueError, OSError) as exc:  # damaged or not what it claims
            raise _cannot_open(kind, str(exc)) from exc
        xlsx_extras = pending.result() if pending is not None else {}
    if kind == "xlsx":
        extras = xlsx_extras
    elif kind == "xls":
        extras = _xls_extras(data, names)
    else:
        extras = _ods_extras(data)
    sheets = []
    for name in names:
        extra = extras.get(name, _Extras())
        merged = extra.merged if kind == "ods" else _calamine_merges(grids[name])
        grid: list[list[object]] = values[name]
        for r, c in extra.percent:
            if r < len(grid) and c < len(grid[r]):
                grid[r][c] = _percent_text(grid[r][c])
        _show_cells(grid, extra.shown)
        _fill_merged(grid, merged)
        width = max(map(len, grid), default=0)
        for row in grid:
            if len(row) < width:
                row.extend([""] * (width - len(row)))
        table = np.empty((len(grid), width), dtype=object)
        if grid:
            table[:] = grid
        sheets.append(Sheet(name, [_render_column(table[:, c]) for c in range(width)], name in hidden))
    return sheets


def _render_column(col: np.ndarray) -> np.ndarray:
    """Cells of one column as text, each distinct value rendered once.

    A column of text alone is kept as it is. Booleans are rendered cell by
    cell: True == 1.0 in Python, so they would share a distinct value with 1.
    """
    types = set(map(type, col))
    if types <= {str}:
        return col
    if bool in types:
        return np.array([v if type(v) is str else render(v) for v in col], dtype=object)
    codes, uniques = pd.factorize(col)
    rendered = np.array([render(u) for u in uniques] + [""], dtype=object)
    return rendered[codes]  # code -1 (a missing value) takes the "" at the end


def _cannot_open(kind: str, detail: str) -> UnreadableFile:
    low = detail.lower()
    if "password" in low or "encrypt" in low or "filepass" in low:
        return password_protected()
    what = {
        "xlsx": i18n.both("read.kind.xlsx"),
        "xls": i18n.both("read.kind.xls"),
        "ods": i18n.both("read.kind.ods"),
    }[kind]
    # The library's own words help a maintainer, not a clerk: English only.
    shown = ("", f" ({detail[:120]})")
    return UnreadableFile(
        *i18n.both("read.workbook_damaged", what=what, detail=shown, save_as=(SAVE_AS, SAVE_AS_EN))
    )


def password_protected() -> UnreadableFile:
    return UnreadableFile(*i18n.both("read.password"))


# ---------------------------------------------------------------------------
# Cells


def render(value: object) -> str:
    """A cell as staff see it: dates as YYYY-MM-DD, 12.0 as 12, booleans 是/否."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_LITERALS = re.compile(r'"[^"]*"|\\.')  # "text" and \x show as written


def is_percent_format(code: str) -> bool:
    """A number format that multiplies by 100 ('0%', '0.0%'); a literal % ('0"%"', '0\\%') does not."""
    return "%" in _LITERALS.sub("", code.split(";")[0])


def _percent_text(value: object) -> object:
    """0.95 in a percent-formatted cell is 95%."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return render(round(value * 100, 9)) + "%"
    return value


def _show_cells(grid: list[list[object]], shown: dict[Cell, str]) -> None:
    """Put ``shown`` text into cells calamine read otherwise (empty, or an .ods error's stand-in 0):
    an error value, a formula without a result."""
    for (r, c), text in shown.items():
        if r >= len(grid):
            grid.extend([] for _ in range(r + 1 - len(grid)))
        row = grid[r]
        if c >= len(row):
            row.extend([""] * (c + 1 - len(row)))
        row[c] = text


def _calamine_merges(sheet: python_calamine.CalamineSheet) -> list[Range]:
    ranges = sheet.merged_cell_ranges or []
    return [((int(a[0]), int(a[1])), (int(b[0]), int(b[1]))) for a, b in ranges]


def _fill_merged(rows: list[list[object]], merged: list[Range]) -> None:
    """The top-left value of a merged range holds for every cell it spans.

    Ranges are clipped to the cells the sheet has: a title merged across all
    16,384 columns must not widen every row.
    """
    height = len(rows)
    for (r0, c0), (r1, c1) in merged:
        if r0 >= height or c0 >= len(rows[r0]) or rows[r0][c0] in ("", None):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, height - 1) + 1):
            row = rows[r]
            row[c0 : min(c1 + 1, len(row))] = [value] * (min(c1 + 1, len(row)) - c0)


# ---------------------------------------------------------------------------
# XLSX


_PERCENT_BUILTIN = {"9", "10"}  # Excel's built-in 0% and 0.00%
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def refuse_zip_bomb(data: bytes) -> None:
    """Check the declared sizes before anything expands the archive."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(*i18n.both("read.corrupt")) from exc
    total = sum(i.file_size for i in infos)
    bomb = total > XLSX_MAX_UNCOMPRESSED or any(
        i.file_size > XLSX_RATIO_MIN_BYTES and i.file_size > XLSX_MAX_RATIO * max(i.compress_size, 1)
        for i in infos
    )
    if bomb:
        raise UnreadableFile(*i18n.both("read.zip_bomb", mb=total // (1024 * 1024)))


def _xlsx_extras(data: bytes) -> dict[str, _Extras]:
    """Per sheet name, the cells whose style has a percent number format, and the cells calamine
    reads as empty that Excel shows otherwise (:func:`_unread_cells`); each sheet's part is read once."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = set(zf.namelist())
        if "xl/workbook.xml" not in parts:
            return {}
        ids = _xlsx_percent_styles(zf) if "xl/styles.xml" in parts else []
        paths = _xlsx_sheet_paths(zf, parts)
        out: dict[str, _Extras] = {}
        for name, path in paths.items():
            xml = zf.read(path)
            percent = _styled_cells(xml, ids) if ids else set()
            out[name] = _Extras(percent=percent, shown=_unread_cells(xml))
            del xml
    return out


def _xlsx_percent_styles(zf: zipfile.ZipFile) -> list[str]:
    """The cell styles (their index in cellXfs) with a percent number format."""
    styles = parse_xml(zf.read("xl/styles.xml"))
    ns = styles.tag.partition("}")[0] + "}" if styles.tag.startswith("{") else ""
    percent_fmts = set(_PERCENT_BUILTIN)
    for fmt in styles.iter(f"{ns}numFmt"):
        if is_percent_format(fmt.get("formatCode", "")):
            percent_fmts.add(fmt.get("numFmtId", ""))
    xfs = styles.find(f"{ns}cellXfs")
    xf_list = xfs if xfs is not None else []
    return [str(i) for i, xf in enumerate(xf_list) if xf.get("numFmtId") in percent_fmts]


# A cell holding an error value (#N/A from a VLOOKUP that found nothing, #DIV/0!), and a formula
# saved without its result (files written by programs, not by Excel or WPS, which always save it):
# calamine reads both as empty, so an optional cell would silently lose what the sheet shows.
_ERROR_CELL = re.compile(
    rb'<c\b(?=[^>]*\bt="e")[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>'
    rb"(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v>"
)
_BARE_FORMULA = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>\s*'
    rb"(?:<f\b[^>]*/>|<f\b[^>]*>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


def _unread_cells(xml: bytes) -> dict[Cell, str]:
    """Error cells as Excel shows them ('#N/A') and formulas without a result as written ('=F2*2'):
    validation refuses both where the ledger reads them. Two searches for the common sheet."""
    out: dict[Cell, str] = {}
    if b't="e"' in xml:
        for m in _ERROR_CELL.finditer(xml):
            out[(int(m.group(2)) - 1, _column_index(m.group(1).decode()))] = _xml_text(m.group(3))
    if b"<f" in xml:
        for m in _BARE_FORMULA.finditer(xml):
            formula = _xml_text(m.group(3) or b"").strip()
            out[(int(m.group(2)) - 1, _column_index(m.group(1).decode()))] = "=" + (formula or "…")
    return out


def _xml_text(raw: bytes) -> str:
    from xml.sax.saxutils import unescape

    return unescape(raw.decode("utf-8", errors="replace"), {"&quot;": '"', "&apos;": "'"})


def _styled_cells(xml: bytes, ids: list[str]) -> set[Cell]:
    alt = "|".join(ids).encode()
    cells: set[Cell] = set()
    pattern = rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*?\bs="(?:' + alt + rb')"'
    reverse = rb'<c\b[^>]*?\bs="(?:' + alt + rb')"[^>]*?\br="([A-Z]+)([0-9]+)"'
    for pat in (pattern, reverse):
        for m in re.finditer(pat, xml):
            cells.add((int(m.group(2)) - 1, _column_index(m.group(1).decode())))
    return cells


def parse_xml(xml: bytes) -> ElementTree.Element:
    """Parse a small workbook part; entity declarations (expansion bombs) are refused."""
    _refuse_entities(xml)
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise UnreadableFile(*i18n.both("read.xml_corrupt")) from exc


def _refuse_entities(xml: bytes) -> None:
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise UnreadableFile(*i18n.both("read.xml_entities"))


def _xlsx_sheet_paths(zf: zipfile.ZipFile, parts: set[str]) -> dict[str, str]:
    """Sheet name -> its part in the archive (xl/worksheets/sheet2.xml)."""
    if "xl/_rels/workbook.xml.rels" not in parts:
        return {}
    book = parse_xml(zf.read("xl/workbook.xml"))
    rels = {rel.get("Id"): rel.get("Target", "") for rel in parse_xml(zf.read("xl/_rels/workbook.xml.rels"))}
    out = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            target = rels.get(el.get(f"{_REL_NS}id"), "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if path in parts:
                out[el.get("name", "")] = path
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


# ---------------------------------------------------------------------------
# XLS (BIFF8): xlrd's XF table says which cells are percent-formatted


# BIFF8 records of an error cell: BOOLERR (0x0205, 8 bytes, its error flag set) and a FORMULA
# (0x0006) whose result is an error (02 00 code 00 00 00 FF FF); codes #NULL! … #N/A. Looked for in
# the file's bytes so that a sheet without them is not parsed a second time.
_XLS_CODES = rb"[\x00\x07\x0f\x17\x1d\x24\x2a]"
_XLS_ERROR = re.compile(
    rb"\x05\x02\x08\x00.{6}"
    + _XLS_CODES
    + rb"\x01|\x06\x00..{6}\x02\x00"
    + _XLS_CODES
    + rb"\x00\x00\x00\xff\xff",
    re.DOTALL,
)


def _xls_extras(data: bytes, names: list[str]) -> dict[str, _Extras]:
    """Per sheet name, the percent-formatted cells (xlrd's XF table) and the error cells (#N/A,
    #DIV/0!: calamine reads them as empty), found by each row's cell types, in C."""
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO()
        )
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError) as exc:
        # Without the formats a 95% cell would silently read as 0.95: refuse instead.
        raise _cannot_open("xls", str(exc)) from exc
    percent_fmts = {key for key, fmt in book.format_map.items() if is_percent_format(fmt.format_str or "")}
    xfs = {i for i, xf in enumerate(book.xf_list) if xf.format_key in percent_fmts and not xf.is_style}
    errors = _XLS_ERROR.search(data) is not None
    if not xfs and not errors:
        return {}  # loading the sheets again (xlrd) would double the read of a big .xls
    out: dict[str, _Extras] = {}
    for name in names:
        sheet = book.sheet_by_name(name)
        extra = out[name] = _Extras()
        if xfs:
            for r, row_xfs in enumerate(sheet._cell_xf_indexes):
                if xfs.intersection(row_xfs):
                    extra.percent.update((r, c) for c, x in enumerate(row_xfs) if x in xfs)
        for r, types in enumerate(sheet._cell_types if errors else ()):
            if xlrd.XL_CELL_ERROR in types:
                for c, t in enumerate(types):
                    if t == xlrd.XL_CELL_ERROR:
                        code = sheet._cell_values[r][c]
                        extra.shown[(r, c)] = xlrd.error_text_from_code.get(code, "#VALUE!")
        book.unload_sheet(name)
    return out


# ---------------------------------------------------------------------------
# ODS: content.xml holds both the value types (percentage) and the spans

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_MAX_REPEAT = 10_000  # repeated rows/columns beyond this are the empty rest of the sheet
# LibreOffice marks a formula's error result so, its shown text (#DIV/0!) in the cell's paragraph and
# a stand-in value (0, "") where calamine reads it.
_CALCEXT_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"


def _ods_extras(data: bytes) -> dict[str, _Extras]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if "content.xml" not in zf.namelist():
            return {}
        xml = zf.read("content.xml")
    _refuse_entities(xml)
    out: dict[str, _Extras] = {}
    extra = _Extras()
    row = col = 0
    row_repeat = 1
    depth = 0  # nesting of tables (a table inside a cell is not the sheet's)
    try:
        for event, el in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = el.tag
            if tag == f"{_TABLE}table":
                depth += 1 if event == "start" else -1
                if event == "start" and depth == 1:
                    extra = out.setdefault(el.get(f"{_TABLE}name", ""), _Extras())
                    row = 0
                continue
            if depth != 1:
                continue
            if tag == f"{_TABLE}table-row":
                if event == "start":
                    col = 0
                    row_repeat = min(int(el.get(f"{_TABLE}number-rows-repeated", "1")), _MAX_REPEAT)
                else:
                    row += row_repeat
                    el.clear()
            elif tag == f"{_TABLE}table-cell" and event == "end" and el.get(_CALCEXT_TYPE) == "error":
                repeat = min(int(el.get(f"{_TABLE}number-columns-repeated", "1")), _MAX_REPEAT)
                shown = "".join(el.itertext()).strip() or "#VALUE!"
                for r in range(row, row + row_repeat):
                    extra.shown.update(((r, c), shown) for c in range(col - repeat, col))
            elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell") and event == "start":
                repeat = min(int(el.get(f"{_TABLE}number-columns-repeated", "1")), _MAX_REPEAT)
                if el.get(f"{_OFFICE}value-type") == "percentage":
                    for r in range(row, row + row_repeat):
                        extra.percent.update((r, c) for c in range(col, col + repeat))
                spans = (
                    int(el.get(f"{_TABLE}number-rows-spanned", "1")),
                    int(el.get(f"{_TABLE}number-columns-spanned", "1")),
                )
                if spans != (1, 1):
                    extra.merged.append(((row, col), (row + spans[0] - 1, col + spans[1] - 1)))
                col += repeat
    except (ElementTree.ParseError, ValueError):
        return out
    return out
