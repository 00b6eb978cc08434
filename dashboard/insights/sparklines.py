"""Every overview KPI across recent versions: the small trend line under each card's figure.

The points are office days: each day in the last SPARK_DAYS on which any ledger got a version,
the last SPARK_POINTS of them, and today last. At a point every dataset stands at its last version
uploaded by the end of that day, and each KPI is what its card showed then
(:func:`metrics.overview_kpis` with that day as today: "this month" is that day's month). So
any KPI ``overview_kpis`` returns (the 督办 and 组织生活 groups too) gets a line with no code of
its own.

Cost, bounded whatever the history: at most SPARK_POINTS KPI evaluations, and per dataset one
read of the rows alive over the versions the points need (:func:`storage.load_versions_between`:
the current rows plus those changed or removed since), none when every point has the current
version. A read that would exceed SPARK_ROW_BUDGET rows (a city's million activities appended
weekly) narrows to the newest versions that fit, and the points before them are dropped: the line
then covers fewer days rather than making the overview slow. Points already computed are kept in
``memo`` (by day and the versions they used), so a new upload evaluates only the newest point.
Language-free: days and numbers; ``dashboard.board`` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import clock, contract
from dashboard.ingest.frames import typed_empty
from dashboard.insights import metrics
from dashboard.store import storage

SPARK_POINTS = 30  # at most this many points per line (what a page carries is bounded by it)
SPARK_DAYS = 100  # over at most the last 100 office days
SPARK_ROW_BUDGET = 250_000  # rows read per dataset for past versions, at most

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
    wanted = points(storage.list_versions(engine), today)
    if not wanted or all(n == 0 for n in numbers_now.values()):
        return pd.DataFrame()
    # past versions each dataset needs, read once per dataset within the budget
    needed: dict[str, set[int]] = {}
    for day, numbers in wanted:
        if (day, numbers) in memo:
            continue
        for name, n in numbers:
            if 0 < n < numbers_now[name]:
                needed.setdefault(name, set()).add(n)
    readable: dict[str, storage.VersionRows] = {}
    for name, ns in needed.items():
        fits = _affordable(engine, name, list(ns), max(ns))
        if fits:
            readable[name] = storage.load_versions_between(engine, name, fits[0], max(ns))
        if lost := ns - set(fits):  # too costly to read: their points are dropped
            wanted = [p for p in wanted if p in memo or dict(p[1])[name] not in lost]
    rows = []
    for day, numbers in wanted:
        key = (day, numbers)
        if key not in memo:
            frames = {name: _frame(name, n, numbers_now, current, readable) for name, n in numbers}
            memo[key] = {k.id: k.value for k in metrics.overview_kpis(frames, {}, day)}
        rows.append((day, memo[key]))
    for key in set(memo) - set(wanted):  # keep only the points still plotted
        del memo[key]
    index = pd.DatetimeIndex([pd.Timestamp(d) for d, _ in rows])
    return pd.DataFrame([values for _, values in rows], index=index).astype(float)


def _frame(
    name: str,
    number: int,
    now: Mapping[str, int],
    current: Mapping[str, pd.DataFrame],
    readable: Mapping[str, storage.VersionRows],
) -> pd.DataFrame:
    if number == 0:
        return typed_empty(contract.get_dataset(name))
    if number == now[name]:
        return metrics.frame(current, name)
    return readable[name].at(number)
