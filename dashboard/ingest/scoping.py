"""A scope applied to typed frames: which column and values mark a row as the scope's own.

The declaration is the contract's (:mod:`dashboard.contract.scopes`); this module turns it
into masks, for the upload check (ingest/validation), the scoped replace (store) and the
scoped view (insights/board). Values are compared as text (party group 2 is "2").
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard import contract
from dashboard.contract.scopes import OFFICE_WIDE, SCOPE_COLUMNS, SCOPE_VIA, Scope, covers, unit_names
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
