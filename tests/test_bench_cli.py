"""The benchmark command names its cases: a typo is refused, never measured as the default case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.bench.__main__ import MODES, choices, main


def test_both_means_every_case_and_a_list_keeps_its_order() -> None:
    assert choices(MODES)("both") == ["sqlite", "scaled"]
    assert choices(MODES)("scaled, sqlite") == ["scaled", "sqlite"]


@pytest.mark.parametrize(
    "argv",
    [
        ["propagation", "--mode", "bth"],
        ["memory", "--mode", "sqlite,redis"],
        ["ingest", "--db", "pg"],
        ["page", "--size", ""],
        ["rebuild", "--db", "pg"],
        ["propagation", "--size", "town"],
    ],
)
def test_an_unknown_case_stops_before_anything_runs(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "choose" in capsys.readouterr().err


def test_the_one_percent_replace_changes_one_row_in_a_hundred_and_keeps_the_earlier_edits(
    sqlite_url: str,
) -> None:
    from dashboard.bench.rebuild import changed_csv
    from dashboard.bench.synthetic import demolition_csv
    from dashboard.store import storage

    engine = storage.make_engine(sqlite_url)
    storage.migrate(engine)
    first = demolition_csv(1_000)
    storage.import_file(engine, "demolition", first, "d.csv")

    once = changed_csv(first, "demolition", 0)
    twice = changed_csv(once, "demolition", 1)
    results = [storage.import_file(engine, "demolition", d, "d.csv", mode="replace") for d in (once, twice)]

    assert [(r.accepted, r.changed, r.added, r.removed) for r in results] == [(True, 10, 0, 0)] * 2
    assert storage.load_current(engine, "demolition")["note"].str.startswith("改").sum() == 20




def test_soak_and_faults_take_their_options() -> None:
    from dashboard.bench.__main__ import build_parser

    soak = build_parser().parse_args(
        ["soak", "--minutes", "0.5", "--viewers", "10", "--mode", "scaled", "--json"]
    )
    assert (soak.minutes, soak.viewers, soak.mode, soak.json) == (0.5, 10, "scaled", True)
    faults = build_parser().parse_args(["faults", "--only", "midnight,session", "--json"])
    assert (faults.only, faults.json) == ("midnight,session", True)


def test_an_unknown_soak_mode_or_drill_stops_before_anything_runs(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["soak", "--mode", "redis"])
    assert stop.value.code == 2
    with pytest.raises(SystemExit) as stop:
        main(["faults", "--only", "midnigth"])
    assert "unknown drill" in str(stop.value.code)


def test_a_drill_that_needs_a_second_host_is_skipped_with_its_reason(capsys: pytest.CaptureFixture) -> None:
    assert main(["faults", "--only", "second_host", "--json"]) == 0
    (drill,) = json.loads(capsys.readouterr().out)["drills"]
    assert {k: drill[k] for k in ("name", "passed", "skipped")} == {
        "name": "second_host",
        "passed": False,
        "skipped": True,
    }
    assert "second host" in drill["reason"] and "figures" in drill


def test_a_recorded_soak_joins_the_results_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.bench import suite

    out = tmp_path
    machine = {"cores": 2, "cpu": "x", "ram_gb": 1, "os": "Linux", "python": "3", "packages": {}}
    machine |= {"postgresql": "15", "redis": "7", "chromium": "c"}
    before = {"started": "2026-12-01T00:00:00+00:00", "machine": machine, "ingest": [], "soak": []}
    (out / "results.json").write_text(json.dumps(before))
    monkeypatch.setattr(suite, "OUT", out)
    soak = {"mode": "scaled", "workers": 4, "minutes": 30.0, "viewers": 300, "missed_updates": 0}
    soak |= {"updates_expected": 40_000, "p50_s": 0.4, "p95_s": 0.8, "max_s": 1.2, "errors": 0}
    soak |= {"rss_mb": {"start": 1, "middle": 1, "end": 1}, "rss_growth_after_warmup": 0.01}
    soak |= {"uploads": 179, "refused": 59, "refused_wrote": 0, "db_bytes_per_version": 3000, "met": True}

    suite.record("soak_target", [soak])

    saved = json.loads((out / "results.json").read_text())
    assert saved["soak_target"] == [soak] and saved["started"] == before["started"]
    assert set(saved["ran_at"]) == {*suite.BENCHMARKS, "soak_target"}
    report = (out / "results.md").read_text()
    assert "| soak | 300 viewers, 30 min, scaled (4 worker(s)) | updates missed 0 of 40000" in report
    assert "soak target 20" in report
    with pytest.raises(ValueError):
        suite.record("ingest", [])

    again = suite.starting_point(None, machine)  # the next `make bench` keeps it, measures the rest
    assert again["soak_target"] == [soak] and "ingest" not in again
    assert again["ran_at"]["soak_target"] == saved["ran_at"]["soak_target"]


def test_a_benchmark_server_keeps_its_files_apart_and_makes_no_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its benchmark database's backup once landed in the checkout's data folder as the office's
    backup of the day, and compressing it ran inside the measured page loads."""
    from dashboard.bench.page import server_env
    from dashboard.settings import get_settings

    env = server_env("sqlite:///bench.db", tmp_path)
    for name in ("DASHBOARD_DATA_DIR", "DASHBOARD_BACKUP_DIR", "DASHBOARD_BACKUP_KEEP"):
        monkeypatch.delenv(name, raising=False)
        if name in env:
            monkeypatch.setenv(name, env[name])
    settings = get_settings()
    assert settings.data_dir.is_relative_to(tmp_path)
    assert settings.backup_dir is not None and settings.backup_dir.is_relative_to(tmp_path)
    assert settings.backup_keep == 0
    kept = server_env("sqlite:///bench.db", tmp_path, {"DASHBOARD_BACKUP_KEEP": "7"})
    assert kept["DASHBOARD_BACKUP_KEEP"] == "7"  # the soak runs the server as deployed
