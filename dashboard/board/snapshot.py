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
from dashboard.insights import Filters, Frames, sparklines, trends
from dashboard.store import rounds, storage


class FrameStore:
    """Frames by (dataset, version number), each read once.

    A new version of one dataset then reads that dataset alone (a city's
    million activities are not re-read because the demolition ledger
    changed), and the version it replaces is already here for the KPI
    deltas. Only the current and previous version of each dataset are kept.
    """

    def __init__(self) -> None:
        self._frames: dict[tuple[str, int], pd.DataFrame] = {}
        self.kpi_memo: sparklines.Memo = {}  # the KPI trend lines' points, kept across versions

    def get(self, engine: Engine, dataset: str, number: int) -> pd.DataFrame:
        if number <= 0:
            return typed.typed_empty(contract.get_dataset(dataset))
        key = (dataset, number)
        if key not in self._frames:
            self._frames[key] = storage.load_version(engine, dataset, number)
        return self._frames[key]

    def keep_only(self, numbers: dict[str, int]) -> None:
        wanted = {(name, n) for name, number in numbers.items() for n in (number, number - 1)}
        for key in set(self._frames) - wanted:
            del self._frames[key]


@dataclass
class Snapshot:
    """The frames of one data version; ``previous`` (for KPI deltas) is read on first use."""

    today: date
    latest: dict[str, storage.VersionInfo]
    current: Frames
    _read: Callable[[str, int], pd.DataFrame] | None = None
    _previous: Frames | None = None
    _history: Callable[[], pd.DataFrame] | None = None
    _kpi_trends: pd.DataFrame | None = None
    rounds: str = ""  # store.rounds.stamp when read: opening or closing a round rebuilds the views

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

    def kpi_trends(self) -> pd.DataFrame:
        """Each overview KPI at recent version days (``sparklines.kpi_history``), read on first use;
        empty for a filtered snapshot (the versions hold whole ledgers, not a filter's share)."""
        if self._kpi_trends is None:
            self._kpi_trends = self._history() if self._history is not None else pd.DataFrame()
        return self._kpi_trends


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
    current[rounds.OPEN_FRAME] = rounds.open_frame(engine)  # overdue reporting rounds warn

    def history() -> pd.DataFrame:
        return sparklines.kpi_history(engine, today, current, latest, store.kpi_memo)

    return Snapshot(
        today=today, latest=latest, current=current, _read=read, _history=history, rounds=rounds.stamp(engine)
    )


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
