"""How many children may train at once, and who is next: plain Python, no Streamlit, no torch.

    cores the process may really use  ──►  worker threads (one per core)
    (affinity ∩ cgroup CPU quota)     ──►  seats = SEATS_PER_CORE × cores, or AIDRAW_SEATS

A seat is held by a visitor (one browser tab) whose page keeps ticking (a heartbeat). A tab that stops
ticking for SEAT_TIMEOUT seconds (closed, hidden, another page) gives its seat back. While someone waits
in line, a turn lasts TURN_SECONDS. Every method takes `now` so tests can use a fake clock.
"""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path

SEAT_TIMEOUT = 30.0       # a seat (or a place in line) not used for this long is given back, seconds
                          # (a tick every 2 s at fast speed, but on an overloaded server (load 46 on 2
                          # cores) ticks came more than 10 s apart; a closed tab stops at once anyway)
TURN_SECONDS = 120.0      # while someone is waiting, one visitor trains at most this long in a row
SEATS_PER_CORE = 2        # seated children per core: each gets half a core when all seats are taken

CGROUP_V2 = "/sys/fs/cgroup/cpu.max"                                  # "max 100000" or "150000 100000"
CGROUP_V1 = ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")


def cpu_quota(v2: str = CGROUP_V2, v1: tuple[str, str] = CGROUP_V1) -> float | None:
    """The container's CPU quota in cores (1.5 = one and a half cores), or None when there is none."""
    try:
        quota, period = Path(v2).read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota, period = (int(Path(p).read_text().strip()) for p in v1)
        return None if quota <= 0 or period <= 0 else quota / period
    except (OSError, ValueError):
        return None


def usable_cores(affinity: int | None = None, quota: float | None = -1.0) -> int:
    """Cores this process may really use: the CPUs it may run on, cut to the cgroup quota (at least 1).

    `affinity` defaults to len(os.sched_getaffinity(0)); `quota` (cores, None = no quota) to cpu_quota().
    A quota of 1.5 gives 1: a worker thread per whole core, so the page's own thread still gets some."""
    if affinity is None:
        affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if quota is not None and quota < 0:
        quota = cpu_quota()
    cores = affinity if quota is None else min(affinity, math.floor(quota))
    return max(1, cores)


def seat_count(cores: int, env: str | None = None) -> int:
    """Seats for `cores` cores; `env` (the value of AIDRAW_SEATS) wins when it is a positive number."""
    try:
        if env is not None and int(env) > 0:
            return int(env)
    except ValueError:
        pass
    return SEATS_PER_CORE * max(1, cores)


class Seats:
    """The only thing shared between visitors, and it holds no model: who trains, who waits."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self._lock = threading.Lock()
        self._holders: dict[str, list[float]] = {}   # visitor -> [since, last seen]
        self._line: dict[str, float] = {}            # visitor -> last seen, in order of arrival

    def ask(self, visitor: str, now: float | None = None) -> int:
        """0: you have a seat. n > 0: you are n-th in line. -1: your turn is over (others are waiting)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            if visitor in self._holders:
                since, _ = self._holders[visitor]
                if self._line and now - since > TURN_SECONDS:
                    del self._holders[visitor]
                    return -1
                self._holders[visitor][1] = now
                return 0
            first = next(iter(self._line), visitor)
            if len(self._holders) < self.limit and first == visitor:
                self._line.pop(visitor, None)
                self._holders[visitor] = [now, now]
                return 0
            self._line[visitor] = now
            return list(self._line).index(visitor) + 1

    def leave(self, visitor: str) -> None:
        with self._lock:
            self._holders.pop(visitor, None)
            self._line.pop(visitor, None)

    def counts(self, now: float | None = None) -> tuple[int, int]:
        """(seated, waiting) now."""
        with self._lock:
            self._expire(time.monotonic() if now is None else now)
            return len(self._holders), len(self._line)

    def _expire(self, now: float) -> None:
        for v in [v for v, (_, seen) in self._holders.items() if now - seen > SEAT_TIMEOUT]:
            del self._holders[v]
        for v in [v for v, seen in self._line.items() if now - seen > SEAT_TIMEOUT]:
            del self._line[v]
