"""督办事项 (tasks) and 组织生活 (org_life): two ledgers first-class like the six.

What staff upload is shared/datasets.md; these tests read as that specification: the
rules the contract declares and the one it cannot, every upload mode's default, the
foreign key to the elections in both directions, the CLI, templates and the demo.
Data-layer tests run on SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import csv as csv_module
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.contract import DATASETS, LOAD_ORDER, Mode, get_dataset
from dashboard.demo.load import load_demo
from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import validate
from dashboard.store import storage
from dashboard.store.export import template_csv, to_csv_bytes
from dashboard.store.xlsx import prefilled_xlsx, template_xlsx
from tests.conftest import DEMO_DAY
from tests.messages import said

REPO = Path(__file__).resolve().parents[1]


def csv(dataset: str, rows: list[dict[str, str]]) -> bytes:
    """A CSV with the dataset's Chinese headers; cells by column name, missing = empty."""
    ds = get_dataset(dataset)
    out = io.StringIO()
    writer = csv_module.writer(out)
    writer.writerow(ds.headers)
    writer.writerows([row.get(c.name, "") for c in ds.columns] for row in rows)
    return out.getvalue().encode("utf-8")


def task(code: str, **cells: str) -> dict[str, str]:
    row = {
        "task_code": code,
        "raised_date": "2025-06-10",
        "source": "早碰头",
        "domain": "拆迁",
        "title": "做通DX-017签约工作",
        "owner": "责任人甲",
        "unit": "第一党小组",
        "deadline": "2025-06-12",
        "status": "已办结",
        "closed_date": "2025-06-10",
    }
    return row | cells


def org(code: str) -> dict[str, str]:
    return {
        "org_code": code,
        "org_name": f"{code}党支部",
        "org_type": "村",
        "members": "30",
        "stage": "已完成",
        "completed_date": "2025-05-20",
    }


def meeting(code: str, day: str = "2025-06-03", kind: str = "主题党日", **cells: str) -> dict[str, str]:
    return {"org_code": code, "date": day, "type": kind, "topic": "重温入党誓词"} | cells


def check(dataset: str, rows: list[dict[str, str]], refs: dict[str, set[str]] | None = None):
    return validate(dataset, read_table(csv(dataset, rows), f"{dataset}.csv"), refs=refs)


def rules(checked) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.rule, p.line, p.column, p.severity) for p in checked.problems.items]


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


# ---------------------------------------------------------------------------
# The contract: exactly as datasets.md declares them


def test_the_two_ledgers_are_declared_with_their_keys_modes_and_foreign_key() -> None:
    tasks, org_life = get_dataset("tasks"), get_dataset("org_life")
    assert (tasks.title, tasks.key, tasks.default_mode) == ("督办事项", ("task_code",), Mode.UPSERT)
    assert (org_life.title, org_life.key, org_life.default_mode) == (
        "组织生活",
        ("org_code", "date", "type"),
        Mode.APPEND,
    )
    assert tasks.headers == (
        "事项编码", "提出日期", "来源", "领域", "事项内容", "责任人", "责任单位",
        "办理时限", "办理状态", "办结日期", "办理结果", "备注",
    )  # fmt: skip
    assert org_life.headers == ("组织编码", "日期", "类型", "主题", "应到人数", "实到人数", "主持人")
    assert [(fk.column, fk.ref_dataset, fk.ref_column) for fk in org_life.foreign_keys] == [
        ("org_code", "elections", "org_code")
    ]
    assert LOAD_ORDER.index("elections") < LOAD_ORDER.index("org_life")
    assert tasks.column("status").enum.codes == ("open", "in_progress", "closed")
    assert tasks.column("status").enum.ordered
    assert tasks.column("source").enum.lookup()["企业座谈"] == "enterprise_forum"
    assert org_life.column("type").enum.labels == ("支部党员大会", "支委会", "党小组会", "党课", "主题党日")
    # a staff member's name is not a resident's: nothing here is masked
    assert not any(c.personal for ds in (tasks, org_life) for c in ds.columns)
    for ds in (tasks, org_life):
        assert all(c.header_en for c in ds.columns) and ds.title_en
        assert all(ch.label_en for c in ds.columns if c.enum for ch in c.enum.choices)


def test_english_headers_and_codes_are_accepted_as_the_chinese_ones() -> None:
    text = (
        "task_code,raised_date,source,domain,title,owner,deadline,status\n"
        "DB-1,2025-06-10,enterprise_forum,enterprise,资金短缺,责任人乙,2025-06-20,in_progress\n"
    )
    checked = validate("tasks", read_table(text.encode(), "t.csv"))
    assert checked.ok, rules(checked)
    assert checked.frame.loc[2, ["source", "status"]].tolist() == ["enterprise_forum", "in_progress"]


# ---------------------------------------------------------------------------
# tasks: deadline and closed_date rules (under / at / over)


@pytest.mark.parametrize(
    ("deadline", "ok"), [("2025-06-09", False), ("2025-06-10", True), ("2025-06-11", True)]
)
def test_a_deadline_may_not_be_before_the_day_the_item_was_raised(deadline: str, ok: bool) -> None:
    checked = check("tasks", [task("DB-1", deadline=deadline)])
    assert rules(checked) == ([] if ok else [("date_order.raised_date.deadline", 2, "办理时限", "error")])


@pytest.mark.parametrize(
    ("closed", "ok"), [("2025-06-09", False), ("2025-06-10", True), ("2025-06-11", True)]
)
def test_an_item_may_not_be_closed_before_it_was_raised(closed: str, ok: bool) -> None:
    checked = check("tasks", [task("DB-1", closed_date=closed)])
    assert rules(checked) == ([] if ok else [("date_order.raised_date.closed_date", 2, "办结日期", "error")])


def test_a_closed_item_needs_its_closed_date_and_an_open_one_has_none() -> None:
    checked = check(
        "tasks",
        [
            task("DB-1", status="已办结", closed_date=""),
            task("DB-2", status="办理中", closed_date="2025-06-11"),
            task("DB-3", status="待办", closed_date=""),
            task("DB-4", status="已办结", closed_date="2025-06-11"),
        ],
    )
    assert rules(checked) == [
        ("required_from.closed_date", 2, "办结日期", "error"),
        ("empty_before.closed_date", 3, "办结日期", "error"),
    ]
    assert said(checked.problems.errors[0], "check.required_from")["label"] == "已办结"


def test_required_task_cells_and_enumerations_are_checked_by_the_contract() -> None:
    checked = check("tasks", [task("DB-1", owner="", domain="基建")])
    assert sorted(rules(checked)) == [
        ("cell.enum", 2, "领域", "error"),
        ("cell.required", 2, "责任人", "error"),
    ]


# ---------------------------------------------------------------------------
# org_life: more attended than expected is a warning, not an error


@pytest.mark.parametrize(("attended", "warned"), [("29", False), ("30", False), ("31", True)])
def test_more_attended_than_expected_is_a_warning_that_lets_the_row_in(attended: str, warned: bool) -> None:
    checked = check("org_life", [meeting("ORG-001", expected="30", attended=attended)])
    assert checked.ok
    expected = [("org_life.attended_over_expected", 2, "实到人数", "warning")] if warned else []
    assert rules(checked) == expected
    if warned:
        problem = checked.problems.warnings[0]
        assert said(problem, "check.org_life.attended_over_expected") == {
            "column": "实到人数",
            "attended": "31",
            "expected_column": "应到人数",
            "expected": "30",
        }


def test_attendance_is_optional_and_a_missing_count_warns_of_nothing() -> None:
    checked = check("org_life", [meeting("ORG-001", attended="40"), meeting("ORG-001", kind="支委会")])
    assert checked.ok and rules(checked) == []


def test_one_meeting_of_a_type_per_organisation_and_day() -> None:
    checked = check("org_life", [meeting("ORG-001"), meeting("ORG-001"), meeting("ORG-001", kind="支委会")])
    assert rules(checked) == [("key.duplicate", 3, "组织编码+日期+类型", "error")]


# ---------------------------------------------------------------------------
# Upload modes and the foreign key, stored


def test_tasks_default_to_upsert_staff_move_items_on_without_deleting(engine: sa.Engine) -> None:
    storage.import_file(engine, "tasks", csv("tasks", [task("DB-1"), task("DB-2")]), "v1.csv")
    moved = task("DB-2", status="办理中", closed_date="")
    result = storage.import_file(engine, "tasks", csv("tasks", [moved, task("DB-3")]), "v2.csv")

    assert (result.accepted, result.added, result.changed, result.removed) == (True, 1, 1, 0)
    now = storage.load_current(engine, "tasks").set_index("task_code")
    assert now.index.tolist() == ["DB-1", "DB-2", "DB-3"]
    assert now.loc["DB-2", "status"] == "in_progress" and pd.isna(now.loc["DB-2", "closed_date"])
    assert storage.list_versions(engine, "tasks")[0].mode == "upsert"


def test_tasks_replace_when_asked(engine: sa.Engine) -> None:
    storage.import_file(engine, "tasks", csv("tasks", [task("DB-1"), task("DB-2")]), "v1.csv")
    result = storage.import_file(engine, "tasks", csv("tasks", [task("DB-3")]), "v2.csv", mode=Mode.REPLACE)
    assert (result.added, result.removed) == (1, 2)
    assert storage.load_current(engine, "tasks")["task_code"].tolist() == ["DB-3"]


def test_org_life_defaults_to_append_and_skips_meetings_already_recorded(engine: sa.Engine) -> None:
    storage.import_file(engine, "elections", csv("elections", [org("ORG-001"), org("ORG-002")]), "e.csv")
    storage.import_file(engine, "org_life", csv("org_life", [meeting("ORG-001")]), "v1.csv")
    again = [meeting("ORG-001", topic="改过的主题"), meeting("ORG-002"), meeting("ORG-001", kind="党课")]
    result = storage.import_file(engine, "org_life", csv("org_life", again), "v2.csv")

    assert (result.accepted, result.added, result.skipped, result.removed) == (True, 2, 1, 0)
    assert storage.list_versions(engine, "org_life")[0].mode == "append"
    now = storage.load_current(engine, "org_life")
    assert len(now) == 3 and "改过的主题" not in now["topic"].tolist()  # append never changes a row


def test_a_meeting_of_an_organisation_not_in_the_elections_is_refused_at_its_line(engine: sa.Engine) -> None:
    storage.import_file(engine, "elections", csv("elections", [org("ORG-001")]), "e.csv")
    rows = [meeting("ORG-001"), meeting("ORG-099")]
    result = storage.import_file(engine, "org_life", csv("org_life", rows), "o.csv")

    assert not result.accepted
    assert [(p.rule, p.line, p.column, p.value) for p in result.problems.errors] == [
        ("foreign_key.org_code", 3, "组织编码", "ORG-099")
    ]
    assert said(result.problems.errors[0], "check.foreign_key")["ref"] == "换届选举进度"
    assert storage.list_versions(engine, "org_life") == []  # nothing written


def test_replacing_elections_without_an_organisation_org_life_uses_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "elections", csv("elections", [org("ORG-001"), org("ORG-002")]), "e1.csv")
    held = [meeting("ORG-002"), meeting("ORG-002", kind="支委会"), meeting("ORG-001")]
    storage.import_file(engine, "org_life", csv("org_life", held), "o.csv")

    result = storage.import_file(engine, "elections", csv("elections", [org("ORG-001")]), "e2.csv")

    assert not result.accepted
    [problem] = result.problems.errors
    assert (problem.rule, problem.value, problem.column) == (
        "referenced.org_life.org_code",
        "ORG-002",
        "组织编码",
    )
    assert said(problem, "check.referenced") == {
        "code": "ORG-002",
        "other": "组织生活",
        "n": "2",
        "dataset": "换届选举进度",
        "column": "组织编码",
    }
    assert said(problem, "check.referenced", "en")["other"] == "org_life"
    assert len(storage.list_versions(engine, "elections")) == 1


def test_restoring_elections_that_lack_an_organisation_org_life_uses_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "elections", csv("elections", [org("ORG-001")]), "e1.csv")
    storage.import_file(engine, "elections", csv("elections", [org("ORG-001"), org("ORG-002")]), "e2.csv")
    storage.import_file(engine, "org_life", csv("org_life", [meeting("ORG-002")]), "o.csv")

    result = storage.restore(engine, "elections", 1)

    assert not result.accepted
    assert [(p.rule, p.value) for p in result.problems.errors] == [
        ("referenced.org_life.org_code", "ORG-002")
    ]
    assert len(storage.list_versions(engine, "elections")) == 2


def test_restoring_org_life_whose_organisation_has_gone_is_refused(engine: sa.Engine) -> None:
    storage.import_file(engine, "elections", csv("elections", [org("ORG-001"), org("ORG-002")]), "e1.csv")
    storage.import_file(engine, "org_life", csv("org_life", [meeting("ORG-002")]), "o1.csv")
    storage.import_file(engine, "org_life", csv("org_life", [meeting("ORG-001")]), "o2.csv", mode="replace")
    storage.import_file(engine, "elections", csv("elections", [org("ORG-001")]), "e2.csv")

    result = storage.restore(engine, "org_life", 1)

    assert [(p.rule, p.value) for p in result.problems.errors] == [("foreign_key.org_code", "ORG-002")]


# ---------------------------------------------------------------------------
# CLI, export and templates


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        capture_output=True,
        cwd=REPO,
        env=os.environ | {"PYTHONIOENCODING": "utf-8"},
        encoding="utf-8",
        timeout=120,
    )


def test_the_cli_imports_exports_lists_and_rolls_back_both_ledgers(sqlite_url: str, tmp_path: Path) -> None:
    assert cli("migrate").returncode == 0
    (tmp_path / "e.csv").write_bytes(csv("elections", [org("ORG-001")]))
    (tmp_path / "t.csv").write_bytes(
        csv("tasks", [task("DB-1"), task("DB-2", status="待办", closed_date="")])
    )
    (tmp_path / "o.csv").write_bytes(csv("org_life", [meeting("ORG-001", expected="20", attended="21")]))
    (tmp_path / "bad.csv").write_bytes(csv("org_life", [meeting("ORG-404")]))
    assert cli("import", "elections", str(tmp_path / "e.csv")).returncode == 0

    run = cli("import", "tasks", str(tmp_path / "t.csv"), "--json")
    payload = json.loads(run.stdout)
    assert (run.returncode, payload["accepted"], payload["added"]) == (0, True, 2)
    run = cli("import", "org_life", str(tmp_path / "o.csv"), "--json")
    payload = json.loads(run.stdout)
    assert (run.returncode, payload["version"]) == (0, 1)
    assert [w["rule"] for w in payload["warnings"]] == ["org_life.attended_over_expected"]
    run = cli("import", "org_life", str(tmp_path / "bad.csv"), "--json")
    assert run.returncode == 1
    assert [(e["rule"], e["line"]) for e in json.loads(run.stdout)["errors"]] == [("foreign_key.org_code", 2)]

    for name in ("tasks", "org_life"):
        out = tmp_path / f"{name}-out.csv"
        assert cli("export", name, "-o", str(out)).returncode == 0
        again = cli("import", name, str(out), "--json", "--mode", "upsert")
        assert again.returncode == 0, again.stdout
        assert json.loads(again.stdout)[("added")] == json.loads(again.stdout)["changed"] == 0
    assert "tasks" in cli("history", "tasks").stdout
    (tmp_path / "t2.csv").write_bytes(csv("tasks", [task("DB-3")]))
    assert cli("import", "tasks", str(tmp_path / "t2.csv"), "--mode", "replace").returncode == 0
    assert cli("rollback", "tasks", "1").returncode == 0
    engine = storage.make_engine(sqlite_url)
    assert storage.load_current(engine, "tasks")["task_code"].tolist() == ["DB-1", "DB-2"]


@pytest.mark.parametrize("name", ["tasks", "org_life"])
def test_the_blank_templates_example_row_is_a_valid_upload(name: str) -> None:
    for data, file_name in ((template_csv(name), "t.csv"), (template_xlsx(name), "t.xlsx")):
        checked = validate(name, read_table(data, file_name), refs={"elections": {"ORG-001"}})
        assert checked.ok and len(checked.frame) == 1, [p.as_dict() for p in checked.problems.errors]


def test_prefilled_templates_and_exports_of_the_demo_upload_back_with_no_change(engine: sa.Engine) -> None:
    load_demo(engine, DEMO_DAY)
    for name in ("tasks", "org_life"):
        before = storage.load_current(engine, name)
        for data, file_name in (
            (prefilled_xlsx(name, before), "一表通.xlsx"),
            (to_csv_bytes(name, before), "e.csv"),
        ):
            result = storage.import_file(engine, name, data, file_name, mode=Mode.REPLACE)
            assert result.accepted, result.to_json()["errors"]
            assert (result.added, result.changed, result.removed) == (0, 0, 0)
        pd.testing.assert_frame_equal(storage.load_current(engine, name), before)


# ---------------------------------------------------------------------------
# The demo agrees with the seed article


@pytest.fixture
def demo(engine: sa.Engine) -> dict[str, pd.DataFrame]:
    load_demo(engine, DEMO_DAY)
    return {name: storage.load_current(engine, name) for name in DATASETS}


def test_demo_tasks_come_out_of_the_meetings_and_are_mostly_closed_the_same_day(demo) -> None:
    tasks, meetings = demo["tasks"], demo["meetings"]
    today = pd.Timestamp(DEMO_DAY)
    from_meetings = tasks[tasks["source"].isin(["dispatch", "weekly", "morning", "evening"])]
    assert len(from_meetings) > 200
    held = set(zip(meetings["date"], meetings["type"], strict=True))
    assert set(zip(from_meetings["raised_date"], from_meetings["source"], strict=True)) <= held
    decided = meetings.groupby(["date", "type"])["decisions"].sum()
    raised = from_meetings.groupby(["raised_date", "source"]).size()
    assert (raised <= decided.reindex(raised.index)).all()  # no more items than decisions taken

    closed = tasks[tasks["status"] == "closed"]
    assert len(closed) / len(tasks) > 0.85
    assert (closed["closed_date"] == closed["raised_date"]).mean() > 0.5  # 日事日毕、日清日结
    assert (closed["closed_date"] <= closed["deadline"]).mean() > 0.9
    still_open = tasks[tasks["status"] != "closed"]
    overdue = still_open[still_open["deadline"] < today]
    assert 1 <= len(overdue) <= 15  # a few overdue
    assert (tasks["raised_date"] <= today).all() and (closed["closed_date"] <= today).all()


def test_demo_enterprise_forums_raise_the_seed_articles_problems_mostly_solved(demo) -> None:
    forum = demo["tasks"][demo["tasks"]["source"] == "enterprise_forum"]
    assert set(forum["unit"]) == {"创新大厦联合党支部"} and set(forum["domain"]) == {"enterprise"}
    for topic in ("资金短缺", "人才流失", "项目申报"):
        assert forum["title"].str.contains(topic).any()
    assert forum["title"].str.contains("工商注册|税务登记").any()
    assert (forum["status"] == "closed").mean() > 0.8


def test_demo_org_life_covers_the_33_organisations_for_a_year_nearly_all_on_rhythm(demo) -> None:
    life, orgs = demo["org_life"], demo["elections"]
    assert set(life["org_code"]) == set(orgs["org_code"]) and life["org_code"].nunique() == 33
    today = pd.Timestamp(DEMO_DAY)
    assert life["date"].max() <= today and life["date"].min() >= today - pd.Timedelta(days=365)
    months = pd.period_range(today.to_period("M") - 11, today.to_period("M") - 1, freq="M")  # closed ones
    quarters = pd.period_range(today.to_period("Q") - 3, today.to_period("Q") - 1, freq="Q")
    held_m = set(zip(life["org_code"], life["type"], life["date"].dt.to_period("M"), strict=True))
    held_q = set(zip(life["org_code"], life["type"], life["date"].dt.to_period("Q"), strict=True))
    owed = [(o, t, m, held_m) for o in orgs["org_code"] for t in ("committee", "group_meeting", "party_day")
            for m in months]  # fmt: skip
    owed += [(o, t, q, held_q) for o in orgs["org_code"] for t in ("general_meeting", "party_lecture")
             for q in quarters]  # fmt: skip
    missing = [(o, t, p) for o, t, p, held in owed if (o, t, p) not in held]
    assert 0 < len(missing) <= 0.03 * len(owed)  # nearly all on rhythm, a few gaps for the warnings
    assert len({o for o, _, _ in missing}) <= 6
    assert (life["attended"] <= life["expected"]).all()


def test_the_demo_rhythm_holds_whatever_day_it_is_loaded(engine: sa.Engine) -> None:
    """Dates move with the load day; every calendar month still has its meetings."""
    for day in (date(2026, 3, 1), date(2026, 12, 2)):
        load_demo(engine, day)
        life = storage.load_current(engine, "org_life")
        today = pd.Timestamp(day)
        months = pd.period_range(today.to_period("M") - 11, today.to_period("M") - 1, freq="M")
        party_days = life[life["type"] == "party_day"]
        per_month = party_days.groupby([party_days["org_code"], party_days["date"].dt.to_period("M")]).size()
        missing = (
            33 * len(months)
            - per_month.reindex(pd.MultiIndex.from_product([sorted(set(life["org_code"])), months]))
            .notna()
            .sum()
        )
        assert 0 <= missing <= 3
        assert (life["date"] <= today).all() and (life["date"] > today - timedelta(days=366)).all()


# ---------------------------------------------------------------------------
# The upload page and the drill-down read them from the contract


def test_the_upload_page_recognises_each_ledger_by_its_header() -> None:
    from dashboard.store.uploads import guess_dataset

    for name in ("tasks", "org_life", "meetings", "elections"):
        assert guess_dataset(template_csv(name), f"{name}.csv") == name
    english = b"org_code,date,type,topic,attended\nORG-001,2025-06-03,party_day,x,3\n"
    assert guess_dataset(english, "x.csv") == "org_life"


def test_the_boards_frames_carry_both_ledgers_and_their_rows_read_as_a_drill_shows_them(demo_db: str) -> None:
    from dashboard import board as presenter
    from dashboard import i18n
    from dashboard.insights.filters import Filters
    from dashboard.store.export import to_text_frame

    frames = presenter.CACHE.frames(Filters())
    for name in ("tasks", "org_life"):
        assert len(frames[name]) == len(storage.load_current(storage.make_engine(), name)) > 0
        text = to_text_frame(name, frames[name].head(3), mask_personal=True)
        assert list(text.columns) == list(get_dataset(name).headers)
        headers_en = i18n.headers_in(get_dataset(name), list(text.columns), "en")
        assert headers_en == [c.header_en for c in get_dataset(name).columns]
    owners = to_text_frame("tasks", frames["tasks"], mask_personal=True)["责任人"]
    assert not owners.str.endswith("**").any()  # a staff member's name is never masked
    assert set(to_text_frame("org_life", frames["org_life"])["类型"]) <= set(
        get_dataset("org_life").column("type").enum.labels
    )
