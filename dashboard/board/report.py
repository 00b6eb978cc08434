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

    def count(kid: str, key: str) -> str:
        """A count as the KPI card's formula writes it: '1,346', so the sentence and the card agree."""
        return i18n.fmt_int(d[kid].get(key) or 0, lang)

    return [
        i18n.t(
            "report.sentence.elections",
            lang,
            total=count("election_completion", "total"),
            completed=count("election_completion", "completed"),
            rate=value("election_completion"),
        ),
        i18n.t(
            "report.sentence.brands",
            lang,
            covered=count("brand_coverage", "covered"),
            communities=count("brand_coverage", "communities"),
            activities=value("activities_month"),
            participants=value("participants_month"),
        ),
        i18n.t(
            "report.sentence.demolition",
            lang,
            day=i18n.fmt_int(d["time_progress"].get("day"), lang),  # "—" before any milestone: not "day 0"
            total=count("signed_rate", "total"),
            signed=count("signed_rate", "count"),
            signed_rate=value("signed_rate"),
            vacated=count("vacated_rate", "count"),
            demolished=count("demolished_rate", "count"),
            gap=value("progress_gap"),
        ),
        i18n.t(
            "report.sentence.tasks",
            lang,
            total=count("tasks_open", "total"),
            open=count("tasks_open", "count"),
            overdue=count("tasks_overdue", "count"),
            on_time=value("tasks_on_time_rate"),
            same_day=value("tasks_same_day_rate"),
        ),
        i18n.t(
            "report.sentence.org_life",
            lang,
            orgs=count("org_life_gap_orgs", "orgs"),
            due=count("org_life_rate", "due"),
            held=count("org_life_rate", "held"),
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
