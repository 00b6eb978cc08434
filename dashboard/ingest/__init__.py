"""Reading and checking an uploaded file: decode, workbooks, sheet and header, cells, validation, problems.

Language-free results (rule ids, lines, columns); nothing here touches the database.
"""

from __future__ import annotations

from dashboard.lazy import exports

# Public names and the module that defines each (dashboard.lazy: imported on first use).
_PUBLIC: dict[str, str] = {
    "TRUE_WORDS": "cells",
    "FALSE_WORDS": "cells",
    "Parsed": "cells",
    "on_distinct": "cells",
    "parse_text": "cells",
    "parse_int": "cells",
    "parse_number": "cells",
    "parse_percent": "cells",
    "parse_bool": "cells",
    "parse_date": "cells",
    "parse_enum": "cells",
    "PARSERS": "cells",
    "MAX_CORRECTIONS": "corrections",
    "MAX_VALUE_CHARS": "corrections",
    "Correction": "corrections",
    "cell": "corrections",
    "can_correct": "corrections",
    "merge": "corrections",
    "apply": "corrections",
    "describe": "corrections",
    "Severity": "problems",
    "Problem": "problems",
    "Problems": "problems",
    "CheckCrashed": "problems",
    "UnreadableFile": "problems",
    "header_key": "headers",
    "match_header": "headers",
    "find_header": "headers",
    "Sheet": "workbooks",
    "read_workbook": "workbooks",
    "XLSX_MAX_UNCOMPRESSED": "reading",
    "XLSX_MAX_RATIO": "reading",
    "XLSX_RATIO_MIN_BYTES": "reading",
    "RawTable": "reading",
    "read_table": "reading",
    "normalise": "reading",
    "SKIPPED_RULE_PREFIX": "summary",
    "SkippedLine": "summary",
    "ColumnMatch": "summary",
    "ReadSummary": "summary",
    "summarise": "summary",
    "T": "validation",
    "DTYPES": "frames",
    "ARROW_TYPES": "validation",
    "Checked": "validation",
    "run_check": "validation",
    "validate": "validation",
    "header_map": "validation",
    "parse_column": "validation",
    "check_still_referenced": "validation",
    "check_references_exist": "validation",
    "typed_empty": "frames",
    "coerce_types": "frames",
}
__all__, __getattr__ = exports(__name__, _PUBLIC)
