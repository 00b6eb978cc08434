"""The catalogue: every string in both languages, same placeholders, and the formatters."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard import clock, contract, i18n
from dashboard.i18n import (
    CATALOGUE,
    LANGS,
    enum_label,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_month,
    fmt_pct,
    fmt_pp,
    t,
)

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
DASHBOARD = Path(i18n.__file__).parent


def fields(text: str) -> set[str]:
    """{name} placeholders (str.format) and %{name|format} plotly ones (formats may differ)."""
    plotly = {"%" + name for name in re.findall(r"%\{([^}|:]*)[^}]*\}", text)}
    rest = re.sub(r"%\{[^}]*\}", "", text)
    return {f for _, f, _, _ in string.Formatter().parse(rest) if f} | plotly


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGS)
    assert all(entry[lang].strip() for lang in LANGS)
    assert fields(entry["zh"]) == fields(entry["en"])


def contract_enums() -> list[contract.Enum]:
    """Every enumeration a ledger column uses."""
    found = [c.enum for ds in contract.DATASETS.values() for c in ds.columns if c.enum is not None]
    return list({id(e): e for e in found}.values())


def test_english_strings_have_no_chinese() -> None:
    leftovers = {k: v["en"] for k, v in CATALOGUE.items() if CJK.search(v["en"])}
    assert leftovers == {}
    contract_en = [ds.title_en for ds in contract.DATASETS.values()]
    contract_en += [c.header_en for ds in contract.DATASETS.values() for c in ds.columns]
    contract_en += [choice.label_en for enum in contract_enums() for choice in enum.choices]
    assert [text for text in contract_en if CJK.search(text) or not text.strip()] == []


def test_the_catalogue_imports_nothing_of_ours_but_the_office_clock() -> None:
    """i18n sits under every layer: the contract's labels are passed in, never imported."""
    source = Path(i18n.__file__).read_text(encoding="utf-8")
    ours = re.findall(r"^\s*(?:from|import) (dashboard[\w.]*)", source, re.MULTILINE)
    assert ours == ["dashboard.clock"]


def test_every_enum_code_has_labels_in_both_languages() -> None:
    assert len(contract_enums()) == 11
    for enum in contract_enums():
        for choice in enum.choices:
            assert enum_label(enum, choice.code, "zh") == choice.label
            assert not CJK.search(enum_label(enum, choice.code, "en"))
    assert enum_label(contract.PROPERTY_STATUS, "signed", "en") == "Signed"
    assert enum_label(contract.PROPERTY_STATUS, None, "en") == "—"


def test_every_contract_column_and_dataset_has_a_header_in_both_languages() -> None:
    for ds in contract.DATASETS.values():
        assert i18n.dataset_title(ds, "zh") == ds.title
        assert i18n.dataset_title(ds, "en") == ds.title_en != ds.title
        for col in ds.columns:
            assert i18n.column_header(col, "zh") == col.header
            assert i18n.column_header(col, "en") == col.header_en
            assert col.header_en


# Calls taking a literal catalogue key: t("k"), label("k"), both("k"), self._say("k"), self._say(False, "k").
KEY_CALL = re.compile(
    r"""(?<![.\w])(?:i18n\.|self\.)?(?:t|label|both|join_both|_say|_done)\(\s*(?:(?:True|False),\s*)?["']([\w.]+)["']"""
)
STAFF_TITLE = re.compile(r"""\bstaff_page\(\s*["'][\w-]+["'],\s*["']([\w.]+)["']""")


def test_every_key_the_code_asks_for_exists() -> None:
    """Literal keys anywhere in the app: a typo would crash a page, so catch it here."""
    from dashboard.components import site

    used: set[str] = {key for p in site.PAGES for key in (p.title, p.link_label)}
    for path in DASHBOARD.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(KEY_CALL.findall(text)) | set(STAFF_TITLE.findall(text))
    assert {"login.title", "staff.upload.done", "users.admin_only", "audit.title"} <= used, "the scan works"
    assert sorted(used - set(CATALOGUE)) == []


def test_both_gives_zh_then_en() -> None:
    assert i18n.both("users.added", name="王芳") == ("已添加账户 王芳。", "Added the account 王芳.")


def test_both_fills_a_pair_in_each_language() -> None:
    title = (contract.BRANDS.title, contract.BRANDS.title_en)
    zh, en = i18n.both("staff.history.ask", dataset=title, version=3)
    assert zh == "把「一社区一品牌」恢复为版本 3 的内容？这会生成一个新版本。"
    assert en == "Make Community brands what it was in version 3? This adds a new version."


def test_contract_headers_in_english_and_others_as_they_are() -> None:
    assert i18n.headers_in(contract.DEMOLITION, ["房产编号", "户类", "自定义"], "en") == [
        "Property",
        "Household category",
        "自定义",
    ]
    assert i18n.headers_in(contract.DEMOLITION, ["户类"], "zh") == ["户类"]


def test_every_role_and_audit_action_has_a_label() -> None:
    from dashboard.accounts.auth import Role
    from dashboard.state.history import ACTIONS, action_label

    assert [r.label for r in Role] == ["领导", "工作人员", "管理员", "审计员"]
    assert [t(f"role.{r.value}", "zh") for r in Role] == [r.label for r in Role]
    assert [t(f"role.{r.value}", "en") for r in Role] == ["Viewer", "Staff", "Admin", "Auditor"]
    # every action the code writes to the audit log (auth.audit(engine, "<action>", ...))
    written: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(
            re.findall(r"""audit,?\s*\(?\s*(?:engine\(\)|engine|conn|None),\s*["'](\w+)["']""", text)
        )
        # the writes that audit themselves (dashboard.store.audit.record) name their action
        written |= set(re.findall(r"""\brecord\(\s*conn,\s*["'](\w+)["']""", text))
        if path.is_relative_to(DASHBOARD / "store"):  # storage's write records say action="restore"
            written |= set(re.findall(r"""\baction(?:\s*:\s*[^=\n]+)?\s*=\s*["'](\w+)["']""", text))
    assert {"upload", "restore", "login"} <= written, "the scan works"
    assert sorted(written - set(ACTIONS)) == []
    assert action_label("user_add", "en") == "Account added"
    assert action_label("something_new", "en") == "something_new"


def test_t_formats_and_falls_back() -> None:
    assert t("day_n_of", "zh", day=85, days=100) == "第 85 天 / 共 100 天"
    assert t("day_n_of", "en", day=85, days=100) == "Day 85 of 100"
    assert t("empty", "fr") == "暂无数据"  # unknown language: Chinese
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234, "1,234"), (0, "0"), (1_000_000.0, "1,000,000"), (None, "—"), (pd.NA, "—"), (float("nan"), "—")],
)
def test_fmt_int(value: object, expected: str) -> None:
    assert fmt_int(value, "zh") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, "50%"), (2 / 3, "66.7%"), (1.0, "100%"), (0.0, "0%"), (0.934, "93.4%"), (None, "—")],
)
def test_fmt_pct_takes_fractions(value: float | None, expected: str) -> None:
    assert fmt_pct(value, "en") == expected


def test_fmt_pp_signs_points() -> None:
    assert fmt_pp(-5.0, "zh") == "−5 个百分点"
    assert fmt_pp(8.4, "en") == "+8.4 pp"
    assert fmt_pp(0.0, "en") == "0 pp"
    assert fmt_pp(None, "en") == "—"


def test_dates_for_each_language() -> None:
    assert fmt_date(date(2024, 5, 3), "zh") == "2024年5月3日"
    assert fmt_date(date(2024, 5, 3), "en") == "3 May 2024"
    assert fmt_date(pd.Timestamp("2024-12-25"), "en") == "25 Dec 2024"
    assert fmt_date(pd.NaT, "zh") == "—"
    assert fmt_month(date(2024, 5, 1), "zh") == "2024年5月"
    assert fmt_month(date(2024, 5, 1), "en") == "May 2024"


def test_version_times_are_shown_in_office_time() -> None:
    stored = datetime(2024, 5, 3, 6, 5, tzinfo=UTC)  # 14:05 in Beijing
    assert fmt_datetime(stored, "zh") == "2024年5月3日 14:05"
    assert fmt_datetime(stored, "en") == "3 May 2024 14:05"
    assert fmt_datetime(datetime(2024, 5, 3, 9, 30), "en") == "3 May 2024 09:30"  # naive: as given
    assert fmt_datetime(None, "en") == "—"


def test_label_fills_fields_from_state_values_in_both_languages() -> None:
    import reflex as rx

    from dashboard.components.text import label, pieces

    assert pieces("有 {n} 处错误") == [("有 ", "n"), (" 处错误", None)]
    assert pieces("{n} error(s)") == [("", "n"), (" error(s)", None)]

    class Counts(rx.State):
        n: int = 0
        who: str = ""

    js = str(label("staff.upload.error_count", n=Counts.n))
    assert "is_en" in js and "JSON.stringify" in js and " error(s): nothing was written." in js
    assert "\\u6709 " in js  # 有, escaped by Reflex
    js = str(label("users.added", name=Counts.who))
    assert "JSON.stringify" not in js  # a string is not quoted again
    assert str(label("nav.upload")).count("Upload") == 1
    assert "()" not in str(label("app.label", label=""))  # Reflex renders an empty concatenation as ()


def test_status_moves_of_a_checked_upload_in_english() -> None:
    from dashboard.state.upload import moves_en

    assert moves_en("demolition", ["+1 已签约", "-1 已评估"]) == ["+1 Signed", "-1 Appraised"]
    assert moves_en("demolition", ["+2 不认识"]) == ["+2 不认识"]
    assert moves_en("activities", []) == []


@pytest.mark.parametrize(
    "name", ["login", "upload", "history", "audit", "users", "kiosk", "report", "screen"]
)
def test_every_staff_page_builds(name: str) -> None:
    """Keys the scan above cannot see (header lists, f-strings) raise KeyError here, not in a browser."""
    import importlib

    importlib.import_module(f"dashboard.pages.{name}").page().render()


def test_staff_pages_show_times_in_office_time_whatever_the_server_zone() -> None:
    late_utc = datetime(2026, 5, 3, 16, 30, tzinfo=UTC)
    assert clock.office_time(late_utc) == "2026-05-04 00:30"
    assert clock.office_time(late_utc, "%H:%M:%S") == "00:30:00"


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions (they explain, not show)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_ingest_store_and_ops_show_no_chinese_of_their_own() -> None:
    """A user-facing string there comes from the catalogue: a new inline message fails here.

    What stays is what the code must *recognise* in people's files, never what it says to them.
    """
    from dashboard.ingest import cells, headers, reading
    from dashboard.store import marked

    allowed: dict[str, str] = {
        "是": "the yes cell the reader accepts and the downloads write (cells.TRUE_WORDS, export)",
        "否": "the no cell the reader accepts and the downloads write (cells.FALSE_WORDS, export)",
        cells._DATE_ZH: "dates typed as 2024年5月3日, which the reader parses",
        cells._WEEKDAY: "a weekday after a date (2024-05-03(周五)), which the reader checks",
        cells._WEEKDAY_CHARS: "the weekdays' names, Monday first",
        cells._NO_YEAR.pattern: "a date without a year (5月3日), refused saying so",
        cells._NO_DAY.pattern: "a date without a day (2024年5月), refused saying so",
        cells._SHORT_YEAR.pattern: "a two-digit year (24年5月3日), refused saying so",
        cells._ZH_NUMERALS.pattern: "a date in Chinese numerals (二〇二四年五月三日), refused saying so",
        cells.TEN_THOUSAND: "a number in 万 (1.2万), refused with the whole number to write",
        marked._UNIT.pattern: "a unit in brackets after a header (党员数（人）), ignored as the reader does",
        "*＊": "the full-width asterisk some templates put after a required header",
        headers._DECORATION.pattern: "a unit or mark after a header (党员数/人), ignored as the reader does",
        headers._LEADING.pattern: "a mark before a header (【必填】组织编码), ignored as the reader does",
    }
    words = reading._TOTAL_WORDS + reading._TOTAL_LEADS + reading._FOOTER_WORDS + reading._NOTE_WORDS
    for word in words:  # 合计/小计/本页…, 填表人/审核人/填报日期…, 注/说明…
        allowed[word] = "a total or footer row the reader skips"
    for word in cells.NUMBER_UNITS + cells.ROUGH_BEFORE + cells.ROUGH_AFTER + cells.RANGE_MARKS:
        allowed[word] = (
            "a unit or an approximation after a number (120人, 约120), refused saying what to write"
        )
    for word in cells.PLACEHOLDERS:  # /, —, 无…
        allowed[word] = "a not-applicable mark the reader reads as an empty optional cell"
    paths = [p for folder in ("ingest", "store", "ops") for p in sorted((DASHBOARD / folder).rglob("*.py"))]
    assert _inline_chinese(paths, allowed) == [], "move these to dashboard/i18n.py and use i18n.t/both"


def _inline_chinese(paths: list[Path], allowed: dict[str, str]) -> list[str]:
    """Every string literal with Chinese in ``paths`` that is neither a docstring nor allowed."""
    leftovers = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
                continue
            if CJK.search(node.value) and node.value not in allowed:
                leftovers.append(f"{path.relative_to(DASHBOARD)}:{node.lineno}: {node.value!r}")
    return leftovers


def test_accounts_and_the_http_routes_show_no_chinese_of_their_own() -> None:
    """Account refusals and HTTP answers (message / message_en, download names) come from the catalogue."""
    from dashboard.accounts import auth

    allowed: dict[str, str] = {
        auth.DEMO_FILE_HEADER: "the demo passwords file's comment line, in both languages at once",
    }
    paths = [*sorted((DASHBOARD / "accounts").rglob("*.py")), DASHBOARD / "api.py"]
    assert _inline_chinese(paths, allowed) == [], "move these to dashboard/i18n.py and use i18n.t/both"


def test_the_command_line_prints_no_chinese_of_its_own() -> None:
    """What `python -m dashboard` prints comes from the catalogue (Chinese line first, then English).

    Only argparse's help texts stay inline: they are English for administrators and merely name
    the Chinese sheets and forms people know (问题清单, 一表通, 填表说明).
    """
    path = DASHBOARD / "cli.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = {
        kw.value.value: "an argparse help text (English; it names a Chinese sheet or form)"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg in ("help", "description") and isinstance(kw.value, ast.Constant)
    }
    assert len(allowed) > 10  # the parser is still read, not skipped
    assert _inline_chinese([path], allowed) == [], "move these to dashboard/i18n.py and use i18n.both"


def test_the_digest_messages_show_no_chinese_of_their_own() -> None:
    """The digest's words come from the catalogue; only the Feishu heading brackets stay inline."""
    allowed = {
        "【": "Feishu posts have no heading tag: 【…】 marks a heading whatever the language",
        "】": "Feishu posts have no heading tag: 【…】 marks a heading whatever the language",
    }
    paths = sorted((DASHBOARD / "notify").rglob("*.py"))
    assert _inline_chinese(paths, allowed) == [], "move these to dashboard/i18n.py and use i18n.t/both"


def test_states_components_and_pages_show_no_chinese_of_their_own() -> None:
    """What the pages show comes from the catalogue (or the contract, or data): no inline Chinese.

    Punctuation that differs by language (：/: , （）/() , 、/, ) is catalogue text too
    (app.label, app.in_parens, sep.*), and so is the toggle's name of each language (lang.self).
    Nothing is allowed here: a reason would have to be written next to any literal added below.
    """
    allowed: dict[str, str] = {}
    paths = [
        p for folder in ("state", "components", "pages") for p in sorted((DASHBOARD / folder).rglob("*.py"))
    ]
    assert len(paths) > 30  # the three packages are read, not skipped
    assert _inline_chinese(paths, allowed) == [], (
        "move these to dashboard/i18n.py and use i18n.t/both or label"
    )


def test_english_counts_of_one_are_singular() -> None:
    """One template per message: "1 days overdue" is put right as the English is formatted."""
    assert i18n.t("app.tasks.days_over", "en", days=1) == "1 day overdue"
    assert i18n.t("app.tasks.days_over", "en", days=21) == "21 days overdue"
    assert i18n.t("app.tasks.days_over", "en", days="1,001") == "1,001 days overdue"
    assert i18n.t("app.tasks.days_over", "zh", days=1) == "超期 1 天"
    assert i18n.t("report.uploads", "en", dataset="D", n=1, added=1, changed=11, removed=0) == (
        "D: updated 1 time this week, 1 row added, 11 changed, 0 removed"
    )
