"""The download links of the staff pages load as documents, not as pages of the single-page app.

``rx.link`` renders react-router's Link, which handles a click itself and looks
for a page at the href: a click on a template, an original file or an export
showed "404: Page not found" instead of downloading (tests/browser/test_staff_pages.py
clicks them). ``reload_document`` leaves the click to the browser, which downloads.
"""

from __future__ import annotations

from collections.abc import Iterator

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from dashboard.pages import history, upload


def links(component: rx.Component) -> Iterator[ReactRouterLink]:
    """Every link inside, rows drawn by ``rx.foreach`` included."""
    if isinstance(component, ReactRouterLink):
        yield component
    inner = list(component.children)
    if type(component).__name__ == "Foreach":
        inner.append(component.render())
    for child in inner:
        if isinstance(child, rx.Component):
            yield from links(child)


def downloads(page: rx.Component) -> dict[str, str]:
    """href -> reloadDocument of the links that are not a fixed page path: /api/ routes and
    hrefs computed from the data (a version's original file)."""
    return {
        str(link.to): str(link.reload_document)
        for link in links(page)
        if str(link.to).startswith('"/api/') or not str(link.to).startswith('"/')
    }


def test_the_upload_page_templates_and_error_report_download_on_click() -> None:
    found = downloads(upload.page())
    assert len(found) == 2 * 6 + 1  # CSV and XLSX templates of six datasets, the error report
    assert set(found.values()) == {"true"}, found


def test_the_history_page_exports_and_originals_download_on_click() -> None:
    found = downloads(history.page())
    assert len(found) == 6 + 1  # the current ledgers, the original of each version
    assert set(found.values()) == {"true"}, found
