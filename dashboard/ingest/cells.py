"""Vectorised cell parsers: a column of normalised strings -> typed values.

Each parser takes a pyarrow string array (null = empty cell) and returns a
:class:`Parsed`: the typed values (null where empty or unreadable) and a mask
of cells that had text but could not be read. Parsers work on the distinct
values only (ledgers repeat the same dates, statuses and numbers a lot), so a
million rows cost about as much as their distinct values.

A parser never catches exceptions: a bug here must surface as a bug
(validation wraps it in CheckCrashed), never as "invalid cell".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.contract import ColType, Enum

# √ ✓ ✔ and × ✗ ✘ ○ are how paper forms and their spreadsheets tick a box; ☑ and ☒ a ticked and a
# crossed check box (WPS's 符号 menu). An empty box ☐ says nothing sure: refused.
TRUE_WORDS = ("是", "y", "yes", "true", "1", "√", "✓", "✔", "☑")
FALSE_WORDS = ("否", "n", "no", "false", "0", "×", "✗", "✘", "○", "☒")
# A phone's emoji keyboard adds a variation selector to a tick (✔️ is ✔ U+FE0F): the same mark.
_VARIATION_SELECTORS = "[\ufe0e\ufe0f]"  # the characters themselves: RE2 takes no \u escapes

# Years outside this are typos (and beyond what the databases store).
MIN_YEAR, MAX_YEAR = 1900, 2199

_INT = r"^[+-]?\d{1,15}(\.0*)?$"
_NUMBER = r"^[+-]?(\d{1,15}(\.\d*)?|\.\d+)([eE][+-]?\d{1,2})?$"
# Excel's 使用千位分隔符 format saved to CSV: "1,203", "1,234.5" (a full-width ， is a comma by now).
# Not "0,085" or "12,5": decimal commas, never what the format writes.
_GROUPED = r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?$"
_DATE = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"
_DATE_ZH = r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]$"  # 3号: how 3日 is said
# A weekday after the date, as Excel's and WPS's long date formats show it: 星期五, 周五, (周五).
_WEEKDAY = r"\s*\(?(?:星期|周|礼拜)(?P<w>[一二三四五六日天])\)?$"
_WEEKDAY_NAMES = pa.array(list(_WEEKDAY_CHARS := "一二三四五六日天"))  # Monday first; 天 is 日 (7 -> 6)
# A date cell saved to CSV by Excel/WPS carries its time: "2018/5/1 0:00".
_TIME = r"[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?$"


@dataclass
class Parsed:
    """Typed values and the cells that could not be read."""

    values: pa.Array
    bad: np.ndarray  # bool, True where a non-empty cell is not valid
    noted: np.ndarray | None = None  # bool, read but worth a warning (a date's time of day dropped)
    # The cells as written, dictionary-encoded (the parse built it anyway), or None: where a column
    # holds few distinct cells, validation keeps this instead of the plain text to quote from.
    text: pa.DictionaryArray | None = None


def in_slices(values: pa.Array, parse: Callable[[pa.Array], Parsed]) -> Parsed:
    """``parse`` run on slices of :data:`SLICE_ROWS` cells, joined: what a parse makes on the way
    (its distinct values, matches, casts) is held for one slice at a time, not for the whole
    column (10-26 MB a column of a million cells, two columns at once). A cell's value depends
    on that cell alone."""
    if len(values) <= SLICE_ROWS:
        return parse(values)
    parts = [parse(values.slice(start, SLICE_ROWS)) for start in range(0, len(values), SLICE_ROWS)]
    noted = None
    if any(p.noted is not None for p in parts):
        noted = np.concatenate([np.zeros(len(p.bad), bool) if p.noted is None else p.noted for p in parts])
    text = None
    if all(p.text is not None for p in parts):
        text = pa.concat_arrays([p.text for p in parts])  # the slices' dictionaries unified
    return Parsed(
        pa.concat_arrays([p.values for p in parts]), np.concatenate([p.bad for p in parts]), noted, text
    )


SLICE_ROWS = 262_144


def on_distinct(values: pa.Array, parse: Callable[[pa.Array], pa.Array]) -> Parsed:
    """Run ``parse`` on the distinct non-null strings and spread the result, a slice at a time.

    ``parse`` gets a null-free string array and returns a typed array of the
    same length, null where the text is not a valid value.
    """
    return in_slices(values, lambda part: _on_distinct(part, parse))


def _on_distinct(values: pa.Array, parse: Callable[[pa.Array], pa.Array]) -> Parsed:
    enc = pc.dictionary_encode(values)
    typed = parse(enc.dictionary.cast(pa.string()))
    out = pc.take(typed, enc.indices)
    bad = pc.and_(pc.is_valid(enc.indices), pc.is_null(out))
    return Parsed(out, bad.to_numpy(zero_copy_only=False), text=enc)


def _matching(text: pa.Array, pattern: str) -> pa.Array:
    """``text`` where it fully matches ``pattern``, else null."""
    ok = pc.match_substring_regex(text, pattern)
    return pc.if_else(ok, text, pa.scalar(None, text.type))


def _ungrouped(text: pa.Array) -> pa.Array:
    """'1,203' -> '1203', '1,234.5' -> '1234.5'; any other comma is left for the parse to refuse."""
    if not pc.any(pc.match_substring(text, ",")).as_py():  # the usual case: one literal search
        return text
    grouped = pc.match_substring_regex(text, _GROUPED)
    return pc.if_else(grouped, pc.replace_substring(text, ",", ""), text)


def _int(text: pa.Array) -> pa.Array:
    clean = _matching(_ungrouped(text), _INT)
    clean = pc.replace_substring_regex(clean, r"\.0*$", "")
    clean = pc.replace_substring_regex(clean, r"^\+", "")
    return pc.cast(clean, pa.int64())


def _number(text: pa.Array) -> pa.Array:
    return pc.cast(_matching(_ungrouped(text), _NUMBER), pa.float64())


def _percent(text: pa.Array) -> pa.Array:
    return _number(pc.replace_substring_regex(text, r"\s*%$", ""))


def _bool(text: pa.Array) -> pa.Array:
    low = pc.replace_substring_regex(pc.utf8_lower(text), _VARIATION_SELECTORS, "")
    yes = pc.is_in(low, value_set=pa.array(TRUE_WORDS))
    no = pc.is_in(low, value_set=pa.array(FALSE_WORDS))
    return pc.if_else(yes, True, pc.if_else(no, pa.scalar(False), pa.scalar(None, pa.bool_())))


def _date(text: pa.Array) -> pa.Array:
    """2024-05-03, 2024/5/3, 2024.5.3, 2024年5月3日 (or 3号, spaces around 年月日), any of them
    followed by its weekday (2024-05-03(周五), 2024年5月3日星期五: Excel's long date format saved
    as text) -> date32; others null, and so is a date whose weekday is not the one written."""
    written_weekday = pc.match_substring_regex(text, _WEEKDAY)
    weekday = pc.if_else(written_weekday, pc.extract_regex(text, _WEEKDAY).field("w"), None)
    text = pc.replace_substring_regex(text, _WEEKDAY, "")
    text = pc.replace_substring_regex(text, _DATE_ZH, r"\1-\2-\3")
    matches = pc.match_substring_regex(text, _DATE)
    parts = pc.extract_regex(pc.if_else(matches, text, "1970-1-1"), _DATE)
    y = _to_ints(parts.field("y"))
    m = _to_ints(parts.field("m"))
    d = _to_ints(parts.field("d"))
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    ok = (y >= MIN_YEAR) & (y <= MAX_YEAR) & (m >= 1) & (m <= 12) & (d >= 1)
    mi = np.clip(m - 1, 0, 11)
    ok &= d <= month_days[mi] + ((mi == 1) & leap)
    ok &= matches.to_numpy(zero_copy_only=False)
    months = (y - 1970) * 12 + mi
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    if weekday.null_count < len(weekday):  # written: it must be the date's own (1970-01-01 a Thursday)
        written = pc.fill_null(pc.index_in(weekday, value_set=_WEEKDAY_NAMES), -1)
        written = written.to_numpy(zero_copy_only=False)
        actual = (days.astype(np.int64) + 3) % 7
        ok &= (written < 0) | (np.minimum(written, 6) == actual)
    return pa.array(days, pa.date32(), mask=~ok)


def _to_ints(strings: pa.Array) -> np.ndarray:
    return pc.cast(strings, pa.int64()).to_numpy(zero_copy_only=False)


# An Excel date shown as its number (a date cell formatted 常规/General, or saved so to CSV): 45748 is
# 2025-04-01. Five digits standing for a date of these years; named in the message, never read as a date.
_EXCEL_DAY0 = np.datetime64("1899-12-30", "D")  # Excel's day 0 (1900 system) for every serial from 61 on
SERIAL_YEARS = (1950, 2100)


def excel_serial_date(text: str) -> str | None:
    """'45748' or '45748.5' (a time of day) -> '2025-04-01', the date it stands for; else None."""
    whole, _, fraction = text.partition(".")
    if not (len(whole) == 5 and whole.isascii() and whole.isdigit()):
        return None
    if fraction and not (fraction.isascii() and fraction.isdigit()):
        return None
    day = _EXCEL_DAY0 + np.timedelta64(int(whole), "D")
    return str(day) if SERIAL_YEARS[0] <= day.astype(object).year <= SERIAL_YEARS[1] else None


_NO_YEAR = re.compile(r"(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?")
_NO_DAY = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*月?")
_EIGHT_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20240503: told to write 2024-05-03, not read
_SHORT_YEAR = re.compile(r"(\d{2})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?")
_ZH_NUMERALS = re.compile(r"[〇零一二三四五六七八九十]+\s*年|[〇零一二三四五六七八九十]+\s*月")


def date_hint(text: str) -> tuple[str, dict[str, str]] | None:
    """Why a cell is not a date, when it is one of the ways offices write dates we will not guess
    at: (what is missing or wrong, the fields its message names); None for anything else."""
    text = text.strip()
    if _NO_YEAR.fullmatch(text):
        return "no_year", {}
    if _NO_DAY.fullmatch(text):
        return "no_day", {}
    if (m := _EIGHT_DIGITS.fullmatch(text)) and (day := _date(pa.array(["-".join(m.groups())]))[0].as_py()):
        return "eight_digits", {"date": day.isoformat()}
    if _SHORT_YEAR.fullmatch(text):
        return "short_year", {}
    if _ZH_NUMERALS.search(text):
        return "zh_numerals", {}
    if m := re.search(_WEEKDAY, text):
        day = _date(pa.array([text[: m.start()]], pa.large_string()))[0].as_py()
        if day is not None:
            return "weekday", {"date": day.isoformat(), "weekday": str(day.weekday())}
    return None


# Numbers as people write them in a form's cell: with the column's unit (120人, 186.5平方米; NFKC has
# made ㎡ and m² m2), in 万, or approximate (约120, 120余, 100-120). None is read: each is told what to write.
_NUMERAL = r"[+-]?\d+(?:\.\d+)?"
NUMBER_UNITS = (
    "人次", "人", "名", "个", "次", "项", "件", "户", "处", "间", "套",
    "平方米", "平米", "平", "m2", "米", "元", "%",
)  # fmt: skip
ROUGH_BEFORE = ("约", "大约", "近", "超过", "超", "不到", "不足")  # 约120
ROUGH_AFTER = ("余", "多", "左右", "以上", "以下")  # 120余
RANGE_MARKS = ("-", "~", "～", "至", "到")  # 100-120
TEN_THOUSAND = "万"
_UNITS = "|".join(map(re.escape, NUMBER_UNITS))
_WITH_UNIT = re.compile(rf"({_NUMERAL})\s*(?:{_UNITS})")
_WAN = re.compile(rf"({_NUMERAL})\s*{TEN_THOUSAND}(?:{_UNITS})?")
_ROUGH = re.compile(
    rf"(?:{'|'.join(ROUGH_BEFORE)})\s*{_NUMERAL}\s*(?:{'|'.join(ROUGH_AFTER[:3])})?\s*(?:{_UNITS})?"
    rf"|{_NUMERAL}\s*(?:{'|'.join(ROUGH_AFTER)})\s*(?:{_UNITS})?"
    rf"|{_NUMERAL}\s*(?:{'|'.join(map(re.escape, RANGE_MARKS))})\s*{_NUMERAL}\s*(?:{_UNITS})?"
)


def number_hint(text: str) -> tuple[str, dict[str, str]] | None:
    """Why a cell is not a number, when it is a number as a form writes one that we will not guess
    at: ('unit' | 'wan' | 'rough', the number to write, where there is one); None for anything else."""
    text = text.strip()
    if m := _WITH_UNIT.fullmatch(text):
        return "unit", {"number": m.group(1)}
    if m := _WAN.fullmatch(text):
        number = Decimal(m.group(1)) * 10_000
        return "wan", {"number": format(number.normalize(), "f")}
    if _ROUGH.fullmatch(text):
        return "rough", {}
    return None


# "Not applicable" as Chinese forms write it in a cell with no value (an optional cell holding only
# this is empty; ／ and － are / and - once normalised, kept for text that was not).
PLACEHOLDERS = ("/", "／", "-", "－", "—", "——", "无")


def placeholders(values: pa.Array) -> np.ndarray:
    """True where a cell holds only a not-applicable mark (plain or dictionary-encoded text)."""
    words = values.dictionary if isinstance(values, pa.DictionaryArray) else values
    found = pc.is_in(words, value_set=pa.array(PLACEHOLDERS, words.type))
    if isinstance(values, pa.DictionaryArray):
        found = pc.take(found, values.indices)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


# What a formula shows when it fails (VLOOKUP finding nothing: #N/A; a division by an empty cell:
# #DIV/0!), as a workbook cell or saved to CSV: never a ledger value, not even a text's.
EXCEL_ERRORS = (
    "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#FIELD!",
    "#GETTING_DATA", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
)  # fmt: skip


def any_starts_with(values: pa.Array, char: str) -> bool:
    """Some cell starts with ``char`` (one kernel pass, about 8 ms a million cells)."""
    return bool(pc.any(pc.starts_with(values, char)).as_py())


def excel_errors(values: pa.Array) -> np.ndarray | None:
    """True where a cell is a formula's error value ('#N/A'); None when none is (the first bytes
    only, for a column without a '#' at the start of a cell)."""
    if not any_starts_with(values, "#"):
        return None
    found = pc.is_in(pc.utf8_upper(values), value_set=pa.array(EXCEL_ERRORS, values.type))
    mask = pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return mask if mask.any() else None


def parse_text(values: pa.Array) -> Parsed:
    """Text is kept as written (already trimmed and normalised)."""
    return Parsed(values, np.zeros(len(values), dtype=bool))


def parse_int(values: pa.Array) -> Parsed:
    """'12', '12.0', '+12', '1,203' -> 12, 12, 12, 1203; '12.5', '12,5' and 'abc' are bad."""
    return on_distinct(values, _int)


def parse_number(values: pa.Array) -> Parsed:
    return on_distinct(values, _number)


def parse_percent(values: pa.Array) -> Parsed:
    """'85', '85%', '85.0' -> 85.0 (the range is the column's min/max)."""
    return on_distinct(values, _percent)


def parse_bool(values: pa.Array) -> Parsed:
    """是/否, Y/N, yes/no, true/false, 1/0 in any case."""
    return on_distinct(values, _bool)


def parse_date(values: pa.Array) -> Parsed:
    """Dates as _date reads them, optionally followed by a time of day.

    A midnight time ("2018/5/1 0:00", how Excel/WPS save a date cell as CSV)
    is just the date; another time gives the date, noted for a warning.
    """
    return in_slices(values, _parse_dates)


def _parse_dates(values: pa.Array) -> Parsed:
    enc = pc.dictionary_encode(values)
    text = enc.dictionary.cast(pa.string())
    timed = pc.match_substring_regex(text, _TIME)
    if not pc.any(timed).as_py():
        typed = _date(text)
        noted = None
    else:
        parts = pc.extract_regex(pc.if_else(timed, text, "x 0:00"), r"^(?P<d>.*?)" + _TIME)
        hour, minute = _to_ints(parts.field("h")), _to_ints(parts.field("mi"))
        second = pc.fill_null(
            pc.cast(pc.if_else(pc.equal(parts.field("s"), ""), None, parts.field("s")), pa.int64()), 0
        ).to_numpy(zero_copy_only=False)
        is_timed = timed.to_numpy(zero_copy_only=False)
        clock_ok = (hour < 24) & (minute < 60) & (second < 60)
        typed = _date(pc.if_else(timed, parts.field("d"), text))
        typed = pc.if_else(pa.array(~is_timed | clock_ok), typed, pa.scalar(None, pa.date32()))
        midnight = (hour == 0) & (minute == 0) & (second == 0)
        noted = pc.take(pa.array(is_timed & ~midnight & clock_ok), enc.indices)
        noted = pc.fill_null(noted, False).to_numpy(zero_copy_only=False)
    out = pc.take(typed, enc.indices)
    bad = pc.and_(pc.is_valid(enc.indices), pc.is_null(out)).to_numpy(zero_copy_only=False)
    if noted is not None:
        noted &= ~bad
    return Parsed(out, bad, noted, enc)


def parse_enum(values: pa.Array, enum: Enum) -> Parsed:
    """Chinese label or English code (any case) -> the code."""
    spellings: dict[str, str] = {}
    for choice in enum.choices:
        spellings[choice.label.lower()] = choice.code
        spellings[choice.code.lower()] = choice.code
    keys = pa.array(list(spellings))
    codes = pa.array(list(spellings.values()))

    def lookup(text: pa.Array) -> pa.Array:
        return pc.take(codes, pc.index_in(pc.utf8_lower(text), value_set=keys))

    return on_distinct(values, lookup)


# Looked up at call time so a test can swap in a broken parser.
PARSERS: dict[ColType, Callable[[pa.Array], Parsed]] = {
    ColType.TEXT: parse_text,
    ColType.INT: parse_int,
    ColType.NUMBER: parse_number,
    ColType.PERCENT: parse_percent,
    ColType.BOOL: parse_bool,
    ColType.DATE: parse_date,
}
