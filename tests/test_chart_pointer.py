"""What a chart answers the pointer with, now that the boards draw it on the server (no plotly.js):
each bar, slice and line point carries the label plotly would have shown on hover, written from
its trace's hovertemplate (dashboard.charts.hover), and on a chart that drills, the curve and
point numbers a click sends to Drill.show, which must name the category that was clicked."""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import date

import pytest

from dashboard.board import drill
from dashboard.charts import hover
from dashboard.charts.common import Figure, style
from dashboard.charts.registry import BOARDS, figure_dict, render_board
from dashboard.charts.static import markup
from dashboard.insights import DRILLS
from dashboard.state.drill import clicked_label
from tests.frames import demo_frames

TODAY = date(2025, 6, 15)
TIP = re.compile(r'data-tip="([^"]*)"(?: data-c="(\d+)" data-p="(\d+)")?')
BLOCK = re.compile(r'<script type="application/json" class="cs-pts">(.*?)</script>')


def _tips(html: str) -> list[str]:
    """Every hover label of a chart: its marks' and its line points'."""
    out = [htmllib.unescape(m.group(1)) for m in TIP.finditer(html)]
    for block in BLOCK.findall(html):
        data = json.loads(block)
        out += [(data["h"] + "\n" if "h" in data else "") + t for t in data["t"]]
    return out


# ---- the labels, as plotly writes them ------------------------------------------------------------


def test_a_bar_s_label_fills_every_token_of_its_template() -> None:
    trace = {
        "type": "bar",
        "name": "已完成",
        "x": ["村", "居"],
        "y": [19, 6],
        "customdata": [[19, 25, "76%"], [6, 8, "75%"]],
        "hovertemplate": "%{x}<br>已完成 %{customdata[0]} / %{customdata[1]}（%{customdata[2]}）"
        "<extra></extra>",
    }
    assert hover.label(trace, 1) == "居\n已完成 6 / 8（75%）"


def test_the_extra_box_becomes_the_first_line_and_dates_take_their_format() -> None:
    trace = {
        "type": "scatter",
        "name": "实际累计完成",
        "x": ["2026-11-03", "2026-11-10T00:00:00"],
        "y": [2, 17],
        "hovertemplate": "%{x|%Y年%-m月%-d日}<br>累计 %{y}<extra>%{fullData.name}</extra>",
    }
    assert hover.label(trace, 1) == "实际累计完成\n2026年11月10日\n累计 17"
    trace["hovertemplate"] = "%{x|%d %b %Y}<br>%{x|%b %Y}<extra></extra>"
    assert hover.label(trace, 0) == "03 Nov 2026\nNov 2026"


@pytest.mark.parametrize(
    ("spec", "value", "text"),
    [(".1%", 0.1234, "12.3%"), (".1~%", 0.5, "50%"), (".0f", 12.6, "13"), (",", 12345, "12,345")],
)
def test_number_formats_follow_d3_as_plotly_does(spec: str, value: float, text: str) -> None:
    assert hover.label({"type": "bar", "y": [value], "hovertemplate": f"%{{y:{spec}}}"}, 0) == text


def test_a_slice_knows_its_label_value_and_share() -> None:
    pie = {"type": "pie", "labels": ["党建", "文化"], "values": [1, 3]}
    pie["hovertemplate"] = "%{label}: %{value}（%{percent}）"
    assert hover.label(pie, 1, total=4) == "文化: 3（75%）"


def test_a_trace_without_a_template_says_its_name_and_point_and_one_that_skips_says_nothing() -> None:
    assert hover.label({"type": "bar", "name": "计划", "x": ["一月"], "y": [3]}, 0) == "计划\n一月: 3"
    assert hover.label({"type": "bar", "x": ["一月"], "y": [3], "hoverinfo": "skip"}, 0) == ""


def test_values_are_shown_as_typed_and_an_unknown_token_stays_as_written() -> None:
    trace = {"type": "bar", "x": ["<b>甲</b>"], "y": [1], "hovertemplate": "<b>%{x}</b> %{meta}"}
    assert hover.label(trace, 0) == "<b>甲</b> %{meta}"  # the template's <b> read, the value's kept


# ---- every chart of every board -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_mark_of_every_board_has_a_label_with_nothing_left_unfilled(lang: str) -> None:
    frames = demo_frames(TODAY)
    for board in BOARDS:
        for chart_id, _, fig in render_board(board, frames, lang, TODAY):
            tips = _tips(markup(fig, drill=chart_id in DRILLS))
            marks = sum(len(t.get("x") or t.get("values") or []) for t in fig["data"])
            assert tips or not marks, chart_id
            assert not [t for t in tips if "%{" in t or "<br>" in t or "<extra>" in t], chart_id


def test_a_click_on_any_mark_of_a_chart_that_drills_names_a_category_with_rows_behind_it() -> None:
    frames = demo_frames(TODAY)
    clicked = 0
    for board in BOARDS:
        for chart_id, _, fig in render_board(board, frames, "zh", TODAY):
            if chart_id not in DRILLS:
                assert "data-c=" not in markup(fig), chart_id  # nothing to click: no pointer cursor
                continue
            html = markup(fig, drill=True)
            points = [(int(c), int(p)) for _, c, p in TIP.findall(html) if c]
            points += [
                (data["c"], data.get("p", range(len(data["t"])))[k])
                for data in map(json.loads, BLOCK.findall(html))
                if "c" in data
                for k in range(len(data["t"]))
            ]
            assert points, chart_id
            for curve, point in points:
                label = clicked_label(chart_id, frames, "zh", {"curveNumber": curve, "pointNumber": point})
                assert label is not None, (chart_id, curve, point)
                assert drill.rows_behind(frames, chart_id, label) is not None, (chart_id, label)
                clicked += 1
    assert clicked > 20


def test_a_line_s_points_travel_as_one_block_that_no_data_can_end_early() -> None:
    fig = Figure()
    fig.add_scatter(x=["一月", "二月", "三月"], y=[1, 2, 3], mode="lines", name="</script><!--甲")
    html = markup(figure_dict(style(fig, "zh")))
    (block,) = BLOCK.findall(html)
    data = json.loads(block)
    assert data["h"] == "</script><!--甲"  # the trace's name, once, not on every point
    assert data["t"] == ["一月: 1", "二月: 2", "三月: 3"]
    assert len(data["xy"]) == 6 and all(0 <= v <= 1000 for v in data["xy"])
    assert "<" not in block
