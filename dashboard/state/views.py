"""What one board shows, computed once per data version and language, shared by every viewer.

Pure Python (no Reflex): the Reflex states copy a :class:`BoardView` into
their fields, the tests and the benchmark can build one directly. A view
holds display-ready strings (translated, formatted for the language) and
plotly figure dicts, never raw frames: what goes over the websocket is small
and does not grow with the row count (tables and the property grid are
capped, charts aggregate in ``dashboard.charts``).

The process-level :class:`ViewCache` keys everything by
``(storage.data_stamp(engine), today)``: a new version from anywhere (the
CLI in another process, another worker) changes the stamp, and the next
request or poll reads the dataset that changed (:class:`FrameStore` keeps
the others) and builds each (board, language) view once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from dashboard import clock, contract, i18n
from dashboard.charts import registry
from dashboard.ingest import validation
from dashboard.insights import metrics, trends, warnings
from dashboard.insights.filters import FILTER_KEYS, Filters
from dashboard.insights.filters import options as filter_choices
from dashboard.insights.metrics import Frames
from dashboard.store import storage

BOARDS: tuple[str, ...] = ("overview", "elections", "brands", "demolition")

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


# ---------------------------------------------------------------------------
# view models: plain dataclasses with display strings (Reflex state field types)


@dataclass
class ChartView:
    id: str = ""
    title: str = ""
    figure: dict[str, Any] = field(default_factory=dict)


@dataclass
class KpiView:
    id: str = ""
    label: str = ""
    value: str = ""
    sub: str = ""  # e.g. "第 85 天 / 共 100 天" under 时间进度
    delta: str = ""
    trend: str = "none"  # up | down | flat | none
    level: str = "ok"  # ok | warn | bad
    formula: str = ""


@dataclass
class KpiGroup:
    title: str = ""
    kpis: list[KpiView] = field(default_factory=list)


@dataclass
class Freshness:
    dataset: str = ""
    text: str = ""
    demo: bool = False


@dataclass
class OrgRow:
    org_code: str = ""
    org_name: str = ""
    org_type: str = ""
    stage: str = ""
    stage_code: str = ""
    supervisor: str = ""
    planned_date: str = ""
    completed_date: str = ""
    term_end: str = ""


@dataclass
class ExpiryRow:
    org_code: str = ""
    org_name: str = ""
    org_type: str = ""
    term_end: str = ""
    days_text: str = ""
    level: str = "yellow"  # yellow | red
    level_label: str = ""
    note: str = ""


@dataclass
class BrandCard:
    project_code: str = ""
    community: str = ""
    brand_name: str = ""
    category: str = ""
    status: str = ""
    status_code: str = ""
    progress_text: str = ""
    percent: int = 0  # activities / target, 0..100, for the progress bar
    level: str = "ok"


@dataclass
class GridCell:
    """One property of the 战果图: its CSS classes (status colour, key household) and tooltip.

    Two strings only: a city's grid is hundreds of cells, sent and drawn as plain divs.
    """

    css: str = "cell"  # "cell s-<status code>" (+ " key" for a key household)
    title: str = ""  # "DX-001 · 李** · 已拆除"


@dataclass
class GridGroup:
    label: str = ""
    summary: str = ""
    cells: list[GridCell] = field(default_factory=list)
    hidden_text: str = ""


@dataclass
class Swatch:
    label: str = ""
    colour: str = ""


@dataclass
class WarningRow:
    """One open warning on the overview's panel (dashboard.insights.warnings)."""

    rule: str = ""
    level: str = "yellow"  # red | yellow
    level_label: str = ""
    board: str = ""
    board_label: str = ""
    reason: str = ""
    # the reason split around the data name it quotes, so the name is marked as data
    before: str = ""
    name: str = ""
    after: str = ""
    link: str = "/"
    since: str = ""


@dataclass
class BoardView:
    """Everything one board shows in one language for one data version."""

    board: str = ""
    lang: str = i18n.DEFAULT_LANG
    stamp: int = -1
    # Identity of the data the view shows: stamp, newest version time and office date.
    # The stamp alone is not enough: a fresh database starts counting again.
    version: str = ""
    day: str = ""  # the office date it was built for (time progress moves daily)
    demo: bool = False
    freshness: list[Freshness] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)
    kpi_groups: list[KpiGroup] = field(default_factory=list)
    org_headers: list[str] = field(default_factory=list)
    orgs: list[OrgRow] = field(default_factory=list)
    orgs_more: str = ""
    expiries: list[ExpiryRow] = field(default_factory=list)
    expiries_more: str = ""
    brands: list[BrandCard] = field(default_factory=list)
    brands_more: str = ""
    grid: list[GridGroup] = field(default_factory=list)
    grid_legend: list[Swatch] = field(default_factory=list)
    warnings: list[WarningRow] = field(default_factory=list)
    warnings_more: str = ""
    filter_query: str = ""  # the URL query of the filters applied ("" = whole board)
    filter_options: dict[str, list[str]] = field(default_factory=dict)
    filter_values: dict[str, str] = field(default_factory=dict)  # key -> value, "all" when not set
    filter_typed: list[str] = field(default_factory=list)  # filters typed, not picked (too many)


# ---------------------------------------------------------------------------
# one data version


class FrameStore:
    """Frames by (dataset, version number), each read once.

    A new version of one dataset then reads that dataset alone (a city's
    million activities are not re-read because the demolition ledger
    changed), and the version it replaces is already here for the KPI
    deltas. Only the current and previous version of each dataset are kept.
    """

    def __init__(self) -> None:
        self._frames: dict[tuple[str, int], pd.DataFrame] = {}

    def get(self, engine: Engine, dataset: str, number: int) -> pd.DataFrame:
        if number <= 0:
            return validation.typed_empty(contract.get_dataset(dataset))
        key = (dataset, number)
        if key not in self._frames:
            self._frames[key] = storage.load_version(engine, dataset, number)
        return self._frames[key]

    def keep_only(self, numbers: dict[str, int]) -> None:
        wanted = {(name, n) for name, number in numbers.items() for n in (number, number - 1)}
        for key in set(self._frames) - wanted:
            del self._frames[key]


@dataclass
class Snapshot:
    """The frames of one data version; ``previous`` (for KPI deltas) is read on first use."""

    today: date
    latest: dict[str, storage.VersionInfo]
    current: Frames
    _read: Callable[[str, int], pd.DataFrame] | None = None
    _previous: Frames | None = None

    @property
    def stamp(self) -> int:
        """The newest version id: what ``storage.data_stamp`` returns for this data."""
        return max((v.id for v in self.latest.values()), default=0)

    @property
    def version(self) -> str:
        """Stamp, newest version time and office date: a fresh database starts counting again."""
        newest = max((v.created_at for v in self.latest.values()), default=None)
        return f"{self.stamp}|{newest.isoformat() if newest else '-'}|{self.today.isoformat()}"

    def previous(self) -> Frames:
        """Each dataset's previous version (an empty frame when there is none)."""
        if self._previous is None:
            self._previous = {
                name: self._read(name, self.latest[name].number - 1)
                if self._read is not None and name in self.latest
                else validation.typed_empty(contract.get_dataset(name))
                for name in contract.DATASETS
            }
        return self._previous


def load_snapshot(engine: Engine, today: date, store: FrameStore | None = None) -> Snapshot:
    """Read the newest version of every dataset (the database is the truth)."""
    store = store or FrameStore()
    latest = storage.latest_versions(engine)
    numbers = {name: latest[name].number if name in latest else 0 for name in contract.DATASETS}
    store.keep_only(numbers)

    def read(name: str, number: int) -> pd.DataFrame:
        return store.get(engine, name, number)

    current = {name: read(name, numbers[name]) for name in contract.DATASETS}
    current.update(trends.history(engine, today, current))  # trend.<id> curves for the trend charts
    return Snapshot(today=today, latest=latest, current=current, _read=read)


# ---------------------------------------------------------------------------
# building a board's view


def freshness(snapshot: Snapshot, board: str, lang: str) -> list[Freshness]:
    """One "数据截至 <time> · <user>" line per dataset the board reads (labelled "<dataset>：")."""
    out = []
    for name in BOARD_DATASETS[board]:
        info = snapshot.latest.get(name)
        title = i18n.t("app.label", lang, label=i18n.t(f"dataset.{name}", lang))
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
    view.org_headers = [i18n.t(f"col.elections.{c}", lang) for c in metrics.ELECTIONS_TABLE_COLUMNS]
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


def filtered(snapshot: Snapshot, filters: Filters | None) -> Snapshot:
    """The snapshot narrowed by ``filters`` (current and previous alike, so deltas compare like
    with like); the history curves are dropped and the trend charts redraw from the filtered rows."""
    if filters is None or filters.empty:
        return snapshot
    return Snapshot(
        today=snapshot.today,
        latest=snapshot.latest,
        current=filters.apply(snapshot.current),
        _previous=filters.apply(snapshot.previous()),
    )


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


class ViewCache:
    """Views of the current data version, shared by every viewer of this process.

    One lock: the first request after a new version reads what changed and
    builds the view; concurrent requests wait for it instead of repeating it.
    """

    def __init__(self, engine_factory: Callable[[], Engine] = storage.make_engine) -> None:
        self._engine_factory = engine_factory
        self._lock = threading.Lock()
        self._url = ""
        self._store = FrameStore()
        self._snapshot: Snapshot | None = None
        self._views: dict[tuple[str, str, str], BoardView] = {}

    def stamp(self) -> int:
        """The cheap "has anything changed" query (max version id)."""
        return storage.data_stamp(self._engine_factory())

    def view(
        self,
        board: str,
        lang: str,
        *,
        stamp: int | None = None,
        today: date | None = None,
        filters: Filters | None = None,
    ) -> BoardView:
        """The board's view for the data as it is now (``stamp``: as just polled), optionally filtered."""
        lang = lang if lang in i18n.LANGS else i18n.DEFAULT_LANG
        engine = self._engine_factory()
        stamp = storage.data_stamp(engine) if stamp is None else stamp
        today = today or clock.office_today()
        with self._lock:
            if str(engine.url) != self._url:  # another database (tests): nothing carries over
                self._url, self._store, self._snapshot = str(engine.url), FrameStore(), None
            snap = self._snapshot
            if snap is None or snap.stamp != stamp or snap.today != today:
                snap = load_snapshot(engine, today, self._store)
                self._snapshot = snap
                self._views = {}
            key = (board, lang, filters.key if filters is not None else "")
            if key not in self._views:
                self._views[key] = build_view(snap, board, lang, filters)
            return self._views[key]

    def frames(self, filters: Filters | None = None, *, today: date | None = None) -> Frames:
        """The current (optionally filtered) frames, for the rows behind a drill-down."""
        engine = self._engine_factory()
        today = today or clock.office_today()
        with self._lock:
            snap = self._snapshot
            if snap is None or str(engine.url) != self._url or snap.stamp != storage.data_stamp(engine):
                snap = None
        if snap is None:
            snap = load_snapshot(engine, today)
        return filtered(snap, filters).current


CACHE = ViewCache()
