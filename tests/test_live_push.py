"""What the live push sends a tab that already shows a board: the fields a new version moved.

The push (state/live.py) compares the new view with what the tab holds and sets only the fields
that differ; Reflex's delta, and the packet the push shares between the tabs of one view, carry
just those. The whole path, with a real server, sockets and Redis, is tests/scale/ and the soak.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from reflex.istate.data import SessionData

from dashboard import board as presenter
from dashboard.accounts import auth
from dashboard.state.board import MIRRORED, WATCHERS, Board
from dashboard.store import storage
from tests.reflex_events import fire, state_for

PASSWORD = "pass-word-1"


@pytest.fixture
def engine(sqlite_url: str) -> sa.Engine:
    from dashboard.demo.load import load_demo

    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    auth.add_user(eng, "leader", "viewer", PASSWORD)
    load_demo(eng)
    return eng


def _tab(engine: sa.Engine, token: str) -> Board:
    cookie = f"{auth.SESSION_COOKIE}={auth.login(engine, 'leader', PASSWORD)}"
    state = state_for(Board, cookie)
    state.rx_router_session = SessionData(client_token=token)
    return state  # type: ignore[return-value]


def test_every_field_of_a_view_is_a_field_of_the_tab() -> None:
    assert set(MIRRORED) <= set(Board.base_vars)


def test_a_version_of_a_ledger_the_board_does_not_read_moves_only_its_stamp(engine: sa.Engine) -> None:
    tab = _tab(engine, "tab-push")
    try:
        fire(tab, "open", "elections")
        assert tab.stamp == storage.data_stamp(engine) and tab.cards
        storage.restore(engine, "demolition", 1)  # a new version the elections board does not read
        view = presenter.CACHE.view("elections", "zh", stamp=storage.data_stamp(engine))

        names = tab._changes(view)
        assert names == ["stamp", "version"]
        tab.dirty_vars.clear()
        tab._apply(view, names)
        assert tab.dirty_vars == {"stamp", "version"}  # what Reflex (or the shared packet) sends
        assert tab._is_current(view) and tab._changes(view) == []
    finally:
        WATCHERS.forget("tab-push")


def test_a_tab_that_holds_nothing_is_given_every_field_that_is_not_blank(engine: sa.Engine) -> None:
    view = presenter.CACHE.view("demolition", "zh")
    tab = _tab(engine, "tab-blank")
    names = tab._changes(view)
    assert {"board", "stamp", "version", "cards", "grid"} <= set(names)
    tab._apply(view, names)
    assert tab._changes(view) == [] and tab.grid == view.grid
