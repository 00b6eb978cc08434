"""One data version: the frames of every dataset, each read once per version (the loader).

The database is the truth: :func:`load_snapshot` reads the newest version of every dataset;
:class:`FrameStore` keeps the frames a new version of another dataset leaves unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from dashboard import clock, contract
from dashboard.ingest import frames as typed
from dashboard.insights import trends
from dashboard.insights.filters import Filters
from dashboard.insights.metrics import Frames
from dashboard.store import storage


class FrameStore:
    """Frames by (dataset, version number), each built once, from the version next to it when here.

    A new version of one dataset then reads that dataset alone (a city's
    million activities are not re-read because the demolition ledger
    changed), and of that dataset only the rows the version closed or opened
    (``storage.load_changes``): a replace that changes 1% of a million rows
    reads that 1%. The version it replaces is already here for the KPI
    deltas. Only the current and previous version of each dataset are kept.
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[str, int], storage.VersionRows] = {}

    def get(self, engine: Engine, dataset: str, number: int) -> pd.DataFrame:
        if number <= 0:
            return typed.typed_empty(contract.get_dataset(dataset))
        key = (dataset, number)
        if key not in self._rows:
            self._rows[key] = self._read(engine, dataset, number)
        return self._rows[key].frame

    def _read(self, engine: Engine, dataset: str, number: int) -> storage.VersionRows:
        near = [n for (name, n) in self._rows if name == dataset]
        if not near:
            return storage.load_rows(engine, dataset, number)
        since = min(near, key=lambda n: (abs(n - number), -n))
        return self._rows[(dataset, since)].apply(*storage.load_changes(engine, dataset, since, number))

    def keep_only(self, numbers: dict[str, int]) -> None:
        """Drop every version but the current and previous one of each dataset.

        A version the store holds that is neither (the one before a new version)
        stays until the new one has been built from it.
        """
        wanted = {(name, n) for name, number in numbers.items() for n in (number, number - 1)}
        for name, number in numbers.items():
            if not any((name, n) in self._rows for n in (number, number - 1)):
                older = [n for (other, n) in self._rows if other == name]
                if older:
                    wanted.add((name, max(older)))
        for key in set(self._rows) - wanted:
            del self._rows[key]


@dataclass
class Snapshot:
    """The frames of one data version; ``previous`` (for KPI deltas) is read on first use."""

    today: date
    latest: dict[str, storage.VersionInfo]
    current: Frames
    _read: Callable[[str, int], pd.DataFrame] | None = None
    _previous: Frames | None = None

    @property
    def stamp(self) -> int:
        """The newest version id: what ``storage.data_stamp`` returns for this data."""
        return max((v.id for v in self.latest.values()), default=0)

    @property
    def version(self) -> str:
        """Stamp, newest version time and office date: a fresh database starts counting again."""
        newest = max((v.created_at for v in self.latest.values()), default=None)
        return f"{self.stamp}|{newest.isoformat() if newest else '-'}|{self.today.isoformat()}"

    def previous(self) -> Frames:
        """Each dataset's previous version (an empty frame when there is none)."""
        if self._previous is None:
            self._previous = {
                name: self._read(name, self.latest[name].number - 1)
                if self._read is not None and name in self.latest
                else typed.typed_empty(contract.get_dataset(name))
                for name in contract.DATASETS
            }
        return self._previous


def load_snapshot(engine: Engine, today: date, store: FrameStore | None = None) -> Snapshot:
    """Read the newest version of every dataset (the database is the truth)."""
    store = store or FrameStore()
    latest = storage.latest_versions(engine)
    numbers = {name: latest[name].number if name in latest else 0 for name in contract.DATASETS}
    store.keep_only(numbers)

    def read(name: str, number: int) -> pd.DataFrame:
        return store.get(engine, name, number)

    current = {name: read(name, numbers[name]) for name in contract.DATASETS}
    current.update(trends.history(engine, today, current))  # trend.<id> curves for the trend charts
    return Snapshot(today=today, latest=latest, current=current, _read=read)


def snapshot_as_of(engine: Engine, day: date) -> Snapshot:
    """The data as it stood at the end of office day ``day`` (a past week's report, not cached)."""
    latest: dict[str, storage.VersionInfo] = {}
    for v in storage.list_versions(engine):
        if v.created_at.astimezone(clock.OFFICE_TZ).date() <= day and (
            v.dataset not in latest or v.number > latest[v.dataset].number
        ):
            latest[v.dataset] = v
    store = FrameStore()

    def read(name: str, number: int) -> pd.DataFrame:
        return store.get(engine, name, number)

    current = {name: read(name, latest[name].number if name in latest else 0) for name in contract.DATASETS}
    current.update(trends.history(engine, day, current))
    return Snapshot(today=day, latest=latest, current=current, _read=read)


def filtered(snapshot: Snapshot, filters: Filters | None) -> Snapshot:
    """The snapshot narrowed by ``filters`` (current and previous alike, so deltas compare like
    with like); the history curves are dropped and the trend charts redraw from the filtered rows."""
    if filters is None or filters.empty:
        return snapshot
    return Snapshot(
        today=snapshot.today,
        latest=snapshot.latest,
        current=filters.apply(snapshot.current),
        _previous=filters.apply(snapshot.previous()),
    )
