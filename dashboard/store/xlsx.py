"""Typed ledger frames to XLSX workbooks a person would have made in Excel/WPS.

Why not the CSV text in a workbook: staff sort, filter and sum in Excel, so a
date must be a date cell, 96% a percent cell and 35 a number. What the CSV
export renders as text (enum labels, 是/否, masked names) stays text here, so
both downloads say the same thing and both read back through the importer.

Formula injection: a text cell is always written as a string (never a
formula), and one that begins with ``= + - @`` also gets Excel's quotePrefix,
so editing it in Excel keeps it text. Unlike the CSV export no ``'`` is added
to the value: an XLSX cell has a type, so the text round-trips unchanged.

Speed: openpyxl (write_only mode) writes the header, styles, widths,
dropdowns and the guide sheet; a ledger's body rows are then written into the
saved file as SpreadsheetML a column at a time (pandas string operations),
with the styles openpyxl registered: openpyxl's per-cell path took 31 s for
100,000 demolition rows, this takes about 7 s. Small tables (term calendar,
error report) go through openpyxl's cells, reusing one styled prototype per column.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard import i18n
from dashboard.contract import ColType, Column, Dataset, get_dataset
from dashboard.store.export import FALSE_LABEL, FORMULA_START, TRUE_LABEL, mask_name

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv; charset=utf-8"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT, PERCENT_FRACTION_FORMAT = "0%", "0.00%"
TEXT_FORMAT = "@"
MIN_WIDTH, MAX_WIDTH = 6, 60
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
AUTHOR = i18n.t("app.title", "zh")  # also how our own comments are recognised
MAX_DROPDOWN_ROW = 1048576
LEDGER_PART = "xl/worksheets/sheet1.xml"  # the first sheet created: the ledger
# Chinese labels (choices, key headers) are listed the Chinese way in both languages.
LIST_SEP = i18n.t("sep.list", "zh")

_CJK_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def display_width(text: str) -> int:
    """Width in Excel's character units: a CJK character counts two."""
    return len(text) + len(_CJK_WIDE.findall(text))


def _widths(texts: pd.Series) -> int:
    """The widest cell of a column of strings (vectorised; NA counts 0)."""
    s = texts.dropna().astype(str)
    if s.empty:
        return 0
    return int((s.str.len() + s.str.count(_CJK_WIDE.pattern)).max())


def fit_width(header: str, texts: pd.Series | None = None) -> float:
    """Column width that fits the header and the widest cell (bounded: a long 备注 wraps)."""
    widest = max(display_width(header) + 2, _widths(texts) if texts is not None else 0)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, widest + 2)))


def sheet_title(title: str) -> str:
    """A legal sheet name: at most 31 characters, none of []:*?/\\."""
    return _SHEET_FORBIDDEN.sub("_", title).strip("'")[:31] or "Sheet1"


def clean_text(value: str) -> str:
    """Drop the control characters a workbook cannot hold (openpyxl refuses them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def download_name(title: str, day: date | None, ext: str) -> str:
    """'拆迁房产进度_2026-12-02.xlsx': the ledger's title and the data's date."""
    return f"{title}_{day:%Y-%m-%d}.{ext}" if day is not None else f"{title}.{ext}"


def content_disposition(file_name: str, fallback: str) -> str:
    """RFC 6266/5987: an ASCII ``filename`` for old clients, the UTF-8 ``filename*`` for the rest."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


# ---------------------------------------------------------------------------
# Typed frame -> cell values


@dataclass
class SheetColumn:
    """One column as written: header, kind of cell, python values (None = empty)."""

    header: str
    kind: str  # "text", "int", "number", "percent", "date"
    values: list[Any]
    width: float
    required: bool = False
    choices: tuple[str, ...] = ()


def _python(s: pd.Series) -> list[Any]:
    return [None if v is pd.NA or v is None or (isinstance(v, float) and v != v) else v for v in s.tolist()]


def ledger_columns(ds: Dataset, frame: pd.DataFrame, *, mask_personal: bool = False) -> list[SheetColumn]:
    """The typed ``frame`` as workbook columns under Chinese headers, contract order."""
    out = []
    for col in ds.columns:
        s = frame[col.name] if col.name in frame else pd.Series(pd.NA, index=frame.index, dtype="object")
        kind, values, texts = _column_values(col, s, mask_personal)
        choices: tuple[str, ...] = ()
        if col.type is ColType.ENUM and col.enum is not None:
            choices = col.enum.labels
        elif col.type is ColType.BOOL:
            choices = (TRUE_LABEL, FALSE_LABEL)
        out.append(SheetColumn(col.header, kind, values, fit_width(col.header, texts), col.required, choices))
    return out


def _column_values(col: Column, s: pd.Series, mask_personal: bool) -> tuple[str, list[Any], pd.Series]:
    """(kind, python values, the texts the widths are measured on) for one typed column."""
    missing = s.isna()
    if col.type is ColType.DATE:
        stamps = pd.to_datetime(s)
        values = [None if m else v.date() for v, m in zip(stamps.tolist(), missing.tolist(), strict=True)]
        return "date", values, pd.Series(["2024-05-03"] if len(s) else [], dtype="string")
    if col.type is ColType.INT:
        ints = s.astype("Int64")
        return "int", _python(ints), ints.astype("string")
    if col.type in (ColType.NUMBER, ColType.PERCENT):
        floats = s.astype("Float64")
        values = [
            None if v is None else (int(v) if float(v).is_integer() and abs(v) < 1e15 else float(v))
            for v in _python(floats)
        ]
        if col.type is ColType.PERCENT:
            return "percent", values, floats.astype("string") + "%"
        return "number", values, floats.astype("string")
    if col.type is ColType.BOOL:
        text = s.astype("boolean").map({True: TRUE_LABEL, False: FALSE_LABEL}).astype("string")
    elif col.type is ColType.ENUM:
        assert col.enum is not None
        raw = s.astype("string")
        text = raw.map({c.code: c.label for c in col.enum.choices}).astype("string").fillna(raw)
    else:
        text = s.astype("string")
        if col.personal and mask_personal:
            text = text.map(mask_name, na_action="ignore").astype("string")
        if text.str.contains(ILLEGAL_CHARACTERS_RE.pattern, regex=True).fillna(False).any():
            text = text.map(clean_text, na_action="ignore").astype("string")
    text = text.where(~missing, pd.NA)
    return "text", _python(text), text


# ---------------------------------------------------------------------------
# Writing


def _prototype(sheet: Any, number_format: str | None = None, quote_prefix: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    if number_format:
        cell.number_format = number_format
    if quote_prefix:
        cell.quotePrefix = True
    return cell


class _Cells:
    """Turns one column's values into cells, reusing styled prototypes (write_only)."""

    def __init__(self, sheet: Any, kind: str) -> None:
        self.kind = kind
        self.date = _prototype(sheet, DATE_FORMAT) if kind == "date" else None
        self.pct = _prototype(sheet, PERCENT_FORMAT) if kind == "percent" else None
        self.pct_fraction = _prototype(sheet, PERCENT_FRACTION_FORMAT) if kind == "percent" else None
        self.inert = _prototype(sheet, TEXT_FORMAT, quote_prefix=True) if kind == "text" else None

    def cell(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "date":
            assert self.date is not None
            self.date.value = value
            return self.date
        if self.kind == "percent":
            fraction = value / 100
            proto = self.pct if float(value).is_integer() else self.pct_fraction
            assert proto is not None
            proto.value = fraction
            return proto
        if self.kind == "text" and formula_like(value):
            assert self.inert is not None
            self.inert.value = value
            self.inert.data_type = "s"  # openpyxl types '=...' as a formula; this is text
            return self.inert
        return value


def write_sheet(
    book: Workbook,
    title: str,
    columns: Sequence[SheetColumn],
    *,
    dropdowns: bool = False,
    mark_required: bool = False,
    lang: str = "zh",
    rows_later: bool = False,
) -> _Deferred | None:
    """One sheet: bold frozen header, fitted widths, typed cells; dropdowns and marks for templates.

    With ``rows_later`` only the header is written here and the returned :class:`_Deferred`
    writes the body into the saved file (:func:`_fill_rows`), much faster for large ledgers.
    """
    sheet = book.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    rows = max((len(c.values) for c in columns), default=0)
    for i, col in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(i)].width = col.width
    if dropdowns:
        for i, col in enumerate(columns, 1):
            if not col.choices:
                continue
            letter = get_column_letter(i)
            choices = ",".join(col.choices)
            dv = DataValidation(
                type="list",
                formula1=f'"{choices}"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=i18n.t("xlsx.dropdown_title", lang),
                error=i18n.t("xlsx.dropdown_error", lang, choices=LIST_SEP.join(col.choices)),
            )
            dv.add(f"{letter}2:{letter}{MAX_DROPDOWN_ROW}")
            sheet.data_validations.append(dv)
    header = []
    for col in columns:
        cell = WriteOnlyCell(sheet, value=clean_text(col.header))
        cell.font = REQUIRED_FONT if (mark_required and col.required) else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        if mark_required and col.required:
            cell.comment = Comment(i18n.t("xlsx.required_note", lang), AUTHOR, width=180, height=40)
        header.append(cell)
    sheet.append(header)
    makers = [_Cells(sheet, c.kind) for c in columns]
    if rows_later:
        return _Deferred(columns, makers)
    for r in range(rows):
        sheet.append(
            [m.cell(c.values[r] if r < len(c.values) else None) for m, c in zip(makers, columns, strict=True)]
        )
    return None


_EXCEL_EPOCH = date(1899, 12, 30)
_SHEET_DATA_END = b"</sheetData>"


@dataclass
class _Deferred:
    """A sheet body still to write: the columns and the cell styles openpyxl registered for them."""

    columns: Sequence[SheetColumn]
    makers: Sequence[_Cells]

    def __post_init__(self) -> None:
        # a style is registered with the workbook when its id is first asked for: before the save
        for m in self.makers:
            for proto in (m.date, m.pct, m.pct_fraction, m.inert):
                if proto is not None:
                    _ = proto.style_id

    def rows_xml(self) -> bytes:
        """Rows 2.. as SpreadsheetML, built a column at a time (the same cells ``_Cells`` makes)."""
        n = max((len(c.values) for c in self.columns), default=0)
        if n == 0:
            return b""
        numbers = pd.Series(range(2, n + 2)).astype(str)
        parts = [
            _column_xml(get_column_letter(i), c, m, numbers)
            for i, (c, m) in enumerate(zip(self.columns, self.makers, strict=True), 1)
        ]
        body = parts[0].str.cat(parts[1:], sep="") if len(parts) > 1 else parts[0]
        rows = '<row r="' + numbers + '">' + body + "</row>"
        return "".join(rows.tolist()).encode("utf-8")


def _escape(text: pd.Series) -> pd.Series:
    out = text.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
    return out.str.replace(">", "&gt;", regex=False).str.replace("\r", "&#13;", regex=False)


def _column_xml(letter: str, col: SheetColumn, cells: _Cells, numbers: pd.Series) -> pd.Series:
    """One column's cells as XML strings ('' where empty), typed and styled as :class:`_Cells` does."""
    values = pd.Series(col.values + [None] * (len(numbers) - len(col.values)), dtype=object)
    present = values.notna()
    ref = '<c r="' + letter + numbers + '"'
    out = pd.Series("", index=values.index, dtype=object)
    if not present.any():
        return out
    v = values[present]
    if col.kind == "text":
        text = v.astype(str)
        inert = text.str.match(r"^[=+\-@\t\r]")
        style = pd.Series("", index=text.index, dtype=object)
        if inert.any():
            assert cells.inert is not None
            style[inert] = f' s="{cells.inert.style_id}"'
        xml = (
            ref[present]
            + style
            + ' t="inlineStr"><is><t xml:space="preserve">'
            + _escape(text)
            + "</t></is></c>"
        )
    elif col.kind == "date":
        assert cells.date is not None
        serial = v.map(lambda d: str((d - _EXCEL_EPOCH).days))
        xml = ref[present] + f' s="{cells.date.style_id}"><v>' + serial + "</v></c>"
    elif col.kind == "percent":
        assert cells.pct is not None and cells.pct_fraction is not None
        whole = v.map(lambda x: float(x).is_integer())
        style = whole.map({True: f' s="{cells.pct.style_id}"', False: f' s="{cells.pct_fraction.style_id}"'})
        xml = ref[present] + style + "><v>" + v.map(lambda x: repr(x / 100)) + "</v></c>"
    else:
        xml = ref[present] + "><v>" + v.map(repr) + "</v></c>"
    out[present] = xml
    return out


def _fill_rows(data: bytes, bodies: dict[str, _Deferred]) -> bytes:
    """The saved workbook with each deferred sheet's rows written in after its header row."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            body = bodies.get(info.filename)
            if body is not None:
                head, found, tail = part.partition(_SHEET_DATA_END)
                assert found, f"no sheetData in {info.filename}"
                part = head + body.rows_xml() + found + tail
            dst.writestr(info.filename, part)
    return out.getvalue()


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xlsx_bytes(dataset: Dataset | str, frame: pd.DataFrame, *, mask_personal: bool = False) -> bytes:
    """The ledger as a workbook: one sheet named after it, read back by our importer as the CSV is."""
    ds = dataset if isinstance(dataset, Dataset) else get_dataset(dataset)
    book = Workbook(write_only=True)
    body = write_sheet(
        book, ds.title, ledger_columns(ds, frame, mask_personal=mask_personal), rows_later=True
    )
    assert body is not None
    return _fill_rows(workbook_bytes(book), {LEDGER_PART: body})


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Any small table (term calendar, error report) as a workbook; cell kinds from the values."""
    rows = [list(r) for r in rows]
    columns = []
    for i, h in enumerate(headers):
        values = [r[i] if i < len(r) else None for r in rows]
        values = [clean_text(v) if isinstance(v, str) else v for v in values]
        kinds = {type(v) for v in values if v is not None}
        kind = "date" if kinds and kinds <= {date, datetime} else "text"
        if kinds and kinds <= {int, float}:
            kind = "number"
        texts = pd.Series([None if v is None else str(v) for v in values], dtype="string")
        columns.append(SheetColumn(h, kind, values, fit_width(h, texts if kind != "date" else None)))
    book = Workbook(write_only=True)
    write_sheet(book, title, columns)
    return workbook_bytes(book)


# ---------------------------------------------------------------------------
# Templates: blank (header + example) and prefilled (一表通: the current rows to edit)

_TYPE_KEYS: dict[ColType, str] = {
    ColType.TEXT: "xlsx.type.text",
    ColType.INT: "xlsx.type.int",
    ColType.NUMBER: "xlsx.type.number",
    ColType.PERCENT: "xlsx.type.percent",
    ColType.BOOL: "xlsx.type.bool",
    ColType.DATE: "xlsx.type.date",
    ColType.ENUM: "xlsx.type.enum",
}
_MODE_KEYS = {"replace": "xlsx.mode.replace", "upsert": "xlsx.mode.upsert", "append": "xlsx.mode.append"}


def _num(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else str(value))


def column_rule(ds: Dataset, col: Column, lang: str = "zh") -> str:
    """One column's rule in plain words, from the contract (so the guide never drifts from the checks)."""
    sep = i18n.t("sep.rules", lang)
    parts: list[str] = []
    if col.enum is not None:
        parts.append(i18n.t("xlsx.guide.choices", lang, choices=LIST_SEP.join(col.enum.labels)))
    if col.min is not None and col.max is not None:
        parts.append(i18n.t("xlsx.guide.min_max", lang, min=_num(col.min), max=_num(col.max)))
    elif col.min is not None:
        parts.append(i18n.t("xlsx.guide.min", lang, min=_num(col.min)))
    if col.unique:
        parts.append(i18n.t("xlsx.guide.unique", lang))
    if col.default is not None:
        parts.append(i18n.t("xlsx.guide.default", lang, default=col.default))
    for rule in ds.required_from:
        if rule.column == col.name:
            status = ds.column(rule.status_column)
            assert status.enum is not None
            parts.append(
                i18n.t(
                    "xlsx.guide.required_from",
                    lang,
                    status=status.header,
                    label=status.enum.label(rule.from_code),
                )
            )
            if rule.empty_before:
                parts.append(i18n.t("xlsx.guide.empty_before", lang))
    for order in ds.date_orders:
        if order.later == col.name:
            parts.append(i18n.t("xlsx.guide.not_before", lang, earlier=ds.column(order.earlier).header))
    for fk in ds.foreign_keys:
        if fk.column == col.name:
            ref = get_dataset(fk.ref_dataset)
            parts.append(
                i18n.t("xlsx.guide.foreign_key", lang, ref=ref.title, column=ref.column(fk.ref_column).header)
            )
    if col.name in ds.derived:
        parts.append(i18n.t("xlsx.guide.derived", lang))
    if col.personal:
        parts.append(i18n.t("xlsx.guide.personal", lang))
    return sep.join(parts)


def write_guide(book: Workbook, ds: Dataset, lang: str = "zh") -> None:
    """The 填表说明 sheet: the contract's rules in plain words, after the ledger sheet."""
    sheet = book.create_sheet(sheet_title(i18n.t("xlsx.guide_sheet", lang)))
    widths = (16, 8, 12, 60, 16)
    for i, w in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = w
    title = WriteOnlyCell(sheet, value=i18n.t("xlsx.guide.title", lang, title=ds.title))
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    key = LIST_SEP.join(ds.column(k).header for k in ds.key)
    notes = [
        i18n.t("xlsx.guide.where", lang, sheet=sheet_title(ds.title)),
        i18n.t("xlsx.guide.required", lang),
        i18n.t("xlsx.guide.dropdown", lang),
        i18n.t("xlsx.guide.cells", lang),
        i18n.t("xlsx.guide.key", lang, headers=key),
        i18n.t(_MODE_KEYS[ds.default_mode.value], lang),
        i18n.t("xlsx.guide.check", lang),
    ]
    for n, note in enumerate(notes, 1):
        sheet.append([f"{n}.", clean_text(note)])
    sheet.append([])
    head = WriteOnlyCell(sheet, value=i18n.t("xlsx.guide.columns", lang))
    head.font = HEADER_FONT
    sheet.append([head])
    cells = []
    heads = [
        i18n.t("xlsx.guide.col.header", lang),
        i18n.t("xlsx.guide.col.required", lang),
        i18n.t("xlsx.guide.col.type", lang),
        i18n.t("xlsx.guide.col.rule", lang),
        i18n.t("xlsx.guide.col.example", lang),
    ]
    for text in heads:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    sheet.append(cells)
    for col in ds.columns:
        header = WriteOnlyCell(sheet, value=col.header)
        header.font = REQUIRED_FONT if col.required else Font()
        example = WriteOnlyCell(sheet, value=col.example or None)
        example.data_type = "s"
        example.number_format = TEXT_FORMAT
        sheet.append(
            [
                header,
                i18n.t("xlsx.guide.yes", lang) if col.required else None,
                i18n.t(_TYPE_KEYS[col.type], lang),
                column_rule(ds, col, lang) or None,
                example,
            ]
        )


def _example_value(col: Column) -> Any:
    """The contract's example text as the typed value a person would type into that cell."""
    text = col.example
    if not text:
        return None
    if col.type is ColType.DATE:
        return date.fromisoformat(text)
    if col.type is ColType.INT:
        return int(text)
    if col.type in (ColType.NUMBER, ColType.PERCENT):
        value = float(text.rstrip("%"))
        return int(value) if value.is_integer() else value
    return text


def _editable_book(ds: Dataset, columns: list[SheetColumn], lang: str) -> bytes:
    book = Workbook(write_only=True)
    body = write_sheet(
        book, ds.title, columns, dropdowns=True, mark_required=True, lang=lang, rows_later=True
    )
    write_guide(book, ds, lang)
    assert body is not None
    return _fill_rows(workbook_bytes(book), {LEDGER_PART: body})


def template_xlsx(dataset: Dataset | str, lang: str = "zh") -> bytes:
    """The blank template: header (required marked), one example row, dropdowns, 填表说明."""
    ds = dataset if isinstance(dataset, Dataset) else get_dataset(dataset)
    columns = []
    for col in ds.columns:
        value = _example_value(col)
        kind = {
            ColType.DATE: "date",
            ColType.INT: "int",
            ColType.NUMBER: "number",
            ColType.PERCENT: "percent",
        }.get(col.type, "text")
        choices = (
            col.enum.labels
            if col.enum is not None
            else ((TRUE_LABEL, FALSE_LABEL) if col.type is ColType.BOOL else ())
        )
        texts = pd.Series([col.example], dtype="string")
        columns.append(
            SheetColumn(col.header, kind, [value], fit_width(col.header, texts), col.required, choices)
        )
    return _editable_book(ds, columns, lang)


def prefilled_xlsx(
    dataset: Dataset | str, frame: pd.DataFrame, *, mask_personal: bool = False, lang: str = "zh"
) -> bytes:
    """一表通: the current rows to edit and upload again (unchanged, it makes a version with 0 changes)."""
    ds = dataset if isinstance(dataset, Dataset) else get_dataset(dataset)
    return _editable_book(ds, ledger_columns(ds, frame, mask_personal=mask_personal), lang)
