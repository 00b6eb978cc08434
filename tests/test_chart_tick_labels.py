"""Every chart lets plotly place its tick labels without measuring them again after each one.

plotly's default (ticklabeloverflow "hide past div") re-measured every label of an axis after
placing each label, n² forced layouts an axis: 0.1 s of a board's drawing. The margins charts.common
fits to the labels leave them room instead (tests/browser/test_tick_labels.py looks at the page)."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.charts.registry import BOARDS, figure_dict
from tests.frames import demo_frames, frames

ALL_CHARTS = [spec for specs in BOARDS.values() for spec in specs]
TODAY = date(2025, 6, 15)


@pytest.mark.parametrize("spec", ALL_CHARTS, ids=lambda s: s.id)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_axis_allows_its_labels_without_measuring_them_again(spec, lang: str) -> None:
    for data in (demo_frames(TODAY), frames()):
        layout = figure_dict(spec.build(data, lang, TODAY))["layout"]
        for axis in ("xaxis", "yaxis"):
            assert layout[axis]["ticklabeloverflow"] == "allow", (spec.id, axis)
