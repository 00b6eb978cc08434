"""Which server process holds this connection: for the scale-out test and benchmarks.

With several Granian workers a viewer's websocket lands on one of them; the
event below runs on that worker (events travel over the viewer's own socket),
so the pid it reports tells viewers apart by worker. It reveals nothing but a
process id and reads no data.
"""

from __future__ import annotations

import os

import reflex as rx


class WorkerInfo(rx.State):
    """The pid of the worker that handled this client's last ``identify`` event."""

    pid: int = 0

    @rx.event
    def identify(self) -> None:
        self.pid = os.getpid()
