"""Memory of this process, as Linux reports it: now, and the peak since a chosen moment.

The peak counts memory used inside a training step and given back before the next one, which
sampling between steps misses (measured here: a diffusion step's working memory is about 50 MB).
"""

from __future__ import annotations

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
