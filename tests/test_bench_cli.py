"""The benchmark command names its cases: a typo is refused, never measured as the default case."""

from __future__ import annotations

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
