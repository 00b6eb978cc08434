"""Per-viewer interactions on a board: the filter bar (kept in the URL) and drill-down.

Both are per-client states: the figures stay in the board view (built once per
version for every viewer), and only what this viewer clicked (the rows behind a
bar) is held here. The rows come from the same filtered frames the board was
drawn from, masked for every role but admin, and the same rows download as CSV
from /api/drill.csv.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import reflex as rx

from dashboard import board as presenter
from dashboard import clock, contract, i18n
from dashboard.accounts import Role
from dashboard.board import drill
from dashboard.charts import registry
from dashboard.insights import Filters
from dashboard.insights import filters as flt
from dashboard.state.auth import require
from dashboard.state.prefs import Prefs, valid_lang
from dashboard.store import export

ROW_LIMIT = 200  # rows listed in the dialog; the CSV has them all


def clicked_label(chart_id: str, frames: flt.Frames, lang: str, point: dict[str, Any]) -> str | None:
    """The category label of a clicked point, read from the chart as drawn (bar x/y, pie label)."""
    spec = next((s for specs in registry.BOARDS.values() for s in specs if s.id == chart_id), None)
    if spec is None:
        return None
    fig = registry.figure_dict(spec.build(frames, lang, clock.office_today()))
    data = fig.get("data", [])
    curve = int(point.get("curveNumber") or 0)
    index = point.get("pointNumber")
    if curve >= len(data) or index is None:
        return None
    trace = data[curve]
    if "labels" in trace:
        return str(trace["labels"][int(index)])
    axis = "y" if trace.get("orientation") == "h" else "x"
    values = trace.get(axis) or []
    return str(values[int(index)]) if int(index) < len(values) else None


def drill_rows(
    chart_id: str, label: str, lang: str, filters: Filters, mask: bool
) -> tuple[str, list[str], list[list[str]], int] | None:
    """(dataset, headers, rows as display strings, total) behind ``label`` of ``chart_id``."""
    got = drill.rows_behind(presenter.CACHE.frames(filters), chart_id, label)
    if got is None:
        return None
    dataset, rows = got
    text = export.to_text_frame(dataset, rows.head(ROW_LIMIT), mask_personal=mask)
    body = [["" if pd.isna(v) else str(v) for v in r] for r in text.itertuples(index=False)]
    return dataset, i18n.headers_in(contract.get_dataset(dataset), list(text.columns), lang), body, len(rows)


class Drill(rx.State):
    """The rows behind the bar, slice or grid cell this viewer clicked."""

    is_open: bool = False
    title: str = ""
    headers: list[str] = rx.field(default_factory=list)
    rows: list[list[str]] = rx.field(default_factory=list)
    more: str = ""
    csv_url: str = ""
    xlsx_url: str = ""

    async def _show(self, chart_id: str, label: str | None, lang: str, filters: Filters) -> None:
        who = await require(self, Role.VIEWER)
        if who is None or label is None:
            return
        filters = filters.within(who.scope)  # the rows behind a click are the scope's own
        got = await asyncio.to_thread(drill_rows, chart_id, label, lang, filters, not who.is_admin)
        if got is None:
            return
        dataset, headers, rows, total = got
        title = i18n.dataset_title(contract.get_dataset(dataset), lang)
        self.title = f"{title} · {label} · {i18n.fmt_int(total, lang)}"
        self.headers, self.rows = headers, rows
        self.more = i18n.t("app.more_rows", lang, n=total - len(rows)) if total > len(rows) else ""
        query = {"chart": chart_id, "label": label, "lang": lang, **filters.query()}
        self.csv_url = "/api/drill.csv?" + urlencode(query)
        self.xlsx_url = "/api/drill.xlsx?" + urlencode(query)
        self.is_open = True

    @rx.event
    async def show(self, chart_id: str, points: list[dict[str, Any]]):  # noqa: ANN201
        """A click on a chart: the first clicked point's category."""
        if not points:
            return
        who = await require(self, Role.VIEWER)
        if who is None:
            return
        lang = valid_lang((await self.get_state(Prefs)).lang)
        filters = Filters.from_query(self.router.url.query_parameters, who.scope)
        frames = await asyncio.to_thread(presenter.CACHE.frames, filters)
        label = clicked_label(chart_id, frames, lang, points[0])
        await self._show(chart_id, label, lang, filters)

    @rx.event
    async def show_org_life_cell(self, key: str):  # noqa: ANN201
        """A click on a square of the 组织生活 grid: its key is "<org_code> <period>"."""
        lang = valid_lang((await self.get_state(Prefs)).lang)
        filters = Filters.from_query(self.router.url.query_parameters)
        await self._show("org_life_grid", key, lang, filters)

    @rx.event
    def set_is_open(self, value: bool) -> None:
        self.is_open = value


class FilterBar(rx.State):
    """Changing a filter changes the URL; the page then opens the board with it."""

    @rx.event
    def set_filter(self, key: str, value: str):  # noqa: ANN201
        params = dict(self.router.url.query_parameters)
        if value in ("", "all"):
            params.pop(key, None)
        else:
            params[key] = value
        query = Filters.from_query(params).query_string()
        path = self.router.url.path.rstrip("/") or "/"
        return rx.redirect(path + (f"?{query}" if query else ""))

    @rx.event
    def clear(self):  # noqa: ANN201
        return rx.redirect(self.router.url.path.rstrip("/") or "/")
