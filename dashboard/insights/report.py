"""The weekly report (周报): key figures, what changed since last week, open warnings.

"Last week" is the data as it stood seven days ago: for each dataset, the
last version uploaded on or before that office day (``storage.load_version``;
an empty ledger if there was none). The KPI changes are then computed by
``metrics.overview_kpis`` with those frames as the "previous" ones, so the
report's figures are the overview's figures, and the changes are against a
week ago rather than the previous upload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import clock, contract, i18n
from dashboard.ingest.validation import typed_empty
from dashboard.insights import metrics, warnings
from dashboard.insights.metrics import Frames
from dashboard.store import storage

REPORT_DAYS = 7
# The key figures of the report, in reading order.
REPORT_KPIS: tuple[str, ...] = (
    "election_completion",
    "brand_coverage",
    "activities_month",
    "participants_month",
    "signed_rate",
    "vacated_rate",
    "demolished_rate",
    "time_progress",
    "progress_gap",
)


@dataclass
class Figure:
    label: str
    value: str
    change: str  # "较上周 +3 个百分点" / "+3 pp on last week"


@dataclass
class Report:
    title: str
    period: str
    figures: list[Figure] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # plain sentences
    uploads: list[str] = field(default_factory=list)  # what was uploaded this week
    warnings: list[warnings.Warning] = field(default_factory=list)


def _office_day(info: storage.VersionInfo) -> date:
    return info.created_at.astimezone(clock.OFFICE_TZ).date()


def frames_as_of(engine: Engine, day: date) -> Frames:
    """Each dataset as it stood at the end of ``day`` (office time)."""
    out: Frames = {}
    versions = storage.list_versions(engine)
    for name, ds in contract.DATASETS.items():
        older = [v for v in versions if v.dataset == name and _office_day(v) <= day]
        out[name] = (
            storage.load_version(engine, name, max(v.number for v in older)) if older else typed_empty(ds)
        )
    return out


def _change(kpi: metrics.Kpi, lang: str) -> str:
    if kpi.delta is None:
        return i18n.t("report.no_change_known", lang)
    return i18n.t("report.since_last_week", lang, delta=metrics.kpi_delta_figure(kpi, lang))


def build(
    engine: Engine,
    current: Mapping[str, pd.DataFrame],
    latest: Mapping[str, storage.VersionInfo],
    today: date,
    lang: str = "zh",
) -> Report:
    """The report for the week ending ``today``."""
    week_ago = today - timedelta(days=REPORT_DAYS)
    before = frames_as_of(engine, week_ago)
    # a dataset with no version a week ago gives no change (not "everything is new")
    previous = {name: f for name, f in before.items() if not f.empty}
    kpis = {k.id: k for k in metrics.overview_kpis(dict(current), previous, today)}
    figures = [
        Figure(
            label=i18n.t(kpis[k].label_key, lang),
            value=metrics.kpi_value_text(kpis[k], lang),
            change=_change(kpis[k], lang),
        )
        for k in REPORT_KPIS
    ]
    d = {k: v.detail for k, v in kpis.items()}
    summary = [
        i18n.t(
            "report.sentence.elections",
            lang,
            total=d["election_completion"].get("total", 0),
            completed=d["election_completion"].get("completed", 0),
            rate=metrics.kpi_value_text(kpis["election_completion"], lang),
        ),
        i18n.t(
            "report.sentence.brands",
            lang,
            covered=d["brand_coverage"].get("covered", 0),
            communities=d["brand_coverage"].get("communities", 0),
            activities=metrics.kpi_value_text(kpis["activities_month"], lang),
            participants=metrics.kpi_value_text(kpis["participants_month"], lang),
        ),
        i18n.t(
            "report.sentence.demolition",
            lang,
            day=d["time_progress"].get("day") or 0,
            total=d["signed_rate"].get("total", 0),
            signed=d["signed_rate"].get("count", 0),
            signed_rate=metrics.kpi_value_text(kpis["signed_rate"], lang),
            vacated=d["vacated_rate"].get("count", 0),
            demolished=d["demolished_rate"].get("count", 0),
            gap=metrics.kpi_value_text(kpis["progress_gap"], lang),
        ),
    ]
    uploads = []
    for name in contract.DATASETS:
        week = [v for v in storage.list_versions(engine, name) if week_ago < _office_day(v) <= today]
        if week:
            uploads.append(
                i18n.t(
                    "report.uploads",
                    lang,
                    dataset=i18n.dataset_title(contract.get_dataset(name), lang),
                    n=len(week),
                    added=sum(v.added for v in week),
                    changed=sum(v.changed for v in week),
                    removed=sum(v.removed for v in week),
                )
            )
    return Report(
        title=i18n.t("report.title", lang),
        period=i18n.t(
            "report.period",
            lang,
            start=i18n.fmt_date(week_ago + timedelta(days=1), lang),
            end=i18n.fmt_date(today, lang),
        ),
        figures=figures,
        summary=summary,
        uploads=uploads or [i18n.t("report.no_uploads", lang)],
        warnings=warnings.evaluate(current, latest, today, lang),
    )
