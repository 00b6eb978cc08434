"""What changed between two versions of a dataset, and one row's story through every version.

Both read the temporal ledger (:mod:`dashboard.store.tables`): a row belongs to the
versions ``version_from <= v < version_to``. Between versions ``a < b`` only the rows
opened or closed in ``(a, b]`` can differ, so those are all that is read:

- the *old side*: rows of ``a`` closed by ``b`` (``version_from <= a < version_to <= b``);
- the *new side*: rows of ``b`` opened after ``a`` (``a < version_from <= b < version_to``).

A key on both sides changed (unless it changed and changed back); only old, removed;
only new, added. Unchanged rows are never loaded, however large the ledger.

Values are compared and given back as the export writes them (:func:`to_text_frame`):
what a person sees in the CSV is what differs. Language-free: no display strings here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard.contract import Dataset, get_dataset
from dashboard.ingest import coerce_types, typed_empty
from dashboard.store.export import to_text_frame
from dashboard.store.storage import (
    _VERSION,
    KEY_SEPARATOR,
    PreviewRows,
    _decode,
    _fetchall,
    _quote,
    _sql,
    _version_row,
    reading,
)
from dashboard.store.tables import LEDGERS


@dataclass
class VersionDiff:
    """Rows added, removed and changed from version ``old`` to version ``new`` (0: before any)."""

    dataset: str
    old: int
    new: int
    added: pd.DataFrame  # typed rows, in the new version's ledger order
    removed: pd.DataFrame  # typed rows, in the old version's ledger order
    before: pd.DataFrame  # changed rows as they were (aligned with ``after``)
    after: pd.DataFrame  # changed rows as they are, in the new version's ledger order
    cells: list[tuple[int, str]]  # (row of before/after, column name) of every changed cell

    @property
    def counts(self) -> tuple[int, int, int]:
        """(added, removed, changed rows)."""
        return len(self.added), len(self.removed), len(self.after)

    @property
    def empty(self) -> bool:
        return not any(self.counts)

    def changes(self, *, mask_personal: bool = False) -> pd.DataFrame:
        """One line per changed cell: key, column (name), old, new: export text (missing: None)."""
        ds = get_dataset(self.dataset)
        if not self.cells:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ("key", "column", "old", "new")})
        # Vectorised: a version may change every cell of 100,000 rows.
        before = _named_text(ds, self.before, mask_personal).to_numpy(dtype=object, na_value=None)
        after = _named_text(ds, self.after, mask_personal).to_numpy(dtype=object, na_value=None)
        at = {name: i for i, name in enumerate(ds.column_names)}
        rows = np.fromiter((i for i, _ in self.cells), dtype=np.int64, count=len(self.cells))
        cols = np.fromiter((at[c] for _, c in self.cells), dtype=np.int64, count=len(self.cells))
        return pd.DataFrame(
            {
                "key": np.array(key_texts(ds, self.after), dtype=object)[rows],
                "column": np.array(ds.column_names, dtype=object)[cols],
                "old": before[rows, cols],
                "new": after[rows, cols],
            },
            dtype=object,
        )

    def to_json(self, *, mask_personal: bool = False) -> dict[str, Any]:
        """The CLI's ``--json``: rows as {column name: export text}; changes as key/column/old/new."""
        ds = get_dataset(self.dataset)
        return {
            "dataset": self.dataset,
            "from": self.old,
            "to": self.new,
            "added": _records(ds, self.added, mask_personal),
            "removed": _records(ds, self.removed, mask_personal),
            "changed": _change_records(self.changes(mask_personal=mask_personal)),
        }


def _change_records(changes: pd.DataFrame) -> list[dict[str, str | None]]:
    names = ("key", "column", "old", "new")
    return [dict(zip(names, r, strict=True)) for r in zip(*(changes[n].tolist() for n in names), strict=True)]


def _named_text(ds: Dataset, frame: pd.DataFrame, mask_personal: bool) -> pd.DataFrame:
    """Export text under the column names (not the Chinese headers)."""
    text = to_text_frame(ds, frame, mask_personal=mask_personal)
    text.columns = list(ds.column_names)
    return text.reset_index(drop=True)


def _plain(value: Any) -> str | None:
    missing = value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
    return None if missing else str(value)


def _records(ds: Dataset, frame: pd.DataFrame, mask_personal: bool) -> list[dict[str, str | None]]:
    values = _named_text(ds, frame, mask_personal).to_numpy(dtype=object, na_value=None)
    names = list(ds.column_names)
    return [dict(zip(names, row, strict=True)) for row in values.tolist()]


def key_texts(ds: Dataset, frame: pd.DataFrame) -> list[str]:
    """Each row's key as a person reads it: key values joined with ' / '."""
    text = _named_text(ds, frame[list(ds.column_names)], mask_personal=False)
    parts = [text[k].astype("string").fillna("").tolist() for k in ds.key]
    return [" / ".join(p) for p in zip(*parts, strict=True)]


def diff_versions(engine: Engine, dataset: str, old: int, new: int) -> VersionDiff:
    """What changed from version ``old`` to ``new`` (either order; 0 is the empty start).

    Raises KeyError when either is not a version of ``dataset`` (0 excepted).
    """
    ds = get_dataset(dataset)
    low, high = sorted((old, new))
    with reading(engine, ds.name, above=low, upto=high) as conn:
        for number in (old, new):
            if number != 0 and _version_row(conn, ds.name, number) is None:
                raise KeyError(f"{dataset} has no version {number}")
        if old == new:
            empty = typed_empty(ds)
            return VersionDiff(ds.name, old, new, empty, empty, empty, empty, [])
        table = _quote(conn, LEDGERS[ds.name].name)
        closed = "version_from <= ? AND version_to > ? AND version_to <= ?"
        opened = "version_from > ? AND version_from <= ? AND (version_to IS NULL OR version_to > ?)"
        gone = _side(conn, ds, table, closed, (low, low, high))
        came = _side(conn, ds, table, opened, (low, high, high))
    if old > new:  # going back: what was opened is removed, what was closed comes back
        gone, came = came, gone
    return _compare(ds, old, new, gone, came)


def version_changes(engine: Engine, dataset: str, number: int) -> VersionDiff:
    """What version ``number`` changed: the diff from the version before it."""
    return (
        diff_versions(engine, dataset, number - 1, number)
        if number >= 1
        else diff_versions(engine, dataset, number, number)
    )


def preview_diff(dataset: str, current: int, rows: PreviewRows) -> VersionDiff:
    """What a checked upload would change, as the version page will show it once confirmed
    (version ``current`` -> ``current + 1``), for the first rows of each kind
    (:class:`~dashboard.store.storage.PreviewRows`)."""
    none = np.empty(0, dtype=np.int64)
    old, new = (rows.old, rows.old_keys, none), (rows.new, rows.new_keys, none)
    return _compare(get_dataset(dataset), current, current + 1, old, new)


def _side(
    conn: Connection, ds: Dataset, table: str, where: str, params: tuple[int, ...]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(typed rows, row keys, positions) of the ledger rows matching ``where``, in ledger order."""
    names = ", ".join(_quote(conn, n) for n in ds.column_names)
    sql = _sql(conn, f"SELECT position, row_key, {names} FROM {table} WHERE {where}")
    rows = _fetchall(conn, sql, params)
    if not rows:
        return typed_empty(ds), np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    grid = np.array(rows, dtype=object)
    positions = grid[:, 0].astype(np.int64)
    order = np.argsort(positions, kind="stable")
    grid, positions = grid[order], positions[order]
    frame = pd.DataFrame({c.name: _decode(grid[:, i + 2], c.type) for i, c in enumerate(ds.columns)})
    return coerce_types(ds, frame), grid[:, 1], positions


def _compare(
    ds: Dataset,
    old: int,
    new: int,
    gone: tuple[pd.DataFrame, np.ndarray, np.ndarray],
    came: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> VersionDiff:
    old_rows, old_keys, _ = gone
    new_rows, new_keys, _ = came
    at_old = pd.Index(old_keys).get_indexer(new_keys)  # -1: a key the old side lacks
    both = at_old >= 0
    in_new = np.zeros(len(old_keys), dtype=bool)
    in_new[at_old[both]] = True
    before = old_rows.iloc[at_old[both]].reset_index(drop=True)
    after = new_rows[both].reset_index(drop=True)
    cells: list[tuple[int, str]] = []
    if len(after):
        old_text = _named_text(ds, before, False)
        new_text = _named_text(ds, after, False)
        differs = (old_text.fillna("\x00") != new_text.fillna("\x00")).to_numpy()
        rows, cols = np.nonzero(differs)  # row-major: a row's cells together, in column order
        names = list(ds.column_names)
        kept = np.flatnonzero(differs.any(axis=1))  # a row changed and changed back differs nowhere
        renumber = np.full(len(after), -1)
        renumber[kept] = np.arange(len(kept))
        cells = [(int(renumber[r]), names[c]) for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]
        before, after = before.iloc[kept].reset_index(drop=True), after.iloc[kept].reset_index(drop=True)
    return VersionDiff(
        dataset=ds.name,
        old=old,
        new=new,
        added=new_rows[~both].reset_index(drop=True),
        removed=old_rows[~in_new].reset_index(drop=True),
        before=before,
        after=after,
        cells=cells,
    )


# ---------------------------------------------------------------------------
# One row through every version


@dataclass
class KeyState:
    """One stretch of a row's life: its values from version ``first`` until ``until`` (None: now)."""

    first: int
    until: int | None
    row: dict[str, Any]  # typed values by column name
    created_at: datetime  # when version ``first`` was made (UTC)
    user: str  # who made it
    changed: list[str]  # columns that differ from the stretch before (all of them for the first)
    gap_before: bool  # the row was absent just before ``first`` (removed, then back)
    removed_at: datetime | None = None  # the row left the ledger at version ``until`` (then, by whom)
    removed_by: str = ""


def key_history(engine: Engine, dataset: str, key: str | list[str]) -> list[KeyState]:
    """Every stored state of the row whose key is ``key`` (a key value, or the key's values), oldest
    first, with the version that made it, when and by whom. Empty when the key never existed."""
    ds = get_dataset(dataset)
    parts = [key] if isinstance(key, str) else list(key)
    row_key = KEY_SEPARATOR.join(parts)
    table = LEDGERS[ds.name]
    with reading(engine, ds.name) as conn:
        query = (
            sa.select(table.c.version_from, table.c.version_to, *(table.c[n] for n in ds.column_names))
            .where(table.c.row_key == row_key)
            .order_by(table.c.version_from)
        )
        stored = conn.execute(query).all()
        if not stored:
            return []
        numbers = {r.version_from for r in stored} | {
            r.version_to for r in stored if r.version_to is not None
        }
        made = {
            v.number: (v.created_at, v.user)
            for v in conn.execute(
                sa.select(_VERSION.c.number, _VERSION.c.created_at, _VERSION.c.user).where(
                    _VERSION.c.dataset == ds.name, _VERSION.c.number.in_(numbers)
                )
            )
        }
    frame = coerce_types(ds, pd.DataFrame([{n: getattr(r, n) for n in ds.column_names} for r in stored]))
    text = _named_text(ds, frame, False)
    states: list[KeyState] = []

    def when(number: int) -> tuple[datetime, str]:
        at, user = made.get(number, (datetime.fromtimestamp(0, UTC), ""))
        return (at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)), user

    for i, r in enumerate(stored):
        at, user = when(r.version_from)
        removed = r.version_to is not None and (
            i + 1 == len(stored) or stored[i + 1].version_from != r.version_to
        )
        removed_at, removed_by = when(r.version_to) if removed else (None, "")
        if i == 0:
            changed = list(ds.column_names)
        else:
            changed = [n for n in ds.column_names if _plain(text.at[i, n]) != _plain(text.at[i - 1, n])]
        states.append(
            KeyState(
                first=r.version_from,
                until=r.version_to,
                row=frame.iloc[i].to_dict(),
                created_at=at,
                user=user,
                changed=changed,
                gap_before=i > 0 and stored[i - 1].version_to != r.version_from,
                removed_at=removed_at,
                removed_by=removed_by,
            )
        )
    return states
