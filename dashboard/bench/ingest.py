"""Ingest benchmark: import time against pandas' pyarrow CSV reader alone.

Each measurement runs in a child process of its own so that its peak memory
(VmHWM) is its own. The import is the whole pipeline a staff upload goes
through: read + validate + store, in one transaction, into a fresh database.
Target (issue 2): import / read_csv(engine="pyarrow") <= 3 at 1M rows.
Each CSV is measured twice (issue 11): its first import into an empty
database, then a replace by the same ledger with 1% of its rows edited (as
staff upload the next month's file): that import's time against the parse of
that file, and the rows it stored against the rows in the file (about 1%).
Peak growth: the child's VmHWM less its RSS just before the import, against
the file's size (target <= 3x).
A version writing many rows commits them as one blob and moves them into the
ledger table in a thread right after (storage.settle): the import's time is until
it returns (committed, readable); ``settled_s`` is until the rows are in the table,
and the peak growth is the process's through both (the move runs in it).
Each CSV's first import is also made once more, into a database of its own, and the new
version read back whole at once (``read_new_s``: an export opened right after the upload).
Spreadsheets (issue 9): the same ledger as .xlsx (one sheet) and .xls (one
sheet per 50,000 rows, as .xls holds 65,536), timed beside pandas'
read_excel(engine="calamine"); target: a 100,000-row .xlsx within 3 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_RATIO = 3.0
TARGET_GROWTH = 3.0  # peak memory growth / file size
REPLACED_FRACTION = 0.01
TARGET_XLSX_S = 3.0  # seconds for a 100,000-row .xlsx
SHEET_KINDS = ("xlsx", "xls")


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    detail: dict


def _child(argv: list[str]) -> None:
    """Run one measurement in this (child) process and print JSON."""
    kind, path = argv[0], Path(argv[1])
    data = path.read_bytes()
    if kind == "baseline":
        import pandas as pd

        t0 = time.perf_counter()
        if path.suffix == ".csv":
            count = len(pd.read_csv(path, engine="pyarrow"))
        else:
            count = sum(map(len, pd.read_excel(path, sheet_name=None, engine="calamine").values()))
        seconds = time.perf_counter() - t0
        print(json.dumps({"seconds": seconds, "rows": count, "peak_mb": _status_mb("VmHWM")}))
        return
    import sqlalchemy as sa

    from dashboard.store import storage

    engine = storage.make_engine(argv[2])
    storage.migrate(engine)
    mode = "replace" if kind == "replace" else None
    before_mb = _status_mb("VmRSS")
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = storage.import_file(engine, "demolition", data, path.name, user="bench", mode=mode)
    seconds, cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    import_peak_mb = _status_mb("VmHWM")  # the move may have begun: an upper bound of the import's own
    if kind == "read":  # the new version read back at once (an export), its rows maybe still moving
        t1 = time.perf_counter()
        count = len(storage.load_version(engine, "demolition", result.version))
        print(json.dumps({"seconds": time.perf_counter() - t1, "rows": count, "import_s": seconds}))
        storage.wait_settled()
        return
    storage.wait_settled()
    settled_s = time.perf_counter() - t0
    peak_mb = _status_mb("VmHWM")
    if not result.accepted:
        raise SystemExit(f"bench import rejected: {result.to_json()['errors'][:3]}")
    with engine.connect() as conn:  # what the version wrote, counted in the ledger itself
        stored = conn.execute(
            sa.text("SELECT count(*) FROM ledger_demolition WHERE version_from = :v"), {"v": result.version}
        ).scalar_one()
    print(json.dumps({
        "seconds": seconds, "cpu_s": cpu_s, "rows": result.rows, "version": result.version, "stored": stored,
        "settled_s": settled_s, "rss_before_mb": before_mb, "peak_mb": peak_mb,
        "import_peak_mb": import_peak_mb,
        "changed": result.added + result.changed + result.removed,
    }))  # fmt: skip


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (its high-water mark) of this process (Linux), in MiB.

    The child's own VmHWM, not the ``ru_maxrss`` its parent sees: Linux carries the parent's
    high-water mark into a forked child across exec, so ``ru_maxrss`` showed the benchmark's
    own peak (generating a million-row file) for every child that stayed below it.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure(args: list[str]) -> Measured:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.bench", "_child", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {args}")
    detail = json.loads(out.strip().splitlines()[-1])
    peak_mb = detail.get("peak_mb") or usage.ru_maxrss / 1024
    return Measured(seconds=detail["seconds"], peak_mb=peak_mb, detail=detail)


def _fresh_db_url(kind: str, workdir: Path, name: str = "bench.db") -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / name}"
    import uuid

    import sqlalchemy as sa

    base = os.environ.get("DASHBOARD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = "bench_" + uuid.uuid4().hex[:8]
    with sa.create_engine(base).begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    return f"{base}?options=-csearch_path%3D{schema}"


def _drop_pg_schema(url: str) -> None:
    import sqlalchemy as sa

    base, _, opts = url.partition("?")
    schema = opts.rsplit("%3D", 1)[-1]
    with sa.create_engine(base).begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def run(rows_list: list[int], dbs: list[str], sheet_rows: list[int] | None = None) -> list[dict]:
    """Measure each CSV size (and each spreadsheet size) on each database; print a table; return the rows."""
    from dashboard.bench import synthetic
    from dashboard.bench.page import data_dir_env

    results = []
    print(
        f"{'rows':>9} {'kind':<5} {'case':<8} {'db':<10} {'baseline s':>10} {'import s':>9} {'rows/s':>10} "
        f"{'ratio':>6} {'target':>7} {'settled s':>9} {'peak MB':>8} {'growth MB':>9} {'stored':>9}"
    )
    cases = [(rows, "csv") for rows in rows_list]
    cases += [(rows, kind) for rows in sheet_rows or [] for kind in SHEET_KINDS]
    for rows, kind in cases:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp, data_dir_env(Path(tmp) / "data"):
            workdir = Path(tmp)  # the children's versions' copies go in its data folder
            path = workdir / f"demolition_{rows}.{kind}"
            path.write_bytes(getattr(synthetic, f"demolition_{kind}")(rows))
            changed = workdir / f"demolition_{rows}_changed.{kind}"
            if kind == "csv":
                edited = synthetic.changed_csv(path.read_bytes(), "demolition", 0, REPLACED_FRACTION)
                changed.write_bytes(edited)
            for db in dbs:
                url = _fresh_db_url(db, workdir)
                try:
                    base = _measure(["baseline", str(path)])
                    imp = _measure(["import", str(path), url])
                    results.append(_row(rows, kind, db, "first", path, base, imp))
                    if kind == "csv":  # read back at once; then the next month's file: 1% of the rows edited
                        results[-1]["read_new_s"] = _read_right_after(db, path, workdir)
                        base = _measure(["baseline", str(changed)])
                        imp = _measure(["replace", str(changed), url])
                        results.append(_row(rows, kind, db, "replace", changed, base, imp))
                finally:
                    if db != "sqlite":
                        _drop_pg_schema(url)
                    else:
                        (workdir / "bench.db").unlink(missing_ok=True)
    return results


def _read_right_after(db: str, path: Path, workdir: Path) -> float:
    """Seconds to read a new version whole right after its import returned, in a database of its
    own: a big version's rows are then still moving into the ledger table (its copy is read)."""
    url = _fresh_db_url(db, workdir, "read.db")
    try:
        return round(_measure(["read", str(path), url]).seconds, 3)
    finally:
        if db != "sqlite":
            _drop_pg_schema(url)
        else:
            (workdir / "read.db").unlink(missing_ok=True)


def _row(rows: int, kind: str, db: str, case: str, path: Path, base: Measured, imp: Measured) -> dict:
    """One measured import as named figures; prints its line of the table."""
    ratio = imp.seconds / base.seconds
    file_mb = path.stat().st_size / 1e6
    growth_mb = imp.peak_mb - imp.detail.get("rss_before_mb", 0.0)
    row = {
        "rows": rows,
        "kind": kind,
        "case": case,
        "db": db,
        "file_mb": round(file_mb, 1),
        "baseline": "read_csv(pyarrow)" if kind == "csv" else "read_excel(calamine)",
        "read_csv_s": round(base.seconds, 3),
        "import_s": round(imp.seconds, 3),
        "import_cpu_s": round(imp.detail.get("cpu_s", 0.0), 3),  # this process only (not the server's)
        "settled_s": round(imp.detail.get("settled_s", imp.seconds), 3),  # rows in the ledger table
        "import_growth_mb": round(
            imp.detail.get("import_peak_mb", imp.peak_mb) - imp.detail.get("rss_before_mb", 0.0), 1
        ),
        "rows_per_s": round(rows / imp.seconds),
        "ratio": round(ratio, 2),
        "stored_rows": imp.detail.get("stored"),
        "stored_fraction": round(imp.detail.get("stored", 0) / rows, 4),
        "peak_mb": round(imp.peak_mb, 1),
        "growth_mb": round(growth_mb, 1),
        "growth_per_file": round(growth_mb / (file_mb / 1.048576), 2),  # MiB over MiB
        "target_growth": TARGET_GROWTH,
        "baseline_peak_mb": round(base.peak_mb, 1),
    }
    if kind == "csv":
        row |= {"target_ratio": TARGET_RATIO, "met": ratio <= TARGET_RATIO}
        if case == "replace":  # "stores about that 1%": at most half as much again
            row["stored_met"] = row["stored_fraction"] <= REPLACED_FRACTION * 1.5
        target = "<= 3"
    else:
        row |= {"target_s": TARGET_XLSX_S if kind == "xlsx" else None}
        row["met"] = imp.seconds <= TARGET_XLSX_S if kind == "xlsx" and rows <= 100_000 else None
        target = "<= 3 s" if kind == "xlsx" else "-"
    print(
        f"{rows:>9} {kind:<5} {case:<8} {db:<10} {base.seconds:>10.3f} {imp.seconds:>9.3f} "
        f"{row['rows_per_s']:>10,} {ratio:>6.2f} {target:>7} {row['settled_s']:>9.3f} {imp.peak_mb:>8.0f} "
        f"{growth_mb:>9.0f} "
        f"{row['stored_rows']:>9,}",
        flush=True,
    )
    return row
