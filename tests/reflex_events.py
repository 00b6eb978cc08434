"""Driving Reflex states without a browser, and coroutines without the test thread's loop.

What this relies on in Reflex 0.10 (private; check here first after an upgrade):
- ``rx.State(_reflex_internal_init=True)`` builds a root state outside the event processor;
- ``State.get_substate(path)`` finds a substate by its full name's parts;
- ``state.rx_router_headers = HeaderData(cookie=...)`` is where the event processor puts the
  socket's handshake headers (our handlers read the session cookie from ``router.headers``);
- ``EventHandler.fn`` is the undecorated handler, called with the state as ``self``.

Every coroutine runs on a loop of its own in a worker thread: once the browser tests have run,
Playwright's sync API leaves an event loop running in the main thread and ``asyncio.run`` there
refuses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import reflex as rx
from reflex.istate.data import HeaderData


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """``asyncio.run(coroutine)`` on a thread of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def state_for(cls: type[rx.State], cookie: str = "") -> rx.State:
    """A state as the event processor hands it over for a socket whose handshake carried ``cookie``."""
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.rx_router_headers = HeaderData(cookie=cookie)
    return state


def fire(state: rx.State, handler: str, *args: object) -> object:
    """Run the event handler ``handler`` as the event processor would (a forged event is just this)."""
    return run(getattr(type(state), handler).fn(state, *args))
