"""A figure reads the same wherever a leader meets it, and says what it is.

Found by a probe reading the boards, /report, the digest and the documents as a leader:

- a rate is never rounded onto a whole it has not reached: 2,711 of 2,712 meetings held is 99.9%,
  not 100% (a leader reads 100% as done), on a KPI card, a chart label or the report alike;
- the 当日办结率 warning quotes the week's rate it judged, never rounded up onto its threshold
  ("60%，低于 60%"), and the digest quotes that week's rate too, not only the rule's name above the
  all-time KPI (63.5%, over the threshold, on the same phone screen);
- something due today says so ("今天到期"), never "剩 0 天" / "in 0 days";
- an item raised this morning and still open is not yet a failure of 日清日结 (as an item due
  today is not overdue): counted, it pulled 当日办结率 down and raised its warning every morning;
- the report's sentences write counts as the cards do ("1,346"), and no campaign day before a
  milestone says when day 1 was;
- English counts read as English: "1 update", "2 updates", not "update(s)".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from dashboard import i18n
from dashboard.board import report as weekly_text
from dashboard.board import rows as board_rows
from dashboard.board import warning_row
from dashboard.board.format import kpi_formula_text, kpi_value_text
from dashboard.insights import metrics, org_life, warnings
from dashboard.insights.warnings import RULES, SAME_DAY_WINDOW_DAYS
from dashboard.notify import digest, messages
from dashboard.store import storage
from tests.frames import frames
from tests.test_tasks_board import TODAY, item
from tests.test_trends import upload


@pytest.mark.parametrize(
    ("share", "zh"),
    [
        (2711 / 2712, "99.9%"),  # not 100%
        (90 / 91, "98.9%"),
        (1.0, "100%"),
        (2 / 3, "66.7%"),
        (1 / 3000, "0.1%"),  # not 0%: one is not none
        (0.0, "0%"),
    ],
)
def test_a_rate_never_rounds_onto_a_whole_it_has_not_reached(share: float, zh: str) -> None:
    assert i18n.fmt_pct(share, "zh") == zh
    assert i18n.fmt_pct(share, "en") == zh


def test_a_card_of_nearly_all_signed_does_not_read_done() -> None:
    props = [
        {
            "property_id": f"P{i:04d}",
            "household": "王五",
            "category": 1,
            "party_group": 1,
            "status": "surveyed",
        }
        for i in range(2000)
    ]
    for i, p in enumerate(props[:1999]):
        p |= {"status": "signed", "signed_date": TODAY - timedelta(days=1 + i % 30)}
    signed = {k.id: k for k in metrics.overview_kpis(frames(demolition=props), {}, TODAY)}["signed_rate"]
    assert signed.value is not None and signed.value < 1
    assert kpi_value_text(signed, "zh") == "99.9%"


def _week(same_day: int, raised: int) -> list[dict[str, object]]:
    """``raised`` items raised in the last 7 days (before today), the first ``same_day`` closed the day
    raised, the others the day after."""
    rows = []
    for i in range(raised):
        day = 1 + i % (SAME_DAY_WINDOW_DAYS - 1)
        closed = day if i < same_day else day - 1
        rows.append(item(f"W{i:04d}", raised=day, deadline=day - 5, closed=closed))
    return rows


def _same_day_warning(rows: list[dict[str, object]]) -> warnings.Warning:
    found = [
        w for w in warnings.task_warnings(frames(tasks=rows), TODAY) if w.rule == "task_same_day_rate_low"
    ]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    ("same_day", "raised", "zh"), [(31, 52, "59.6%"), (599, 1000, "59.9%"), (16, 29, "55.2%")]
)
def test_the_same_day_warning_quotes_its_rate_under_its_threshold(
    same_day: int, raised: int, zh: str
) -> None:
    threshold = i18n.fmt_pct(RULES["task_same_day_rate_low"].threshold / 100, "zh", digits=0)
    text = warning_row(_same_day_warning(_week(same_day, raised)), "zh").reason
    assert f"当日办结率 {zh}（{same_day} / {raised}），低于 {threshold}" in text


def test_the_digest_quotes_the_weeks_rate_the_warning_judged(sqlite_url: str) -> None:
    # all-time 当日办结率 over the threshold (70 of 100 old items), the last 7 days' under it (3 of 10)
    old = [
        item(f"O{i:03d}", raised=30 + i % 20, deadline=20, closed=30 + i % 20 if i < 70 else 21)
        for i in range(100)
    ]
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    upload(engine, "tasks", old + _week(3, 10), TODAY)
    now = datetime(TODAY.year, TODAY.month, TODAY.day, 1, 0, tzinfo=UTC)
    dig = digest.compute(engine, TODAY, now=now + timedelta(hours=2))
    zh = messages.render(dig, "zh", "http://dash.example").plain()
    en = messages.render(dig, "en", "http://dash.example").plain()
    assert "当日办结率偏低：近 7 天提出的事项当日办结 30%（3 / 10）" in zh
    assert (
        "当日办结率：66.4%" in zh
    )  # the all-time KPI, over the threshold: both are said, each for what it is
    assert "Few items closed the same day: 30% of the items raised in the last 7 days (3 of 10)" in en
    # a digest frozen before the figure was kept still reads (the rule's name, as it did)
    for item_ in dig.section("warnings").items:  # type: ignore[union-attr]
        item_.pop("params", None)
    assert "当日办结率偏低：当日办结率（自" in messages.render(dig, "zh", "http://dash.example").plain()


def test_a_task_due_today_is_due_today_not_overdue_nor_zero_days_left() -> None:
    rows = [item("T", raised=3, deadline=0), item("U", raised=3, deadline=-1)]
    found = {w.subject: w for w in warnings.task_warnings(frames(tasks=rows), TODAY)}
    assert found["T"].rule == "task_due_soon"  # due today: not overdue
    overdue = {k.id: k for k in metrics.overview_kpis(frames(tasks=rows), {}, TODAY)}["tasks_overdue"]
    assert overdue.detail == {"count": 0, "total": 2}
    assert warning_row(found["T"], "zh").reason == "督办事项“事项T · 责任人甲”今天（2026年6月30日）到期"
    assert warning_row(found["T"], "en").reason == "Follow-up 事项T · 责任人甲 is due today (30 Jun 2026)"
    assert "剩 1 天" in warning_row(found["U"], "zh").reason
    assert "in 1 day" in warning_row(found["U"], "en").reason


def _meeting(org: str, day: date, kind: str) -> dict[str, object]:
    return {"org_code": org, "date": day, "type": kind, "topic": "学习", "expected": 10, "attended": 9}


def test_the_last_day_of_a_month_says_the_month_ends_today() -> None:
    last = date(2026, 11, 30)
    elections = [
        {
            "org_code": "ORG-1",
            "org_name": "示例村01党支部",
            "org_type": "village",
            "stage": "completed",
            "completed_date": date(2026, 10, 1),
        }
    ]
    held = [_meeting("ORG-1", date(2026, 10, 10), t) for t in org_life.RHYTHM]
    held += [_meeting("ORG-1", date(2026, 11, 3), "party_day")]
    data = frames(elections=elections, org_life=held)
    due = [w for w in warnings.org_life_warnings(data, last) if w.rule == "org_life_due_soon"]
    assert due and all(w.params["days"] == 0 for w in due)
    zh = warning_row(due[0], "zh").reason
    assert "2026年11月今天结束，尚未召开" in zh and "0 天" not in zh
    assert "November 2026 ends today and no" in warning_row(due[0], "en").reason


def test_a_term_ending_today_reads_today_on_the_board_and_in_the_digest() -> None:
    row = {
        "org_code": "ORG-1",
        "org_name": "示例村01党支部",
        "org_type": "village",
        "term_end": TODAY,
        "days": 0,
        "level": "yellow",
        "note": "",
    }
    assert board_rows.expiry_row(row, "zh").days_text == "今天届满"
    assert board_rows.expiry_row(row, "en").days_text == "ends today"
    term = digest.Section(
        "terms",
        [{"org_code": "ORG-1", "org_name": "示例村01党支部", "term_end": TODAY.isoformat(), "days": 0}],
        1,
    )
    block = messages.terms_block(term, "zh", "http://dash.example")
    assert block is not None and block.lines[0].text == "示例村01党支部：今天（2026年6月30日）届满"


def test_english_counts_of_updates_are_english() -> None:
    ledgers = digest.Section(
        "ledgers",
        [
            {
                "dataset": "tasks",
                "updates": 1,
                "last": "2026-06-30T02:00:00+00:00",
                "stale": False,
                "age_days": 0,
                "rhythm": 30,
            },
            {
                "dataset": "demolition",
                "updates": 2,
                "last": "2026-06-30T02:00:00+00:00",
                "stale": False,
                "age_days": 0,
                "rhythm": 1,
            },
        ],
        2,
    )
    lines = [line.text for line in messages.ledgers_block(ledgers, "en", "http://dash.example").lines]
    assert lines[0].startswith("Follow-up items: 1 update, latest")
    assert lines[1].startswith("Demolition properties: 2 updates, latest")
    assert not any("(s)" in line for line in lines)


def test_a_fresh_database_sends_a_digest_without_figures_it_cannot_know(sqlite_url: str) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    with engine.connect() as conn:  # nothing uploaded yet
        assert conn.execute(sa.text("SELECT count(*) FROM dataset_version")).scalar() == 0
    text = messages.render(digest.compute(engine, TODAY), "en", "http://dash.example").plain()
    assert "nan" not in text.lower() and "None" not in text


def test_the_reports_sentences_write_counts_as_the_cards_do() -> None:
    kpis = {k.id: k for k in metrics.overview_kpis(frames(), {}, TODAY)}
    kpis["org_life_rate"] = replace(
        kpis["org_life_rate"], value=1346 / 1355, detail={"held": 1346, "due": 1355}
    )
    kpis["tasks_open"] = replace(kpis["tasks_open"], value=20.0, detail={"count": 20, "total": 1307})
    zh = weekly_text.summary(kpis, "zh")
    en = weekly_text.summary(kpis, "en")
    assert "应开会议 1,355 次，已召开 1,346 次，达标率 99.3%" in zh[4]
    assert "held 1,346 of 1,355 required meetings" in en[4]
    assert "共 1,307 项，未办结 20 项" in zh[3]
    assert "1,346 ÷ 应开的会议 1,355" in kpi_formula_text(kpis["org_life_rate"], "zh")  # the card's tooltip


def test_the_report_does_not_count_campaign_days_it_cannot_know() -> None:
    kpis = {k.id: k for k in metrics.overview_kpis(frames(), {}, TODAY)}  # no milestones: no day 1
    assert "今天是第 — 天" in weekly_text.summary(kpis, "zh")[2]
    assert "Day —;" in weekly_text.summary(kpis, "en")[2]


def test_an_item_raised_today_and_still_open_has_the_rest_of_the_day() -> None:
    # yesterday's four: three closed the day raised; this morning's 早碰头 raised three more, one done
    rows = [item(f"Y{i}", raised=1, deadline=-5, closed=1 if i < 3 else 0) for i in range(4)]
    rows += [
        item("T0", raised=0, deadline=-5, closed=0),
        item("T1", raised=0, deadline=-5),
        item("T2", raised=0, deadline=-5),
    ]
    k = {k.id: k for k in metrics.overview_kpis(frames(tasks=rows), {}, TODAY)}["tasks_same_day_rate"]
    assert (k.value, k.detail) == (4 / 5, {"count": 4, "total": 5})  # T1, T2 not judged before tonight
    assert "已提出" not in kpi_formula_text(k, "zh") and "不计入" in kpi_formula_text(k, "zh")
    assert not [
        w for w in warnings.task_warnings(frames(tasks=rows), TODAY) if w.rule == "task_same_day_rate_low"
    ]
    # tomorrow they count: still open, they were not closed the day raised
    tomorrow = TODAY + timedelta(days=1)
    k = {k.id: k for k in metrics.overview_kpis(frames(tasks=rows), {}, tomorrow)}["tasks_same_day_rate"]
    assert k.detail == {"count": 4, "total": 7}
    late = [
        w for w in warnings.task_warnings(frames(tasks=rows), tomorrow) if w.rule == "task_same_day_rate_low"
    ]
    assert [(w.params["count"], w.params["total"]) for w in late] == [(4, 7)]
