"""A board page fetches its code in a few files, and no plotly.js: its charts are drawn on the server.

Each file is a request to the app server over HTTP/1.1 (six at a time): 35 small files kept the
board's data, and so every chart, waiting (dashboard/chunks.py). Fewer files, not more code: a
page still loads only the shared code and its own, never every page's."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Server
from tests.browser.helpers import open_board

MOST_FILES = 10  # manifest, entry, runtime, vendor, app, reflex-env, root, the route, the preload helper
MOST_BYTES = 950_000  # uncompressed; 0.83 MB in 35 files before, 1.3 MB with every page's code in "app"


@pytest.mark.parametrize("route", ["/", "/elections", "/demolition"])
def test_a_board_loads_its_code_in_a_few_files(browser: Browser, app_server: Server, route: str) -> None:
    context = browser.new_context(storage_state=app_server.signed_in("leader"))  # a fresh cache
    page = context.new_page()
    open_board(page, app_server.url + route)
    scripts = page.evaluate(
        """() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))
            .map(e => [e.name.split('/').pop(), e.decodedBodySize])"""
    )
    context.close()
    plotly = [name for name, _ in scripts if name.startswith("plotly")]
    code = {name: size for name, size in scripts if not name.startswith("plotly")}
    assert len(code) <= MOST_FILES, sorted(code)
    assert any(name.startswith("vendor-") for name in code), sorted(code)
    # env.json keeps its own file: an installed bundle's server rewrites the backend's address in it
    assert any(name.startswith("reflex-env-") for name in code), sorted(code)
    assert sum(code.values()) <= MOST_BYTES, code
    # Boards draw their charts on the server (charts.static, components.charts.ChartFrame): no
    # plotly.js (1 MB, 0.5-0.6 s of a cold load's main thread with seven charts to draw).
    assert plotly == [], plotly
