"""Typed problems found in an upload, and the result of checking one.

Modelled on cfpb's regtech-data-validator: every problem names the rule (an
id) that found it, where (spreadsheet line, column as written in the file),
the offending value, and a message in Chinese with an English version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from dashboard import i18n

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload.

    ``line`` is the spreadsheet line (its own row number, whatever was
    skipped) or None for file-level problems; ``sheet`` names the worksheet
    when the workbook has several (None for CSV and one-sheet workbooks);
    ``column`` is the header as written in the file (or the contract's
    Chinese header for a missing column), None for row-level ones.
    """

    rule: str
    message: str
    message_en: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    sheet: str | None = None  # the workbook sheet, when the line could be in several

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def where(self, lang: str = "zh") -> str:
        """'sheet 3月, line 3, column 户类' / '「3月」第 3 行，列「户类」' for human output."""
        parts = []
        if self.line is not None:
            parts.append(where_line(self.sheet, self.line, lang))
        elif self.sheet:
            parts.append(i18n.t("where.sheet", lang, sheet=self.sheet))
        if self.column is not None:
            parts.append(i18n.t("where.column", lang, column=self.column))
        return i18n.t("where.sep", lang).join(parts)


def where_line(sheet: str | None, line: int, lang: str = "zh") -> str:
    """'「3月」第 5 行' / 'sheet 3月, line 5' (no sheet named when none needs naming)."""
    if sheet:
        return i18n.t("where.sheet_line", lang, sheet=sheet, line=line)
    return i18n.t("where.line", lang, line=line)


@dataclass
class Problems:
    """Problems collected together (errors and warnings), never just the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: list[Problem] | Problems) -> None:
        self.items.extend(problems.items if isinstance(problems, Problems) else problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def __bool__(self) -> bool:
        return bool(self.items)


class CheckCrashed(RuntimeError):
    """A check itself failed (a bug in our code), never a data error.

    Raised with the check's id so the bug is reported as a bug: the upload is
    refused with an internal-error message and nothing is written.
    """

    def __init__(self, rule: str, cause: BaseException) -> None:
        super().__init__(f"check {rule!r} crashed: {cause!r}")
        self.rule = rule
        self.cause = cause


class UnreadableFile(Exception):
    """Not a table we can read at all (empty, no header, binary, encrypted, bomb).

    Carries a Chinese message that names what the file is and says what to do, and an English one.
    """

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(f"{message} / {message_en}")
        self.message = message
        self.message_en = message_en
