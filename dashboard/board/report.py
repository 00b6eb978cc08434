"""The weekly report (周报) in the viewer's language: its figures, sentences and uploads.

``dashboard.insights.report`` computes the week (KPIs against a week ago, uploads, warnings);
here they become the text of /report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard import contract, i18n
from dashboard.board import format as fmt
from dashboard.insights import REPORT_KPIS, Report, Upload, metrics


@dataclass
class Figure:
    label: str
    value: str
    change: str  # "较上周 +3 个百分点" / "+3 pp on last week"


@dataclass
class ReportText:
    title: str
    period: str
    figures: list[Figure] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # plain sentences
    uploads: list[str] = field(default_factory=list)  # what was uploaded this week


def change_text(kpi: metrics.Kpi, lang: str) -> str:
    """'较上周 +3 个百分点', or that last week had no data."""
    if kpi.delta is None:
        return i18n.t("report.no_change_known", lang)
    return i18n.t("report.since_last_week", lang, delta=fmt.kpi_delta_figure(kpi, lang))


def summary(kpis: dict[str, metrics.Kpi], lang: str) -> list[str]:
    """One sentence per board: elections, brands, demolition, 督办, 组织生活 (with its 7-day change)."""
    d = {k: v.detail for k, v in kpis.items()}

    def value(kid: str) -> str:
        return fmt.kpi_value_text(kpis[kid], lang)

    return [
        i18n.t(
            "report.sentence.elections",
            lang,
            total=d["election_completion"].get("total", 0),
            completed=d["election_completion"].get("completed", 0),
            rate=value("election_completion"),
        ),
        i18n.t(
            "report.sentence.brands",
            lang,
            covered=d["brand_coverage"].get("covered", 0),
            communities=d["brand_coverage"].get("communities", 0),
            activities=value("activities_month"),
            participants=value("participants_month"),
        ),
        i18n.t(
            "report.sentence.demolition",
            lang,
            day=d["time_progress"].get("day") or 0,
            total=d["signed_rate"].get("total", 0),
            signed=d["signed_rate"].get("count", 0),
            signed_rate=value("signed_rate"),
            vacated=d["vacated_rate"].get("count", 0),
            demolished=d["demolished_rate"].get("count", 0),
            gap=value("progress_gap"),
        ),
        i18n.t(
            "report.sentence.tasks",
            lang,
            total=d["tasks_open"].get("total", 0),
            open=d["tasks_open"].get("count", 0),
            overdue=d["tasks_overdue"].get("count", 0),
            on_time=value("tasks_on_time_rate"),
            same_day=value("tasks_same_day_rate"),
        ),
        i18n.t(
            "report.sentence.org_life",
            lang,
            orgs=d["org_life_gap_orgs"].get("orgs", 0),
            due=d["org_life_rate"].get("due", 0),
            held=d["org_life_rate"].get("held", 0),
            rate=value("org_life_rate"),
            change=change_text(kpis["org_life_rate"], lang),
            gaps=value("org_life_gap_orgs"),
            attendance=value("org_life_attendance"),
        ),
    ]


def upload_text(up: Upload, lang: str) -> str:
    """'拆迁房产进度：本周更新 1 次，新增 0 行、变更 3 行、删除 0 行'."""
    return i18n.t(
        "report.uploads",
        lang,
        dataset=i18n.dataset_title(contract.get_dataset(up.dataset), lang),
        n=up.versions,
        added=up.added,
        changed=up.changed,
        removed=up.removed,
    )


def write(rep: Report, lang: str) -> ReportText:
    """The whole report's text in ``lang``."""
    return ReportText(
        title=i18n.t("report.title", lang),
        period=i18n.t(
            "report.period", lang, start=i18n.fmt_date(rep.start, lang), end=i18n.fmt_date(rep.end, lang)
        ),
        figures=[
            Figure(
                label=fmt.kpi_label(rep.kpis[k], lang),
                value=fmt.kpi_value_text(rep.kpis[k], lang),
                change=change_text(rep.kpis[k], lang),
            )
            for k in REPORT_KPIS
        ],
        summary=summary(rep.kpis, lang),
        uploads=[upload_text(u, lang) for u in rep.uploads] or [i18n.t("report.no_uploads", lang)],
    )
