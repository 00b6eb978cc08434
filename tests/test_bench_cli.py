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
    ],
)
def test_an_unknown_case_stops_before_anything_runs(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "choose from" in capsys.readouterr().err
