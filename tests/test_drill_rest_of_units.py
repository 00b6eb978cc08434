"""The 督办 by-unit chart's summed bar ("其他 N 个单位") lists the items it counts when clicked.

A probe found the bar drawn with its open items but the drill-down under it empty: the label was
looked up as a unit's name. It now stands for every unit the chart does not draw alone.
"""

from __future__ import annotations

import pytest

from dashboard import clock
from dashboard.board.drill import rows_behind
from dashboard.charts import tasks as task_charts
from tests.frames import frames
from tests.test_tasks_board import item


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summed_units_bar_lists_the_items_it_counts(lang: str) -> None:
    # 15 units with open items: the chart draws UNIT_LIMIT of them and sums the rest in one bar
    rows = [item(f"X{i:02d}", raised=3, deadline=-3, unit=f"单位{i:02d}") for i in range(15)]
    rows += [
        item("Y", raised=3, deadline=-3, unit="单位00"),
        item("Z", raised=3, deadline=5, closed=1, unit="单位14"),
    ]
    data = frames(tasks=rows)
    fig = task_charts.by_unit(data, lang, clock.office_today())
    label = fig.data[0]["y"][-1]
    assert label == {"zh": "其他 3 个单位", "en": "3 other units"}[lang]
    counted = sum(trace["x"][-1] for trace in fig.data)  # overdue + within deadline
    got = rows_behind(data, "tasks_by_unit", label)
    assert got is not None
    dataset, listed = got
    assert dataset == "tasks" and len(listed) == counted == 3  # the closed item of 单位14 is not listed
    assert sorted(listed["unit"]) == ["单位12", "单位13", "单位14"]


def test_one_unit_summed_reads_as_one_in_english_and_still_drills() -> None:
    rows = [item(f"X{i:02d}", raised=3, deadline=-3, unit=f"单位{i:02d}") for i in range(13)]
    data = frames(tasks=rows)
    label = task_charts.by_unit(data, "en", clock.office_today()).data[0]["y"][-1]
    assert label == "1 other unit"
    got = rows_behind(data, "tasks_by_unit", label)
    assert got is not None and list(got[1]["unit"]) == ["单位12"]
