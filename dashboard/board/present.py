"""Building a board's view in the viewer's language: charts, KPI cards, rows, freshness, warnings.

The formatting lives here (insights return codes, numbers and dates); every string comes from the
catalogue in ``dashboard.i18n`` or is data as entered.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from dashboard import contract, i18n
from dashboard.board import format as fmt
from dashboard.board import rows as board_rows
from dashboard.board.snapshot import Snapshot, filtered, unwatched
from dashboard.board.views import (
    BOARDS,
    BoardView,
    ChartCard,
    ChartView,
    Freshness,
    KpiGroup,
    KpiView,
    OrgLifeColumn,
    Swatch,
    WarningRow,
)
from dashboard.board.warnings import warning_row
from dashboard.charts import org_life as org_life_text
from dashboard.charts import registry, static
from dashboard.contract.scopes import Scope, ScopeError
from dashboard.demo import load as demo_load
from dashboard.insights import DRILLS, FILTER_KEYS, Filters, Frames, metrics, org_life, warnings
from dashboard.insights import options as filter_choices
from dashboard.insights import tasks as insight_tasks

# The datasets each board reads: its "数据截至" lines and its demo banner.
BOARD_DATASETS: dict[str, tuple[str, ...]] = {
    "overview": tuple(contract.DATASETS),
    "elections": ("elections",),
    "brands": ("brands", "activities"),
    "demolition": ("demolition", "milestones", "meetings"),
    "tasks": ("tasks", "meetings"),
    "org_life": ("org_life", "elections"),
}

# Rows beyond these are summarised as "另有 N 条未显示" so a city-sized ledger
# stays a small page (the charts carry the totals).
TABLE_LIMIT = 60
FILTER_CHOICES_LIMIT = 200  # more than this and the filter is typed, not picked
CARD_LIMIT = 48
DEMO_USERS = demo_load.DEMO_USERS  # the banner shows while one of these made a board's latest version
# Charts the pages draw as HTML instead: the property grid (战果图) is crisper,
# wraps on a phone and carries the masked names as native tooltips.
HTML_INSTEAD: frozenset[str] = frozenset({"demolition_grid"})


def touched(version_scope: str, viewer: Scope | None) -> bool:
    """Whether a version made under ``version_scope`` (its stored text, "" = office-wide) may have
    changed what ``viewer`` sees: an office-wide one, or one of the same kind sharing a value."""
    if viewer is None or not version_scope:
        return True
    try:
        made = Scope.parse(version_scope)
    except ScopeError:
        return False
    return made is None or (made.kind is viewer.kind and bool(set(made.values) & set(viewer.values)))


def freshness(snapshot: Snapshot, board: str, lang: str, scope: Scope | None = None) -> list[Freshness]:
    """One "数据截至 <time> · <user>" line per dataset the board reads (labelled "<dataset>：").

    A scoped viewer is not told who made the newest version when another scope made it (a
    community's staff upload names nobody to the next community): the time alone, then.
    """
    out = []
    for name in BOARD_DATASETS[board]:
        info = snapshot.latest.get(name)
        title = i18n.t("app.label", lang, label=i18n.dataset_title(contract.get_dataset(name), lang))
        if info is None:
            out.append(Freshness(dataset=title, text=i18n.t("app.not_imported", lang)))
            continue
        time = i18n.fmt_datetime(info.created_at, lang)
        if touched(info.scope, scope):
            text = i18n.t("app.data_as_of", lang, time=time, user=info.user)
        else:
            text = i18n.t("app.data_as_of_time", lang, time=time)
        out.append(Freshness(dataset=title, text=text, demo=info.user in DEMO_USERS))
    return out


def _trend(delta: float | None) -> str:
    """Which way the figure moved (the arrow)."""
    if delta is None:
        return "none"
    return "up" if delta > 0 else "down" if delta < 0 else "flat"


def _tone(k: metrics.Kpi) -> str:
    """Whether the change is good or bad news (the colour): a rise of 超期事项 is bad, of 签约率 good."""
    if not k.delta or k.better == "neither":  # no change, none known, or 时间进度 (time passes)
        return "neutral"
    rose = k.delta > 0
    return "good" if rose == (k.better == "higher") else "bad"


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
    ("board.tasks", ("tasks_open", "tasks_overdue", "tasks_on_time_rate", "tasks_same_day_rate")),
    ("board.org_life", ("org_life_rate", "org_life_gap_orgs", "org_life_attendance")),
)


def _kpi_sub(k: metrics.Kpi, lang: str) -> str:
    """The counts behind a rate ("85 / 91"), or the campaign day under 时间进度."""
    d = k.detail
    if k.id == "time_progress":
        return "" if d.get("day") is None else i18n.t("day_n_of", lang, day=d["day"], days=d.get("days"))
    pairs = (("count", "total"), ("completed", "total"), ("covered", "communities"))
    pairs += (("held", "due"), ("orgs_gap", "orgs"), ("attended", "expected"))  # 组织生活
    for num, den in pairs:
        if d.get(num) is not None and d.get(den) is not None:
            return f"{i18n.fmt_int(d[num], lang)} / {i18n.fmt_int(d[den], lang)}"
    return ""


def _kpi_view(k: metrics.Kpi, lang: str, history: pd.DataFrame) -> KpiView:
    view = KpiView(
        id=k.id,
        label=fmt.kpi_label(k, lang),
        value=fmt.kpi_value_text(k, lang),
        sub=_kpi_sub(k, lang),
        delta=fmt.kpi_delta_text(k, lang),
        trend=_trend(k.delta),
        tone=_tone(k),
        level=k.level,
        formula=fmt.kpi_formula_text(k, lang),
    )
    if k.id in history.columns:  # any KPI overview_kpis returns has its line (sparklines.kpi_history)
        values = history[k.id].tolist()
        view.spark = fmt.spark_points(values)
        if view.spark:
            view.spark_label = fmt.spark_label(k, values, history.index[0].date(), lang)
    return view


def kpi_groups(snapshot: Snapshot, lang: str) -> list[KpiGroup]:
    kpis = {k.id: k for k in metrics.overview_kpis(snapshot.current, snapshot.previous(), snapshot.today)}
    history = snapshot.kpi_trends()
    groups = []
    for title_key, ids in KPI_GROUPS:
        cards = [_kpi_view(kpis[kid], lang, history) for kid in ids if kid in kpis]
        groups.append(KpiGroup(title=i18n.t(title_key, lang), kpis=cards))
    return groups


def _more(total: int, shown: int, lang: str) -> str:
    return i18n.t("app.more_rows", lang, n=total - shown) if total > shown else ""


def _elections(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    rows = metrics.elections_table(snapshot.current)
    view.org_headers = [
        i18n.column_header(contract.ELECTIONS.column(c), lang) for c in metrics.ELECTIONS_TABLE_COLUMNS
    ]
    view.orgs = [board_rows.org_row(r, lang) for r in rows[:TABLE_LIMIT]]
    view.orgs_more = _more(len(rows), len(view.orgs), lang)
    exp = metrics.term_expiry(snapshot.current, snapshot.today)
    view.expiries = [board_rows.expiry_row(r, lang) for r in exp[:TABLE_LIMIT]]
    view.expiries_more = _more(len(exp), len(view.expiries), lang)


def _brands(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    cards = metrics.brand_cards(snapshot.current, snapshot.today)
    view.brands = [board_rows.brand_card(c, lang) for c in cards[:CARD_LIMIT]]
    view.brands_more = _more(len(cards), len(view.brands), lang)


def _grid(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    view.grid = [board_rows.grid_group(g, lang) for g in metrics.property_grid(snapshot.current, mask=True)]
    view.grid_legend = [
        Swatch(label=i18n.enum_label(contract.PROPERTY_STATUS, code, lang), colour=colour)
        for code, colour in metrics.PROPERTY_STATUS_COLOURS.items()
    ]


DISPATCH_LIMIT = 10  # the latest dispatch meetings listed under the meetings chart
RECENT_LIMIT = 20  # the latest 督办 items listed (a dispatch meeting raises a handful)


def _demolition(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    """The property grid, and the latest dispatch meetings each linking to the 督办 items it raised."""
    _grid(view, snapshot, lang)
    rows, total = insight_tasks.meetings_with_tasks(snapshot.current, DISPATCH_LIMIT)
    view.dispatch_meetings = [board_rows.meeting_row(r, lang) for r in rows]
    view.dispatch_meetings_more = _more(total, len(rows), lang)


def _tasks(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    """督办: the overdue items, longest overdue first, and the latest raised (newest first; on a
    board filtered to one day, that day's items); the first TABLE_LIMIT / RECENT_LIMIT, the rest counted."""
    view.task_headers = board_rows.task_headers(lang)
    rows, total = insight_tasks.overdue_items(snapshot.current, snapshot.today, TABLE_LIMIT)
    view.overdue_tasks = [board_rows.task_row(r, lang) for r in rows]
    view.overdue_tasks_more = _more(total, len(rows), lang)
    rows, total = insight_tasks.recent_items(snapshot.current, snapshot.today, RECENT_LIMIT)
    view.recent_tasks = [board_rows.task_row(r, lang) for r in rows]
    view.recent_tasks_more = _more(total, len(rows), lang)


def _org_life(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    """The compliance grid: the worst GRID_ROWS organisations, "另有 N 条" for the rest."""
    got = org_life.grid(snapshot.current, snapshot.today)
    view.org_life_columns = [
        OrgLifeColumn(
            label=org_life_text.period_short(c["period"], lang),
            css="olg-col q" if c["kind"] == "quarter" else "olg-col",
        )
        for c in got["columns"]
    ]
    view.org_life_rows = [board_rows.org_life_row(r, lang) for r in got["rows"]]
    view.org_life_more = _more(got["total"], len(view.org_life_rows), lang)
    view.org_life_legend = [
        Swatch(label=i18n.t(f"org_life.status.{s}", lang), colour=colour)
        for s, colour in org_life.STATUS_COLOURS.items()
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


# Filters whose choices are codes or numbers: what the filter bar shows for each, in the viewer's language.
_OPTION_ENUMS: dict[str, contract.Enum] = {
    "org_type": contract.ORG_TYPE,
    "domain": contract.TASK_DOMAIN,
    "source": contract.TASK_SOURCE,
    "meeting_type": contract.ORG_LIFE_TYPE,
}
_OPTION_NUMBERS: dict[str, str] = {
    "party_group": "party_group_n",
    "category": "category_n",
    "phase": "phase_n",
}


def filter_labels(options: dict[str, list[str]], lang: str) -> dict[str, dict[str, str]]:
    """Each filter choice's label: an enum's label, '第2党小组' for a number, a name as it is; every
    filter has an entry (the page looks each one up)."""
    out: dict[str, dict[str, str]] = {key: {} for key in FILTER_KEYS}
    for key, values in options.items():
        if key in _OPTION_ENUMS:
            out[key] = {v: i18n.enum_label(_OPTION_ENUMS[key], v, lang) for v in values}
        elif key in _OPTION_NUMBERS:
            out[key] = {v: i18n.t(_OPTION_NUMBERS[key], lang, n=int(v)) for v in values}
        else:
            out[key] = {v: v for v in values}
    return out


def warning_rows(snapshot: Snapshot, lang: str) -> list[WarningRow]:
    """Open warnings, most severe then newest first, each linking to its board."""
    return open_warnings(snapshot, lang)[0]


def open_warnings(snapshot: Snapshot, lang: str) -> tuple[list[WarningRow], int]:
    """The first TABLE_LIMIT open warnings as rows, and how many are open in all."""
    found = warnings.evaluate(snapshot.current, snapshot.latest, snapshot.today)
    return [warning_row(w, lang) for w in found[:TABLE_LIMIT]], len(found)


def _warnings_panel(view: BoardView, snapshot: Snapshot, lang: str) -> None:
    """The overview's panel: the rows (most severe first), how many are open at each level (over
    all of them, not only the rows sent) and the expander's label, "全部 N 条"."""
    found = warnings.evaluate(snapshot.current, snapshot.latest, snapshot.today)
    view.warnings = [warning_row(w, lang) for w in found[:TABLE_LIMIT]]
    view.warnings_more = _more(len(found), len(view.warnings), lang)
    view.warnings_red = sum(w.level == "red" for w in found)
    view.warnings_yellow = len(found) - view.warnings_red
    view.warnings_all = i18n.t("app.warnings.all", lang, n=len(found))


_EXTRAS: dict[str, Callable[[BoardView, Snapshot, str], None]] = {
    "elections": _elections,
    "brands": _brands,
    "demolition": _demolition,
    "tasks": _tasks,
    "org_life": _org_life,
}


def build_view(snapshot: Snapshot, board: str, lang: str, filters: Filters | None = None) -> BoardView:
    """The whole board in ``lang``: charts from the registry, KPIs, rows, freshness."""
    if board not in BOARDS:
        raise KeyError(f"unknown board {board!r}; choose one of: {', '.join(BOARDS)}")
    scope = filters.scope if filters is not None else None
    # A scoped viewer's choices are its scope's own: no other community's name reaches the page.
    options, typed = filter_options(unwatched(filtered(snapshot, Filters(scope=scope)).current))
    snapshot = filtered(snapshot, filters)
    lines = freshness(snapshot, board, lang, scope)
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
        filter_labels=filter_labels(options, lang),
        filter_typed=typed,
        filter_values={k: (filters.query() if filters else {}).get(k, "all") for k in FILTER_KEYS},
    )
    if board in registry.BOARDS:
        view.charts = [
            ChartView(id=cid, title=title, figure=fig)
            for cid, title, fig in registry.render_board(board, snapshot.current, lang, snapshot.today)
            if cid not in HTML_INSTEAD
        ]
        view.cards = [
            ChartCard(id=c.id, title=c.title, static=static.markup(c.figure, drill=c.id in DRILLS))
            for c in view.charts
        ]
    if board == "overview":
        view.kpi_groups = kpi_groups(snapshot, lang)
        _warnings_panel(view, snapshot, lang)
    if board in _EXTRAS:
        _EXTRAS[board](view, snapshot, lang)
    return view
