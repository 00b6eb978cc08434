"""Results remembered for the very frames they were computed from: a figure per data version.

The view cache holds one frame object per (dataset, version) (``board.FrameStore``) and hands the
same object to every snapshot while that version is current, and as the "previous" version after
it. A figure computed from some frames and keyed by their identity is therefore computed once per
version of the datasets it reads: after an upload of the demolition ledger the overview recounts
the demolition KPIs and warnings, not those of a city's million activities. Keys hold the frames
weakly (a version dropped from the store frees its entries) and a hit requires the same objects,
so a new frame (a new version, a filter's share, a test's frame) is always computed afresh.
Results are shared: callers treat them as read-only.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
SIZE = 512  # entries kept (least recently used dropped): a few per figure and version


class FrameMemo:
    """``get(name, frames, extra, compute)``: ``compute()`` once for these frame objects and ``extra``."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], tuple[tuple[weakref.ref, ...], Any]] = OrderedDict()

    def get(self, name: str, frames: Sequence[pd.DataFrame], extra: Hashable, compute: Callable[[], T]) -> T:
        key = (name, tuple(id(f) for f in frames), extra)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and all(ref() is f for ref, f in zip(hit[0], frames, strict=True)):
                self._entries.move_to_end(key)
                return hit[1]
        value = compute()  # outside the lock: two threads may both compute; both get the same
        with self._lock:
            self._entries[key] = (tuple(weakref.ref(f) for f in frames), value)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


MEMO = FrameMemo()
