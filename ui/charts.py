"""Charts. Prefer Streamlit's own charts (the browser draws their words, so Chinese just works).
For matplotlib, use `figure()`: it picks a CJK font when one is installed (Debian: fonts-noto-cjk,
listed in packages.txt for Streamlit Cloud), so 字 never becomes empty boxes. Never pyplot: a server
shares pyplot's global state between visitors.
"""

from __future__ import annotations

import functools

import matplotlib
from matplotlib.figure import Figure

matplotlib.use("Agg")


@functools.lru_cache(maxsize=1)
def cjk_fonts() -> list[str]:
    """Installed fonts that can draw Chinese, best first (empty when there are none)."""
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei", "Source Han Sans SC")
    have = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in wanted if name in have]


def figure(width: float = 6.0, height: float = 3.0) -> Figure:
    """A fresh matplotlib Figure with a font that draws Chinese and English."""
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    fonts = cjk_fonts() + ["DejaVu Sans"]
    fig.set_facecolor("#fffdf7")
    matplotlib.rcParams["font.sans-serif"] = fonts + [f for f in matplotlib.rcParams["font.sans-serif"] if f not in fonts]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return fig
