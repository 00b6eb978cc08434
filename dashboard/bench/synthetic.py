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


XLS_SHEET_ROWS = 50_000  # .xls holds 65,536 rows a sheet: a big ledger is one sheet a month


def _demolition_cells(rows: int, seed: int) -> tuple[list[str], list[list[object]]]:
    """The CSV ledger's rows as an office keeps them: numbers as numbers, dates as date cells."""
    import datetime as dt

    text = demolition_csv(rows, seed).decode("utf-8").splitlines()
    header = [h.strip('"') for h in text[0].split(",")]
    ints = {header.index(DEMOLITION.column(n).header) for n in ("category", "party_group")}
    floats = {header.index(DEMOLITION.column("area_m2").header)}
    dates = {
        header.index(DEMOLITION.column(n).header) for n in ("signed_date", "vacated_date", "demolished_date")
    }
    out: list[list[object]] = []
    for line in text[1:]:
        row: list[object] = []
        for i, cell in enumerate(line.split(",")):
            if not cell:
                row.append(None)
            elif i in ints:
                row.append(int(cell))
            elif i in floats:
                row.append(float(cell))
            elif i in dates:
                row.append(dt.date.fromisoformat(cell))
            else:
                row.append(cell)
        out.append(row)
    return header, out


def demolition_xlsx(rows: int, seed: int = 7) -> bytes:
    """The same ledger as an .xlsx (one sheet), written by openpyxl as Excel would store it."""
    import openpyxl

    header, body = _demolition_cells(rows, seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(header)
    for row in body:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def demolition_xls(rows: int, seed: int = 7) -> bytes:
    """The same ledger as an Excel 97-2003 .xls (xlwt, a dev dependency): one sheet per 50,000 rows."""
    import xlwt

    header, body = _demolition_cells(rows, seed)
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for n, start in enumerate(range(0, max(len(body), 1), XLS_SHEET_ROWS)):
        sheet = book.add_sheet(f"{n + 1}月")
        for c, name in enumerate(header):
            sheet.write(0, c, name)
        for r, row in enumerate(body[start : start + XLS_SHEET_ROWS], start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if hasattr(value, "isoformat"):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# Ledger -> the column a 1% change edits, not part of the key (so a row changes, it is not
# replaced) and still valid after the edit: demolition's note gains a mark, an activity
# gets more participants than the generator ever writes.
CHANGED_COLUMN = {"demolition": "note", "activities": "participants"}


def changed_csv(data: bytes, dataset: str, round_no: int, fraction: float = 0.01) -> bytes:
    """``data`` (a CSV of ``dataset``) with ``fraction`` of its rows edited (a different slice each round)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from dashboard import contract

    header = contract.get_dataset(dataset).column(CHANGED_COLUMN[dataset]).header
    names = pacsv.open_csv(io.BytesIO(data)).schema.names
    as_text = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False)
    table = pacsv.read_csv(io.BytesIO(data), convert_options=as_text)  # every cell as written
    step = max(1, round(1 / fraction))
    hit = pa.array(np.arange(len(table)) % step == round_no % step)
    col = table.column(header)
    new = (
        pc.binary_join_element_wise(col, pa.scalar(f"改{round_no}"), "")
        if dataset == "demolition"
        else pa.scalar(str(201 + round_no))
    )
    edited = pc.if_else(hit, new, col)
    table = table.set_column(table.column_names.index(header), header, edited)
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="none"))  # as the city files are written
    return buf.getvalue()
