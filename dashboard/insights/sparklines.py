"""Every overview KPI across recent versions: the small trend line under each card's figure.

The points are office days: each day in the last SPARK_DAYS on which any ledger got a version,
the last SPARK_POINTS of them, and today last. At a point every dataset stands at its last version
uploaded by the end of that day, and each KPI is what its card showed then
(:func:`metrics.overview_kpis` with that day as today: "this month" is that day's month). So
any KPI ``overview_kpis`` returns (the 督办 and 组织生活 groups too) gets a line with no code of
its own.

Cost, bounded whatever the history. Points already computed are kept in ``memo`` (by day and
the versions they used, per worker), so a new upload evaluates only the newest point. A build
evaluates at most SPARK_EVAL_ROWS // (rows of all ledgers now) points, newest first: all 30 at
the demo's size (2,400 rows, about 0.05 s each), two at a city's (1.1 million rows, about 0.4 s
each), the line then filling in with the next versions. Per dataset, one read of the rows alive
over the versions those points need (:func:`storage.load_versions_between`: the current rows
plus those changed or removed since), none when they have the current version; a read that
would exceed SPARK_ROW_BUDGET rows (a city's million activities appended weekly) narrows to the
newest versions that fit and the points before them are left out: the line covers fewer days
rather than making the overview slow.
Language-free: days and numbers; ``dashboard.board`` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import clock, contract
from dashboard.ingest import typed_empty
from dashboard.insights import metrics
from dashboard.store import storage

SPARK_POINTS = 30  # at most this many points per line (what a page carries is bounded by it)
SPARK_DAYS = 100  # over at most the last 100 office days
SPARK_ROW_BUDGET = 250_000  # rows read per dataset for past versions, at most
SPARK_EVAL_ROWS = 3_000_000  # ledger rows gone through per build (points evaluated x rows per point)

Point = tuple[date, tuple[tuple[str, int], ...]]  # a day and each dataset's version number on it
Memo = MutableMapping[Point, dict[str, float | None]]


def _office_day(info: storage.VersionInfo) -> date:
    return info.created_at.astimezone(clock.OFFICE_TZ).date()


def points(versions: list[storage.VersionInfo], today: date) -> list[Point]:
    """The days to plot, oldest first (today last), with each dataset's version number on each."""
    recent = [v for v in versions if today - timedelta(days=SPARK_DAYS) < _office_day(v) <= today]
    days = sorted({_office_day(v) for v in recent} | {today})[-SPARK_POINTS:]
    by_dataset: dict[str, list[tuple[date, int]]] = {}
    for v in sorted(versions, key=lambda v: v.number):
        by_dataset.setdefault(v.dataset, []).append((_office_day(v), v.number))
    out = []
    for day in days:
        numbers = []
        for name in contract.DATASETS:
            upto = [n for d, n in by_dataset.get(name, []) if d <= day]
            numbers.append((name, max(upto, default=0)))
        out.append((day, tuple(numbers)))
    return out


def _affordable(engine: Engine, name: str, needed: list[int], last: int) -> list[int]:
    """The needed past versions of ``name`` whose rows, read together, stay within the budget."""
    needed = sorted(needed)
    while needed and storage.count_rows_between(engine, name, needed[0], last) > SPARK_ROW_BUDGET:
        needed = needed[1:]
    return needed


def kpi_history(
    engine: Engine,
    today: date,
    current: Mapping[str, pd.DataFrame],
    latest: Mapping[str, storage.VersionInfo],
    memo: Memo | None = None,
) -> pd.DataFrame:
    """Each overview KPI (columns, by id) at each point (DatetimeIndex of office days), NaN when
    a KPI had no value; empty before the first version. ``current``/``latest``: the data now."""
    memo = {} if memo is None else memo
    numbers_now = {name: latest[name].number if name in latest else 0 for name in contract.DATASETS}
    # Only the versions the snapshot holds: one uploaded since it was read (the history is read on
    # first use, maybe seconds later) belongs to the next snapshot; counted here, its point asked
    # for rows nobody had read (KeyError, the overview failed to build under a steady upload load).
    versions = [v for v in storage.list_versions(engine) if v.number <= numbers_now.get(v.dataset, 0)]
    wanted = points(versions, today)
    if not any(numbers_now.values()):
        return pd.DataFrame()
    rows_now = sum(len(metrics.frame(current, name)) for name in contract.DATASETS)
    todo = [p for p in wanted if p not in memo][-max(1, SPARK_EVAL_ROWS // max(1, rows_now)) :]
    # past versions the points to evaluate need, read once per dataset within the row budget
    needed: dict[str, set[int]] = {}
    for _, numbers in todo:
        for name, n in numbers:
            if 0 < n < numbers_now[name]:
                needed.setdefault(name, set()).add(n)
    readable: dict[str, storage.VersionSpan] = {}
    for name, ns in needed.items():
        fits = _affordable(engine, name, list(ns), max(ns))
        if fits:
            readable[name] = storage.load_versions_between(engine, name, fits[0], max(ns))
        if lost := ns - set(fits):  # too costly to read: their points are left out
            todo = [p for p in todo if dict(p[1])[name] not in lost]
    sliced: dict[tuple[str, int], pd.DataFrame] = {}  # a version used by several points, sliced once
    for day, numbers in todo:
        frames = {name: _frame(name, n, numbers_now, current, readable, sliced) for name, n in numbers}
        memo[(day, numbers)] = {k.id: k.value for k in metrics.overview_kpis(frames, {}, day)}
    for key in set(memo) - set(wanted):  # keep only the points still plotted
        del memo[key]
    done = [(day, memo[(day, numbers)]) for day, numbers in wanted if (day, numbers) in memo]
    index = pd.DatetimeIndex([pd.Timestamp(d) for d, _ in done])
    return pd.DataFrame([values for _, values in done], index=index).astype(float)


def _frame(
    name: str,
    number: int,
    now: Mapping[str, int],
    current: Mapping[str, pd.DataFrame],
    readable: Mapping[str, storage.VersionSpan],
    sliced: dict[tuple[str, int], pd.DataFrame],
) -> pd.DataFrame:
    if number == 0:
        return typed_empty(contract.get_dataset(name))
    if number == now[name]:
        return metrics.frame(current, name)
    if (name, number) not in sliced:
        sliced[(name, number)] = readable[name].at(number)
    return sliced[(name, number)]
