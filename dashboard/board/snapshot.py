"""One data version: the frames of every dataset, each read once per version (the loader).

The database is the truth: :func:`load_snapshot` reads the newest version of every dataset;
:class:`FrameStore` keeps the frames a new version of another dataset leaves unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from dashboard import clock, contract
from dashboard.ingest import frames as typed
from dashboard.insights import Filters, Frames, sparklines, trends
from dashboard.store import columnar, rounds, storage

Signature = tuple[tuple[str, int, str], ...]  # (dataset, version id, its time) of each dataset read


class FrameStore:
    """Frames by (dataset, version number), each built once, from the version next to it when here.

    A new version of one dataset then reads that dataset alone (a city's
    million activities are not re-read because the demolition ledger
    changed), and of that dataset only the rows the version closed or opened
    (``storage.load_changes``): a replace that changes 1% of a million rows
    reads that 1%. The version it replaces is already here for the KPI
    deltas. Only the current and previous version of each dataset are kept.
    """

    def __init__(self, disk: Path | None = None) -> None:
        self._disk = disk  # where versions are kept as columnar copies (store.columnar); None: nowhere
        self._rows: dict[tuple[str, int], storage.VersionRows] = {}
        # trend.<id> -> (office day, datasets it was computed from, their signature, the curve)
        self.curves: dict[str, tuple[date, frozenset[str], Signature | None, pd.DataFrame]] = {}
        self.kpi_memo: sparklines.Memo = {}  # the KPI trend lines' points, kept across versions

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
            return self._first(engine, dataset, number)
        since = min(near, key=lambda n: (abs(n - number), -n))
        return _changed(engine, dataset, since, self._rows[(dataset, since)], number)

    def _first(self, engine: Engine, dataset: str, number: int) -> storage.VersionRows:
        """This process's first read of ``dataset``: from the newest copy on disk and the rows
        changed since, else from the ledger; what was read from the ledger is kept on disk for
        the next worker that starts."""
        if self._disk is None:
            return storage.load_rows(engine, dataset, number)
        on_disk = columnar.copies(self._disk, engine, dataset)
        found = on_disk.newest(number)
        if found is not None and found[0] == number:
            return found[1]
        if found is None:
            rows = storage.load_rows(engine, dataset, number)
        else:
            rows = _changed(engine, dataset, found[0], found[1], number)
        on_disk.keep(number, rows)
        return rows

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


def _changed(
    engine: Engine, dataset: str, since: int, before: storage.VersionRows, number: int
) -> storage.VersionRows:
    """Version ``number`` from version ``since``'s rows and the rows changed in between."""
    after_id = int(before.ids.max()) if len(before.ids) else None
    return before.apply(*storage.load_changes(engine, dataset, since, number, after_id, before.ids))


EVERYTHING = "*"  # a read of every key (iteration): a view that did it depends on every dataset


class Reads(dict):
    """A mapping (frames, or the latest versions) that notes in ``log`` every key read.

    A board's view is built from a snapshot whose mappings are these, so the view
    cache knows which datasets the view depends on and can keep it when a new
    version of another dataset arrives. Iterating notes :data:`EVERYTHING`.
    """

    def __init__(self, data: Mapping[str, Any], log: set[str]) -> None:
        super().__init__(data)
        self.log = log

    def __getitem__(self, key: str) -> Any:
        self.log.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.log.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.log.add(str(key))
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self.log.add(EVERYTHING)
        return super().__iter__()

    def keys(self) -> Any:
        self.log.add(EVERYTHING)
        return super().keys()

    def values(self) -> Any:
        self.log.add(EVERYTHING)
        return super().values()

    def items(self) -> Any:
        self.log.add(EVERYTHING)
        return super().items()

    def copy(self) -> dict[str, Any]:
        self.log.add(EVERYTHING)
        return dict(super().items())


def unwatched(frames: Mapping[str, Any]) -> dict[str, Any]:
    """The same frames, reads not noted (the filter bar's choices, which the view cache refreshes)."""
    return dict(dict.items(frames)) if isinstance(frames, dict) else dict(frames)


@dataclass
class Snapshot:
    """The frames of one data version; ``previous`` (for KPI deltas) is read on first use.

    ``depends``: the datasets each derived frame (``trend.<id>``) was computed from.
    """

    today: date
    latest: dict[str, storage.VersionInfo]
    current: Frames
    _read: Callable[[str, int], pd.DataFrame] | None = None
    _previous: Frames | None = None
    _history: Callable[[], pd.DataFrame] | None = None
    _kpi_trends: pd.DataFrame | None = None
    rounds: str = ""  # store.rounds.stamp when read: opening or closing a round rebuilds the views
    depends: dict[str, frozenset[str]] = field(default_factory=dict)
    _source: Snapshot | None = None  # a watched snapshot: the one it reads through
    reads: set[str] | None = None  # a watched snapshot: the keys read so far

    @property
    def stamp(self) -> int:
        """The newest version id: what ``storage.data_stamp`` returns for this data."""
        return max((v.id for v in dict.values(self.latest)), default=0)

    @property
    def version(self) -> str:
        """Stamp, newest version time and office date: a fresh database starts counting again."""
        newest = max((v.created_at for v in dict.values(self.latest)), default=None)
        return f"{self.stamp}|{newest.isoformat() if newest else '-'}|{self.today.isoformat()}"

    def previous(self) -> Frames:
        """Each dataset's previous version (an empty frame when there is none)."""
        if self._source is not None:
            return Reads(self._source.previous(), self.reads if self.reads is not None else set())
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
        if self._source is not None:  # watched: the lines read every dataset's versions
            if self.reads is not None:
                self.reads.add(EVERYTHING)
            return self._source.kpi_trends()
        if self._kpi_trends is None:
            self._kpi_trends = self._history() if self._history is not None else pd.DataFrame()
        return self._kpi_trends

    def watched(self) -> Snapshot:
        """The same data, noting in ``reads`` every dataset (and derived frame) read through it."""
        reads: set[str] = set()
        return Snapshot(
            today=self.today,
            latest=Reads(self.latest, reads),
            current=Reads(self.current, reads),
            depends=self.depends,
            _source=self,
            reads=reads,
        )

    def signature(self, keys: set[str]) -> Signature | None:
        """What the datasets behind ``keys`` are in this snapshot (None: it depends on everything).

        Two snapshots with the same signature for a view's reads give that view the same content.
        """
        names: set[str] = set()
        for key in keys:
            if key in contract.DATASETS:
                names.add(key)
            elif key in self.depends:
                names |= self.depends[key]
            else:  # EVERYTHING, or a key nobody declared
                return None
        return _signature(self.latest, names)


def _signature(
    latest: Mapping[str, storage.VersionInfo], names: set[str] | frozenset[str]
) -> Signature | None:
    if not names <= set(contract.DATASETS):
        return None
    out = []
    for name in sorted(names):
        info = dict.get(latest, name) if isinstance(latest, dict) else latest.get(name)
        out.append((name, info.id, info.created_at.isoformat()) if info else (name, 0, ""))
    return tuple(out)


def _history(
    engine: Engine, today: date, current: Frames, latest: dict[str, storage.VersionInfo], store: FrameStore
) -> tuple[Frames, dict[str, frozenset[str]]]:
    """trends.history, noting which datasets each curve was computed from (its own, and the rows read).

    A curve whose datasets have no new version is taken from the store: an upload of the
    demolition ledger does not recount the elections' history.
    """
    curves: Frames = {}
    depends: dict[str, frozenset[str]] = {}
    for tid, measure in trends.MEASURES.items():
        key = trends.TREND_PREFIX + tid
        kept = store.curves.get(key)
        if (
            kept is not None
            and kept[0] == today
            and kept[2] is not None
            and _signature(latest, kept[1]) == kept[2]
        ):
            curves[key], depends[key] = kept[3], kept[1]
            continue
        reads: set[str] = set()
        curves[key] = trends.trend(engine, today, tid, Reads(current, reads))
        depends[key] = frozenset({measure.dataset, *reads})
        store.curves[key] = (today, depends[key], _signature(latest, depends[key]), curves[key])
    return curves, depends


def load_snapshot(engine: Engine, today: date, store: FrameStore | None = None) -> Snapshot:
    """Read the newest version of every dataset (the database is the truth)."""
    store = store or FrameStore()
    latest = storage.latest_versions(engine)
    numbers = {name: latest[name].number if name in latest else 0 for name in contract.DATASETS}
    store.keep_only(numbers)

    def read(name: str, number: int) -> pd.DataFrame:
        return store.get(engine, name, number)

    current = {name: read(name, numbers[name]) for name in contract.DATASETS}
    curves, depends = _history(engine, today, current, latest, store)  # trend.<id> curves for the charts
    current.update(curves)
    current[rounds.OPEN_FRAME] = rounds.open_frame(engine)  # overdue reporting rounds warn

    def history() -> pd.DataFrame:
        return sparklines.kpi_history(engine, today, current, latest, store.kpi_memo)

    return Snapshot(
        today=today, latest=latest, current=current, _read=read, depends=depends, _history=history,
        rounds=rounds.stamp(engine),
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
