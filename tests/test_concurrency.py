"""Uploads at the same moment, and a process killed mid-upload, on SQLite and PostgreSQL.

Two staff members pressing 上传 together must both get a version (distinct
numbers, none lost); a server killed while writing must leave the previous
version whole, with no half-written version behind it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from dashboard.bench.synthetic import demolition_csv
from dashboard.contract import get_dataset
from dashboard.ingest.reading import read_table
from dashboard.ingest.validation import validate
from dashboard.settings import REPO_ROOT
from dashboard.store import storage
from dashboard.store.tables import ledger_name
from tests.test_ledger_index import assert_index_is_the_current_rows

# A child process: import one file into DASHBOARD_DB_URL once the parent says go.
CHILD = """
import json, os, sys, time
from pathlib import Path
from dashboard.store import storage
path, go = Path(sys.argv[1]), Path(sys.argv[2])
data = path.read_bytes()
engine = storage.make_engine()
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
result = storage.import_file(engine, "demolition", data, path.name, user=path.stem)
print(json.dumps(result.to_json()), flush=True)
"""


def _child(path: Path, go: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(go)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),  # DASHBOARD_DB_URL from the db_url fixture
    )


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"


def _engine(db_url: str) -> sa.Engine:
    engine = storage.make_engine(db_url)
    storage.migrate(engine)
    return engine


def test_two_uploads_in_threads_at_once_both_become_versions(db_url: str) -> None:
    engine = _engine(db_url)
    files = {name: demolition_csv(5_000, seed=seed) for name, seed in (("甲", 1), ("乙", 2))}
    start = threading.Barrier(len(files))
    results = {}

    def upload(user: str) -> None:
        start.wait()
        results[user] = storage.import_file(engine, "demolition", files[user], f"{user}.csv", user=user)

    threads = [threading.Thread(target=upload, args=(user,)) for user in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(r.version for r in results.values()) == [1, 2]
    versions = storage.list_versions(engine, "demolition")
    assert sorted((v.number, v.user) for v in versions) == sorted((r.version, u) for u, r in results.items())
    # The later one is what is current: whole, not a mix of the two files.
    last = max(results, key=lambda u: results[u].version or 0)
    pd.testing.assert_frame_equal(storage.load_current(engine, "demolition"), _typed(files[last]))


def test_two_uploads_in_separate_processes_at_once_both_become_versions(db_url: str, tmp_path: Path) -> None:
    engine = _engine(db_url)
    go = tmp_path / "go"
    paths = []
    for name, seed in (("甲", 1), ("乙", 2)):
        paths.append(tmp_path / f"{name}.csv")
        paths[-1].write_bytes(demolition_csv(20_000, seed=seed))
    children = [_child(path, go) for path in paths]
    for child in children:
        _wait_ready(child)

    go.touch()
    outputs = [child.communicate(timeout=120)[0] for child in children]

    assert [child.returncode for child in children] == [0, 0]
    results = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    assert all(r["accepted"] for r in results)
    assert sorted(r["version"] for r in results) == [1, 2]
    assert sorted(v.number for v in storage.list_versions(engine, "demolition")) == [1, 2]


def test_a_process_killed_mid_upload_leaves_the_previous_version_whole(db_url: str, tmp_path: Path) -> None:
    engine = _engine(db_url)
    first = demolition_csv(200_000, seed=1)
    began = time.perf_counter()
    assert storage.import_file(engine, "demolition", first, "v1.csv").version == 1
    duration = time.perf_counter() - began
    before = storage.load_current(engine, "demolition")
    big = tmp_path / "v2.csv"
    big.write_bytes(demolition_csv(200_000, seed=2))  # changes nearly every row: a long write

    # Reading and validating take about a tenth of an upload; writing the rest.
    # Killing at these fractions of the first upload's duration lands in the write.
    killed = 0
    for fraction in (0.3, 0.6, 0.9):
        go = tmp_path / f"go-{fraction}"
        child = _child(big, go)
        _wait_ready(child)
        go.touch()
        time.sleep(duration * fraction)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        killed += child.returncode == -signal.SIGKILL
        _assert_whole(engine)
    assert killed, "every child finished before the kill; nothing was interrupted"

    versions = storage.list_versions(engine, "demolition")
    if len(versions) == 1:  # no child got to commit: version 1 is untouched
        pd.testing.assert_frame_equal(storage.load_current(engine, "demolition"), before)
    # And the next upload works, numbered after whatever was committed.
    result = storage.import_file(engine, "demolition", demolition_csv(1_000, seed=3), "v3.csv")
    assert result.version == versions[0].number + 1
    _assert_whole(engine)


def _assert_whole(engine: sa.Engine) -> None:
    """Every stored row belongs to a committed version, and the newest one is complete.

    A child killed after its commit may have left that version's rows pending (``ledger_pending``):
    what every reader does first, moving them into the ledger, is done here too.
    """
    storage.settle(engine)
    latest = storage.list_versions(engine, "demolition")[0]
    table = ledger_name("demolition")
    with engine.connect() as conn:
        beyond, current = conn.execute(
            sa.text(
                f"SELECT sum(CASE WHEN version_from > :n OR version_to > :n THEN 1 ELSE 0 END),"
                f" sum(CASE WHEN version_to IS NULL THEN 1 ELSE 0 END) FROM {table}"
            ),
            {"n": latest.number},
        ).one()
        head = conn.execute(
            sa.text("SELECT current_version FROM dataset_head WHERE dataset = 'demolition'")
        ).scalar_one()
    assert (beyond, current, head) == (0, latest.rows, latest.number)
    assert_index_is_the_current_rows(engine, "demolition")  # the index of that version, whole too


def _typed(data: bytes) -> pd.DataFrame:
    """The file as validation types it, in file order."""
    return validate(get_dataset("demolition"), read_table(data)).frame.reset_index(drop=True)
