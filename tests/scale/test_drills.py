"""A fault drill as a test: a board tab whose session ended stops receiving data and asks to sign in.

The drill (dashboard/bench/faults.py, ``python -m dashboard.bench faults``) starts the production
app on SQLite (its database on a tmpfs the drill mounts, hence root), opens tabs for three
accounts, ages one session past the 8-hour idle expiry and disables another account with the
real ``users disable`` command, then uploads: the valid tabs get the new version, the other two
are cleared and asked to sign in, and receive nothing.
"""

from __future__ import annotations

import contextvars
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.bench import faults

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_tabs_of_an_expired_session_or_a_disabled_account_go_dark() -> None:
    if os.geteuid() != 0:
        pytest.skip("the drill mounts a tmpfs: root only")

    # A thread of its own: the drill runs its scenario with asyncio.run, which fails in a thread
    # whose event loop is running (the main thread's, once the browser tests have run); it carries
    # this thread's context variables along (Reflex keeps its state registry in one).
    with ThreadPoolExecutor(1) as pool:
        (drill,) = pool.submit(contextvars.copy_context().run, faults.run, ["session"]).result()

    assert drill.passed, drill.happened or drill.reason
    assert drill.figures["ended_tabs_received_data"] == 0
    assert drill.figures["asked_to_sign_in"] == drill.figures["ended_tabs"] == 4
