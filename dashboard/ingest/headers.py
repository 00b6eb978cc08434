"""Header cells as templates write them, and which row of a sheet is the header.

Offices mark required columns with *, add units (党员数（人）, 建筑面积(㎡),
到会率(%)) and wrap long headers over two lines; all of these name the same
column. The header row is the first row that names at least two columns of
one dataset: a title (xx街道换届工作进度表) or a 单位/日期 line above it never does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from dashboard.contract import DATASETS

HEADER_SEARCH_ROWS = 50  # the header is among a sheet's first rows
_MIN_MATCHED = 2  # columns of one dataset a row must name to be its header

_SPACES = re.compile(r"\s+")
_DECORATION = re.compile(r"(\*+|\([^()]*\))$")  # NFKC has made ＊ and （） half-width


def header_key(text: str) -> str:
    """'党员数（人）*', '组织\\n编码 ＊' -> '党员数', '组织编码': the spelling headers are matched on."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    while True:
        shorter = _DECORATION.sub("", key)
        if shorter == key or not shorter:
            return key
        key = shorter


@lru_cache(maxsize=1)
def _lookups() -> tuple[dict[str, str], ...]:
    return tuple(ds.header_lookup() for ds in DATASETS.values())


def match_header(lookup: dict[str, str], text: str) -> str | None:
    """The column name ``text`` (a header cell as written) stands for in ``lookup``, if any."""
    key = header_key(text)
    return lookup.get(key) or lookup.get(key.lower())


def names_contract_columns(cells: Sequence[str]) -> int:
    """How many distinct columns of the best-matching dataset these cells name."""
    keys = {header_key(c) for c in cells if c}
    keys |= {k.lower() for k in keys}
    return max(len({lookup[k] for k in keys if k in lookup}) for lookup in _lookups())


def is_header_row(cells: Sequence[str]) -> bool:
    return names_contract_columns(cells) >= _MIN_MATCHED


def find_header(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the first row among the first rows that is a contract header; None if none is."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(row) and is_header_row(row):
            return i
    return None
