"""Pictures encoded once for everyone who shows the very same ones.

A class duel shows one teacher's pictures to 30 children, each page refreshing every 2 s, and a live
page redraws the same film strip every tick. Streamlit encodes a numpy picture again on every
`st.image` call (as a JPEG; a 400-pixel grid: ~15 ms of CPU). Measured on this 2-core machine: 30
children then need more CPU than the server has, and the teacher's training starves (issue #16).
(Charts need no such cache: ui/charts.py writes their Vega-Lite specs out, well under 1 ms each.)

    ui.pictures.show(array) ──► pictures.png(array): md5 of the pixels ──► kept PNG ──► st.image(bytes)

The cache is keyed by content (the pixels), so what a page shows never changes: only the repeated
work goes. It is bounded (LRU; to 24 MB). No model maths here; used by ui/pictures.py.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Callable

import numpy as np

PNGS_KEPT = 256           # encoded pictures kept (a 400-pixel grid is ~30 KB as PNG) ...
PNG_BYTES_KEPT = 24 * 2 ** 20   # ... and at most this many bytes of them


class LRU:
    """A small thread-safe least-recently-used map. `get_or_make(key, make)` calls make() at most once
    per key while the key is kept (other threads asking for the same key meanwhile wait for it)."""

    def __init__(self, size: int, max_bytes: int | None = None):
        self.size, self.max_bytes, self.bytes = size, max_bytes, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict = {}
        self.hits = self.misses = 0

    def get_or_make(self, key, make: Callable[[], object]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            event = self._making.get(key)
            mine = event is None
            if mine:
                event = self._making[key] = threading.Event()
        if not mine:                         # someone else is making it: wait, then read it
            event.wait(5.0)
            with self._lock:
                if key in self._items:
                    self.hits += 1
                    return self._items[key]
            return make()
        try:
            value = make()
            with self._lock:
                self.misses += 1
                if key not in self._items:
                    self._items[key] = value
                    self.bytes += len(value) if self.max_bytes else 0
                while len(self._items) > self.size or (self.max_bytes and self.bytes > self.max_bytes):
                    _, dropped = self._items.popitem(last=False)
                    self.bytes -= len(dropped) if self.max_bytes else 0
            return value
        finally:
            with self._lock:
                self._making.pop(key, None)
            event.set()

    def __len__(self) -> int:
        return len(self._items)


pngs = LRU(PNGS_KEPT, PNG_BYTES_KEPT)


def pixels_key(array: np.ndarray, output_format: str) -> tuple:
    """What makes two pictures the same: their pixels, shape, dtype and the asked format."""
    a = np.ascontiguousarray(array)
    return hashlib.md5(a.view(np.uint8).reshape(-1)).hexdigest(), a.shape, a.dtype.str, output_format
