"""The rows behind the non-chart parts (tables, lists, cards, the grid) as view models in a language.

``dashboard.insights.metrics`` builds the rows from codes, names and dates; here each becomes the
strings a page shows: enum labels, dates, "剩 5 天", "今年活动 6 / 目标 24", "第2党小组".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from dashboard import contract, i18n
from dashboard.board.views import (
    BrandCard,
    ExpiryRow,
    GridCell,
    GridGroup,
    MeetingRow,
    OrgLifeCell,
    OrgLifeRow,
    OrgRow,
    TaskRow,
)
from dashboard.charts import org_life as org_life_text

SIGNED_CODES = contract.PROPERTY_STATUS.codes[contract.PROPERTY_STATUS.rank("signed") :]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def org_row(row: dict[str, Any], lang: str) -> OrgRow:
    """One organisation of the elections table (``metrics.elections_table``)."""
    return OrgRow(
        org_code=_text(row["org_code"]),
        org_name=_text(row["org_name"]),
        org_type=i18n.enum_label(contract.ORG_TYPE, row["org_type"], lang),
        stage=i18n.enum_label(contract.ELECTION_STAGE, row["stage"], lang),
        stage_code=_text(row["stage"]),
        supervisor=row["supervisor"] or i18n.MISSING,
        planned_date=i18n.fmt_date(row["planned_date"], lang),
        completed_date=i18n.fmt_date(row["completed_date"], lang),
        term_end=i18n.fmt_date(row["term_end"], lang),
    )


def expiry_row(row: dict[str, Any], lang: str) -> ExpiryRow:
    """One term ending soon or ended (``metrics.term_expiry``)."""
    days = int(row["days"])
    return ExpiryRow(
        org_code=_text(row["org_code"]),
        org_name=_text(row["org_name"]),
        org_type=i18n.enum_label(contract.ORG_TYPE, row["org_type"], lang),
        term_end=i18n.fmt_date(row["term_end"], lang),
        days_text=(
            i18n.t("days_over", lang, days=-days)
            if days < 0
            else i18n.t("days_left", lang, days=days)
            if days
            else i18n.t("days_left.today", lang)
        ),
        level=row["level"],
        level_label=i18n.t(f"level.{row['level']}", lang),
        note=_text(row["note"]),
    )


def brand_card(card: dict[str, Any], lang: str) -> BrandCard:
    """One brand's card (``metrics.brand_cards``): its activities this year against the target."""
    count, target, pace = card["activities"], card["target"], card["pace"]
    progress = (
        i18n.t("brand.activities_of_target", lang, count=count, target=target)
        if target
        else i18n.t("brand.activities_no_target", lang, count=count)
    )
    return BrandCard(
        project_code=_text(card["project_code"]),
        community=_text(card["community"]),
        brand_name=_text(card["brand_name"]),
        category=i18n.enum_label(contract.BRAND_CATEGORY, card["category"], lang),
        status=i18n.enum_label(contract.BRAND_STATUS, card["status"], lang),
        status_code=_text(card["status"]),
        progress_text=progress,
        percent=0 if pace is None else max(0, min(100, round(float(pace) * 100))),
        level=card["level"],
    )


def grid_label(party_group: int, lang: str) -> str:
    """'第2党小组' / 'Party group 2'."""
    return i18n.t("party_group_n", lang, n=party_group)


def grid_group(group: dict[str, Any], lang: str) -> GridGroup:
    """One party group of the 战果图 (``metrics.property_grid``): a summary and a cell per property."""
    counts = group.get("counts", {})
    done = sum(counts.get(code, 0) for code in SIGNED_CODES)
    summary = i18n.t(
        "app.grid_summary", lang, total=i18n.fmt_int(group["total"], lang), signed=i18n.fmt_int(done, lang)
    )
    cells = []
    for c in group.get("cells", []):
        status = i18n.enum_label(contract.PROPERTY_STATUS, c.get("status"), lang)
        cells.append(
            GridCell(
                css=f"cell s-{c.get('status') or 'none'}" + (" key" if c.get("key_household") else ""),
                title=" · ".join(
                    str(v or i18n.MISSING) for v in (c.get("property_id"), c.get("household"), status)
                ),
                href="/property/" + quote(str(c.get("property_id") or ""), safe=""),
            )
        )
    hidden = int(group.get("hidden") or 0)
    return GridGroup(
        label=grid_label(int(group["party_group"]), lang),
        summary=summary,
        cells=cells,
        hidden_text=i18n.t("series.more", lang, n=i18n.fmt_int(hidden, lang)) if hidden else "",
    )


# --- 督办 (tasks)

TASK_COLUMNS: tuple[str, ...] = (
    "task_code",
    "title",
    "owner",
    "unit",
    "domain",
    "status",
    "raised_date",
    "deadline",
)


def task_headers(lang: str) -> list[str]:
    """The item lists' headers: the ledger's own column names, then 超期."""
    cols = [i18n.column_header(contract.TASKS.column(c), lang) for c in TASK_COLUMNS]
    return [*cols, i18n.t("app.tasks.days_overdue", lang)]


def task_row(row: dict[str, Any], lang: str) -> TaskRow:
    """One item (``insights.tasks.overdue_items`` / ``recent_items``); the owner is shown as entered."""
    return TaskRow(
        task_code=_text(row["task_code"]),
        title=_text(row["title"]),
        owner=_text(row["owner"]) or i18n.MISSING,
        unit=_text(row["unit"]) or i18n.MISSING,
        domain=i18n.enum_label(contract.TASK_DOMAIN, row["domain"], lang),
        status=i18n.enum_label(contract.TASK_STATUS, row["status"], lang),
        raised_date=i18n.fmt_date(row["raised_date"], lang),
        deadline=i18n.fmt_date(row["deadline"], lang),
        days_text=i18n.t("app.tasks.days_over", lang, days=int(row["days"])) if row["days"] else "",
    )


def meeting_row(row: dict[str, Any], lang: str) -> MeetingRow:
    """A meeting (``insights.tasks.meetings_with_tasks``) and the link to that day's items from it."""
    day = row["date"].isoformat()
    n = int(row["tasks"])
    return MeetingRow(
        date=i18n.fmt_date(row["date"], lang),
        topic=_text(row["topic"]),
        chair=_text(row["chair"]),
        tasks_text=i18n.t("app.dispatch.tasks_n", lang, n=n) if n else i18n.t("app.dispatch.none", lang),
        link=f"/tasks?{urlencode({'from': day, 'to': day, 'source': row['type']})}",
    )


def org_life_row(row: dict[str, Any], lang: str) -> OrgLifeRow:
    """One organisation of the 组织生活 grid (``insights.org_life.grid``): a cell per period."""
    name = _text(row["org_name"])
    sep = i18n.t("sep.clauses", lang)
    cells = []
    for c in row["cells"]:
        types = sep.join(
            i18n.t("app.label", lang, label=i18n.enum_label(contract.ORG_LIFE_TYPE, code, lang))
            + i18n.t(f"org_life.status.{status}", lang)
            for code, status in c["types"].items()
        )
        cells.append(
            OrgLifeCell(
                css=f"olc s-{c['status']}" + (" q" if c["kind"] == "quarter" else ""),
                title=" · ".join(x for x in (name, org_life_text.period_text(c["period"], lang), types) if x),
                key=f"{row['org_code']} {c['period']}",
            )
        )
    missing = int(row.get("missing") or 0)
    return OrgLifeRow(
        org_name=name,
        org_type=i18n.enum_label(contract.ORG_TYPE, row["org_type"], lang),
        summary=i18n.t("org_life.missing_n", lang, n=missing) if missing else "",
        cells=cells,
    )
