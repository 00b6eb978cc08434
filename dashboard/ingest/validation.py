"""Check an upload against the data contract and type its cells.

Every rule has an id (``cell.int``, ``key.duplicate``, ``date_order.a.b``...)
and every problem found is collected, with the spreadsheet line, the column
as written in the file, the value and a message in Chinese (saying what to
do) and English. Checks are vectorised; Problems are built only for failing
cells, so a clean million-row file costs a few array passes.

Each check runs through :func:`run_check`: an exception inside a check is a
bug in our code and is raised as CheckCrashed, never mistaken for bad data.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import i18n
from dashboard.contract import DATASETS, TERM_YEARS, ColType, Column, Dataset, get_dataset
from dashboard.ingest import cells
from dashboard.ingest.frames import DTYPES, typed_empty
from dashboard.ingest.headers import match_header
from dashboard.ingest.problems import CheckCrashed, Problem, Problems, Severity, where_line
from dashboard.ingest.reading import RawTable

T = TypeVar("T")

_WORKERS = min(4, os.cpu_count() or 1)


ARROW_TYPES: dict[ColType, pa.DataType] = {
    ColType.TEXT: pa.large_string(),
    ColType.ENUM: pa.large_string(),
    ColType.INT: pa.int64(),
    ColType.NUMBER: pa.float64(),
    ColType.PERCENT: pa.float64(),
    ColType.BOOL: pa.bool_(),
    ColType.DATE: pa.date32(),
}


@dataclass
class Checked:
    """A validated upload: typed frame (index = spreadsheet line) and problems.

    ``problems`` includes the reader's structural problems (``raw.problems``);
    ``sheet_of_row`` names each frame row's sheet when the workbook has
    several (lines then repeat from sheet to sheet), else it is None.
    """

    dataset: Dataset
    frame: pd.DataFrame
    problems: Problems
    column_map: dict[str, str] = field(default_factory=dict)
    sheet_of_row: np.ndarray | None = None

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def run_check(rule: str, check: Callable[..., T], *args: Any) -> T:
    """Run one check; an exception in it is a bug, raised as CheckCrashed."""
    try:
        return check(*args)
    except CheckCrashed:
        raise
    except Exception as exc:
        raise CheckCrashed(rule, exc) from exc


def validate(
    dataset: Dataset | str,
    raw: RawTable,
    *,
    refs: Mapping[str, set[str]] | None = None,
    scope: tuple[str, frozenset[str]] | None = None,
) -> Checked:
    """Check ``raw`` against ``dataset``'s contract and return typed rows.

    ``refs`` maps each foreign key's ref_dataset to the keys that exist now;
    None skips foreign-key checks. ``scope``: (column, values) a scoped editor may
    report (``ingest.scoping.allowed``); a row outside is an error at its cell.
    """
    ds = get_dataset(dataset) if isinstance(dataset, str) else dataset
    up = _Upload(ds)
    up.problems.extend(raw.problems)
    positions = run_check("header", _check_headers, up, raw)
    if run_check("header.other_dataset", _other_ledger, up, raw, positions):
        frame = typed_empty(ds).set_axis(pd.Index([], dtype="int64", name="line"))
        return Checked(ds, frame, up.problems, dict(up.written))
    run_check("rows", _take_rows, up, raw, positions)
    # From here the checks read the cells from ``up.raw``; the caller hands ``raw`` over (import),
    # so the file's text is let go column by column as the parse encodes it (see _parse_one).
    sheets = {name: i for i, name in enumerate(raw.sheets)}
    up.workbook = raw.kind == "xlsx"
    del raw
    if not len(up.lines):
        up.problems.add(Problem("file.no_rows", *i18n.both("check.file.no_rows")))
    parsed = _parse_all(up)
    for col in ds.columns:
        run_check(f"cell.{col.type}", _check_cells, up, col, parsed.get(col.name))
    for col in ds.columns:
        if col.default is not None:
            run_check(f"default.{col.name}", _fill_default, up, col)
    if ds.key:
        run_check("key.duplicate", _check_key, up)
    for order in ds.date_orders:
        run_check(order.id, _check_date_order, up, order.earlier, order.later, order.id)
    for rule in ds.required_from:
        run_check(rule.id, _check_required_from, up, rule.column, rule.status_column, rule.from_code)
        if rule.empty_before:
            run_check(
                f"empty_before.{rule.column}",
                _check_empty_before,
                up,
                rule.column,
                rule.status_column,
                rule.from_code,
            )
    if refs is not None:
        for fk in ds.foreign_keys:
            run_check(
                fk.id, _check_foreign_key, up, fk.column, fk.ref_dataset, refs.get(fk.ref_dataset, set())
            )
    for rule_id, check in LEDGER_CHECKS.get(ds.name, ()):
        run_check(rule_id, check, up, rule_id)
    if scope is not None:
        run_check(SCOPE_RULE, _check_scope, up, *scope)
    if "term_end" in ds.derived:
        run_check("derived.term_end", _derive_term_end, up)
    up.raw.clear()  # every check has quoted its cells: the text is not held beside the frame
    frame = run_check("frame", _to_frame, up)
    # Reading order: file-level problems first, then sheet by sheet, by spreadsheet line.
    up.problems.items.sort(key=lambda p: (p.line is not None, sheets.get(p.sheet or "", -1), p.line or 0))
    return Checked(ds, frame, up.problems, dict(up.written), up.sheets)


# ---------------------------------------------------------------------------
# State shared by the checks


@dataclass
class _Upload:
    dataset: Dataset
    problems: Problems = field(default_factory=Problems)
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sheets: np.ndarray | None = None  # the sheet to name for each row (None: no sheet needs naming)
    raw: dict[str, pa.Array] = field(default_factory=dict)  # present columns, normalised text
    written: dict[str, str] = field(default_factory=dict)  # name -> header as written
    typed: dict[str, pa.Array] = field(default_factory=dict)
    ranks: dict[str, np.ndarray] = field(default_factory=dict)  # status column -> enum rank
    key_distinct: bool = False  # True once a single-column key is known to have no repeats
    formulas: dict[str, np.ndarray] = field(default_factory=dict)  # column -> cells refused as formulas
    workbook: bool = False  # an .xlsx: a cell reading '=…' is a formula saved without its result

    def header(self, name: str) -> str:
        return self.written.get(name) or self.dataset.column(name).header

    def text(self, name: str) -> pa.Array:
        """Cells of ``name`` as written (all null when the column is absent)."""
        if name in self.raw:
            return self.raw[name]
        return pa.nulls(len(self.lines), pa.large_string())

    def sheet(self, row: int) -> str | None:
        return None if self.sheets is None else self.sheets[row]

    def where(self, row: int, lang: str) -> str:
        """'「3月」第 5 行' / 'sheet 3月, line 5': a line cited inside a message."""
        return where_line(self.sheet(row), int(self.lines[row]), lang)

    def cell_problems(
        self,
        rule: str,
        name: str,
        mask: np.ndarray,
        message: tuple[str, str],
        severity: Severity = "error",
        **fmt: Any,
    ) -> None:
        """One Problem per True in ``mask``.

        ``message`` is a catalogue pair of templates (``i18n.both(key)``), formatted per cell
        with {value} and {column}; a (zh, en) value in ``fmt`` fills each language its own.
        """
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        values = self.text(name).take(pa.array(rows)).to_pylist()
        column = self.header(name)
        zh, en = message
        fmt_zh = {k: v[0] if isinstance(v, tuple) else v for k, v in fmt.items()}
        fmt_en = {k: v[1] if isinstance(v, tuple) else v for k, v in fmt.items()}
        for row, value in zip(rows.tolist(), values, strict=True):
            shown = "" if value is None else value
            self.problems.add(
                Problem(
                    rule=rule,
                    message=zh.format(value=shown, column=column, **fmt_zh),
                    message_en=en.format(value=shown, column=column, **fmt_en),
                    line=int(self.lines[row]),
                    column=column,
                    value=value,
                    severity=severity,
                    sheet=self.sheet(row),
                )
            )


# ---------------------------------------------------------------------------
# Header and rows


def _check_headers(up: _Upload, raw: RawTable) -> dict[str, int]:
    """Map contract columns to file positions; report missing/duplicate/extra."""
    ds = up.dataset
    lookup = ds.header_lookup()
    line, sheet = raw.header_line, raw.header_sheet
    positions: dict[str, int] = {}
    for pos, written in enumerate(raw.frame.columns):
        written = str(written)
        name = match_header(lookup, written)
        if name is None:
            if written:
                zh, en = i18n.both("check.header.ignored", written=written, dataset=(ds.title, ds.name))
            else:
                zh, en = i18n.both("check.header.ignored.unnamed", pos=pos + 1, line=line)
            up.problems.add(
                Problem("header.ignored", zh, en, line=line, column=written, severity="warning", sheet=sheet)
            )
        elif name in positions:
            first = up.written[name]
            col = ds.column(name)
            if written == first:
                zh, en = i18n.both("check.header.duplicate", written=written)
            else:
                zh, en = i18n.both(
                    "check.header.duplicate.two_names",
                    written=written,
                    first=first,
                    header=(col.header, col.name),
                )
            up.problems.add(Problem("header.duplicate", zh, en, line=line, column=written, sheet=sheet))
        else:
            positions[name] = pos
            up.written[name] = written
    for col in ds.columns:
        if col.required and col.name not in positions:
            up.problems.add(
                Problem(
                    "header.missing",
                    *i18n.both("check.header.missing", header=col.header, name=col.name, line=line),
                    line=line,
                    column=col.header,
                    sheet=sheet,
                )
            )
    return positions


def _other_ledger(up: _Upload, raw: RawTable, positions: dict[str, int]) -> bool:
    """The file is another ledger's (the activities file chosen as meetings): its header names every
    required column of that ledger and more columns of it than of this one. Then one error says so
    in place of "add column 日期" (which would have staff add columns to the wrong file) and of a
    row check that would list every row as wrong; True when it did."""
    ds = up.dataset
    if all(c.name in positions for c in ds.columns if c.required):
        return False
    written = [str(w) for w in raw.frame.columns if w]
    best: tuple[int, Dataset, list[str]] | None = None
    for other in DATASETS.values():
        if other.name == ds.name:
            continue
        lookup = other.header_lookup()
        named = {match_header(lookup, w): w for w in written}
        named.pop(None, None)
        its = all(c.name in named for c in other.columns if c.required) and len(named) > len(positions)
        if its and (best is None or len(named) > best[0]):
            best = (len(named), other, [named[c.name] for c in other.columns if c.name in named])
    if best is None:
        return False
    _, other, headers = best
    shown = headers[:4] + (["…"] if len(headers) > 4 else [])
    columns = i18n.join_both("sep.list", [(h, h) for h in shown])
    message = i18n.both(
        "check.header.other_dataset", other=(other.title, other.title_en), dataset=(ds.title, ds.title_en),
        columns=columns,
    )  # fmt: skip
    up.problems.items = [p for p in up.problems.items if not p.rule.startswith("header.")]
    up.problems.add(Problem("header.other_dataset", *message, line=raw.header_line, sheet=raw.header_sheet))
    return True


def header_map(dataset: Dataset | str, raw: RawTable) -> dict[str, str]:
    """Contract column name -> header as written, by the very matching :func:`validate` uses.

    For the upload page's read summary ("which file column became which ledger column").
    """
    up = _Upload(get_dataset(dataset) if isinstance(dataset, str) else dataset)
    run_check("header", _check_headers, up, raw)
    return dict(up.written)


def _take_rows(up: _Upload, raw: RawTable, positions: dict[str, int]) -> None:
    """Keep rows with any content; an all-empty row is not data."""
    frame = raw.frame
    arrays = [_arrow_text(frame.iloc[:, i]) for i in range(frame.shape[1])]
    lines = np.asarray(frame.index, dtype=np.int64)
    sheets = raw.sheet_of_row if raw.names_sheets else None
    if arrays and len(lines):
        filled = arrays[0].is_valid()
        for arr in arrays[1:]:
            filled = pc.or_(filled, arr.is_valid())
        if not pc.all(filled).as_py():
            arrays = [a.filter(filled) for a in arrays]
            keep = filled.to_numpy(zero_copy_only=False)
            lines = lines[keep]
            sheets = None if sheets is None else sheets[keep]
    up.lines = lines
    up.sheets = sheets
    up.raw = {name: arrays[pos] for name, pos in positions.items()}


def _arrow_text(series: pd.Series) -> pa.Array:
    arr = pa.array(series, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return arr


# ---------------------------------------------------------------------------
# Cells


def _num(x: float | None) -> str:
    return "" if x is None else (str(int(x)) if float(x).is_integer() else str(x))


_TYPE_MESSAGES: dict[ColType, tuple[str, str]] = {
    ColType.INT: i18n.both("check.cell.int"),
    ColType.NUMBER: i18n.both("check.cell.number"),
    ColType.PERCENT: i18n.both("check.cell.percent"),
    ColType.BOOL: i18n.both("check.cell.bool"),
    ColType.DATE: i18n.both("check.cell.date"),
}
# What staff type, quoted in both languages (the English messages stay free of Chinese).
_TYPED = {"yes": cells.TRUE_WORDS[0], "no": cells.FALSE_WORDS[0], "zh_date": i18n.fmt_date(date(2024, 5, 3))}


def parse_column(col: Column, text: pa.Array) -> cells.Parsed:
    """Type one column's cells (pure, so columns can be parsed in parallel)."""
    if col.type == ColType.ENUM:
        assert col.enum is not None
        return cells.parse_enum(text, col.enum)
    return cells.PARSERS[col.type](text)


def _parse_all(up: _Upload) -> dict[str, cells.Parsed]:
    """Parse the present columns on all cores: pyarrow releases the GIL."""
    present = [c for c in up.dataset.columns if c.name in up.raw]
    for c in present:
        run_check("cell.formula", _formula_cells, up, c)
    for c in present:
        if not c.required and c.type in _TYPE_MESSAGES:  # "/", "—", 无 in an optional cell: empty
            run_check("cell.placeholder", _blank_placeholders, up, c)
    jobs: list[tuple[Any, ...]] = [(f"cell.{c.type}", _parse_one, up, c) for c in present]
    key = up.dataset.key
    distinct = len(key) == 1 and key[0] in up.raw and up.dataset.column(key[0]).type == ColType.TEXT
    if distinct:  # last: its hash table (70 MB for a million keys) meets the columns already encoded
        jobs.append(("key.duplicate", _all_distinct, up.raw[key[0]]))
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        done = list(pool.map(lambda job: run_check(*job), jobs))
    if distinct:
        up.key_distinct = done.pop()
    return dict(zip((c.name for c in present), done, strict=True))


def _parse_one(up: _Upload, col: Column) -> cells.Parsed:
    """Parse one column; where it holds few distinct cells (dates, codes, yes/no), keep its text
    dictionary-encoded from now on: the plain text of a million cells is 10-16 MB a column, its
    encoding 4 MB (a 1M-row import's validation peaked 50 MB lower)."""
    parsed = parse_column(col, up.raw[col.name])
    if parsed.text is not None and 2 * len(parsed.text.dictionary) <= len(parsed.text):
        up.raw[col.name] = parsed.text
    return replace(parsed, text=None)


def _all_distinct(values: pa.Array) -> bool:
    """No value repeats (missing cells aside): counted, not listed (a million keys' unique values
    were 15 MB more beside the hash table)."""
    present = values.drop_null()
    return len(pc.unique(present)) == len(present)


def _formula_cells(up: _Upload, col: Column) -> None:
    """A formula's error value (#N/A) in any column, and in an .xlsx a formula saved without its
    result ('=F2*2', see workbooks._unread_cells): refused as what they are, not as a missing or
    wrongly typed cell (and never kept as a text's value). Two vectorised passes when none is."""
    text = up.raw[col.name]
    errors = cells.excel_errors(text)
    formulas = None
    if up.workbook and cells.any_starts_with(text, "="):
        formulas = pc.fill_null(pc.starts_with(text, "="), False).to_numpy(zero_copy_only=False)
    if errors is None and formulas is None:
        return
    if errors is not None:
        up.cell_problems("cell.formula", col.name, errors, i18n.both("check.cell.formula_error"))
    if formulas is not None:
        up.cell_problems("cell.formula", col.name, formulas, i18n.both("check.cell.formula_uncached"))
    none = np.zeros(len(up.lines), dtype=bool)
    up.formulas[col.name] = (none if errors is None else errors) | (none if formulas is None else formulas)


PLACEHOLDER_LINES = 10  # lines a placeholder warning names; the rest are counted


def _blank_placeholders(up: _Upload, col: Column) -> None:
    """An optional date, number or yes/no cell holding only a not-applicable mark (/, —, 无…) is
    empty, as the form means it: one warning for the column names the lines."""
    text = up.raw[col.name]
    mask = cells.placeholders(text)
    rows = np.flatnonzero(mask).tolist()
    if not rows:
        return
    marks = pc.unique(text.filter(pa.array(mask))).to_pylist()
    up.raw[col.name] = pc.if_else(pa.array(mask), pa.scalar(None, text.type), text)
    cited = [(up.where(r, "zh"), up.where(r, "en")) for r in rows[:PLACEHOLDER_LINES]]
    lines = i18n.join_both("sep.list", cited)
    if len(rows) > PLACEHOLDER_LINES:
        more = i18n.both("check.cell.placeholder.more", n=len(rows))
        lines = (lines[0] + more[0], lines[1] + more[1])
    column, shown = up.header(col.name), i18n.join_both("sep.list", [(m, m) for m in marks])
    message = i18n.both("check.cell.placeholder", column=column, marks=shown, lines=lines)
    up.problems.add(
        Problem("cell.placeholder", *message, line=int(up.lines[rows[0]]), column=column, value=shown[0],
                severity="warning", sheet=up.sheet(rows[0]))
    )  # fmt: skip


def _type_problems(up: _Upload, col: Column, bad: np.ndarray) -> None:
    """The cells not of the column's type, each told what to write instead: a not-applicable mark
    where a value is required, a date shown as an Excel number, a whole number in a small range."""
    if col.required:
        marked = bad & cells.placeholders(up.raw[col.name])
        up.cell_problems("cell.required", col.name, marked, i18n.both("check.cell.required.placeholder"))
        bad = bad & ~marked
    message, extra = _TYPE_MESSAGES[col.type], {}
    if col.type == ColType.DATE and bad.any():  # 45748: refused, with the date it stands for
        rows = np.flatnonzero(bad)
        written = up.text(col.name).take(pa.array(rows)).to_pylist()
        serial: dict[str, list[int]] = {}
        for row, text in zip(rows.tolist(), written, strict=True):
            if (day := cells.excel_serial_date(str(text))) is not None:
                serial.setdefault(day, []).append(row)
        for day, at in serial.items():
            mask = np.zeros(len(bad), dtype=bool)
            mask[at] = True
            up.cell_problems("cell.date", col.name, mask, i18n.both("check.cell.date.serial"), date=day)
            bad = bad & ~mask
        bad = bad & ~_date_hints(up, col, bad)
    elif bad.any() and col.max is None:  # 120人, 1.2万, 约120: told what to write (户类 1-6: its range)
        bad = bad & ~_number_hints(up, col, bad)
    if col.type == ColType.INT and col.min is not None and col.max is not None:  # 户类 1-6
        lo, hi = _num(col.min), _num(col.max)
        example = col.example if col.example and col.min <= float(col.example) <= col.max else lo
        message, extra = i18n.both("check.cell.int.range"), {"lo": lo, "hi": hi, "example": example}
    up.cell_problems(f"cell.{col.type}", col.name, bad, message, **_TYPED, **extra)


def _number_hints(up: _Upload, col: Column, bad: np.ndarray) -> np.ndarray:
    """The bad number cells written as a form writes numbers (cells.number_hint), each told what to
    write instead; the mask of those told."""
    told = np.zeros(len(bad), dtype=bool)
    if col.type not in (ColType.INT, ColType.NUMBER, ColType.PERCENT):
        return told
    rows = np.flatnonzero(bad)
    texts = up.text(col.name).take(pa.array(rows)).to_pylist()
    for row, text in zip(rows.tolist(), texts, strict=True):
        if text is None or (hint := cells.number_hint(text)) is None:
            continue
        kind, fields = hint
        if col.type == ColType.PERCENT and kind == "unit":
            continue  # 85% is read; "85 %%" and the like keep the percent message
        mask = np.zeros(len(bad), dtype=bool)
        mask[row] = True
        up.cell_problems(f"cell.{col.type}", col.name, mask, i18n.both(f"check.cell.number.{kind}"), **fields)
        told[row] = True
    return told


def _date_hints(up: _Upload, col: Column, bad: np.ndarray) -> np.ndarray:
    """The bad date cells written in a way cells.date_hint knows (5月3日, 2024年5月, 24-5-3, 二〇二四年…,
    a weekday that is not the date's), each told what is missing; the mask of those told."""
    told = np.zeros(len(bad), dtype=bool)
    rows = np.flatnonzero(bad)
    if not len(rows):
        return told
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[int]] = {}
    for row, text in zip(rows.tolist(), up.text(col.name).take(pa.array(rows)).to_pylist(), strict=True):
        if text is not None and (hint := cells.date_hint(text)) is not None:
            groups.setdefault((hint[0], tuple(sorted(hint[1].items()))), []).append(row)
    for (kind, fields), at in groups.items():
        fmt: dict[str, Any] = dict(fields)
        if "weekday" in fmt:
            fmt["weekday"] = i18n.both(f"weekday.{fmt['weekday']}")
        mask = np.zeros(len(bad), dtype=bool)
        mask[at] = True
        up.cell_problems("cell.date", col.name, mask, i18n.both(f"check.cell.date.{kind}"), **_TYPED, **fmt)
        told |= mask
    return told


def _check_cells(up: _Upload, col: Column, parsed: cells.Parsed | None) -> None:
    """Required, type, enum and range rules for one column."""
    if parsed is None:  # column absent: all missing
        up.typed[col.name] = pa.nulls(len(up.lines), ARROW_TYPES[col.type])
        return
    text = up.raw[col.name]
    if (formulas := up.formulas.get(col.name)) is not None:  # said once, as formulas
        parsed = replace(parsed, bad=parsed.bad & ~formulas)
    if col.required:
        missing = text.is_null().to_numpy(zero_copy_only=False)
        up.cell_problems(
            "cell.required",
            col.name,
            missing,
            i18n.both("check.cell.required"),
        )
    if col.type == ColType.ENUM:
        assert col.enum is not None
        labels = i18n.t("sep.list", "zh").join(col.enum.labels)
        spelled = ", ".join(f"{c.label} ({c.code})" for c in col.enum.choices)
        up.cell_problems(
            "cell.enum",
            col.name,
            parsed.bad,
            i18n.both("check.cell.enum"),
            choices=(labels, spelled),
        )
    elif col.type in _TYPE_MESSAGES:
        _type_problems(up, col, parsed.bad)
    if col.type == ColType.DATE and parsed.noted is not None:
        note = "" if "note" in up.dataset.column_names else ".no_note"  # 备注 is where a time can go
        up.cell_problems(
            "cell.date.time_dropped",
            col.name,
            parsed.noted,
            i18n.both("check.cell.date.time_dropped" + note),
            severity="warning",
        )
    if col.min is not None or col.max is not None:
        _check_range(up, col, parsed.values)
    if col.type == ColType.PERCENT:
        _check_percent_fractions(up, col, parsed.values)
    up.typed[col.name] = parsed.values


def _check_range(up: _Upload, col: Column, values: pa.Array) -> None:
    out = pa.scalar(False)
    if col.min is not None:
        out = pc.or_(out, pc.less(values, col.min))
    if col.max is not None:
        out = pc.or_(out, pc.greater(values, col.max))
    mask = pc.fill_null(out, False).to_numpy(zero_copy_only=False)
    if col.min is not None and col.max is not None:
        message = i18n.both("check.cell.range.between")
    elif col.min is not None:
        message = i18n.both("check.cell.range.min")
    else:
        message = i18n.both("check.cell.range.max")
    up.cell_problems(
        "cell.range",
        col.name,
        mask,
        message,
        lo=_num(col.min),
        hi=_num(col.max),
    )


def _check_percent_fractions(up: _Upload, col: Column, values: pa.Array) -> None:
    """A percent column whose every value is 1 or less, some with decimals (0.95, 0.928), was
    almost surely typed as fractions (=实到/应到 without the % format): stored as 0.95%, not 95%.
    A warning at each such cell; a column where some cell is written with % is left alone."""
    top = pc.max(values).as_py()
    if top is None or top > 1:  # the usual case: one pass over the column
        return
    fractional = pc.fill_null(pc.not_equal(values, pc.floor(values)), False)
    if not pc.any(fractional).as_py():  # 0 and 1 only: whole percents
        return
    text = up.raw[col.name]
    written = text.dictionary if isinstance(text, pa.DictionaryArray) else text
    if pc.any(pc.match_substring(written, "%")).as_py():
        return
    mask = pc.fill_null(pc.greater(values, 0), False).to_numpy(zero_copy_only=False)
    up.cell_problems(
        "cell.percent.fraction",
        col.name,
        mask,
        i18n.both("check.cell.percent.fraction"),
        severity="warning",
    )


def _fill_default(up: _Upload, col: Column) -> None:
    """Empty cells take the contract default (demolition 重点户: 否)."""
    assert col.default is not None
    default = cells.PARSERS[col.type](pa.array([col.default], pa.string())).values[0]
    empty = up.text(col.name).is_null()
    up.typed[col.name] = pc.if_else(empty, default, up.typed[col.name])


# ---------------------------------------------------------------------------
# Rows and cross-field rules


def _check_key(up: _Upload) -> None:
    """Each key appears once; a repeat cites the line of its first use."""
    ds = up.dataset
    if not len(up.lines) or any(k not in up.raw for k in ds.key):
        return
    if up.key_distinct:  # known while parsing: nothing repeats
        return
    keys = pd.DataFrame({k: _to_pandas(up.typed[k], ds.column(k).type) for k in ds.key})
    complete = keys.notna().all(axis=1).to_numpy()
    keys = keys[complete]
    repeat = keys.duplicated(keep="first").to_numpy()
    if not repeat.any():
        return
    positions = np.flatnonzero(complete)
    first_rows = pd.Series(positions, index=pd.MultiIndex.from_frame(keys))
    first_rows = first_rows[~first_rows.index.duplicated(keep="first")]
    repeats = keys[repeat]
    firsts = first_rows.reindex(pd.MultiIndex.from_frame(repeats)).to_numpy()
    rows = positions[repeat]
    headers = [up.header(k) for k in ds.key]
    column = "+".join(headers)
    texts = [up.text(k).take(pa.array(rows)).to_pylist() for k in ds.key]
    for i, row in enumerate(rows.tolist()):
        value = " / ".join(str(t[i]) for t in texts)
        first = int(firsts[i])
        up.problems.add(
            Problem(
                "key.duplicate",
                *i18n.both(
                    "check.key.duplicate",
                    column=column,
                    value=value,
                    first=(up.where(first, "zh"), up.where(first, "en")),
                ),
                line=int(up.lines[row]),
                column=column,
                value=value,
                sheet=up.sheet(row),
            )
        )


def _check_date_order(up: _Upload, earlier: str, later: str, rule: str) -> None:
    a, b = up.typed[earlier], up.typed[later]
    mask = pc.fill_null(pc.less(b, a), False).to_numpy(zero_copy_only=False)
    up.cell_problems(
        rule,
        later,
        mask,
        i18n.both("check.date_order"),
        other=up.header(earlier),
    )


def _status_rank(up: _Upload, status_column: str, from_code: str) -> tuple[np.ndarray, np.ndarray]:
    """(known, reached): the status is valid / it is at or past ``from_code``."""
    enum = up.dataset.column(status_column).enum
    assert enum is not None
    if status_column not in up.ranks:  # -1 where the status is missing or invalid
        rank = pc.index_in(up.typed[status_column], value_set=pa.array(enum.codes, pa.large_string()))
        up.ranks[status_column] = pc.fill_null(rank, -1).to_numpy(zero_copy_only=False)
    rank = up.ranks[status_column]
    return rank >= 0, rank >= enum.rank(from_code)


def _check_required_from(up: _Upload, column: str, status_column: str, from_code: str) -> None:
    """``column`` must be filled once the status reaches ``from_code``."""
    _, reached = _status_rank(up, status_column, from_code)
    empty = up.text(column).is_null().to_numpy(zero_copy_only=False)
    enum = up.dataset.column(status_column).enum
    assert enum is not None
    up.cell_problems(
        f"required_from.{column}",
        column,
        reached & empty,
        i18n.both("check.required_from"),
        status=up.header(status_column),
        label=(enum.label(from_code), from_code),
    )


def _check_empty_before(up: _Upload, column: str, status_column: str, from_code: str) -> None:
    """``column`` must stay empty until the status reaches ``from_code``."""
    known, reached = _status_rank(up, status_column, from_code)
    filled = up.text(column).is_valid().to_numpy(zero_copy_only=False)
    enum = up.dataset.column(status_column).enum
    assert enum is not None
    up.cell_problems(
        f"empty_before.{column}",
        column,
        known & ~reached & filled,
        i18n.both("check.empty_before"),
        status=up.header(status_column),
        label=(enum.label(from_code), from_code),
    )


def _check_foreign_key(up: _Upload, column: str, ref_dataset: str, existing: set[str]) -> None:
    values = up.typed[column]
    found = pc.is_in(values, value_set=pa.array(sorted(existing), values.type))
    mask = pc.and_(values.is_valid(), pc.invert(found)).to_numpy(zero_copy_only=False)
    ref = get_dataset(ref_dataset)
    up.cell_problems(
        f"foreign_key.{column}",
        column,
        mask,
        i18n.both("check.foreign_key"),
        ref=(ref.title, ref.name),
    )


def check_still_referenced(
    ds: Dataset, frame: pd.DataFrame, referenced: Mapping[tuple[str, str], Mapping[str, int]]
) -> Problems:
    """Keys a new whole version of ``ds`` would drop while other ledgers still use them.

    ``referenced`` maps (referencing dataset, its column) to {key: rows using it}, for the
    foreign keys that point at ``ds`` (e.g. activities.project_code -> brands). Replacing
    the brands without BR-07 while 12 activities name BR-07 would leave them pointing at
    nothing; the removed row is not in the file, so the problem names the key, not a line.
    """
    problems = Problems()
    for (other_name, column), used in referenced.items():
        other = get_dataset(other_name)
        fk = next(fk for fk in other.foreign_keys if fk.column == column)
        kept = set(frame[fk.ref_column].dropna().astype(str))
        header = ds.column(fk.ref_column).header
        for key in sorted(k for k in used if k not in kept):
            message, message_en = i18n.both(
                "check.referenced",
                code=key,
                n=used[key],
                other=(other.title, other.name),
                dataset=(ds.title, ds.name),
                column=(other.column(column).header, column),
            )
            problems.add(
                Problem(
                    rule=f"referenced.{other_name}.{column}",
                    message=message,
                    message_en=message_en,
                    column=header,
                    value=key,
                )
            )
    return problems


def check_references_exist(ds: Dataset, frame: pd.DataFrame, refs: Mapping[str, set[str]]) -> Problems:
    """A stored version of ``ds`` (a restore) whose foreign keys no longer exist.

    An upload's cells are checked with their lines (``foreign_key.*``); a restore
    brings back rows from the database, so the problem names the value, not a line.
    """
    problems = Problems()
    for fk in ds.foreign_keys:
        existing = refs.get(fk.ref_dataset, set())
        values = frame[fk.column].dropna().astype(str)
        missing = values[~values.isin(existing)].value_counts(sort=False)
        ref = get_dataset(fk.ref_dataset)
        header = ds.column(fk.column).header
        for value in sorted(missing.index):
            message, message_en = i18n.both(
                "check.restore.foreign_key",
                n=missing[value],
                column=(header, fk.column),
                value=value,
                ref=(ref.title, ref.name),
            )
            problems.add(
                Problem(
                    rule=fk.id,
                    message=message,
                    message_en=message_en,
                    column=header,
                    value=str(value),
                )
            )
    return problems


def _check_attended_over_expected(up: _Upload, rule: str) -> None:
    """org_life: more people attended than expected is likely a typo, yet guests do come: a warning."""
    expected, attended = up.typed["expected"], up.typed["attended"]
    mask = pc.fill_null(pc.greater(attended, expected), False).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(mask)
    if not len(rows):
        return
    taken = pa.array(rows)
    pairs = zip(attended.take(taken).to_pylist(), expected.take(taken).to_pylist(), strict=True)
    column, expected_column = up.header("attended"), up.header("expected")
    for row, (n_attended, n_expected) in zip(rows.tolist(), pairs, strict=True):
        zh, en = i18n.both(
            f"check.{rule}",
            column=column,
            attended=n_attended,
            expected_column=expected_column,
            expected=n_expected,
        )
        up.problems.add(
            Problem(
                rule,
                zh,
                en,
                line=int(up.lines[row]),
                column=column,
                value=up.text("attended")[row].as_py(),
                severity="warning",
                sheet=up.sheet(row),
            )
        )


SCOPE_RULE = "scope.outside"  # message: check.scope.outside


def _check_scope(up: _Upload, column: str, values: frozenset[str]) -> None:
    """A scoped editor's row whose scope column (社区, 组织编码, 党小组, 责任单位…) is not the scope's."""
    typed = up.typed[column]
    text = typed if pa.types.is_large_string(typed.type) else pc.cast(typed, pa.large_string())
    inside = pc.fill_null(pc.is_in(text, value_set=pa.array(sorted(values), pa.large_string())), False)
    up.cell_problems(SCOPE_RULE, column, pc.invert(inside).to_numpy(zero_copy_only=False),
                     i18n.both("check.scope.outside"))  # fmt: skip


#: Rules of one ledger that its contract cannot declare: (rule id, check); messages: ``check.<id>``.
#: Cross-column rules the contract can say (DateOrder, RequiredFrom) stay in the contract.
LEDGER_CHECKS: dict[str, tuple[tuple[str, Callable[[_Upload, str], None]], ...]] = {
    "org_life": (("org_life.attended_over_expected", _check_attended_over_expected),),
}


def _derive_term_end(up: _Upload) -> None:
    """Elections: an empty term_end is completed_date + TERM_YEARS years."""
    done, end = up.typed["completed_date"], up.typed["term_end"]
    if not len(done):
        return
    done_np = _to_pandas(done, ColType.DATE)
    derived = done_np + pd.DateOffset(years=TERM_YEARS)
    derived_arr = pa.array(derived.dt.date, pa.date32(), from_pandas=True)
    up.typed["term_end"] = pc.if_else(end.is_null(), derived_arr, end)


# ---------------------------------------------------------------------------
# Frames


def _to_pandas(arr: pa.Array, type_: ColType) -> pd.Series:
    """An arrow column as a pandas Series of the agreed dtype."""
    if type_ in (ColType.TEXT, ColType.ENUM):
        return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())))
    if type_ == ColType.DATE:
        return pd.Series(arr.cast(pa.timestamp("s")).to_numpy(zero_copy_only=False)).astype("datetime64[s]")
    dtype = pd.api.types.pandas_dtype(DTYPES[type_])
    return pd.Series(dtype.__from_arrow__(arr))  # type: ignore[attr-defined]


def _to_frame(up: _Upload) -> pd.DataFrame:
    """The typed columns as the frame; each Arrow column is let go once it is converted."""
    index = pd.Index(up.lines, dtype="int64", name="line")
    columns = up.dataset.columns
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        series = list(pool.map(lambda c: _to_pandas(up.typed.pop(c.name), c.type), columns))
    data = {}
    for col, s in zip(columns, series, strict=True):
        s.index = index
        data[col.name] = s
    return pd.DataFrame(data, index=index, copy=False)
