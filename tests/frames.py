"""Typed frames for metric and chart tests: tiny hand-checkable ones and a city-sized one.

Small frames go through ``frames.coerce_types`` so they have exactly the
dtypes ``storage.load_current`` returns. The city-sized frames (5,000
organisations, 100,000 properties, 1,000,000 activities) are built column by
column with numpy so they cost a second, not a minute.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from dashboard import contract
from dashboard.ingest.frames import coerce_types, typed_empty
from dashboard.insights.metrics import Frames


def typed(dataset: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows (dicts keyed by contract column name, missing keys = empty) as a typed frame."""
    if not rows:
        return typed_empty(dataset)
    return coerce_types(dataset, pd.DataFrame(rows)).reset_index(drop=True)


def frames(**by_name: list[dict[str, Any]] | pd.DataFrame) -> Frames:
    """All six datasets; those not given are empty typed frames (no version yet)."""
    out: Frames = {}
    for name in contract.DATASETS:
        value = by_name.get(name, [])
        out[name] = value if isinstance(value, pd.DataFrame) else typed(name, value)
    return out


def _dates(rng: np.random.Generator, start: date, days: int, n: int) -> np.ndarray:
    offsets = rng.integers(0, days, n)
    return (np.datetime64(start, "s") + offsets.astype("timedelta64[D]")).astype("datetime64[s]")


def _text(prefix: str, n: int) -> pd.Series:
    return pd.Series(np.char.add(prefix, np.arange(n).astype(str)), dtype="string")


def _codes(rng: np.random.Generator, enum: contract.Enum, n: int) -> pd.Series:
    return pd.Series(
        np.asarray(enum.codes, dtype=object)[rng.integers(0, len(enum.codes), n)], dtype="string"
    )


def city_frames(today: date, seed: int = 0) -> Frames:
    """A city: 5,000 organisations, 500 brands, 1,000,000 activities over two years,
    100,000 properties, 30 milestones, 3,000 meetings, 20,000 督办 items."""
    rng = np.random.default_rng(seed)
    start = today - timedelta(days=85)
    n = 5_000
    stage = _codes(rng, contract.ELECTION_STAGE, n)
    completed = pd.Series(_dates(rng, today - timedelta(days=300), 290, n)).where(
        stage.eq("completed").to_numpy()
    )
    elections = pd.DataFrame(
        {
            "org_code": _text("ORG-", n),
            "org_name": _text("Org ", n),
            "org_type": _codes(rng, contract.ORG_TYPE, n),
            "members": pd.Series(rng.integers(3, 200, n), dtype="Int64"),
            "stage": stage,
            "supervisor": _text("Supervisor ", n),
            "planned_date": pd.Series(_dates(rng, today - timedelta(days=300), 300, n)),
            "completed_date": completed.astype("datetime64[s]"),
            "term_end": pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]"),
            "turnout": pd.Series(rng.uniform(80, 100, n), dtype="Float64"),
            "note": pd.Series(pd.NA, index=range(n), dtype="string"),
        }
    )
    nb = 500
    brands = pd.DataFrame(
        {
            "project_code": _text("BR-", nb),
            "community": _text("Community ", nb),
            "brand_name": _text("Brand ", nb),
            "category": _codes(rng, contract.BRAND_CATEGORY, nb),
            "status": _codes(rng, contract.BRAND_STATUS, nb),
            "start_date": pd.Series(_dates(rng, today - timedelta(days=900), 600, nb)),
            "owner": _text("Owner ", nb),
            "target_activities": pd.Series(rng.integers(10, 60, nb), dtype="Int64"),
            "note": pd.Series(pd.NA, index=range(nb), dtype="string"),
        }
    )
    na = 1_000_000
    activities = pd.DataFrame(
        {
            "date": pd.Series(_dates(rng, today - timedelta(days=729), 730, na)),
            "project_code": pd.Series(
                brands["project_code"].to_numpy()[rng.integers(0, nb, na)], dtype="string"
            ),
            "title": _text("Activity ", na),
            "type": _codes(rng, contract.ACTIVITY_TYPE, na),
            "participants": pd.Series(rng.integers(0, 100, na), dtype="Int64"),
            "volunteers": pd.Series(rng.integers(0, 10, na), dtype="Int64"),
        }
    )
    npr = 100_000
    status = _codes(rng, contract.PROPERTY_STATUS, npr)
    rank = status.map({c: i for i, c in enumerate(contract.PROPERTY_STATUS.codes)}).to_numpy()
    signed = pd.Series(_dates(rng, start, 60, npr))
    vacated = signed + pd.to_timedelta(rng.integers(0, 15, npr), unit="D")
    demolished = vacated + pd.to_timedelta(rng.integers(0, 10, npr), unit="D")
    demolition = pd.DataFrame(
        {
            "property_id": _text("P-", npr),
            "household": _text("Household ", npr),
            "category": pd.Series(rng.integers(1, 7, npr), dtype="Int64"),
            "party_group": pd.Series(rng.integers(1, 5, npr), dtype="Int64"),
            "status": status,
            "signed_date": signed.where(rank >= 2).astype("datetime64[s]"),
            "vacated_date": vacated.where(rank >= 3).astype("datetime64[s]"),
            "demolished_date": demolished.where(rank >= 4).astype("datetime64[s]"),
            "key_household": pd.Series(rng.random(npr) < 0.05, dtype="boolean"),
            "area_m2": pd.Series(rng.uniform(50, 400, npr), dtype="Float64"),
            "note": pd.Series(pd.NA, index=range(npr), dtype="string"),
        }
    )
    milestones = typed(
        "milestones",
        [
            {
                "milestone_code": f"M-{i:02d}",
                "phase": 1 + i // 10,
                "name": f"Milestone {i}",
                "planned_start": start + timedelta(days=3 * i),
                "planned_end": start + timedelta(days=3 * i + 10),
                "actual_end": start + timedelta(days=3 * i + 9) if 3 * i + 9 < 85 else None,
                "progress": 100 if 3 * i + 9 < 85 else 50,
            }
            for i in range(30)
        ],
    )
    nm = 3_000
    meetings = pd.DataFrame(
        {
            "date": pd.Series(_dates(rng, today - timedelta(days=729), 730, nm)),
            "type": _codes(rng, contract.MEETING_TYPE, nm),
            "topic": _text("Topic ", nm),
            "chair": _text("Chair ", nm),
            "attendees": pd.Series(rng.integers(5, 40, nm), dtype="Int64"),
            "decisions": pd.Series(rng.integers(0, 8, nm), dtype="Int64"),
        }
    )
    nt = 20_000  # 督办 items over two years, most closed, a few hundred open
    raised = pd.Series(_dates(rng, today - timedelta(days=729), 730, nt))
    deadline = raised + pd.to_timedelta(rng.integers(0, 15, nt), unit="D")
    closed = raised + pd.to_timedelta(rng.integers(0, 20, nt), unit="D")
    done = (rng.random(nt) < 0.97) & (closed <= pd.Timestamp(today)).to_numpy()
    tasks = pd.DataFrame(
        {
            "task_code": _text("DB-", nt),
            "raised_date": raised,
            "source": _codes(rng, contract.TASK_SOURCE, nt),
            "domain": _codes(rng, contract.TASK_DOMAIN, nt),
            "title": _text("Item ", nt),
            "owner": pd.Series([f"Owner {i % 300}" for i in range(nt)], dtype="string"),
            "unit": pd.Series([f"Unit {i % 400}" for i in range(nt)], dtype="string"),
            "deadline": deadline.astype("datetime64[s]"),
            "status": pd.Series(np.where(done, "closed", "in_progress"), dtype="string"),
            "closed_date": closed.where(done).astype("datetime64[s]"),
            "outcome": pd.Series(pd.NA, index=range(nt), dtype="string"),
            "note": pd.Series(pd.NA, index=range(nt), dtype="string"),
        }
    )
    return {
        "elections": elections,
        "brands": brands,
        "activities": activities,
        "demolition": demolition,
        "milestones": milestones,
        "meetings": meetings,
        "tasks": tasks,
    }


def demo_frames(today: date) -> Frames:
    """The demo ledgers as loaded on ``today``, read and validated like an upload (no database)."""
    from dashboard.demo.load import demo_bytes
    from dashboard.ingest.reading import read_table
    from dashboard.ingest.validation import validate

    out: Frames = {}
    for name in contract.DATASETS:
        checked = validate(name, read_table(demo_bytes(name, today), f"{name}.csv"))
        assert checked.ok, checked.problems.errors[:3]
        out[name] = checked.frame.reset_index(drop=True)
    return out
