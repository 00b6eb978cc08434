"""The 督办 board's figures: its four KPIs, its bounded series, its warning rules and its report section.

Each figure is checked by hand on a few items; the thresholds come from ``warnings.RULES`` (the one
place they live) and are probed just under, at and over.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.board import build_view
from dashboard.board import report as weekly
from dashboard.board.drill import rows_behind
from dashboard.board.snapshot import Snapshot
from dashboard.insights import metrics, report, warnings
from dashboard.insights import tasks as insight
from dashboard.insights.filters import Filters
from dashboard.insights.warnings import RULES, SAME_DAY_WINDOW_DAYS
from dashboard.store import storage
from tests.frames import city_frames, frames
from tests.test_trends import upload

TODAY = date(2026, 6, 30)


def item(
    code: str, raised: int, deadline: int, closed: int | None = None, **extra: object
) -> dict[str, object]:
    """An item raised / due / closed so many days before TODAY (negative: after)."""
    row: dict[str, object] = {
        "task_code": code,
        "raised_date": TODAY - timedelta(days=raised),
        "source": "dispatch",
        "domain": "demolition",
        "title": f"事项{code}",
        "owner": "责任人甲",
        "unit": "第一党小组",
        "deadline": TODAY - timedelta(days=deadline),
        "status": "open" if closed is None else "closed",
        "closed_date": None if closed is None else TODAY - timedelta(days=closed),
    }
    return row | extra


def kpis(
    rows: list[dict[str, object]], previous: list[dict[str, object]] | None = None
) -> dict[str, metrics.Kpi]:
    prev = frames(tasks=previous) if previous is not None else {}
    return {k.id: k for k in metrics.overview_kpis(frames(tasks=rows), prev, TODAY)}


LEDGER = [
    item("A", raised=10, deadline=5),  # open, overdue 5 days
    item("B", raised=3, deadline=-3, status="in_progress"),  # open, not yet due
    item("C", raised=8, deadline=6, closed=8),  # closed the day raised (on time)
    item("D", raised=8, deadline=6, closed=4),  # closed after its deadline
    item("E", raised=2, deadline=0, closed=1),  # closed on time, not the same day
]


def test_open_overdue_on_time_and_same_day_kpis_with_their_counts() -> None:
    k = kpis(LEDGER)
    assert (k["tasks_open"].value, k["tasks_open"].detail) == (2, {"count": 2, "total": 5})
    assert (k["tasks_overdue"].value, k["tasks_overdue"].detail) == (1, {"count": 1, "total": 2})
    assert k["tasks_overdue"].level == "bad"
    assert k["tasks_on_time_rate"].value == pytest.approx(2 / 3)  # C and E of C, D, E
    assert k["tasks_same_day_rate"].value == pytest.approx(1 / 5)  # C of all five
    assert all(k[kid].delta is None for kid in ("tasks_open", "tasks_overdue"))


def test_an_item_due_today_is_not_yet_overdue() -> None:
    k = kpis([item("A", raised=3, deadline=0)])
    assert k["tasks_overdue"].value == 0 and k["tasks_overdue"].level == "ok"


def test_kpis_change_since_the_previous_version() -> None:
    before = [item("A", raised=10, deadline=5), item("B", raised=3, deadline=-3)]
    k = kpis(LEDGER, previous=before)
    assert k["tasks_open"].delta == 0
    assert k["tasks_overdue"].delta == 0
    assert k["tasks_on_time_rate"].delta is None  # nothing closed before: no rate to compare


def test_no_items_gives_no_rates() -> None:
    k = kpis([])
    assert k["tasks_open"].value == 0 and k["tasks_on_time_rate"].value is None
    assert k["tasks_same_day_rate"].value is None


# --- series -------------------------------------------------------------------------------------


def test_open_items_by_domain_in_contract_order_and_by_unit_most_first() -> None:
    f = frames(
        tasks=[
            *LEDGER,
            item("F", raised=1, deadline=-5, domain="enterprise", unit="创新大厦联合党支部"),
            item("G", raised=1, deadline=-5, unit=None),
        ]
    )
    by_domain = insight.open_by(f, "domain", TODAY)
    assert by_domain.counts[:2] == [("demolition", 3, 1), ("enterprise", 1, 0)]
    assert len(by_domain.counts) == 6
    by_unit = insight.open_by(f, "unit", TODAY)
    assert by_unit.counts == [("第一党小组", 2, 1), ("", 1, 0), ("创新大厦联合党支部", 1, 0)]
    assert by_unit.rest == (0, 0)


def test_units_beyond_the_limit_are_summed_into_one_remainder() -> None:
    rows = [item(f"U{i}", raised=1, deadline=-1, unit=f"单位{i:02d}") for i in range(insight.UNIT_LIMIT + 3)]
    got = insight.open_by(frames(tasks=rows), "unit", TODAY)
    assert len(got.counts) == insight.UNIT_LIMIT
    assert (got.rest, got.rest_values) == ((3, 0), 3)


def test_weekly_flow_counts_raised_closed_and_the_backlog_at_each_weeks_end() -> None:
    # TODAY is a Tuesday: this week began yesterday (1 day ago)
    rows = [
        item("A", raised=7, deadline=0),  # raised last week, still open
        item("B", raised=8, deadline=0, closed=1),  # raised last week, closed this week
        item("C", raised=0, deadline=-2, closed=0),  # raised and closed today
    ]
    flow = insight.weekly_flow(frames(tasks=rows), TODAY)
    assert list(flow.index[-2:]) == [pd.Timestamp("2026-06-22"), pd.Timestamp("2026-06-29")]
    assert flow.loc["2026-06-22"].tolist() == [2, 0, 2]
    assert flow.loc["2026-06-29"].tolist() == [1, 2, 1]


def test_weekly_flow_is_bounded_to_the_last_weeks() -> None:
    rows = [item("OLD", raised=1000, deadline=990, closed=995), item("NEW", raised=1, deadline=-1)]
    flow = insight.weekly_flow(frames(tasks=rows), TODAY)
    assert len(flow) == insight.FLOW_WEEKS
    assert flow["backlog"].iloc[-1] == 1


def test_ages_of_open_items_in_buckets() -> None:
    rows = [item("A", 0, -3), item("B", 2, -1), item("C", 3, 1), item("D", 40, 30), item("E", 200, 100)]
    ages = insight.open_ages(frames(tasks=rows), TODAY)
    assert [(lo, n, over) for lo, _, n, over in ages] == [
        (0, 2, 0),
        (3, 1, 1),
        (8, 0, 0),
        (31, 1, 1),
        (91, 1, 1),
    ]


def test_the_overdue_list_is_longest_overdue_first_with_owner_and_unit() -> None:
    rows = [item("A", 10, 2), item("B", 20, 9, unit=None), item("C", 5, -1), item("D", 30, 20, closed=10)]
    listed, total = insight.overdue_items(frames(tasks=rows), TODAY, limit=1)
    assert total == 2
    assert listed == [
        {
            "task_code": "B",
            "title": "事项B",
            "owner": "责任人甲",
            "unit": "",
            "domain": "demolition",
            "status": "open",
            "raised_date": TODAY - timedelta(days=20),
            "deadline": TODAY - timedelta(days=9),
            "days": 9,
        }
    ]


def test_a_dispatch_meeting_counts_the_items_raised_at_it_that_day() -> None:
    day = TODAY - timedelta(days=2)
    f = frames(
        meetings=[
            {"date": day, "type": "dispatch", "topic": "第3次调度"},
            {"date": TODAY, "type": "weekly", "topic": "周例会"},
            {"date": TODAY - timedelta(days=5), "type": "dispatch", "topic": "第2次调度"},
        ],
        tasks=[item("A", 2, 0), item("B", 2, 0, source="morning"), item("C", 5, 0)],
    )
    rows, total = insight.meetings_with_tasks(f, limit=1)
    assert total == 2
    assert [(r["date"], r["topic"], r["tasks"]) for r in rows] == [(day, "第3次调度", 1)]


# --- warnings: under / at / over each threshold ------------------------------------------------


def found(rows: list[dict[str, object]], rate: bool = False) -> list[tuple[str, str]]:
    """The per-item warnings (or, with ``rate``, the 当日办结率 one) of a ledger."""
    got = warnings.task_warnings(frames(tasks=rows), TODAY)
    return [(w.rule, w.subject) for w in got if (w.rule == "task_same_day_rate_low") == rate]


@pytest.mark.parametrize(
    ("days_past_deadline", "expected"),
    [(0, "task_due_soon"), (1, "task_overdue"), (2, "task_overdue")],
)
def test_task_overdue_under_at_and_over_its_threshold(days_past_deadline: int, expected: str) -> None:
    past = days_past_deadline + int(RULES["task_overdue"].threshold)
    got = warnings.task_warnings(frames(tasks=[item("A", 10, past, unit="x")]), TODAY)
    assert [(w.rule, w.level, w.link) for w in got] == [(expected, RULES[expected].level, "/tasks")]
    if expected == "task_overdue":
        assert got[0].since == TODAY - timedelta(days=past - 1)
        assert got[0].params["days"] == past and got[0].name == "事项A · 责任人甲"


@pytest.mark.parametrize(("days_left", "warned"), [(1, True), (2, True), (3, False)])
def test_task_due_soon_under_at_and_over_its_threshold(days_left: int, warned: bool) -> None:
    threshold = int(RULES["task_due_soon"].threshold)
    left = days_left + threshold - 2
    assert found([item("A", 1, -left)]) == ([("task_due_soon", "A")] if warned else [])


def test_a_closed_item_past_its_deadline_warns_no_more() -> None:
    assert found([item("A", 10, 5, closed=1)]) == []


@pytest.mark.parametrize(("same", "warned"), [(5, True), (6, False), (7, False)])
def test_task_same_day_rate_low_under_at_and_over_its_threshold(same: int, warned: bool) -> None:
    assert RULES["task_same_day_rate_low"].threshold == 60
    rows = [
        item(f"S{i}", raised=i % 5 + 1, deadline=-3, closed=(i % 5 + 1) if i < same else 0) for i in range(10)
    ]
    got = [w for w in warnings.task_warnings(frames(tasks=rows), TODAY) if w.rule == "task_same_day_rate_low"]
    assert len(got) == (1 if warned else 0)
    if warned:
        assert got[0].params["count"] == same and got[0].params["total"] == 10
        assert got[0].level == "yellow" and got[0].board == "tasks"


def test_the_same_day_rate_looks_at_the_last_week_only() -> None:
    old = [item(f"O{i}", raised=SAME_DAY_WINDOW_DAYS, deadline=0, closed=0) for i in range(5)]
    assert found(old, rate=True) == []  # raised 7 days ago, outside the window
    assert found([*old, item("N", raised=1, deadline=-3)], rate=True) == [
        ("task_same_day_rate_low", "tasks_same_day_rate")
    ]


def test_the_overview_lists_the_tasks_warnings() -> None:
    snapshot = Snapshot(today=TODAY, latest={}, current=frames(tasks=[item("A", 10, 5)]))
    view = build_view(snapshot, "overview", "zh")
    row = next(w for w in view.warnings if w.rule == "task_overdue")
    assert (row.level, row.link, row.board_label, row.name) == ("red", "/tasks", "督办", "事项A · 责任人甲")
    groups = {g.title: [k.id for k in g.kpis] for g in view.kpi_groups}
    assert groups["督办"] == ["tasks_open", "tasks_overdue", "tasks_on_time_rate", "tasks_same_day_rate"]


# --- the board ----------------------------------------------------------------------------------


def test_the_board_lists_overdue_items_and_filters_by_day_raised_and_source() -> None:
    rows = [item("A", 10, 5), item("B", 10, 3, source="morning"), item("C", 3, 1, unit="拆迁指挥部")]
    snapshot = Snapshot(today=TODAY, latest={}, current=frames(tasks=rows))
    view = build_view(snapshot, "tasks", "en")
    assert [r.task_code for r in view.overdue_tasks] == ["A", "B", "C"]
    assert view.overdue_tasks[0].days_text == "5 days overdue" and view.overdue_tasks[0].owner == "责任人甲"
    assert view.task_headers[-1] == "Overdue"
    # the filter bar offers codes, each shown in the viewer's language
    assert view.filter_labels["domain"]["enterprise"] == "Enterprise services"
    assert view.filter_labels["source"]["dispatch"] == "Dispatch meeting"
    assert view.filter_labels["unit"] == {"拆迁指挥部": "拆迁指挥部", "第一党小组": "第一党小组"}
    assert [c.id for c in view.charts] == ["tasks_by_domain", "tasks_by_unit", "tasks_flow", "tasks_ages"]
    day = (TODAY - timedelta(days=10)).isoformat()
    narrowed = Filters.from_query({"from": day, "to": day, "source": "dispatch"})
    assert [r.task_code for r in view.recent_tasks] == ["C", "A", "B"]  # newest first
    assert view.recent_tasks[0].days_text == "1 day overdue"
    view = build_view(snapshot, "tasks", "zh", narrowed)
    assert [r.task_code for r in view.overdue_tasks] == ["A"]
    assert [r.task_code for r in view.recent_tasks] == ["A"]  # what that day's dispatch meeting raised
    assert Filters.from_query({"unit": "拆迁指挥部"}).apply(snapshot.current)["tasks"][
        "task_code"
    ].tolist() == ["C"]
    assert Filters.from_query({"domain": "nonsense", "source": "x"}).empty


def test_a_click_on_a_unit_lists_its_open_items() -> None:
    f = frames(tasks=[*LEDGER, item("N", 1, -1, unit=None)])
    dataset, rows = rows_behind(f, "tasks_by_unit", "第一党小组")
    assert dataset == "tasks" and rows["task_code"].tolist() == ["A", "B"]  # closed C, D, E are not open
    assert rows_behind(f, "tasks_by_unit", "No unit given")[1]["task_code"].tolist() == ["N"]
    assert rows_behind(f, "tasks_by_domain", "拆迁")[1]["task_code"].tolist() == ["A", "B", "N"]


def test_the_demolition_board_links_each_dispatch_meeting_to_that_days_items() -> None:
    day = TODAY - timedelta(days=2)
    f = frames(meetings=[{"date": day, "type": "dispatch", "topic": "第3次调度"}], tasks=[item("A", 2, 0)])
    view = build_view(Snapshot(today=TODAY, latest={}, current=f), "demolition", "zh")
    assert [(m.topic, m.tasks_text, m.link) for m in view.dispatch_meetings] == [
        ("第3次调度", "督办 1 项", "/tasks?from=2026-06-28&to=2026-06-28&source=dispatch")
    ]


def test_a_city_of_20000_items_stays_a_bounded_board() -> None:
    city = city_frames(TODAY)
    assert len(city["tasks"]) == 20_000
    view = build_view(Snapshot(today=TODAY, latest={}, current=city), "tasks", "zh")
    assert 0 < len(view.overdue_tasks) <= 60 and view.overdue_tasks_more.startswith("另有 ")
    by_unit = next(c for c in view.charts if c.id == "tasks_by_unit").figure
    assert all(len(trace["y"]) == insight.UNIT_LIMIT + 1 for trace in by_unit["data"])


# --- the weekly report --------------------------------------------------------------------------


@pytest.fixture
def engine(sqlite_url: str) -> sa.Engine:
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    return eng


def test_the_weekly_report_has_a_tasks_section_compared_with_a_week_ago(engine: sa.Engine) -> None:
    upload(engine, "tasks", [item("A", 20, 15), item("B", 20, 18)], TODAY - timedelta(days=10))
    upload(engine, "tasks", [item("A", 20, 15), item("B", 20, 18, closed=9), item("C", 1, -2)], TODAY)
    current = {"tasks": storage.load_current(engine, "tasks")}
    rep = report.build(engine, current, storage.latest_versions(engine), TODAY)
    assert rep.kpis["tasks_overdue"].value == 1 and rep.kpis["tasks_overdue"].delta == -1
    text = weekly.write(rep, "zh")
    overdue = next(f for f in text.figures if f.label == "超期事项")
    assert (overdue.value, overdue.change) == ("1", "较上周 −1")
    assert (
        text.summary[3] == "四、督办事项。共 3 项，未办结 2 项，其中超期 1 项；按时办结率 0%，当日办结率 0%。"
    )
    assert {w.rule for w in rep.warnings} >= {"task_overdue"}
