"""How a file was read, said back to the person who uploaded it before anything is written.

Encoding, sheet(s), header row, the lines skipped and why, and which file
column became which ledger column (and which were ignored). Language-free: the
upload page renders it from the catalogue; skipped lines keep the reader's own
messages (``read.skipped.*`` warnings, already in Chinese and English).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from dashboard.contract import Dataset, get_dataset
from dashboard.ingest.reading import RawTable
from dashboard.ingest.validation import header_map

SKIPPED_RULE_PREFIX = "read.skipped."


@dataclass(frozen=True)
class SkippedLine:
    """A line that is not data (empty, 合计, 填表人 footer), and the reader's reason."""

    line: int | None
    sheet: str | None
    rule: str  # read.skipped.empty | read.skipped.total | read.skipped.footer
    message: str
    message_en: str


@dataclass(frozen=True)
class ColumnMatch:
    """A file column and the ledger column it became."""

    written: str  # the header as written in the file
    column: str  # the contract's column name
    header: str  # the contract's Chinese header


@dataclass
class ReadSummary:
    kind: str  # csv | xlsx | xls | ods
    encoding: str  # the text encoding (CSV), or the kind for a workbook
    delimiter: str | None
    sheets: list[str] = field(default_factory=list)
    header_lines: dict[str, int] = field(default_factory=dict)  # sheet ("" for CSV) -> line
    skipped: list[SkippedLine] = field(default_factory=list)
    columns: list[ColumnMatch] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # file headers no ledger column took

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ReadSummary:
        return cls(
            kind=value["kind"],
            encoding=value["encoding"],
            delimiter=value.get("delimiter"),
            sheets=list(value.get("sheets", [])),
            header_lines={str(k): int(v) for k, v in value.get("header_lines", {}).items()},
            skipped=[SkippedLine(**s) for s in value.get("skipped", [])],
            columns=[ColumnMatch(**c) for c in value.get("columns", [])],
            ignored=list(value.get("ignored", [])),
        )


def summarise(raw: RawTable, dataset: Dataset | str) -> ReadSummary:
    """What the reader did with the file, and how its header maps onto ``dataset``."""
    ds = get_dataset(dataset) if isinstance(dataset, str) else dataset
    written = header_map(ds, raw)
    by_header = {h: name for name, h in written.items()}
    columns = [
        ColumnMatch(written=h, column=by_header[h], header=ds.column(by_header[h]).header)
        for h in raw.headers
        if h in by_header
    ]
    taken = set(by_header)
    ignored = [h for h in raw.headers if h not in taken]  # "" : a column with cells but no header
    skipped = [
        SkippedLine(p.line, p.sheet, p.rule, p.message, p.message_en)
        for p in raw.problems.items
        if p.rule.startswith(SKIPPED_RULE_PREFIX)
    ]
    header_lines = dict(raw.header_lines) or {(raw.sheets[0] if raw.sheets else ""): 1}
    return ReadSummary(
        kind=raw.kind,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheets=list(raw.sheets),
        header_lines=header_lines,
        skipped=skipped,
        columns=columns,
        ignored=ignored,
    )
