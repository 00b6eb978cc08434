"""Read an uploaded CSV or XLSX into a table of normalised strings.

Staff save ledgers from Excel or WPS, so the encoding, separator and format
are detected, never asked: UTF-8 (with or without BOM), GB18030/GBK, UTF-16
("Unicode text", tab separated), comma or tab, and XLSX (first sheet).

The frame's index is the spreadsheet line (header = 1), kept right across
quoted multi-line cells, blank lines and ragged rows, because every problem
we report must point at the line staff see in their spreadsheet.

Speed: CSV parsing is pyarrow's (every cell a string). Line numbers need no
work for a file without quotes or blank lines; otherwise one vectorised scan
of the bytes finds the records (quote parity at each newline), and Python's
csv module is the last resort. NFKC runs only on the distinct cells that
could change under it; columns are normalised on all cores.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import python_calamine

from dashboard.ingest.problems import Problem, Problems

XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip bomb expands beyond this
XLSX_MAX_RATIO = 100  # ... or compresses suspiciously well
XLSX_RATIO_MIN_BYTES = 1024 * 1024  # tiny parts may compress well legitimately

_SAMPLE = 64 * 1024
_WORKERS = min(4, os.cpu_count() or 1)


class UnreadableFile(Exception):
    """Not a CSV/XLSX we can read at all (empty, no header, binary, bomb).

    Carries a Chinese message that says what to do and an English one.
    """

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(f"{message} / {message_en}")
        self.message = message
        self.message_en = message_en


@dataclass
class RawTable:
    """An upload as normalised strings; index = spreadsheet line (header = 1)."""

    frame: pd.DataFrame
    headers: list[str]
    encoding: str
    delimiter: str | None
    problems: Problems = field(default_factory=Problems)
    kind: str = "csv"  # csv | xlsx | xls | ods: what the bytes are
    sheets: list[str] = field(default_factory=list)  # the sheets read, in order (workbooks)
    header_lines: dict[str, int] = field(default_factory=dict)  # sheet ("" for CSV) -> its header line


def read_table(data: bytes, filename: str = "") -> RawTable:
    """Detect the format and encoding of ``data`` and read it.

    Raises UnreadableFile when it is not a table at all.
    """
    if not data or (len(data) < _SAMPLE and not data.strip()):
        raise UnreadableFile("文件是空的，请选择填好数据的 CSV 或 XLSX 文件。", "The file is empty.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(
            "这是旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再上传。",
            "This is an old Excel .xls file; save it as .xlsx or CSV and upload again.",
        )
    buf, encoding = _to_utf8(data)
    return _read_csv(buf, encoding)


# ---------------------------------------------------------------------------
# Encodings


def _unreadable_text() -> UnreadableFile:
    return UnreadableFile(
        "无法识别文件内容：请上传 CSV（UTF-8 或 GBK 编码）或 XLSX 表格文件。",
        "Cannot read this file: upload a CSV (UTF-8 or GBK) or an XLSX spreadsheet.",
    )


def _to_utf8(data: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without BOM, and the encoding it was in."""
    if data[:3] == codecs.BOM_UTF8:
        buf, enc = data[3:], "utf-8-sig"
        _check_utf8_sample(buf)
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        buf, enc = _decode(data, "utf-16").encode("utf-8"), "utf-16"
    elif b"\x00" in data[:_SAMPLE]:
        buf, enc = _decode(data, _utf16_without_bom(data[:_SAMPLE])).encode("utf-8"), "utf-16"
    elif _valid_utf8_prefix(data[:_SAMPLE]):
        buf, enc = data, "utf-8"  # pyarrow validates the rest; see _read_csv
    else:
        buf, enc = _decode(data, "gb18030").encode("utf-8"), "gb18030"
    _refuse_binary(buf[:_SAMPLE].decode("utf-8", errors="ignore"))
    return buf, enc


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _unreadable_text() from None


def _valid_utf8_prefix(sample: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _check_utf8_sample(buf: bytes) -> None:
    if not _valid_utf8_prefix(buf[:_SAMPLE]):
        raise _unreadable_text()


def _utf16_without_bom(sample: bytes) -> str:
    """UTF-16 text without BOM has its NULs at one parity (ASCII high bytes)."""
    arr = np.frombuffer(sample[: len(sample) // 2 * 2], dtype=np.uint8)
    even, odd = int((arr[0::2] == 0).sum()), int((arr[1::2] == 0).sum())
    # ASCII puts NULs at one parity; the odd CJK character ending in 00 (一) may add a few.
    if odd > 4 * even:
        return "utf-16-le"
    if even > 4 * odd:
        return "utf-16-be"
    raise _unreadable_text()


def _refuse_binary(sample: str) -> None:
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\f\v")
    if "\x00" in sample or controls > max(2, len(sample) // 100):
        raise _unreadable_text()


# ---------------------------------------------------------------------------
# CSV


class _NotUtf8(Exception):
    """pyarrow met invalid UTF-8 beyond the sample: the file is GB18030."""


def _read_csv(buf: bytes, encoding: str) -> RawTable:
    """Fast paths first; Python's csv module when they cannot map the lines."""
    if b"\n" not in buf and b"\r" in buf:  # classic Mac line endings
        buf = buf.replace(b"\r", b"\n")
    try:
        if b'"' not in buf:
            attempts: list[np.ndarray | None] = [None]
        else:
            quotes = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 34)
            attempts = [quotes, _structural_quotes(buf, quotes, _sniff(_first_line(buf)))]
        for quotes in attempts:
            raw = _read_csv_fast(buf, encoding, quotes)
            if raw is not None:
                return raw
    except _NotUtf8:
        return _read_csv(_decode(buf, "gb18030").encode("utf-8"), "gb18030")
    return _read_csv_slowly(buf, encoding)


def _first_line(buf: bytes) -> str:
    for line in buf[:_SAMPLE].split(b"\n"):
        if line.strip():
            return line.decode("utf-8", errors="replace")
    return ""


def _structural_quotes(buf: bytes, quotes: np.ndarray, delimiter: str) -> np.ndarray | None:
    """Opening/closing quote positions as a CSV parser sees them, in pairs.

    A quote opens a quoted cell only at the start of a cell; inside one, ""
    is an escaped quote. Anything else (屏幕 15" 宽) is text. Run only when
    plain quote parity failed, so the Python loop meets few quotes.
    """
    starts_cell = {ord(delimiter), 10, 13}
    kept: list[int] = []
    inside = False
    positions = quotes.tolist()
    i, size = 0, len(buf)
    while i < len(positions):
        q = positions[i]
        if not inside:
            if q == 0 or buf[q - 1] in starts_cell:
                kept.append(q)
                inside = True
            i += 1
        elif q + 1 < size and buf[q + 1] == 34:
            i += 2  # "" inside a quoted cell
        else:
            kept.append(q)
            inside = False
            i += 1
    return None if inside else np.array(kept, dtype=np.int64)


def _read_csv_fast(buf: bytes, encoding: str, quotes: np.ndarray | None) -> RawTable | None:
    """pyarrow parses; line numbers come from ``quotes`` (None: the file has none).

    Returns None when the records found here and pyarrow's rows disagree.
    """
    # Without quotes every line is a record; when pyarrow also finds no blank
    # or ragged line, the line numbers need no scan at all (the common case).
    plain = quotes is None and buf[:1] not in b"\r\n"
    scan = None if plain else _scan(buf, np.zeros(0, dtype=np.int64) if quotes is None else quotes)
    if scan is None and not plain:
        return None
    if scan is None:
        header_end = buf.find(b"\n") if b"\n" in buf else len(buf)
    else:
        header_end = int(scan.ends[scan.header])
    header_start = 0 if scan is None else int(scan.starts[scan.header])
    header_text = buf[header_start:header_end].decode("utf-8", errors="replace").rstrip("\r")
    delimiter = _sniff(header_text)
    header_cells = next(csv.reader([header_text], delimiter=delimiter))
    ncols = len(header_cells)
    body_start = header_end + 1
    names = [f"c{i}" for i in range(ncols)]
    invalid: list[str] = []

    def on_invalid(row: pv.InvalidRow) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        table = pv.read_csv(
            pa.BufferReader(pa.py_buffer(buf)[body_start:] if body_start < len(buf) else b""),
            read_options=pv.ReadOptions(column_names=names),
            parse_options=pv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=scan is not None and scan.quoted_newlines,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        if encoding == "utf-8" and "utf8" in str(exc).lower():
            raise _NotUtf8 from exc
        return None
    line_count = buf.count(b"\n") + (0 if buf.endswith(b"\n") else 1)
    if plain and not invalid and table.num_rows == line_count - 1:
        lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
        return _build(header_cells, table.columns, lines, encoding, delimiter, Problems())
    if scan is None:
        scan = _scan(buf, np.zeros(0, dtype=np.int64))
        assert scan is not None  # no quotes, so never unbalanced
    data_recs = scan.data_records()
    if invalid:  # only then is it worth counting every record's cells
        fits = scan.separators(delimiter)[data_recs] == (ncols - 1) % 256
        ragged, good = data_recs[~fits], data_recs[fits]
    else:
        ragged, good = data_recs[:0], data_recs
    if table.num_rows != len(good) or len(invalid) != len(ragged):
        return None

    columns = [table.column(i) for i in range(ncols)]
    lines = scan.lines[good]
    problems = Problems()
    if len(ragged):
        extra_rows = []
        for rec in ragged:
            text = buf[scan.starts[rec] : scan.ends[rec]].decode("utf-8")
            cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
            line = int(scan.lines[rec])
            extra_rows.append(_fit_row(cells, ncols, line, problems))
        columns = [
            pa.chunked_array([*col.chunks, pa.array([r[i] for r in extra_rows], col.type)])
            for i, col in enumerate(columns)
        ]
        lines = np.concatenate([lines, scan.lines[ragged]])
    return _build(header_cells, columns, lines, encoding, delimiter, problems)


@dataclass
class _Scan:
    """Record boundaries found from newlines outside quotes."""

    arr: np.ndarray
    quotes: np.ndarray  # positions of '"'
    terminators: np.ndarray  # positions of record-ending newlines
    starts: np.ndarray  # record start offsets
    ends: np.ndarray  # record end offsets (exclusive, at the newline)
    lines: np.ndarray  # spreadsheet line of each record's start
    empty: np.ndarray  # record has no content at all
    header: int
    quoted_newlines: bool

    def data_records(self) -> np.ndarray:
        idx = np.arange(len(self.starts))
        return idx[(idx > self.header) & ~self.empty]

    def separators(self, delimiter: str) -> np.ndarray:
        """Separators outside quotes per record, modulo 256.

        Counting in uint8 is ten times faster than in wider integers; a record
        with 256 more separators than expected would be misjudged, but then
        pyarrow's own count disagrees and the careful path takes over.
        """
        is_sep = (self.arr == ord(delimiter)).view(np.uint8)
        counts = np.add.reduceat(is_sep, self.starts).astype(np.int64)
        if len(self.quotes):  # separators between an opening and closing quote are text
            inside = np.add.reduceat(is_sep, self.quotes)[0::2]
            rec = np.searchsorted(self.terminators, self.quotes[0::2])
            counts -= np.bincount(rec, weights=inside, minlength=len(self.starts)).astype(np.int64)
        return counts % 256


def _scan(buf: bytes, quotes: np.ndarray) -> _Scan | None:
    """Find records and their start lines; None when quotes are unbalanced.

    ``quotes`` are the positions of the quotes that open and close cells.
    """
    arr = np.frombuffer(buf, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    if len(quotes) % 2:
        return None
    if len(quotes):
        outside = np.searchsorted(quotes, newlines) % 2 == 0
        terminators = newlines[outside]
        quoted_newlines = not bool(outside.all())
    else:
        terminators, quoted_newlines = newlines, False
    starts = np.concatenate([[0], terminators + 1])
    ends = np.concatenate([terminators, [len(buf)]])
    if starts[-1] >= len(buf):  # file ends with a newline: no last record
        starts, ends = starts[:-1], ends[:-1]
    length = ends - starts
    first = arr[np.minimum(starts, len(arr) - 1)]
    empty = (length == 0) | ((length == 1) & (first == 13))
    nonempty = np.flatnonzero(~empty)
    if not len(nonempty):
        raise _no_header()
    # Without quoted newlines every newline ends a record.
    lines = np.searchsorted(newlines, starts) + 1 if quoted_newlines else np.arange(1, len(starts) + 1)
    return _Scan(arr, quotes, terminators, starts, ends, lines, empty, int(nonempty[0]), quoted_newlines)


def _sniff(header: str) -> str:
    """Tab when the header line has more tabs than commas, else comma."""
    return "\t" if header.count("\t") > header.count(",") else ","


def _fit_row(cells: list[str], ncols: int, line: int, problems: Problems) -> list[str | None]:
    """Pad a short row with missing cells; report a long one's extra cells."""
    extra = [c for c in cells[ncols:] if c.strip()]
    if extra:
        problems.add(
            Problem(
                rule="row.too_many_cells",
                message=(
                    f"本行有 {len(cells)} 个单元格，比表头的 {ncols} 列多；"
                    "请检查是否多了逗号或分隔符，或把含逗号的内容用英文引号括起来。"
                ),
                message_en=(
                    f"This row has {len(cells)} cells but the header has {ncols} columns; "
                    "remove the extra separators or quote cells that contain commas."
                ),
                line=line,
                value=", ".join(extra)[:200],
            )
        )
    cells = cells[:ncols]
    return [*cells, *([None] * (ncols - len(cells)))]


def _read_csv_slowly(buf: bytes, encoding: str) -> RawTable:
    """Python's csv module, line by line: for files the fast scan cannot map."""
    text = _decode(buf, "utf-8")
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None:
        raise _no_header()
    delimiter = _sniff(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str | None]] = []
    lines: list[int] = []
    problems = Problems()
    prev = 0
    for cells in reader:
        start, prev = prev + 1, reader.line_num
        if not cells:
            continue
        if header is None:
            header = cells
            continue
        rows.append(_fit_row(cells, len(header), start, problems))
        lines.append(start)
    if header is None:
        raise _no_header()
    columns = [
        pa.chunked_array([pa.array([r[i] for r in rows], pa.large_string())]) for i in range(len(header))
    ]
    return _build(header, columns, np.array(lines, dtype=np.int64), encoding, delimiter, problems)


def _no_header() -> UnreadableFile:
    return UnreadableFile(
        "文件没有表头：第 1 行应是列名（如 房产编号、户主…），请使用模板填写后再上传。",
        "The file has no header: line 1 must hold the column names; fill in the template and upload again.",
    )


# ---------------------------------------------------------------------------
# XLSX


def _read_xlsx(data: bytes) -> RawTable:
    """First sheet, each cell rendered as staff see it in Excel."""
    _refuse_zip_bomb(data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except python_calamine.CalamineError as exc:
        raise UnreadableFile(
            "无法打开这个 Excel 文件，请确认它是 .xlsx 表格，或另存为 CSV 后再上传。",
            f"Cannot open this Excel file ({exc}); save it as .xlsx or CSV and try again.",
        ) from exc
    percent = _percent_cells(data)
    text_rows = [[_xlsx_cell(v, (r, c) in percent) for c, v in enumerate(row)] for r, row in enumerate(rows)]
    nonempty = [i for i, r in enumerate(text_rows) if any(c.strip() for c in r)]
    if not nonempty:
        raise _no_header()
    header_at = nonempty[0]
    header = text_rows[header_at]
    body = [(i + 1, r) for i, r in enumerate(text_rows) if i > header_at and any(c.strip() for c in r)]
    width = max([len(header), *(len(r) for _, r in body)])
    header = header + [""] * (width - len(header))
    columns = [
        pa.chunked_array([pa.array([r[i] if i < len(r) else None for _, r in body], pa.large_string())])
        for i in range(width)
    ]
    lines = np.array([ln for ln, _ in body], dtype=np.int64)
    raw = _build(header, columns, lines, "xlsx", None, Problems())
    raw.kind, raw.sheets = "xlsx", book.sheet_names[:1]
    raw.header_lines = {raw.sheets[0] if raw.sheets else "": header_at + 1}
    return raw


_PERCENT_BUILTIN = {"9", "10"}  # Excel's built-in 0% and 0.00%
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _percent_cells(data: bytes) -> set[tuple[int, int]]:
    """(row, column), 0-based, of the first sheet's cells formatted as percent.

    Excel stores 85% as 0.85 and calamine does not expose formats, so the
    styles are read here; without this, 85% would arrive as 0.85.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        if "xl/styles.xml" not in names or "xl/workbook.xml" not in names:
            return set()
        styles = _parse_xml(zf.read("xl/styles.xml"))
        ns = styles.tag.partition("}")[0] + "}" if styles.tag.startswith("{") else ""
        percent_fmts = set(_PERCENT_BUILTIN)
        for fmt in styles.iter(f"{ns}numFmt"):
            if "%" in fmt.get("formatCode", ""):
                percent_fmts.add(fmt.get("numFmtId", ""))
        xfs = styles.find(f"{ns}cellXfs")
        ids = [
            str(i)
            for i, xf in enumerate(xfs if xfs is not None else [])
            if xf.get("numFmtId") in percent_fmts
        ]
        if not ids:
            return set()
        sheet = _first_sheet_path(zf, names)
        if sheet is None:
            return set()
        xml = zf.read(sheet)
    alt = "|".join(ids)
    cells: set[tuple[int, int]] = set()
    pattern = rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*?\bs="(?:' + alt.encode() + rb')"'
    reverse = rb'<c\b[^>]*?\bs="(?:' + alt.encode() + rb')"[^>]*?\br="([A-Z]+)([0-9]+)"'
    for pat in (pattern, reverse):
        for m in re.finditer(pat, xml):
            cells.add((int(m.group(2)) - 1, _column_index(m.group(1).decode())))
    return cells


def _parse_xml(xml: bytes) -> ElementTree.Element:
    """Parse a small workbook part; entity declarations (expansion bombs) are refused."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise UnreadableFile(
            "这个 Excel 文件的结构异常，已拒绝。请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再上传。",
            "This Excel file has an unusual structure and was refused; save it as .xlsx or CSV again.",
        )
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise UnreadableFile(
            "这个 Excel 文件已损坏，无法读取。请在 Excel/WPS 中重新保存后上传。",
            "This Excel file is corrupt; save it again in Excel/WPS and upload.",
        ) from exc


def _first_sheet_path(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    book = _parse_xml(zf.read("xl/workbook.xml"))
    first = next(iter(el for el in book.iter() if el.tag.endswith("}sheet") or el.tag == "sheet"), None)
    if first is None or "xl/_rels/workbook.xml.rels" not in names:
        return None
    rid = first.get(f"{_REL_NS}id")
    rels = _parse_xml(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            return path if path in names else None
    return None


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _refuse_zip_bomb(data: bytes) -> None:
    """Check the declared sizes before anything expands the archive."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(
            "文件已损坏，无法作为 Excel 打开，请重新保存后上传。",
            "The file is corrupt and cannot be opened as Excel; save it again and upload.",
        ) from exc
    total = sum(i.file_size for i in infos)
    bomb = total > XLSX_MAX_UNCOMPRESSED or any(
        i.file_size > XLSX_RATIO_MIN_BYTES and i.file_size > XLSX_MAX_RATIO * max(i.compress_size, 1)
        for i in infos
    )
    if bomb:
        raise UnreadableFile(
            f"这个 Excel 文件解压后过大（约 {total // (1024 * 1024)} MB）或压缩比异常，疑似压缩炸弹，已拒绝。"
            "请删除多余的工作表和空行，或另存为 CSV 后上传。",
            f"This Excel file would expand to about {total // (1024 * 1024)} MB or is compressed "
            "suspiciously well (possible zip bomb), so it was refused; save it as CSV instead.",
        )


def _xlsx_cell(value: object, percent: bool = False) -> str:
    """A cell as staff see it: dates as YYYY-MM-DD, 12.0 as 12, booleans 是/否, 85%."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and percent:
        return _xlsx_cell(round(value * 100, 9)) + "%"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------
# Normalisation


def normalise_text(value: str) -> str:
    """NFKC then trim: '　９１ ' -> '91'."""
    return unicodedata.normalize("NFKC", value).strip()


def normalise(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Trim and NFKC-normalise every cell; '' becomes null.

    Vectorised: only cells with characters outside ASCII and the CJK
    ideographs can change under NFKC (or hold Unicode spaces), and each
    distinct one of those is normalised once, in Python.
    """
    flat = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if flat.type not in (pa.string(), pa.large_string()):
        flat = flat.cast(pa.large_string())
    flat = pc.ascii_trim_whitespace(flat)  # UTF-8 never hides ASCII bytes inside a character
    odd = _may_change_under_nfkc(flat)
    if odd is not None:
        mask = pa.array(odd)
        enc = pc.dictionary_encode(flat.filter(mask))
        fixed = [normalise_text(v) for v in enc.dictionary.to_pylist()]
        flat = pc.replace_with_mask(flat, mask, pc.take(pa.array(fixed, flat.type), enc.indices))
    return pa.chunked_array([_blank_to_null(flat)], flat.type)


def _may_change_under_nfkc(flat: pa.Array) -> np.ndarray | None:
    """Row mask of cells with a UTF-8 lead byte other than ASCII or U+4000-U+9FFF.

    Lead bytes E4-E9 start U+4000-U+9FFF (CJK ideographs, NFKC-stable); every
    other non-ASCII lead byte may start a full-width form, a compatibility
    character or a Unicode space. One byte pass instead of a regex per cell.
    """
    offsets_buf, data_buf = flat.buffers()[1], flat.buffers()[2]
    if data_buf is None or len(flat) == 0:
        return None
    width = np.int64 if flat.type == pa.large_string() else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[flat.offset : flat.offset + len(flat) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    odd = np.flatnonzero(((data >= 0xC2) & (data <= 0xE3)) | (data >= 0xEA))
    if not len(odd):
        return None
    rows = np.searchsorted(offsets, odd + offsets[0], side="right") - 1
    mask = np.zeros(len(flat), dtype=bool)
    mask[rows] = True
    return mask


def _blank_to_null(flat: pa.Array) -> pa.Array:
    """'' -> null by replacing only the validity bitmap (no copy of the text)."""
    keep = pc.fill_null(pc.not_equal(flat, ""), False)
    if pc.all(keep).as_py() is not False:
        return flat
    if keep.offset or flat.offset:  # bitmaps would not line up: build a new array
        return pc.if_else(keep, flat, pa.scalar(None, flat.type))
    return pa.Array.from_buffers(flat.type, len(flat), [keep.buffers()[1], *flat.buffers()[1:]])


def _build(
    header_cells: list[str],
    columns: list[pa.ChunkedArray],
    lines: np.ndarray,
    encoding: str,
    delimiter: str | None,
    problems: Problems,
) -> RawTable:
    """Normalise, drop nameless empty columns, order rows by line."""
    headers = [normalise_text(h) for h in header_cells]
    if not any(headers):
        raise _no_header()
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:  # pyarrow releases the GIL
        normalised = list(pool.map(normalise, columns))
    data: dict[int, pa.ChunkedArray] = {}
    kept: list[str] = []
    for i, (h, arr) in enumerate(zip(headers, normalised, strict=True)):
        if not h and arr.null_count == len(arr):
            continue  # a trailing separator or an unused spreadsheet column
        data[i] = arr
        kept.append(h)
    if len(lines) > 1 and not bool((lines[1:] > lines[:-1]).all()):  # ragged rows were appended
        order = np.argsort(lines, kind="stable")
        lines = lines[order]
        data = {i: arr.take(pa.array(order)) for i, arr in data.items()}
    index = pd.Index(lines, dtype="int64", name="line")
    frame = pd.DataFrame(
        {i: pd.arrays.ArrowStringArray(arr) for i, arr in data.items()}, index=index, copy=False
    )
    frame.columns = pd.Index(kept, dtype=object)
    return RawTable(frame=frame, headers=kept, encoding=encoding, delimiter=delimiter, problems=problems)
