"""Views shared by the workers of one server: each built once per data version, not once per worker.

With several workers (``REDIS_URL`` set, as ``make run-scaled``), every worker's live poll notices a
new version within a quarter of a second of the others, and each built the same views: the same
charts four times over, on the cores the pushes need (the overview and the demolition board
together, about half a second of one core each time). Now the first worker to need a view takes a short
lease in Redis and builds it; the others wait for its result and unpickle it (a millisecond)
instead. If Redis cannot be reached, or the builder is gone (its lease lapses), a worker builds
its own, as before; a view is the same whichever worker builds it (the database at that version,
the office date, the language and the filters are in the key).
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

LEASE_MS = 30_000  # a builder that died frees the others after this at the latest
KEEP_S = 300  # a version's views are wanted in the seconds after it is noticed
WAIT_S = 5.0  # waiting longer than this for another worker, build it here
POLL_S = 0.02
RETRY_S = 10.0  # after Redis failed, build locally this long before asking it again
PREFIX = "dashboard:view:"


class SharedViews:
    """A view per key in Redis, built by whichever worker asks first."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        self._error: type[Exception] = redis.RedisError
        self._down_until = 0.0

    def get(self, key: str, build: Callable[[], T]) -> T:
        """The value stored under ``key``, or ``build()`` here (stored for the others) when nobody has
        it yet, or another worker's result once it has built it."""
        if time.monotonic() < self._down_until:
            return build()
        data, lease = PREFIX + key, PREFIX + key + ":lease"
        try:
            if (found := self._redis.get(data)) is not None:
                return pickle.loads(found)  # our own workers wrote it (as Reflex does its states)
            mine = bool(self._redis.set(lease, os.getpid(), nx=True, px=LEASE_MS))
        except self._error as exc:
            return self._alone(exc, build)
        if mine:
            try:
                value = build()
            except BaseException:
                self._quietly(lambda: self._redis.delete(lease))  # the others build it themselves
                raise
            self._quietly(lambda: self._store(data, lease, value))
            return value
        return self._wait(data, lease, build)

    def _store(self, data: str, lease: str, value: Any) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(data, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=KEEP_S)
        pipe.delete(lease)
        pipe.execute()

    def _wait(self, data: str, lease: str, build: Callable[[], T]) -> T:
        deadline = time.monotonic() + WAIT_S
        try:
            while time.monotonic() < deadline:
                time.sleep(POLL_S)
                if (found := self._redis.get(data)) is not None:
                    return pickle.loads(found)
                if not self._redis.exists(lease):  # the builder failed or died: no result is coming
                    break
        except self._error as exc:
            return self._alone(exc, build)
        return build()

    def _alone(self, exc: Exception, build: Callable[[], T]) -> T:
        log.warning("shared views: Redis unavailable (%r); building views in this worker", exc)
        self._down_until = time.monotonic() + RETRY_S
        return build()

    def _quietly(self, step: Callable[[], Any]) -> None:
        try:
            step()
        except self._error as exc:
            log.warning("shared views: Redis unavailable (%r)", exc)
            self._down_until = time.monotonic() + RETRY_S


_shared: dict[str, SharedViews] = {}


def shared_views(url: str | None) -> SharedViews | None:
    """The store for ``url`` (one per process), or None without Redis (one worker: nothing to share)."""
    if not url:
        return None
    if url not in _shared:
        _shared[url] = SharedViews(url)
    return _shared[url]
