"""Write the demo ledgers (dashboard/demo/ledgers/*.csv): ``python -m dashboard.demo.build``.

Deterministic (seeded), so the committed files only change when this script
does. The figures follow the seed article (see /work/shared/datasets.md):
33 organisations (19 村 + 6 居 + 8 社区) all re-elected; the named community
brands; 东辛村's 91 properties in 6 household categories and 4 party groups,
more than 30 dispatch meetings, a weekly meeting, 3 phases. Dates are placed
around DEMO_ANCHOR as "today" (day 85 of the 100-day campaign); load_demo
moves them to the real load day. Names the article does not give are
placeholders (示例村01党支部, 张某某).

The files are written with :func:`export.to_csv_bytes`, so they look exactly
like an export: what staff would get by downloading a ledger.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.contract import DATASETS, ColType, Dataset
from dashboard.demo.history import KEY_HOLDOUT_NOTE, KEY_SIGNED_NOTE
from dashboard.demo.load import CAMPAIGN_DAY, DEMO_ANCHOR, DEMO_DIR
from dashboard.ingest import coerce_types
from dashboard.store import to_csv_bytes

SEED = 20171102
Row = dict[str, Any]


def _frame(ds: Dataset, rows: list[Row]) -> pd.DataFrame:
    """Rows of python values (enum codes, dates) as a frame typed like the contract."""
    frame = pd.DataFrame([{c: r.get(c) for c in ds.column_names} for r in rows], columns=ds.column_names)
    for col in ds.columns:
        if col.type in (ColType.TEXT, ColType.ENUM):
            # the importer NFKC-normalises every cell; write what it will store
            bad = [v for v in frame[col.name].dropna() if unicodedata.normalize("NFKC", v) != v]
            assert not bad, f"{ds.name}.{col.name} not NFKC-stable: {bad[:3]}"
    return coerce_types(ds, frame)


def _day(n: int, anchor: date) -> date:
    """Campaign day ``n`` (1-based); ``anchor`` is day CAMPAIGN_DAY."""
    return anchor + timedelta(days=n - CAMPAIGN_DAY)


# ---------------------------------------------------------------------------
# 换届选举


SUPERVISORS = ("督导员甲", "督导员乙", "督导员丙", "督导员丁", "督导员戊", "督导员己")
COMMUNITIES = ("常春藤社区", "创科社区", *(f"示例社区{c}" for c in "ABCDEF"))


def elections(rng: random.Random, anchor: date) -> list[Row]:
    orgs: list[tuple[str, str, int]] = [("东辛村党支部", "village", rng.randint(40, 70))]
    orgs += [(f"示例村{i:02d}党支部", "village", rng.randint(25, 85)) for i in range(1, 19)]
    orgs += [(f"示例居委会{i:02d}党支部", "residential", rng.randint(18, 45)) for i in range(1, 7)]
    orgs += [(f"{c}党委", "community", rng.randint(40, 160)) for c in COMMUNITIES]
    # explicit early term ends (a reminder has something to show): org index -> days ahead
    early = {3: 48, 11: 97, 21: 133, 30: 171}
    notes = {
        "village": "任期与村委会同步调整",
        "residential": "任期与居委会同步调整",
        "community": "任期与社区居委会同步调整",
    }
    rows = []
    for i, (name, kind, members) in enumerate(orgs):
        completed = anchor - timedelta(days=rng.randint(12, 58))
        planned = completed + timedelta(days=rng.choice((-4, -2, 0, 1, 3, 5, 7, 7, 10)))
        row: Row = {
            "org_code": f"ORG-{i + 1:03d}",
            "org_name": name,
            "org_type": kind,
            "members": members,
            "stage": "completed",
            "supervisor": SUPERVISORS[i % len(SUPERVISORS)],
            "planned_date": planned,
            "completed_date": completed,
            "turnout": round(rng.uniform(88.0, 99.5), 1),
        }
        if i in early:
            row["term_end"] = anchor + timedelta(days=early[i])
            row["note"] = notes[kind]
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# 一社区一品牌 + 活动

# code, community, brand, category, status, target (None: not set yet), yearly pace factor
BRAND_SPECS: tuple[tuple[str, str, str, str, str, int | None, float], ...] = (
    ("BR-01", "示例社区A", "连心网络", "network", "model", 40, 1.5),
    ("BR-02", "示例社区B", "先锋驿站", "service", "launched", 30, 1.5),
    ("BR-03", "示例社区C", "服务联盟", "resources", "launched", 36, 0.45),  # lagging its target
    ("BR-04", "示例社区D", "天使之家", "special_groups", "launched", 24, 1.5),
    ("BR-05", "常春藤社区", "常青树自助养老服务俱乐部", "elder_care", "model", 48, 1.5),
    ("BR-06", "创科社区", "创科社区养老服务", "elder_care", "launched", 36, 1.5),
    ("BR-07", "示例社区E", "示例品牌E", "other", "building", 6, 3.6),
    ("BR-08", "示例社区F", "示例品牌F", "other", "planning", None, 0.0),
)

BRAND_NOTES = {
    "BR-01": "突出网络管理、构建社区连心网络",
    "BR-02": "突出服务实效、打造社区先锋驿站",
    "BR-03": "突出资源整合、创建社区服务联盟",
    "BR-04": "突出特殊群体、成立社区天使之家",
    "BR-05": "党建+养老、高校志愿服务队定期进社区",
    "BR-06": "党建+养老、高校志愿服务队定期进社区",
    "BR-07": "品牌创建中",
    "BR-08": "品牌筹备中、尚未定名",
}

# activity types each brand category runs, with weights
TYPE_MIX = {
    "network": {"three_meetings": 3, "party_day": 3, "volunteer": 3, "pairing": 1, "other": 2},
    "service": {"three_meetings": 2, "party_day": 3, "volunteer": 4, "pairing": 2, "other": 1},
    "resources": {"three_meetings": 2, "party_day": 2, "volunteer": 2, "culture": 2, "other": 2},
    "special_groups": {"three_meetings": 2, "party_day": 2, "pairing": 4, "volunteer": 2, "health": 1},
    "elder_care": {"three_meetings": 1, "party_day": 2, "health": 5, "culture": 3, "volunteer": 2},
    "other": {"three_meetings": 2, "party_day": 2, "volunteer": 2, "culture": 1},
}

TITLES = {
    "three_meetings": ("支部党员大会", "支部委员会会议", "党小组会", "专题党课"),
    "party_day": ("主题党日·重温入党誓词", "主题党日·社区环境整治", "主题党日·走访慰问困难党员"),
    "volunteer": ("党员志愿者便民服务", "社区环境清洁志愿活动", "党员挂牌上岗贴心服务"),
    "health": (
        "高校志愿服务队健康养生讲座",
        "高校志愿服务队医疗保健进社区",
        "高校志愿服务队老年慢病防治讲座",
    ),
    "culture": ("文化娱乐进万家", "老年合唱团汇报演出", "社区文艺联欢会"),
    "pairing": ("困难家庭结对帮扶", "空巢老人结对走访", "一对一结对帮扶"),
    "other": ("党群服务中心开放日", "居民议事会", "网格员工作例会"),
}

PEOPLE = {  # participants range, volunteers range (None: not recorded)
    "three_meetings": ((12, 40), None),
    "party_day": ((18, 50), None),
    "volunteer": ((15, 60), (8, 25)),
    "health": ((30, 90), (4, 12)),
    "culture": ((40, 150), (5, 15)),
    "pairing": ((6, 20), (2, 8)),
    "other": ((15, 50), None),
}


def brands(rng: random.Random, anchor: date) -> list[Row]:
    rows = []
    for i, (code, community, name, category, status, target, _) in enumerate(BRAND_SPECS):
        start = None
        if status in ("launched", "model"):
            start = anchor - timedelta(days=rng.randint(420, 900))
        elif status == "building":
            start = anchor - timedelta(days=120)
        rows.append(
            {
                "project_code": code,
                "community": community,
                "brand_name": name,
                "category": category,
                "status": status,
                "start_date": start,
                "owner": f"负责人{'甲乙丙丁戊己庚辛'[i]}",
                "target_activities": target,
                "note": BRAND_NOTES[code],
            }
        )
    return rows


def _schedule(rng: random.Random, span: int, interval: float) -> list[int]:
    """Days back from today, about ``interval`` apart (jittered), the latest within this week.

    Regular rather than uniform: a brand's count over any part of the year then
    tracks its pace, so "behind its yearly target" means the same on any load day.
    """
    back, out = rng.uniform(0, 5), []
    while back <= span:
        out.append(round(back))
        back += interval * rng.uniform(0.75, 1.25)
    return out


def activities(rng: random.Random, anchor: date, brand_rows: list[Row]) -> list[Row]:
    """A year of activities up to ``anchor``; every running brand has one this week."""
    rows: list[Row] = []
    seen: set[tuple[date, str, str]] = set()
    starts = {r["project_code"]: r["start_date"] for r in brand_rows}
    for code, _, _, category, _, target, pace in BRAND_SPECS:
        start = starts[code]
        if start is None or not target:
            continue
        span = (anchor - max(start, anchor - timedelta(days=364))).days
        mix = TYPE_MIX[category]
        for back in sorted(_schedule(rng, span, 365 / (target * pace)), reverse=True):
            day = anchor - timedelta(days=back)
            kind = rng.choices(list(mix), weights=list(mix.values()))[0]
            title = rng.choice(TITLES[kind])
            if (day, code, title) in seen:
                continue
            seen.add((day, code, title))
            (plo, phi), vol = PEOPLE[kind]
            participants = rng.randint(plo, phi)
            rows.append(
                {
                    "date": day,
                    "project_code": code,
                    "title": title,
                    "type": kind,
                    "participants": participants,
                    "volunteers": min(rng.randint(*vol), participants) if vol else None,
                }
            )
    rows.sort(key=lambda r: (r["date"], r["project_code"]))
    return rows


# (project code, activity type, days back): activities on the load day and the day before, so
# "this month" is never empty, even when the demo is loaded on the 1st of a month.
TODAYS_ACTIVITIES = (("BR-05", "health", 0), ("BR-02", "volunteer", 0), ("BR-01", "party_day", 1))


def todays_activities(rng: random.Random, anchor: date, rows: list[Row]) -> list[Row]:
    """``rows`` with TODAYS_ACTIVITIES added (a title not already held that day by the brand)."""
    taken = {(r["date"], r["project_code"], r["title"]) for r in rows}
    out = list(rows)
    for code, kind, back in TODAYS_ACTIVITIES:
        day = anchor - timedelta(days=back)
        title = next(t for t in TITLES[kind] if (day, code, t) not in taken)
        (plo, phi), vol = PEOPLE[kind]
        participants = rng.randint(plo, phi)
        volunteers = min(rng.randint(*vol), participants) if vol else None
        out.append({"date": day, "project_code": code, "title": title, "type": kind,
                    "participants": participants, "volunteers": volunteers})  # fmt: skip
    out.sort(key=lambda r: (r["date"], r["project_code"]))
    return out


# ---------------------------------------------------------------------------
# 东辛村拆迁

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
# status counts on load day (day 85): most signed and vacated, many demolished, some cleared
STATUS_COUNTS = (("cleared", 45), ("demolished", 33), ("vacated", 3), ("signed", 4))
UNSIGNED = (("appraised", 3), ("surveyed", 3))  # the 钉子户, all key households


def demolition(rng: random.Random, anchor: date) -> list[Row]:
    n = 91
    group_of = [1 + min(i // 23, 3) for i in range(n)]  # 23 + 23 + 23 + 22 properties
    ids = list(range(n))
    rng.shuffle(ids)
    n_signed = sum(c for _, c in STATUS_COUNTS)
    signed_ids, unsigned_ids = ids[:n_signed], ids[n_signed:]
    # sign days: the push runs from day 15; the latest signers are the last 4 "signed only"
    sign_days = sorted(rng.randint(15, 58) for _ in range(n_signed - 7))
    sign_days += sorted(rng.randint(60, 78) for _ in range(3)) + sorted(rng.randint(79, 85) for _ in range(4))
    statuses = [s for s, c in STATUS_COUNTS for _ in range(c)]
    rows: dict[int, Row] = {}
    for idx, sign_day, status in zip(signed_ids, sign_days, statuses, strict=True):
        vac = min(sign_day + rng.randint(2, 14), CAMPAIGN_DAY)
        dem = min(vac + rng.randint(1, 9), CAMPAIGN_DAY)
        row: Row = {"status": status, "signed_date": _day(sign_day, anchor)}
        if status != "signed":
            row["vacated_date"] = _day(vac, anchor)
        if status in ("demolished", "cleared"):
            row["demolished_date"] = _day(dem, anchor)
        rows[idx] = row
    # three households resolved late after leaders' visits (key households that did sign)
    for idx in signed_ids[n_signed - 7 : n_signed - 4]:
        rows[idx].update(key_household=True, note=KEY_SIGNED_NOTE)
    unsigned_status = [s for s, c in UNSIGNED for _ in range(c)]
    for idx, status in zip(unsigned_ids, unsigned_status, strict=True):
        rows[idx] = {"status": status, "key_household": True, "note": KEY_HOLDOUT_NOTE}
    out = []
    for i in range(n):
        row = rows[i]
        out.append(
            {
                "property_id": f"DX-{i + 1:03d}",
                "household": f"{rng.choice(SURNAMES)}某某",
                "category": rng.choices(range(1, 7), weights=(30, 22, 16, 12, 8, 6))[0],
                "party_group": group_of[i],
                "key_household": row.pop("key_household", False),
                "area_m2": round(rng.uniform(60, 360), 1),
                **row,
            }
        )
    return out


MILESTONE_SPECS = (  # code, phase, name, planned start day, planned end day, actual end day, progress
    ("M-01", 1, "入户摸底", 1, 12, 11, 100),
    ("M-02", 1, "分类施策", 8, 20, 20, 100),
    ("M-03", 2, "签约攻坚", 15, 60, None, 93),
    ("M-04", 2, "腾空交房", 30, 88, None, 95),
    ("M-05", 3, "地上物清理", 45, 90, None, 92),
    ("M-06", 3, "渣土清运", 60, 98, None, 55),
    ("M-07", 3, "项目开工", 100, 100, None, 0),
)
OWNERS = ("第一党小组", "第二党小组", "第三党小组", "第四党小组", "拆迁指挥部")


def milestones(rng: random.Random, anchor: date) -> list[Row]:
    rows = []
    for i, (code, phase, name, start, end, actual, progress) in enumerate(MILESTONE_SPECS):
        rows.append(
            {
                "milestone_code": code,
                "phase": phase,
                "name": name,
                "planned_start": _day(start, anchor),
                "planned_end": _day(end, anchor),
                "actual_end": _day(actual, anchor) if actual else None,
                "progress": float(progress),
                "owner": OWNERS[i % len(OWNERS)],
            }
        )
    return rows


def _stage_topic(day: int) -> str:
    if day <= 20:
        return "入户摸底与分类施策"
    if day <= 60:
        return "签约攻坚"
    if day <= 75:
        return "腾空交房"
    return "地上物清理与渣土清运"


def meetings(rng: random.Random, anchor: date) -> list[Row]:
    """32 dispatch meetings, a weekly meeting every week, some morning/evening huddles."""
    rows: list[Row] = []
    for n, day in enumerate(sorted(rng.sample(range(1, CAMPAIGN_DAY + 1), 32)), start=1):
        rows.append(
            {
                "date": _day(day, anchor),
                "type": "dispatch",
                "topic": f"第{n}次专题调度·{_stage_topic(day)}",
                "chair": "街道主要领导",
                "attendees": rng.randint(12, 26),
                "decisions": rng.randint(2, 6),
            }
        )
    for week, day in enumerate(range(1, CAMPAIGN_DAY + 1, 7), start=1):
        rows.append(
            {
                "date": _day(day, anchor),
                "type": "weekly",
                "topic": f"第{week}周工作例会",
                "chair": "拆迁指挥部",
                "attendees": rng.randint(20, 32),
                "decisions": rng.randint(3, 8),
            }
        )
    for kind, topic, count in (
        ("morning", "早碰头·当日任务分解", 16),
        ("evening", "晚研判·当日进展研判", 12),
    ):
        for day in rng.sample(range(CAMPAIGN_DAY - 30, CAMPAIGN_DAY + 1), count):
            rows.append(
                {
                    "date": _day(day, anchor),
                    "type": kind,
                    "topic": topic,
                    "chair": "临时党支部书记",
                    "attendees": rng.randint(8, 16),
                    "decisions": rng.randint(1, 4),
                }
            )
    rows.sort(key=lambda r: (r["date"], r["type"]))
    return rows


# ---------------------------------------------------------------------------
# 督办事项: items raised at the demo's meetings and at the 创新大厦联合党支部's enterprise forums

TASK_OWNERS = ("责任人甲", "责任人乙", "责任人丙", "责任人丁", "责任人戊", "责任人己", "责任人庚")
DEMOLITION_UNITS = ("第一党小组", "第二党小组", "第三党小组", "第四党小组", "拆迁指挥部")
STAGE_ITEMS = {  # campaign stage (as in _stage_topic) -> what a meeting hands out, {p}: a property
    "入户摸底与分类施策": ("核实{p}户籍与房产信息", "完成{p}分类建档", "入户宣讲{p}补偿政策"),
    "签约攻坚": ("做通{p}签约工作", "答复{p}补偿疑问", "协调{p}安置房源"),
    "腾空交房": ("协调{p}腾空交房", "帮助{p}搬家过渡", "核验{p}腾空情况"),
    "地上物清理与渣土清运": ("组织{p}地上物清理", "安排{p}渣土清运车辆", "验收{p}拆除现场"),
}
FORUM_ITEMS = (  # (what the enterprise raised, what was done); "小困难不出门、大问题有人帮"
    ("资金短缺·申请创业担保贷款", "已对接银行、贷款到位"),
    ("资金短缺·协调银行续贷", "已协调续贷"),
    ("人才流失·技术骨干住房困难", "已纳入人才公寓申请"),
    ("人才流失·对接高校招聘实习生", "已举办校企招聘会"),
    ("工商注册·办理分公司设立登记", "已帮办完成注册"),
    ("税务登记·办理税务登记变更", "已帮办完成变更"),
    ("项目申报·申报科技型中小企业", "已指导完成申报"),
    ("项目申报·申报区级扶持资金", "已协助提交材料"),
)
ENTERPRISES = tuple(f"示例企业{c}" for c in "ABCDEFGHJK")
OTHER_ITEMS = (  # (source, domain, item, unit)
    ("visit", "brands", "走访常春藤社区、协调养老服务场地", "常春藤社区党委"),
    ("visit", "brands", "走访创科社区、对接高校志愿服务队", "创科社区党委"),
    ("assigned", "elections", "换届资料归档报送", "组织办"),
    ("assigned", "org_life", "三会一课记录规范化检查", "组织办"),
    ("visit", "org_life", "指导示例村03党支部规范主题党日", "示例村03党支部"),
    ("assigned", "brands", "示例品牌F定名方案", "示例社区F党委"),
)


def _task_outcome(rng: random.Random, raised: date, deadline: date, anchor: date) -> tuple[str, date | None]:
    """(status, closed_date): most closed the same day (日清日结) or by the deadline, a few late or open."""
    if raised >= anchor - timedelta(days=1) and rng.random() < 0.5:
        return rng.choice(("open", "in_progress")), None
    roll = rng.random()
    if roll < 0.62:
        closed = raised
    elif roll < 0.92:
        closed = raised + timedelta(days=rng.randint(0, (deadline - raised).days))
    elif roll < 0.97:
        closed = deadline + timedelta(days=rng.randint(1, 4))  # late
    else:
        return ("open" if rng.random() < 0.5 else "in_progress"), None  # still open: overdue when past due
    return ("closed", closed) if closed <= anchor else (rng.choice(("open", "in_progress")), None)


def tasks(rng: random.Random, anchor: date, meeting_rows: list[Row], property_rows: list[Row]) -> list[Row]:
    """Every meeting's decisions become items (source = the meeting's type); monthly enterprise forums."""
    properties = [r["property_id"] for r in property_rows]
    rows: list[Row] = []
    for meeting in meeting_rows:
        raised = meeting["date"]
        stage = _stage_topic(CAMPAIGN_DAY - (anchor - raised).days)
        for _ in range(meeting["decisions"] or 0):
            deadline = raised + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5, 7)))
            status, closed = _task_outcome(rng, raised, deadline, anchor)
            rows.append(
                {
                    "raised_date": raised,
                    "source": meeting["type"],
                    "domain": "demolition",
                    "title": rng.choice(STAGE_ITEMS[stage]).format(p=rng.choice(properties)),
                    "owner": rng.choice(TASK_OWNERS),
                    "unit": rng.choice(DEMOLITION_UNITS),
                    "deadline": deadline,
                    "status": status,
                    "closed_date": closed,
                    "outcome": "已落实" if closed else None,
                }
            )
    for month in range(12):  # a forum a month at the 创新大厦
        raised = anchor - timedelta(days=12 + 30 * month)
        for item, done in rng.sample(FORUM_ITEMS, rng.randint(2, 4)):
            deadline = raised + timedelta(days=rng.choice((7, 14, 15, 30)))
            status, closed = _task_outcome(rng, raised, deadline, anchor)
            if closed == raised:  # an enterprise's problem takes more than a day
                closed = raised + timedelta(days=rng.randint(1, (deadline - raised).days))
            rows.append(
                {
                    "raised_date": raised,
                    "source": "enterprise_forum",
                    "domain": "enterprise",
                    "title": f"{rng.choice(ENTERPRISES)}·{item}",
                    "owner": rng.choice(TASK_OWNERS),
                    "unit": "创新大厦联合党支部",
                    "deadline": deadline,
                    "status": status,
                    "closed_date": closed,
                    "outcome": done if closed else None,
                }
            )
    for i, (source, domain, item, unit) in enumerate(OTHER_ITEMS):
        raised = anchor - timedelta(days=5 + 17 * i)
        deadline = raised + timedelta(days=10)
        status, closed = _task_outcome(rng, raised, deadline, anchor)
        rows.append(
            {
                "raised_date": raised,
                "source": source,
                "domain": domain,
                "title": item,
                "owner": rng.choice(TASK_OWNERS),
                "unit": unit,
                "deadline": deadline,
                "status": status,
                "closed_date": closed,
                "outcome": "已办结" if closed else None,
            }
        )
    rows.sort(key=lambda r: (r["raised_date"], r["source"]))
    for n, row in enumerate(rows, start=1):
        row["task_code"] = f"DB-{n:04d}"
    return rows


# ---------------------------------------------------------------------------
# 组织生活: 三会一课 and 主题党日 of the 33 organisations over the last twelve months

MONTHLY_EVERY = 28  # days: every calendar month holds one, wherever the load day moves the dates
QUARTERLY_EVERY = 84  # days: every calendar quarter holds one
ORG_LIFE_EVERY = {
    "committee": MONTHLY_EVERY,
    "group_meeting": MONTHLY_EVERY,
    "party_day": MONTHLY_EVERY,
    "general_meeting": QUARTERLY_EVERY,
    "party_lecture": QUARTERLY_EVERY,
}
ORG_LIFE_TOPICS = {
    "general_meeting": ("学习贯彻上级会议精神", "通报支部工作、审议党费收缴情况", "讨论发展党员"),
    "committee": ("研究本月支部工作安排", "研究党员教育管理", "研究联系服务群众事项"),
    "group_meeting": ("学习党章党规", "交流学习心得", "讨论为群众办实事"),
    "party_lecture": ("书记讲党课", "党史专题党课", "基层治理专题党课"),
    "party_day": ("重温入党誓词", "社区环境整治志愿服务", "走访慰问困难党员"),
}
# (org index, type): the few stretches where a meeting was not held (two cycles skipped)
ORG_LIFE_GAPS = (
    (4, "committee"),
    (9, "party_day"),
    (15, "group_meeting"),
    (22, "party_lecture"),
    (27, "committee"),
)


def org_life(rng: random.Random, anchor: date, election_rows: list[Row]) -> list[Row]:
    """Each organisation on the 三会一课 rhythm for 365 days up to ``anchor``, with a few gaps."""
    rows: list[Row] = []
    for i, org in enumerate(election_rows):
        members = org["members"]
        for kind, every in ORG_LIFE_EVERY.items():
            backs = list(range(rng.randint(0, every - 1), 365, every))
            if (i, kind) in ORG_LIFE_GAPS:
                skip = rng.randint(1, len(backs) - 3)
                del backs[skip : skip + 2]
            for back in backs:
                if kind == "committee":
                    expected = rng.randint(5, 7)
                elif kind == "group_meeting":
                    expected = max(5, members // rng.randint(3, 5))
                else:
                    expected = members
                rows.append(
                    {
                        "org_code": org["org_code"],
                        "date": anchor - timedelta(days=back),
                        "type": kind,
                        "topic": rng.choice(ORG_LIFE_TOPICS[kind]),
                        "expected": expected,
                        "attended": expected - rng.randint(0, max(1, expected // 8)),
                        "chair": "党小组组长" if kind == "group_meeting" else "支部书记",
                    }
                )
    rows.sort(key=lambda r: (r["date"], r["org_code"], r["type"]))
    return rows


# ---------------------------------------------------------------------------


def build(anchor: date = DEMO_ANCHOR, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The eight demo ledgers as typed frames (dates around ``anchor``).

    tasks and org_life draw from their own random stream, after the six: adding them left
    the six files (whose figures the tests pin) byte for byte as they were; the load day's
    activities (TODAYS_ACTIVITIES) likewise from a third, adding three rows to activities.
    """
    rng = random.Random(seed)
    brand_rows = brands(rng, anchor)
    rows = {
        "elections": elections(rng, anchor),
        "brands": brand_rows,
        "activities": activities(rng, anchor, brand_rows),
        "demolition": demolition(rng, anchor),
        "milestones": milestones(rng, anchor),
        "meetings": meetings(rng, anchor),
    }
    more = random.Random(seed + 1)
    rows["tasks"] = tasks(more, anchor, rows["meetings"], rows["demolition"])
    rows["org_life"] = org_life(more, anchor, rows["elections"])
    rows["activities"] = todays_activities(random.Random(seed + 2), anchor, rows["activities"])
    return {name: _frame(DATASETS[name], rows[name]) for name in DATASETS}


def write(out_dir: Path = DEMO_DIR) -> list[Path]:
    """Rewrite the committed demo CSVs; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in build().items():
        path = out_dir / f"{name}.csv"
        path.write_bytes(to_csv_bytes(name, frame))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write():
        print(p)
