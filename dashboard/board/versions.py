"""What a version changed, and one property's story, in the viewer's language.

The store says which rows and cells differ (:mod:`dashboard.store.diff`, export text, language-free);
this module gives them headers, labels and sentences in zh or en, trims long lists to
:data:`SHOWN` (the rest is counted and downloads whole), and lays the whole diff out as one table
for CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import clock, i18n, params
from dashboard.contract import DATASETS, ColType, Dataset, get_dataset
from dashboard.contract.scopes import Scope
from dashboard.ingest import scoping
from dashboard.store import (
    BOM,
    KeyState,
    VersionDiff,
    VersionInfo,
    diff_versions,
    key_history,
    list_versions,
    make_inert,
    to_text_frame,
)
from dashboard.store.export import TRUE_LABEL

SHOWN = 200  # rows (and changed cells) listed on the page; the download has them all


@dataclass
class RowsView:
    """Added or removed rows: headers and cells as the export writes them, the first SHOWN."""

    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    total: int = 0
    more: str = ""  # '另有 N 条' when not all are listed


@dataclass
class DiffView:
    """One version's (or a comparison's) changes, in one language."""

    heading: str
    key_header: str  # the key column(s), as the changes table heads them
    added: RowsView
    removed: RowsView
    changes: list[dict[str, str]]  # key, column, old, new
    changes_total: int
    changes_more: str
    summary: str


def _cell(value: object) -> str:
    """Export text for display: missing (None, NA) and empty cells as '—'."""
    return i18n.MISSING if value is None or pd.isna(value) or value == "" else str(value)


def in_lang(ds: Dataset, column: str, text: str, lang: str) -> str:
    """An exported cell (enum labels and 是/否 in Chinese, as the CSV has them) in ``lang``."""
    if lang == "zh" or text == i18n.MISSING:
        return text
    col = ds.column(column)
    if col.type is ColType.ENUM and col.enum is not None:
        return next((c.label_en for c in col.enum.choices if c.label == text), text)
    if col.type is ColType.BOOL:
        return i18n.t("version.yes" if text == TRUE_LABEL else "version.no", lang)
    return text


def _more(total: int, lang: str) -> str:
    left = total - SHOWN
    return i18n.t("version.more", lang, n=i18n.fmt_int(left, lang)) if left > 0 else ""


def _rows_view(ds: Dataset, rows: list[dict[str, str | None]], lang: str) -> RowsView:
    return RowsView(
        headers=[i18n.column_header(c, lang) for c in ds.columns],
        rows=[[_cell(r[c.name]) for c in ds.columns] for r in rows[:SHOWN]],
        total=len(rows),
        more=_more(len(rows), lang),
    )


def diff_heading(ds: Dataset, old: int, new: int, lang: str) -> str:
    """'拆迁房产进度 · 版本 3' for one version's own changes, '… · 版本 2 → 5' for a comparison."""
    title = i18n.dataset_title(ds, lang)
    if new == old + 1:
        return i18n.t("version.heading", lang, title=title, version=new)
    return i18n.t("version.heading_compare", lang, title=title, old=old, new=new)


def diff_view(got: VersionDiff, lang: str, *, mask: bool, data: dict[str, Any] | None = None) -> DiffView:
    """``got`` for the page: rows and cells as the export writes them (户主 masked when ``mask``).
    ``data``: ``got.to_json(mask_personal=mask)`` if already made (it is the same in every language)."""
    ds = get_dataset(got.dataset)
    data = data if data is not None else got.to_json(mask_personal=mask)
    changes = _change_rows(ds, data["changed"][:SHOWN], lang)
    added, removed, changed = got.counts
    return DiffView(
        heading=diff_heading(ds, got.old, got.new, lang),
        key_header=" / ".join(i18n.column_header(ds.column(k), lang) for k in ds.key),
        added=_rows_view(ds, data["added"], lang),
        removed=_rows_view(ds, data["removed"], lang),
        changes=changes,
        changes_total=len(data["changed"]),
        changes_more=_more(len(data["changed"]), lang),
        summary=i18n.t("version.summary", lang, added=added, removed=removed, changed=changed),
    )


def _change_rows(ds: Dataset, changed: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    return [
        {
            "key": str(c["key"]),
            "column": i18n.column_header(ds.column(c["column"]), lang),
            "old": in_lang(ds, c["column"], _cell(c["old"]), lang),
            "new": in_lang(ds, c["column"], _cell(c["new"]), lang),
        }
        for c in changed
    ]


def preview_fields(dataset: str, changes: dict[str, Any], counts: tuple[int, int, int]) -> dict[str, Any]:
    """What the upload page lists of the changes a checked file would make (the first rows of
    each kind, ``uploads.Report.changes``), as state fields ``preview_*`` (``x`` and ``x_en``).
    ``counts``: (added, removed, changed rows) in all, for the '另有 N 行' lines."""
    ds = get_dataset(dataset)
    added, removed = changes.get("added", []), changes.get("removed", [])
    zh, en = (_change_rows(ds, changes.get("changed", []), lang) for lang in ("zh", "en"))
    listed = {"added": len(added), "removed": len(removed), "changes": len({c["key"] for c in zh})}
    out: dict[str, Any] = {
        "preview_changes": [
            {**c, "column_en": e["column"], "old_en": e["old"], "new_en": e["new"]}
            for c, e in zip(zh, en, strict=True)
        ],
        "preview_added_rows": _rows_view(ds, added, "zh").rows,  # cells are data: one language
        "preview_removed_rows": _rows_view(ds, removed, "zh").rows,
    }
    for lang, tail in (("zh", ""), ("en", "_en")):
        out[f"preview_key_header{tail}"] = " / ".join(i18n.column_header(ds.column(k), lang) for k in ds.key)
        out[f"preview_headers{tail}"] = [i18n.column_header(c, lang) for c in ds.columns]
        for part, total in zip(("added", "removed", "changes"), counts, strict=True):
            left = total - listed[part]
            more = i18n.t("staff.upload.preview_more", lang, n=left) if left > 0 else ""
            out[f"preview_{part}_more{tail}"] = more
    return out


def version_facts(v: VersionInfo, lang: str) -> list[tuple[str, str]]:
    """(label, value) lines about a version: when, who, which file, the uploader's note."""
    facts = [
        (i18n.t("staff.history.col.time", lang), clock.office_time(v.created_at)),
        (i18n.t("staff.history.col.user", lang), v.user),
        (i18n.t("staff.history.col.file", lang), v.file_name or i18n.MISSING),
    ]
    if v.restored_from is not None:
        facts.append(
            (
                i18n.t("version.restored", lang),
                i18n.t("staff.history.restored_from", lang, version=v.restored_from),
            )
        )
    facts.append((i18n.t("version.note", lang), v.note or i18n.MISSING))
    return facts


def diff_table(got: VersionDiff, lang: str, *, mask: bool) -> tuple[list[str], list[list[str | None]]]:
    """The whole diff as one table: 变更, 变更列, then the ledger's columns.

    Added and removed rows are one line each; a changed row is two lines, as it was and as it is,
    both naming the columns that changed, so the file loses nothing and reads in Excel.
    """
    ds = get_dataset(got.dataset)
    headers = [
        i18n.t("version.col.change", lang),
        i18n.t("version.col.columns", lang),
        *(i18n.column_header(c, lang) for c in ds.columns),
    ]

    def lines(kind: str, frame: pd.DataFrame) -> list[list[str | None]]:
        text = to_text_frame(ds, frame, mask_personal=mask)
        label = i18n.t(f"version.change.{kind}", lang)
        return [
            [label, "", *(None if v is None or pd.isna(v) else str(v) for v in r)]
            for r in text.itertuples(index=False, name=None)
        ]

    rows = lines("added", got.added) + lines("removed", got.removed)
    by_row: dict[int, list[str]] = {}
    for i, name in got.cells:
        by_row.setdefault(i, []).append(i18n.column_header(ds.column(name), lang))
    before, after = lines("before", got.before), lines("after", got.after)
    for i in range(len(after)):
        named = i18n.t("sep.list", lang).join(by_row.get(i, []))
        rows += [[before[i][0], named, *before[i][2:]], [after[i][0], named, *after[i][2:]]]
    return headers, rows


def diff_csv(got: VersionDiff, lang: str, *, mask: bool) -> bytes:
    """:func:`diff_table` as CSV for Excel (UTF-8 with BOM; formulas made inert)."""
    headers, rows = diff_table(got, lang, mask=mask)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([make_inert(c or "") for c in r] for r in rows)
    return (BOM + buf.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------
# 一户一档: one property through every version


@dataclass
class TimelineEntry:
    version: str
    time: str
    user: str
    text: str  # '当前状态：已摸底 → 已签约；签约日期：— → 2024-05-03' or '首次录入：已摸底'
    href: str  # the version's page


def timeline(ds: Dataset, states: list[KeyState], lang: str, *, mask: bool) -> list[TimelineEntry]:
    """Each stored state of one row, newest first: which version, when, by whom, what changed."""
    if not states:
        return []
    frame = pd.DataFrame([s.row for s in states])
    text = to_text_frame(ds, frame, mask_personal=mask)
    text.columns = list(ds.column_names)
    sep = i18n.t("sep.clauses", lang)
    out = []
    for i, s in enumerate(states):
        status = (
            in_lang(ds, "status", _cell(text.at[i, "status"]), lang) if "status" in ds.column_names else ""
        )
        if i == 0 or s.gap_before:
            said = i18n.t("property.first" if i == 0 else "property.again", lang, status=status)
        else:
            said = sep.join(
                i18n.t(
                    "property.change",
                    lang,
                    column=i18n.column_header(ds.column(n), lang),
                    old=in_lang(ds, n, _cell(text.at[i - 1, n]), lang),
                    new=in_lang(ds, n, _cell(text.at[i, n]), lang),
                )
                for n in s.changed
            ) or i18n.t("property.same", lang)
        out.append(
            TimelineEntry(
                version=str(s.first),
                time=clock.office_time(s.created_at),
                user=s.user,
                text=said,
                href=f"/history/{ds.name}/{s.first}",
            )
        )
        if s.removed_at is not None and s.until is not None:  # the row left the ledger here
            out.append(
                TimelineEntry(
                    version=str(s.until),
                    time=clock.office_time(s.removed_at),
                    user=s.removed_by,
                    text=i18n.t("property.removed", lang),
                    href=f"/history/{ds.name}/{s.until}",
                )
            )
    return out[::-1]


# ---------------------------------------------------------------------------
# The pages' content, in both languages (a per-viewer state keeps both: the toggle needs no round trip)


def parse_span(spec: str) -> tuple[int, int] | None:
    """'3' -> (2, 3): what version 3 changed; '2..5' -> (2, 5): version 2 compared with 5.

    Numbers as :mod:`dashboard.params` reads them (ASCII digits below 2**31); anything else: None."""
    first, dots, last = spec.strip().partition("..")
    old, new = params.number(first), params.number(last) if dots else None
    if old is None or (dots and new is None):
        return None
    return (old, new) if new is not None else (old - 1, old)


def shows_to(scope: Scope | None, info: VersionInfo, compared: bool) -> bool:
    """Whether a (scoped) account may read what a version changed.

    A scoped account reads only what its own scope's reports changed: a version made under that
    very scope, alone (a scoped replace changes the scope's rows only). An office-wide version or a
    comparison of two versions may carry every community's rows, so it is refused like a board of
    another scope: as if it did not exist.
    """
    return scope is None or (not compared and info.scope == scope.text)


def version_page(
    engine: Engine, dataset: str, spec: str, *, mask: bool, scope: Scope | None = None
) -> dict[str, Any] | None:
    """What /history/<dataset>/<spec> shows, as state fields (``x`` and ``x_en``); None when
    ``dataset`` or either version does not exist, or ``scope`` may not read it (:func:`shows_to`).
    ``info``: the newer version's VersionInfo."""
    span = parse_span(spec)
    if dataset not in DATASETS or span is None:
        return None
    old, new = span
    versions = {v.number: v for v in list_versions(engine, dataset)}
    if any(n != 0 and n not in versions for n in span) or new == 0:
        return None
    if not shows_to(scope, versions[new], ".." in spec):
        return None
    got = diff_versions(engine, dataset, old, new)
    data = got.to_json(mask_personal=mask)
    zh, en = (diff_view(got, lang, mask=mask, data=data) for lang in ("zh", "en"))
    if ".." in spec:  # asked to compare: say so, even for neighbours (1..2)
        for view, lang in ((zh, "zh"), (en, "en")):
            view.heading = i18n.t(
                "version.heading_compare",
                lang,
                title=i18n.dataset_title(get_dataset(dataset), lang),
                old=old,
                new=new,
            )
    info = versions[new]
    facts_zh, facts_en = version_facts(info, "zh"), version_facts(info, "en")
    latest = max(versions)
    base = f"/history/{dataset}"
    out: dict[str, Any] = {
        "info": info,
        "heading": zh.heading,
        "heading_en": en.heading,
        "summary": zh.summary,
        "summary_en": en.summary,
        "key_header": zh.key_header,
        "key_header_en": en.key_header,
        "facts": [
            {"label": a[0], "label_en": b[0], "value": a[1], "value_en": b[1]}
            for a, b in zip(facts_zh, facts_en, strict=True)
        ],
        "changes": [
            {**c, "column_en": e["column"], "old_en": e["old"], "new_en": e["new"]}
            for c, e in zip(zh.changes, en.changes, strict=True)
        ],
        "changes_more": zh.changes_more,
        "changes_more_en": en.changes_more,
        "nothing": got.empty,
        "csv_href": f"/api/diff/{dataset}/{old}..{new}.csv",
        "xlsx_href": f"/api/diff/{dataset}/{old}..{new}.xlsx",
        "previous_href": f"{base}/{new - 1}" if new - 1 in versions else "",
        "next_href": f"{base}/{new + 1}" if new + 1 in versions else "",
        "latest_href": f"{base}/{new}..{latest}" if latest != new else "",
        "dataset": dataset,
        "shown_version": str(new),
        "numbers": [str(n) for n in sorted(versions) if n != new],  # to compare with
    }
    for part in ("added", "removed"):
        a, b = getattr(zh, part), getattr(en, part)
        out |= {
            f"{part}_headers": a.headers,
            f"{part}_headers_en": b.headers,
            f"{part}_rows": a.rows,
            f"{part}_more": a.more,
            f"{part}_more_en": b.more,
        }
    return out


def _flag(value: object) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


def _note(value: str) -> str:
    return "" if value == i18n.MISSING else value


def property_page(
    engine: Engine, pid: str, *, mask: bool, scope: Scope | None = None
) -> dict[str, Any] | None:
    """What /property/<pid> shows (一户一档), as state fields (``x`` and ``x_en``): the property's
    latest record, its 重点户 flag and 备注, and its timeline; None when the key never existed, or
    when its latest record lies outside ``scope`` (a party group's viewer reads its own group's)."""
    ds = get_dataset("demolition")
    states = key_history(engine, ds.name, pid)
    if not states:
        return None
    last = states[-1]
    if scope is not None:
        rule = scoping.allowed(scope, ds.name, {})
        if rule is None or not bool(scoping.in_scope(pd.DataFrame([last.row]), *rule).iloc[0]):
            return None
    text = to_text_frame(ds, pd.DataFrame([last.row]), mask_personal=mask)
    values = [_cell(v) for v in text.iloc[0].tolist()]
    zh, en = timeline(ds, states, "zh", mask=mask), timeline(ds, states, "en", mask=mask)
    return {
        "heading": i18n.t("property.heading", "zh", pid=pid),
        "heading_en": i18n.t("property.heading", "en", pid=pid),
        "current": last.until is None,
        "key_household": _flag(last.row.get("key_household")),
        "note": _note(values[list(ds.column_names).index("note")]),
        "fields": [
            {"label": c.header, "label_en": c.header_en, "value": v, "value_en": in_lang(ds, c.name, v, "en")}
            for c, v in zip(ds.columns, values, strict=True)
        ],
        "timeline": [
            {
                "version": a.version,
                "time": a.time,
                "user": a.user,
                "text": a.text,
                "text_en": b.text,
                "href": a.href,
            }
            for a, b in zip(zh, en, strict=True)
        ],
    }
