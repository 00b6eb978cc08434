"""Read an uploaded CSV, XLSX, XLS or ODS into a table of normalised strings.

Staff save ledgers from Excel, WPS or LibreOffice, so the kind, encoding and
separator are detected from the bytes, never from the name or a question:
UTF-8 (with or without BOM), GB18030/GBK, UTF-16 ("Unicode text", tab
separated), comma or tab; .xlsx, .xls, .ods (workbooks: see workbooks.py).
The ledger is the sheet(s) whose header matches the contract, the header the
first row that does (title rows above are skipped), and rows that are not data
(empty, 合计, a 填表人 footer) are skipped with a warning each.

The frame's index is the spreadsheet line (the row number staff see), kept
right across title rows, quoted multi-line cells, blank lines and ragged
rows, because every problem we report must point at that line.

Speed: CSV parsing is pyarrow's (every cell a string). Line numbers need no
work for a file without quotes or blank lines; otherwise one vectorised scan
of the bytes finds the records (quote parity at each newline), and Python's
csv module is the last resort. NFKC runs only on the distinct cells that
could change under it; columns are normalised on all cores.
"""

from __future__ import annotations

import codecs
import csv
import ctypes
import io
import os
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from dashboard import i18n
from dashboard.contract import DATASETS, normalise_text
from dashboard.ingest.headers import (
    HEADER_SEARCH_ROWS,
    find_header,
    header_columns,
    header_key,
    is_header_row,
    two_row_header,
)
from dashboard.ingest.problems import Problem, Problems, UnreadableFile
from dashboard.ingest.workbooks import (
    SAVE_AS,
    SAVE_AS_EN,
    XLSX_MAX_RATIO,
    XLSX_MAX_UNCOMPRESSED,
    XLSX_RATIO_MIN_BYTES,
    Sheet,
    password_protected,
    read_workbook,
    refuse_zip_bomb,
)

__all__ = [
    "XLSX_MAX_RATIO",
    "XLSX_MAX_UNCOMPRESSED",
    "XLSX_RATIO_MIN_BYTES",
    "RawTable",
    "UnreadableFile",
    "normalise",
    "normalise_text",
    "read_table",
]

_SAMPLE = 64 * 1024
_WORKERS = min(4, os.cpu_count() or 1)


def _arrow_returns_freed_memory() -> None:
    """Arrow allocates from jemalloc, giving freed pages back at once.

    An import's columns are read, normalised, parsed and let go one after another; Arrow's
    default allocator (mimalloc) kept the freed pages, which the numpy and Python memory that
    comes next cannot reuse: a 1M-row import's peak was 60 MB higher with it (issue 11).
    Where this pyarrow has no jemalloc (Windows builds), the default stays.
    """
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowNotImplementedError):
        pass


def _malloc_returns_freed_memory() -> None:
    """glibc's malloc gives arrays of 1 MB and more back to the system when they are freed.

    By default glibc raises its mmap threshold each time such a block is freed (up to 32 MB), so
    the next columns, masks and keys of an import (numpy and pandas, 8 MB each for a million rows)
    come from the heap and stay resident after they are let go: the frame alone was 113 MB of a
    1M-row import but the process stayed 70 MB above it through the write. A fixed threshold
    stops that. Other C libraries (musl, macOS, Windows) are left as they are.
    """
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (ValueError, OSError, AttributeError):  # no such name here: not glibc
        pass


_M_MMAP_THRESHOLD = -3  # malloc.h
_arrow_returns_freed_memory()
_malloc_returns_freed_memory()
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawTable:
    """An upload as normalised strings; index = spreadsheet line (the row staff see).

    ``sheets`` are the worksheets read, in order ([] for CSV); ``header_lines``
    maps each ("" for CSV) to the line of its header; ``sheet_of_row`` names
    the sheet of each frame row (None for CSV), and ``workbook_sheets`` every
    worksheet of the workbook: when there are several, locations name the sheet.
    """

    frame: pd.DataFrame
    headers: list[str]
    encoding: str
    delimiter: str | None
    problems: Problems = field(default_factory=Problems)
    kind: str = "csv"
    sheets: list[str] = field(default_factory=list)
    header_lines: dict[str, int] = field(default_factory=dict)
    sheet_of_row: np.ndarray | None = None
    workbook_sheets: list[str] = field(default_factory=list)

    @property
    def names_sheets(self) -> bool:
        """Locations say which sheet: the workbook has more than one."""
        return len(self.workbook_sheets) > 1

    @property
    def header_line(self) -> int:
        """The header's line (of the first sheet read)."""
        return self.header_lines.get(self.sheets[0] if self.sheets else "", 1)

    @property
    def header_sheet(self) -> str | None:
        """The sheet to name for a header problem (None when no sheet needs naming)."""
        return self.sheets[0] if self.sheets and self.names_sheets else None


def read_table(data: bytes, filename: str = "", dataset: str | None = None) -> RawTable:
    """Detect the kind and encoding of ``data`` and read it, whatever its name says.

    ``dataset``: the ledger the file is uploaded as, when known: a workbook's sheets are chosen by
    its header (a workbook can hold two ledgers, a 汇总 naming a few columns of one).
    Raises UnreadableFile when it is not a table we can read at all.
    """
    if not data or (len(data) < _SAMPLE and _blank(data)):
        raise UnreadableFile(*i18n.both("read.empty"))
    ext = os.path.splitext(filename)[1].lower()
    if data[:4] == b"PK\x03\x04":
        kind = _zip_kind(data)
        return _read_sheets(read_workbook(data, kind), kind, dataset)
    if data[:8] == _OLE2:
        _check_ole(data, ext)
        try:
            sheets = read_workbook(data, "xls")
        except UnreadableFile as exc:
            if ext == ".et" and exc.message != password_protected().message:
                raise _wps_et() from exc
            raise
        return _read_sheets(sheets, "xls", dataset)
    try:
        buf, encoding = _to_utf8(data)
    except UnreadableFile:
        if ext == ".et":
            raise _wps_et() from None
        raise
    return _read_csv_file(buf, encoding)


def _blank(data: bytes) -> bool:
    """Nothing but a byte order mark and white space (an empty sheet saved as CSV or Unicode text)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return not data[len(bom) :].decode(encoding, errors="replace").strip()
    return not data.strip()


# ---------------------------------------------------------------------------
# What the bytes are


def _zip_kind(data: bytes) -> str:
    """xlsx or ods by the archive's parts; any other zip says what it is instead."""
    refuse_zip_bomb(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableFile(*i18n.both("read.corrupt")) from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and (b"spreadsheet" in mimetype or not mimetype):
        return "ods"
    if "xl/workbook.bin" in names:
        what = i18n.both("read.kind.xlsb")
    elif "word/document.xml" in names or b"text" in mimetype:
        what = i18n.both("read.kind.text")
    elif "ppt/presentation.xml" in names or b"presentation" in mimetype:
        what = i18n.both("read.kind.presentation")
    else:
        what = i18n.both("read.kind.zip")
    raise UnreadableFile(*i18n.both("read.not_a_table", what=what, save_as=(SAVE_AS, SAVE_AS_EN)))


def _check_ole(data: bytes, ext: str) -> None:
    """An OLE2 compound file is an .xls only with a Workbook stream; say what else it is."""
    from xlrd import compdoc

    try:
        streams = {d.name for d in compdoc.CompDoc(data, logfile=io.StringIO()).dirlist}
    except (compdoc.CompDocError, IndexError, ValueError, OverflowError) as exc:
        raise UnreadableFile(*i18n.both("read.office_damaged", save_as=(SAVE_AS, SAVE_AS_EN))) from exc
    if streams & {"EncryptedPackage", "EncryptionInfo"}:
        raise password_protected()
    if streams & {"Workbook", "Book"}:
        return
    if ext == ".et":
        raise _wps_et()
    if "WordDocument" in streams:
        what = i18n.both("read.kind.doc")
    elif "PowerPoint Document" in streams:
        what = i18n.both("read.kind.ppt")
    else:
        what = i18n.both("read.kind.ole")
    raise UnreadableFile(*i18n.both("read.not_a_table", what=what, save_as=(SAVE_AS, SAVE_AS_EN)))


def _wps_et() -> UnreadableFile:
    return UnreadableFile(*i18n.both("read.wps_et"))


# ---------------------------------------------------------------------------
# Encodings


def _unreadable_text() -> UnreadableFile:
    return UnreadableFile(*i18n.both("read.not_text"))


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


def _read_csv_file(buf: bytes, encoding: str) -> RawTable:
    """A CSV from its header on: title rows above the contract's header are skipped.

    The part from the header down is parsed as a file of its own, then every
    line number is moved back down by the lines cut, so they stay the file's.
    """
    offset, cut = _csv_header_offset(buf)
    joined = _csv_two_row_header(buf, offset)
    if joined is not None:  # one header line in place of the two, the rows' lines kept
        buf, offset, cut = joined, 0, cut + 1
    raw = _read_csv(buf[offset:] if offset else buf, encoding)
    blank_above = _leading_blank_lines(buf[offset : offset + _SAMPLE])
    raw.header_lines = {"": cut + blank_above + 1}
    if cut:
        raw.frame.index = pd.Index(raw.frame.index.to_numpy() + cut, dtype="int64", name="line")
        raw.problems.items = [
            p if p.line is None else replace(p, line=p.line + cut) for p in raw.problems.items
        ]
    return raw


def _csv_header_offset(buf: bytes) -> tuple[int, int]:
    """(byte offset, lines before it) of the first line that is a contract header; (0, 0) if none is."""
    pos = 0
    for k, line in enumerate(buf[:_SAMPLE].split(b"\n")[:HEADER_SEARCH_ROWS]):
        text = line.decode("utf-8", errors="replace").rstrip("\r")
        if text.strip():
            cells = next(csv.reader([text], delimiter=_sniff(text)), [])
            if is_header_row(cells):
                return pos, k
        pos += len(line) + 1
    return 0, 0


def _csv_two_row_header(buf: bytes, offset: int) -> bytes | None:
    """The CSV from its header on, the header's two rows written as one, when the line under the
    header is a header too (:func:`two_row_header`: a form's merged 时间节点 over its dates, saved
    as CSV); None otherwise."""
    first_end = buf.find(b"\n", offset)
    if first_end < 0:
        return None
    second_end = buf.find(b"\n", first_end + 1)
    second_end = len(buf) if second_end < 0 else second_end
    texts = [buf[offset:first_end], buf[first_end + 1 : second_end]]
    lines = [t.decode("utf-8", errors="replace").rstrip("\r") for t in texts]
    delimiter = _sniff(lines[0])
    rows = [next(csv.reader([line], delimiter=delimiter), []) for line in lines]
    cells, last = two_row_header(rows, 0)
    if last == 0:
        return None
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(cells)
    return out.getvalue().encode() + buf[min(second_end + 1, len(buf)) :]


def _leading_blank_lines(buf: bytes) -> int:
    n = 0
    for line in buf.split(b"\n"):
        if line.strip():
            break
        n += 1
    return n


class _NotUtf8(Exception):
    """pyarrow met invalid UTF-8 beyond the sample: the file is GB18030."""


def _read_csv(buf: bytes, encoding: str) -> RawTable:
    """Fast paths first; Python's csv module when they cannot map the lines."""
    if b"\n" not in buf and b"\r" in buf:  # classic Mac line endings
        buf = buf.replace(b"\r", b"\n")
    try:
        for quotes in _quote_attempts(buf):
            raw = _read_csv_fast(buf, encoding, quotes)
            if raw is not None:
                return raw
    except _NotUtf8:
        return _read_csv(_decode(buf, "gb18030").encode("utf-8"), "gb18030")
    return _read_csv_slowly(buf, encoding)


def _quote_attempts(buf: bytes) -> Iterator[np.ndarray | None]:
    """Quote positions to try, cheapest first; the Python walk only if plain parity failed.

    (Both used to be computed up front: a 1M-row CSV with every cell quoted, as
    pyarrow and some exports write it, spent most of its import in the walk.)
    """
    if b'"' not in buf or _quotes_only_in_first_line(buf):
        yield None
        return
    quotes = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 34)
    yield quotes
    yield _structural_quotes(buf, quotes, _sniff(_first_line(buf)))


def _quotes_only_in_first_line(buf: bytes) -> bool:
    """Only the header is quoted (as many exports write it): the body is plain, no quote to map.

    The csv module reads the header line; a quote left open there (a header cell with a line
    break) takes the careful path instead.
    """
    end = buf.find(b"\n")
    return end > 0 and buf.find(b'"', end) == -1 and buf.count(b'"', 0, end) % 2 == 0


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
        columns = table.columns
        del table  # _build frees each column as it is normalised
        return _build(header_cells, columns, lines, encoding, delimiter, Problems())
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

    columns = table.columns
    del table  # _build frees each column as it is normalised
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
    return _build(header_cells, columns, lines, encoding, delimiter, problems, blank_lines=scan.blank_lines())


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

    def blank_lines(self) -> np.ndarray:
        """Lines of the blank records under the header (pyarrow skips them)."""
        idx = np.arange(len(self.starts))
        return self.lines[(idx > self.header) & self.empty]

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


# Comma first; a tab (Excel's "Unicode text"), a semicolon (Excel and LibreOffice where the list
# separator is set so, as in a European-locale Windows) or a vertical bar only where the header line
# holds more of it than of each one before it.
SEPARATORS = (",", "\t", ";", "|")


def sniff_delimiter(header: str) -> str:
    """The separator the header line is split by: the one it holds most of, comma on a tie."""
    counts = [header.count(sep) for sep in SEPARATORS]
    return SEPARATORS[counts.index(max(counts))]


_sniff = sniff_delimiter


def _fit_row(cells: list[str], ncols: int, line: int, problems: Problems) -> list[str | None]:
    """Pad a short row with missing cells; report a long one's extra cells."""
    extra = [c for c in cells[ncols:] if c.strip()]
    if extra:
        problems.add(
            Problem(
                "row.too_many_cells",
                *i18n.both("read.row.too_many_cells", cells=len(cells), ncols=ncols),
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
    blank: list[int] = []
    for cells in reader:
        start, prev = prev + 1, reader.line_num
        if not cells:
            if header is not None:
                blank.append(start)
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
    return _build(
        header,
        columns,
        np.array(lines, dtype=np.int64),
        encoding,
        delimiter,
        problems,
        blank_lines=np.array(blank, dtype=np.int64),
    )


def _no_header(dataset: str | None = None) -> UnreadableFile:
    """No header: line 1 must name the columns; when the ledger is known, its first few are shown."""
    if dataset in DATASETS:
        examples = i18n.join_both("sep.list", [(c.header, c.header) for c in DATASETS[dataset].columns[:3]])
        return UnreadableFile(*i18n.both("read.no_header_of", columns=examples))
    return UnreadableFile(*i18n.both("read.no_header"))


# ---------------------------------------------------------------------------
# Workbooks


def _read_sheets(sheets: list[Sheet], kind: str, dataset: str | None = None) -> RawTable:
    """The sheet(s) of the ledger, as one table (see :func:`_ledger_sheets`), their columns
    matched by name: a month sheet with its columns in another order or one column more is read
    as the others are.

    Sheets not read, with content, are each named in a warning: a 填表说明, a 汇总 naming only a
    few of the ledger's columns, a hidden sheet (staff do not see it: an old term's rows, a
    merged-away organisation). Without any matching header, the first sheet with content is read
    from its first non-empty row, so that validation says which columns are missing.
    """
    problems = Problems()
    found = []
    for sheet in sheets:
        head = sheet.head(HEADER_SEARCH_ROWS + 1)
        if (h := find_header(head[:HEADER_SEARCH_ROWS])) is not None:
            cells, last = two_row_header(head, h)
            found.append((sheet, last, cells))
    shown = [f for f in found if not f[0].hidden] or found  # a hidden ledger only if nothing else
    summaries: dict[str, frozenset[str]] = {}
    if shown:
        chosen, summaries = _ledger_sheets(shown, dataset)
    else:
        filled = [(s, s.first_filled()) for s in sorted(sheets, key=lambda s: s.hidden)]
        sheet, h = next(((s, h) for s, h in filled if h is not None), (None, None))
        if sheet is None or h is None:
            raise _no_header(dataset)
        chosen = [(sheet, h, sheet.row(h))]
    read = {s.name for s, *_ in chosen}
    for sheet in sheets:
        if sheet.name in read or len(sheets) == 1 or sheet.first_filled() is None:
            continue
        if sheet.hidden:
            rule, fields = "read.sheet.hidden", {"sheet": sheet.name}
        elif sheet.name in summaries:
            names = i18n.join_both("sep.list", [(h, h) for h in sorted(summaries[sheet.name])])
            rule, fields = "read.sheet.summary", {"sheet": sheet.name, "columns": names}
        else:
            rule, fields = "read.sheet.skipped", {"sheet": sheet.name}
        problems.add(Problem(rule, *i18n.both(rule, **fields), sheet=sheet.name, severity="warning"))
    header, slots = _union_header([cells for *_, cells in chosen])
    parts: list[list[np.ndarray]] = [[] for _ in header]
    lines, counts = [], []
    header_lines: dict[str, int] = {}
    for (sheet, at, _), slot_of in zip(chosen, slots, strict=True):
        end = sheet.height
        while end > at + 1 and not any(col[end - 1] for col in sheet.columns):
            end -= 1  # the unused rest of the sheet
        columns = {slot: sheet.columns[i][at + 1 : end] for i, slot in enumerate(slot_of)}
        for slot, part in enumerate(parts):
            column = columns.get(slot)
            part.append(np.full(end - at - 1, "", dtype=object) if column is None else column)
        lines.append(np.arange(at + 2, end + 1, dtype=np.int64))
        counts.append(end - at - 1)
        header_lines[sheet.name] = at + 1
    return _build(
        header,
        [pa.chunked_array([pa.array(np.concatenate(p), pa.large_string())]) for p in parts],
        np.concatenate(lines),
        kind,
        None,
        problems,
        kind=kind,
        sheets=[s.name for s, *_ in chosen],
        header_lines=header_lines,
        sheet_of_row=np.repeat(np.array([s.name for s, *_ in chosen], dtype=object), counts),
        workbook_sheets=[s.name for s in sheets],
    )


def _ledger_sheets(
    found: list[tuple[Sheet, int, list[str]]], dataset: str | None
) -> tuple[list[tuple[Sheet, int, list[str]]], dict[str, frozenset[str]]]:
    """(the ledger's sheets, each with its header's last row and cells; the sheets left out as
    summaries -> the headers of the columns they name).

    The ledger is ``dataset``'s (else the dataset some sheet names most columns of). Its sheets are
    those whose header names every required column, or at least half as many columns as the
    fullest header does (a month sheet that lost a column is read, and validation says what its
    rows lack); a 汇总 naming two or three of its columns is not. Headers naming fewer than two
    columns of it leave the first sheet with a header to be read, so that validation says which
    columns are missing.
    """
    named = [(f, *header_columns(f[2], dataset)) for f in found]
    target = dataset if dataset in DATASETS else max(named, key=lambda n: len(n[2]))[1]
    required = {c.name for c in DATASETS[target].columns if c.required}
    fullest = max(len(cols) for _, name, cols in named if name == target)
    chosen, summaries = [], {}
    for f, name, cols in named:
        if name == target and len(cols) >= 2 and (required <= cols or 2 * len(cols) >= fullest):
            chosen.append(f)
        elif name == target and len(cols) >= 2:
            summaries[f[0].name] = frozenset(DATASETS[target].column(c).header for c in cols)
    return (chosen or [found[0]]), summaries


def _union_header(headers: list[list[str]]) -> tuple[list[str], list[list[int]]]:
    """(the table's header, each sheet's column -> the table's column): columns matched by their
    header's spelling (its n-th occurrence, for a header written twice), in the first sheet's order,
    then those only later sheets have."""
    cells: list[str] = []
    at: dict[tuple[str, int], int] = {}
    slots = []
    for header in headers:
        width = len(header)
        while width and not header[width - 1]:
            width -= 1  # columns past the header's last name keep their places (no name to match)
        seen: dict[str, int] = {}
        slot_of = []
        for i, cell in enumerate(header):
            key = header_key(cell) if i < width else f"#{i}"
            n = seen[key] = seen.get(key, -1) + 1
            if (key, n) not in at:
                at[(key, n)] = len(cells)
                cells.append(cell)
            slot_of.append(at[(key, n)])
        slots.append(slot_of)
    return cells, slots


# ---------------------------------------------------------------------------
# Rows that are not data

# Compared after NFKC and without spaces: "合 计：" is 合计. A total row names itself first (合计,
# 本页合计, 合计（2个）, 合计：2户, 小计（第一党小组）) or last (第一党小组小计); a footer or a note under
# the table opens with who filled it in, when, or a note's lead word and a colon (注：1.…, 说明：…).
_TOTAL_WORDS = ("合计", "小计", "总计", "总合计", "累计")
_TOTAL_LEADS = ("本页", "本表", "全部")
_FOOTER_WORDS = (
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "审批人",
    "统计人",
    "填报日期",
    "填表日期",
    "制表日期",
    "审核日期",
    "单位负责人",
    "联系电话",
    "填报单位",
    "填表单位",
    "报送单位",
    "制表单位",
)
_NOTE_WORDS = ("注", "说明", "备注", "负责人", "联系人", "电话")  # only with a colon (注 also 注1)
_TOTAL = (
    rf"^(({'|'.join(_TOTAL_LEADS)})?({'|'.join(_TOTAL_WORDS)})([:(\[].*)?"
    rf"|.{{1,12}}({'|'.join(_TOTAL_WORDS[:3])}))$"
)
_FOOTER = rf"^(({'|'.join(_FOOTER_WORDS)})|({'|'.join(_NOTE_WORDS)}):|{_NOTE_WORDS[0]}\d)"
# The messages' templates (formatted per row); the keys are the rule ids.
_NOT_DATA: dict[str, tuple[str, str]] = {
    "read.skipped.empty": i18n.both("read.skipped.empty"),
    "read.skipped.total": i18n.both("read.skipped.total"),
    "read.skipped.footer": i18n.both("read.skipped.footer"),
}


def _not_data(
    arrays: list[pa.ChunkedArray], sheet_of_row: np.ndarray | None
) -> tuple[np.ndarray, dict[str, np.ndarray], pa.Array | None]:
    """(skip mask, rule -> rows to warn about, first cell of each row).

    Empty rows after a sheet's last filled row are the unused rest of the
    sheet: skipped without a warning.
    """
    n = len(arrays[0]) if arrays else 0
    if not n:
        return np.zeros(0, dtype=bool), {}, None
    first = arrays[0].combine_chunks()
    if first.null_count:
        first = pc.coalesce(first, *[a.combine_chunks() for a in arrays[1:]])
    empty = first.is_null().to_numpy(zero_copy_only=False)
    total, footer = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    # The words are Chinese: only cells with a non-ASCII character can hold them (keys rarely do).
    maybe = np.flatnonzero(~pc.fill_null(pc.string_is_ascii(first), True).to_numpy(zero_copy_only=False))
    if len(maybe):
        squeezed = pc.replace_substring_regex(first.take(pa.array(maybe)), r"\s+", "")
        total[maybe] = pc.match_substring_regex(squeezed, _TOTAL).to_numpy(zero_copy_only=False)
        footer[maybe] = pc.match_substring_regex(squeezed, _FOOTER).to_numpy(zero_copy_only=False)
    skip = empty | total | footer
    if not skip.any():
        return skip, {}, first
    trailing = np.zeros(n, dtype=bool)
    groups = np.zeros(n, dtype=np.int64) if sheet_of_row is None else pd.factorize(sheet_of_row)[0]
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        filled = rows[~empty[rows]]
        trailing[rows[rows > (filled.max() if len(filled) else -1)]] = True
    warn = {
        "read.skipped.empty": np.flatnonzero(empty & ~trailing),
        "read.skipped.total": np.flatnonzero(total),
        "read.skipped.footer": np.flatnonzero(footer & ~total),
    }
    return skip, warn, first


def _not_data_problems(
    warn: dict[str, np.ndarray], first: pa.Array, lines: np.ndarray, sheets: list[str | None] | None
) -> list[Problem]:
    out = []
    for rule, rows in warn.items():
        zh, en = _NOT_DATA[rule]
        texts = first.take(pa.array(rows, pa.int64())).to_pylist() if len(rows) else []
        for row, text in zip(rows.tolist(), texts, strict=True):
            value = "" if text is None else text[:50]
            out.append(
                Problem(
                    rule,
                    zh.format(value=value),
                    en.format(value=value),
                    line=int(lines[row]),
                    value=value or None,
                    severity="warning",
                    sheet=None if sheets is None else sheets[row],
                )
            )
    return out


# ---------------------------------------------------------------------------
# Normalisation


def normalise(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Trim and NFKC-normalise every cell; '' becomes null.

    Vectorised: only cells with characters outside ASCII and the CJK
    ideographs can change under NFKC (or hold Unicode spaces), and each
    distinct one of those is normalised once, in Python. A clean column (the
    common case) costs one copy, joining its chunks, and none for trimming.
    """
    flat = _one_large_string(values)
    if _needs_trim(flat):
        flat = pc.ascii_trim_whitespace(flat)  # UTF-8 never hides ASCII bytes inside a character
    odd = _may_change_under_nfkc(flat)
    if odd is not None:
        mask = pa.array(odd)
        enc = pc.dictionary_encode(flat.filter(mask))
        fixed = [normalise_text(v) for v in enc.dictionary.to_pylist()]
        flat = pc.replace_with_mask(flat, mask, pc.take(pa.array(fixed, flat.type), enc.indices))
    return pa.chunked_array([_blank_to_null(flat)], flat.type)


def _one_large_string(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The cells as one large_string array (casting string shares the text, only offsets widen)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    if not chunks:
        return pa.array([], pa.large_string())
    wide = [c if c.type == pa.large_string() else c.cast(pa.large_string()) for c in chunks]
    return wide[0] if len(wide) == 1 else pa.concat_arrays(wide)


_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 32]] = True  # what ascii_trim_whitespace removes


def _text_bytes(flat: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, bytes) of a string array's cells, as numpy views (no copy); None when it has no text."""
    offsets_buf, data_buf = flat.buffers()[1], flat.buffers()[2]
    if data_buf is None or len(flat) == 0:
        return None
    width = np.int64 if flat.type == pa.large_string() else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[flat.offset : flat.offset + len(flat) + 1]
    return offsets, np.frombuffer(data_buf, dtype=np.uint8)


def _needs_trim(flat: pa.Array) -> bool:
    """Some cell starts or ends with ASCII whitespace: the first and last byte of each cell."""
    text = _text_bytes(flat)
    if text is None:
        return False
    offsets, data = text
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    return bool(_ASCII_SPACE[data[starts[filled]]].any() or _ASCII_SPACE[data[ends[filled] - 1]].any())


def _may_change_under_nfkc(flat: pa.Array) -> np.ndarray | None:
    """Row mask of cells with a UTF-8 lead byte other than ASCII or U+4000-U+9FFF.

    Lead bytes E4-E9 start U+4000-U+9FFF (CJK ideographs, NFKC-stable); every
    other non-ASCII lead byte may start a full-width form, a compatibility
    character or a Unicode space. One byte pass instead of a regex per cell.
    """
    text = _text_bytes(flat)
    if text is None:
        return None
    offsets, data = text
    data = data[offsets[0] : offsets[-1]]
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


def _drained(items: list[pa.ChunkedArray]) -> Iterator[pa.ChunkedArray]:
    """Each item, taken out of the list (the list no longer keeps it alive)."""
    items.reverse()
    while items:
        yield items.pop()


def _build(
    header_cells: list[str],
    columns: list[pa.ChunkedArray],
    lines: np.ndarray,
    encoding: str,
    delimiter: str | None,
    problems: Problems,
    *,
    kind: str = "csv",
    sheets: list[str] | None = None,
    header_lines: dict[str, int] | None = None,
    sheet_of_row: np.ndarray | None = None,
    workbook_sheets: list[str] | None = None,
    blank_lines: np.ndarray | None = None,
) -> RawTable:
    """Normalise, order rows by line, skip rows that are not data, drop nameless empty columns.

    Rows go first: a footer merged across the sheet's whole width must not
    leave a column without a header behind. ``columns`` is emptied: each column
    read is let go once normalised, so the text is held about once, not twice.
    """
    headers = [normalise_text(h.replace("\r", "").replace("\n", "")) for h in header_cells]
    if not any(headers):
        raise _no_header()
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:  # pyarrow releases the GIL
        normalised = list(pool.map(normalise, _drained(columns)))
    if sheet_of_row is None and len(lines) > 1 and not bool((lines[1:] > lines[:-1]).all()):
        order = pa.array(np.argsort(lines, kind="stable"))  # ragged rows were appended
        lines = lines[order.to_numpy()]
        normalised = [arr.take(order) for arr in normalised]
    workbook_sheets = workbook_sheets or []
    skip, warn, first = _not_data(normalised, sheet_of_row)
    if first is not None and warn:
        named = sheet_of_row.tolist() if sheet_of_row is not None and len(workbook_sheets) > 1 else None
        problems.extend(_not_data_problems(warn, first, lines, named))
    if blank_lines is not None and len(blank_lines) and len(lines):
        for line in blank_lines[blank_lines < lines[~skip].max(initial=0)].tolist():
            zh, en = _NOT_DATA["read.skipped.empty"]
            problems.add(Problem("read.skipped.empty", zh, en, line=int(line), severity="warning"))
    if skip.any():
        keep = pa.array(~skip)
        normalised = [arr.filter(keep) for arr in normalised]
        lines = lines[~skip]
        if sheet_of_row is not None:
            sheet_of_row = sheet_of_row[~skip]
    data: dict[int, pa.ChunkedArray] = {}
    kept: list[str] = []
    for i, (h, arr) in enumerate(zip(headers, normalised, strict=True)):
        if not h and arr.null_count == len(arr):
            continue  # a trailing separator or an unused spreadsheet column
        data[i] = arr
        kept.append(h)
    index = pd.Index(lines, dtype="int64", name="line")
    frame = pd.DataFrame(
        {i: pd.arrays.ArrowStringArray(arr) for i, arr in data.items()}, index=index, copy=False
    )
    frame.columns = pd.Index(kept, dtype=object)
    return RawTable(
        frame=frame,
        headers=kept,
        encoding=encoding,
        delimiter=delimiter,
        problems=problems,
        kind=kind,
        sheets=sheets or [],
        header_lines=header_lines if header_lines is not None else {"": 1},
        sheet_of_row=sheet_of_row,
        workbook_sheets=workbook_sheets,
    )
