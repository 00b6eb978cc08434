"""The digest counts a month's last-week reminders in one line; the board's panel lists each.

A probe moved the office clock to 26 December: every organisation still owing a meeting made a
warning line of its own in the morning digest, 33 lines of "组织生活本期即将结束" before anything
else a leader reads on a phone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from dashboard.insights import warnings
from dashboard.notify import digest, messages
from dashboard.store import storage
from tests.frames import frames
from tests.test_trends import upload

LAST_DAY = date(2026, 6, 30)  # a month's and a quarter's last day
ORGS = [
    {"org_code": f"ORG-{i}", "org_name": f"示例村{i:02d}党支部", "org_type": "village", "stage": "completed",
     "completed_date": date(2026, 1, 5), "members": 10}
    for i in range(1, 6)
]  # fmt: skip
# every required meeting held in May, none yet in June
MAY = [
    {"org_code": o["org_code"], "date": date(2026, 5, 12), "type": t, "topic": "学习"}
    for o in ORGS
    for t in ("general_meeting", "committee", "group_meeting", "party_lecture", "party_day")
]


def test_a_months_last_week_reminders_are_one_digest_line_and_each_on_the_board(sqlite_url: str) -> None:
    on_board = [w for w in warnings.evaluate(frames(elections=ORGS, org_life=MAY), {}, LAST_DAY)]
    assert [w.rule for w in on_board].count("org_life_due_soon") == 5  # the panel lists each
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    upload(engine, "elections", ORGS, LAST_DAY)
    upload(engine, "org_life", MAY, LAST_DAY)
    now = datetime(2026, 6, 30, 3, 0, tzinfo=UTC)
    first = digest.compute(engine, LAST_DAY, now=now)
    folded = [i for i in first.section("warnings").items if i["rule"] == "org_life_due_soon"]  # type: ignore[union-attr]
    assert len(folded) == 1 and folded[0]["count"] == 5 and folded[0]["new"]
    zh = messages.render(first, "zh", "http://dash.example").plain()
    en = messages.render(first, "en", "http://dash.example").plain()
    assert zh.count("组织生活本期即将结束") == 1
    assert "组织生活本期即将结束：5 个党组织本期规定会议尚未召开" in zh
    assert "5 organisations have not yet held this period's meetings" in en
    # the next day's digest reads it as still open, not new
    again = digest.compute(engine, LAST_DAY, first, now=now)
    assert [i["new"] for i in again.section("warnings").items if i["rule"] == "org_life_due_soon"] == [False]  # type: ignore[union-attr]
