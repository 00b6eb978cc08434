"""Tests assert which catalogue message a problem carries and what it was filled with, not its wording.

``said(problem, "check.header.missing")`` fails unless the problem's Chinese and English messages
are that key's two templates, and returns the values its ``{fields}`` were filled with, so a test
pins the message and what it names (line, column, value…) while the words stay free to change.
The wording itself is tested once per message, in tests/test_messages.py.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Protocol

from dashboard import i18n


class Said(Protocol):
    """A Problem, an UnreadableFile, a state or anything else carrying a message in both languages."""

    @property
    def message(self) -> str: ...

    @property
    def message_en(self) -> str: ...


def template_pattern(template: str) -> re.Pattern[str]:
    """'第 {line} 行' -> a pattern matching that text with any value in each field."""
    parts: list[str] = []
    seen: set[str] = set()
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is None:
            continue
        parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>.*?)")
        seen.add(field)
    return re.compile("".join(parts), re.DOTALL)


def fields_in(text: str, key: str, lang: str = "zh") -> dict[str, str] | None:
    """The field values ``text`` was made from with ``key``'s template in ``lang``, or None."""
    found = template_pattern(i18n.t(key, lang)).fullmatch(text)
    return None if found is None else found.groupdict()


def said(thing: Said | Mapping[str, str], key: str, lang: str = "zh") -> dict[str, str]:
    """The fields (in ``lang``) of ``thing``'s message; fails unless both languages are ``key``'s.

    ``thing`` may also be a JSON answer or a problem as JSON: {"message": …, "message_en": …}.
    """
    if isinstance(thing, Mapping):
        message, message_en = thing["message"], thing["message_en"]
    else:
        message, message_en = thing.message, thing.message_en
    zh, en = fields_in(message, key, "zh"), fields_in(message_en, key, "en")
    assert zh is not None, f"{message!r} is not {key}: {i18n.t(key, 'zh')!r}"
    assert en is not None, f"{message_en!r} is not {key}: {i18n.t(key, 'en')!r}"
    return zh if lang == "zh" else en
