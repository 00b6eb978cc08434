"""Building a board's view in the viewer's language: charts, KPI cards, rows, freshness, warnings.

The formatting lives here (insights return codes, numbers and dates); every string comes from the
catalogue in ``dashboard.i18n`` or is data as entered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard import contract, i18n
from dashboard.board.snapshot import Snapshot, filtered
from dashboard.board.views import (
    BOARDS,
    BoardView,
    BrandCard,
    ChartView,
    ExpiryRow,
    Freshness,
    GridCell,
    GridGroup,
    KpiGroup,
    KpiView,
    OrgRow,
    Swatch,
    WarningRow,
)
from dashboard.charts import registry
from dashboard.insights import metrics, warnings
from dashboard.insights.filters import FILTER_KEYS, Filters
from dashboard.insights.filters import options as filter_choices
from dashboard.insights.metrics import Frames

# The datasets each board reads: its "数据截至" lines and its demo banner.
# The datasets each board reads: its "数据截至" lines and its demo banner.
BOARD_DATASETS: dict[str, tuple[str, ...]] = {
    "overview": tuple(contract.DATASETS),
    "elections": ("elections",),
    "brands": ("brands", "activities"),
    "demolition": ("demolition", "milestones", "meetings"),
}

# Rows beyond these are summarised as "另有 N 条未显示" so a city-sized ledger
# stays a small page (the charts carry the totals).
TABLE_LIMIT = 60
FILTER_CHOICES_LIMIT = 200  # more than this and the filter is typed, not picked
CARD_LIMIT = 48
DEMO_USER = "demo"
# Charts the pages draw as HTML instead: the property grid (战果图) is crisper,
# wraps on a phone and carries the masked names as native tooltips.
HTML_INSTEAD: frozenset[str] = frozenset({"demolition_grid"})


def freshness(snapshot: Snapshot, board: str, lang: str) -> list[Freshness]:
    """One "数据截至 <time> · <user>" line per dataset the board reads (labelled "<dataset>：")."""
    out = []
    for name in BOARD_DATASETS[board]:
        info = snapshot.latest.get(name)
        title = i18n.t("app.label", lang, label=i18n.dataset_title(contract.get_dataset(name), lang))
        if info is None:
            out.append(Freshness(dataset=title, text=i18n.t("app.not_imported", lang)))
            continue
        text = i18n.t("app.data_as_of", lang, time=i18n.fmt_datetime(info.created_at, lang), user=info.user)
        out.append(Freshness(dataset=title, text=text, demo=info.user == DEMO_USER))
    return out


def _trend(delta: float | None) -> str:
    if delta is None:
        return "none"
    return "up" if delta > 0 else "down" if delta < 0 else "flat"


# Overview card groups: (title key, KPI ids in order).
KPI_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "board.elections",
        ("election_completion", "election_completion_village", "election_completion_community"),
    ),
    ("board.brands", ("brand_coverage", "activities_month", "participants_month")),
    (
        "board.demolition",
        ("signed_rate", "vacated_rate", "demolished_rate", "time_progress", "progress_gap"),
    ),
)


def _kpi_sub(k: metrics.Kpi, lang: str) -> str:
    """The counts behind a rate ("85 / 91"), or the campaign day under 时间进度."""
    d = k.detail
    if k.id == "time_progress":
        return "" if d.get("day") is None else i18n.t("day_n_of", lang, day=d["day"], days=d.get("days"))
    for num, den in (("count", "total"), ("completed", "total"), ("covered", "communities")):
        if d.get(num) is not None and d.get(den) is not None:
            return f"{i18n.fmt_int(d[num], lang)} / {i18n.fmt_int(d[den], lang)}"
    return ""


def _kpi_view(k: metrics.Kpi, lang: str) -> KpiView:
    return KpiView(
        id=k.id,
        label=i18n.t(k.label_key, lang),
        value=metrics.kpi_value_text(k, lang),
        sub=_kpi_sub(k, lang),
        delta=metrics.kpi_delta_text(k, lang),
        trend=_trend(k.delta),
        level=k.level,
        formula=metrics.kpi_formula_text(k, lang),
    )


def kpi_groups(snapshot: Snapshot, lang: str) -> list[KpiGroup]:
    kpis = {k.id: k for k in metrics.overview_kpis(snapshot.current, snapshot.previous(), snapshot.today)}
    groups = []
    for title_key, ids in KPI_GROUPS:
        cards = [_kpi_view(kpis[kid], lang) for kid in ids if kid in kpis]
        groups.append(KpiGroup(title=i18n.t(title_key, lang), kpis=cards))
    return groups


def _more(total: int, shown: int, lang: str) -> str:
    return i18n.t("app.more_rows", lang, n=total - shown) if total > shown else ""


def _strings(cls: type, row: dict[str, Any]) -> dict[str, str]:
    """The string fields of ``cls`` taken from ``row`` (None -> "")."""
    return {
        name: "" if row.get(name) is None else str(row[name])
        for name, f in cls.__dataclass_fields__.items()  # type: ignore[attr-defined]
        if f.type in ("str", str) and name in row
    }


def _elections(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    rows = metrics.elections_table(snapshot.current, lang)
    view.org_headers = [
        i18n.column_header(contract.ELECTIONS.column(c), lang) for c in metrics.ELECTIONS_TABLE_COLUMNS
    ]
    view.orgs = [OrgRow(**_strings(OrgRow, r)) for r in rows[:TABLE_LIMIT]]
    view.orgs_more = _more(len(rows), len(view.orgs), lang)
    exp = metrics.term_expiry(snapshot.current, snapshot.today, lang)
    view.expiries = [ExpiryRow(**_strings(ExpiryRow, r)) for r in exp[:TABLE_LIMIT]]
    view.expiries_more = _more(len(exp), len(view.expiries), lang)


def _brands(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    cards = metrics.brand_cards(snapshot.current, snapshot.today, lang)
    out = []
    for c in cards[:CARD_LIMIT]:
        pace = c.get("pace")
        percent = 0 if pace is None else max(0, min(100, round(float(pace) * 100)))
        out.append(BrandCard(**_strings(BrandCard, c), percent=percent))
    view.brands = out
    view.brands_more = _more(len(cards), len(out), lang)


SIGNED_CODES = contract.PROPERTY_STATUS.codes[contract.PROPERTY_STATUS.rank("signed") :]


def _grid(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    groups = metrics.property_grid(snapshot.current, lang, mask=True)
    out = []
    for g in groups:
        counts = g.get("counts", {})
        done = sum(counts.get(code, 0) for code in SIGNED_CODES)
        summary = i18n.t(
            "app.grid_summary", lang, total=i18n.fmt_int(g["total"], lang), signed=i18n.fmt_int(done, lang)
        )
        cells = [
            GridCell(
                css=f"cell s-{c.get('status') or 'none'}" + (" key" if c.get("key_household") else ""),
                title=" · ".join(
                    str(c.get(k) or i18n.MISSING) for k in ("property_id", "household", "status_label")
                ),
            )
            for c in g.get("cells", [])
        ]
        hidden = int(g.get("hidden") or 0)
        out.append(
            GridGroup(
                label=str(g["label"]),
                summary=summary,
                cells=cells,
                hidden_text=i18n.t("series.more", lang, n=i18n.fmt_int(hidden, lang)) if hidden else "",
            )
        )
    view.grid = out
    view.grid_legend = [
        Swatch(label=i18n.enum_label(contract.PROPERTY_STATUS, code, lang), colour=colour)
        for code, colour in metrics.PROPERTY_STATUS_COLOURS.items()
    ]


def filter_options(frames: Frames) -> tuple[dict[str, list[str]], list[str]]:
    """The filter bar's choices from the unfiltered data, and the filters to type instead.

    A filter with more choices than a list can usefully offer (a city's thousands of
    communities) is typed; its choices are not sent, so what a page carries does not
    grow with the data.
    """
    options = filter_choices(frames)
    typed = [key for key, values in options.items() if len(values) > FILTER_CHOICES_LIMIT]
    for key in typed:
        options[key] = []
    return options, typed


def _around(reason: str, name: str) -> dict[str, str]:
    """The reason split around the data name it quotes (before, name, after)."""
    before, found, after = reason.partition(name) if name else (reason, "", "")
    return {"before": before, "name": found, "after": after}


def warning_rows(snapshot: Snapshot, lang: str) -> list[WarningRow]:
    """Open warnings, most severe then newest first, each linking to its board."""
    return open_warnings(snapshot, lang)[0]


def open_warnings(snapshot: Snapshot, lang: str) -> tuple[list[WarningRow], int]:
    """The first TABLE_LIMIT open warnings as rows, and how many are open in all."""
    found = warnings.evaluate(snapshot.current, snapshot.latest, snapshot.today, lang)
    return [
        WarningRow(
            rule=w.rule,
            level=w.level,
            level_label=i18n.t(f"warn.level.{w.level}", lang),
            board=w.board,
            board_label=i18n.t(f"board.{w.board}", lang),
            reason=w.reason,
            **_around(w.reason, w.name),
            link=w.link,
            since=i18n.t("warn.since", lang, date=i18n.fmt_date(w.since, lang)),
        )
        for w in found[:TABLE_LIMIT]
    ], len(found)


_EXTRAS: dict[str, Callable[[BoardView, Snapshot, str], None]] = {
    "elections": _elections,
    "brands": _brands,
    "demolition": _grid,
}


def build_view(snapshot: Snapshot, board: str, lang: str, filters: Filters | None = None) -> BoardView:
    """The whole board in ``lang``: charts from the registry, KPIs, rows, freshness."""
    if board not in BOARDS:
        raise KeyError(f"unknown board {board!r}; choose one of: {', '.join(BOARDS)}")
    options, typed = filter_options(snapshot.current)
    snapshot = filtered(snapshot, filters)
    lines = freshness(snapshot, board, lang)
    view = BoardView(
        board=board,
        lang=lang,
        stamp=snapshot.stamp,
        version=snapshot.version,
        day=snapshot.today.isoformat(),
        demo=any(f.demo for f in lines),
        freshness=lines,
        filter_query=filters.query_string() if filters is not None else "",
        filter_options=options,
        filter_typed=typed,
        filter_values={k: (filters.query() if filters else {}).get(k, "all") for k in FILTER_KEYS},
    )
    if board in registry.BOARDS:
        view.charts = [
            ChartView(id=cid, title=title, figure=fig)
            for cid, title, fig in registry.render_board(board, snapshot.current, lang, snapshot.today)
            if cid not in HTML_INSTEAD
        ]
    if board == "overview":
        view.kpi_groups = kpi_groups(snapshot, lang)
        view.warnings, total = open_warnings(snapshot, lang)
        view.warnings_more = _more(total, len(view.warnings), lang)
    if board in _EXTRAS:
        _EXTRAS[board](view, snapshot, lang)
    return view
