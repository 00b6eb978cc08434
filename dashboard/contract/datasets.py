"""The data contract: the eight datasets staff upload, declared once.

Everything else (reading, validation, storage, export, charts, the UI) reads
column names, headers, types, enum labels (Chinese and English) and keys from here. The source of
truth for the rules is ../shared/datasets.md; this module is its executable form.

Conventions
- ``Column.name`` is the English alias; it is the column name in typed frames,
  in the database and in the code. ``Column.header`` is the Chinese header,
  ``Column.header_en`` the English one (what an English-reading viewer sees).
- Enumerations are stored as their English code; ``Enum.label(code)`` gives
  the Chinese label, ``Enum.label_en(code)`` the English one. Ordered
  enumerations keep their contract order.
- Cross-field rules (date order, status/stage against dates) are declared
  here as data (:class:`DateOrder`, :class:`RequiredFrom`) and checked in
  ``dashboard.ingest.validation``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class ColType(StrEnum):
    """The cell types a ledger column can have."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    PERCENT = "percent"
    BOOL = "bool"
    DATE = "date"
    ENUM = "enum"


class Mode(StrEnum):
    """How an accepted upload changes the stored dataset."""

    REPLACE = "replace"
    UPSERT = "upsert"
    APPEND = "append"


@dataclass(frozen=True)
class Choice:
    """One value of an enumeration: English code, Chinese label and English label."""

    code: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class Enum:
    """An enumeration; ``ordered`` ones have a meaningful contract order."""

    choices: tuple[Choice, ...]
    ordered: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.choices)

    def label(self, code: str) -> str:
        """Chinese label of ``code``."""
        return self._by_code()[code]

    def label_en(self, code: str) -> str:
        """English label of ``code``."""
        return next(c.label_en for c in self.choices if c.code == code)

    def rank(self, code: str) -> int:
        """Position of ``code`` in contract order (0-based)."""
        return self.codes.index(code)

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (label, code, code in any case) -> code."""
        out: dict[str, str] = {}
        for c in self.choices:
            out[c.label] = c.code
            out[c.code] = c.code
            out[c.code.lower()] = c.code
            out[c.code.upper()] = c.code
        return out

    def _by_code(self) -> dict[str, str]:
        return {c.code: c.label for c in self.choices}


def _enum(pairs: str, *, en: dict[str, str], ordered: bool = False) -> Enum:
    """Build an Enum from 'label code · label code' as written in datasets.md, and English labels by code."""
    choices = []
    for item in pairs.split("·"):
        label, code = item.split()
        choices.append(Choice(code=code, label=label, label_en=en[code]))
    if set(en) != {c.code for c in choices}:
        raise ValueError(f"English labels {sorted(en)} do not match the codes of {pairs!r}")
    return Enum(tuple(choices), ordered=ordered)


@dataclass(frozen=True)
class Column:
    """One ledger column and its cell-level rule."""

    name: str  # English alias; the column's name everywhere in code and DB
    header: str  # Chinese header, as staff type it
    header_en: str  # English header, as an English-reading viewer sees it
    type: ColType
    required: bool = False
    unique: bool = False
    min: float | None = None
    max: float | None = None
    enum: Enum | None = None
    personal: bool = False  # personal data: masked for every role but admin
    example: str = ""  # the value shown in the template's example row
    default: str | None = None  # value used when the cell is empty

    @property
    def spellings(self) -> tuple[str, str]:
        return (self.header, self.name)


@dataclass(frozen=True)
class DateOrder:
    """``later`` must not be before ``earlier`` when both are present."""

    earlier: str
    later: str

    @property
    def id(self) -> str:
        return f"date_order.{self.earlier}.{self.later}"


@dataclass(frozen=True)
class RequiredFrom:
    """``column`` is required once ``status_column`` reaches ``from_code``.

    With ``empty_before`` the column must also be empty before that status
    (elections: 完成日期 only for 已完成).
    """

    column: str
    status_column: str
    from_code: str
    empty_before: bool = False

    @property
    def id(self) -> str:
        return f"required_from.{self.column}"


@dataclass(frozen=True)
class ForeignKey:
    """Values of ``column`` must exist as keys of dataset ``ref_dataset``."""

    column: str
    ref_dataset: str
    ref_column: str

    @property
    def id(self) -> str:
        return f"foreign_key.{self.column}"


@dataclass(frozen=True)
class Dataset:
    """One ledger layout: its columns, key, default upload mode and rules."""

    name: str
    title: str  # Chinese title
    title_en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    default_mode: Mode
    date_orders: tuple[DateOrder, ...] = ()
    required_from: tuple[RequiredFrom, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    # how often staff are expected to update it, in days (for staleness warnings)
    rhythm_days: int = 30
    derived: dict[str, str] = field(default_factory=dict)  # column -> rule id

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def personal(self) -> bool:
        """Holds personal data (demolition's 户主): masked for all but admins, never handed out whole."""
        return any(c.personal for c in self.columns)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def header_lookup(self) -> dict[str, str]:
        """Every accepted header spelling -> column name (alias)."""
        out: dict[str, str] = {}
        for c in self.columns:
            out[c.header] = c.name
            out[c.name] = c.name
            out[c.name.lower()] = c.name
        return out


# ---------------------------------------------------------------------------
# Enumerations

ORG_TYPE = _enum(
    "村 village · 居 residential · 社区 community",
    en={"village": "Village", "residential": "Residential", "community": "Urban community"},
)
ELECTION_STAGE = _enum(
    "未启动 not_started · 摸底调研 survey · 推荐提名 nomination · 资格审查 qualification"
    " · 选举大会 voting · 上级审批 approval · 已完成 completed",
    ordered=True,
    en={
        "not_started": "Not started",
        "survey": "Survey",
        "nomination": "Nomination",
        "qualification": "Qualification review",
        "voting": "Election meeting",
        "approval": "Approval",
        "completed": "Completed",
    },
)
BRAND_CATEGORY = _enum(
    "网络管理 network · 服务实效 service · 资源整合 resources · 特殊群体 special_groups"
    " · 养老服务 elder_care · 其他 other",
    en={
        "network": "Network management",
        "service": "Service delivery",
        "resources": "Resource pooling",
        "special_groups": "Special groups",
        "elder_care": "Elder care",
        "other": "Other",
    },
)
BRAND_STATUS = _enum(
    "筹备 planning · 创建中 building · 已挂牌 launched · 示范 model",
    ordered=True,
    en={"planning": "Planning", "building": "Building", "launched": "Launched", "model": "Model"},
)
ACTIVITY_TYPE = _enum(
    "三会一课 three_meetings · 主题党日 party_day · 志愿服务 volunteer · 健康讲座 health"
    " · 文体活动 culture · 结对帮扶 pairing · 其他 other",
    en={
        "three_meetings": "Three meetings, one lesson",
        "party_day": "Party day",
        "volunteer": "Volunteer service",
        "health": "Health talk",
        "culture": "Culture & sports",
        "pairing": "Pairing support",
        "other": "Other",
    },
)
PROPERTY_STATUS = _enum(
    "已摸底 surveyed · 已评估 appraised · 已签约 signed"
    " · 已腾空 vacated · 已拆除 demolished · 已清运 cleared",
    ordered=True,
    en={
        "surveyed": "Surveyed",
        "appraised": "Appraised",
        "signed": "Signed",
        "vacated": "Vacated",
        "demolished": "Demolished",
        "cleared": "Cleared",
    },
)
MEETING_TYPE = _enum(
    "专题调度会 dispatch · 周例会 weekly · 早碰头 morning · 晚研判 evening",
    en={
        "dispatch": "Dispatch meeting",
        "weekly": "Weekly meeting",
        "morning": "Morning huddle",
        "evening": "Evening review",
    },
)

TASK_SOURCE = _enum(
    "专题调度会 dispatch · 周例会 weekly · 早碰头 morning · 晚研判 evening · 企业座谈 enterprise_forum"
    " · 走访 visit · 领导交办 assigned · 其他 other",
    en={
        "dispatch": "Dispatch meeting",
        "weekly": "Weekly meeting",
        "morning": "Morning huddle",
        "evening": "Evening review",
        "enterprise_forum": "Enterprise forum",
        "visit": "Visit",
        "assigned": "Assigned by a leader",
        "other": "Other",
    },
)
TASK_DOMAIN = _enum(
    "拆迁 demolition · 企业服务 enterprise · 品牌创建 brands · 换届 elections"
    " · 组织生活 org_life · 其他 other",
    en={
        "demolition": "Demolition",
        "enterprise": "Enterprise services",
        "brands": "Community brands",
        "elections": "Re-elections",
        "org_life": "Organisational life",
        "other": "Other",
    },
)
TASK_STATUS = _enum(
    "待办 open · 办理中 in_progress · 已办结 closed",
    ordered=True,
    en={"open": "Open", "in_progress": "In progress", "closed": "Closed"},
)
ORG_LIFE_TYPE = _enum(
    "支部党员大会 general_meeting · 支委会 committee · 党小组会 group_meeting · 党课 party_lecture"
    " · 主题党日 party_day",
    en={
        "general_meeting": "Branch general meeting",
        "committee": "Branch committee",
        "group_meeting": "Party group meeting",
        "party_lecture": "Party lecture",
        "party_day": "Party day",
    },
)

T = ColType

# ---------------------------------------------------------------------------
# The eight datasets

ELECTIONS = Dataset(
    name="elections",
    title="换届选举进度",
    title_en="Branch re-elections",
    key=("org_code",),
    default_mode=Mode.REPLACE,
    columns=(
        Column("org_code", "组织编码", "Org code", T.TEXT, required=True, unique=True, example="ORG-001"),
        Column("org_name", "党组织名称", "Party organisation", T.TEXT, required=True, example="示例村党支部"),
        Column("org_type", "组织类型", "Type", T.ENUM, required=True, enum=ORG_TYPE, example="村"),
        Column("members", "党员数", "Members", T.INT, required=True, min=0, example="35"),
        Column("stage", "当前阶段", "Stage", T.ENUM, required=True, enum=ELECTION_STAGE, example="已完成"),
        Column("supervisor", "督导员", "Supervisor", T.TEXT, example="督导员甲"),
        Column("planned_date", "计划完成日期", "Planned by", T.DATE, example="2024-05-31"),
        Column("completed_date", "完成日期", "Completed on", T.DATE, example="2024-05-28"),
        Column("term_end", "任期届满日期", "Term ends", T.DATE, example=""),
        Column("turnout", "到会率", "Turnout", T.PERCENT, min=0, max=100, example="96%"),
        Column("note", "备注", "Note", T.TEXT, example=""),
    ),
    required_from=(RequiredFrom("completed_date", "stage", "completed", empty_before=True),),
    date_orders=(DateOrder("completed_date", "term_end"),),
    derived={"term_end": "derived.term_end"},  # completed_date + 5 years when empty
    rhythm_days=30,
)

BRANDS = Dataset(
    name="brands",
    title="一社区一品牌",
    title_en="Community brands",
    key=("project_code",),
    default_mode=Mode.REPLACE,
    columns=(
        Column(
            "project_code", "项目编码", "Project code", T.TEXT, required=True, unique=True, example="BR-01"
        ),
        Column("community", "社区", "Community", T.TEXT, required=True, example="常春藤社区"),
        Column("brand_name", "品牌名称", "Brand", T.TEXT, required=True, example="连心网络"),
        Column(
            "category", "类别", "Category", T.ENUM, required=True, enum=BRAND_CATEGORY, example="网络管理"
        ),
        Column("status", "状态", "Status", T.ENUM, required=True, enum=BRAND_STATUS, example="已挂牌"),
        Column("start_date", "启动日期", "Started", T.DATE, example="2024-03-01"),
        Column("owner", "负责人", "Owner", T.TEXT, example="负责人甲"),
        Column("target_activities", "年度目标活动数", "Activities target (year)", T.INT, min=0, example="24"),
        Column("note", "备注", "Note", T.TEXT, example=""),
    ),
    rhythm_days=30,
)

ACTIVITIES = Dataset(
    name="activities",
    title="品牌活动记录",
    title_en="Brand activities",
    key=("date", "project_code", "title"),
    default_mode=Mode.APPEND,
    columns=(
        Column("date", "活动日期", "Date", T.DATE, required=True, example="2024-05-03"),
        Column("project_code", "项目编码", "Project code", T.TEXT, required=True, example="BR-01"),
        Column("title", "活动名称", "Activity", T.TEXT, required=True, example="健康养生讲座"),
        Column("type", "活动类型", "Type", T.ENUM, required=True, enum=ACTIVITY_TYPE, example="健康讲座"),
        Column("participants", "参与人数", "Participants", T.INT, required=True, min=0, example="40"),
        Column("volunteers", "志愿者人数", "Volunteers", T.INT, min=0, example="6"),
    ),
    foreign_keys=(ForeignKey("project_code", "brands", "project_code"),),
    rhythm_days=7,
)

DEMOLITION = Dataset(
    name="demolition",
    title="拆迁房产进度",
    title_en="Demolition properties",
    key=("property_id",),
    default_mode=Mode.REPLACE,
    columns=(
        Column("property_id", "房产编号", "Property", T.TEXT, required=True, unique=True, example="DX-001"),
        Column("household", "户主", "Household", T.TEXT, required=True, personal=True, example="张某某"),
        Column("category", "户类", "Household category", T.INT, required=True, min=1, max=6, example="1"),
        Column("party_group", "党小组", "Party group", T.INT, required=True, min=1, max=4, example="1"),
        Column("status", "当前状态", "Status", T.ENUM, required=True, enum=PROPERTY_STATUS, example="已签约"),
        Column("signed_date", "签约日期", "Signed on", T.DATE, example="2024-05-03"),
        Column("vacated_date", "腾空日期", "Vacated on", T.DATE, example=""),
        Column("demolished_date", "拆除日期", "Demolished on", T.DATE, example=""),
        Column("key_household", "重点户", "Key household", T.BOOL, default="否", example="否"),
        Column("area_m2", "建筑面积", "Floor area (m²)", T.NUMBER, min=0, example="186.5"),
        Column("note", "备注", "Note", T.TEXT, example=""),
    ),
    required_from=(
        RequiredFrom("signed_date", "status", "signed"),
        RequiredFrom("vacated_date", "status", "vacated"),
        RequiredFrom("demolished_date", "status", "demolished"),
    ),
    date_orders=(
        DateOrder("signed_date", "vacated_date"),
        DateOrder("vacated_date", "demolished_date"),
    ),
    rhythm_days=1,
)

MILESTONES = Dataset(
    name="milestones",
    title="拆迁节点",
    title_en="Demolition milestones",
    key=("milestone_code",),
    default_mode=Mode.REPLACE,
    columns=(
        Column(
            "milestone_code", "节点编码", "Milestone code", T.TEXT, required=True, unique=True, example="M-01"
        ),
        Column("phase", "阶段", "Phase", T.INT, required=True, min=1, max=3, example="1"),
        Column("name", "节点名称", "Milestone", T.TEXT, required=True, example="入户摸底"),
        Column("planned_start", "计划开始", "Planned start", T.DATE, required=True, example="2024-03-01"),
        Column("planned_end", "计划完成", "Planned end", T.DATE, required=True, example="2024-03-20"),
        Column("actual_end", "实际完成", "Actually finished", T.DATE, example="2024-03-18"),
        Column("progress", "进度", "Progress", T.PERCENT, required=True, min=0, max=100, example="100"),
        Column("owner", "责任人", "Owner", T.TEXT, example="责任人甲"),
    ),
    date_orders=(DateOrder("planned_start", "planned_end"),),
    rhythm_days=7,
)

MEETINGS = Dataset(
    name="meetings",
    title="调度会记录",
    title_en="Dispatch meetings",
    key=("date", "type", "topic"),
    default_mode=Mode.APPEND,
    columns=(
        Column("date", "日期", "Date", T.DATE, required=True, example="2024-05-03"),
        Column("type", "类型", "Type", T.ENUM, required=True, enum=MEETING_TYPE, example="专题调度会"),
        Column("topic", "议题", "Topic", T.TEXT, required=True, example="签约攻坚调度"),
        Column("chair", "主持人", "Chair", T.TEXT, example="主持人甲"),
        Column("attendees", "参会人数", "Attendees", T.INT, min=0, example="18"),
        Column("decisions", "决议事项数", "Decisions", T.INT, min=0, example="3"),
    ),
    rhythm_days=7,
)

TASKS = Dataset(
    name="tasks",
    title="督办事项",
    title_en="Follow-up items",
    key=("task_code",),
    default_mode=Mode.UPSERT,  # staff move items on: change and add, never delete
    columns=(
        Column("task_code", "事项编码", "Item code", T.TEXT, required=True, unique=True, example="DB-001"),
        Column("raised_date", "提出日期", "Raised on", T.DATE, required=True, example="2024-05-03"),
        Column("source", "来源", "Source", T.ENUM, required=True, enum=TASK_SOURCE, example="专题调度会"),
        Column("domain", "领域", "Domain", T.ENUM, required=True, enum=TASK_DOMAIN, example="拆迁"),
        Column("title", "事项内容", "Item", T.TEXT, required=True, example="协调重点户签约"),
        Column("owner", "责任人", "Owner", T.TEXT, required=True, example="责任人甲"),
        Column("unit", "责任单位", "Responsible unit", T.TEXT, example="第一党小组"),
        Column("deadline", "办理时限", "Deadline", T.DATE, required=True, example="2024-05-05"),
        Column("status", "办理状态", "Status", T.ENUM, required=True, enum=TASK_STATUS, example="已办结"),
        Column("closed_date", "办结日期", "Closed on", T.DATE, example="2024-05-03"),
        Column("outcome", "办理结果", "Outcome", T.TEXT, example="已签约"),
        Column("note", "备注", "Note", T.TEXT, example=""),
    ),
    required_from=(RequiredFrom("closed_date", "status", "closed", empty_before=True),),
    date_orders=(DateOrder("raised_date", "deadline"), DateOrder("raised_date", "closed_date")),
    rhythm_days=7,
)

ORG_LIFE = Dataset(
    name="org_life",
    title="组织生活",
    title_en="Organisational life",
    key=("org_code", "date", "type"),
    default_mode=Mode.APPEND,
    columns=(
        Column("org_code", "组织编码", "Org code", T.TEXT, required=True, example="ORG-001"),
        Column("date", "日期", "Date", T.DATE, required=True, example="2024-05-03"),
        Column("type", "类型", "Type", T.ENUM, required=True, enum=ORG_LIFE_TYPE, example="主题党日"),
        Column("topic", "主题", "Topic", T.TEXT, required=True, example="重温入党誓词"),
        Column("expected", "应到人数", "Expected", T.INT, min=0, example="35"),
        Column("attended", "实到人数", "Attended", T.INT, min=0, example="32"),
        Column("chair", "主持人", "Chair", T.TEXT, example="支部书记"),
    ),
    foreign_keys=(ForeignKey("org_code", "elections", "org_code"),),
    rhythm_days=30,
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (ELECTIONS, BRANDS, ACTIVITIES, DEMOLITION, MILESTONES, MEETINGS, TASKS, ORG_LIFE)
}

# Load order that satisfies foreign keys (brands before activities, elections before org_life).
LOAD_ORDER: tuple[str, ...] = tuple(DATASETS)

TERM_YEARS = 5  # elections: term_end defaults to completed_date + 5 years


def referencing(dataset: str) -> tuple[tuple[Dataset, ForeignKey], ...]:
    """The (dataset, foreign key) pairs whose values must exist in ``dataset``."""
    return tuple((d, fk) for d in DATASETS.values() for fk in d.foreign_keys if fk.ref_dataset == dataset)


def get_dataset(name: str) -> Dataset:
    """The dataset called ``name``; KeyError lists the valid names."""
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}") from None
