"""View models: what a board shows, as plain dataclasses of display strings (Reflex state field types).

Plain Python: the Reflex states copy a :class:`BoardView` into their fields. A view holds
display-ready strings (translated, formatted for the language) and plotly figure dicts, never raw
frames, so what goes over the websocket is small and does not grow with the row count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from dashboard import i18n

BOARDS: tuple[str, ...] = ("overview", "elections", "brands", "demolition", "tasks", "org_life")


@dataclass
class ChartView:
    id: str = ""
    title: str = ""
    figure: dict[str, Any] = field(default_factory=dict)  # plotly's: the report's charts and PNGs


@dataclass
class ChartCard:
    """A chart as a board's tab receives it: drawn on the server, no plotly figure to send."""

    id: str = ""
    title: str = ""
    static: str = ""  # the figure as HTML + SVG with its hover labels (charts.static.markup)


@dataclass
class KpiView:
    id: str = ""
    label: str = ""
    value: str = ""
    sub: str = ""  # e.g. "第 85 天 / 共 100 天" under 时间进度
    delta: str = ""
    trend: str = "none"  # up | down | flat | none: which way the figure moved
    tone: str = "neutral"  # good | bad | neutral: what the move means (KPI.better: fewer overdue is good)
    level: str = "ok"  # ok | warn | bad
    formula: str = ""
    spark: str = ""  # the trend line across recent versions: SVG polyline points ("" = none)
    spark_label: str = ""  # what the line shows, in words


@dataclass
class KpiGroup:
    title: str = ""
    kpis: list[KpiView] = field(default_factory=list)


@dataclass
class Freshness:
    dataset: str = ""
    text: str = ""
    demo: bool = False


@dataclass
class OrgRow:
    org_code: str = ""
    org_name: str = ""
    org_type: str = ""
    stage: str = ""
    stage_code: str = ""
    supervisor: str = ""
    planned_date: str = ""
    completed_date: str = ""
    term_end: str = ""


@dataclass
class ExpiryRow:
    org_code: str = ""
    org_name: str = ""
    org_type: str = ""
    term_end: str = ""
    days_text: str = ""
    level: str = "yellow"  # yellow | red
    level_label: str = ""
    note: str = ""


@dataclass
class BrandCard:
    project_code: str = ""
    community: str = ""
    brand_name: str = ""
    category: str = ""
    status: str = ""
    status_code: str = ""
    progress_text: str = ""
    percent: int = 0  # activities / target, 0..100, for the progress bar
    level: str = "ok"


@dataclass
class GridCell:
    """One property of the 战果图: its CSS classes (status colour, key household) and tooltip.

    Two strings only: a city's grid is hundreds of cells, sent and drawn as plain divs.
    """

    css: str = "cell"  # "cell s-<status code>" (+ " key" for a key household)
    title: str = ""  # "DX-001 · 李** · 已拆除"
    href: str = ""  # the property's own page (一户一档): /property/<id>


@dataclass
class GridGroup:
    label: str = ""
    summary: str = ""
    cells: list[GridCell] = field(default_factory=list)
    hidden_text: str = ""


@dataclass
class OrgLifeCell:
    """One organisation × period of the 组织生活 grid: its CSS class (status), tooltip, drill key."""

    css: str = "olc s-not_due"  # "olc s-held" | "olc s-missing" | "olc s-not_due"
    title: str = ""  # "示例村04党支部 · 2026年3月 · 支委会：未召开；党小组会：已召开"
    key: str = ""  # "ORG-005 2026-03": what a click lists (insights.filters DRILLS["org_life_grid"])


@dataclass
class OrgLifeColumn:
    label: str = ""  # "3月" / "Mar", "1季" / "Q1"
    css: str = "olg-col"  # + " q" for a quarter


@dataclass
class OrgLifeRow:
    org_name: str = ""
    org_type: str = ""
    summary: str = ""  # "缺 2 次" / "2 missing" ("" when none)
    cells: list[OrgLifeCell] = field(default_factory=list)


@dataclass
class Swatch:
    label: str = ""
    colour: str = ""


@dataclass
class WarningRow:
    """One open warning on the overview's panel (dashboard.insights.warnings)."""

    rule: str = ""
    level: str = "yellow"  # red | yellow
    level_label: str = ""
    board: str = ""
    board_label: str = ""
    reason: str = ""
    # the reason split around the data name it quotes, so the name is marked as data
    before: str = ""
    name: str = ""
    after: str = ""
    link: str = "/"
    since: str = ""


@dataclass
class TaskRow:
    """One 督办 item of the overdue or latest list (``insights.tasks``); title, owner, unit are data."""

    task_code: str = ""
    title: str = ""
    owner: str = ""  # a staff member's name: never masked
    unit: str = ""
    domain: str = ""
    status: str = ""
    raised_date: str = ""
    deadline: str = ""
    days_text: str = ""  # "超期 12 天" ("" when not overdue)


@dataclass
class MeetingRow:
    """A dispatch meeting on the demolition board and the link to the 督办 items raised at it."""

    date: str = ""
    topic: str = ""
    chair: str = ""
    tasks_text: str = ""  # "督办 4 项"
    link: str = ""  # /tasks?from=<day>&to=<day>&source=dispatch


@dataclass
class BoardView:
    """Everything one board shows in one language for one data version."""

    # Fields the server keeps and no tab mirrors: the plotly figures (``cards`` draws them).
    SERVER_ONLY: ClassVar[frozenset[str]] = frozenset({"charts"})

    board: str = ""
    lang: str = i18n.DEFAULT_LANG
    stamp: int = -1
    # Identity of the data the view shows: stamp, newest version time and office date.
    # The stamp alone is not enough: a fresh database starts counting again.
    version: str = ""
    day: str = ""  # the office date it was built for (time progress moves daily)
    demo: bool = False
    freshness: list[Freshness] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)  # kept here (SERVER_ONLY): report, wall
    cards: list[ChartCard] = field(default_factory=list)  # the same charts as the tabs receive them
    kpi_groups: list[KpiGroup] = field(default_factory=list)
    org_headers: list[str] = field(default_factory=list)
    orgs: list[OrgRow] = field(default_factory=list)
    orgs_more: str = ""
    expiries: list[ExpiryRow] = field(default_factory=list)
    expiries_more: str = ""
    brands: list[BrandCard] = field(default_factory=list)
    brands_more: str = ""
    grid: list[GridGroup] = field(default_factory=list)
    grid_legend: list[Swatch] = field(default_factory=list)
    warnings: list[WarningRow] = field(default_factory=list)
    warnings_more: str = ""
    warnings_red: int = 0  # open warnings per level, all of them (the rows are capped)
    warnings_yellow: int = 0
    warnings_all: str = ""  # the panel's expander: "全部 N 条"
    task_headers: list[str] = field(default_factory=list)  # 督办: the overdue list
    overdue_tasks: list[TaskRow] = field(default_factory=list)
    overdue_tasks_more: str = ""
    recent_tasks: list[TaskRow] = field(default_factory=list)  # newest first (a day's, filtered)
    recent_tasks_more: str = ""
    dispatch_meetings: list[MeetingRow] = field(default_factory=list)  # 拆迁: meetings -> 督办
    dispatch_meetings_more: str = ""
    filter_query: str = ""  # the URL query of the filters applied ("" = whole board)
    filter_options: dict[str, list[str]] = field(default_factory=dict)
    filter_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> value -> label
    filter_values: dict[str, str] = field(default_factory=dict)  # key -> value, "all" when not set
    filter_typed: list[str] = field(default_factory=list)  # filters typed, not picked (too many)
    # 组织生活: the compliance grid (organisations × months, then quarters), worst first
    org_life_columns: list[OrgLifeColumn] = field(default_factory=list)
    org_life_rows: list[OrgLifeRow] = field(default_factory=list)
    org_life_more: str = ""
    org_life_legend: list[Swatch] = field(default_factory=list)
