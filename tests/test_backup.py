"""Backups that restore (dashboard.store.backup and ``python -m dashboard backup|restore``), on SQLite
and PostgreSQL: taken while uploads go on, restored elsewhere, compared version by version, file by
file (SHA-256) and account by account."""

from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.accounts import auth
from dashboard.store import backup, storage, tables
from dashboard.store.tables import DatasetVersion, UserAccount, VersionFile
from tests.conftest import PG_BASE

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "Pass-word-1"


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(storage.alembic_config()).get_current_head()


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


@pytest.fixture
def elsewhere(db_url: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """A second, empty installation on the same back end (another file / another schema)."""
    if db_url.startswith("sqlite"):
        eng = storage.make_engine(f"sqlite:///{tmp_path / 'elsewhere' / 'restored.db'}")
        storage.migrate(eng)
        yield eng
        return
    schema = "r_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_BASE else "?"
    eng = storage.make_engine(f"{PG_BASE}{sep}options=-csearch_path%3D{schema}")
    storage.migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _meetings(n: int) -> bytes:
    rows = "".join(f"2024-05-{1 + i % 28:02d},周例会,议题{i},主持人甲,{10 + i},1\n" for i in range(n))
    return ("日期,类型,议题,主持人,参会人数,决议事项数\n" + rows).encode()


def _versions(eng: sa.Engine) -> dict[tuple[str, int], tuple]:
    v, f = DatasetVersion.__table__, VersionFile.__table__
    query = sa.select(v.c.dataset, v.c.number, v.c.sha256, v.c.rows, v.c.user, f.c.content).outerjoin(
        f, f.c.version_id == v.c.id
    )
    with eng.connect() as conn:
        return {
            (r.dataset, r.number): (
                r.sha256,
                r.rows,
                r.user,
                r.content and hashlib.sha256(r.content).hexdigest(),
            )
            for r in conn.execute(query)
        }


def _sha(content: bytes | None) -> str | None:
    return None if content is None else hashlib.sha256(content).hexdigest()


def _accounts(eng: sa.Engine) -> list[tuple]:
    u = UserAccount.__table__
    with eng.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(sa.select(u.c.name, u.c.role, u.c.password_hash).order_by(u.c.name))
        ]


def _audit_rows(eng: sa.Engine) -> list[tuple]:
    return [(e.action, e.user, e.target) for e in auth.list_audit(eng, limit=100_000)]


def test_a_backup_taken_during_uploads_restores_every_version_file_and_account(
    engine: sa.Engine, elsewhere: sa.Engine, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    (data_dir / "kiosk-links.json").write_text('{"links": []}', encoding="utf-8")
    (data_dir / "pending").mkdir()
    (data_dir / "pending" / "half-checked.csv").write_text("transient", encoding="utf-8")
    for name, role in (("王芳", "editor"), ("leader", "viewer"), ("审计", "auditor")):
        auth.add_user(engine, name, role, PASSWORD)
    storage.import_file(engine, "meetings", _meetings(3), "会议.csv", user="王芳")

    stop, errors = threading.Event(), []

    def uploads() -> None:
        n = 4
        while not stop.is_set() and n < 400:
            try:
                storage.import_file(engine, "meetings", _meetings(n), f"会议{n}.csv", user="王芳")
                auth.audit(engine, "upload", user="王芳", target=f"meetings 会议{n}.csv")
            except Exception as exc:  # the test fails below, with the error
                errors.append(exc)
                return
            n += 1

    writer = threading.Thread(target=uploads)
    writer.start()
    try:
        while len(_versions(engine)) < 4 and writer.is_alive():  # uploads are under way
            time.sleep(0.01)
        started = len(_versions(engine))
        made = backup.backup(engine, data_dir, tmp_path / "b.tar.gz")
        finished = len(_versions(engine))
        while len(_versions(engine)) < finished + 2 and writer.is_alive():  # and go on after it
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
    assert not errors, errors
    after = _versions(engine)
    assert len(after) >= finished + 2 and started >= 4

    manifest, problems = backup.verify(tmp_path / "b.tar.gz")
    assert problems == [] and manifest is not None and manifest.revision == _head()
    assert "files/kiosk-links.json" in made.parts
    assert not any(p.startswith("files/pending") for p in made.parts)  # uploads not yet confirmed

    target_dir = tmp_path / "elsewhere-data"
    backup.restore(tmp_path / "b.tar.gz", elsewhere, target_dir, head=_head())

    restored = _versions(elsewhere)
    assert started <= len(restored) <= finished  # what was there when it began, nothing half-written
    # One consistent instant: the restored versions are exactly the first N of the source's, each
    # identical (file SHA-256 included), and every dataset's head names its newest version.
    assert all(after[key] == value for key, value in restored.items())
    numbers = sorted(n for _, n in restored)
    assert numbers == list(range(1, len(numbers) + 1))
    for (ds, number), (sha, _rows, _user, file_sha) in restored.items():
        assert file_sha == sha
        assert storage.load_version(elsewhere, ds, number).equals(storage.load_version(engine, ds, number))
    assert storage.load_current(elsewhere, "meetings").equals(
        storage.load_version(engine, "meetings", max(numbers))
    )
    assert _accounts(elsewhere) == _accounts(engine)
    chain = auth.verify_audit(elsewhere)
    assert chain.ok and chain.checked >= 5
    source_log, restored_log = _audit_rows(engine), _audit_rows(elsewhere)  # newest first
    assert restored_log == source_log[len(source_log) - len(restored_log) :]  # the oldest N, as they were
    assert auth.login(elsewhere, "王芳", PASSWORD) is not None
    assert (target_dir / "kiosk-links.json").read_text(encoding="utf-8") == '{"links": []}'
    assert not (target_dir / "pending").exists()
    # new rows continue after the restored ids (PostgreSQL sequences were moved on)
    storage.import_file(elsewhere, "meetings", _meetings(2), "again.csv", user="王芳")
    auth.audit(elsewhere, "login", user="王芳")
    assert auth.verify_audit(elsewhere).ok


def test_restore_refuses_a_non_empty_installation_unless_forced(
    engine: sa.Engine, elsewhere: sa.Engine, tmp_path: Path
) -> None:
    auth.add_user(engine, "staff", "editor", PASSWORD)
    storage.import_file(engine, "meetings", _meetings(2), "会议.csv")
    backup.backup(engine, tmp_path / "data", tmp_path / "b.tar.gz")
    auth.add_user(elsewhere, "someone", "viewer", PASSWORD)
    storage.import_file(elsewhere, "meetings", _meetings(5), "other.csv")
    before = _versions(elsewhere)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(tmp_path / "b.tar.gz", elsewhere, tmp_path / "d2", head=_head())
    assert _versions(elsewhere) == before and [a[0] for a in _accounts(elsewhere)] == ["someone"]
    replaced = _audit_rows(elsewhere)
    done = backup.restore(tmp_path / "b.tar.gz", elsewhere, tmp_path / "d2", head=_head(), force=True)
    assert _versions(elsewhere) == _versions(engine)
    assert [a[0] for a in _accounts(elsewhere)] == ["staff"]
    # The audit rows the forced restore replaced are kept, not lost with the old data.
    assert done.replaced_audit is not None and done.replaced_audit.parent == tmp_path / "d2" / "audit-archive"
    with gzip.open(done.replaced_audit, "rt", encoding="utf-8") as kept:
        lines = kept.read().splitlines()
    assert len(lines) == 1 + len(replaced) and "someone" in lines[1]


def test_a_backup_of_another_schema_revision_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    backup.backup(engine, tmp_path / "data", tmp_path / "b.tar.gz")
    with pytest.raises(backup.BackupError, match="revision"):
        backup.restore(tmp_path / "b.tar.gz", engine, tmp_path / "data", head="9999", force=True)


def _tamper(src: Path, dst: Path, member: str, data: bytes) -> None:
    """The same archive with one part's bytes replaced (its manifest entry left as it was)."""
    with tarfile.open(src, "r:gz") as old, tarfile.open(dst, "w:gz") as new:
        for m in old.getmembers():
            content = old.extractfile(m).read()
            if m.name == member:
                content = data
            m.size = len(content)
            new.addfile(m, io.BytesIO(content))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=REPO, capture_output=True, text=True
    )


def test_cli_backup_verify_names_a_damaged_part_and_exits_1(sqlite_url: str, tmp_path: Path) -> None:
    data_dir = Path(tmp_path / "data")
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "kiosk-links.json").write_text("{}", encoding="utf-8")
    made = _cli("backup", "-o", str(tmp_path / "b.tar.gz"))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "b.tar.gz").stat().st_mode & 0o077 == 0  # owner only: it holds password hashes
    good = _cli("backup", "--verify", str(tmp_path / "b.tar.gz"))
    assert good.returncode == 0 and "SHA-256" in good.stdout
    _tamper(tmp_path / "b.tar.gz", tmp_path / "bad.tar.gz", "files/kiosk-links.json", b'{"evil": 1}')
    bad = _cli("backup", "--verify", str(tmp_path / "bad.tar.gz"))
    assert bad.returncode == 1 and "files/kiosk-links.json: SHA-256 does not match" in bad.stderr
    (tmp_path / "junk.tar.gz").write_bytes(b"not a backup")
    assert _cli("backup", "--verify", str(tmp_path / "junk.tar.gz")).returncode == 1


def test_cli_restore_into_an_empty_installation_then_refuses_a_second_time(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    auth.add_user(engine, "staff", "editor", PASSWORD)
    assert _cli("backup", "-o", str(tmp_path / "b.tar.gz")).returncode == 0
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{tmp_path / 'new' / 'dashboard.db'}")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "new"))
    first = _cli("restore", str(tmp_path / "b.tar.gz"))
    assert first.returncode == 0, first.stderr
    again = _cli("restore", str(tmp_path / "b.tar.gz"))
    assert again.returncode == 1 and "--force" in again.stderr
    assert _cli("restore", "--force", str(tmp_path / "b.tar.gz")).returncode == 0
    restored = storage.make_engine(f"sqlite:///{tmp_path / 'new' / 'dashboard.db'}")
    assert [u.name for u in auth.list_users(restored)] == ["staff"]
    assert auth.verify_audit(restored).ok


def test_the_daily_backup_runs_once_per_day_and_keeps_the_newest(sqlite_url: str, tmp_path: Path) -> None:
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    folder = tmp_path / "backups"
    for day in range(1, 6):
        assert backup.scheduled_backup(engine, tmp_path / "data", folder, keep=3, day=date(2026, 12, day))
        assert (
            backup.scheduled_backup(engine, tmp_path / "data", folder, keep=3, day=date(2026, 12, day))
            is None
        )
    assert sorted(p.name for p in folder.glob("*.tar.gz")) == [
        "dashboard-20261203.tar.gz",
        "dashboard-20261204.tar.gz",
        "dashboard-20261205.tar.gz",
    ]
    assert backup.verify(folder / "dashboard-20261205.tar.gz")[1] == []
    assert backup.scheduled_backup(engine, tmp_path / "data", folder, keep=0, day=date(2026, 12, 6)) is None


def test_the_server_makes_the_days_backup_once_then_purges_only_rows_past_the_retention(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.state import schedule

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    auth.audit(engine, "login", user="staff")
    monkeypatch.setenv("DASHBOARD_BACKUP_DIR", str(tmp_path / "daily"))
    monkeypatch.setenv("DASHBOARD_BACKUP_AT", "00:00")
    made = schedule.run_due()
    assert made is not None and made.parent == tmp_path / "daily" and backup.verify(made)[1] == []
    assert schedule.run_due() is None  # once a day, whichever worker asks
    assert [e.action for e in auth.list_audit(engine)] == ["backup", "login"]  # nothing young purged
    monkeypatch.setenv("DASHBOARD_BACKUP_KEEP", "0")
    made.unlink()
    assert schedule.run_due() is None  # turned off


def test_every_table_of_the_schema_comes_back_from_a_backup_as_it_was(
    engine: sa.Engine, elsewhere: sa.Engine, tmp_path: Path
) -> None:
    """Tables added after the backup code (kiosk links, digests, corrections) go along without it
    naming them: whatever the schema holds is in the snapshot."""
    from datetime import UTC, datetime

    from dashboard.accounts import kiosk
    from dashboard.store import rounds

    now = datetime.now(UTC)
    auth.add_user(engine, "王芳", "editor", PASSWORD)
    storage.import_file(engine, "meetings", _meetings(3), "会议.csv", user="王芳")
    kiosk.create(engine, "admin", "大厅")
    rounds.open_round(engine, "brands", ["community=示例社区A"], date(2026, 12, 1))  # 填报任务 and its scope
    day, channel = date(2026, 12, 1), {"channel": "json:1", "office_day": date(2026, 12, 1)}
    with engine.begin() as conn:  # written as the app writes them (typed columns)
        conn.execute(sa.update(DatasetVersion.__table__).values(corrections='[{"line": 2}]'))
        conn.execute(tables.NotifyChannel.__table__.insert().values(
            kind="json", target="http://127.0.0.1:9/hook", secret="s3cret", label="值班", created_at=now,
            created_by="admin"))
        digest = tables.NotifyDigest.__table__
        conn.execute(digest.insert().values(office_day=day, created_at=now, payload="{}"))
        conn.execute(tables.NotifyDelivery.__table__.insert().values(
            status="sent", attempts=1, parts_sent=1, owner="host:1", updated_at=now, sent_at=now, **channel))
        conn.execute(tables.NotifyLog.__table__.insert().values(at=now, target="http://…/hook", **channel))
    backup.backup(engine, tmp_path / "data", tmp_path / "b.tar.gz")
    backup.restore(tmp_path / "b.tar.gz", elsewhere, tmp_path / "elsewhere-data", head=_head())

    def everything(eng: sa.Engine) -> dict[str, list[tuple]]:
        meta = sa.MetaData()
        with eng.connect() as conn:
            meta.reflect(conn)
            return {
                t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                for t in meta.sorted_tables
            }

    source, restored = everything(engine), everything(elsewhere)
    assert {"kiosk_link", "notify_channel", "notify_digest", "notify_delivery", "notify_log"} <= set(source)
    assert all(source[name] for name in ("kiosk_link", "notify_channel", "notify_digest", "notify_log"))
    assert source["report_round"] and source["report_round_scope"]
    assert restored == source
