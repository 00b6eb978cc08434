"""Header cells as templates write them, and which row of a sheet is the header.

Offices mark required columns with * (before or after the name) or 【必填】, add units
(党员数（人）, 建筑面积(㎡), 到会率(%), 到会率%, 党员数/人) and wrap long headers over two
lines; all of these name the same column. The header row is the first row that names at least two columns of
one dataset: a title (xx街道换届工作进度表) or a 单位/日期 line above it never does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from dashboard.contract import DATASETS, normalise_text

HEADER_SEARCH_ROWS = 50  # the header is among a sheet's first rows
_MIN_MATCHED = 2  # columns of one dataset a row must name to be its header

_SPACES = re.compile(r"\s+")
# NFKC has made ＊ （） ［］ ％ ／ half-width. After the name: a required mark, a unit or a note in
# brackets (党员数（人）, 组织编码【必填】), a percent sign (到会率%) or a unit after a slash (党员数/人);
# before it: a required mark or a bracketed note (*组织编码, 【必填】组织编码).
_DECORATION = re.compile(r"(\*+|\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|%|‰|/[^/]{1,4})$")
_LEADING = re.compile(r"^(\*+|\[[^\[\]]*\]|【[^【】]*】)")


def header_key(text: str) -> str:
    """'党员数（人）*', '组织\\n编码 ＊', '*组织编码', '到会率%', '党员数/人' -> the name alone: the
    spelling headers are matched on."""
    key = _SPACES.sub("", normalise_text(text))
    while True:
        shorter = _LEADING.sub("", _DECORATION.sub("", key))
        if shorter == key or not shorter:
            return key
        key = shorter


@lru_cache(maxsize=1)
def _lookups() -> dict[str, dict[str, str]]:
    return {name: ds.header_lookup() for name, ds in DATASETS.items()}


def match_header(lookup: dict[str, str], text: str) -> str | None:
    """The column name ``text`` (a header cell as written) stands for in ``lookup``, if any."""
    key = header_key(text)
    return lookup.get(key) or lookup.get(key.lower())


def names_contract_columns(cells: Sequence[str]) -> int:
    """How many distinct columns of the best-matching dataset these cells name."""
    return len(header_columns(cells)[1])


def header_columns(cells: Sequence[str], dataset: str | None = None) -> tuple[str, frozenset[str]]:
    """(dataset, the columns of it these cells name): of ``dataset``, or else of the dataset they
    name most columns of (the first of those in the contract's order)."""
    dataset = dataset if dataset in DATASETS else None
    keys = {header_key(c) for c in cells if c}
    keys |= {k.lower() for k in keys}
    named = {
        name: frozenset(lookup[k] for k in keys if k in lookup)
        for name, lookup in _lookups().items()
        if dataset is None or name == dataset
    }
    best = max(named, key=lambda name: len(named[name]))
    return best, named[best]


def is_header_row(cells: Sequence[str]) -> bool:
    return names_contract_columns(cells) >= _MIN_MATCHED


def find_header(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the first row among the first rows that is a contract header; None if none is."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(row) and is_header_row(row):
            return i
    return None


def two_row_header(rows: Sequence[Sequence[str]], at: int) -> tuple[list[str], int]:
    """(the header's cells, index of its last row) for the header found at row ``at``.

    A government form often heads a few columns with one merged label (时间节点 over 计划完成日期 /
    完成日期 / 任期届满日期, one row down) and merges the other headers down both rows. The row
    under the header is then a header too, naming columns the first does not: a column is named
    by its lower cell where that names a column, else by its upper one. A data row never names
    two columns, so the row under a one-row header is left alone.
    """
    upper = list(rows[at])
    if at + 1 >= len(rows) or not is_header_row(rows[at + 1]):
        return upper, at
    lower = list(rows[at + 1])
    dataset, named = header_columns(upper)
    below = header_columns(lower, dataset)[1]
    if not below - named:
        return upper, at
    width = max(len(upper), len(lower))
    upper += [""] * (width - len(upper))
    lower += [""] * (width - len(lower))
    lookup = _lookups()[dataset]
    cells = [lo if match_header(lookup, lo) or not up else up for up, lo in zip(upper, lower, strict=True)]
    return cells, at + 1
