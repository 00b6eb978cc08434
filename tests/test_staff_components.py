"""What the staff pages' components promise before any browser sees them.

Download links load as documents, not as pages of the single-page app:
``rx.link`` renders react-router's Link, which handles a click itself and looks
for a page at the href, so a click on a template, an original file or an export
showed "404: Page not found" instead of downloading (tests/browser/test_staff_pages.py
clicks them). ``reload_document`` leaves the click to the browser, which downloads.

A staff page shows nothing until the server has confirmed the role: the production
build prerenders every page, so a leader typing /users saw its form until the redirect.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from dashboard.pages import audit, history, kiosk, upload, users, version
from dashboard.state.auth import Session


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
    # CSV and XLSX templates and the prefilled XLSX of eight datasets; the marked file, the error report twice
    assert len(found) == 3 * 8 + 3
    assert set(found.values()) == {"true"}, found


def test_the_history_page_exports_and_originals_download_on_click() -> None:
    found = downloads(history.page())
    # each version's own page (what it changed) opens in the app; everything else downloads:
    # the current ledgers (CSV, XLSX), each version's original file and its data (CSV, XLSX)
    in_app = [href for href, reload in found.items() if reload != "true"]
    assert len(in_app) == 1 and "page_href" in in_app[0], found
    assert len(found) == 2 * 8 + 3 + 1


def test_the_version_page_offers_the_whole_diff_as_downloads_and_moves_between_versions_in_app() -> None:
    found = downloads(version.page())
    files = {
        href: reload
        for href, reload in found.items()
        if href.endswith(("csv_href_rx_state_", "xlsx_href_rx_state_"))
    }
    assert len(files) == 2 and set(files.values()) == {"true"}, found
    assert len(found) == 5  # previous, next, compare with the latest: pages of the app


@pytest.mark.parametrize(
    ("module", "role"),
    [
        (upload, Session.is_editor),
        (history, Session.is_editor),
        (audit, Session.reads_audit),  # auditors and admins
        (users, Session.is_admin),
        (kiosk, Session.is_admin),
    ],
    ids=["upload", "history", "audit", "users", "kiosk"],
)
def test_a_staff_page_shows_nothing_but_the_header_until_the_role_is_confirmed(
    module: ModuleType, role: rx.Var
) -> None:
    header, main = module.page().children
    assert header.tag == "header" and main.tag == "main"
    assert len(main.children) == 1
    everything_under_the_role = "jsx(Fragment,{},(" + str(role) + "?"
    assert str(main.children[0]).startswith(everything_under_the_role)
