"""组织生活: the meetings each organisation held against the rhythm it owes (insights.org_life),
its warnings under / at / over their thresholds, its charts, grid, drill-down, filters and digest.

Every frame is built by hand so each figure can be checked by counting.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from dashboard import clock, i18n
from dashboard.board import drill as board_drill
from dashboard.board import present
from dashboard.board.snapshot import Snapshot
from dashboard.charts import org_life as charts
from dashboard.charts.registry import BOARDS, figure_dict
from dashboard.demo.load import load_demo
from dashboard.insights import filters as flt
from dashboard.insights import org_life, warnings
from dashboard.insights.filters import Filters
from dashboard.insights.metrics import overview_kpis
from dashboard.notify import digest, messages
from dashboard.store import storage
from tests.frames import frames

TODAY = date(2025, 6, 15)  # June (month) and Q2 (quarter) are still open
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MONTHS = [(2024, m) for m in range(7, 13)] + [(2025, m) for m in range(1, 7)]  # Jul 2024 .. Jun 2025
QUARTERS = [(2024, 3), (2024, 4), (2025, 1), (2025, 2)]


def orgs(*codes: str, org_type: str = "village") -> list[dict]:
    return [
        {"org_code": c, "org_name": f"Org {c}", "org_type": org_type, "members": 9, "stage": "completed",
         "completed_date": "2024-01-10"}
        for c in codes
    ]  # fmt: skip


def on_rhythm(code: str, skip: set[tuple[str, str]] = frozenset(), upto: date = TODAY) -> list[dict]:
    """Every required meeting of ``code`` on the 5th of its period, up to ``upto``, but those in
    ``skip`` ((type, period code) pairs)."""
    rows = []
    for kind in org_life.MONTHLY:
        for y, m in MONTHS:
            if (kind, f"{y}-{m:02d}") not in skip and date(y, m, 5) <= upto:
                rows.append({"org_code": code, "date": f"{y}-{m:02d}-05", "type": kind, "topic": "T",
                             "expected": 10, "attended": 9, "chair": "书记"})  # fmt: skip
    for kind in org_life.QUARTERLY:
        for y, q in QUARTERS:
            if (kind, f"{y}-Q{q}") not in skip and date(y, 3 * q - 2, 5) <= upto:
                rows.append({"org_code": code, "date": f"{y}-{3 * q - 2:02d}-05", "type": kind,
                             "topic": "T", "expected": 10, "attended": 8})  # fmt: skip
    return rows


def town(skip_a: set[tuple[str, str]] = frozenset(), upto: date = TODAY) -> dict:
    """A on rhythm but for ``skip_a``; B on rhythm; C (a community) never met after March 2025."""
    return frames(
        elections=orgs("A", "B") + orgs("C", org_type="community"),
        org_life=on_rhythm("A", skip_a, upto)
        + on_rhythm("B", upto=upto)
        + on_rhythm("C", upto=date(2025, 3, 31)),
    )


def cell(cells: pd.DataFrame, org: str, kind: str, period: str) -> str:
    row = cells[(cells["org_code"] == org) & (cells["type"] == kind) & (cells["period"] == period)]
    assert len(row) == 1
    return str(row["status"].iloc[0])


# --- periods -----------------------------------------------------------------------------------


def test_the_last_twelve_months_and_four_quarters_end_with_the_open_one() -> None:
    months = org_life.periods("month", TODAY)
    assert [p.code for p in months] == [f"{y}-{m:02d}" for y, m in MONTHS]
    assert months[-1].start == date(2025, 6, 1) and months[-1].end == date(2025, 6, 30)
    assert not months[-1].closed(TODAY) and months[-2].closed(TODAY)
    quarters = org_life.periods("quarter", TODAY)
    assert [p.code for p in quarters] == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert quarters[1].end == date(2024, 12, 31)
    assert org_life.period_of("month", date(2025, 12, 31)).end == date(2025, 12, 31)
    assert org_life.parse_period("2025-Q4") == org_life.period_of("quarter", date(2025, 11, 2))
    assert org_life.parse_period("2025-13") is None and org_life.parse_period("x") is None


# --- held / missing / not yet due -------------------------------------------------------------


def test_each_required_type_is_held_missing_or_not_yet_due_per_month_or_quarter() -> None:
    cells = org_life.compliance(town({("group_meeting", "2025-05"), ("party_day", "2025-06")}), TODAY)
    # 3 organisations × (3 monthly types × 12 months + 2 quarterly types × 4 quarters)
    assert len(cells) == 3 * (3 * 12 + 2 * 4)
    assert cell(cells, "A", "group_meeting", "2025-05") == "missing"  # May has closed
    assert cell(cells, "A", "party_day", "2025-06") == "not_due"  # June is still open
    assert cell(cells, "A", "committee", "2025-06") == "held"  # held in the open month counts
    assert cell(cells, "C", "committee", "2025-04") == "missing"
    assert cell(cells, "C", "general_meeting", "2025-Q2") == "not_due"  # the quarter is open
    assert cell(cells, "C", "general_meeting", "2025-Q1") == "held"
    assert set(cells.loc[cells["org_code"] == "B", "status"]) == {"held"}


def test_a_quarterly_meeting_anywhere_in_its_quarter_counts_and_a_monthly_one_only_in_its_month() -> None:
    data = frames(
        elections=orgs("A"),
        org_life=[
            {"org_code": "A", "date": "2024-07-01", "type": "committee", "topic": "T"},  # ledger starts
            {"org_code": "A", "date": "2025-03-31", "type": "party_lecture", "topic": "T"},
            {"org_code": "A", "date": "2025-03-31", "type": "committee", "topic": "T"},
        ],
    )
    cells = org_life.compliance(data, TODAY)
    assert cell(cells, "A", "party_lecture", "2025-Q1") == "held"
    assert cell(cells, "A", "committee", "2025-03") == "held"
    assert cell(cells, "A", "committee", "2025-02") == "missing"
    assert cell(cells, "A", "party_lecture", "2024-Q4") == "missing"


def test_nothing_is_judged_before_the_ledger_was_kept_nor_without_it() -> None:
    assert org_life.compliance(frames(elections=orgs("A")), TODAY).empty
    data = frames(elections=orgs("A"), org_life=[{"org_code": "A", "date": "2025-05-20", "type": "committee",
                                                  "topic": "T"}])  # fmt: skip
    cells = org_life.compliance(data, TODAY)
    assert sorted(set(cells["period"])) == ["2025-05", "2025-06", "2025-Q2"]


def test_the_kpis_count_required_meetings_held_over_those_due_and_attendance() -> None:
    data = town({("group_meeting", "2025-05")})
    kpis = {k.id: k for k in overview_kpis(data, {}, TODAY)}
    # due: A and B all closed cells + held open ones; C missed April/May (3 types × 2) → closed only
    s = org_life.summary(org_life.compliance(data, TODAY))
    assert s["missing"] == 1 + 3 * 2 and s["orgs_gap"] == 2
    assert kpis["org_life_rate"].detail == {"held": s["held"], "due": s["held"] + s["missing"]}
    assert kpis["org_life_rate"].value == pytest.approx(s["held"] / (s["held"] + s["missing"]))
    assert kpis["org_life_rate"].level == "warn"
    assert kpis["org_life_gap_orgs"].value == 2 and kpis["org_life_gap_orgs"].detail["orgs"] == 3
    att = kpis["org_life_attendance"]
    assert att.detail["attended"] / att.detail["expected"] == pytest.approx(att.value)
    assert 0.8 < att.value < 0.9


def test_the_change_since_the_previous_version_is_in_points() -> None:
    now = town({("group_meeting", "2025-05")})
    before = town({("group_meeting", "2025-05"), ("committee", "2025-05")})
    kpis = {k.id: k for k in overview_kpis(now, {"org_life": before["org_life"]}, TODAY)}
    assert kpis["org_life_rate"].delta > 0 and kpis["org_life_gap_orgs"].delta == 0


def test_organisations_are_ranked_by_gaps_and_attendance_never_by_person() -> None:
    cells = org_life.compliance(town({("group_meeting", "2025-05")}), TODAY)
    rows, total = org_life.gaps_by_org(cells)
    assert [(r["org_code"], r["missing"]) for r in rows] == [("C", 6), ("A", 1)] and total == 2
    att, totals = org_life.attendance(town(), TODAY)
    assert att[0]["org_code"] in {"A", "B", "C"} and totals["meetings"] > 0
    assert set(att[0]) == {"org_code", "org_name", "org_type", "attended", "expected", "meetings", "rate"}


def test_per_org_type_and_per_month() -> None:
    cells = org_life.compliance(town(), TODAY)
    by_type = {r["org_type"]: r for r in org_life.by_org_type(cells)}
    assert by_type["community"]["missing"] == 6 and by_type["village"]["missing"] == 0
    by_month = org_life.by_period(cells)
    assert [r["period"] for r in by_month][-2:] == ["2025-05", "2025-06"]
    assert by_month[-2]["missing"] == 3 and by_month[-1]["not_due"] == 3  # C's June is open


# --- filters -------------------------------------------------------------------------------------


def test_the_meeting_type_filter_counts_only_that_type_and_org_type_narrows_the_organisations() -> None:
    f = Filters.from_query({"meeting_type": "party_lecture", "org_type": "community"})
    assert f.query() == {"org_type": "community", "meeting_type": "party_lecture"}
    assert Filters.from_query({"meeting_type": "tea"}).meeting_type is None
    data = f.apply(town())
    assert set(data["org_life"]["type"]) == {"party_lecture"} and set(data["org_life"]["org_code"]) == {"C"}
    cells = org_life.compliance(data, TODAY)
    assert set(cells["type"]) == {"party_lecture"} and len(cells) == 4
    assert [r["kind"] for r in org_life.by_period(cells)] == ["quarter"] * 4
    assert not org_life.compliance(town(), TODAY).empty  # the unfiltered frames are untouched
    assert org_life.required_types(town()) == ("general_meeting", "committee", "group_meeting",
                                               "party_lecture", "party_day")  # fmt: skip


# --- warnings: under / at / over ----------------------------------------------------------------


def _rules(data: dict, today: date) -> set[tuple[str, str]]:
    return {(w.rule, w.subject) for w in warnings.evaluate(data, {}, today)}


@pytest.mark.parametrize(("day", "warns"), [(24, True), (23, True), (22, False)])  # 6 / 7 / 8 days left
def test_due_soon_warns_within_seven_days_of_the_periods_end(day: int, warns: bool) -> None:
    assert warnings.RULES["org_life_due_soon"].threshold == 7
    today = date(2025, 6, day)
    data = town({("committee", "2025-06")}, upto=date(2025, 6, 10))
    assert (("org_life_due_soon", "A") in _rules(data, today)) is warns
    if warns:
        (w,) = [w for w in warnings.org_life_warnings(data, today) if w.subject == "A"]
        assert w.params["types"] == ["committee"] and w.params["days"] == 30 - day
        assert w.since == date(2025, 6, 23) and w.link == "/org-life"


def test_nothing_is_due_soon_once_held() -> None:
    assert ("org_life_due_soon", "B") not in _rules(town(), date(2025, 6, 28))


@pytest.mark.parametrize(
    ("period", "warns"),
    [("2025-06", False), ("2025-05", True), ("2025-04", False)],  # open (under) / last closed (at) / older
)
def test_missing_is_red_for_the_last_closed_period_only(period: str, warns: bool) -> None:
    assert warnings.RULES["org_life_missing"].threshold == 1
    data = town({("committee", period)})
    found = [w for w in warnings.org_life_warnings(data, TODAY) if w.rule == "org_life_missing"]
    assert (any(w.subject == "A" for w in found)) is warns
    assert any(w.subject == "C" and w.params["periods"] == ["2025-05"] for w in found)  # C too
    if warns:
        (a,) = [w for w in found if w.subject == "A"]
        assert a.level == "red" and a.since == date(2025, 6, 1) and a.params["types"] == ["committee"]


def test_a_missed_quarter_is_red_until_the_next_quarter_closes() -> None:
    data = town({("party_lecture", "2025-Q1")})
    (a,) = [w for w in warnings.org_life_warnings(data, TODAY) if w.subject == "A"]
    assert a.params["periods"] == ["2025-Q1"] and a.params["types"] == ["party_lecture"]
    assert a.since == date(2025, 4, 1)


# --- charts, grid, drill-down -------------------------------------------------------------------


def test_the_board_registers_four_charts_each_drawing_in_both_languages() -> None:
    assert [s.id for s in BOARDS["org_life"]] == [
        "org_life_by_org_type",
        "org_life_by_period",
        "org_life_gaps",
        "org_life_attendance",
    ]
    for spec in BOARDS["org_life"]:
        en = figure_dict(spec.build(town(), "en", TODAY))
        assert en["data"] and not CJK.search(json.dumps(en, ensure_ascii=False)), spec.id
        assert CJK.search(json.dumps(figure_dict(spec.build(town(), "zh", TODAY)), ensure_ascii=False))
        assert {t["type"] for t in en["data"]} <= {"bar", "scatter", "pie"}


def test_the_status_bars_stack_held_missing_and_open_with_the_rate_on_hover() -> None:
    fig = figure_dict(charts.by_org_type(town(), "en", TODAY))
    assert [t["name"] for t in fig["data"]] == ["Held", "Missing", "Not yet due"]
    assert fig["layout"]["barmode"] == "stack"
    held, missing, _ = fig["data"]
    community = held["x"].index("Urban community") if "Urban community" in held["x"] else 2
    assert missing["y"][community] == 6
    gaps = figure_dict(charts.gaps(town({("committee", "2025-05")}), "en", TODAY))
    assert gaps["data"][0]["y"] == ["Org A", "Org C"]  # drawn bottom-up: most gaps on top


def test_period_labels_in_both_languages() -> None:
    assert (
        charts.period_text("2025-03", "zh") == "2025年3月"
        and charts.period_text("2025-Q1", "en") == "Q1 2025"
    )
    assert charts.period_short("2025-01", "en") == "Jan 25" and charts.period_short("2025-02", "zh") == "2月"
    assert charts.period_short("2024-Q4", "zh") == "4季"


def test_the_grid_shows_the_worst_organisations_first_and_counts_the_rest() -> None:
    codes = [f"O{i:03d}" for i in range(60)]
    rows = [
        r for c in codes for r in on_rhythm(c, {("committee", "2025-05")} if c in ("O007", "O042") else set())
    ]
    got = org_life.grid(frames(elections=orgs(*codes), org_life=rows), TODAY, limit=40)
    assert len(got["rows"]) == 40 and got["hidden"] == 20 and got["total"] == 60
    assert [r["org_code"] for r in got["rows"][:2]] == ["O007", "O042"]
    assert len(got["columns"]) == 16 and got["columns"][12]["kind"] == "quarter"
    may = got["rows"][0]["cells"][10]
    assert (
        may["period"] == "2025-05" and may["status"] == "missing" and may["types"]["committee"] == "missing"
    )
    assert got["rows"][0]["cells"][11]["status"] == "held"  # June: all three held on the 5th


def test_the_board_view_carries_the_grid_in_the_viewers_language() -> None:
    snap = Snapshot(today=TODAY, latest={}, current=town({("committee", "2025-05")}), _previous={})
    view = present.build_view(snap, "org_life", "en")
    assert view.org_life_columns[0].label == "Jul" and view.org_life_columns[-1].label == "Q2"
    assert view.org_life_columns[-1].css == "olg-col q" and view.org_life_columns[0].css == "olg-col"
    first = view.org_life_rows[0]
    assert first.org_name == "Org C" and first.summary == "6 missing"
    assert first.cells[10].css == "olc s-missing" and first.cells[10].key == "C 2025-05"
    assert "May 2025" in first.cells[10].title and first.cells[12].css.endswith(" q")
    assert [s.label for s in view.org_life_legend] == ["Held", "Missing", "Not yet due"]
    overview = present.build_view(snap, "overview", "zh")
    group = next(g for g in overview.kpi_groups if g.title == i18n.t("board.org_life", "zh"))
    assert [k.id for k in group.kpis] == ["org_life_rate", "org_life_gap_orgs", "org_life_attendance"]
    assert group.kpis[0].formula and "÷" in group.kpis[0].formula and group.kpis[0].sub


def test_a_grid_cell_lists_that_organisations_meetings_of_that_period() -> None:
    data = town()
    dataset, rows = flt.drill(data, "org_life_grid", "A 2025-05")
    assert dataset == "org_life"
    assert sorted(rows["type"]) == ["committee", "group_meeting", "party_day"]
    assert set(rows["date"].dt.strftime("%Y-%m")) == {"2025-05"}
    _, quarter = board_drill.rows_behind(data, "org_life_grid", "A 2025-Q2")
    assert sorted(quarter["type"]) == ["general_meeting", "party_lecture"]
    _, one = board_drill.rows_behind(
        Filters(meeting_type="party_day").apply(data), "org_life_grid", "A 2025-05"
    )
    assert list(one["type"]) == ["party_day"]
    assert board_drill.rows_behind(data, "org_life_grid", "A 2025-99")[1].empty


# --- the digest ---------------------------------------------------------------------------------


def _context(data: dict, latest: dict) -> digest.Context:
    return digest.Context(engine=None, today=TODAY, now=datetime(2025, 6, 15, tzinfo=UTC), current=data,  # type: ignore[arg-type]
                          latest=latest, previous=None, baseline={}, rhythms={})  # fmt: skip


def test_the_digest_lists_organisations_behind_and_says_what_they_missed() -> None:
    assert digest.SECTIONS.index(digest.org_life_behind) == digest.SECTIONS.index(digest.warning_section) + 1
    data = town({("committee", "2025-05")})
    assert digest.org_life_behind(_context(data, {})) is None  # no org_life ledger yet
    section = digest.org_life_behind(_context(data, {"org_life": object()}))
    assert section is not None and section.id == "org_life" and section.total == 2
    assert section.items[0] == {"org_code": "A", "org_name": "Org A", "periods": ["2025-05"],
                                "types": ["committee"]}  # fmt: skip
    found = digest.Digest(office_day="2025-06-15", created_at="", previous_day=None, as_of=None, versions={},
                          sections=[section])  # fmt: skip
    zh = messages.render(found, "zh", "http://x").plain()
    assert (
        "组织生活落后的党组织：2 个" in zh
        and "Org A：2025年5月未召开支委会" in zh
        and "http://x/org-life" in zh
    )
    en = messages.render(found, "en", "http://x").plain()
    assert "Org A: no Branch committee in May 2025" in en and not CJK.search(en)


def test_nobody_behind_shows_no_block() -> None:
    section = digest.org_life_behind(_context(town(upto=TODAY), {"org_life": object()}))
    assert section is not None and section.total == 1  # C stopped meeting after March
    assert messages.org_life_block(digest.Section("org_life"), "zh", "http://x") is None


def test_the_demo_digest_has_the_org_life_section_after_the_warnings(sqlite_url: str) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    today = clock.office_today()
    load_demo(engine, today)
    ids = [s.id for s in digest.compute(engine, today).sections]
    assert ids[:2] == ["warnings", "org_life"]


def test_the_city_grid_stays_bounded() -> None:
    codes = [f"C{i:04d}" for i in range(1500)]
    data = frames(
        elections=orgs(*codes),
        org_life=[{"org_code": c, "date": "2025-05-05", "type": "committee", "topic": "T"} for c in codes],
    )
    snap = Snapshot(today=TODAY, latest={}, current=data, _previous={})
    view = present.build_view(snap, "org_life", "zh")
    assert len(view.org_life_rows) == org_life.GRID_ROWS
    assert view.org_life_more == i18n.t("app.more_rows", "zh", n=1500 - org_life.GRID_ROWS)
    assert len(figure_dict(charts.gaps(data, "zh", TODAY))["data"][0]["y"]) == org_life.GAP_ORGS
    assert figure_dict(charts.attendance(data, "zh", TODAY))["data"] == []  # no counts recorded


def test_the_board_has_its_page_and_joins_the_wall_screens_rotation() -> None:
    from dashboard.components.site import BY_ID
    from dashboard.state.report import SCREEN_BOARDS

    assert BY_ID["org_life"].route == "/org-life" and BY_ID["org_life"].is_board
    assert "org_life" in SCREEN_BOARDS
    assert present.BOARD_DATASETS["org_life"] == ("org_life", "elections")
    assert warnings.DATASET_BOARD["org_life"] == "org_life"  # a stale org_life ledger links here
