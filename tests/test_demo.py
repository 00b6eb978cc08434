"""The demo ledgers: the seed article's figures, as a live situation on load day.

A leader opening the demo sees 33 re-elected organisations (25 村/居 + 8 社区),
the named community brands with a year of activities up to this week, and
东辛村's 91 properties on day 85 of the 100-day campaign, with more than 30
dispatch meetings and a weekly meeting behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pandas as pd
import pytest

from dashboard.contract import DATASETS, LOAD_ORDER, get_dataset
from dashboard.demo.load import CAMPAIGN_DAY, DEMO_ANCHOR, demo_bytes, demo_path


def _storage():
    return pytest.importorskip("dashboard.store.storage")


TODAY = date(2026, 3, 18)  # any day: the demo is placed around the day it is loaded


def day(value: pd.Timestamp) -> date:
    return pd.Timestamp(value).date()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """One SQLite database with the demo loaded on TODAY (shared: the tests only read)."""
    storage = _storage()
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = storage.make_engine(url)
    storage.migrate(engine)
    from dashboard.demo.load import load_demo

    results = load_demo(engine, TODAY)
    frames = {name: storage.load_current(engine, name) for name in DATASETS}
    yield engine, results, frames
    engine.dispose()


@pytest.fixture
def frames(loaded) -> dict[str, pd.DataFrame]:
    return loaded[2]


# ---------------------------------------------------------------------------
# the files themselves


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_demo_file_validates_without_an_error_or_a_warning(name):
    reading = pytest.importorskip("dashboard.ingest.reading")
    validation = pytest.importorskip("dashboard.ingest.validation")
    brand_codes = set(pd.read_csv(demo_path("brands"), encoding="utf-8-sig")["项目编码"])
    org_codes = set(pd.read_csv(demo_path("elections"), encoding="utf-8-sig")["组织编码"])

    raw = reading.read_table(demo_bytes(name, TODAY), f"{name}.csv")
    checked = validation.validate(
        get_dataset(name), raw, refs={"brands": brand_codes, "elections": org_codes}
    )

    assert [p.as_dict() for p in raw.problems.items + checked.problems.items] == []


def test_demo_files_are_utf8_with_bom_and_chinese_headers():
    for name in DATASETS:
        data = demo_path(name).read_bytes()
        assert data.startswith("\ufeff".encode())
        assert data.decode("utf-8-sig").splitlines()[0].split(",") == list(get_dataset(name).headers)


def test_the_committed_files_are_what_the_generator_writes(tmp_path):
    """Edit demo_build.py, not the CSVs: `python -m dashboard.demo.build` rewrites them."""
    from dashboard.demo.build import write

    for path in write(tmp_path):
        assert path.read_bytes() == demo_path(path.stem).read_bytes(), path.name


# ---------------------------------------------------------------------------
# loaded into an empty database


def test_demo_ends_with_its_committed_files_uploaded_by_demo_staff_brands_before_activities(loaded):
    engine, results, _ = loaded
    storage = _storage()
    from dashboard.demo.history import DEMO_STAFF

    assert [r.dataset for r in results] == list(LOAD_ORDER)
    assert LOAD_ORDER.index("brands") < LOAD_ORDER.index("activities")
    assert all(r.accepted and r.version > 1 and not r.problems for r in results)
    latest = storage.latest_versions(engine)
    assert {name: v.number for name, v in latest.items()} == {r.dataset: r.version for r in results}
    assert {v.user for v in latest.values()} <= set(DEMO_STAFF)
    for name, v in latest.items():  # the last upload is the committed file as moved to the load day
        assert storage.original_file(engine, name, v.number)[1] == demo_bytes(name, TODAY), name


def test_elections_33_organisations_25_village_or_residential_and_8_communities_all_done(frames):
    e = frames["elections"]
    assert len(e) == 33
    assert e["org_type"].value_counts().to_dict() == {"village": 19, "residential": 6, "community": 8}
    assert set(e["stage"]) == {"completed"}
    assert {"常春藤社区党委", "创科社区党委"} <= set(e["org_name"])


def test_elections_finished_recently_with_planned_dates_near(frames):
    e = frames["elections"]
    completed = e["completed_date"].map(day)
    assert completed.max() <= TODAY
    assert completed.min() >= TODAY - timedelta(days=62)
    gap = (e["planned_date"] - e["completed_date"]).dt.days.abs()
    assert gap.max() <= 10


def test_a_few_organisations_have_a_term_ending_within_180_days_said_in_the_note(frames):
    e = frames["elections"]
    days_left = (e["term_end"] - pd.Timestamp(TODAY)).dt.days
    soon = e[(days_left >= 0) & (days_left <= 180)]
    assert 3 <= len(soon) <= 4
    assert soon["note"].str.contains("任期").all()
    # the others' term is the default five years from completion
    rest = e.drop(soon.index)
    assert (rest["term_end"].dt.year - rest["completed_date"].dt.year == 5).all()


def test_brands_the_article_names_and_one_per_community(frames):
    b = frames["brands"]
    by_name = b.set_index("brand_name")
    assert {"连心网络", "先锋驿站", "服务联盟", "天使之家"} <= set(b["brand_name"])
    assert by_name.loc["连心网络", "category"] == "network"
    assert by_name.loc["先锋驿站", "category"] == "service"
    assert by_name.loc["服务联盟", "category"] == "resources"
    assert by_name.loc["天使之家", "category"] == "special_groups"
    assert by_name.loc["常青树自助养老服务俱乐部", "community"] == "常春藤社区"
    assert by_name.loc["常青树自助养老服务俱乐部", "category"] == "elder_care"
    assert ((b["community"] == "创科社区") & (b["category"] == "elder_care")).any()
    communities = set(
        frames["elections"].query("org_type == 'community'")["org_name"].str.removesuffix("党委")
    )
    assert communities == set(b["community"])


def test_brand_coverage_is_below_100_percent(frames):
    b = frames["brands"]
    assert b["status"].value_counts().to_dict() == {"launched": 4, "model": 2, "building": 1, "planning": 1}
    launched = set(b.loc[b["status"].isin(["launched", "model"]), "community"])
    assert len(launched) / b["community"].nunique() == 6 / 8
    running = b[b["status"] != "planning"]
    assert running["target_activities"].notna().all()


def test_a_year_of_activities_up_to_this_week_of_every_type(frames):
    a = frames["activities"]
    dates = a["date"].map(day)
    assert 200 <= len(a) <= 500
    assert TODAY - timedelta(days=6) <= dates.max() <= TODAY
    assert dates.min() >= TODAY - timedelta(days=365)
    assert set(a["type"]) == set(get_dataset("activities").column("type").enum.codes)
    assert set(a["project_code"]) <= set(frames["brands"]["project_code"])
    health = a[a["type"] == "health"]
    assert health["title"].str.contains("高校志愿服务队").all()
    assert (a["participants"] > 0).all()
    assert (a["volunteers"].dropna() <= a.loc[a["volunteers"].notna(), "participants"]).all()


def test_one_brand_lags_its_yearly_target(frames):
    b = frames["brands"].set_index("project_code")
    per_year = frames["activities"]["project_code"].value_counts()
    running = b[b["status"] != "planning"]  # a brand still in planning has no target yet
    pace = {code: per_year.get(code, 0) / target for code, target in running["target_activities"].items()}
    lagging = [code for code, p in pace.items() if p < 0.7]
    assert [b.loc[c, "brand_name"] for c in lagging] == ["服务联盟"]
    assert all(p >= 1 for c, p in pace.items() if c not in lagging)


def test_demolition_91_properties_6_categories_4_party_groups(frames):
    d = frames["demolition"]
    assert len(d) == 91
    assert d["property_id"].tolist() == [f"DX-{i:03d}" for i in range(1, 92)]
    assert set(d["category"]) == {1, 2, 3, 4, 5, 6}
    assert set(d["party_group"]) == {1, 2, 3, 4}
    assert d["household"].str.fullmatch(r".某某").all()  # placeholders, never real names


def test_most_properties_signed_and_vacated_many_demolished_some_cleared(frames):
    d = frames["demolition"]
    counts = d["status"].value_counts()
    signed = d["signed_date"].notna().sum()
    assert signed / 91 > 0.85
    assert d["vacated_date"].notna().sum() / 91 > 0.8
    assert d["demolished_date"].notna().sum() / 91 > 0.6
    assert 0 < counts["cleared"] < 91
    holdouts = d[d["status"].isin(["surveyed", "appraised"])]
    assert 3 <= len(holdouts) <= 8
    assert holdouts["key_household"].all()  # the 钉子户


def test_demolition_dates_follow_the_rules_and_are_not_in_the_future(frames):
    d = frames["demolition"]
    both = d.dropna(subset=["signed_date", "vacated_date"])
    assert (both["signed_date"] <= both["vacated_date"]).all()
    both = d.dropna(subset=["vacated_date", "demolished_date"])
    assert (both["vacated_date"] <= both["demolished_date"]).all()
    for col in ("signed_date", "vacated_date", "demolished_date"):
        assert d[col].dropna().map(day).max() <= TODAY


def test_today_is_day_85_of_the_100_day_campaign(frames):
    m = frames["milestones"].set_index("name")
    start = day(m["planned_start"].min())
    assert (TODAY - start).days + 1 == CAMPAIGN_DAY
    assert set(m["phase"]) == {1, 2, 3}
    assert day(m.loc["项目开工", "planned_start"]) == start + timedelta(days=99)  # the end of the 100 days
    assert m.loc["项目开工", "progress"] == 0


def test_milestones_phase_1_done_clearance_nearly_done_muck_removal_under_way(frames):
    m = frames["milestones"].set_index("name")
    for name in ("入户摸底", "分类施策"):
        assert m.loc[name, "progress"] == 100 and pd.notna(m.loc[name, "actual_end"])
    for name in ("签约攻坚", "腾空交房"):
        assert m.loc[name, "progress"] >= 90
    assert 90 <= m.loc["地上物清理", "progress"] <= 95
    assert 50 <= m.loc["渣土清运", "progress"] <= 60
    assert m.loc[["地上物清理", "渣土清运", "项目开工"], "actual_end"].isna().all()


def test_more_than_30_dispatch_meetings_and_a_weekly_meeting_every_week(frames):
    mt = frames["meetings"]
    start = day(frames["milestones"]["planned_start"].min())
    dates = mt["date"].map(day)
    assert dates.min() >= start and dates.max() <= TODAY
    assert (mt["type"] == "dispatch").sum() > 30
    weekly = sorted(dates[mt["type"] == "weekly"])
    assert weekly[0] - start < timedelta(days=7)
    assert all(b - a <= timedelta(days=7) for a, b in pairwise(weekly))
    assert TODAY - weekly[-1] < timedelta(days=7)
    assert {"morning", "evening"} <= set(mt["type"])


def test_dates_move_with_the_load_day(sqlite_url):
    from dashboard.demo.load import load_demo

    storage = _storage()
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    load_demo(engine, TODAY)
    before = {n: storage.load_current(engine, n) for n in ("milestones", "elections", "activities")}
    later = TODAY + timedelta(days=40)

    load_demo(engine, later)

    for name, old in before.items():
        new = storage.load_current(engine, name)
        for col in get_dataset(name).columns:
            if col.type == "date":
                moved = old[col.name] + pd.Timedelta(days=40)
                assert sorted(new[col.name].dropna()) == sorted(moved.dropna()), (name, col.name)
    m = storage.load_current(engine, "milestones")
    assert (later - day(m["planned_start"].min())).days + 1 == CAMPAIGN_DAY


@pytest.fixture
def server_zone_a_day_off_the_office(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local zone set so its calendar date differs from Beijing's right now.

    A server kept in UTC is a day behind the office from 16:00 to 24:00 UTC;
    rather than wait for that hour, pick a zone 20 h behind or 6 h ahead of it.
    """
    import time

    from dashboard.clock import OFFICE_TZ as DISPLAY_TZ

    hour = datetime.now(DISPLAY_TZ).hour
    monkeypatch.setenv("TZ", "Etc/GMT+12" if hour < 20 else "Etc/GMT-14")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_demo_counts_its_days_by_the_office_calendar_not_the_servers(
    sqlite_url, server_zone_a_day_off_the_office
):
    from dashboard.clock import office_today
    from dashboard.demo.load import load_demo
    from dashboard.insights.metrics import campaign_day

    assert date.today() != office_today()
    storage = _storage()
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)

    load_demo(engine)  # no day given: `make run` and `python -m dashboard demo` load like this

    frames = {name: storage.load_current(engine, name) for name in DATASETS}
    assert campaign_day(frames, office_today()) == CAMPAIGN_DAY


def test_the_files_are_written_for_the_anchor_day():
    """Loaded on DEMO_ANCHOR, the dates are the files' dates unchanged."""
    for name in DATASETS:
        assert demo_bytes(name, DEMO_ANCHOR) == demo_path(name).read_bytes()


def test_the_demo_loads_whole_on_sqlite_and_postgresql(db_url):
    from dashboard.demo.load import load_demo

    storage = _storage()
    engine = storage.make_engine(db_url)
    storage.migrate(engine)

    load_demo(engine, TODAY)

    rows = {name: len(storage.load_current(engine, name)) for name in DATASETS}
    assert rows == {name: len(pd.read_csv(demo_path(name), encoding="utf-8-sig")) for name in DATASETS}
    assert rows["elections"] == 33 and rows["demolition"] == 91


# ---------------------------------------------------------------------------
# the history: every ledger uploaded again and again over the 100 days

# Columns that record something that happened (planned dates and deadlines may lie ahead).
HAPPENED = {
    "elections": ("completed_date",),
    "activities": ("date",),
    "demolition": ("signed_date", "vacated_date", "demolished_date"),
    "milestones": ("actual_end",),
    "meetings": ("date",),
    "tasks": ("raised_date", "closed_date"),
    "org_life": ("date",),
}


def office_day(moment: datetime) -> date:
    from dashboard.clock import OFFICE_TZ

    return moment.astimezone(OFFICE_TZ).date()


def test_every_ledger_has_several_versions_in_its_own_mode_the_demolition_ledger_most(loaded):
    engine = loaded[0]
    versions = _storage().list_versions(engine)
    counts = {name: sum(v.dataset == name for v in versions) for name in DATASETS}
    assert all(n >= 4 for n in counts.values()), counts
    assert counts["demolition"] >= 20 and counts["demolition"] == max(counts.values())
    assert {(v.dataset, v.mode) for v in versions} == {
        (name, get_dataset(name).default_mode.value) for name in DATASETS
    }


def test_every_version_lies_in_the_100_days_before_now_numbers_and_times_increase_together(loaded):
    engine, _, frames = loaded
    versions = sorted(_storage().list_versions(engine), key=lambda v: v.id)
    start = day(frames["milestones"]["planned_start"].min())
    assert all(start <= office_day(v.created_at) <= TODAY for v in versions)
    assert all(v.created_at <= datetime.now(UTC) for v in versions)
    assert [v.created_at for v in versions] == sorted(v.created_at for v in versions)  # ids in time order
    for name in DATASETS:
        mine = [v for v in versions if v.dataset == name]
        assert [v.number for v in mine] == list(range(1, len(mine) + 1))
    uploaders = {v.user for v in versions}
    assert len(uploaders) >= 3 and "demo" not in uploaders
    assert len({(v.dataset, v.user) for v in versions}) > len(DATASETS)  # some ledgers change hands


def test_nothing_a_version_shows_happens_after_its_day_and_states_only_move_forward(loaded):
    from dashboard.contract.datasets import ELECTION_STAGE, PROPERTY_STATUS, TASK_STATUS

    engine = loaded[0]
    storage = _storage()
    ranks = {
        "demolition": ("property_id", "status", PROPERTY_STATUS),
        "elections": ("org_code", "stage", ELECTION_STAGE),
        "tasks": ("task_code", "status", TASK_STATUS),
    }
    for name in DATASETS:
        seen: dict[str, int] = {}
        rows_before = 0
        for v in sorted(storage.list_versions(engine, name), key=lambda v: v.number):
            data = storage.load_version(engine, name, v.number)
            for col in HAPPENED.get(name, ()):
                assert all(d <= office_day(v.created_at) for d in data[col].dropna().map(day)), (name, v)
            if name in ranks:
                key, col, enum = ranks[name]
                now = {k: enum.rank(c) for k, c in zip(data[key], data[col], strict=True)}
                assert all(now[k] >= r for k, r in seen.items()), (name, v.number)
                seen = now
            if get_dataset(name).default_mode.value != "replace" or name == "demolition":
                assert len(data) >= rows_before, (name, v.number)  # ledgers grow
            rows_before = len(data)


def test_the_history_ends_on_the_committed_files_a_past_day_replayed_agrees_with_them():
    from dashboard.demo.history import as_of

    start = TODAY - timedelta(days=CAMPAIGN_DAY - 1)
    for name in DATASETS:  # the load day "as of" itself is the file: the history leads to it
        assert as_of(name, demo_bytes(name, TODAY), TODAY, start, TODAY) == demo_bytes(name, TODAY), name


def test_the_first_screen_shows_movement_deltas_last_week_and_recorded_trends(loaded):
    from dashboard.board.snapshot import load_snapshot
    from dashboard.insights import metrics, report, trends

    engine = loaded[0]
    snap = load_snapshot(engine, TODAY)
    kpis = metrics.overview_kpis(snap.current, snap.previous(), TODAY)
    assert all(k.delta is not None for k in kpis), [k.id for k in kpis if k.delta is None]  # no "无上一版本"
    assert any(k.delta for k in kpis)

    week = report.build(engine, snap.current, snap.latest, TODAY)
    assert all(week.kpis[k].delta is not None for k in report.REPORT_KPIS)  # last week's figures exist
    assert {u.dataset for u in week.uploads} == set(DATASETS)

    rates = trends.get(snap.current, TODAY, "demolition_rates")
    recorded = rates[rates["source"] == "history"]
    assert recorded["signed"].nunique() >= 5  # the curve is rebuilt from many versions
    assert recorded["signed"].is_monotonic_increasing
    weekly = trends.get(snap.current, TODAY, "elections_weekly")
    assert weekly.loc[weekly["source"] == "history", "completed"].nunique() >= 3


def test_this_month_is_never_empty_even_loaded_on_the_first_of_a_month(sqlite_url):
    from dashboard.demo.load import load_demo
    from dashboard.insights import metrics

    storage = _storage()
    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    first = date(2026, 11, 1)

    load_demo(engine, first)

    frames = {name: storage.load_current(engine, name) for name in DATASETS}
    kpis = {k.id: k for k in metrics.overview_kpis(frames, {}, first)}
    assert kpis["activities_month"].value >= 2 and kpis["participants_month"].value > 0
    assert (frames["org_life"]["date"].map(day) == first).any()
    assert (frames["activities"]["date"].map(day) == first - timedelta(days=1)).any()
