"""Every warning rule probed just under, at and over its threshold, on tiny hand-checkable ledgers.

The thresholds come from ``warnings.RULES`` (the one place they live), so a
changed threshold moves these probes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from dashboard.insights import warnings
from dashboard.insights.warnings import RULES
from tests.frames import frames

TODAY = date(2026, 6, 30)  # day 181 of 365


def rules(found: list[warnings.Warning]) -> list[str]:
    return [w.rule for w in found]


# --- milestones: past planned_end and not done (red), lagging the time elapsed (yellow)


def milestone(**kw: object) -> dict[str, object]:
    row = {"milestone_code": "M-01", "phase": 1, "name": "签约攻坚", "progress": 50}
    row.update(kw)
    return row


@pytest.mark.parametrize(
    ("days_past_end", "expected"),
    [(-1, []), (0, []), (1, ["milestone_overdue"])],
)
def test_milestone_overdue_counts_days_after_planned_end(days_past_end: int, expected: list[str]) -> None:
    end = TODAY - timedelta(days=days_past_end + int(RULES["milestone_overdue"].threshold))
    f = frames(milestones=[milestone(planned_start=end - timedelta(days=9), planned_end=end, progress=100)])
    found = warnings.milestone_warnings(f, TODAY)
    assert rules(found) == expected
    if expected:
        assert found[0].level == "red"
        assert found[0].link == "/demolition"
        assert found[0].since == end + timedelta(days=1)
        assert found[0].reason_key == "warn.milestone_overdue"
        assert found[0].params == {"name": "M-01 签约攻坚", "end": end, "days": 1, "progress": 100.0}


def test_a_finished_milestone_is_never_overdue() -> None:
    end = TODAY - timedelta(days=30)
    f = frames(milestones=[milestone(planned_start=end - timedelta(days=9), planned_end=end, actual_end=end)])
    assert warnings.milestone_warnings(f, TODAY) == []


@pytest.mark.parametrize(("progress", "expected"), [(51, []), (50, []), (49, ["milestone_lagging"])])
def test_milestone_lagging_when_progress_is_below_time_elapsed(progress: int, expected: list[str]) -> None:
    # a 10-day window on its 5th day: 50% of its time used
    start = TODAY - timedelta(days=4)
    f = frames(
        milestones=[milestone(planned_start=start, planned_end=start + timedelta(days=9), progress=progress)]
    )
    found = warnings.milestone_warnings(f, TODAY)
    assert rules(found) == expected
    if expected:
        assert found[0].level == "yellow"
        assert found[0].params == {"name": "M-01 签约攻坚", "progress": 49.0, "expected": 50}
        assert found[0].since == start + timedelta(days=4)  # day 5: the first day 50% > 49%


def test_a_milestone_not_started_yet_gives_no_warning() -> None:
    start = TODAY + timedelta(days=1)
    f = frames(milestones=[milestone(planned_start=start, planned_end=start + timedelta(days=9), progress=0)])
    assert warnings.milestone_warnings(f, TODAY) == []


# --- 进度差 = 签约率 − 时间进度: below 0 yellow, below −10 red


def demolition_campaign(signed: int, day: int) -> dict[str, list[dict[str, object]]]:
    """100 properties, ``signed`` of them signed, on campaign day ``day``."""
    start = TODAY - timedelta(days=day - 1)
    props = [
        {
            "property_id": f"P{i:03d}",
            "household": "张三",
            "category": 1,
            "party_group": 1,
            "status": "signed" if i < signed else "surveyed",
            "signed_date": start if i < signed else None,
        }
        for i in range(100)
    ]
    ms = [milestone(planned_start=start, planned_end=start + timedelta(days=99), progress=100)]
    return {"demolition": props, "milestones": ms}


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        (51, []),  # gap +1
        (50, []),  # gap 0: at the yellow threshold, not below it
        (49, ["progress_gap_yellow"]),  # gap −1
        (41, ["progress_gap_yellow"]),  # gap −9
        (40, ["progress_gap_yellow"]),  # gap −10: at the red threshold, still yellow
        (39, ["progress_gap_red"]),  # gap −11: red alone, the yellow one is not repeated
    ],
)
def test_progress_gap_thresholds(signed: int, expected: list[str]) -> None:
    f = frames(**demolition_campaign(signed, day=50))
    found = warnings.gap_warnings(f, TODAY)
    assert rules(found) == expected
    if expected:
        assert found[0].level == RULES[expected[0]].level
        assert found[0].link == "/demolition"


def test_progress_gap_reason_and_since_show_the_figures() -> None:
    f = frames(**demolition_campaign(39, day=50))
    (w,) = warnings.gap_warnings(f, TODAY)
    assert w.reason_key == "warn.progress_gap_red"
    assert w.params == {"gap": pytest.approx(-11), "signed": 0.39, "time": 0.5}
    # time progress first exceeded 39% + 10 points on day 50 (50% > 49%)
    assert w.since == TODAY


# --- elections not completed by planned_date


def org(**kw: object) -> dict[str, object]:
    row = {
        "org_code": "ORG-1",
        "org_name": "东辛村党支部",
        "org_type": "village",
        "members": 15,
        "stage": "voting",
    }
    row.update(kw)
    return row


@pytest.mark.parametrize(("days_past", "expected"), [(-1, []), (0, []), (1, ["election_overdue"])])
def test_election_overdue(days_past: int, expected: list[str]) -> None:
    f = frames(elections=[org(planned_date=TODAY - timedelta(days=days_past))])
    found = warnings.election_warnings(f, TODAY)
    assert rules(found) == expected
    if expected:
        assert found[0].level == "red" and found[0].link == "/elections"
        planned = TODAY - timedelta(days=days_past)
        assert found[0].params == {"name": "东辛村党支部", "date": planned, "days": 1, "stage": "voting"}
        assert found[0].name == "东辛村党支部"  # the data name, shown as data


def test_a_completed_election_is_not_overdue() -> None:
    past = TODAY - timedelta(days=40)
    f = frames(elections=[org(stage="completed", planned_date=past, completed_date=past + timedelta(days=5))])
    assert warnings.election_warnings(f, TODAY) == []


# --- brands behind their yearly pace


def brand_with(activities: int, target: int) -> dict[str, list[dict[str, object]]]:
    br = [
        {
            "project_code": "BR-01",
            "community": "常春藤社区",
            "brand_name": "连心网络",
            "category": "network",
            "status": "launched",
            "target_activities": target,
        }
    ]
    acts = [
        {
            "date": date(TODAY.year, 1, 1) + timedelta(days=i),
            "project_code": "BR-01",
            "title": f"活动{i}",
            "type": "health",
            "participants": 10,
        }
        for i in range(activities)
    ]
    return {"brands": br, "activities": acts}


@pytest.mark.parametrize(
    ("activities", "target", "expected"),
    [
        (182, 365, []),  # ahead of day 181's share
        (181, 365, []),  # exactly on pace
        (180, 365, ["brand_behind_pace"]),  # one behind
    ],
)
def test_brand_behind_pace(activities: int, target: int, expected: list[str]) -> None:
    found = warnings.brand_warnings(frames(**brand_with(activities, target)), TODAY)
    assert rules(found) == expected
    if expected:
        assert found[0].level == "yellow" and found[0].link == "/brands"
        assert found[0].params == {
            "name": "常春藤社区 · 连心网络",
            "count": 180,
            "target": 365,
            "expected": 181,
        }


def test_a_brand_without_target_is_never_behind() -> None:
    f = brand_with(0, 0)
    f["brands"][0]["target_activities"] = None
    assert warnings.brand_warnings(frames(**f), TODAY) == []


# --- datasets not updated for longer than their rhythm


@dataclass
class Info:
    created_at: datetime


def uploaded(days_ago: int) -> Info:
    # noon in Beijing on that office day
    d = TODAY - timedelta(days=days_ago)
    return Info(datetime(d.year, d.month, d.day, 4, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("dataset", "rhythm"),
    [("demolition", 1), ("activities", 7), ("meetings", 7), ("elections", 30), ("brands", 30)],
)
@pytest.mark.parametrize(("extra", "stale"), [(-1, False), (0, False), (1, True)])
def test_dataset_stale_after_its_rhythm(dataset: str, rhythm: int, extra: int, stale: bool) -> None:
    assert warnings.rhythm_days({})[dataset] == rhythm
    found = warnings.stale_warnings(
        {dataset: uploaded(rhythm + extra)}, TODAY, rhythms=warnings.rhythm_days({})
    )
    assert rules(found) == (["dataset_stale"] if stale else [])
    if stale:
        assert found[0].subject == dataset
        assert found[0].link == {
            "demolition": "/demolition",
            "activities": "/brands",
            "meetings": "/demolition",
        }.get(dataset, f"/{dataset}")
        assert found[0].since == TODAY


def test_rhythm_is_configurable_through_the_environment() -> None:
    rhythms = warnings.rhythm_days(
        {"DASHBOARD_RHYTHM_DAYS": "demolition=3, activities=14, bogus=2, brands=x"}
    )
    assert rhythms["demolition"] == 3 and rhythms["activities"] == 14 and rhythms["brands"] == 30
    assert warnings.stale_warnings({"demolition": uploaded(3)}, TODAY, rhythms=rhythms) == []
    (w,) = warnings.stale_warnings({"demolition": uploaded(4)}, TODAY, rhythms=rhythms)
    assert w.params == {"dataset": "demolition", "date": TODAY - timedelta(days=4), "days": 4, "rhythm": 3}


# --- term expiry: within 180 days yellow, ended red


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (181, []),
        (180, ["term_expiring"]),
        (179, ["term_expiring"]),
        (0, ["term_expiring"]),
        (-1, ["term_expired"]),
    ],
)
def test_term_expiry_window(days_left: int, expected: list[str]) -> None:
    done = TODAY - timedelta(days=400)
    f = frames(
        elections=[org(stage="completed", completed_date=done, term_end=TODAY + timedelta(days=days_left))]
    )
    found = warnings.term_warnings(f, TODAY)
    assert rules(found) == expected
    if expected:
        assert found[0].level == RULES[expected[0]].level
        term_end = TODAY + timedelta(days=days_left)
        assert found[0].params == {"name": "东辛村党支部", "date": term_end, "days": abs(days_left)}


def test_term_calendar_lists_every_org_soonest_first_with_the_derived_term_end() -> None:
    f = frames(
        elections=[
            org(org_code="A", stage="completed", completed_date=date(2024, 5, 1)),  # -> 2029-05-01
            org(org_code="B", stage="completed", completed_date=date(2021, 8, 1), term_end=date(2026, 8, 1)),
            org(org_code="C", stage="voting"),  # no term end known
        ]
    )
    cal = warnings.term_calendar(f, TODAY)
    assert [(r["org_code"], r["term_end"], r["in_window"]) for r in cal] == [
        ("B", date(2026, 8, 1), True),
        ("A", date(2029, 5, 1), False),
    ]


# --- all together


def test_evaluate_orders_most_severe_then_newest_first() -> None:
    f = frames(
        elections=[
            org(org_code="OLD", planned_date=TODAY - timedelta(days=20)),
            org(org_code="NEW", planned_date=TODAY - timedelta(days=2)),
        ],
        **demolition_campaign(45, day=50),
    )
    found = warnings.evaluate(f, {"meetings": uploaded(30)}, TODAY)
    assert [(w.level, w.subject) for w in found] == [
        ("red", "NEW"),
        ("red", "OLD"),
        ("yellow", "progress_gap"),
        ("yellow", "meetings"),
    ]


def test_every_rule_has_a_reason_in_both_languages() -> None:
    from dashboard import i18n

    for rule in RULES.values():
        assert set(i18n.CATALOGUE[rule.reason_key]) == {"zh", "en"}


def test_warnings_carry_figures_never_display_strings() -> None:
    """The reason is the presenter's (dashboard.board.warnings): a warning holds numbers, dates, codes."""
    f = frames(
        elections=[org(org_code="LATE", planned_date=TODAY - timedelta(days=3))],
        **demolition_campaign(39, day=50),
    )
    found = warnings.evaluate(f, {"meetings": uploaded(30)}, TODAY)
    assert {w.rule for w in found} == {"election_overdue", "progress_gap_red", "dataset_stale"}
    for w in found:
        assert not hasattr(w, "reason")
        for key, value in w.params.items():
            assert isinstance(value, int | float | date | str), (w.rule, key, value)
            if isinstance(value, str):  # data as entered or a code, never a translated sentence
                assert key in {"name", "stage", "dataset"}, (w.rule, key)
