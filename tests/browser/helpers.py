"""What the browser tests read off a page, and what the demo ledgers say it should show."""

from __future__ import annotations

import base64
import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from dashboard import contract
from dashboard.board import HTML_INSTEAD
from dashboard.charts import registry
from dashboard.clock import office_today
from dashboard.demo.load import demo_bytes, demo_path

# Longest wait for a board to arrive and every chart to draw (a budget, not a measurement).
READY_MS = 20_000


def chart_ids(board: str) -> list[str]:
    """The charts the page must draw: the registry's, minus those drawn as HTML."""
    return [s.id for s in registry.BOARDS.get(board, ()) if s.id not in HTML_INSTEAD]


def open_board(page: Page, url: str) -> None:
    """Go to a board and wait until its data has arrived and every chart has drawn."""
    page.goto(url)
    wait_drawn(page)


def wait_drawn(page: Page) -> None:
    page.wait_for_function(
        """() => {
            const app = document.querySelector('.app[data-stamp]');
            if (!app || app.dataset.stamp === '-1') return false;
            const charts = [...document.querySelectorAll('[data-chart]')];
            return charts.every(c => c.querySelector('.chart-frame[data-live] .cs'));
        }""",
        timeout=READY_MS,
    )


def drawn_charts(page: Page) -> dict[str, str]:
    """Chart id -> all text drawn in that chart (ticks, labels, legend, titles), for the charts drawn."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-chart]')]
            .filter(c => c.querySelector('.chart-frame[data-live] .cs'))
            .map(c => [c.dataset.chart,
                       [...c.querySelectorAll('.cs span, .cs text')].map(t => t.textContent).join(' ')]))"""
    )


# Visible label text, skipping data values (names as entered, marked .dv), elements
# declared Chinese (the "中文" language switch) and chart tick labels (which may be data
# such as milestone names; the charts' own tests check their labels).
LABEL_TEXT_JS = """() => {
    const out = [];
    const skip = el => el.closest('.dv, [lang="zh"], .cs-xt, .cs-yt, script, style, noscript');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        const text = n.textContent.trim();
        if (!text || !el || skip(el)) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        out.push(text);
    }
    return out;
}"""

# Labels whose text is wider than their box (cut off, or spilling over their neighbours).
CLIPPED_JS = """() => [...document.querySelectorAll(
        '.nav-link, .page-title, .kpi-label, .kpi-value, .kpi-sub, .chart-title, .section-title,'
        + ' .brand-card .rt-Text, .freshness-item, .demo-banner, .grid-group .rt-Text, #lang-toggle')]
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => el.className + ': ' + el.textContent.slice(0, 40))"""

# Each element's text and the number of lines it is drawn on (for eval_on_selector_all).
LINES_JS = """els => els.map(e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    return [e.innerText, tops.size];
})"""


def has_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


# ---------------------------------------------------------------------------
# the demo ledgers, read straight from the CSV files (not through our code)


def _rows(dataset: str) -> list[dict[str, str]]:
    text = demo_path(dataset).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@dataclass(frozen=True)
class DemoFacts:
    organisations: int
    completed: int
    village_residential: int
    communities: int
    properties: int
    signed: int  # at or past 已签约
    party_groups: int
    brands: int
    brand_names: tuple[str, ...]


def demo_facts() -> DemoFacts:
    orgs = _rows("elections")
    props = _rows("demolition")
    brands = _rows("brands")
    statuses = contract.PROPERTY_STATUS.labels
    signed_from = statuses.index("已签约")
    types = Counter(r["组织类型"] for r in orgs)
    return DemoFacts(
        organisations=len(orgs),
        completed=sum(r["当前阶段"] == "已完成" for r in orgs),
        village_residential=types["村"] + types["居"],
        communities=types["社区"],
        properties=len(props),
        signed=sum(statuses.index(r["当前状态"]) >= signed_from for r in props),
        party_groups=len({r["党小组"] for r in props}),
        brands=len(brands),
        brand_names=tuple(r["品牌名称"] for r in brands),
    )


# ---------------------------------------------------------------------------
# ledgers to import while a page is open (the demo as loaded today, changed)


def demo_ledger_rows(dataset: str) -> list[list[str]]:
    """Today's demo ledger of ``dataset`` as CSV rows, header first (dates as the app loaded them)."""
    return list(csv.reader(io.StringIO(demo_bytes(dataset, office_today()).decode("utf-8-sig"))))


def write_ledger(rows: list[list[str]], tmp: Path, name: str) -> Path:
    out = tmp / name
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return out


def all_signed(tmp: Path) -> Path:
    """Today's demo demolition ledger with every property not yet signed signed today."""
    rows = demo_ledger_rows("demolition")
    status, signed = rows[0].index("当前状态"), rows[0].index("签约日期")
    for row in rows[1:]:
        if row[status] in ("已摸底", "已评估"):
            row[status], row[signed] = "已签约", office_today().isoformat()
    return write_ledger(rows, tmp, "all_signed.csv")


def newest_version(server: Any, dataset: str) -> str:
    """The dataset's newest version number (``history DATASET``): what a test that imports
    over the demo restores when it is done (the demo's history has many versions)."""
    done = server.cli("history", dataset)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()[2].split()[1]  # header, dashes, newest first: dataset, version, ...


def drop_file(page: Page, name: str, data: bytes) -> None:
    """Drag a file onto the upload page's drop zone, as from the Windows Explorer."""
    transfer = page.evaluate_handle(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: 'text/csv'}));
            return dt;
        }""",
        [name, base64.b64encode(data).decode()],
    )
    page.dispatch_event("#upload-drop", "dragover", {"dataTransfer": transfer})
    page.dispatch_event("#upload-drop", "drop", {"dataTransfer": transfer})
