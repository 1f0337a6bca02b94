"""Memory of this process, as Linux reports it: now, and the peak since a chosen moment.

The peak counts memory used inside a training step and given back before the next one, which
sampling between steps misses (measured here: a diffusion step's working memory is about 50 MB).
"""

from __future__ import annotations

import os
import resource


def rss_bytes() -> int:
    """Resident memory now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def reset_peak() -> None:
    """Start the peak (VmHWM) again from now (Linux's clear_refs; elsewhere the peak is since start)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_bytes() -> int:
    """The highest resident memory since reset_peak()."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return max(int(line.split()[1]) * 1024, rss_bytes())
    except OSError:
        pass
    return rss_bytes()


# ── Another process (the app's server): what the benchmarks report ──────────────────────────────
def rss_mb(pid: int | None = None, field: str = "VmRSS") -> float:
    """Resident memory of process `pid` (default: this one) in MB; field="VmHWM" gives its peak.
    NaN if the process is gone."""
    try:
        with open(f"/proc/{pid or 'self'}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) process `pid` (default: this one) has used, in seconds."""
    with open(f"/proc/{pid or 'self'}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int, skip: int | None = None) -> float:
    """CPU time (user + system) of every living descendant of process `root` (not `skip`, nor its
    descendants): the browsers a benchmark started beside the server. Processes that ended are lost."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(name))
            except OSError:
                pass
    total, todo = 0.0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid == skip:
            continue
        try:
            total += cpu_seconds(pid)
        except (OSError, IndexError):
            continue
        todo += children.get(pid, [])
    return total


# ── The machine: time its host took from it ────────────────────────────────────────────────────
def machine_ticks() -> tuple[int, int]:
    """(steal, total) clock ticks of all this machine's CPUs since boot, from /proc/stat; (0, 0) off Linux.
    Steal: time a virtual machine's CPUs were ready to run but its host ran something else (proc(5))."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return fields[7], sum(fields)         # user nice system idle iowait irq softirq steal


def steal_share(before: tuple[int, int], after: tuple[int, int] | None = None) -> float:
    """Share of all CPU time the host took between two machine_ticks() readings (0..1; NaN off Linux).
    On this machine's host: 0 idle, 5-7% with one core busy, 16-22% with both (measured 2026-12-02):
    a figure of two busy cores against one is then read against a machine that has less than two."""
    after = after or machine_ticks()
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else float("nan")


M_ARENA_MAX = -8          # mallopt's parameter number for the arena limit (glibc's <malloc.h>)


def cap_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas in this process (mallopt M_ARENA_MAX; mallopt(3)), as MALLOC_ARENA_MAX
    caps the server's (bench/server.py SERVER_ENV), so in-process figures meet the same allocator. Holds
    only while glibc has made at most 8 arenas: call it before threads multiply. A MALLOC_ARENA_MAX in the
    environment is left alone. True if the cap was set; False without glibc or with the variable set."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        import ctypes
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
