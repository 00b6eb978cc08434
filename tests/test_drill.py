"""Filtered boards and the rows behind a click, through the view cache and the CSV route."""

from __future__ import annotations

import csv
import io

from starlette.testclient import TestClient

from dashboard import api
from dashboard import board as presenter
from dashboard.accounts import auth
from dashboard.insights.filters import Filters
from dashboard.state.drill import clicked_label, drill_rows
from dashboard.store import storage
from tests.conftest import DEMO_DAY

TODAY = DEMO_DAY  # the day tests/conftest.py's demo_db loads the demo on



def kpi(view: presenter.BoardView, kid: str) -> presenter.KpiView:
    return next(k for g in view.kpi_groups for k in g.kpis if k.id == kid)


def test_a_filtered_overview_counts_only_the_filtered_rows_and_keeps_the_query(demo_db: str) -> None:
    cache = presenter.ViewCache()
    whole = cache.view("overview", "zh", today=TODAY)
    group2 = cache.view("overview", "zh", today=TODAY, filters=Filters(party_group=2))
    dem = storage.load_current(storage.make_engine(), "demolition")
    in_group = dem[dem["party_group"].eq(2).fillna(False).astype(bool)]
    assert kpi(group2, "signed_rate").sub.endswith(f"/ {len(in_group)}")
    assert kpi(whole, "signed_rate").sub.endswith(f"/ {len(dem)}")
    assert group2.filter_query == "party_group=2" and group2.filter_values["party_group"] == "2"
    assert whole.filter_query == "" and whole.filter_values["party_group"] == "all"
    assert group2.filter_options["party_group"] == ["1", "2", "3", "4"]
    # the same filters give the same figures again (a link reproduces the view)
    again = presenter.ViewCache().view(
        "overview", "zh", today=TODAY, filters=Filters.from_query({"party_group": "2"})
    )
    assert [k.value for g in again.kpi_groups for k in g.kpis] == [
        k.value for g in group2.kpi_groups for k in g.kpis
    ]


def test_clicking_a_bar_lists_exactly_its_rows_masked(demo_db: str) -> None:
    frames = presenter.CACHE.frames(Filters())
    label = clicked_label("demolition_by_group", frames, "zh", {"curveNumber": 0, "pointNumber": 2})
    assert label == "第3党小组"
    dataset, headers, rows, total = drill_rows("demolition_by_group", label, "zh", Filters(), mask=True)
    dem = frames["demolition"]
    expected = dem[dem["party_group"].eq(3).fillna(False).astype(bool)]
    assert dataset == "demolition" and total == len(expected) == len(rows)
    assert headers[:3] == ["房产编号", "户主", "户类"]
    assert [r[0] for r in rows] == expected["property_id"].tolist()
    assert all(r[1].endswith("**") for r in rows)  # 户主 masked
    assert {r[3] for r in rows} == {"3"}


def test_the_drill_csv_has_the_same_rows_masked_for_a_viewer_and_plain_for_an_admin(demo_db: str) -> None:
    engine = storage.make_engine()
    auth.add_user(engine, "leader", "viewer", "pass-word-1")
    auth.add_user(engine, "boss", "admin", "pass-word-1")
    url = "/api/drill.csv?chart=demolition_by_category&label=2类户&lang=zh&party_group=1"
    assert TestClient(api.build()).get(url).status_code == 401
    bodies = {}
    for name in ("leader", "boss"):
        client = TestClient(api.build())
        client.post("/api/login", data={"name": name, "password": "pass-word-1"})
        answer = client.get(url)
        assert answer.status_code == 200
        bodies[name] = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    dem = storage.load_current(engine, "demolition")
    want = dem[(dem["category"] == 2) & (dem["party_group"] == 1)]
    assert [r["房产编号"] for r in bodies["leader"]] == want["property_id"].tolist()
    assert all(r["户主"].endswith("**") for r in bodies["leader"])
    assert [r["户主"] for r in bodies["boss"]] == want["household"].tolist()
