"""Which charts each board shows, and rendering a board to JSON-able figures.

The app asks for a board by name and gets (chart id, translated title,
figure dict) triples; it never imports a chart function itself, so adding a
chart is one line here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.io as pio

from dashboard.charts import brands, demolition, elections, org_life, tasks, trends
from dashboard.charts.common import Figure
from dashboard.i18n import t
from dashboard.insights import Frames

Build = Callable[[Frames, str, date], Figure]


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its stable id (DOM ids, tests), its title's catalogue key, its function."""

    id: str
    title_key: str
    build: Build


def _spec(id: str, build: Build) -> ChartSpec:
    return ChartSpec(id=id, title_key=f"chart.{id}", build=build)


BOARDS: dict[str, tuple[ChartSpec, ...]] = {
    "overview": (),
    "elections": (
        _spec("elections_by_type", elections.by_type),
        _spec("elections_by_stage", elections.by_stage),
        _spec("elections_cumulative", elections.cumulative_completions),
        _spec("elections_weekly", trends.elections_weekly),
        _spec("elections_term_calendar", trends.term_calendar),
    ),
    "brands": (
        _spec("brands_activities_month", brands.activities_per_month),
        _spec("brands_participants", brands.participants),
        _spec("brands_by_category", brands.by_category),
        _spec("brands_monthly", trends.brands_monthly),
    ),
    "demolition": (
        _spec("demolition_funnel", demolition.funnel),
        _spec("demolition_by_category", demolition.signed_by_category),
        _spec("demolition_by_group", demolition.signed_by_group),
        _spec("demolition_burnup", demolition.burnup_chart),
        _spec("demolition_trend", trends.demolition_rates),
        _spec("demolition_grid", demolition.property_grid),
        _spec("demolition_gantt", demolition.gantt),
        _spec("demolition_meetings", demolition.meetings_per_week),
    ),
    "tasks": (
        _spec("tasks_by_domain", tasks.by_domain),
        _spec("tasks_by_unit", tasks.by_unit),
        _spec("tasks_flow", tasks.flow),
        _spec("tasks_ages", tasks.ages),
    ),
    # 组织生活: its compliance grid is HTML (board.present), not a chart
    "org_life": (
        _spec("org_life_by_org_type", org_life.by_org_type),
        _spec("org_life_by_period", org_life.by_period),
        _spec("org_life_gaps", org_life.gaps),
        _spec("org_life_attendance", org_life.attendance),
    ),
}

# The weekly report's main charts, in order: the /report page and the Word/PDF report draw these.
REPORT: tuple[tuple[str, str], ...] = (
    ("elections", "elections_by_type"),
    ("brands", "brands_activities_month"),
    ("demolition", "demolition_burnup"),
    ("demolition", "demolition_trend"),
    ("demolition", "demolition_funnel"),
    ("tasks", "tasks_flow"),
    ("org_life", "org_life_by_period"),
)


def spec(board: str, chart_id: str) -> ChartSpec:
    """The chart ``chart_id`` of ``board`` (KeyError when the board has no such chart)."""
    for s in BOARDS[board]:
        if s.id == chart_id:
            return s
    raise KeyError(f"{board} has no chart {chart_id!r}")


def figure_dict(fig: Figure) -> dict[str, Any]:
    """The figure as plain JSON types, without the template (plotly.js defaults suffice)."""
    out = json.loads(pio.to_json(fig.to_dict(), validate=False, engine="json"))
    out.get("layout", {}).pop("template", None)
    return out


def render_board(board: str, frames: Frames, lang: str, today: date) -> list[tuple[str, str, dict[str, Any]]]:
    """Every chart of ``board`` as (chart id, translated title, figure dict)."""
    return [(s.id, t(s.title_key, lang), figure_dict(s.build(frames, lang, today))) for s in BOARDS[board]]
