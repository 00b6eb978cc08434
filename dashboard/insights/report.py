"""The weekly report (周报): key figures, what changed since last week, open warnings.

"Last week" is the data as it stood seven days ago: for each dataset, the
last version uploaded on or before that office day (``storage.load_version``;
an empty ledger if there was none). The KPI changes are then computed by
``metrics.overview_kpis`` with those frames as the "previous" ones, judged as
of that day (its campaign day, overdue items, month), so the report's figures
are the overview's figures, and each change is the figure today minus the
figure a week ago as it read then, rather than against the previous upload.
Language-free: ``dashboard.board.report`` writes the figures, sentences and
uploads in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import clock, contract
from dashboard.contract.scopes import Scope
from dashboard.ingest import typed_empty
from dashboard.ingest.scoping import restrict
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
    # 督办 (tasks)
    "tasks_open",
    "tasks_overdue",
    "tasks_on_time_rate",
    "tasks_same_day_rate",
    # 组织生活 (its change against a week ago, like every figure here)
    "org_life_rate",
    "org_life_gap_orgs",
    "org_life_attendance",
)


@dataclass(frozen=True)
class Upload:
    """What one dataset received this week: versions and the rows they added, changed, removed."""

    dataset: str
    versions: int
    added: int
    changed: int
    removed: int


@dataclass
class Report:
    """The week ``start`` .. ``end`` (office days, inclusive): figures, uploads, open warnings.

    ``kpis`` are the overview's KPIs by id, their deltas against the data of a week ago as it read
    that day (``end`` − 7 days: its campaign day, overdue items, month).
    """

    start: date
    end: date
    kpis: dict[str, metrics.Kpi] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
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


def build(
    engine: Engine,
    current: Mapping[str, pd.DataFrame],
    latest: Mapping[str, storage.VersionInfo],
    today: date,
    scope: Scope | None = None,
) -> Report:
    """The report for the week ending ``today`` (``scope``: a scoped viewer's, its rows and uploads only;
    ``current`` is then already the scope's)."""
    week_ago = today - timedelta(days=REPORT_DAYS)
    before = frames_as_of(engine, week_ago)
    if scope is not None:
        before = restrict(before, scope)
    # a dataset with no version a week ago gives no change (not "everything is new")
    previous = {name: f for name, f in before.items() if not f.empty}
    kpis = {k.id: k for k in metrics.overview_kpis(dict(current), previous, today, previous_day=week_ago)}
    uploads = []
    for name in contract.DATASETS:
        week = [v for v in storage.list_versions(engine, name) if week_ago < _office_day(v) <= today]
        if scope is not None:
            week = [v for v in week if v.scope == scope.text]
        if week:
            uploads.append(
                Upload(
                    dataset=name,
                    versions=len(week),
                    added=sum(v.added for v in week),
                    changed=sum(v.changed for v in week),
                    removed=sum(v.removed for v in week),
                )
            )
    return Report(
        start=week_ago + timedelta(days=1),
        end=today,
        kpis=kpis,
        uploads=uploads,
        warnings=warnings.evaluate(current, latest, today),
    )
