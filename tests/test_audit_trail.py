"""Writes audit themselves: an upload, a restore, an account or kiosk change and its audit row commit
together, whoever calls them (CLI, HTTP route, Reflex handler), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dashboard.accounts import auth, kiosk
from dashboard.store import storage
from dashboard.store.audit import Actor
from tests.test_storage import brand, csv

STAFF = Actor("王芳", "10.1.2.3")


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    return eng


def _audit_rows(engine: sa.Engine) -> list[tuple[str, str, bool, str, str]]:
    return [(e.action, e.user, e.ok, e.target, e.address) for e in reversed(auth.list_audit(engine))]


def _break_the_audit_log(engine: sa.Engine) -> None:
    """Make every audit insert fail (a full disk, a lost permission): the write must fail with it."""
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE audit_log"))


def test_an_accepted_upload_names_its_uploader_address_and_version_in_the_audit_log(
    engine: sa.Engine,
) -> None:
    result = storage.import_file(engine, "brands", csv("brands", [brand("P1")]), "品牌.csv", user=STAFF)
    assert result.accepted
    assert _audit_rows(engine) == [("upload", "王芳", True, "brands 品牌.csv", "10.1.2.3")]
    assert auth.list_audit(engine)[0].detail == "version 1, 1 rows"


def test_a_refused_upload_leaves_only_its_audit_row_and_a_dry_run_none(engine: sa.Engine) -> None:
    bad = csv("brands", [brand("P1", status="不存在的状态")])
    assert not storage.import_file(engine, "brands", bad, "坏.csv", user=STAFF).accepted
    assert not storage.import_file(engine, "brands", bad, "坏.csv", user=STAFF, dry_run=True).accepted
    assert _audit_rows(engine) == [("upload_rejected", "王芳", False, "brands 坏.csv", "10.1.2.3")]
    assert storage.list_versions(engine, "brands") == []


def test_a_restore_audits_itself_and_a_missing_version_is_refused_and_audited(engine: sa.Engine) -> None:
    storage.import_file(engine, "brands", csv("brands", [brand("P1")]), "v1.csv", user=STAFF)
    storage.import_file(engine, "brands", csv("brands", [brand("P2")]), "v2.csv", user=STAFF)
    assert storage.restore(engine, "brands", 1, Actor("admin", "10.9.9.9")).version == 3
    missing = storage.restore(engine, "brands", 7, Actor("admin", "10.9.9.9"))
    assert [p.rule for p in missing.problems.errors] == ["restore.no_such_version"]
    assert _audit_rows(engine)[-2:] == [
        ("restore", "admin", True, "brands v1", "10.9.9.9"),
        ("restore", "admin", False, "brands v7", "10.9.9.9"),
    ]
    assert auth.list_audit(engine, action="restore")[1].detail == "new version 3, 1 rows"


def test_an_upload_whose_audit_row_cannot_be_written_writes_no_version(engine: sa.Engine) -> None:
    _break_the_audit_log(engine)
    with pytest.raises(sa.exc.DBAPIError):
        storage.import_file(engine, "brands", csv("brands", [brand("P1")]), "品牌.csv", user=STAFF)
    assert storage.list_versions(engine, "brands") == []
    assert storage.load_current(engine, "brands").empty


def test_an_account_change_whose_audit_row_cannot_be_written_does_not_happen(engine: sa.Engine) -> None:
    auth.add_user(engine, "王芳", "editor", "Long-pass-2026", by=Actor("admin", "10.9.9.9"))
    assert _audit_rows(engine) == [("user_add", "admin", True, "王芳", "10.9.9.9")]
    _break_the_audit_log(engine)
    with pytest.raises(sa.exc.DBAPIError):
        auth.set_role(engine, "王芳", "admin", by="admin")
    assert auth.get_user(engine, "王芳").role.value == "editor"


def test_kiosk_links_are_audited_with_their_creator_and_revoker(engine: sa.Engine) -> None:
    _, link = kiosk.create(engine, Actor("admin", "10.9.9.9"), "大厅")
    assert kiosk.revoke(engine, link.id, Actor("admin2", "10.9.9.8"))
    assert _audit_rows(engine) == [
        ("kiosk_create", "admin", True, link.id, "10.9.9.9"),
        ("kiosk_revoke", "admin2", True, link.id, "10.9.9.8"),
    ]
