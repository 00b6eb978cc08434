"""Typed frames: the pandas dtypes the contract's column types become, empty or cast from stored rows.

Kept apart from validation (which speaks to people through the catalogue) so that insights and the
presenter can type their frames without loading any message: they are language-free.
"""

from __future__ import annotations

import pandas as pd

from dashboard.contract import ColType, Dataset, get_dataset

DTYPES: dict[ColType, str] = {
    ColType.TEXT: "string",
    ColType.ENUM: "string",
    ColType.INT: "Int64",
    ColType.NUMBER: "Float64",
    ColType.PERCENT: "Float64",
    ColType.BOOL: "boolean",
    ColType.DATE: "datetime64[s]",
}


def typed_empty(dataset: Dataset | str) -> pd.DataFrame:
    """Zero rows with the agreed dtypes, in contract order."""
    ds = get_dataset(dataset) if isinstance(dataset, str) else dataset
    return pd.DataFrame({c.name: pd.Series([], dtype=DTYPES[c.type]) for c in ds.columns})


def coerce_types(dataset: Dataset | str, frame: pd.DataFrame) -> pd.DataFrame:
    """Cast ``frame`` (e.g. rows read back from the database) to the agreed dtypes.

    Every contract column appears, in contract order; absent ones are all
    missing. Dates may arrive as date objects, strings or timestamps; bools
    as 0/1.
    """
    ds = get_dataset(dataset) if isinstance(dataset, str) else dataset
    out: dict[str, pd.Series] = {}
    for col in ds.columns:
        if col.name in frame.columns:
            s = frame[col.name]
        else:
            s = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        out[col.name] = _coerce(s, col.type)
    return pd.DataFrame(out, index=frame.index)


def _coerce(s: pd.Series, type_: ColType) -> pd.Series:
    if type_ in (ColType.TEXT, ColType.ENUM):
        return s.astype("string")
    if type_ == ColType.DATE:
        if s.dtype == "datetime64[s]":
            return s
        parsed = pd.to_datetime(s, errors="raise")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        return parsed.astype("datetime64[s]")
    if type_ == ColType.BOOL:
        if s.dtype == object:
            s = s.map(lambda v: None if v is None or v is pd.NA or v != v else bool(v))
        return s.astype("boolean")
    if s.dtype == object:
        s = pd.to_numeric(s)
    return s.astype(DTYPES[type_])
