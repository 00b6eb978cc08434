"""Synthetic ledgers of any size, shaped like the real ones, built with numpy.

Deterministic (seeded) so two runs time the same bytes.
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from dashboard.contract import DEMOLITION, PROPERTY_STATUS

SURNAMES = np.array(list("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"))


def _iso(days: np.ndarray, base: np.datetime64) -> np.ndarray:
    return np.datetime_as_string(base + days.astype("timedelta64[D]"), unit="D")


def demolition_csv(rows: int, seed: int = 7) -> bytes:
    """A valid demolition CSV (UTF-8, Chinese headers) with ``rows`` properties."""
    rng = np.random.default_rng(seed)
    status_rank = rng.integers(0, len(PROPERTY_STATUS.codes), rows)
    base = np.datetime64("2024-03-01")
    signed = rng.integers(0, 60, rows)
    vacated = signed + rng.integers(0, 15, rows)
    demolished = vacated + rng.integers(0, 15, rows)
    labels = np.array(PROPERTY_STATUS.labels)
    rank_of = {code: i for i, code in enumerate(PROPERTY_STATUS.codes)}

    def dates_from(start_code: str, days: np.ndarray) -> np.ndarray:
        out = _iso(days, base).astype(object)
        out[status_rank < rank_of[start_code]] = ""
        return out

    values = {
        "property_id": np.char.add("P", np.char.zfill(np.arange(1, rows + 1).astype(str), 7)),
        "household": np.char.add(SURNAMES[rng.integers(0, len(SURNAMES), rows)], "某某"),
        "category": rng.integers(1, 7, rows).astype(str),
        "party_group": rng.integers(1, 5, rows).astype(str),
        "status": labels[status_rank],
        "signed_date": dates_from("signed", signed),
        "vacated_date": dates_from("vacated", vacated),
        "demolished_date": dates_from("demolished", demolished),
        "key_household": np.where(rng.random(rows) < 0.05, "是", "否"),
        "area_m2": np.round(rng.uniform(40, 400, rows), 1).astype(str),
        "note": np.full(rows, ""),
    }
    table = pa.table(
        {DEMOLITION.column(name).header: pa.array(col.tolist(), pa.string()) for name, col in values.items()}
    )
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="none"))
    return buf.getvalue()
