"""Cells corrected in the browser, applied to a read table (never to the user's bytes).

A staff member fixes an offending cell on the upload page and checks again;
the correction is applied to the parsed rows, so the original file stays
exactly as uploaded (kept with the version) and the list of corrections
(cell, old value, new value, who) says what was changed by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from dashboard.ingest.reading import RawTable, normalise_text

MAX_CORRECTIONS = 500  # an upload page never shows more cells than this
MAX_VALUE_CHARS = 2000


@dataclass(frozen=True)
class Correction:
    """One cell changed by hand: spreadsheet line, column as written in the file, old and new value."""

    line: int
    column: str
    old: str | None
    new: str | None
    user: str
    sheet: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Correction:
        return cls(
            line=int(value["line"]),
            column=str(value["column"]),
            old=None if value.get("old") is None else str(value["old"]),
            new=None if value.get("new") is None else str(value["new"]),
            user=str(value.get("user") or ""),
            sheet=None if value.get("sheet") is None else str(value["sheet"]),
        )


def _cell_text(value: str | None) -> str | None:
    """A typed cell as the reader would have normalised it ('' -> None)."""
    text = normalise_text(value or "")[:MAX_VALUE_CHARS]
    return text or None


def cell(raw: RawTable, line: int, column: str) -> str | None:
    """The cell as read; KeyError when the table has no such single cell.

    A line that appears more than once (several sheets) or a column header
    written twice cannot name one cell, so it cannot be corrected.
    """
    frame = raw.frame
    if not frame.index.is_unique or line not in frame.index:
        raise KeyError((line, column))
    positions = [i for i, c in enumerate(frame.columns) if c == column]
    if len(positions) != 1:
        raise KeyError((line, column))
    value = frame.iloc[frame.index.get_loc(line), positions[0]]
    return None if pd.isna(value) else str(value)


def can_correct(raw: RawTable, line: int | None, column: str | None) -> bool:
    if line is None or column is None:
        return False
    try:
        cell(raw, line, column)
    except KeyError:
        return False
    return True


def merge(
    raw: RawTable,
    previous: Sequence[Correction],
    edits: Iterable[tuple[int, str, str]],
    user: str,
) -> list[Correction]:
    """The corrections after ``edits`` ((line, column, new text)) on top of ``previous``.

    ``raw`` is the table as read from the original bytes, so ``old`` is always
    the file's own value, whatever was typed before; an edit back to that value
    drops the correction. Cells the table does not have are ignored (the browser
    only offers real ones; a forged event gets nothing).
    """
    out: dict[tuple[int, str], Correction] = {(c.line, c.column): c for c in previous}
    for line, column, new in edits:
        try:
            old = cell(raw, int(line), str(column))
        except (KeyError, ValueError, TypeError):
            continue
        value = _cell_text(str(new))
        key = (int(line), str(column))
        if value == old:
            out.pop(key, None)
        else:
            out[key] = Correction(line=int(line), column=str(column), old=old, new=value, user=user)
        if len(out) > MAX_CORRECTIONS:
            out.pop(key)
    return sorted(out.values(), key=lambda c: (c.line, c.column))


def apply(raw: RawTable, corrections: Sequence[Correction]) -> RawTable:
    """A copy of ``raw`` with each correction's cell set to its new value.

    Raises KeyError for a cell the table does not have: corrections were made
    against this very file, so a miss is a bug, never bad data.
    """
    if not corrections:
        return raw
    frame = raw.frame.copy()
    for c in corrections:
        cell(raw, c.line, c.column)  # the cell exists, once
        pos = list(frame.columns).index(c.column)
        frame.iloc[frame.index.get_loc(c.line), pos] = c.new
    return RawTable(
        frame=frame,
        headers=list(raw.headers),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        problems=raw.problems,
        kind=raw.kind,
        sheets=list(raw.sheets),
        header_lines=dict(raw.header_lines),
    )


def describe(corrections: Sequence[Correction]) -> str:
    """The corrections for the audit log: "1 cell(s) corrected: line 5 户类 '九' -> '1' (staff)"."""
    cells = [f"line {c.line} {c.column} {c.old or ''!r} -> {c.new or ''!r} ({c.user})" for c in corrections]
    return f"{len(cells)} cell(s) corrected: " + "; ".join(cells)
