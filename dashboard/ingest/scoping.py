"""A scope applied to typed frames: which column and values mark a row as the scope's own.

The declaration is the contract's (:mod:`dashboard.contract.scopes`); this module turns it
into masks, for the upload check (ingest/validation), the scoped replace (store) and the
scoped view (insights/board). Values are compared as text (party group 2 is "2").
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard import contract
from dashboard.contract import normalise_text
from dashboard.contract.scopes import (
    OFFICE_WIDE,
    SCOPE_COLUMNS,
    SCOPE_NAMES,
    SCOPE_VIA,
    Scope,
    covers,
    unit_names,
)
from dashboard.ingest.frames import typed_empty


def _frame(frames: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    got = frames.get(name)
    return got if got is not None else typed_empty(contract.get_dataset(name))


def as_text(series: pd.Series) -> pd.Series:
    """Cells as text for comparing with scope values (missing stays missing)."""
    return series.astype("string")


def needs(dataset: str) -> tuple[str, ...]:
    """The ledgers :func:`allowed` reads for ``dataset`` (brands for activities, elections for tasks)."""
    if dataset in SCOPE_VIA:
        return (SCOPE_VIA[dataset].ref_dataset,)
    return ("elections",) if dataset == "tasks" else ()


def allowed(
    scope: Scope, dataset: str, frames: Mapping[str, pd.DataFrame]
) -> tuple[str, frozenset[str]] | None:
    """(column, values) of ``dataset``'s rows in ``scope``; None: the scope reaches none of them.

    ``frames`` holds the ledgers :func:`needs` names, as they are now.
    """
    via = SCOPE_VIA.get(dataset)
    if via is not None:
        inner = allowed(scope, via.ref_dataset, frames)
        if inner is None:
            return None
        ref = _frame(frames, via.ref_dataset)
        mask = as_text(ref[inner[0]]).isin(inner[1]).fillna(False).astype(bool)
        return via.column, frozenset(as_text(ref.loc[mask, via.ref_column]).dropna())
    column = SCOPE_COLUMNS.get(dataset, {}).get(scope.kind)
    if column is None:
        return None
    if column == "unit":
        el = _frame(frames, "elections")
        names = dict(zip(as_text(el["org_code"]), as_text(el["org_name"]), strict=True))
        return column, unit_names(scope, {k: v for k, v in names.items() if isinstance(v, str)})
    return column, frozenset(scope.values)


def naming(scope: Scope) -> tuple[str, ...]:
    """The ledgers :func:`unknown_values` reads: those naming the scope's kind, tasks (its 责任单位)
    and elections (an organisation's name in a 责任单位)."""
    return tuple(dict.fromkeys([*(name for name, _ in SCOPE_NAMES[scope.kind]), "tasks", "elections"]))


def unknown_values(scope: Scope, frames: Mapping[str, pd.DataFrame]) -> tuple[str, ...] | None:
    """The scope's values no current ledger names, in the scope's order; None when every ledger
    that could name them is still empty (nothing to check against yet).

    ``frames`` holds the ledgers :func:`naming` lists. Both sides are compared normalised
    (:func:`normalise_text`), as an upload's cells are.
    """
    read = [(name, column) for name, column in SCOPE_NAMES[scope.kind]]
    if all(_frame(frames, name).empty for name, _ in read) and _frame(frames, "tasks").empty:
        return None
    known: set[str] = set()
    for name, column in read:
        known |= {normalise_text(v) for v in as_text(_frame(frames, name)[column]).dropna().unique()}
    units = {normalise_text(v) for v in as_text(_frame(frames, "tasks")["unit"]).dropna().unique()}
    el = _frame(frames, "elections")
    names = {
        k: v
        for k, v in zip(as_text(el["org_code"]), as_text(el["org_name"]), strict=True)
        if isinstance(k, str) and isinstance(v, str)
    }
    return tuple(
        v
        for v in scope.values
        if v not in known and not unit_names(Scope(scope.kind, (v,)), names) & units
    )


def in_scope(frame: pd.DataFrame, column: str, values: frozenset[str]) -> pd.Series:
    """True for the rows whose ``column`` is one of ``values``."""
    return as_text(frame[column]).isin(values).fillna(False).astype(bool)


def visible(dataset: str, scope: Scope) -> bool:
    """Whether a scoped account reads any of ``dataset``: its scope reaches it, or it is office-wide."""
    return dataset in OFFICE_WIDE or covers(dataset, scope.kind)


def restrict(frames: Mapping[str, pd.DataFrame], scope: Scope | None) -> dict[str, pd.DataFrame]:
    """Every ledger narrowed to ``scope``: its own rows, office-wide ledgers whole, the rest empty."""
    out = {name: _frame(frames, name) for name in contract.DATASETS}
    if scope is None:
        return out
    narrowed: dict[str, pd.DataFrame] = {}
    for name, rows in out.items():
        if name in OFFICE_WIDE:
            narrowed[name] = rows
            continue
        got = allowed(scope, name, out)
        if got is None:
            narrowed[name] = rows.iloc[0:0]
        else:
            narrowed[name] = rows[in_scope(rows, *got).to_numpy()].reset_index(drop=True)
    return narrowed
