"""What the presenter writes: each warning's reason in both languages, from the figures insights give.

Insights say which rule tripped and on which figures (numbers, dates, codes; tests/test_warnings.py);
these tests read the sentence a leader sees, one per message.
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.board import warnings as board_warnings
from dashboard.insights.warnings import RULES, Warning

SINCE = date(2026, 6, 30)


def warning(rule: str, **params: object) -> Warning:
    return Warning(rule=rule, level=RULES[rule].level, board=RULES[rule].board or "demolition", link="/",
                   since=SINCE, name=str(params.get("name", "")), params=params)  # fmt: skip


CASES: list[tuple[Warning, str, str]] = [
    (
        warning("milestone_overdue", name="M-01 签约攻坚", end=date(2026, 6, 29), days=1, progress=80.0),
        "节点“M-01 签约攻坚”计划 2026年6月29日 完成，已超期 1 天仍未完成（进度 80%）",
        "Milestone M-01 签约攻坚 was due 29 Jun 2026; 1 day overdue and not done (progress 80%)",
    ),
    (
        warning("milestone_lagging", name="M-01 签约攻坚", progress=49.0, expected=50),
        "节点“M-01 签约攻坚”进度 49%，落后于已用时间 50%",
        "Milestone M-01 签约攻坚 is at 49%, behind the 50% of its time already used",
    ),
    (
        warning("progress_gap_red", gap=-11.0, signed=0.39, time=0.5),
        "进度差 −11 个百分点（签约率 39% − 时间进度 50%），落后超过 10 个百分点",
        "Progress gap −11 pp (signed 39% − time elapsed 50%): more than 10 points behind",
    ),
    (
        warning("progress_gap_yellow", gap=-1.0, signed=0.49, time=0.5),
        "进度差 −1 个百分点（签约率 49% − 时间进度 50%），签约落后于时间",
        "Progress gap −1 pp (signed 49% − time elapsed 50%): signing lags the calendar",
    ),
    (
        warning("election_overdue", name="东辛村党支部", date=date(2026, 6, 29), days=1, stage="voting"),
        "东辛村党支部 计划 2026年6月29日 完成换届，已超期 1 天（当前阶段：选举大会）",
        "东辛村党支部 was to complete its re-election by 29 Jun 2026; "
        "1 day overdue (stage: Election meeting)",
    ),
    (
        warning("brand_behind_pace", name="常春藤社区 · 连心网络", count=180, target=365, expected=181),
        "品牌“常春藤社区 · 连心网络”今年活动 180 / 目标 365，按时间应达 181",
        "Brand 常春藤社区 · 连心网络: 180 of 365 activities this year; 181 expected by now",
    ),
    (
        warning("dataset_stale", dataset="demolition", date=date(2026, 6, 26), days=4, rhythm=3),
        "“拆迁房产进度”最近更新于 2026年6月26日，已 4 天未更新（应每 3 天更新）",
        "Demolition properties was last updated 26 Jun 2026, 4 days ago (expected every 3 days)",
    ),
    (
        warning("term_expiring", name="东辛村党支部", date=date(2026, 12, 27), days=180),
        "东辛村党支部 任期将于 2026年12月27日 届满，剩 180 天，请提前准备换届",
        "东辛村党支部: term ends 27 Dec 2026, in 180 days; prepare the re-election",
    ),
    (
        warning("term_expired", name="东辛村党支部", date=date(2026, 6, 29), days=1),
        "东辛村党支部 任期已于 2026年6月29日 届满（已过 1 天）",
        "东辛村党支部: term ended 29 Jun 2026 (1 day ago)",
    ),
    (
        warning("task_overdue", name="做通DX-080签约工作 · 责任人庚", date=date(2026, 6, 29), days=1),
        "督办事项“做通DX-080签约工作 · 责任人庚”办理时限 2026年6月29日，已超期 1 天",
        "Follow-up 做通DX-080签约工作 · 责任人庚 was due 29 Jun 2026; 1 day overdue",
    ),
    (
        warning("task_due_soon", name="安排渣土清运车辆 · 责任人丁", date=date(2026, 7, 2), days=2),
        "督办事项“安排渣土清运车辆 · 责任人丁”将于 2026年7月2日 到期，剩 2 天",
        "Follow-up 安排渣土清运车辆 · 责任人丁 is due 2 Jul 2026, in 2 days",
    ),
    (
        warning("task_same_day_rate_low", rate=16 / 29, count=16, total=29, threshold=0.6, window=7),
        "近 7 天提出的督办事项当日办结率 55.2%（16 / 29），低于 60%",
        "Items raised in the last 7 days closed the same day: 55.2% (16 of 29), below 60%",
    ),
    (
        warning("org_life_due_soon", name="东辛村党支部", period="2026-06", days=3, types=["committee"]),
        "东辛村党支部 2026年6月还剩 3 天结束，尚未召开：支委会",
        "东辛村党支部: June 2026 ends in 3 days and no Branch committee yet",
    ),
    (
        warning(
            "org_life_missing",
            name="东辛村党支部",
            periods=["2026-05", "2026-Q1"],
            types=["group_meeting", "party_lecture"],
        ),
        "东辛村党支部 2026年5月、2026年第1季度未召开：党小组会、党课",
        "东辛村党支部: no Party group meeting, Party lecture in May 2026, Q1 2026",
    ),
    (
        warning("round_overdue", round=3, dataset="activities", deadline=date(2026, 11, 30), n=2,
                scopes="示例社区A, 示例社区B", name="示例社区A, 示例社区B"),
        "填报任务 #3「品牌活动记录」已过截止日 2026年11月30日，2 个范围未上报：示例社区A, 示例社区B",
        "Round #3 (Brand activities) passed its deadline 30 Nov 2026; 2 scope(s) have not reported: "
        "示例社区A, 示例社区B",
    ),
]


def test_every_rule_has_a_wording_case() -> None:
    assert sorted(w.rule for w, _, _ in CASES) == sorted(RULES)


@pytest.mark.parametrize(("w", "zh", "en"), CASES, ids=[w.rule for w, _, _ in CASES])
def test_a_warnings_reason_quotes_its_figures_in_the_viewers_language(w: Warning, zh: str, en: str) -> None:
    assert board_warnings.reason(w, "zh") == zh
    assert board_warnings.reason(w, "en") == en


def test_a_warning_row_marks_the_data_name_it_quotes() -> None:
    row = board_warnings.warning_row(CASES[4][0], "en")
    assert (row.before, row.name) == ("", "东辛村党支部")
    assert row.after.startswith(" was to complete") and row.before + row.name + row.after == row.reason
    assert row.level_label == "Red" and row.board_label and row.since == "since 30 Jun 2026"
