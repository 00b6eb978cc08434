"""Category ticks fit a phone's card flat, so plotly never tilts them into the legend below.

A probe on a 390 px phone in English found the 督办 ages chart's ticks ("31–90 days" five times over)
tilted by plotly across its legend ("Overdue", "Within deadline"). The ticks now carry the ranges
and the axis title the unit; the tooltip still names a bucket in full.
"""

from __future__ import annotations

import pytest

from dashboard.charts import tasks as task_charts
from dashboard.charts.common import _LEGEND_WIDTH, text_width
from tests.frames import frames
from tests.test_tasks_board import LEDGER, TODAY


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ages_ticks_fit_a_phone_card_flat_and_the_axis_names_the_unit(lang: str) -> None:
    fig = task_charts.ages(frames(tasks=LEDGER), lang, TODAY)
    ticks = [str(x) for x in fig.data[0]["x"]]
    margin, xaxis = fig.layout["margin"], fig.layout["xaxis"]
    plot = _LEGEND_WIDTH - margin["l"] - margin["r"]  # the narrowest card's plot
    assert all(text_width(tick) + 8 <= plot / len(ticks) for tick in ticks), ticks
    assert xaxis["tickangle"] == 0
    assert xaxis["title"]["text"] == {"zh": "提出至今（天）", "en": "Days since raised"}[lang]
    # the legend sits under the axis title, not on it
    assert margin["b"] >= 2 * 24 + 21


def test_the_ages_tooltip_still_names_the_bucket_with_its_unit() -> None:
    fig = task_charts.ages(frames(tasks=LEDGER), "en", TODAY)
    assert [c[0] for c in fig.data[0]["customdata"]] == [
        "0–2 days",
        "3–7 days",
        "8–30 days",
        "31–90 days",
        "91+ days",
    ]
    assert list(fig.data[0]["x"]) == ["0–2", "3–7", "8–30", "31–90", "91+"]
