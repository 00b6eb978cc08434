"""A city's ledgers as upload files: 5,000 organisations, 1,250 brands, 1,000,000 activities,
100,000 properties, 20,000 督办 items, a year of the 5,000 organisations' 组织生活 (about 215,000
meetings; plus the demo's milestones and meetings, dated for today).

Deterministic (seeded) and valid against the contract, so they go through
``storage.import_file`` like any staff upload; the page benchmark serves them.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Engine

from dashboard import clock, contract
from dashboard.bench.synthetic import demolition_csv
from dashboard.demo import demo_bytes
from dashboard.insights import RHYTHM
from dashboard.store import storage

ORGANISATIONS = 5_000
BRANDS = 1_250
ACTIVITIES = 1_000_000
PROPERTIES = 100_000
TASKS = 20_000


def _csv(dataset: str, columns: dict[str, np.ndarray]) -> bytes:
    """Columns keyed by contract name -> a UTF-8 CSV with the Chinese headers."""
    ds = contract.get_dataset(dataset)
    table = pa.table(
        {ds.column(name).header: pa.array(col.tolist(), pa.string()) for name, col in columns.items()}
    )
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="none"))
    return buf.getvalue()


def _days(today: date, offsets: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.datetime64(today) - offsets.astype("timedelta64[D]"), unit="D")


def _labels(enum: contract.Enum, idx: np.ndarray) -> np.ndarray:
    return np.asarray(enum.labels)[idx]


def elections_csv(today: date, rng: np.random.Generator, n: int = ORGANISATIONS) -> bytes:
    stage = rng.choice(len(contract.ELECTION_STAGE.codes), n, p=[0.04, 0.04, 0.04, 0.04, 0.04, 0.05, 0.75])
    done = stage == contract.ELECTION_STAGE.rank("completed")
    completed = np.where(done, _days(today, rng.integers(1, 300, n)), "")
    org_type = rng.choice(3, n, p=[0.6, 0.15, 0.25])
    suffix = np.where(org_type == 2, "社区党委", "村党支部")
    return _csv(
        "elections",
        {
            "org_code": np.char.add("ORG", np.char.zfill(np.arange(n).astype(str), 5)),
            "org_name": np.char.add(np.char.add("第", np.arange(n).astype(str)), suffix),
            "org_type": _labels(contract.ORG_TYPE, org_type),
            "members": rng.integers(5, 300, n).astype(str),
            "stage": _labels(contract.ELECTION_STAGE, stage),
            "supervisor": np.char.add("督导员", (np.arange(n) % 40).astype(str)),
            "planned_date": _days(today, rng.integers(-60, 300, n)),
            "completed_date": completed,
        },
    )


def brands_csv(rng: np.random.Generator, n: int = BRANDS) -> bytes:
    return _csv(
        "brands",
        {
            "project_code": np.char.add("BR", np.char.zfill(np.arange(n).astype(str), 5)),
            "community": np.char.add(np.char.add("第", (np.arange(n) * 4).astype(str)), "社区"),
            "brand_name": np.char.add("品牌", np.arange(n).astype(str)),
            "category": _labels(contract.BRAND_CATEGORY, rng.integers(0, 6, n)),
            "status": _labels(contract.BRAND_STATUS, rng.integers(0, 4, n)),
            "target_activities": rng.integers(10, 60, n).astype(str),
        },
    )


def activities_csv(today: date, rng: np.random.Generator, n: int = ACTIVITIES, brands: int = BRANDS) -> bytes:
    return _csv(
        "activities",
        {
            "date": _days(today, rng.integers(0, 730, n)),
            "project_code": np.char.add("BR", np.char.zfill(rng.integers(0, brands, n).astype(str), 5)),
            "title": np.char.add("活动", np.arange(n).astype(str)),
            "type": _labels(contract.ACTIVITY_TYPE, rng.integers(0, 7, n)),
            "participants": rng.integers(5, 200, n).astype(str),
            "volunteers": rng.integers(0, 30, n).astype(str),
        },
    )


def tasks_csv(today: date, rng: np.random.Generator, n: int = TASKS) -> bytes:
    """督办 items over two years: most closed within days of being raised, a few hundred open."""
    raised_ago = rng.integers(0, 730, n)
    due_in = rng.integers(0, 15, n)
    took = rng.integers(0, 20, n)
    closed = (rng.random(n) < 0.97) & (took <= raised_ago)
    status = np.where(closed, 2, rng.integers(0, 2, n))  # 已办结, else 待办 / 办理中
    units = np.char.add("第", np.char.add((np.arange(n) % 400).astype(str), "责任单位"))
    return _csv(
        "tasks",
        {
            "task_code": np.char.add("DB", np.char.zfill(np.arange(n).astype(str), 6)),
            "raised_date": _days(today, raised_ago),
            "source": _labels(contract.TASK_SOURCE, rng.integers(0, len(contract.TASK_SOURCE.codes), n)),
            "domain": _labels(contract.TASK_DOMAIN, rng.integers(0, len(contract.TASK_DOMAIN.codes), n)),
            "title": np.char.add("督办事项", np.arange(n).astype(str)),
            "owner": np.char.add("责任人", (np.arange(n) % 300).astype(str)),
            "unit": units,
            "deadline": _days(today, raised_ago - due_in),
            "status": _labels(contract.TASK_STATUS, status),
            "closed_date": np.where(closed, _days(today, raised_ago - took), ""),
        },
    )


ORG_LIFE_SKIP = 0.03  # share of required meetings not held: the gaps the board ranks


def org_life_csv(today: date, rng: np.random.Generator, n: int = ORGANISATIONS) -> bytes:
    """Each organisation's 三会一课 over the last twelve months, on rhythm but for a few gaps:
    one meeting per month of each monthly type and per quarter of each quarterly type, on a
    random day of the period up to today (``insights.org_life.RHYTHM``)."""
    month = np.datetime64(today, "M")
    quarter_start = np.datetime64(f"{today.year}-{3 * ((today.month - 1) // 3) + 1:02d}", "M")
    starts = {
        "month": month - np.arange(12),
        "quarter": quarter_start - 3 * np.arange(4),
    }
    span = {"month": 28, "quarter": 89}
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("org", "date", "type")}
    for code, kind in RHYTHM.items():
        periods = starts[kind].astype("datetime64[D]")
        org = np.repeat(np.arange(n), len(periods))
        day = np.tile(periods, n) + rng.integers(0, span[kind], org.size).astype("timedelta64[D]")
        keep = (rng.random(org.size) >= ORG_LIFE_SKIP) & (day <= np.datetime64(today))
        parts["org"].append(org[keep])
        parts["date"].append(day[keep])
        parts["type"].append(np.full(int(keep.sum()), contract.ORG_LIFE_TYPE.codes.index(code)))
    org, day, kind_idx = (np.concatenate(parts[k]) for k in ("org", "date", "type"))
    expected = rng.integers(5, 60, org.size)
    return _csv(
        "org_life",
        {
            "org_code": np.char.add("ORG", np.char.zfill(org.astype(str), 5)),
            "date": np.datetime_as_string(day, unit="D"),
            "type": _labels(contract.ORG_LIFE_TYPE, kind_idx),
            "topic": np.char.add("会议", kind_idx.astype(str)),
            "expected": expected.astype(str),
            "attended": (expected - rng.integers(0, 5, org.size).clip(0, expected)).astype(str),
        },
    )


def load_city(engine: Engine, today: date | None = None, seed: int = 11) -> dict[str, int]:
    """Import the city's ledgers (brands before activities, elections before org_life); rows per dataset."""
    today = today or clock.office_today()
    rng = np.random.default_rng(seed)
    files = {
        "elections": elections_csv(today, rng),
        "brands": brands_csv(rng),
        "activities": activities_csv(today, rng),
        "demolition": demolition_csv(PROPERTIES, seed=seed),
        "milestones": demo_bytes("milestones", today),
        "meetings": demo_bytes("meetings", today),
        "tasks": tasks_csv(today, rng),
        "org_life": org_life_csv(today, rng),
    }
    rows = {}
    for name in (n for n in contract.LOAD_ORDER if n in files):
        result = storage.import_file(engine, name, files[name], f"city-{name}.csv", user="bench")
        if not result.accepted:
            raise SystemExit(f"city {name} rejected: {result.to_json()['errors'][:3]}")
        rows[name] = result.rows
    return rows
