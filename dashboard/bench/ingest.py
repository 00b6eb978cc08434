"""Ingest benchmark: import time against pandas' pyarrow CSV reader alone.

Each measurement runs in a child process of its own so that its peak memory
(max RSS) is its own. The import is the whole pipeline a staff upload goes
through: read + validate + store, in one transaction, into a fresh database.
Target (issue 2): import / read_csv(engine="pyarrow") <= 3 at 1M rows.
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
        frame = pd.read_csv(path, engine="pyarrow")
        seconds = time.perf_counter() - t0
        print(json.dumps({"seconds": seconds, "rows": len(frame)}))
        return
    from dashboard.store import storage

    engine = storage.make_engine(argv[2])
    storage.migrate(engine)
    t0 = time.perf_counter()
    result = storage.import_file(engine, "demolition", data, path.name, user="bench")
    seconds = time.perf_counter() - t0
    if not result.accepted:
        raise SystemExit(f"bench import rejected: {result.to_json()['errors'][:3]}")
    print(json.dumps({"seconds": seconds, "rows": result.rows, "version": result.version}))


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
    return Measured(seconds=detail["seconds"], peak_mb=usage.ru_maxrss / 1024, detail=detail)


def _fresh_db_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
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


def run(rows_list: list[int], dbs: list[str]) -> list[dict]:
    """Measure each size on each database; print a table; return the rows."""
    from dashboard.bench.synthetic import demolition_csv

    results = []
    print(
        f"{'rows':>9} {'db':<10} {'read_csv s':>10} {'import s':>9} {'rows/s':>10} "
        f"{'ratio':>6} {'target':>7} {'peak MB':>8} {'base MB':>8}"
    )
    for rows in rows_list:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            workdir = Path(tmp)
            path = workdir / f"demolition_{rows}.csv"
            path.write_bytes(demolition_csv(rows))
            for db in dbs:
                url = _fresh_db_url(db, workdir)
                try:
                    base = _measure(["baseline", str(path)])
                    imp = _measure(["import", str(path), url])
                finally:
                    if db != "sqlite":
                        _drop_pg_schema(url)
                ratio = imp.seconds / base.seconds
                row = {
                    "rows": rows,
                    "db": db,
                    "file_mb": round(path.stat().st_size / 1e6, 1),
                    "read_csv_s": round(base.seconds, 3),
                    "import_s": round(imp.seconds, 3),
                    "rows_per_s": round(rows / imp.seconds),
                    "ratio": round(ratio, 2),
                    "target_ratio": TARGET_RATIO,
                    "met": ratio <= TARGET_RATIO,
                    "peak_mb": round(imp.peak_mb, 1),
                    "baseline_peak_mb": round(base.peak_mb, 1),
                }
                results.append(row)
                print(
                    f"{rows:>9} {db:<10} {base.seconds:>10.3f} {imp.seconds:>9.3f} "
                    f"{row['rows_per_s']:>10,} {ratio:>6.2f} {'<= 3':>7} {imp.peak_mb:>8.0f} "
                    f"{base.peak_mb:>8.0f}",
                    flush=True,
                )
    return results
