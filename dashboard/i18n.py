"""Every string a leader reads, in Chinese and English, from one catalogue.

Why one catalogue: the language toggle must switch *every* visible label
(titles, axis titles, hover text, legend names, enum labels, messages), and
a test can then check that no key lacks a language. Enum labels, column
headers and dataset titles live in the data contract, in both languages; the
helpers below read them off the object passed in, so this module imports
nothing of ours but the office clock (it sits at the bottom of every layer).

- ``t(key, lang, **fmt)``: the string, ``str.format``-ed with ``fmt``.
- ``enum_label(enum, code, lang)``, ``dataset_title``, ``column_header``:
  the contract's labels in ``lang``.
- ``fmt_int / fmt_pct / fmt_pp / fmt_date / fmt_datetime``: numbers and
  dates written the way each language writes them (missing -> "—").

Percentages are fractions (0.5 is 50%) everywhere in the code; ``fmt_pct``
multiplies. Percentage points (``pp``) are already in points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Protocol

import pandas as pd

from dashboard.clock import OFFICE_TZ

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
MISSING = "—"
# Aware datetimes (version times are stored in UTC) are shown in office time.
DISPLAY_TZ = OFFICE_TZ


class Labelled(Protocol):
    """An enumeration of the contract (passed in: the catalogue imports nothing of ours)."""

    def label(self, code: str) -> str: ...

    def label_en(self, code: str) -> str: ...


class Titled(Protocol):
    """A dataset of the contract: its Chinese and English titles."""

    @property
    def title(self) -> str: ...

    @property
    def title_en(self) -> str: ...


class Headed(Protocol):
    """A column of the contract: its Chinese and English headers."""

    @property
    def header(self) -> str: ...

    @property
    def header_en(self) -> str: ...


def _s(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


CATALOGUE: dict[str, dict[str, str]] = {
    # --- common
    "empty": _s("暂无数据", "No data yet"),
    "missing": _s(MISSING, MISSING),
    # account roles (the CLI prints the Chinese ones)
    "role.viewer": _s("领导", "Viewer"),
    "role.editor": _s("工作人员", "Staff"),
    "role.admin": _s("管理员", "Admin"),
    "role.auditor": _s("审计员", "Auditor"),
    "level.ok": _s("正常", "On track"),
    "level.warn": _s("注意", "Watch"),
    "level.bad": _s("落后", "Behind"),
    "level.yellow": _s("即将届满", "Ends soon"),
    "level.red": _s("已届满", "Expired"),
    "day_n_of": _s("第 {day} 天 / 共 {days} 天", "Day {day} of {days}"),
    "days_left": _s("剩 {days} 天", "{days} days left"),
    "days_over": _s("已过 {days} 天", "{days} days ago"),
    "party_group_n": _s("第{n}党小组", "Party group {n}"),
    "category_n": _s("{n}类户", "Category {n}"),
    "phase_n": _s("第{n}阶段", "Phase {n}"),
    "delta.since_previous": _s("较上一版本 {delta}", "{delta} since previous version"),
    "delta.none": _s("无上一版本", "No previous version"),
    # --- boards
    "board.overview": _s("总览", "Overview"),
    "board.elections": _s("换届", "Elections"),
    "board.brands": _s("品牌", "Brands"),
    "board.demolition": _s("拆迁", "Demolition"),
    # --- KPIs: label and formula (formula placeholders come from Kpi.detail)
    # -- KPI trend lines (issue 10) --
    "kpi.spark": _s(
        "走势：{since} 以来 {n} 个更新日，{first} → {last}",
        "Trend over {n} update days since {since}: {first} → {last}",
    ),
    "kpi.election_completion": _s("换届完成率", "Re-elections completed"),
    "kpi.election_completion.formula": _s(
        "已完成换届的党组织 {completed} ÷ 全部党组织 {total}",
        "Organisations that completed re-election {completed} ÷ all organisations {total}",
    ),
    "kpi.election_completion_village": _s("村居换届完成率", "Villages & residential: completed"),
    "kpi.election_completion_village.formula": _s(
        "村、居党组织中已完成 {completed} ÷ 村、居党组织 {total}",
        "Village and residential organisations completed {completed} ÷ all of them {total}",
    ),
    "kpi.election_completion_community": _s("社区换届完成率", "Urban communities: completed"),
    "kpi.election_completion_community.formula": _s(
        "社区党组织中已完成 {completed} ÷ 社区党组织 {total}",
        "Urban-community organisations completed {completed} ÷ all of them {total}",
    ),
    "kpi.brand_coverage": _s("品牌覆盖率", "Brand coverage"),
    "kpi.brand_coverage.formula": _s(
        "有已挂牌（或示范）品牌的社区 {covered} ÷ 社区总数 {communities}。"
        "社区总数 = 品牌台账中的社区 ∪ 换届台账中类型为“社区”的党组织"
        "（名称去掉“党委、党总支、党支部”等后缀后比对）",
        "Communities with a launched (or model) brand {covered} ÷ all communities {communities}. "
        "All communities = the communities in the brands ledger together with the urban-community "
        "organisations of the elections ledger (matched on the name without its party suffix)",
    ),
    "kpi.activities_month": _s("本月活动", "Activities this month"),
    "kpi.activities_month.formula": _s("{month} 的品牌活动记录条数", "Brand activities recorded in {month}"),
    "kpi.participants_month": _s("本月参与人次", "Participants this month"),
    "kpi.participants_month.formula": _s(
        "{month} 品牌活动的参与人数之和", "Sum of participants of brand activities in {month}"
    ),
    "kpi.signed_rate": _s("签约率", "Signed"),
    "kpi.signed_rate.formula": _s(
        "状态为已签约及之后的房产 {count} ÷ 全部房产 {total}",
        "Properties signed or further along {count} ÷ all properties {total}",
    ),
    "kpi.vacated_rate": _s("腾空率", "Vacated"),
    "kpi.vacated_rate.formula": _s(
        "状态为已腾空及之后的房产 {count} ÷ 全部房产 {total}",
        "Properties vacated or further along {count} ÷ all properties {total}",
    ),
    "kpi.demolished_rate": _s("拆除率", "Demolished"),
    "kpi.demolished_rate.formula": _s(
        "状态为已拆除及之后的房产 {count} ÷ 全部房产 {total}",
        "Properties demolished or further along {count} ÷ all properties {total}",
    ),
    "kpi.time_progress": _s("时间进度", "Time elapsed"),
    "kpi.time_progress.formula": _s(
        "第 {day} 天 ÷ {days} 天（自最早节点计划开始日 {start} 起算）",
        "Day {day} ÷ {days} days (counted from the earliest milestone's planned start, {start})",
    ),
    "kpi.progress_gap": _s("进度差", "Progress gap"),
    "kpi.progress_gap.formula": _s(
        "签约率 {signed} − 时间进度 {time}；为负表示签约落后于时间",
        "Signed {signed} − time elapsed {time}; negative means signing lags behind the calendar",
    ),
    # --- chart titles
    "chart.elections_by_type": _s("各类党组织换届完成情况", "Completion by organisation type"),
    "chart.elections_by_stage": _s("各阶段党组织数", "Organisations by stage"),
    "chart.elections_cumulative": _s("累计完成换届（实际与计划）", "Cumulative completions vs plan"),
    "chart.brands_activities_month": _s("每月活动（按类型）", "Activities per month by type"),
    "chart.brands_participants": _s("参与人数与志愿者（每月）", "Participants and volunteers per month"),
    "chart.brands_by_category": _s("品牌类别分布", "Brands by category"),
    "chart.demolition_funnel": _s("拆迁进度漏斗", "Demolition funnel"),
    "chart.demolition_by_category": _s("各类户签约率", "Signed by household category"),
    "chart.demolition_by_group": _s("各党小组签约率", "Signed by party group"),
    "chart.demolition_burnup": _s("百日攻坚燃尽图（累计）", "100-day burn-up (cumulative)"),
    "chart.demolition_grid": _s("房产战果图", "Property board"),
    "chart.demolition_gantt": _s("节点计划与实际", "Milestones: plan vs actual"),
    "chart.demolition_meetings": _s("每周调度会与周例会", "Dispatch and weekly meetings per week"),
    # --- axis titles, legend names
    "axis.orgs": _s("党组织数", "Organisations"),
    "axis.activities": _s("活动数", "Activities"),
    "axis.people": _s("人次", "People"),
    "axis.properties": _s("房产数", "Properties"),
    "axis.meetings": _s("会议次数", "Meetings"),
    "axis.stage": _s("阶段", "Stage"),
    "axis.category": _s("户类", "Household category"),
    "axis.party_group": _s("党小组", "Party group"),
    "series.completed": _s("已完成", "Completed"),
    "series.not_completed": _s("未完成", "Not completed"),
    "series.actual": _s("实际累计完成", "Completed (actual)"),
    "series.planned": _s("计划累计完成", "Completed (planned)"),
    "series.participants": _s("参与人数", "Participants"),
    "series.volunteers": _s("志愿者人数", "Volunteers"),
    "series.signed_rate": _s("签约率", "Signed"),
    "series.plan": _s("计划（100 天线性）", "Plan (linear over 100 days)"),
    "series.forecast": _s("{status}预测", "{status} forecast"),
    "series.today": _s("今天", "Today"),
    "series.gantt_planned": _s("计划", "Planned"),
    "series.gantt_done": _s("已完成", "Done"),
    "series.gantt_on_track": _s("进行中 · 正常", "In progress · on track"),
    "series.gantt_late": _s("滞后", "Late"),
    "series.gantt_overdue": _s("超期未完成", "Overdue"),
    "series.more": _s("另有 {n} 户未显示", "{n} more not shown"),
    # --- hover text (plotly hovertemplate fragments; %{...} are plotly placeholders)
    "hover.completed_of": _s(
        "%{x}<br>已完成 %{customdata[0]} / %{customdata[1]}<br>完成率 %{customdata[2]}",
        "%{x}<br>Completed %{customdata[0]} of %{customdata[1]}<br>Rate %{customdata[2]}",
    ),
    "hover.stage": _s("%{x}<br>党组织 %{y} 个", "%{x}<br>%{y} organisations"),
    "hover.cumulative": _s("%{x|%Y年%-m月%-d日}<br>累计 %{y}", "%{x|%d %b %Y}<br>Cumulative %{y}"),
    "hover.month_count": _s("%{x|%Y年%-m月}<br>%{y}", "%{x|%b %Y}<br>%{y}"),
    "hover.category_pie": _s(
        "%{label}<br>%{value} 个品牌（%{percent}）", "%{label}<br>%{value} brands (%{percent})"
    ),
    "hover.funnel": _s(
        "%{y}<br>%{x} 户，占全部 %{customdata[0]}",
        "%{y}<br>%{x} properties, %{customdata[0]} of all",
    ),
    "hover.rate_of": _s(
        "%{x}<br>签约率 %{customdata[2]}（%{customdata[0]} / %{customdata[1]}）",
        "%{x}<br>Signed %{customdata[2]} (%{customdata[0]} of %{customdata[1]})",
    ),
    "hover.burnup": _s(
        "%{x|%Y年%-m月%-d日}<br>累计 %{y} 户（%{customdata[0]}）",
        "%{x|%d %b %Y}<br>%{y} properties so far (%{customdata[0]})",
    ),
    "hover.plan": _s(
        "计划：第 100 天全部 %{customdata[0]} 户完成（按天线性）<br>%{x|%Y年%-m月%-d日} 应完成 %{y:.0f} 户",
        "Plan: all %{customdata[0]} properties by day 100 (linear)<br>%{x|%d %b %Y}: %{y:.0f} due",
    ),
    "hover.forecast": _s(
        "按近 7 天速度（每天 %{customdata[0]} 户）<br>预计 %{customdata[1]} 完成",
        "At the last 7 days' pace (%{customdata[0]} a day)<br>forecast to finish %{customdata[1]}",
    ),
    "hover.grid": _s(
        "%{customdata[0]} · %{customdata[1]}<br>%{customdata[2]}",
        "%{customdata[0]} · %{customdata[1]}<br>%{customdata[2]}",
    ),
    "hover.grid_group": _s("%{y}<br>%{fullData.name}：%{x} 户", "%{y}<br>%{fullData.name}: %{x} properties"),
    "hover.gantt": _s(
        "%{y}<br>%{customdata[0]} → %{customdata[1]}<br>进度 %{customdata[2]}",
        "%{y}<br>%{customdata[0]} → %{customdata[1]}<br>Progress %{customdata[2]}",
    ),
    "hover.meetings": _s(
        "%{x|%Y年%-m月%-d日}起一周<br>%{fullData.name} %{y} 次",
        "Week of %{x|%d %b %Y}<br>%{fullData.name}: %{y}",
    ),
    "forecast.finish": _s("预计 {date} 完成", "Forecast finish {date}"),
    "forecast.none": _s("近 7 天无进展，无法预测", "No progress in the last 7 days: no forecast"),
    "forecast.done": _s("已于 {date} 全部完成", "All done on {date}"),
    "brand.activities_of_target": _s(
        "今年活动 {count} / 目标 {target}", "{count} of {target} activities this year"
    ),
    "brand.activities_no_target": _s(
        "今年活动 {count}（未设目标）", "{count} activities this year (no target)"
    ),
    # --- app strings (H5 edits only below this line)
    "app.title": _s("党建看板", "Party-building dashboard"),
    "app.page.overview": _s("总览", "Overview"),
    "app.page.elections": _s("换届选举", "Branch re-elections"),
    "app.page.brands": _s("一社区一品牌", "One community, one brand"),
    "app.page.demolition": _s("东辛村拆迁百日攻坚", "Dongxin village demolition: 100 days"),
    "app.label": _s("{label}：", "{label}: "),
    "app.data_as_of": _s("数据截至 {time} · {user}", "Data as of {time} · {user}"),
    "app.data_as_of_time": _s("数据截至 {time}", "Data as of {time}"),  # another scope's upload: no name
    "app.not_imported": _s("尚未导入", "Not imported yet"),
    "app.demo_banner": _s(
        "示例数据：当前显示的是演示台账，导入真实台账后自动替换。",
        "Sample data: these are demonstration ledgers; they are replaced when real ledgers are imported.",
    ),
    "app.loading": _s("加载中…", "Loading…"),
    "app.failed": _s(
        "数据暂时无法读取，请稍后刷新或联系管理员。",
        "The data cannot be read right now; refresh later or contact the administrator.",
    ),
    "app.more_rows": _s("另有 {n} 条未显示", "{n} more not shown"),
    "app.no_expiry": _s("180 天内没有任期届满的党组织", "No term ends within 180 days"),
    "app.grid_summary": _s("共 {total} 户 · 已签约 {signed} 户", "{total} properties · {signed} signed"),
    "app.grid_note": _s(
        "每格一户，颜色表示当前状态；粗框为重点户。户主姓名已脱敏。",
        "One square per property, coloured by status; a heavy border marks a key household. "
        "Household names are masked.",
    ),
    "app.section.term_expiry": _s("任期届满提醒", "Term expiry"),
    "app.section.organisations": _s("党组织换届台账", "Organisations"),
    "app.section.brand_cards": _s("品牌项目", "Brand projects"),
    "app.section.property_grid": _s("房产战果图", "Property board"),
    # --- warnings/report strings (H8)
    "warn.milestone_overdue": _s(
        "节点“{name}”计划 {end} 完成，已超期 {days} 天仍未完成（进度 {progress}%）",
        "Milestone {name} was due {end}; {days} days overdue and not done (progress {progress}%)",
    ),
    "warn.milestone_lagging": _s(
        "节点“{name}”进度 {progress}%，落后于已用时间 {expected}%",
        "Milestone {name} is at {progress}%, behind the {expected}% of its time already used",
    ),
    "warn.progress_gap_red": _s(
        "进度差 {gap}（签约率 {signed} − 时间进度 {time}），落后超过 10 个百分点",
        "Progress gap {gap} (signed {signed} − time elapsed {time}): more than 10 points behind",
    ),
    "warn.progress_gap_yellow": _s(
        "进度差 {gap}（签约率 {signed} − 时间进度 {time}），签约落后于时间",
        "Progress gap {gap} (signed {signed} − time elapsed {time}): signing lags the calendar",
    ),
    "warn.election_overdue": _s(
        "{name} 计划 {date} 完成换届，已超期 {days} 天（当前阶段：{stage}）",
        "{name} was to complete its re-election by {date}; {days} days overdue (stage: {stage})",
    ),
    "warn.brand_behind_pace": _s(
        "品牌“{name}”今年活动 {count} / 目标 {target}，按时间应达 {expected}",
        "Brand {name}: {count} of {target} activities this year; {expected} expected by now",
    ),
    "warn.dataset_stale": _s(
        "“{dataset}”最近更新于 {date}，已 {days} 天未更新（应每 {rhythm} 天更新）",
        "{dataset} was last updated {date}, {days} days ago (expected every {rhythm} days)",
    ),
    "warn.term_expiring": _s(
        "{name} 任期将于 {date} 届满，剩 {days} 天，请提前准备换届",
        "{name}: term ends {date}, in {days} days; prepare the re-election",
    ),
    "warn.term_expired": _s(
        "{name} 任期已于 {date} 届满（已过 {days} 天）",
        "{name}: term ended {date} ({days} days ago)",
    ),
    "warn.level.red": _s("红色预警", "Red"),
    "warn.level.yellow": _s("黄色预警", "Yellow"),
    "app.section.warnings": _s("预警与提醒", "Warnings and reminders"),
    "app.no_warnings": _s("当前没有预警", "No open warnings"),
    # the panel's counts per level (a badge each, the number beside) and its expander
    "app.warnings.red": _s("红色预警", "Red"),
    "app.warnings.yellow": _s("黄色预警", "Yellow"),
    "app.warnings.all": _s("全部 {n} 条", "All {n}"),
    "warn.since": _s("自 {date}", "since {date}"),
    "app.open_board": _s("查看", "Open"),
    "app.filter.community": _s("社区", "Community"),
    "app.filter.org_type": _s("组织类型", "Organisation type"),
    "app.filter.party_group": _s("党小组", "Party group"),
    "app.filter.category": _s("户类", "Household category"),
    "app.filter.phase": _s("阶段", "Phase"),
    "app.filter.from": _s("起始日期", "From"),
    "app.filter.to": _s("截止日期", "To"),
    "app.filter.all": _s("全部", "All"),
    "app.filter.type_community": _s("输入社区名称", "Type a community name"),
    "app.filter.clear": _s("清除筛选", "Clear filters"),
    "app.filter.toggle": _s("筛选", "Filters"),
    "app.filter.active": _s("已筛选", "on"),
    "app.filter.not_applied": _s("不受筛选影响", "Not filtered"),
    "app.filter.not_applied_hint": _s(
        "当前筛选条件不适用于这组数字，显示的是未经筛选的数据",
        "The current filters do not apply to these figures: they show the data unfiltered",
    ),
    "app.filter.not_found": _s("{value}（未找到）", "{value} (not found)"),
    "app.filter.not_found_note": _s(
        "数据中没有「{value}」，所以筛选后的数字为空（—）；请另选或清除筛选。",
        "No data has “{value}”, so the filtered figures are empty (—); choose another or clear the filters.",
    ),
    "app.drill.csv": _s("下载这些行（CSV）", "Download these rows (CSV)"),
    "app.drill.xlsx": _s("下载这些行（Excel）", "Download these rows (Excel)"),
    "app.drill.close": _s("关闭", "Close"),
    "report.title": _s("党建工作周报", "Party-building weekly report"),
    "report.period": _s("统计周期：{start}至{end}", "Week of {start} to {end}"),
    "report.since_last_week": _s("较上周 {delta}", "{delta} on last week"),
    "report.no_change_known": _s("上周无数据", "no data a week ago"),
    "report.sentence.elections": _s(
        "一、换届选举。全街道 {total} 个党组织中，已完成换届 {completed} 个，完成率 {rate}。",
        "1. Re-elections. {completed} of {total} party organisations have completed "
        "their re-election ({rate}).",
    ),
    "report.sentence.brands": _s(
        "二、一社区一品牌。{communities} 个社区中 {covered} 个已有挂牌品牌；"
        "本月开展品牌活动 {activities} 场，参与 {participants} 人次。",
        "2. Community brands. {covered} of {communities} communities have a launched brand; "
        "{activities} activities this month with {participants} participants.",
    ),
    "report.sentence.demolition": _s(
        "三、东辛村拆迁百日攻坚。今天是第 {day} 天；{total} 户中已签约 {signed} 户（签约率 {signed_rate}），"
        "已腾空 {vacated} 户，已拆除 {demolished} 户；进度差 {gap}。",
        "3. Dongxin demolition, 100 days. Day {day}; {signed} of {total} properties signed ({signed_rate}), "
        "{vacated} vacated, {demolished} demolished; progress gap {gap}.",
    ),
    "report.uploads": _s(
        "{dataset}：本周更新 {n} 次，新增 {added} 行、变更 {changed} 行、删除 {removed} 行",
        "{dataset}: updated {n} times this week, {added} rows added, {changed} changed, {removed} removed",
    ),
    "report.no_uploads": _s("本周没有台账更新", "No ledger was updated this week"),
    "app.report.figures": _s("主要指标", "Key figures"),
    "app.report.summary": _s("工作进展", "Progress"),
    "app.report.changes": _s("本周台账更新", "Updates this week"),
    "app.report.warnings": _s("待办预警", "Open warnings"),
    "app.report.charts": _s("主要图表", "Main charts"),
    "app.report.print": _s("打印 / 存为 PDF", "Print / save as PDF"),
    "app.report.png_hint": _s(
        "每张图右上角的相机按钮可下载 PNG 图片。", "The camera button on each chart downloads it as a PNG."
    ),
    "app.page.report": _s("周报", "Weekly report"),
    "app.page.screen": _s("大屏", "Wall screen"),
    "app.kiosk.refused": _s(
        "大屏链接无效或已撤销，请联系管理员。", "This wall-screen link is not valid or has been revoked."
    ),
    "term_calendar.col.org_code": _s("组织编码", "Organisation code"),
    "term_calendar.col.org_name": _s("党组织名称", "Organisation"),
    "term_calendar.col.org_type": _s("组织类型", "Type"),
    "term_calendar.col.term_end": _s("任期届满日期", "Term ends"),
    "term_calendar.col.days": _s("距今天数", "Days from today"),
    "term_calendar.col.in_window": _s("180 天内届满", "Ends within 180 days"),
    "term_calendar.yes": _s("是", "yes"),
    "term_calendar.no": _s("否", "no"),
    "app.term_calendar_download": _s("导出任期届满日历（CSV）", "Download the term calendar (CSV)"),
    "app.term_calendar_download_xlsx": _s("Excel", "Excel"),
    "term_calendar.file": _s("任期届满日历", "term-calendar"),
    "chart.demolition_trend": _s("签约率、腾空率、拆除率变化（按日）", "Signed, vacated, demolished per day"),
    "chart.elections_weekly": _s("每周完成换届的党组织", "Re-elections completed per week"),
    "chart.brands_monthly": _s("每月新挂牌品牌", "Brands launched per month"),
    "chart.elections_term_calendar": _s("任期届满日历（按月）", "Term ends by month"),
    "series.term_soon": _s("{days} 天内届满", "Ends within {days} days"),
    "series.term_later": _s("其后届满", "Ends later"),
    "hover.term_month": _s("%{x|%Y年%-m月}<br>%{y} 个党组织任期届满", "%{x|%b %Y}<br>%{y} terms end"),
    "axis.rate": _s("比例", "Share"),
    "axis.brands": _s("品牌数", "Brands"),
    "trend.source.history": _s("上传记录", "as uploaded"),
    "trend.source.dates": _s("按台账日期推算", "rebuilt from row dates"),
    "hover.trend_rate": _s(
        "%{x|%Y年%-m月%-d日} %{y:.1~%}（%{customdata[0]}）",
        "%{x|%d %b %Y} %{y:.1~%} (%{customdata[0]})",
    ),
    "hover.trend_rate_plain": _s("%{x|%Y年%-m月%-d日} %{y:.1~%}", "%{x|%d %b %Y} %{y:.1~%}"),
    "series.trend_new.elections_weekly": _s("本周完成", "Completed that week"),
    "series.trend_total.elections_weekly": _s("累计完成", "Completed in all"),
    "hover.trend_new.elections_weekly": _s(
        "%{x|%Y年%-m月%-d日}起一周<br>完成 %{y} 个（%{customdata[0]}）",
        "Week of %{x|%d %b %Y}<br>%{y} completed (%{customdata[0]})",
    ),
    "hover.trend_total.elections_weekly": _s(
        "%{x|%Y年%-m月%-d日}起一周<br>累计完成 %{y} 个（%{customdata[0]}）",
        "Week of %{x|%d %b %Y}<br>%{y} completed in all (%{customdata[0]})",
    ),
    "series.trend_new.brands_monthly": _s("当月挂牌", "Launched that month"),
    "series.trend_total.brands_monthly": _s("累计挂牌", "Launched in all"),
    "hover.trend_new.brands_monthly": _s(
        "%{x|%Y年%-m月}<br>挂牌 %{y} 个（%{customdata[0]}）", "%{x|%b %Y}<br>%{y} launched (%{customdata[0]})"
    ),
    "hover.trend_total.brands_monthly": _s(
        "%{x|%Y年%-m月}<br>累计挂牌 %{y} 个（%{customdata[0]}）",
        "%{x|%b %Y}<br>%{y} launched in all (%{customdata[0]})",
    ),
    # --- staff and admin pages (sign-in, upload, history, audit, accounts, kiosk links)
    "nav.report": _s("周报", "Weekly report"),
    "nav.upload": _s("上传", "Upload"),
    "nav.history": _s("历史", "History"),
    "nav.audit": _s("审计", "Audit"),
    "nav.users": _s("账户", "Accounts"),
    "nav.kiosk": _s("大屏", "Wall screen"),
    "nav.sign_out": _s("退出", "Sign out"),
    "nav.demo_mode": _s(
        "演示模式：演示账户和示例数据，请勿录入真实信息。",
        "Demo mode: demo accounts and sample data; do not enter real information.",
    ),
    "common.cancel": _s("取消", "Cancel"),
    "nav.password": _s("修改密码", "Change password"),
    "password.title": _s("修改密码", "Change your password"),
    "password.forced": _s(
        "请先设置新密码：账户由管理员创建或重设，或密码已过期。设置后才能使用其他功能。",
        "Set a new password first: an administrator created or reset this account, or the password "
        "expired. Nothing else opens until then.",
    ),
    "password.rules": _s(
        "至少 8 个字符，包含小写字母、大写字母、数字、符号中的至少三类；"
        "不能是或包含用户名；不能与最近 5 次的密码相同。",
        "At least 8 characters with 3 of: lower-case, upper-case, digits, symbols; not (containing) the user "
        "name; not one of your last 5 passwords.",
    ),
    "password.current": _s("当前密码", "Current password"),
    "password.new": _s("新密码", "New password"),
    "password.again": _s("再输入一次新密码", "New password again"),
    "password.submit": _s("保存新密码", "Save the new password"),
    "password.error.mismatch": _s("两次输入的新密码不一致。", "The two new passwords differ."),
    "password.error.wrong": _s("当前密码不正确。", "The current password is wrong."),
    "password.error.length": _s("新密码至少需要 8 个字符。", "The new password needs at least 8 characters."),
    "password.error.classes": _s(
        "新密码须包含小写字母、大写字母、数字、符号中的至少三类。",
        "The new password needs 3 of: lower-case, upper-case, digits, symbols.",
    ),
    "password.error.name": _s(
        "新密码不能是或包含用户名。", "The new password may not be or contain the user name."
    ),
    "password.error.reused": _s(
        "新密码不能与最近 5 次使用过的密码相同。", "The new password may not be one of your last 5."
    ),
    "password.error.rules": _s("新密码不符合规则。", "The new password breaks a rule."),
    "login.title": _s("登录", "Sign in"),
    "login.name": _s("用户名", "User name"),
    "login.password": _s("密码", "Password"),
    "login.submit": _s("登录", "Sign in"),
    "login.failed": _s(
        "登录失败：用户名或密码不正确，或连续失败次数过多已暂时锁定，请稍后再试。",
        "Sign-in failed: wrong name or password, or too many failures have locked the account for a while; "
        "try again later.",
    ),
    "staff.upload.title": _s("上传台账", "Upload a ledger"),
    "staff.upload.auto": _s("让表头自动判断 (auto)", "Tell from the headers (auto)"),
    "staff.upload.templates": _s("空白模板（含示例行）：", "Blank templates (with a sample row):"),
    "staff.upload.send": _s("上传并检查", "Upload and check"),
    "staff.upload.file": _s("文件：", "File: "),
    "staff.upload.accepted": _s("检查通过，可以导入。", "The check passed: ready to import."),
    "staff.upload.counts": _s(
        "{rows} 行：新增 {added}，修改 {changed}，删除 {removed}，跳过 {skipped}",
        "{rows} rows: {added} added, {changed} changed, {removed} removed, {skipped} skipped",
    ),
    "staff.upload.no_change": _s(
        "{counts}。文件与当前数据相同：确认后只会新建一个内容不变的版本，看板只更新“数据截至”时间。",
        "{counts}. The file matches the current data: confirming only makes a version with the same "
        "rows, and the boards only update their 'data as of' time.",
    ),
    "staff.upload.removes": _s(
        "注意：确认后将删除现有的 {n} 行（文件替换整个台账）。",
        "Note: confirming deletes {n} existing rows (the file replaces the whole ledger).",
    ),
    "staff.upload.confirm": _s("确认导入", "Confirm the import"),
    "staff.upload.error_count": _s(
        "有 {n} 处错误，什么都没有写入。请在下表中直接改正后点“重新检查”，或改好文件后重新上传。",
        "{n} error(s): nothing was written. Correct them in the table below and press Check again, "
        "or correct the file and upload it again.",
    ),
    "staff.upload.error_report": _s("下载错误报告 CSV", "Download the error report (CSV)"),
    "staff.upload.error_report_xlsx": _s("错误报告 Excel", "Error report (Excel)"),
    "staff.upload.marked": _s(
        "下载标出问题的原文件（Excel）", "Download my file with the problems marked (Excel)"
    ),
    "staff.upload.marked_hint": _s(
        "出错的单元格标成红色，批注里写着原因，「问题清单」页可跳到每一格；改好后直接上传这个文件。",
        "Bad cells are red with the reason in a comment, and the Problems sheet links to each; "
        "fix them and upload that file again.",
    ),
    "staff.upload.prefilled": _s(
        "一表通（当前数据，可直接编辑后上传）：", "Current data to edit and upload again (Excel):"
    ),
    "staff.upload.col.line": _s("行", "Line"),
    "staff.upload.col.column": _s("列", "Column"),
    "staff.upload.col.value": _s("值", "Value"),
    "staff.upload.col.problem": _s("问题", "Problem"),
    "staff.upload.warnings": _s("提醒：", "Notes:"),
    "staff.upload.no_file": _s("请先选择文件。", "Choose a file first."),
    "staff.upload.network": _s("网络错误，上传未完成。", "Network error: the upload did not finish."),
    "staff.upload.forbidden": _s(
        "您的账户没有上传权限，或登录已过期。", "Your account may not upload, or your session has expired."
    ),
    "staff.upload.failed": _s("上传失败。", "The upload failed."),
    "staff.upload.not_found": _s(
        "找不到这次上传（可能已过期），请重新上传。",
        "This upload is gone (it may have expired); upload again.",
    ),
    "staff.upload.done": _s(
        "已导入「{dataset}」，版本 {version}（{rows} 行）。看板已更新。",
        "Imported {dataset} as version {version} ({rows} rows). The boards are updated.",
    ),
    "staff.upload.changed": _s(
        "数据已在检查后发生变化，这个文件现在无法导入，请重新上传检查。",
        "The data changed after the check, so this file cannot be imported now; upload it again.",
    ),
    "staff.upload.cancelled": _s("已取消，没有写入任何数据。", "Cancelled: nothing was written."),
    # --- the upload page: drop zone, progress, read summary, fix in place (issue 9)
    "staff.upload.drop": _s("把文件拖到这里，或", "Drop a file here, or"),
    "staff.upload.choose": _s("选择文件", "Choose a file"),
    "staff.upload.kinds": _s(
        "可上传 CSV、XLSX、XLS、ODS 表格（Excel、WPS、LibreOffice 保存的都可以）",
        "CSV, XLSX, XLS or ODS spreadsheets (as saved by Excel, WPS or LibreOffice)",
    ),
    "staff.upload.chosen": _s("已选择：", "Chosen: "),
    "staff.upload.sending": _s("正在上传", "Uploading"),
    "staff.upload.checking": _s("上传完成，正在检查…", "Uploaded; checking…"),
    "staff.upload.abort": _s("取消上传", "Cancel the upload"),
    "staff.upload.aborted": _s("已取消上传，什么都没有写入。", "Upload cancelled: nothing was written."),
    "staff.upload.read.title": _s("文件是这样读取的", "How the file was read"),
    "staff.upload.read.kind": _s("文件类型", "File type"),
    "staff.upload.read.encoding": _s("编码", "Encoding"),
    "staff.upload.read.delimiter": _s("分隔符", "Separator"),
    "staff.upload.read.sheets": _s("工作表", "Sheet(s)"),
    "staff.upload.read.header": _s("表头行", "Header row"),
    "staff.upload.read.header_line": _s("第 {line} 行", "line {line}"),
    "staff.upload.read.header_sheet_line": _s("「{sheet}」第 {line} 行", "'{sheet}' line {line}"),
    "staff.upload.read.skipped": _s("跳过的行（不是数据）：", "Lines skipped (not data):"),
    "staff.upload.read.columns": _s(
        "列的对应（文件中的列 → 台账的列）：", "Columns (as in the file → the ledger's column):"
    ),
    "staff.upload.read.ignored": _s(
        "忽略的列（不是这张台账的列，不会导入）：", "Columns ignored (not part of this ledger, not imported):"
    ),
    "staff.upload.read.no_header": _s("（无表头）", "(no header)"),
    "staff.upload.kind.csv": _s("CSV 文本", "CSV text"),
    "staff.upload.kind.xlsx": _s("Excel 工作簿（.xlsx）", "Excel workbook (.xlsx)"),
    "staff.upload.kind.xls": _s("旧版 Excel 工作簿（.xls）", "Old Excel workbook (.xls)"),
    "staff.upload.kind.ods": _s("OpenDocument 表格（.ods）", "OpenDocument spreadsheet (.ods)"),
    "staff.upload.encoding.utf-8": _s("UTF-8", "UTF-8"),
    "staff.upload.encoding.utf-8-sig": _s("UTF-8（带 BOM）", "UTF-8 with BOM"),
    "staff.upload.encoding.gb18030": _s(
        "GBK（GB18030，中文 Windows 默认）", "GBK (GB18030, Chinese Windows)"
    ),
    "staff.upload.encoding.utf-16": _s("UTF-16（Unicode 文本）", "UTF-16 (Unicode text)"),
    "staff.upload.delimiter.comma": _s("逗号", "comma"),
    "staff.upload.delimiter.tab": _s("制表符", "tab"),
    "staff.upload.delimiter.semicolon": _s("分号", "semicolon"),
    "staff.upload.delimiter.pipe": _s("竖线", "vertical bar"),
    "staff.upload.fix.hint": _s(
        "可以在下表“改为”一栏直接改正，然后点“重新检查”，不用重新上传；原文件保持不变。",
        "Correct the cells in the 'Correct to' column and press Check again, with no new upload; "
        "the original file is kept as it is.",
    ),
    "staff.upload.fix.again": _s("重新检查", "Check again"),
    "staff.upload.col.fix": _s("改为", "Correct to"),
    "staff.upload.corrections": _s(
        "已在页面上更正的单元格（原文件不变，更正记录随版本保存）：",
        "Cells corrected on this page (the original file is unchanged; "
        "the corrections are kept with the version):",
    ),
    "staff.upload.correction": _s(
        "第 {line} 行「{column}」：{old} → {new}（{user}）",
        "line {line}, column {column}: {old} → {new} ({user})",
    ),
    "staff.upload.empty_value": _s("（空）", "(empty)"),
    "staff.history.corrections": _s("页面更正 {n} 处：", "{n} cell(s) corrected on the page: "),
    "staff.history.title": _s("版本历史", "Version history"),
    "staff.history.exports": _s("导出当前数据：", "Export the current data:"),
    "staff.history.col.data": _s("该版本数据", "This version's data"),
    "staff.history.col.dataset": _s("数据集", "Dataset"),
    "staff.history.col.version": _s("版本", "Version"),
    "staff.history.col.time": _s("时间", "Time"),
    "staff.history.col.user": _s("用户", "User"),
    "staff.history.col.file": _s("文件", "File"),
    "staff.history.col.rows": _s("行数", "Rows"),
    "staff.history.col.counts": _s("+新增 ~修改 -删除 =跳过", "+added ~changed -removed =skipped"),
    "staff.history.restored_from": _s("恢复自 v{version}", "restored from v{version}"),
    "staff.history.restore": _s("恢复", "Restore"),
    "staff.history.restore_title": _s("恢复版本", "Restore a version"),
    "staff.history.restore_confirm": _s("确认恢复", "Restore it"),
    "staff.history.ask": _s(
        "把「{dataset}」恢复为版本 {version} 的内容？这会生成一个新版本。",
        "Make {dataset} what it was in version {version}? This adds a new version.",
    ),
    "staff.history.admin_only": _s(
        "只有管理员可以恢复版本。", "Only an administrator may restore a version."
    ),
    "staff.history.no_version": _s("{dataset} 没有版本 {version}。", "{dataset} has no version {version}."),
    "staff.history.restored": _s(
        "已恢复：{dataset} 版本 {version} → 新版本 {new}",
        "Restored: {dataset} version {version} → new version {new}",
    ),
    "staff.history.restore_failed": _s(
        "无法恢复：{n} 处问题（例如引用的品牌已不存在）。",
        "Cannot restore: {n} problem(s) (for example a brand it refers to no longer exists).",
    ),
    "audit.title": _s("审计日志", "Audit log"),
    "audit.col.time": _s("时间", "Time"),
    "audit.col.user": _s("用户", "User"),
    "audit.col.action": _s("事件", "Event"),
    "audit.col.result": _s("结果", "Result"),
    "audit.col.target": _s("对象", "Target"),
    "audit.col.detail": _s("详情", "Detail"),
    "audit.col.address": _s("地址", "Address"),
    "audit.ok": _s("成功", "Succeeded"),
    "audit.failed": _s("失败", "Refused"),
    "audit.action.login": _s("登录", "Sign-in"),
    "audit.action.logout": _s("退出", "Sign-out"),
    "audit.action.upload": _s("上传", "Upload"),
    "audit.action.upload_rejected": _s("上传被拒", "Upload refused"),
    "audit.action.restore": _s("恢复版本", "Version restored"),
    "audit.action.download_original": _s("下载原始文件", "Original file downloaded"),
    "audit.action.forbidden": _s("越权被拒", "Not allowed"),
    "audit.action.user_add": _s("添加账户", "Account added"),
    "audit.action.user_disable": _s("停用账户", "Account disabled"),
    "audit.action.user_enable": _s("启用账户", "Account enabled"),
    "audit.action.user_passwd": _s("修改密码", "Password changed"),
    "audit.action.user_role": _s("修改角色", "Role changed"),
    "audit.action.password_change": _s("本人修改密码", "Own password changed"),
    "audit.action.audit_purge": _s("清理过期审计记录", "Old audit rows purged"),
    "audit.action.backup": _s("备份", "Backup"),
    "audit.action.backup_restore": _s("从备份恢复", "Restored from a backup"),
    "audit.action.kiosk_create": _s("新建大屏链接", "Wall-screen link created"),
    "audit.action.kiosk_revoke": _s("撤销大屏链接", "Wall-screen link revoked"),
    "audit.action.notify_channel_add": _s("添加推送渠道", "Digest channel added"),
    "audit.action.notify_channel_enable": _s("启用推送渠道", "Digest channel enabled"),
    "audit.action.notify_channel_disable": _s("停用推送渠道", "Digest channel disabled"),
    "audit.action.notify_channel_remove": _s("删除推送渠道", "Digest channel removed"),
    "users.title": _s("账户管理", "Accounts"),
    "users.col.name": _s("用户", "User"),
    "users.col.role": _s("角色", "Role"),
    "users.col.status": _s("状态", "Status"),
    "users.col.created": _s("创建", "Created"),
    "users.role_option.viewer": _s("领导 viewer", "Leader (viewer)"),
    "users.role_option.editor": _s("工作人员 editor", "Staff (editor)"),
    "users.role_option.admin": _s("管理员 admin", "Administrator (admin)"),
    "users.role_option.auditor": _s("审计员 auditor", "Auditor (auditor)"),
    "users.active": _s("正常", "Active"),
    "users.disabled": _s("停用", "Disabled"),
    "users.enable": _s("启用", "Enable"),
    "users.disable": _s("停用", "Disable"),
    "users.add": _s("添加账户", "Add an account"),
    "users.passwd": _s("重设密码", "Reset a password"),
    "users.name": _s("用户名", "User name"),
    "users.initial_password": _s(
        "初始密码（至少 8 位，三类字符；首次登录须修改）",
        "Initial password (8+ characters of 3 kinds; changed at first sign-in)",
    ),
    "users.new_password": _s(
        "新密码（至少 8 位，三类字符；登录后须修改）",
        "New password (8+ characters of 3 kinds; changed at sign-in)",
    ),
    "users.admin_only": _s("只有管理员可以管理账户。", "Only an administrator may manage accounts."),
    "users.not_self": _s("不能停用自己的账户。", "You cannot disable your own account."),
    "users.added": _s("已添加账户 {name}。", "Added the account {name}."),
    "users.disabled_msg": _s(
        "已停用 {name}，其登录已全部失效。", "Disabled {name}; all of its sessions have ended."
    ),
    "users.enabled_msg": _s("已启用 {name}。", "Enabled {name}."),
    "users.role_changed": _s("已把 {name} 的角色改为 {role}。", "{name} is now {role}."),
    "users.passwd_msg": _s(
        "已重设 {name} 的密码，其登录已全部失效。",
        "Reset the password of {name}; all of its sessions have ended.",
    ),
    "kiosk.title": _s("大屏链接", "Wall-screen links"),
    "kiosk.intro": _s(
        "链接打开只读大屏（脱敏数据），无需登录；撤销后立即失效。",
        "A link opens the read-only wall screen (masked data) without signing in; "
        "revoking it ends it at once.",
    ),
    "kiosk.label": _s("用途", "What it is for"),
    "kiosk.create": _s("新建链接", "Create a link"),
    "kiosk.link_zh": _s("中文大屏：", "Wall screen in Chinese:"),
    "kiosk.link_en": _s("英文大屏：", "Wall screen in English:"),
    "kiosk.revoke": _s("撤销", "Revoke"),
    "kiosk.active": _s("有效", "Active"),
    "kiosk.revoked": _s("已撤销 {time}", "Revoked {time}"),
}

# --- reading and checking uploads (dashboard.ingest): keys named after the rule ids
CATALOGUE |= {
    # where a problem is: Problem.where() and lines cited inside messages
    "where.sheet_line": _s("「{sheet}」第 {line} 行", "sheet {sheet}, line {line}"),
    "where.line": _s("第 {line} 行", "line {line}"),
    "where.sheet": _s("工作表「{sheet}」", "sheet {sheet}"),
    "where.column": _s("列「{column}」", "column {column}"),
    "where.sep": _s("，", ", "),
    "sep.list": _s("、", ", "),  # between the items of a list in a sentence
    # files that are not tables (UnreadableFile)
    "read.save_as": _s(
        "请在 Excel/WPS 中打开它，选择「另存为」→「Excel 工作簿（.xlsx）」后再上传。",
        "Open it in Excel/WPS, use Save As → Excel workbook (.xlsx) and upload that.",
    ),
    "read.empty": _s(
        "文件是空的，请选择填好数据的表格文件（.xlsx、.xls、.ods 或 CSV）。", "The file is empty."
    ),
    "read.corrupt": _s(
        "文件已损坏，无法作为表格打开，请重新保存后上传。",
        "The file is corrupt and cannot be opened as a spreadsheet; save it again and upload.",
    ),
    "read.not_a_table": _s("这是{what}，无法导入。{save_as}", "This is {what}. {save_as}"),
    "read.kind.xlsb": _s("Excel 二进制工作簿（.xlsb）", "an Excel binary workbook (.xlsb)"),
    "read.kind.text": _s("文字文档（Word/WPS 文字），不是表格", "a text document, not a spreadsheet"),
    "read.kind.presentation": _s("演示文稿（PowerPoint），不是表格", "a presentation, not a spreadsheet"),
    "read.kind.zip": _s("ZIP 压缩包，不是表格", "a ZIP archive, not a spreadsheet"),
    "read.kind.doc": _s("Word 文档（.doc），不是表格", "a Word document (.doc), not a spreadsheet"),
    "read.kind.ppt": _s(
        "PowerPoint 演示文稿（.ppt），不是表格", "a PowerPoint file (.ppt), not a spreadsheet"
    ),
    "read.kind.ole": _s(
        "Office 复合文档，但不是 Excel 表格", "an Office compound file but not an Excel workbook"
    ),
    "read.office_damaged": _s(
        "这个 Office 文件已损坏，无法读取。{save_as}", "This Office file is damaged. {save_as}"
    ),
    "read.wps_et": _s(
        "这是 WPS 表格自己的 .et 格式，无法直接读取。请在 WPS 中打开它，"
        "选择「另存为」→「Excel 工作簿（.xlsx）」后再上传。",
        "This is WPS Spreadsheets' own .et format, which cannot be read. "
        "Open it in Excel/WPS, use Save As → Excel workbook (.xlsx) and upload that.",
    ),
    "read.not_text": _s(
        "无法识别文件内容，它不是表格。请上传 .xlsx、.xls、.ods 表格或 CSV（UTF-8 或 GBK 编码）；"
        "其他格式请在 Excel/WPS 中「另存为」.xlsx 后再上传。",
        "Cannot read this file: it is not a spreadsheet. Upload .xlsx, .xls, .ods or CSV (UTF-8 or GBK); "
        "save anything else as .xlsx first.",
    ),
    "read.no_header": _s(
        "文件没有表头：第 1 行应是列名（即模板的表头），请使用模板填写后再上传。",
        "The file has no header: line 1 must hold the column names; fill in the template and upload again.",
    ),
    "read.no_header_of": _s(
        "文件没有表头：第 1 行应是列名（如 {columns}…），请使用模板填写后再上传。",
        "The file has no header: line 1 must hold the column names (such as {columns}…); fill in the "
        "template and upload again.",
    ),
    "read.workbook_damaged": _s(
        "这个 {what} 表格已损坏或格式异常，无法读取。{save_as}{detail}",
        "This {what} spreadsheet is damaged or unusual and cannot be read{detail}. {save_as}",
    ),
    "read.kind.xlsx": _s("Excel（.xlsx）", "xlsx"),
    "read.kind.xls": _s("Excel 97-2003（.xls）", "xls"),
    "read.kind.ods": _s("OpenDocument（.ods）", "ods"),
    "read.password": _s(
        "这个表格设置了打开密码（已加密），无法读取。请在 Excel/WPS 中用密码打开，"
        "在「文件 → 信息/文档加密」中取消密码，另存为 .xlsx 后再上传。",
        "This workbook is password-protected (encrypted) and cannot be read. Open it in Excel/WPS with "
        "its password, remove the password, save it as .xlsx and upload that.",
    ),
    "read.zip_bomb": _s(
        "这个表格文件解压后过大（约 {mb} MB）或压缩比异常，疑似压缩炸弹，已拒绝。"
        "请删除多余的工作表和空行，或另存为 CSV 后上传。",
        "This spreadsheet would expand to about {mb} MB or is compressed "
        "suspiciously well (possible zip bomb), so it was refused; save it as CSV instead.",
    ),
    "read.xml_corrupt": _s(
        "这个表格文件已损坏，无法读取。请在 Excel/WPS 中重新保存后上传。",
        "This spreadsheet is corrupt; save it again in Excel/WPS and upload.",
    ),
    "read.xml_entities": _s(
        "这个表格文件的结构异常，已拒绝。请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再上传。",
        "This spreadsheet has an unusual structure and was refused; save it as .xlsx or CSV again.",
    ),
    # rows and sheets the reader skips or cannot fit
    "read.row.too_many_cells": _s(
        "本行有 {cells} 个单元格，比表头的 {ncols} 列多；"
        "请检查是否多了逗号或分隔符，或把含逗号的内容用英文引号括起来。",
        "This row has {cells} cells but the header has {ncols} columns; "
        "remove the extra separators or quote cells that contain commas.",
    ),
    "read.sheet.skipped": _s(
        "工作表「{sheet}」没有与台账相同的表头，未读取（如填表说明）。",
        "Sheet {sheet} has no ledger header like the one read, so it was not read.",
    ),
    "read.sheet.summary": _s(
        "工作表「{sheet}」只有台账的部分列（{columns}），看作汇总表，未读取；如果它也是台账，请补齐表头后再上传。",
        "Sheet {sheet} has only some of the ledger's columns ({columns}); read as a summary, it was not "
        "read. If it is part of the ledger, complete its header and upload again.",
    ),
    "read.sheet.hidden": _s(
        "工作表「{sheet}」是隐藏的，未读取；如果其中的行也要上传，请取消隐藏后再上传。",
        "Sheet {sheet} is hidden and was not read; if its rows belong to the upload, unhide it and "
        "upload again.",
    ),
    "read.skipped.empty": _s("空行，已跳过。", "Empty row; skipped."),
    "read.skipped.total": _s(
        "「{value}」行是汇总行，不是数据，已跳过（看板会自己计算合计）。",
        "A '{value}' (total) row is not data; skipped (the board computes its own totals).",
    ),
    "read.skipped.footer": _s(
        "表尾的「{value}」不是数据，已跳过。",
        "The footer '{value}' (filled in / checked by / date) is not data; skipped.",
    ),
    # checks against the contract (dashboard.ingest.validation): check.<rule id>
    "check.file.no_rows": _s(
        "文件只有表头，没有数据行。请在表头下面填写数据后再上传。",
        "The file has a header but no data rows; fill in rows below the header and upload again.",
    ),
    "check.header.ignored": _s(
        "列「{written}」不是「{dataset}」的列，已忽略。",
        "Column '{written}' is not part of {dataset}; it was ignored.",
    ),
    "check.header.ignored.unnamed": _s(
        "第 {pos} 列有内容但没有表头，已忽略；如需导入请在表头行（第 {line} 行）填上列名。",
        "Column {pos} has cells but no header; it was ignored (name it in line {line}).",
    ),
    "check.header.duplicate": _s(
        "列「{written}」出现了两次，请删除其中一列。", "Column '{written}' appears twice; delete one of them."
    ),
    "check.header.duplicate.two_names": _s(
        "列「{written}」和列「{first}」都是「{header}」，请删除其中一列。",
        "Columns '{written}' and '{first}' are both {header}; delete one of them.",
    ),
    "check.header.missing": _s(
        "缺少必填列「{header}」，请在第 {line} 行加上这一列（英文列名 {name} 也可以）。",
        "Required column '{header}' ({name}) is missing; add it to the header (line {line}).",
    ),
    "check.header.other_dataset": _s(  # the file is another ledger's: one message, no row checks
        "这个文件的表头是「{other}」台账的（{columns}），不是「{dataset}」的，所以没有检查各行。"
        "如果要更新「{other}」，请改选「{other}」台账后再上传；如果要更新「{dataset}」，请换成"
        "「{dataset}」的文件（可下载空白模板）。",
        "This file's header is that of the {other} ledger ({columns}), not {dataset}, so its rows were "
        "not checked. To update {other}, choose the {other} ledger and upload again; to update "
        "{dataset}, upload the {dataset} file instead (a blank template can be downloaded).",
    ),
    "check.cell.formula_error": _s(
        "「{value}」是公式算错时显示的错误值（例如 VLOOKUP 查不到、除以零），不是「{column}」的数据："
        "请在 Excel 或 WPS 里改正这一格的公式，或直接填写正确的值后再上传。",
        "'{value}' is the error a formula shows when it fails (a VLOOKUP that found nothing, a division "
        "by zero), not a value of '{column}': correct the cell's formula in Excel or WPS, or type the "
        "value, and upload again.",
    ),
    "check.cell.formula_uncached": _s(
        "这一格是公式「{value}」，但文件里没有保存它的计算结果（这种文件通常是由其他系统导出的）："
        "请用 Excel 或 WPS 打开这个文件，保存一次后再上传；或把这一格改成数值。",
        "This cell is the formula '{value}', but the file holds no result for it (files exported by "
        "other systems often do not): open the file in Excel or WPS, save it and upload again, or "
        "type the value instead.",
    ),
    "check.cell.required": _s(
        "「{column}」必须填写，请补上这一格。", "'{column}' is required; fill in this cell."
    ),
    "check.cell.enum": _s(
        "「{value}」不是「{column}」的可选值，请填写以下之一：{choices}。",
        "'{value}' is not an allowed value of '{column}'; use one of: {choices}.",
    ),
    "check.cell.int": _s(
        "「{value}」不是整数，请填写整数，例如 12。", "'{value}' is not a whole number; enter one such as 12."
    ),
    "check.cell.number": _s(
        "「{value}」不是数字，请填写数字，例如 186.5。", "'{value}' is not a number; enter one such as 186.5."
    ),
    # a number written as forms write them (cells.number_hint): what to write instead
    "check.cell.number.unit": _s(
        "「{value}」带了单位，「{column}」只填数字，请写成 {number}。",
        "'{value}' carries a unit; '{column}' takes the number alone: write {number}.",
    ),
    "check.cell.number.wan": _s(
        "「{value}」用了“万”，「{column}」请填写完整的数字：{number}。",
        "'{value}' is written in ten thousands; write the whole number in '{column}': {number}.",
    ),
    "check.cell.number.rough": _s(
        "「{value}」不是一个确定的数，「{column}」请填写一个确定的数字（不写“约”“余”或范围）。",
        "'{value}' is not one definite number; enter a single number in '{column}' (no 'about', "
        "'more than' or range).",
    ),
    "check.cell.percent": _s(
        "「{value}」不是百分比，请填写 0 到 100 的数，例如 85 或 85%。",
        "'{value}' is not a percentage; enter a number from 0 to 100 such as 85 or 85%.",
    ),
    "check.cell.percent.fraction": _s(
        "「{column}」各格都不大于 1，「{value}」看起来是小数形式的比例，会按 {value}% 保存；"
        "如要表示 95%，请填 95 或 95%。",
        "Every value in '{column}' is 1 or less, so '{value}' looks like a fraction: it is stored "
        "as {value}%. For 95%, enter 95 or 95%.",
    ),
    "check.cell.bool": _s(
        "「{value}」不是“是/否”，请填写 {yes} 或 {no}。",
        "'{value}' is not yes/no; enter {yes} or {no} (yes/no, Y/N, true/false, 1/0).",
    ),
    "check.cell.date": _s(
        "「{value}」不是有效日期，请写成 2024-05-03、2024/5/3、2024.5.3 或 {zh_date}。",
        "'{value}' is not a valid date; write it like 2024-05-03, 2024/5/3, 2024.5.3 or {zh_date}.",
    ),
    # a date written in a way we will not guess at (cells.date_hint): what is missing, what to write
    "check.cell.date.no_year": _s(
        "「{value}」没有年份，请写上年份，例如 2024-05-03 或 {zh_date}。",
        "'{value}' has no year; write the year too, like 2024-05-03 or {zh_date}.",
    ),
    "check.cell.date.no_day": _s(
        "「{value}」只有年和月，「{column}」要具体到日，例如 2024-05-03 或 {zh_date}。",
        "'{value}' gives a year and month only; '{column}' needs the day too, like 2024-05-03 or {zh_date}.",
    ),
    "check.cell.date.short_year": _s(
        "「{value}」的年份只有两位，请写四位年份，例如 2024-05-03 或 {zh_date}。",
        "'{value}' has a two-digit year; write all four digits, like 2024-05-03 or {zh_date}.",
    ),
    "check.cell.date.zh_numerals": _s(
        "「{value}」用汉字写了数字，请用阿拉伯数字写日期，例如 2024-05-03 或 {zh_date}。",
        "'{value}' spells the date in Chinese numerals; write it in digits, like 2024-05-03 or {zh_date}.",
    ),
    "check.cell.date.eight_digits": _s(
        "「{value}」请加上分隔符写成 {date}（或 2024/5/3、{zh_date} 的写法），以免看错。",
        "'{value}': write it with separators, as {date} (or like 2024/5/3 or {zh_date}), so it cannot "
        "be misread.",
    ),
    "check.cell.date.weekday": _s(
        "「{value}」的日期和星期对不上：{date} 是{weekday}。请核对是哪一天，只写日期即可，例如 {date}。",
        "'{value}': the date and the weekday disagree ({date} is a {weekday}). Check which day it is "
        "and write the date alone, like {date}.",
    ),
    "weekday.0": _s("星期一", "Monday"),
    "weekday.1": _s("星期二", "Tuesday"),
    "weekday.2": _s("星期三", "Wednesday"),
    "weekday.3": _s("星期四", "Thursday"),
    "weekday.4": _s("星期五", "Friday"),
    "weekday.5": _s("星期六", "Saturday"),
    "weekday.6": _s("星期日", "Sunday"),
    "check.cell.date.time_dropped": _s(
        "「{value}」带有时间，「{column}」只记日期，已按日期读取；如时间有意义请写在备注里。",
        "'{value}' has a time of day; '{column}' keeps the date only, so the time was dropped.",
    ),
    "check.cell.date.time_dropped.no_note": _s(  # a ledger without a 备注 column (meetings)
        "「{value}」带有时间，「{column}」只记日期，已按日期读取。",
        "'{value}' has a time of day; '{column}' keeps the date only, so the time was dropped.",
    ),
    "check.cell.date.serial": _s(
        "「{value}」不是有效日期：它像是 Excel 的日期序号（代表 {date}），"
        "单元格格式为“常规”或“数值”时日期会显示成这样。请把这一列的单元格格式设为“日期”，或直接写成 {date}。",
        "'{value}' is not a valid date: it looks like an Excel date number (standing for {date}), which is "
        "how a date shows in a cell formatted as General or Number. Format the column as Date, "
        "or type {date}.",
    ),
    "check.cell.int.range": _s(
        "「{value}」不是整数，「{column}」请填 {lo}–{hi} 的整数，例如 {example}。",
        "'{value}' is not a whole number; '{column}' takes a whole number from {lo} to {hi}, "
        "such as {example}.",
    ),
    "check.cell.placeholder": _s(  # one warning per column
        "「{column}」中{lines}的「{marks}」表示不适用，已按空白读取。",
        "'{column}': '{marks}' at {lines} means not applicable; read as empty.",
    ),
    "check.cell.placeholder.more": _s("等，共 {n} 行", " and more, {n} lines in all"),
    "check.cell.required.placeholder": _s(
        "「{value}」表示不适用，但「{column}」必须填写，不能留空，也不能写「{value}」；请填写实际的值。",
        "'{value}' means not applicable, but '{column}' is required, so it can be neither empty nor "
        "'{value}'; fill in the actual value.",
    ),
    "check.cell.range.between": _s(
        "「{value}」超出范围：「{column}」应在 {lo} 到 {hi} 之间，请更正。",
        "'{value}' is out of range: '{column}' must be between {lo} and {hi}.",
    ),
    "check.cell.range.min": _s(
        "「{value}」超出范围：「{column}」不能小于 {lo}，请更正。",
        "'{value}' is out of range: '{column}' must not be less than {lo}.",
    ),
    "check.cell.range.max": _s(
        "「{value}」超出范围：「{column}」不能大于 {hi}，请更正。",
        "'{value}' is out of range: '{column}' must not be greater than {hi}.",
    ),
    "check.key.duplicate": _s(
        "「{column}」为「{value}」的行与{first}重复，每个只能出现一次；请删除或修改其中一行。",
        "'{column}' '{value}' repeats {first}; each may appear only once. Delete or correct one of the rows.",
    ),
    "check.date_order": _s(
        "「{column}」{value} 早于「{other}」，请检查这两个日期。",
        "'{column}' {value} is before '{other}'; check both dates.",
    ),
    "check.required_from": _s(
        "「{status}」已到「{label}」或之后，必须填写「{column}」。",
        "'{column}' is required once '{status}' is {label} or later.",
    ),
    "check.empty_before": _s(
        "「{status}」还不是「{label}」，「{column}」应为空；请删除日期或更新「{status}」。",
        "'{column}' must be empty until '{status}' is {label}; clear the date or update '{status}'.",
    ),
    "check.foreign_key": _s(
        "「{value}」在「{ref}」中不存在，请先在「{ref}」中登记，或更正「{column}」。",
        "'{value}' does not exist in {ref}; add it there first or correct '{column}'.",
    ),
    "check.referenced": _s(
        "「{code}」仍被「{other}」中的 {n} 行引用，不能从「{dataset}」中删除。"
        "请在文件中保留这一行，或先更正那些行的「{column}」。",
        "'{code}' is still used by {n} {other} rows and cannot be removed from "
        "{dataset}; keep its row in the file, or first correct '{column}' in those rows.",
    ),
    "check.restore.foreign_key": _s(
        "这一版有 {n} 行的「{column}」是「{value}」，"
        "但「{ref}」中已没有它，无法恢复。请先在「{ref}」中登记「{value}」，或选择另一版。",
        "{n} rows of this version name '{value}' in '{column}', which "
        "{ref} no longer has; add it to {ref} first or pick another version.",
    ),
}

# --- versions, downloads and workbooks (dashboard.store)
CATALOGUE |= {
    "check.restore.no_such_version": _s(
        "「{dataset}」没有第 {version} 版，无法恢复。请从版本列表中选择。",
        "{dataset} has no version {version} to restore; pick one from the list.",
    ),
    "check.storage.duplicate_key": _s(
        "第 {line} 行的「{headers}」（{shown}）与第 {first} 行相同；"
        "同一文件中每个键只能出现一次，请删除或合并重复的行。",
        "Line {line} repeats the key {headers} ({shown}) of line {first}; "
        "a key may appear once per file, so delete or merge the repeated row.",
    ),
    "check.upsert.absent_kept": _s(
        "文件中没有这些列：{columns}。已在台账中的 {n} 行保留这些列原有的内容，新增的行这些列为空。"
        "如要清空某格，请在文件中加上这一列并留空。",
        "The file lacks the columns {columns}: the {n} row(s) already in the ledger keep their values "
        "there, and new rows leave them empty. To clear a cell, add the column and leave the cell empty.",
    ),
    # the error report of a refused upload (CSV and XLSX): bilingual headers "行 line"
    "uploads.errors.sheet": _s("错误报告", "Errors"),
    "uploads.errors.col.line": _s("行", "line"),
    "uploads.errors.col.column": _s("列", "column"),
    "uploads.errors.col.value": _s("值", "value"),
    "uploads.errors.col.message": _s("问题", "problem"),
    # workbooks: templates, dropdowns and the 填表说明 guide sheet
    "xlsx.required_note": _s("必填列：不能留空。", "Required column: may not be empty."),
    "xlsx.dropdown_title": _s("请从下拉列表中选择", "Choose from the list"),
    "xlsx.dropdown_error": _s(
        "只能填写下拉列表中的值：{choices}", "Only these values are allowed: {choices}"
    ),
    "xlsx.guide_sheet": _s("填表说明", "How to fill in"),
    "xlsx.type.text": _s("文字", "text"),
    "xlsx.type.int": _s("整数", "whole number"),
    "xlsx.type.number": _s("数字", "number"),
    "xlsx.type.percent": _s("百分比", "percentage"),
    "xlsx.type.bool": _s("是/否", "yes/no"),
    "xlsx.type.date": _s("日期", "date"),
    "xlsx.type.enum": _s("下拉选择", "choice"),
    "xlsx.mode.replace": _s(
        "整表替换：上传的表就是完整的新台账，表中没有的行会被删除。",
        "Replace: the file is the whole new ledger; rows not in it are removed.",
    ),
    "xlsx.mode.upsert": _s(
        "按编码更新：编码已有的行被更新，新编码的行被添加。",
        "Upsert: rows with a known key are updated, new keys are added.",
    ),
    "xlsx.mode.append": _s(
        "追加：表中的行添加到已有记录之后。", "Append: the rows are added to the existing records."
    ),
    "xlsx.guide.title": _s("「{title}」填表说明", "How to fill in '{title}'"),
    "xlsx.guide.where": _s(
        "请在第一张工作表「{sheet}」中填写，一行一条记录。不要修改、删除第一行表头，"
        "不要调整工作表的顺序（本说明页放在后面，上传时不会读取）。",
        "Fill in the first sheet '{sheet}', one record per row. Do not change the header row or the "
        "order of the sheets (this sheet stays after it and is not read).",
    ),
    "xlsx.guide.required": _s("红色表头的列是必填列，不能留空。", "Columns with a red header are required."),
    "xlsx.guide.dropdown": _s(
        "带下拉箭头的列只能从列表中选择。", "Columns with a drop-down take only the listed values."
    ),
    "xlsx.guide.cells": _s(
        "日期写成 2024-05-03（或 2024/5/3）；百分比写成 96%；数字不要带单位。",
        "Write dates as 2024-05-03 (or 2024/5/3), percentages as 96%, numbers without units.",
    ),
    "xlsx.guide.key": _s("「{headers}」在表中不能重复。", "'{headers}' must be unique in the file."),
    "xlsx.guide.check": _s(
        "上传后系统逐格检查：有错误时什么都不会写入，并可以下载标出问题的本文件，改好后再上传。",
        "Every cell is checked on upload: with any error nothing is written, and you can download "
        "this file with the problems marked, fix them and upload again.",
    ),
    "xlsx.guide.columns": _s("各列填写规则", "Columns"),
    "xlsx.guide.col.header": _s("列名", "Column"),
    "xlsx.guide.col.required": _s("必填", "Required"),
    "xlsx.guide.col.type": _s("类型", "Type"),
    "xlsx.guide.col.rule": _s("填写规则", "Rule"),
    "xlsx.guide.col.example": _s("示例", "Example"),
    "xlsx.guide.yes": _s("是", "yes"),
    "xlsx.guide.choices": _s("可选：{choices}", "one of: {choices}"),
    "xlsx.guide.min_max": _s("{min}–{max}", "{min} to {max}"),
    "xlsx.guide.min": _s("不小于 {min}", "at least {min}"),
    "xlsx.guide.unique": _s("不能重复", "unique"),
    "xlsx.guide.personal": _s(
        "个人信息：只有管理员能看到全名", "personal data: only admins see the full name"
    ),
    "xlsx.guide.default": _s("留空时按「{default}」", "empty means '{default}'"),
    "xlsx.guide.required_from": _s(
        "「{status}」为「{label}」及以后时必填", "required once '{status}' reaches '{label}'"
    ),
    "xlsx.guide.empty_before": _s("之前必须留空", "empty before that"),
    "xlsx.guide.not_before": _s("不早于「{earlier}」", "not before '{earlier}'"),
    "xlsx.guide.foreign_key": _s(
        "必须是「{ref}」中已有的「{column}」", "must exist as '{column}' in '{ref}'"
    ),
    "xlsx.guide.derived": _s("留空时按完成日期加 5 年计算", "when empty: completion date + 5 years"),
    "sep.rules": _s("；", "; "),  # between the rules of one column in the guide
    # the user's own workbook with the problems marked: the 问题清单 sheet and the comments
    "marked.sheet": _s("问题清单", "Problems"),
    "marked.col.n": _s("序号", "No."),
    "marked.col.level": _s("级别", "Level"),
    "marked.col.sheet": _s("工作表", "Sheet"),
    "marked.col.cell": _s("单元格", "Cell"),
    "marked.col.line": _s("行", "Line"),
    "marked.col.column": _s("列", "Column"),
    "marked.col.value": _s("值", "Value"),
    "marked.col.message": _s("问题", "Problem"),
    "marked.col.rule": _s("规则", "Rule"),
    "marked.error": _s("错误", "error"),
    "marked.warning": _s("提醒", "warning"),
    "marked.merged": _s(  # a comment on a merged block's top-left cell, about some of its cells
        "{cells}（合并单元格 {block}）：{message}", "{cells} (merged cells {block}): {message}"
    ),
    "marked.missing_note": _s(
        "缺少必填列：{columns}。请在表头行加上这些列。", "Missing required columns: {columns}."
    ),
    "marked.summary": _s(
        "共 {errors} 处错误、{warnings} 条提醒。红色单元格是错误，黄色是提醒；点「单元格」一列可跳到该格。"
        "改好后请保存并重新上传本文件（本页不会被读取）。",
        "{errors} error(s), {warnings} warning(s). Red cells are errors, yellow ones warnings; click a cell "
        "reference to jump there. Fix them, save and upload this file again (this sheet is not read).",
    ),
}

# --- ops: `dashboard doctor` checks (doctor.<check id>.*) and `dashboard serve`
CATALOGUE |= {
    "doctor.status.ok": _s("通过", "ok"),
    "doctor.status.warn": _s("提醒", "warn"),
    "doctor.status.fail": _s("失败", "FAIL"),
    "doctor.status.skip": _s("跳过", "skip"),
    "doctor.status.crash": _s("出错", "BUG"),
    "doctor.fix": _s("处理", "fix"),
    "doctor.none": _s("无", "none"),
    "doctor.db.reachable.no_file": _s("数据库文件不存在：{path}", "the database file does not exist: {path}"),
    "doctor.db.reachable.no_file.fix": _s(
        "运行 dashboard migrate 创建数据库（或检查 DASHBOARD_DB_URL）",
        "run `dashboard migrate` to create it (or check DASHBOARD_DB_URL)",
    ),
    "doctor.db.reachable.fail": _s(
        "无法连接数据库 {url}：{reason}", "cannot connect to the database {url}: {reason}"
    ),
    "doctor.db.reachable.fix": _s(
        "检查 DASHBOARD_DB_URL、数据库服务是否在运行、用户名和密码",
        "check DASHBOARD_DB_URL, that the database server runs, and the user and password",
    ),
    "doctor.db.reachable.ok": _s("数据库可以连接：{url}", "the database answers: {url}"),
    "doctor.db.migrated.ok": _s("数据库结构是最新的（{heads}）", "the schema is up to date ({heads})"),
    "doctor.db.migrated.fail": _s(
        "数据库结构不是最新：当前 {have}，应为 {heads}",
        "the schema is not up to date: at {have}, expected {heads}",
    ),
    "doctor.db.migrated.fix": _s(
        "运行 dashboard migrate（serve 启动时也会自动执行）",
        "run `dashboard migrate` (serve also does it when it starts)",
    ),
    "doctor.accounts.admin.ok": _s("有 {n} 个可用的管理员账户", "{n} active admin account(s)"),
    "doctor.accounts.admin.fail": _s(
        "没有可用的管理员账户：无人能管理账户、恢复版本或查看审计日志",
        "no active admin account: nobody can manage accounts, restore versions or read the audit log",
    ),
    "doctor.accounts.admin.fix": _s(
        "dashboard users add 管理员姓名 --role admin", "dashboard users add NAME --role admin"
    ),
    "doctor.secrets.demo.on": _s(
        "演示模式已开启（DASHBOARD_DEMO）：演示账户可以登录，不要用于真实数据",
        "demo mode is on (DASHBOARD_DEMO): the demo accounts can sign in; not for real data",
    ),
    "doctor.secrets.demo.on.fix": _s(
        "正式使用前去掉 DASHBOARD_DEMO", "remove DASHBOARD_DEMO before real use"
    ),
    "doctor.secrets.demo.ok": _s("没有可登录的演示账户", "no demo account can sign in"),
    "doctor.secrets.demo.fail": _s(
        "演示账户仍可登录（{names}），其密码写在 {file}",
        "demo accounts can still sign in ({names}); their passwords are in {file}",
    ),
    "doctor.secrets.env_file.none": _s(
        "没有环境文件 {path}（使用默认设置）", "no environment file {path} (defaults apply)"
    ),
    "doctor.secrets.env_file.fail": _s(
        "环境文件 {path} 其他用户可读（权限 {mode}），其中可能有数据库密码",
        "the environment file {path} is readable by others (mode {mode}); it may hold the database password",
    ),
    "doctor.secrets.env_file.ok": _s(
        "环境文件 {path} 仅所有者可读", "the environment file {path} is owner-only"
    ),
    "doctor.data_dir.writable.missing": _s(
        "数据目录不存在：{path}", "the data directory does not exist: {path}"
    ),
    "doctor.data_dir.writable.missing.fix": _s(
        "mkdir -p {path} && chmod 700 {path}（由运行服务的用户执行）",
        "mkdir -p {path} && chmod 700 {path} (as the user the service runs as)",
    ),
    "doctor.data_dir.writable.fail": _s(
        "数据目录不可写：{path}（{reason}）", "the data directory is not writable: {path} ({reason})"
    ),
    "doctor.data_dir.writable.fix": _s("chown 运行服务的用户 {path}", "chown the service's user {path}"),
    "doctor.data_dir.writable.ok": _s("数据目录可写：{path}", "the data directory is writable: {path}"),
    "doctor.data_dir.private.fail": _s(
        "数据目录 {path} 对其他用户开放（权限 {mode}），其中有待确认的上传和账户文件",
        "the data directory {path} is open to other users (mode {mode}); it holds pending "
        "uploads and account files",
    ),
    "doctor.data_dir.private.ok": _s(
        "数据目录仅服务用户可用（权限 {mode}）", "the data directory is private (mode {mode})"
    ),
    "doctor.disk.space.ok": _s("磁盘剩余 {mb} MB（{path}）", "{mb} MB free on disk ({path})"),
    "doctor.disk.space.fail": _s(
        "磁盘剩余空间不足：{path} 只剩 {mb} MB", "low disk space: {mb} MB free at {path}"
    ),
    "doctor.disk.space.fix": _s(
        "清理磁盘或扩容（至少 {warn} MB；低于 {fail} MB 时导入会失败）",
        "free or add space (at least {warn} MB; imports fail below {fail} MB)",
    ),
    "doctor.time.zone.ok": _s("办公时区 {zone} 可用（UTC+8）", "office time zone {zone} loads (UTC+8)"),
    "doctor.time.zone.fail": _s(
        "办公时区 {zone} 不可用：所有“今天”都会算错",
        "the office time zone {zone} is not available: every 'today' would be wrong",
    ),
    "doctor.time.zone.fix": _s(
        "安装 tzdata（apt-get install tzdata，或安装包中的 tzdata wheel）",
        "install tzdata (apt-get install tzdata, or the tzdata wheel of the bundle)",
    ),
    "doctor.frontend.build.ok": _s(
        "预构建前端已就绪（{built}）：{path}", "the prebuilt frontend is present ({built}): {path}"
    ),
    "doctor.frontend.build.incomplete": _s(
        "安装包的前端构建不完整：{path}", "the bundle's frontend build is incomplete: {path}"
    ),
    "doctor.frontend.build.incomplete.fix": _s(
        "重新解压安装包并运行 ./install.sh --prefix 安装目录",
        "unpack the bundle again and run ./install.sh --prefix DIR",
    ),
    "doctor.frontend.build.source": _s(
        "源码目录：serve 启动时用 bun 构建前端",
        "a source checkout: serve builds the frontend with bun when it starts",
    ),
    "doctor.frontend.build.fail": _s(
        "既没有预构建的前端，也没有 bun 可以构建", "no prebuilt frontend, and no bun to build one"
    ),
    "doctor.frontend.build.fix": _s(
        "从安装包安装（make bundle），或在源码目录运行 make run",
        "install from a bundle (make bundle), or run `make run` in a source checkout",
    ),
    "doctor.redis.reachable.fail": _s(
        "无法连接 Redis（{url}）：{reason}", "cannot reach Redis ({url}): {reason}"
    ),
    "doctor.redis.reachable.fix": _s(
        "启动 Redis，或检查 REDIS_URL（不用多进程时去掉 REDIS_URL）",
        "start Redis or check REDIS_URL (drop REDIS_URL when running one worker)",
    ),
    "doctor.redis.reachable.ok": _s("Redis 可以连接（{url}）", "Redis answers ({url})"),
    "doctor.digest.ok": _s(
        "每日简报的 {n} 个推送通道都能连通（未发送消息）",
        "all {n} digest channels can be reached (nothing sent)",
    ),
    "doctor.digest.misconfigured": _s(
        "每日简报的推送通道设置有误，这些通道不会发送：{entries}",
        "digest channels set up wrong, these will not send: {entries}",
    ),
    "doctor.digest.misconfigured.fix": _s(
        "按 README 的格式改正 DASHBOARD_WEBHOOKS / DASHBOARD_SMTP_URL / DASHBOARD_DIGEST_EMAIL，"
        "或在「推送」页面改正",
        "correct DASHBOARD_WEBHOOKS / DASHBOARD_SMTP_URL / DASHBOARD_DIGEST_EMAIL as the README shows, "
        "or on the /notify page",
    ),
    "doctor.digest.unreachable": _s(
        "这台服务器连不上每日简报的 {n} 个推送通道（共 {total} 个）：{entries}",
        "this server cannot reach {n} of the {total} digest channels: {entries}",
    ),
    "doctor.digest.unreachable.fix": _s(
        "政务内网通常不通互联网：请网络管理员放行这些地址，或改用内网可达的私有化部署地址或邮件服务器；"
        "改好后可在「推送」页面点「测试发送」",
        "an intranet usually has no internet: ask the network administrator to allow these addresses, "
        "or use addresses the intranet reaches (a private deployment, a mail server); then press "
        "'Send a test' on /notify",
    ),
    "doctor.skipped": _s("未检查：先解决 {needed}", "not checked: fix {needed} first"),
    "doctor.crashed": _s(
        "检查 {check} 本身出错（程序缺陷，不代表安装有问题）：{error}",
        "the check {check} itself crashed (a bug, not a fault of the installation): {error}",
    ),
    "doctor.crashed.fix": _s("请把 {where} 发给维护人员", "please report it (details in {where})"),
    "doctor.summary.warnings": _s("{n} 项提醒", "{n} warning(s)"),
    "doctor.summary.bad": _s("有 {n} 项需要处理", "{n} problem(s) to fix"),
    "doctor.summary.fine": _s("安装正常", "the installation is fine"),
    # serve's refusals print both languages, one line each
    "serve.workers_min": _s("--workers 至少为 1", "--workers must be at least 1"),
    "serve.workers_redis": _s(
        "多个工作进程需要 Redis 共享页面状态：请设置 REDIS_URL，或去掉 --workers",
        "several workers share the pages' state through Redis: set REDIS_URL, or drop --workers",
    ),
    "serve.no_frontend": _s(
        "找不到前端构建 {path}：请重新安装安装包",
        "the frontend build {path} is missing: reinstall the bundle",
    ),
    "serve.no_reflex": _s("找不到 {path}", "{path} not found: run `make run` once to install"),
    "serve.prebuilt": _s("预构建前端", "prebuilt frontend"),
}

# --- notify: daily digests, the /notify page, the weekly report as a document (issue 13)
CATALOGUE |= {
    "notify.title": _s("党建看板每日简报 · {day}", "Party-building daily digest · {day}"),
    "notify.as_of": _s("数据截至 {time}", "Data as of {time}"),
    "notify.no_data": _s("尚未导入任何台账", "No ledger has been imported yet"),
    "notify.since": _s("与 {day} 的简报相比", "Changes since the digest of {day}"),
    "notify.first": _s("首次简报：与 24 小时前相比", "First digest: changes over the last 24 hours"),
    "notify.warnings": _s(
        "预警：新增 {new} 条，仍未处理 {open} 条", "Warnings: {new} new, {open} still open"
    ),
    "notify.no_warnings": _s("当前没有预警", "No open warnings"),
    "notify.new": _s("新增", "New"),
    "notify.still_open": _s("未处理", "Open"),
    "notify.warning_line": _s(
        "{mark} {tag} · {title}：{name}（自 {since}）", "{mark} {tag} · {title}: {name} (since {since})"
    ),
    "notify.rule.milestone_overdue": _s("节点逾期", "Milestone overdue"),
    "notify.rule.milestone_lagging": _s("节点进度落后", "Milestone lagging"),
    "notify.rule.progress_gap_red": _s("签约进度严重落后", "Signing far behind time"),
    "notify.rule.progress_gap_yellow": _s("签约进度落后", "Signing behind time"),
    "notify.rule.election_overdue": _s("换届逾期", "Re-election overdue"),
    "notify.rule.brand_behind_pace": _s("品牌活动进度落后", "Brand activities behind pace"),
    "notify.rule.dataset_stale": _s("台账未按时更新", "Ledger not updated"),
    "notify.rule.term_expiring": _s("任期即将届满", "Term ending soon"),
    "notify.rule.term_expired": _s("任期已届满", "Term ended"),
    "notify.terms": _s("{days} 天内届满的党组织：{n} 个", "Terms ending within {days} days: {n}"),
    "notify.term_line": _s(
        "{name}：{date}届满（剩 {days} 天）", "{name}: term ends {date} ({days} days left)"
    ),
    "notify.kpis": _s("主要指标", "Key figures"),
    "notify.kpi_line": _s("{label}：{value}（{change}）", "{label}: {value} ({change})"),
    "notify.kpi_change": _s("较上次 {delta}", "{delta} since last digest"),
    "notify.kpi_same": _s("与上次持平", "unchanged"),
    "notify.kpi_unknown": _s("首次统计", "first count"),
    "notify.signed": _s("新签约 {n} 户", "{n} properties newly signed"),
    "notify.signed_line": _s("{id} {household}（{category} 类户）", "{id} {household} (category {category})"),
    "notify.signed_more": _s("另有 {n} 户，详见拆迁看板", "{n} more on the demolition board"),
    "notify.ledgers": _s("台账更新", "Ledgers"),
    "notify.ledger_updated": _s(
        "{dataset}：更新 {n} 次，最新 {time}", "{dataset}: {n} updates, latest {time}"
    ),
    "notify.ledger_stale": _s(
        "{dataset}：已 {days} 天未更新（应每 {rhythm} 天更新）",
        "{dataset}: not updated for {days} days (due every {rhythm} days)",
    ),
    "notify.ledger_quiet": _s("自上次简报以来没有台账更新", "No ledger updated since the last digest"),
    "notify.open_board": _s("打开看板", "Open the dashboard"),
    "notify.weekly_report": _s("本周周报（Word 文档）", "This week's report (Word document)"),
    "notify.more": _s("……另有 {n} 条，详见看板", "… {n} more on the dashboard"),
    "notify.part": _s("（{i}/{n}）", " ({i}/{n})"),
    "notify.test_title": _s("党建看板测试消息", "Party-building dashboard: test message"),
    "notify.test_body": _s(
        "这是一条测试消息：此渠道可以收到每日简报。",
        "A test message: this channel will receive the daily digest.",
    ),
    "report.doc.as_of": _s("数据截至 {time}", "Data as of {time}"),
    "report.doc.no_charts": _s(
        "本机没有可用的图表渲染器（Chromium），图表从略；数据见上表。",
        "No chart renderer (Chromium) on this server: the charts are left out; "
        "the tables above have the data.",
    ),
    "report.doc.col.kpi": _s("指标", "Figure"),
    "report.doc.col.value": _s("数值", "Value"),
    "report.doc.col.change": _s("较上周", "On last week"),
    "report.doc.col.level": _s("级别", "Level"),
    "report.doc.col.warning": _s("预警", "Warning"),
    "report.doc.col.since": _s("起始", "Since"),
    "report.doc.level.red": _s("红色", "Red"),
    "report.doc.level.yellow": _s("黄色", "Yellow"),
    "report.doc.page": _s("第 {page} 页", "Page {page}"),
    "app.report.download_docx": _s("下载 Word", "Download Word"),
    "app.report.download_pdf": _s("下载 PDF", "Download PDF"),
    "nav.notify": _s("推送", "Digests"),
    "notify.page": _s("消息推送", "Digests to leaders"),
    "notify.page.intro": _s(
        "每日简报每天向下列渠道各发送一次（多台服务器也只发一次）；环境变量里配置的渠道在此只读。"
        "密钥只显示末 4 位。",
        "The daily digest goes once a day to each channel below (once, however many servers run); "
        "channels from the environment are read-only here. Secrets show their last 4 characters only.",
    ),
    "notify.page.schedule_on": _s("每天 {at}（北京时间）自动发送", "Sent every day at {at} (office time)"),
    "notify.page.schedule_off": _s(
        "未设置 DASHBOARD_DIGEST_AT：服务器不会自动发送，可运行 python -m dashboard digest --send。",
        "DASHBOARD_DIGEST_AT is not set: the server sends nothing by itself; "
        "run python -m dashboard digest --send.",
    ),
    "notify.col.kind": _s("渠道", "Channel"),
    "notify.col.target": _s("地址", "Address"),
    "notify.col.secret": _s("密钥", "Secret"),
    "notify.col.source": _s("来源", "Source"),
    "notify.col.today": _s("今日", "Today"),
    "notify.kind.wecom": _s("企业微信", "WeCom"),
    "notify.kind.dingtalk": _s("钉钉", "DingTalk"),
    "notify.kind.feishu": _s("飞书", "Feishu"),
    "notify.kind.json": _s("通用 JSON", "JSON webhook"),
    "notify.kind.email": _s("邮件", "Email"),
    "notify.source.env": _s("环境变量", "Environment"),
    "notify.source.admin": _s("页面添加", "Added here"),
    "notify.source.disabled": _s("已停用", "Disabled"),
    "notify.status.sent": _s("已发送", "Sent"),
    "notify.status.failed": _s("发送失败：{reason}", "Failed: {reason}"),
    "notify.status.refused": _s(
        "被平台拒收：{reason}。请检查地址、加签密钥或机器人的关键词设置，改好后点“测试发送”，成功后会补发。",
        "Refused by the platform: {reason}. Check the address, the signing secret or the robot's "
        "keywords, then send a test: once it gets through, the digest is sent again.",
    ),
    "notify.status.maybe_delivered": _s(
        "可能已送达（{reason}）：为免重复不再自动重发，请到群里确认。",
        "May have arrived ({reason}): not sent again automatically, to avoid a duplicate. "
        "Check the group.",
    ),
    "notify.status.sending": _s("正在发送", "Sending"),
    "notify.status.none": _s("尚未发送", "Not sent yet"),
    "notify.test": _s("测试发送", "Send a test"),
    "notify.test_ok": _s("测试消息已发送到 {target}。", "Test message delivered to {target}."),
    "notify.test_failed": _s("测试消息发送失败：{reason}", "The test message failed: {reason}"),
    "notify.add": _s("添加渠道", "Add a channel"),
    "notify.field.target": _s(
        "机器人 Webhook 地址，或 smtp:// / smtps:// 地址",
        "Robot webhook address, or an smtp:// / smtps:// URL",
    ),
    "notify.field.secret": _s("加签密钥（可选）", "Signing secret (optional)"),
    "notify.field.recipients": _s("收件人（邮件，逗号分隔）", "Recipients (email, comma-separated)"),
    "notify.field.label": _s("备注", "Note"),
    "notify.added": _s("已添加渠道 {target}。", "Added the channel {target}."),
    "notify.changed": _s("已更新渠道。", "Channel updated."),
    "notify.enable": _s("启用", "Enable"),
    "notify.disable": _s("停用", "Disable"),
    "notify.remove": _s("删除", "Remove"),
    "notify.bad.kind": _s("请选择渠道种类。", "Choose the kind of channel."),
    "notify.bad.url": _s(
        "机器人地址应以 http:// 或 https:// 开头。", "A robot address starts with http:// or https://."
    ),
    "notify.bad.smtp_url": _s(
        "邮件渠道的地址应以 smtp:// 或 smtps:// 开头。", "An email channel needs an smtp:// or smtps:// URL."
    ),
    "notify.bad.recipients": _s("请填写至少一个收件人邮箱。", "Give at least one recipient address."),
    "notify.bad.missing": _s("这个渠道已不存在。", "That channel no longer exists."),
    "notify.bad.port": _s(
        "{kind}渠道的地址端口无效（应为 1–65535 之间的数字，或不写）：{target}",
        "The {kind} channel's address has an invalid port (a number from 1 to 65535, or none): {target}",
    ),
    "notify.admin_only": _s("只有管理员可以设置推送。", "Only an administrator may set up digests."),
    "notify.log": _s("发送记录", "Delivery log"),
    "notify.log.col.at": _s("时间", "Time"),
    "notify.log.col.result": _s("结果", "Result"),
    "notify.log.col.attempt": _s("第几次", "Attempt"),
    "notify.log.col.reason": _s("原因", "Reason"),
    "notify.log.ok": _s("成功", "Delivered"),
    "notify.log.failed": _s("失败", "Failed"),
    "notify.log.test": _s("测试", "Test"),
    "notify.log.empty": _s("还没有发送记录", "Nothing sent yet"),
    "notify.email_attached": _s(
        "附件：本周周报（Word 文档）。", "Attached: this week's report (Word document)."
    ),
}


# --- validation rules of the tasks and org_life ledgers the contract cannot declare (issue 10)
CATALOGUE |= {
    "check.org_life.attended_over_expected": _s(
        "「{column}」{attended} 多于「{expected_column}」{expected}：请核对人数"
        "（列席、旁听的人员可写在备注里）；本行照常导入。",
        "'{column}' {attended} is more than '{expected_column}' {expected}; check the counts "
        "(guests may be noted separately). The row is imported as it is.",
    ),
}


# --- 组织生活 board (/org-life): 三会一课 and 主题党日 against their rhythm (issue 10)
CATALOGUE |= {
    "board.org_life": _s("组织生活", "Party meetings"),
    "app.page.org_life": _s("三会一课 · 主题党日", "Party meetings on rhythm"),
    "app.section.org_life_grid": _s("组织生活达标情况", "Meetings held against the rhythm"),
    "app.org_life_grid_note": _s(
        "每行一个党组织（缺项多的在前），每格一个月（支委会、党小组会、主题党日）或一个季度"
        "（支部党员大会、党课）。点击格子查看当期会议。只统计会议召开情况，不记录个人签到、积分或排名。",
        "One row per organisation (most gaps first), one square per month (committee, party group "
        "meeting, party day) or quarter (general meeting, party lecture). Click a square for that "
        "period's meetings. Meetings held are counted; no personal sign-ins, points or rankings.",
    ),
    "app.org_life_org": _s("党组织", "Organisation"),
    "app.filter.meeting_type": _s("会议类型", "Type of meeting"),
    "kpi.org_life_rate": _s("组织生活达标率", "Meetings on rhythm"),
    "kpi.org_life_rate.formula": _s(
        "近 12 个月按规定应开并已召开的会议 {held} ÷ 应开的会议 {due}（支委会、党小组会、主题党日"
        "每月一次，支部党员大会、党课每季度一次；本月、本季度尚未召开的不计入）",
        "Required meetings held in the last 12 months {held} ÷ required meetings due {due} "
        "(committee, party group meeting and party day monthly; general meeting and party lecture "
        "quarterly; the current month or quarter counts once its meeting is held)",
    ),
    "kpi.org_life_gap_orgs": _s("组织生活有缺项的组织", "Organisations with a gap"),
    "kpi.org_life_gap_orgs.formula": _s(
        "近 12 个月至少缺开一次规定会议的党组织 {orgs_gap}（共 {orgs} 个）",
        "Organisations that missed at least one required meeting in the last 12 months "
        "{orgs_gap} (of {orgs})",
    ),
    "kpi.org_life_attendance": _s("组织生活到会率", "Meeting attendance"),
    "kpi.org_life_attendance.formula": _s(
        "近 12 个月会议实到人数之和 {attended} ÷ 应到人数之和 {expected}",
        "Attended {attended} ÷ expected {expected}, summed over the last 12 months' meetings",
    ),
    "chart.org_life_by_org_type": _s("按组织类型的达标情况", "On rhythm by organisation type"),
    "chart.org_life_by_period": _s("每月达标情况", "On rhythm per month"),
    "chart.org_life_gaps": _s("缺项最多的党组织", "Organisations with the most gaps"),
    "chart.org_life_attendance": _s("到会率最低的党组织", "Lowest attendance"),
    "org_life.status.held": _s("已召开", "Held"),
    "org_life.status.missing": _s("未召开", "Missing"),
    "org_life.status.not_due": _s("本期未到", "Not yet due"),
    "org_life.quarter": _s("{year}年第{q}季度", "Q{q} {year}"),
    "org_life.quarter_short": _s("{q}季", "Q{q}"),
    "org_life.quarter_short_year": _s("{yy}年{q}季", "Q{q} {yy}"),
    # {m}: the month's number in zh, its abbreviation in en (charts.org_life.period_short)
    "org_life.month_short": _s("{m}月", "{m}"),
    "org_life.month_short_year": _s("{yy}年{m}月", "{m} {yy}"),
    "org_life.missing_n": _s("缺 {n} 次", "{n} missing"),
    "org_life.more_orgs": _s("另有 {n} 个组织未显示", "{n} more organisations not shown"),
    "hover.org_life_status": _s(
        "%{x}<br>%{customdata[0]} 次<br>达标率 %{customdata[1]}",
        "%{x}<br>%{customdata[0]} meetings<br>On rhythm %{customdata[1]}",
    ),
    "hover.org_life_gaps": _s(
        "%{y}<br>缺开 %{customdata[0]} 次 / 应开 %{customdata[1]} 次<br>达标率 %{customdata[2]}",
        "%{y}<br>%{customdata[0]} missing of %{customdata[1]} due<br>On rhythm %{customdata[2]}",
    ),
    "hover.org_life_attendance": _s(
        "%{y}<br>实到 %{customdata[0]} / 应到 %{customdata[1]}（%{x:.1%}）<br>%{customdata[2]} 次会议",
        "%{y}<br>Attended %{customdata[0]} of %{customdata[1]} (%{x:.1%})<br>%{customdata[2]} meetings",
    ),
    "axis.meetings_required": _s("应开会议（次）", "Required meetings"),
    "axis.meetings_missing": _s("缺开会议（次）", "Meetings missing"),
    "axis.attendance": _s("到会率（实到 ÷ 应到）", "Attendance (attended ÷ expected)"),
    "series.org_life_overall": _s("全部 {rate}", "All {rate}"),
    "warn.org_life_due_soon": _s(
        "{name} {period}还剩 {days} 天结束，尚未召开：{types}",
        "{name}: {period} ends in {days} days and no {types} yet",
    ),
    "warn.org_life_missing": _s(
        "{name} {periods}未召开：{types}",
        "{name}: no {types} in {periods}",
    ),
    "notify.rule.org_life_due_soon": _s("组织生活本期即将结束", "Party meeting due this period"),
    "notify.rule.org_life_missing": _s("组织生活缺项", "Party meeting missed"),
    "report.sentence.org_life": _s(
        "五、组织生活。近 12 个月 {orgs} 个党组织应开会议 {due} 次，已召开 {held} 次，达标率 {rate}"
        "（{change}）；{gaps} 个党组织有缺项；到会率 {attendance}。",
        "5. Party meetings. In the last 12 months {orgs} organisations held {held} of {due} required "
        "meetings, {rate} on rhythm ({change}); {gaps} organisations have a gap; attendance {attendance}.",
    ),
    "notify.org_life": _s("组织生活落后的党组织：{n} 个", "Organisations behind on party meetings: {n}"),
    "notify.org_life_line": _s("{name}：{periods}未召开{types}", "{name}: no {types} in {periods}"),
    "notify.org_life_more": _s("……另有 {n} 个，详见看板", "… {n} more on the dashboard"),
}


def t(key: str, lang: str = DEFAULT_LANG, **fmt: Any) -> str:
    """The catalogue string ``key`` in ``lang`` (unknown languages fall back to zh).

    An unknown key raises KeyError: a missing translation is a bug to catch in
    tests, never a raw key shown to a leader.
    """
    try:
        entry = CATALOGUE[key]
    except KeyError:
        raise KeyError(f"i18n key {key!r} is not in the catalogue") from None
    text = entry.get(lang) or entry[DEFAULT_LANG]
    if not fmt:
        return text
    text = text.format(**fmt)
    return _ONE.sub(lambda m: f"1 {_SINGULAR[m.group(1)]}", text) if lang == "en" else text


# English counts of one: "1 days overdue" reads "1 day overdue". The catalogue keeps one template
# per message; the nouns counted in it are listed here (Chinese has no plural).
_SINGULAR = {
    "update days": "update day",
    "updates": "update",
    "other units": "other unit",
    "days": "day",
    "rows": "row",
    "properties": "property",
    "activities": "activity",
    "organisations": "organisation",
    "communities": "community",
    "items": "item",
    "times": "time",
    "terms": "term",
    "passwords": "password",
    "participants": "participant",
    "columns": "column",
    "characters": "character",
    "cells": "cell",
    "bytes": "byte",
    "brands": "brand",
    "versions": "version",
    "errors": "error",
    "problems": "problem",
}
_ONE = re.compile(rf"(?<![\d.,])\b1 ({'|'.join(_SINGULAR)})\b")  # not 11, 2.1 or 1,001


def both(key: str, **fmt: Any) -> tuple[str, str]:
    """(zh, en) of ``key``: a per-viewer state keeps both, so the toggle needs no round trip.

    A value that is itself a (zh, en) pair (e.g. ``both("board.brands")`` or a
    dataset's ``(title, title_en)``) is filled in per language.
    """

    def values(index: int) -> dict[str, Any]:
        return {k: v[index] if isinstance(v, tuple) else v for k, v in fmt.items()}

    return t(key, "zh", **values(0)), t(key, "en", **values(1))


def join_both(sep_key: str, pairs: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(zh, en) pairs joined per language by the separator ``sep_key`` ('、' and ', ' for sep.list)."""
    items = list(pairs)
    zh_sep, en_sep = both(sep_key)
    return zh_sep.join(zh for zh, _ in items), en_sep.join(en for _, en in items)


def dataset_title(dataset: Titled, lang: str = DEFAULT_LANG) -> str:
    """A dataset's title in ``lang`` (both live in the contract)."""
    return dataset.title if lang == "zh" else dataset.title_en


def column_header(column: Headed, lang: str = DEFAULT_LANG) -> str:
    """A column's header in ``lang`` (both live in the contract)."""
    return column.header if lang == "zh" else column.header_en


def headers_in(columns: Iterable[Headed], headers: list[str], lang: str = DEFAULT_LANG) -> list[str]:
    """A dataset's contract (Chinese) column headers in ``lang``; other headers as they are."""
    by_header = {c.header: c for c in columns}
    return [column_header(by_header[h], lang) if h in by_header else h for h in headers]


def enum_label(enum: Labelled, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """Display label of an enumeration code: the contract's Chinese or English label."""
    if code is None or code is pd.NA:
        return MISSING
    return enum.label(code) if lang == "zh" else enum.label_en(code)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def fmt_int(value: float | None, lang: str = DEFAULT_LANG) -> str:
    """1234 -> '1,234' (both languages group by thousands)."""
    if _missing(value):
        return MISSING
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def fmt_pct(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A fraction as a percentage: 0.5 -> '50%', 2/3 -> '66.7%' (no '.0' tails).

    Never rounds to a whole that is not: 90 of 91 signed is '98.9%', and 2,711 of 2,712 is '99.9%',
    not '100%' (a leader reads 100% as done); one of 3,000 is '0.1%', not '0%'.
    """
    if _missing(value):
        return MISSING
    share = float(value) * 100  # type: ignore[arg-type]
    step = 10.0**-digits
    if 100 - step / 2 <= share < 100:
        share = 100 - step
    elif 0 < share < step / 2:
        share = step
    text = f"{share:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def fmt_pp(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """Percentage points with a sign: -5 -> '−5 个百分点' / '−5 pp'."""
    if _missing(value):
        return MISSING
    text = f"{abs(float(value)):.{digits}f}"  # type: ignore[arg-type]
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = "" if text == "0" else ("+" if float(value) > 0 else "−")  # type: ignore[arg-type]
    return f"{sign}{text} 个百分点" if lang == "zh" else f"{sign}{text} pp"


def _as_datetime(value: object) -> datetime:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]


def fmt_date(value: object, lang: str = DEFAULT_LANG) -> str:
    """'2024年5月3日' / '3 May 2024'."""
    if _missing(value):
        return MISSING
    d = _as_datetime(value)
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {d:%b} {d.year}"


def fmt_month(value: object, lang: str = DEFAULT_LANG) -> str:
    """'2024年5月' / 'May 2024'."""
    if _missing(value):
        return MISSING
    d = _as_datetime(value)
    return f"{d.year}年{d.month}月" if lang == "zh" else f"{d:%B} {d.year}"


def fmt_datetime(value: object, lang: str = DEFAULT_LANG) -> str:
    """'2024年5月3日 14:05' / '3 May 2024 14:05'; aware times shown in office time (Asia/Shanghai)."""
    if _missing(value):
        return MISSING
    d = _as_datetime(value)
    if d.tzinfo is not None:
        d = d.astimezone(DISPLAY_TZ)
    return f"{fmt_date(d, lang)} {d:%H:%M}"

# Backups (dashboard/store/backup.py).
CATALOGUE |= {
    "sep.clauses": _s("；", "; "),
    "backup.in_memory": _s("内存数据库无法备份。", "An in-memory database cannot be backed up."),
    "backup.unsupported": _s("不支持的数据库：{dialect}", "unsupported database {dialect}"),
    "backup.unreadable": _s("无法读取备份文件 {path}：{reason}", "cannot read the backup {path}: {reason}"),
    "backup.verify_failed": _s(
        "备份文件校验失败，未恢复任何内容：{problems}",
        "The backup failed its check; nothing was restored: {problems}",
    ),
    "backup.other_revision": _s(
        "备份的数据库结构版本 {revision} 与本程序的 {head} 不同：请用制作该备份的版本恢复，再升级。",
        "The backup's schema revision {revision} differs from this program's {head}: "
        "restore it with the version that made it, then upgrade.",
    ),
    "backup.not_empty": _s(
        "目标安装已有数据（账户、版本或审计记录），未恢复。确认要覆盖时加 --force。",
        "The target installation is not empty (accounts, versions or audit rows); nothing was restored. "
        "Add --force to overwrite it.",
    ),
}

# Accounts, the HTTP routes and the CLI (issue 12): what auth.py, api.py and cli.py say to people.
CATALOGUE |= {
    # accounts/auth.py
    "auth.login_failed": _s(
        "登录失败：用户名或密码不正确，或连续失败次数过多已暂时锁定，请稍后再试。",
        "Sign-in failed: wrong name or password, or too many failures (locked for a while).",
    ),
    "auth.password.too_short": _s("密码至少需要 {n} 个字符。", "A password needs at least {n} characters."),
    "auth.password.classes": _s(
        "密码须包含小写字母、大写字母、数字、符号四类中的至少三类。",
        "A password needs at least 3 of: lower-case letters, upper-case letters, digits, symbols.",
    ),
    "auth.password.has_name": _s(
        "密码不能是用户名，也不能包含用户名。", "A password may not be or contain the user name."
    ),
    "auth.password.reused": _s(
        "新密码不能与最近 {n} 次使用过的密码相同。",
        "The new password may not be one of the last {n} passwords.",
    ),
    "auth.password.wrong_current": _s("当前密码不正确。", "The current password is wrong."),
    "auth.name.invalid": _s(
        "用户名只能包含文字、数字和 . - _ @，最长 100 个字符。",
        "A user name may hold letters, digits and . - _ @ only, at most 100 characters.",
    ),
    "auth.role.unknown": _s(
        "未知角色「{role}」，可选：viewer、editor、admin、auditor。",
        "unknown role {role!r}; choose viewer, editor, admin or auditor.",
    ),
    "auth.user.exists": _s("用户「{name}」已存在。", "user {name!r} already exists."),
    "auth.user.missing": _s("没有用户「{name}」。", "no user {name!r}."),
    # api.py: what a refused request answers ({"message", "message_en"}) and the download names
    "api.refused.not_signed_in": _s("请先登录。", "Please sign in."),
    "api.refused.forbidden": _s("您的账户没有这项权限。", "Your account may not do this."),
    "api.refused.password_first": _s("请先修改密码。", "Change your password first."),
    "api.refused.no_upload": _s("找不到这次上传（可能已过期）。", "No such upload (it may have expired)."),
    "api.refused.too_large": _s(
        "文件超过 {mb} MB 上限，已拒绝，什么都没有写入。请删去多余的工作表或行后再上传。",
        "The file is larger than the {mb} MB limit and was refused; nothing was written.",
    ),
    "api.refused.no_dataset_guess": _s(
        "无法从表头判断是哪张台账，请先选择数据集。",
        "The headers match no dataset; choose the dataset first.",
    ),
    "api.refused.personal_ledger": _s(
        "这张台账含有户主姓名，只有管理员能下载可编辑的完整版；请用自己的台账文件或空白模板。",
        "This ledger holds household names: only an admin may download it to edit; use your own file.",
    ),
    "api.refused.cannot_make": _s(
        "暂时无法生成该文件，请联系管理员。", "The file cannot be made now; ask the administrator."
    ),
    "api.refused.no_dataset": _s("没有这个数据集。", "No such dataset."),
    "api.refused.cancelled": _s("上传已取消。", "The upload was cancelled."),
    "api.refused.no_template": _s("没有这个模板。", "No such template."),
    "api.refused.no_original": _s("没有这个版本的原始文件。", "No original file for this version."),
    "api.refused.no_version": _s("没有这个版本。", "No such version."),
    "api.refused.no_file": _s("没有这个文件。", "No such file."),
    "api.refused.no_rows": _s("没有这些行。", "No such rows."),
    "api.refused.no_format": _s("没有这种格式。", "No such format."),
    "api.refused.nothing_to_mark": _s(
        "这次上传没有问题，不需要标注。", "This upload has no problems to mark."
    ),
    "api.file.error_report": _s("{stem}-错误报告.{kind}", "{stem}-errors.{kind}"),
    "api.file.marked": _s("{stem}-问题标注.xlsx", "{stem}-marked.xlsx"),
    "api.file.template": _s("{title}-模板.{kind}", "{title}-template.{kind}"),
    "api.file.prefilled": _s("{title}-一表通", "{title}-editable"),
    "api.file.weekly_report": _s("党建工作周报_{day}.{kind}", "weekly-report-{day}.{kind}"),
    # dashboard/params.py: a number or day typed into a URL or a command line, refused (API 400, CLI exit 2)
    "param.bad_version": _s(
        "版本号应是 0 至 2147483647 之间的整数（半角数字）：{text}",
        "a version number is a whole number from 0 to 2147483647 in digits 0-9: {text!r}",
    ),
    "param.bad_number": _s(
        "编号应是 0 至 2147483647 之间的整数（半角数字）：{text}",
        "an id is a whole number from 0 to 2147483647 in digits 0-9: {text!r}",
    ),
    "param.bad_date": _s("日期应写成 2026-12-04：{text}", "the date must look like 2026-12-04: {text!r}"),
    "param.date_range": _s(
        "日期 {text} 不在 {first} 至 {last}（今天）之间",
        "the date {text!r} is not between {first} and {last} (today)",
    ),
    # what Starlette itself answers under /api/ (unknown address, wrong method, malformed form, a bug)
    "api.refused.not_found": _s("没有这个接口地址。", "No such address."),
    "api.refused.method": _s("这个地址不接受这种请求方式。", "This address does not take this method."),
    "api.refused.bad_request": _s("请求的格式不正确。", "The request is malformed."),
    "api.refused.internal": _s(
        "服务器内部错误，请稍后再试或联系管理员。",
        "Internal error; try again later or contact the administrator.",
    ),
    # cli.py: what `python -m dashboard ...` prints (Chinese line first, then English)
    "cli.dataset.unknown": _s(
        "未知的数据集「{name}」，可选：{choices}", "unknown dataset {name!r}; choose one of: {choices}"
    ),
    "cli.wrote": _s("已写入 {target}", "wrote {target}"),
    "cli.bytes": _s("（{size} 字节）", " ({size} bytes)"),
    "cli.result.errors": _s("错误 {n} 处", "{n} error(s):"),
    "cli.result.warnings": _s("提醒 {n} 条", "{n} warning(s):"),
    "cli.result.counts": _s(
        "{rows} 行：新增 {added}，修改 {changed}，删除 {removed}，跳过 {skipped}；提醒 {warnings} 条",
        "{rows} rows: added {added}, changed {changed}, removed {removed}, skipped {skipped}; "
        "{warnings} warning(s)",
    ),
    "cli.result.rejected": _s(
        "未导入 {dataset}：有 {n} 处错误，什么都没有写入。请改正后重新上传。",
        "rejected {dataset}: {n} error(s), nothing was written. Fix them and upload again.",
    ),
    "cli.result.dry_run": _s(
        "试运行 {dataset}：可以导入，未写入。{counts}",
        "dry run {dataset}: would be accepted, nothing written. {counts}",
    ),
    "cli.result.accepted": _s(
        "已导入 {dataset}，版本 {version}。{counts}", "accepted {dataset} as version {version}. {counts}"
    ),
    "cli.import.marked_not_xlsx": _s(
        "--marked 写的是 Excel 工作簿，文件名请以 .xlsx 结尾（{path}）。",
        "--marked writes a workbook: its name must end in .xlsx ({path}).",
    ),
    "cli.import.unreadable": _s("无法读取文件 {path}：{reason}", "cannot read {path}: {reason}"),
    "cli.import.wrote_marked": _s("已写入标出问题的文件 {path}", "wrote the marked workbook {path}"),
    "cli.format.disagree": _s(
        "文件名 {target} 是 .{ext}，但 --format 是 {fmt}：请让两者一致（或去掉 --format）。",
        "{target} is a .{ext} name but --format is {fmt}: make them agree (or drop --format).",
    ),
    "cli.format.unknown": _s(
        "无法从文件名 {target} 判断格式：请用 .csv 或 .xlsx 结尾，或加上 --format csv|xlsx。",
        "cannot tell the format from {target}: end it with .csv or .xlsx, or add --format csv|xlsx.",
    ),
    "cli.word.none": _s("无", "none"),
    "cli.version.missing": _s(
        "{name} 没有版本 {version}（现有：{have}）", "{name} has no version {version} (existing: {have})"
    ),
    "cli.template.prefilled_xlsx_only": _s(
        "--prefilled 只能生成 .xlsx（带下拉列表和填表说明）。", "--prefilled writes .xlsx only."
    ),
    "cli.col.dataset": _s("数据集", "dataset"),
    "cli.col.version": _s("版本", "version"),
    "cli.col.time": _s("时间", "time"),
    "cli.col.user": _s("用户", "user"),
    "cli.col.file": _s("文件", "file"),
    "cli.col.rows": _s("行数", "rows"),
    "cli.col.counts": _s("+新增 ~修改 -删除 =跳过", "+added ~changed -removed =skipped"),
    "cli.col.mode": _s("方式", "mode"),
    "cli.col.restored_from": _s("恢复自", "restored from"),
    "cli.history.empty": _s("还没有任何版本", "no versions yet"),
    "cli.rollback.done": _s(
        "已将 {name} 恢复为版本 {version} 的内容，新版本 {new}（{rows} 行）",
        "restored {name} to the content of version {version} as new version {new} ({rows} rows)",
    ),
    "cli.demo.not_empty": _s(
        "数据库已有数据，未加载示例数据", "the database already has data; demo not loaded"
    ),
    "cli.word.demo": _s("示例数据", "demo"),
    "cli.word.rows": _s("行", "rows"),
    "cli.demo.accounts": _s("演示账户", "demo accounts"),
    "cli.demo.only": _s("仅用于演示", "demo only"),
    "cli.demo.kept_in": _s("也保存在", "also kept in"),
    "cli.word.password": _s("密码", "password"),
    "cli.password.again": _s("再输入一次", "again"),
    "cli.password.differ": _s("两次输入的密码不一致", "the two passwords differ"),
    "cli.users.added": _s("已添加用户 {name}（{role}）", "added {name} ({role})"),
    "cli.users.disabled": _s("停用", "disabled"),
    "cli.users.active": _s("正常", "active"),
    "cli.users.col.user": _s("用户", "user"),
    "cli.users.col.role": _s("角色", "role"),
    "cli.users.col.status": _s("状态", "status"),
    "cli.users.col.created": _s("创建", "created"),
    "cli.users.none": _s("还没有用户", "no users yet"),
    "cli.users.disable": _s("已停用 {name}，其登录已全部失效", "disabled {name}; its sessions ended"),
    "cli.users.enable": _s("已启用 {name}", "enabled {name}"),
    "cli.users.passwd": _s(
        "已修改 {name} 的密码，其登录已全部失效", "password of {name} changed; sessions ended"
    ),
    "cli.backup.verify_failed": _s("备份校验失败 {path}", "the backup failed its check: {path}"),
    "cli.backup.intact": _s(
        "备份完好：{parts} 个部分，SHA-256 全部一致（{backend}，结构版本 {revision}，{created}）",
        "backup intact: {parts} part(s), every SHA-256 matches ({backend}, revision {revision}, {created})",
    ),
    "cli.backup.no_output": _s(
        "请用 -o FILE 指定备份文件，或用 --verify FILE 校验",
        "use -o FILE, or --verify FILE",
    ),
    "cli.backup.done": _s(
        "已备份到 {path}：{rows} 行，{parts} 个部分", "backed up to {path}: {rows} rows in {parts} part(s)"
    ),
    "cli.restore.done": _s(
        "已从 {path} 恢复 {rows} 行及数据目录",
        "restored {rows} rows and the data directory from {path}",
    ),
    "cli.restore.audit_kept": _s(
        "被替换的审计记录已保存在 {path}",
        "the audit rows it replaced are kept in {path}",
    ),
    "cli.audit.intact": _s(
        "审计链完整：已核对 {checked} 条记录，链尾 {head}",
        "audit chain intact: {checked} row(s) checked, head {head}",
    ),
    "cli.audit.broken": _s(
        "审计链断裂：第一条不符的记录 id={id}（{when}，{action}）：{reason}；此前 {checked} 条完好。",
        "audit chain BROKEN at row id={id} ({when}, {action}): "
        "{reason}; {checked} row(s) before it are intact.",
    ),
    "cli.migrate.done": _s("数据库已是最新结构", "database schema is up to date"),
    "cli.notify.webhook_kind": _s(
        "DASHBOARD_WEBHOOKS 中的条目种类不对（应为 wecom、dingtalk、feishu 或 json）：{entry}",
        "DASHBOARD_WEBHOOKS entry has an unknown kind (use wecom, dingtalk, feishu or json): {entry}",
    ),
    "cli.notify.webhook_url": _s(
        "DASHBOARD_WEBHOOKS 中的地址不是 http(s)：{entry}",
        "DASHBOARD_WEBHOOKS address is not http(s): {entry}",
    ),
    "cli.notify.email_incomplete": _s(
        "邮件需要同时设置 DASHBOARD_SMTP_URL 和 DASHBOARD_DIGEST_EMAIL：{entry}",
        "email needs both DASHBOARD_SMTP_URL and DASHBOARD_DIGEST_EMAIL: {entry}",
    ),
    "cli.notify.smtp_url": _s(
        "DASHBOARD_SMTP_URL 应以 smtp:// 或 smtps:// 开头：{entry}",
        "DASHBOARD_SMTP_URL must start with smtp:// or smtps://: {entry}",
    ),
    "cli.notify.webhook_port": _s(
        "DASHBOARD_WEBHOOKS 中这个渠道的地址端口无效（应为 1–65535 之间的数字，或不写）：{entry}",
        "DASHBOARD_WEBHOOKS: this channel's address has an invalid port (a number from 1 to 65535, "
        "or none): {entry}",
    ),
    "cli.notify.smtp_port": _s(
        "DASHBOARD_SMTP_URL 的端口无效（应为 1–65535 之间的数字，或不写）：{entry}",
        "DASHBOARD_SMTP_URL has an invalid port (a number from 1 to 65535, or none): {entry}",
    ),
    "cli.digest.no_channel": _s(
        "没有配置任何渠道：请设置 DASHBOARD_WEBHOOKS 或 DASHBOARD_SMTP_URL + DASHBOARD_DIGEST_EMAIL，"
        "或由管理员在 /notify 页面添加。",
        "no channel configured: set DASHBOARD_WEBHOOKS, or DASHBOARD_SMTP_URL and "
        "DASHBOARD_DIGEST_EMAIL, or add one on /notify.",
    ),
    "cli.digest.sent": _s("已发送", "sent"),
    "cli.digest.failed": _s("发送失败", "failed"),
    "cli.digest.refused": _s(
        "被平台拒收，不再重试（改正地址、密钥或关键词后再发）",
        "refused by the platform, not retried (fix the address, secret or keywords, then send again)",
    ),
    "cli.digest.maybe_delivered": _s(
        "可能已送达，不再自动重发：请到群里确认，缺了再用 --force 重发",
        "may have arrived, not resent automatically: check the group; --force sends it again",
    ),
    "cli.digest.already_sent": _s(
        "今天已发送过（--force 可重发）",
        "already sent today (--force sends again)",
    ),
    "cli.digest.busy": _s("另一进程正在发送", "another worker is sending it"),
    "cli.report.bad_date": _s(
        "日期应写成 2026-12-04：{text}",
        "the date must look like 2026-12-04: {text!r}",
    ),
    "cli.report.failed": _s("无法生成 {fmt}（详见 {log}）", "could not build the {fmt} (details in {log})"),
    "cli.report.no_charts": _s(
        "本机没有图表渲染器，文档只含表格",
        "no chart renderer here: the document has the tables only",
    ),
    "cli.report.pdf_engine": _s("PDF 由 {engine} 生成", "PDF made by {engine}"),
    "cli.internal_error": _s(
        "内部错误：检查「{rule}」出错，什么都没有写入。请把 {log} 发给维护人员。",
        "internal error in check {rule}, nothing was written; please report it (details in {log}).",
    ),
    # notify/messages.py: a section heading in the plain-text digest
    "notify.heading": _s("【{text}】", "[{text}]"),
}


# The last literal pairs of state/, components/ and pages/ (issue 12): punctuation and names that
# differ by language.
CATALOGUE |= {
    "lang.self": _s("中文", "English"),  # each language's own name (the toggle names the other one)
    "sep.comma": _s("，", ", "),  # between the clauses of one fact
    "staff.upload.read.sheet": _s("「{sheet}」", "'{sheet}'"),  # a sheet named in a list of sheets
    "app.in_parens": _s("（{text}）", " ({text})"),  # a remark after a sentence (since when)
}


# --- the 督办 board (/tasks, issue 10): its titles, KPIs, charts, overdue list, warnings, report, digest
CATALOGUE |= {
    "board.tasks": _s("督办", "Follow-ups"),
    "app.page.tasks": _s("督办事项", "Follow-up items"),
    "kpi.tasks_open": _s("未办结事项", "Open items"),
    "kpi.tasks_open.formula": _s(
        "办理状态为待办或办理中的事项 {count}（全部事项 {total}）",
        "Items open or in progress {count} (of all {total} items)",
    ),
    "kpi.tasks_overdue": _s("超期事项", "Overdue items"),
    "kpi.tasks_overdue.formula": _s(
        "未办结且办理时限早于今天的事项 {count}（未办结 {total}）",
        "Open items whose deadline is before today {count} (of {total} open)",
    ),
    "kpi.tasks_on_time_rate": _s("按时办结率", "Closed on time"),
    "kpi.tasks_on_time_rate.formula": _s(
        "在办理时限当天或之前办结的事项 {count} ÷ 已办结事项 {total}",
        "Items closed on or before their deadline {count} ÷ closed items {total}",
    ),
    "kpi.tasks_same_day_rate": _s("当日办结率", "Closed the same day"),
    "kpi.tasks_same_day_rate.formula": _s(
        "提出当天即办结的事项 {count} ÷ 事项 {total}"
        "（今天提出、尚未办结的还有今天，不计入；日事日毕、日清日结）",
        "Items closed the day they were raised {count} ÷ items {total} "
        "(those raised today and still open have the rest of the day: not counted)",
    ),
    "chart.tasks_by_domain": _s("各领域未办结事项", "Open items by domain"),
    "chart.tasks_by_unit": _s("各责任单位未办结事项", "Open items by responsible unit"),
    "chart.tasks_flow": _s(
        "每周提出与办结（及未办结存量）", "Raised and closed per week, with the open backlog"
    ),
    "chart.tasks_ages": _s("未办结事项已历时", "Ages of open items"),
    "axis.tasks": _s("事项数", "Items"),
    "series.tasks_overdue": _s("超期", "Overdue"),
    "series.tasks_in_time": _s("未超期", "Within deadline"),
    "series.tasks_raised": _s("提出", "Raised"),
    "series.tasks_closed": _s("办结", "Closed"),
    "series.tasks_backlog": _s("未办结存量（周末）", "Open at the week's end"),
    "series.tasks_no_unit": _s("未填单位", "No unit given"),
    "series.tasks_other_units": _s("其他 {n} 个单位", "{n} other units"),
    "tasks.age_range": _s("{lo}–{hi} 天", "{lo}–{hi} days"),
    "tasks.age_from": _s("{lo} 天以上", "{lo}+ days"),
    "axis.tasks_age": _s("提出至今（天）", "Days since raised"),
    "hover.tasks_open": _s(
        "%{customdata[0]}<br>%{fullData.name}：%{customdata[1]} 项",
        "%{customdata[0]}<br>%{fullData.name}: %{customdata[1]} items",
    ),
    "hover.tasks_week": _s(
        "%{x|%Y年%-m月%-d日}起一周<br>%{fullData.name} %{y} 项",
        "Week of %{x|%d %b %Y}<br>%{fullData.name}: %{y}",
    ),
    "app.section.tasks_overdue": _s("超期事项（超期最久的在前）", "Overdue items (longest overdue first)"),
    "app.tasks.days_overdue": _s("超期", "Overdue"),
    "app.section.tasks_recent": _s("最近提出的事项", "Latest items raised"),
    "app.tasks.days_over": _s("超期 {days} 天", "{days} days overdue"),
    "app.tasks.no_overdue": _s("没有超期事项", "No overdue items"),
    "app.section.dispatch_tasks": _s("调度会与督办事项", "Dispatch meetings and their follow-ups"),
    "app.dispatch.tasks_n": _s("督办 {n} 项", "{n} follow-ups"),
    "app.dispatch.none": _s("无督办事项", "No follow-ups"),
    "app.filter.domain": _s("领域", "Domain"),
    "app.filter.unit": _s("责任单位", "Responsible unit"),
    "app.filter.source": _s("来源", "Source"),
    "app.filter.type_unit": _s("输入责任单位", "Type a unit"),
    "warn.task_overdue": _s(
        "督办事项“{name}”办理时限 {date}，已超期 {days} 天",
        "Follow-up {name} was due {date}; {days} days overdue",
    ),
    "warn.task_due_soon": _s(
        "督办事项“{name}”将于 {date} 到期，剩 {days} 天",
        "Follow-up {name} is due {date}, in {days} days",
    ),
    "warn.task_same_day_rate_low": _s(
        "近 {window} 天提出的督办事项当日办结率 {rate}（{count} / {total}），低于 {threshold}",
        "Items raised in the last {window} days closed the same day: {rate} ({count} of {total}), "
        "below {threshold}",
    ),
    # a count of 0 days left reads "today" (board.warnings.reason picks "<key>.today" when days is 0)
    "warn.task_due_soon.today": _s(
        "督办事项“{name}”今天（{date}）到期", "Follow-up {name} is due today ({date})"
    ),
    "warn.org_life_due_soon.today": _s(
        "{name} {period}今天结束，尚未召开：{types}", "{name}: {period} ends today and no {types} yet"
    ),
    "warn.term_expiring.today": _s(
        "{name} 任期于今天（{date}）届满，请抓紧换届",
        "{name}: term ends today ({date}); hold the re-election",
    ),
    "days_left.today": _s("今天届满", "ends today"),
    "notify.term_line.today": _s("{name}：今天（{date}）届满", "{name}: term ends today ({date})"),
    "notify.same_day_rate": _s(
        "近 {window} 天提出的事项当日办结 {rate}（{count} / {total}）",
        "{rate} of the items raised in the last {window} days ({count} of {total})",
    ),
    "notify.folded.org_life_due_soon": _s(
        "{n} 个党组织本期规定会议尚未召开", "{n} organisations have not yet held this period's meetings"
    ),
    "notify.rule.task_overdue": _s("督办事项超期", "Follow-up overdue"),
    "notify.rule.task_due_soon": _s("督办事项即将到期", "Follow-up due soon"),
    "notify.rule.task_same_day_rate_low": _s("当日办结率偏低", "Few items closed the same day"),
    "report.sentence.tasks": _s(
        "四、督办事项。共 {total} 项，未办结 {open} 项，其中超期 {overdue} 项；"
        "按时办结率 {on_time}，当日办结率 {same_day}。",
        "4. Follow-up items. {open} of {total} items open, {overdue} of them overdue; "
        "closed on time {on_time}, closed the same day {same_day}.",
    ),
    "notify.overdue_tasks": _s("超期督办事项：{n} 项", "Overdue follow-up items: {n}"),
    "notify.overdue_task_line": _s(
        "{tag} · {name} · {owner} · {unit} · 超期 {days} 天",
        "{tag} · {name} · {owner} · {unit} · {days} days overdue",
    ),
    "notify.overdue_tasks_more": _s("另有 {n} 项，详见看板", "{n} more on the dashboard"),
}


# --- scoped accounts (issue 15): the upload's scope checks, the scope's words on /users and in the CLI
CATALOGUE |= {
    "check.scope.outside": _s(
        "{column}「{value}」不在您的填报范围：请删去这一行，或交由负责它的账户上传。",
        "{column} '{value}' is outside your reporting scope: remove the row, or leave it to the "
        "account that reports it.",
    ),
    "check.scope.dataset": _s(
        "「{dataset}」不在您的填报范围（{scope}）：请交由街道工作人员上传。",
        "{dataset} is outside your reporting scope ({scope}): leave it to the office staff.",
    ),
    "check.scope.key_outside": _s(
        "{column}「{value}」已登记在其他填报范围内，您的账户不能修改它。",
        "{column} '{value}' belongs to another reporting scope; your account cannot change it.",
    ),
    "audit.action.user_scope": _s("修改范围", "Scope changed"),
    "audit.action.round_open": _s("发起填报任务", "Round opened"),
    "audit.action.round_close": _s("关闭填报任务", "Round closed"),
    "scope.kind.community": _s("社区", "community"),
    "scope.kind.organisation": _s("组织", "organisation"),
    "scope.kind.party_group": _s("党小组", "party group"),
    "scope.whole": _s("全街道", "whole sub-district"),
    "scope.text": _s("{kind}：{values}", "{kind}: {values}"),
    "scope.label": _s("填报/查看范围", "Scope"),
    "scope.hint": _s(
        "空＝全街道；community=社区A,社区B · organisation=ORG-001 · party_group=1,2",
        "empty = whole sub-district; community=A,B · organisation=ORG-001 · party_group=1,2",
    ),
    "scope.save": _s("保存范围", "Save scope"),
    "scope.saved": _s("已保存 {name} 的范围：{scope}", "Scope of {name} saved: {scope}"),
    "cli.users.col.scope": _s("范围", "scope"),
    "cli.users.scope": _s("{name} 的范围：{scope}", "scope of {name}: {scope}"),
    "auth.scope.invalid": _s(
        "范围写法不对：「{text}」。应写成 community=社区A,社区B、organisation=ORG-001 或 party_group=1,2。",
        "Scope not understood: '{text}'. Write community=A,B, organisation=ORG-001 or party_group=1,2.",
    ),
    "auth.scope.unknown": _s(
        "当前台账中没有这个{kind}：{values}。请按台账中的写法填写（或先上传台账），范围未保存。",
        "No {kind} {values} in the current ledgers. Write it as the ledger does (or upload the ledger "
        "first); the scope was not saved.",
    ),
    "auth.scope.unchecked": _s(
        "台账中还没有任何{kind}，无法核对范围，已按所填保存；台账上传后请再核对。",
        "The ledgers hold no {kind} yet, so the scope could not be checked; saved as written. "
        "Check it once the ledger is uploaded.",
    ),
    "auth.scope.role": _s(
        "只有领导（viewer）和工作人员（editor）账户可以设定范围。",
        "Only viewer and editor accounts can have a scope.",
    ),
    "api.refused.scoped": _s(
        "您的账户只能查看其范围内的数据，这项内容是全街道的。",
        "Your account sees its scope only; this is office-wide.",
    ),
}


# --- reporting rounds (填报任务, issue 15): /rounds, the /upload panel, the CLI, the warning
CATALOGUE |= {
    "rounds.title": _s("填报任务", "Reporting rounds"),
    "nav.rounds": _s("填报任务", "Rounds"),
    "rounds.open": _s("进行中", "open"),
    "rounds.closed": _s("已关闭", "closed"),
    "rounds.deadline": _s("截止", "deadline"),
    "rounds.state.reported": _s("已报", "reported"),
    "rounds.state.late": _s("逾期已报", "reported late"),
    "rounds.state.overdue": _s("逾期未报", "overdue"),
    "rounds.state.pending": _s("未报", "not yet"),
    "rounds.col.scope": _s("范围", "scope"),
    "rounds.col.state": _s("状态", "state"),
    "rounds.col.at": _s("上报时间", "reported at"),
    "rounds.col.by": _s("上报人", "by"),
    "rounds.col.version": _s("版本", "version"),
    "rounds.progress": _s(
        "已报 {reported} · 逾期已报 {late} · 逾期未报 {overdue} · 未报 {pending}",
        "reported {reported} · late {late} · overdue {overdue} · not yet {pending}",
    ),
    "rounds.new": _s("发起填报任务", "Open a round"),
    "rounds.dataset": _s("台账", "Ledger"),
    "rounds.scopes_hint": _s(
        "要求上报的范围，如 community=示例社区A,示例社区B", "Scopes asked, e.g. community=A,B"
    ),
    "rounds.note_hint": _s(
        "说明，如：11月品牌活动，请于30日前上报", "Note, e.g. November activities by the 30th"
    ),
    "rounds.open_button": _s("发起", "Open"),
    "rounds.close_button": _s("关闭任务", "Close round"),
    "rounds.opened": _s("已发起填报任务 #{id}", "Round #{id} opened"),
    "rounds.closed_msg": _s("已关闭填报任务 #{id}（记录保留）", "Round #{id} closed (its record is kept)"),
    "rounds.none": _s("还没有填报任务", "No reporting rounds yet"),
    "rounds.mine": _s("待我上报", "Asked of you"),
    "rounds.mine_item": _s(
        "{dataset}：截止 {deadline}（{state}）{note}", "{dataset}: due {deadline} ({state}) {note}"
    ),
    "rounds.admin_only": _s("只有管理员可以发起或关闭填报任务。", "Only an admin opens or closes rounds."),
    "rounds.error.dataset": _s("没有这个台账：{dataset}", "no such ledger: {dataset}"),
    "rounds.error.no_scope": _s("请至少写一个要求上报的范围。", "Name at least one scope to ask."),
    "rounds.error.scope": _s(
        "范围写法不对：「{text}」（应写成 community=社区A 等）。",
        "Scope not understood: '{text}' (write community=A etc.).",
    ),
    "rounds.error.not_covered": _s(
        "范围 {scope} 不能上报「{dataset}」。", "Scope {scope} cannot report {dataset}."
    ),
    "rounds.error.unknown_scope": _s(
        "当前台账中没有：{values}。请按台账中的写法填写，填报任务未发起。",
        "The current ledgers name no {values}. Write it as the ledger does; the round was not opened.",
    ),
    "rounds.error.missing": _s("没有编号为 {id} 的填报任务。", "No round #{id}."),
    "rounds.error.closed": _s("填报任务 #{id} 已经关闭。", "Round #{id} is already closed."),
    "rounds.error.deadline": _s("截止日期应写成 2026-11-30。", "The deadline must look like 2026-11-30."),
    "notify.rule.round_overdue": _s("填报任务逾期未报", "Reporting round overdue"),
    "cli.rounds.none": _s("还没有填报任务", "no reporting rounds yet"),
    "cli.rounds.opened": _s("已发起填报任务 #{id}", "opened round #{id}"),
    "cli.rounds.closed": _s("已关闭填报任务 #{id}", "closed round #{id}"),
    "warn.round_overdue": _s(
        "填报任务 #{round}「{dataset}」已过截止日 {deadline}，{n} 个范围未上报：{scopes}",
        "Round #{round} ({dataset}) passed its deadline {deadline}; {n} scope(s) have not reported: {scopes}",
    ),
}


# diffprop: what each version changed (/history/<dataset>/<version>, `diff`) and the property page
# (/property/<id>, 一户一档).
CATALOGUE |= {
    "cli.diff.summary": _s(
        "{name} 版本 {old} → {new}：新增 {added} 行，删除 {removed} 行，修改 {changed} 行",
        "{name} version {old} → {new}: {added} added, {removed} removed, {changed} changed",
    ),
    "version.title": _s("版本变更", "Version changes"),
    "version.heading": _s("{title} · 版本 {version}", "{title} · version {version}"),
    "version.heading_compare": _s("{title} · 版本 {old} → {new}", "{title} · versions {old} → {new}"),
    "version.summary": _s(
        "新增 {added} 行，删除 {removed} 行，修改 {changed} 行",
        "{added} added, {removed} removed, {changed} changed",
    ),
    "version.more": _s("另有 {n} 条", "{n} more"),
    "staff.upload.preview": _s("确认后将变更的内容", "What confirming will change"),
    "staff.upload.sample": _s("文件的前几行（保存后的样子）", "The first rows, as stored"),
    "staff.upload.preview_more": _s(
        "另有 {n} 行未列出，确认后在该版本页面可查看全部",
        "{n} more rows not listed: the version's page lists them all",
    ),
    "version.restored": _s("恢复", "Restore"),
    "version.note": _s("更新说明", "Update note"),
    "version.note_hint": _s(
        "更新说明（选填）：这次更新了什么", "Update note (optional): what this upload changes"
    ),
    "version.corrections": _s("页面更正", "Corrected on the page"),
    "version.added": _s("新增的行", "Rows added"),
    "version.removed": _s("删除的行", "Rows removed"),
    "version.changed": _s("修改的内容", "Cells changed"),
    "version.col.column": _s("列", "Column"),
    "version.col.old": _s("原值", "Was"),
    "version.col.new": _s("新值", "Now"),
    "version.col.change": _s("变更", "Change"),
    "version.col.columns": _s("变更列", "Changed columns"),
    "version.change.added": _s("新增", "added"),
    "version.change.removed": _s("删除", "removed"),
    "version.change.before": _s("修改前", "before"),
    "version.change.after": _s("修改后", "after"),
    "version.download": _s("下载全部变更：", "Download every change:"),
    "version.not_found": _s("没有这个版本。", "There is no such version."),
    "version.nothing": _s("两个版本内容相同。", "The two versions hold the same rows."),
    "version.previous": _s("上一版本", "Previous version"),
    "version.next": _s("下一版本", "Next version"),
    "version.vs_latest": _s("与最新版本比较", "Compare with the latest"),
    "version.compare_with": _s("与另一版本比较…", "Compare with another version…"),
    "version.yes": _s("是", "yes"),
    "version.no": _s("否", "no"),
    "version.back": _s("返回版本历史", "Back to the history"),
    "property.title": _s("一户一档", "Property file"),
    "property.heading": _s("{pid} · 一户一档", "{pid} · property file"),
    "property.current": _s("当前信息", "Current record"),
    "property.gone": _s("该房产已不在当前台账中。", "This property is no longer in the current ledger."),
    "property.not_found": _s("台账中没有房产 {pid}。", "No property {pid} in the ledger."),
    "property.timeline": _s("状态变化", "Timeline"),
    "property.col.change": _s("变化", "What changed"),
    "property.first": _s("首次录入：{status}", "First recorded: {status}"),
    "property.again": _s("重新录入：{status}", "Recorded again: {status}"),
    "property.change": _s("{column}：{old} → {new}", "{column}: {old} → {new}"),
    "property.same": _s("无变化", "no change"),
    "property.removed": _s("从台账中删除", "removed from the ledger"),
    "property.key_household": _s("重点户", "Key household"),
    "property.back": _s("返回战果图", "Back to the demolition board"),
}


# reliability (issue 17): a board tab whose session ended while it was open
CATALOGUE |= {
    "app.signed_out": _s(
        "登录已失效（长时间未操作、已退出或账号已停用），看板不再更新。请重新登录。",
        "Your session has ended (idle too long, signed out or account disabled); the board no longer "
        "updates. Please sign in again.",
    ),
    "app.sign_in_again": _s("重新登录", "Sign in again"),
    "staff.upload.unavailable": _s(
        "数据库暂时无法写入（正在重启、无法连接或磁盘已满），这次上传没有保存，什么都没有写入。请稍后再点确认。",
        "The database cannot be written right now (restarting, unreachable or disk full): this upload "
        "was not saved and nothing was written. Please confirm again later.",
    ),
    "cli.unavailable": _s(
        "数据库或磁盘暂时无法写入，什么都没有写入；请稍后重试（原因：{reason}）",
        "the database or the disk cannot be written right now, nothing was written; try again later "
        "(reason: {reason})",
    ),
}


# accounts and operations, found by an admin's probe: look-alike names, the last admin, locked password
# changes, settings and database addresses that cannot be used
CATALOGUE |= {
    "auth.user.look_alike": _s(
        "用户名「{name}」与已有用户「{other}」只差大小写或全角半角，容易混淆，请换一个名字。",
        "user name {name!r} differs from the existing {other!r} only by case or full/half width; choose "
        "another name.",
    ),
    "auth.user.last_admin": _s(
        "「{name}」是最后一个可用的管理员，不能停用或改为其他角色：请先添加或启用另一个管理员。",
        "{name!r} is the last active admin and cannot be disabled or given another role: add or enable "
        "another admin first.",
    ),
    "auth.password.locked": _s(
        "当前密码连续输错次数过多，账户已锁定 {minutes} 分钟，请稍后再试。",
        "Too many wrong current passwords: the account is locked for {minutes} minutes; try again later.",
    ),
    "password.error.locked": _s(
        "当前密码连续输错次数过多，账户已暂时锁定，请 15 分钟后再试。",
        "Too many wrong current passwords: the account is locked; try again in 15 minutes.",
    ),
    "db_url.unparsable": _s(
        "DASHBOARD_DB_URL「{url}」不是数据库地址。请写成 sqlite:////绝对路径/dashboard.db 或 {example}。",
        "DASHBOARD_DB_URL {url!r} is no database address: write sqlite:////absolute/path/dashboard.db "
        "or {example}.",
    ),
    "db_url.pg_driver": _s(
        "DASHBOARD_DB_URL 用了驱动「{driver}」，本系统只带 psycopg 3：请改成 {fixed}",
        "DASHBOARD_DB_URL uses the driver {driver!r}; this product ships psycopg 3: write {fixed}",
    ),
    "db_url.unsupported": _s(
        "DASHBOARD_DB_URL 的数据库「{driver}」不受支持：只支持 SQLite 和 PostgreSQL（{example}）。",
        "DASHBOARD_DB_URL names {driver!r}, which is not supported: only SQLite and PostgreSQL ({example}).",
    ),
    "db_url.sqlite_folder": _s(
        "无法创建 SQLite 数据库所在的目录 {folder}（{reason}）：请把 DASHBOARD_DATA_DIR 或 DASHBOARD_DB_URL "
        "指向运行服务的用户可写的位置。",
        "cannot create the folder {folder} of the SQLite database ({reason}): point DASHBOARD_DATA_DIR or "
        "DASHBOARD_DB_URL to a place the service's user can write.",
    ),
    "doctor.db.url.fix": _s(
        "在 dashboard.env（或环境变量）中改正 DASHBOARD_DB_URL，参见 README 的配置表",
        "correct DASHBOARD_DB_URL in dashboard.env (or the environment); see the README's settings table",
    ),
    "settings.invalid": _s(
        "设置 {name}={value!r} 无法使用：{expect}；现按 {default} 运行。",
        "setting {name}={value!r} cannot be used: {expect}; running with {default} instead.",
    ),
    "settings.expect.DASHBOARD_UPLOAD_MAX_MB": _s(
        "应为大于 0 的 MB 数，例如 20", "a number of MB above 0, e.g. 20"
    ),
    "settings.expect.DASHBOARD_DIGEST_AT": _s(
        "应为办公时间 时:分（00:00–23:59），例如 08:30", "an office time HH:MM (00:00–23:59), e.g. 08:30"
    ),
    "settings.expect.DASHBOARD_BACKUP_AT": _s(
        "应为办公时间 时:分（00:00–23:59），例如 02:00", "an office time HH:MM (00:00–23:59), e.g. 02:00"
    ),
    "settings.expect.DASHBOARD_DIGEST_LANG": _s("应为 zh 或 en", "zh or en"),
    "settings.expect.DASHBOARD_REPORT_WEEKDAY": _s(
        "应为 1（周一）到 7（周日）", "1 (Monday) to 7 (Sunday)"
    ),
    "settings.expect.DASHBOARD_PUBLIC_URL": _s(
        "应以 http:// 或 https:// 开头，例如 https://dangjian.example.gov.cn",
        "an address starting with http:// or https://, e.g. https://dangjian.example.gov.cn",
    ),
    "settings.expect.DASHBOARD_PASSWORD_MAX_DAYS": _s("应为 0 或正整数（天）", "0 or a whole number of days"),
    "settings.expect.DASHBOARD_AUDIT_KEEP_DAYS": _s(
        "应为整数天数（不少于 180）", "a whole number of days (at least 180)"
    ),
    "settings.expect.DASHBOARD_BACKUP_KEEP": _s(
        "应为 0（不做每日备份）或正整数", "0 (no daily backup) or a whole number"
    ),
    "settings.fix": _s(
        "在 dashboard.env（或环境变量）中改正 {names}，参见 README 的配置表",
        "correct {names} in dashboard.env (or the environment); see the README's settings table",
    ),
    "doctor.settings.ok": _s("各项设置均可使用", "every setting can be used"),
    "settings.default.off": _s("不设置（服务器不自动发送）", "unset (the server sends nothing by itself)"),
    "cli.audit.bad_day": _s(
        "{option} 的「{text}」不是日期，请写成 YYYY-MM-DD（办公日），例如 2026-12-01",
        "{option} {text!r} is no date: write an office day YYYY-MM-DD, e.g. 2026-12-01",
    ),
    "backup.inside_data_dir": _s(
        "备份不能写在数据目录 {data_dir} 里（{path}）：之后的每个备份都会把它再装进去，"
        "恢复时也会把它当数据放回。请写到数据目录之外，最好是另一块磁盘。",
        "a backup cannot be written inside the data directory {data_dir} ({path}): every later backup would "
        "carry it again and a restore would put it back as data. Write it outside, best on another disk.",
    ),
    "audit.action.audit_export": _s("导出审计日志", "Audit log exported"),
    "audit.export.note": _s(
        "下表显示最近 1000 条。导出 CSV 可得到全部记录，或按办公日期、用户、事件（如 login、user_add）筛选。",
        "The table shows the newest 1000 rows. Export CSV for every row, or those of some office days, "
        "a user or an event (e.g. login, user_add).",
    ),
    "audit.export.from": _s("起始日期", "From"),
    "audit.export.to": _s("截止日期", "To"),
    "audit.export.action": _s("事件代码", "Event code"),
    "audit.export.csv": _s("导出 CSV", "Export CSV"),
    "doctor.backup.ok": _s(
        "最新的每日备份：{day}（{path}/{name}）", "the newest daily backup: {day} ({path}/{name})"
    ),
    "doctor.backup.off": _s(
        "每日备份已关闭（DASHBOARD_BACKUP_KEEP=0）", "the daily backup is off (DASHBOARD_BACKUP_KEEP=0)"
    ),
    "doctor.backup.off.fix": _s(
        "设置 DASHBOARD_BACKUP_KEEP=7（保留 7 份），或确认另有备份（dashboard backup -o …）",
        "set DASHBOARD_BACKUP_KEEP=7 (keeps 7), or make sure backups are made otherwise "
        "(dashboard backup -o …)",
    ),
    "doctor.backup.unwritable": _s(
        "每日备份目录 {path} 无法写入：服务器的每日备份会一直失败",
        "the daily backup folder {path} cannot be written: every daily backup of the server will fail",
    ),
    "doctor.backup.none": _s(
        "{path} 里还没有每日备份：新安装，服务器每天 {at} 之后做一次",
        "no daily backup in {path} yet: a new installation; the server makes one each day after {at}",
    ),
    "doctor.backup.stale": _s(
        "最新的每日备份是 {day} 的（{path}）：服务器的每日备份在失败，或服务器没有运行",
        "the newest daily backup is of {day} ({path}): the server's daily backups are failing, or it is not "
        "running",
    ),
    "doctor.backup.never": _s(
        "{path} 里没有任何每日备份，而本安装自 {day} 起就在运行：服务器的每日备份在失败，或服务器没有运行",
        "no daily backup at all in {path}, though this installation runs since {day}: the server's daily "
        "backups are failing, or it is not running",
    ),
    "doctor.backup.stale.fix": _s(
        "查看服务日志中的 daily backup failed（journalctl -u dashboard），检查 {path} 的权限和磁盘空间",
        "look for 'daily backup failed' in the service log (journalctl -u dashboard); check the permissions "
        "and free space of {path}",
    ),
}
