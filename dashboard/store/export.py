"""Typed ledger frames back to the CSV staff would have typed.

The export is the inverse of an upload: Chinese headers, enum Chinese labels,
dates YYYY-MM-DD, 是/否, integers without ".0". It is UTF-8 *with* a BOM
because Excel on a Chinese Windows reads a BOM-less CSV as GBK and shows
mojibake.

Formula injection: a spreadsheet runs a cell that begins with ``= + - @``
(or a tab / carriage return) as a formula. Such TEXT cells are written with a
leading ``'`` so they stay inert text. The prefix is part of the exported
value: importing that file again stores ``'=...`` (the importer does not
guess whether a quote was typed by a person). Only text columns can hold such
values; numbers, dates, booleans and enum labels are rendered by us and never
start with a formula character (the contract has no negative columns).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.contract import ColType, Column, Dataset, get_dataset

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
TRUE_LABEL, FALSE_LABEL = "是", "否"


def mask_name(name: str | None) -> str | None:
    """'张三丰' -> '张**': keep the surname, hide the rest (and its length)."""
    if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
        return None
    name = str(name)
    return name[:1] + "**" if name else name


def make_inert(value: str) -> str:
    """Prefix ``'`` when a spreadsheet would run ``value`` as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _dataset(dataset: Dataset | str) -> Dataset:
    return dataset if isinstance(dataset, Dataset) else get_dataset(dataset)


def _number_text(value: float) -> str:
    """Shortest text that reads back as the same float; no '.0', no exponent."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return np.format_float_positional(value, trim="-")


def _numbers_text(floats: pd.Series) -> pd.Series:
    """Vectorised :func:`_number_text`: Arrow's shortest round-trip text, exponents spelled out."""
    arr = pa.array(floats.to_numpy(dtype=float, na_value=np.nan), from_pandas=True)
    out = pd.Series(pc.cast(arr, pa.string()).to_pandas(), index=floats.index, dtype="string")
    odd = out.str.contains("e", regex=False).fillna(False)  # 1e-07, 1e+22: rare, do them one by one
    if odd.any():
        out[odd] = [_number_text(v) for v in floats[odd].to_numpy(dtype=float)]
    return out


def _column_text(col: Column, s: pd.Series, mask_personal: bool) -> pd.Series:
    """One typed column as the strings a person would type (NA stays NA)."""
    missing = s.isna()
    if col.type is ColType.DATE:
        out = pd.to_datetime(s).dt.strftime("%Y-%m-%d").astype("string")
    elif col.type is ColType.BOOL:
        out = s.astype("boolean").map({True: TRUE_LABEL, False: FALSE_LABEL}).astype("string")
    elif col.type is ColType.INT:
        out = s.astype("Int64").astype("string")
    elif col.type in (ColType.NUMBER, ColType.PERCENT):
        out = _numbers_text(s.astype("Float64"))
    elif col.type is ColType.ENUM:
        assert col.enum is not None
        text = s.astype("string")
        out = text.map({c.code: c.label for c in col.enum.choices}).astype("string").fillna(text)
    else:
        out = s.astype("string")
        if col.personal and mask_personal:
            out = out.str[:1] + "**"
        out = out.where(~out.str.match(_FORMULA_RE).fillna(False), "'" + out)
    return out.where(~missing, pd.NA)


def to_text_frame(
    dataset: Dataset | str, frame: pd.DataFrame, *, mask_personal: bool = False
) -> pd.DataFrame:
    """The typed ``frame`` as strings under Chinese headers, contract order.

    Missing contract columns export as empty; extra columns are dropped.
    """
    ds = _dataset(dataset)
    cols = {}
    for col in ds.columns:
        s = frame[col.name] if col.name in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
        cols[col.header] = _column_text(col, s, mask_personal)
    return pd.DataFrame(cols, index=frame.index)


def to_csv_bytes(dataset: Dataset | str, frame: pd.DataFrame, *, mask_personal: bool = False) -> bytes:
    """CSV bytes (UTF-8 with BOM, CRLF) that Excel opens and our importer reads back."""
    text = to_text_frame(dataset, frame, mask_personal=mask_personal)
    out = text.to_csv(index=False, lineterminator="\r\n", na_rep="")
    return (BOM + out).encode("utf-8")


def template_csv(dataset: Dataset | str) -> bytes:
    """Header plus one example row: a blank form staff can start from."""
    ds = _dataset(dataset)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(ds.headers)
    writer.writerow([c.example for c in ds.columns])
    return (BOM + buf.getvalue()).encode("utf-8")
