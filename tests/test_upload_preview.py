"""Before confirming an upload, staff see what it will change: each changed cell (old → new), the
rows it adds and the rows it removes, as the version's page will show them once confirmed.

The counts alone (新增 1 行，修改 2 行，删除 1 行) did not tell staff that the file they picked was
last month's, or which household's status it moves. The preview is made by the dry run itself,
with the very masks the write uses (mode, scope, columns an upsert keeps), for the first rows of
each kind; the page says how many more there are.
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.board.versions import preview_fields
from dashboard.settings import get_settings
from dashboard.store import diff_versions, storage, uploads

HEADER = "房产编号,户主,户类,党小组,当前状态,签约日期\n"
V1 = HEADER + "DX-1,张三,1,1,已评估,\nDX-2,李四,2,1,已评估,\nDX-3,王五,3,2,已摸底,\n"
V2 = HEADER + "DX-1,张三,1,1,已签约,2024-05-03\nDX-2,李四,2,1,已评估,\nDX-4,赵六,3,2,已摸底,\n"


def _engine(url: str) -> sa.Engine:
    eng = storage.make_engine(url)
    storage.migrate(eng)
    return eng


def _check(engine: sa.Engine, text: str, dataset: str = "demolition", reveal: bool = False) -> uploads.Report:
    return uploads.check_upload(
        engine, get_settings().data_dir, text.encode(), "next.csv", dataset, user="staff", reveal_names=reveal
    )


def test_the_preview_lists_each_changed_cell_and_the_rows_added_and_removed(db_url: str) -> None:
    engine = _engine(db_url)
    storage.import_file(engine, "demolition", V1.encode(), "v1.csv", user="staff")
    report = _check(engine, V2)
    assert report.accepted
    changed = report.changes["changed"]
    assert {(c["key"], c["column"], c["old"], c["new"]) for c in changed} == {
        ("DX-1", "status", "已评估", "已签约"),
        ("DX-1", "signed_date", None, "2024-05-03"),
    }
    assert [r["property_id"] for r in report.changes["added"]] == ["DX-4"]
    assert [r["property_id"] for r in report.changes["removed"]] == ["DX-3"]
    assert report.changes["added"][0]["household"] == "赵**"  # 户主 masked, as on the version page
    assert [v.number for v in storage.list_versions(engine, "demolition")] == [1]  # nothing written

    # Once confirmed, the version's page shows exactly what the preview showed.
    uploads.confirm(engine, get_settings().data_dir, report.id, "staff")
    shown = diff_versions(engine, "demolition", 1, 2).to_json(mask_personal=True)
    assert {k: shown[k] for k in ("added", "removed", "changed")} == {
        k: report.changes[k] for k in ("added", "removed", "changed")
    }


def test_an_admin_previews_names_unmasked(sqlite_url: str) -> None:
    engine = _engine(sqlite_url)
    storage.import_file(engine, "demolition", V1.encode(), "v1.csv", user="staff")
    assert _check(engine, V2, reveal=True).changes["added"][0]["household"] == "赵六"


def test_an_append_previews_only_the_rows_it_adds_never_the_ones_it_skips(sqlite_url: str) -> None:
    engine = _engine(sqlite_url)
    head = "日期,类型,议题,主持人,参会人数,决议事项数\n"
    first = head + "2024-05-03,专题调度会,签约进度,王书记,12,3\n"
    storage.import_file(engine, "meetings", first.encode(), "m1.csv", user="staff")
    again = first.replace(",12,", ",15,") + "2024-05-10,专题调度会,腾空进度,王书记,11,2\n"
    report = _check(engine, again, "meetings")
    assert report.result["skipped"] == 1
    assert report.changes["changed"] == [] and report.changes["removed"] == []
    assert [r["topic"] for r in report.changes["added"]] == ["腾空进度"]


def test_a_first_upload_previews_its_rows_as_added(sqlite_url: str) -> None:
    report = _check(_engine(sqlite_url), V1)
    assert [r["property_id"] for r in report.changes["added"]] == ["DX-1", "DX-2", "DX-3"]


def test_a_big_replace_lists_its_first_rows_and_says_how_many_more_in_both_languages(sqlite_url: str) -> None:
    engine = _engine(sqlite_url)
    rows = [f"DX-{i},户{i},1,1,已评估," for i in range(1, 131)]
    first = HEADER + "\n".join(rows) + "\n"
    storage.import_file(engine, "demolition", first.encode(), "v1.csv", user="staff")
    moved = [r.replace("已评估,", "已签约,2024-05-03") for r in rows[:120]] + rows[120:]
    report = _check(engine, HEADER + "\n".join(moved) + "\n")
    assert report.result["changed"] == 120
    listed = {c["key"] for c in report.changes["changed"]}
    assert len(listed) == storage.PREVIEW_ROWS
    fields = preview_fields("demolition", report.changes, (0, 0, 120))
    assert fields["preview_changes_more"] == "另有 70 行未列出，确认后在该版本页面可查看全部"
    assert fields["preview_changes_more_en"].startswith("70 more rows")
    first = fields["preview_changes"][0]
    assert (first["column"], first["old"], first["new"]) == ("当前状态", "已评估", "已签约")
    assert (first["column_en"], first["old_en"], first["new_en"]) == ("Status", "Appraised", "Signed")
    assert fields["preview_key_header"] == "房产编号" and fields["preview_added_rows"] == []
