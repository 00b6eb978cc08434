"""A chart's static first paint (dashboard.charts.static): each trace type, the empty state,
labels escaped, the figure's height kept, and bounded at city size."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from dashboard.charts.common import Figure, dark_wall, date_axis, empty_figure, style
from dashboard.charts.registry import BOARDS, figure_dict, render_board
from dashboard.charts.static import markup
from tests.frames import city_frames, demo_frames

TODAY = date(2025, 6, 15)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _fig(fig: Figure, lang: str = "zh", **kw: Any) -> dict[str, Any]:
    return figure_dict(style(fig, lang, **kw))


def _rects(html: str) -> list[dict[str, float]]:
    return [
        {k: float(v) for k, v in zip(("x", "y", "w", "h"), m, strict=True)}
        for m in re.findall(r'<rect x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)"', html)
    ]


def test_vertical_bars_one_rect_each_taller_for_larger_values() -> None:
    fig = Figure()
    fig.add_bar(x=["甲", "乙", "丙"], y=[1, 2, 4], marker_color="#c8102e", text=["1", "2", "4"])
    html = markup(_fig(fig, legend=False))
    rects = _rects(html)
    assert len(rects) == 3
    assert rects[0]["h"] < rects[1]["h"] < rects[2]["h"]
    assert all(r["y"] + r["h"] == pytest.approx(1000, abs=0.2) for r in rects)  # from zero at the bottom
    assert 'fill="#c8102e"' in html
    for label in ("甲", "乙", "丙"):  # category ticks
        assert f">{label}</span>" in html
    assert "height:320px" in html


def test_horizontal_stacked_bars_start_where_the_previous_ends() -> None:
    fig = Figure()
    fig.add_bar(y=["a", "b"], x=[2, 1], orientation="h", name="one", marker_color="#111111")
    fig.add_bar(y=["a", "b"], x=[1, 3], orientation="h", name="two", marker_color="#222222")
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
    rects = _rects(markup(_fig(fig)))
    assert len(rects) == 4
    a1, b1, a2, b2 = rects
    assert a2["x"] == pytest.approx(a1["x"] + a1["w"], abs=0.2)
    assert b2["x"] == pytest.approx(b1["x"] + b1["w"], abs=0.2)
    assert a1["y"] < b1["y"]  # reversed: the first category on top


def test_grouped_bars_side_by_side_and_legend_names() -> None:
    fig = Figure()
    fig.add_bar(x=["a", "b"], y=[1, 2], name="raised")
    fig.add_bar(x=["a", "b"], y=[2, 1], name="closed")
    html = markup(_fig(fig, "en"))
    a1, _, a2, _ = _rects(html)
    assert a1["x"] + a1["w"] <= a2["x"] + 0.2
    assert 'class="cs-legend"' in html and ">raised</span>" in html and ">closed</span>" in html


def test_gantt_bars_from_a_date_base() -> None:
    fig = Figure()
    days = 86_400_000
    fig.add_bar(y=["p1", "p2"], x=[10 * days, 20 * days], base=["2025-06-01", "2025-06-05"], orientation="h")
    fig.update_layout(xaxis=date_axis("zh"), barmode="overlay")
    r1, r2 = _rects(markup(_fig(fig, legend=False)))
    assert r2["x"] > r1["x"]
    assert r2["w"] == pytest.approx(2 * r1["w"], rel=0.01)


def test_lines_steps_dashes_and_chinese_date_ticks() -> None:
    fig = Figure()
    fig.add_scatter(x=["2025-01-01", "2025-03-01", "2025-06-01"], y=[1, 3, 2], mode="lines", name="计划",
                    line={"dash": "dash", "color": "#999999"})  # fmt: skip
    fig.add_scatter(x=["2025-01-01", "2025-03-01", "2025-06-01"], y=[0, None, 2], mode="lines", name="实际",
                    line={"shape": "hv", "color": "#c8102e"})  # fmt: skip
    fig.update_layout(xaxis=date_axis("zh"))
    html = markup(_fig(fig))
    paths = re.findall(r'<path d="([^"]+)" fill="none" stroke="([^"]+)"', html)
    assert len(paths) == 2
    assert paths[0][0].count("L") == 2 and 'stroke-dasharray="6,4"' in html
    assert paths[1][0].count("M") == 2  # the gap (None) breaks the line
    assert re.search(r">\d+月</span>", html) and "Jan" not in html and "Mar" not in html


def test_english_date_ticks_have_no_chinese() -> None:
    fig = Figure()
    fig.add_scatter(x=["2025-01-01", "2025-06-01"], y=[1, 2], mode="lines+markers", name="a")
    fig.update_layout(xaxis=date_axis("en"))
    html = markup(_fig(fig, "en"))
    assert not CJK.search(html)
    assert "h0" in html  # the markers


def test_square_markers_keep_their_pixel_size() -> None:
    fig = Figure()
    fig.add_scatter(x=[0, 1, 2], y=[0, 1, 2], mode="markers", marker={"symbol": "square", "size": 16})
    html = markup(_fig(fig, legend=False))
    assert 'stroke-width="16" stroke-linecap="square" vector-effect="non-scaling-stroke"' in html
    assert html.count("h0") == 3


def test_doughnut_slices_and_values() -> None:
    fig = Figure()
    fig.add_pie(labels=["网格", "楼宇"], values=[3, 1], hole=0.45, textinfo="value",
                marker={"colors": ["#c8102e", "#1f77b4"]})  # fmt: skip
    html = markup(_fig(fig))
    assert html.count("<path") == 2 and "A0.45 0.45" in html
    # plotly's default (counterclockwise): the first slice (3 of 4) ends at 12 o'clock, so it
    # runs clockwise from 12 to 9 o'clock; the next one from 9 to 12 o'clock
    assert '<path d="M0.0000 -1.0000A1 1 0 1 1 -1.0000 0.0000' in html
    assert '<path d="M-1.0000 -0.0000A1 1 0 0 1 0.0000 -1.0000' in html
    assert ">3</text>" in html and ">1</text>" in html
    assert ">网格</span>" in html and ">楼宇</span>" in html  # the legend names the slices


def test_one_slice_is_a_whole_ring() -> None:
    fig = Figure()
    fig.add_pie(labels=["a"], values=[5], hole=0.5)
    assert markup(_fig(fig)).count("<circle") == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_figure_says_no_data_and_draws_nothing(lang: str) -> None:
    html = markup(figure_dict(empty_figure(lang)))
    assert ("暂无数据" if lang == "zh" else "No data") in html
    assert "<rect" not in html and "cs-xt" not in html and "cs-yt" not in html
    assert "height:240px" in html


def test_a_figure_without_data_or_layout() -> None:
    assert markup({}).startswith('<div class="cs"')
    assert "<rect" not in markup({"data": [], "layout": {}})


def test_labels_and_colours_are_escaped() -> None:
    evil = '<script>alert("x")</script>&'
    fig = Figure()
    fig.add_bar(x=[evil], y=[1], name=evil, text=[evil])
    fig.add_bar(x=[evil], y=[2], name="b")
    fig.add_annotation(text=evil, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    fig.update_layout(yaxis={"title": {"text": evil}}, xaxis={"title": {"text": evil}})
    data = _fig(fig, legend=True)
    data["data"][0]["marker"] = {"color": 'red"><b onload=x'}  # a colour no plotly would accept
    html = markup(data)
    assert "<script>" not in html and "<b " not in html
    assert 'fill="red&quot;&gt;&lt;b onload=x"' in html
    # tick, bar text, legend, annotation, two axis titles; and in the hover labels: the first
    # bar's trace name and category, the second bar's category
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;") == 6 + 3


def test_the_wall_theme_carries_its_light_text_and_height() -> None:
    fig = Figure()
    fig.add_bar(x=["a"], y=[1])
    html = markup(dark_wall(_fig(fig)))
    assert "color:#e8e8e8" in html and "height:400px" in html and "font-size:18px" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_demo_chart_renders_as_tall_as_plotly_draws_it(lang: str) -> None:
    frames = demo_frames(TODAY)
    for board in BOARDS:
        for cid, _, fig in render_board(board, frames, lang, TODAY):
            html = markup(fig)
            assert f"height:{fig['layout']['height']}px" in html, cid
            if lang == "en":
                ascii_data = json.dumps(fig, ensure_ascii=False)
                assert not CJK.search(html) or CJK.search(ascii_data), cid


@pytest.mark.slow
def test_static_charts_of_a_city_stay_small() -> None:
    """The markup follows the figure's bounded points, not the rows (about as big as the figure)."""
    city = city_frames(TODAY)
    for board in ("elections", "brands", "demolition", "tasks", "org_life"):
        size = sum(len(markup(fig).encode()) for _, _, fig in render_board(board, city, "zh", TODAY))
        print(f"{board}: {size / 1024:.1f} KB")
        assert size < 100 * 1024
