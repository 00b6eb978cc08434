"""The one wording test per message of reading and checking uploads (read.*, check.*, where.*).

Every other test asserts the rule id of a problem and, through ``tests.messages.said``, which
catalogue message it carries and what that names (line, column, value…). The words are pinned
here, once per message: each renders in both languages, leaves no placeholder, keeps Chinese out
of the English, and says what staff act on (how to write a value, what to fix, 另存为 .xlsx).
"""

from __future__ import annotations

import re
import string

import pytest

from dashboard import i18n
from dashboard.i18n import CATALOGUE
from tests.messages import fields_in

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
KEYS = sorted(key for key in CATALOGUE if key.split(".")[0] in ("read", "check", "where"))

# key -> (values shown, what the Chinese says, what the English says); ASCII values only, so the
# English stays free of Chinese. A test elsewhere pins the message a problem carries, this what it says.
SAYS: dict[str, tuple[dict[str, object], tuple[str, ...], tuple[str, ...]]] = {
    "check.header.ignored": ({}, ("已忽略",), ("ignored",)),
    "check.header.ignored.unnamed": ({"pos": 12, "line": 1}, ("第 12 列", "第 1 行"), ("Column 12",)),
    "check.header.missing": ({"line": 1}, ("请在第 1 行加上",), ("add it", "line 1")),
    "check.header.duplicate": ({}, ("出现了两次", "删除"), ("twice", "delete")),
    "check.cell.required": ({}, ("必须填写",), ("required",)),
    "check.cell.int": ({}, ("整数",), ("whole number",)),
    "check.cell.date": ({}, ("2024-05-03",), ("2024-05-03",)),  # shows how to write a date
    "check.cell.date.serial": ({"date": "2025-04-01"}, ("Excel", "“日期”", "2025-04-01"), ("as Date",)),
    "check.cell.int.range": ({"lo": 1, "hi": 6}, ("填 1–6 的整数",), ("from 1 to 6",)),
    "check.cell.placeholder": ({}, ("不适用", "按空白读取"), ("not applicable", "read as empty")),
    "check.cell.required.placeholder": ({}, ("必须填写", "不能留空"), ("required", "neither empty")),
    "check.cell.percent.fraction": ({"value": "0.95"}, ("0.95%", "95%"), ("0.95%", "95%")),
    "check.upsert.absent_kept": ({"n": 3}, ("3 行", "保留", "留空"), ("3 row(s)", "keep", "leave the cell")),
    "check.cell.range.between": ({"lo": 1, "hi": 6}, ("1 到 6",), ("between 1 and 6",)),
    "check.empty_before": ({}, ("应为空",), ("must be empty",)),
    "check.referenced": ({"n": 2, "other": "X"}, ("仍被「X」中的 2 行引用",), ("used by 2 X rows",)),
    "check.restore.foreign_key": ({"n": 2}, ("这一版有 2 行",), ("2 rows of this version",)),
    "read.row.too_many_cells": ({}, ("分隔符",), ("separators",)),
    "read.zip_bomb": ({}, ("压缩炸弹",), ("zip bomb",)),
    "read.password": ({}, ("密码", "另存为", ".xlsx"), ("password", ".xlsx")),
    "read.wps_et": ({}, ("WPS", "另存为", ".xlsx"), ("WPS", "Save As", ".xlsx")),
    "read.save_as": ({}, ("另存为", ".xlsx"), ("Save As", ".xlsx")),
    "read.kind.doc": ({}, ("Word",), ("Word",)),
    "read.kind.text": ({}, ("文字文档",), ("text document",)),
}


SIDE_BY_SIDE = {"read.workbook_damaged"}


def _fields(key: str) -> list[str]:
    """The {fields} of ``key``'s Chinese template, in order, each once."""
    found = (field for _, field, _, _ in string.Formatter().parse(i18n.t(key, "zh")) if field)
    return list(dict.fromkeys(found))


def test_the_table_names_only_messages_that_exist() -> None:
    assert sorted(set(SAYS) - set(KEYS)) == []
    assert len(KEYS) > 50  # the three families are read, not skipped


@pytest.mark.parametrize("key", KEYS)
def test_each_message_renders_in_both_languages_and_says_what_to_do(key: str) -> None:
    shown, zh_says, en_says = SAYS.get(key, ({}, (), ()))
    values = {field: shown.get(field, 101 + i) for i, field in enumerate(_fields(key))}

    zh, en = i18n.t(key, "zh", **values), i18n.t(key, "en", **values)

    assert CJK.search(zh), zh
    assert not CJK.search(en), en
    assert not re.search(r"[{}]", zh + en), "a placeholder left"
    assert [w for w in zh_says if w not in zh] == [] and [w for w in en_says if w not in en] == []
    # tests.messages.said reads the values back out of every message of these families (two
    # fields side by side, as read.workbook_damaged's {save_as}{detail}, cannot be told apart)
    expected = {field: str(value) for field, value in values.items()}
    back = fields_in(zh, key, "zh"), fields_in(en, key, "en")
    assert back == (expected, expected) or (key in SIDE_BY_SIDE and None not in back)
