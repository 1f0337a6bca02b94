"""Charts. Line charts are Altair (Vega-Lite) charts: the browser draws their words, so Chinese just
works, and `lines()` sizes them so they read on a phone, a tablet and a projector alike.
For matplotlib, use `figure()`: it registers a CJK font FILE with matplotlib itself (Debian:
fonts-noto-cjk, listed in packages.txt for Streamlit Cloud), so 字 never becomes empty boxes, even when
matplotlib's font cache was written before the font was installed. Never pyplot: a server shares
pyplot's global state between visitors.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

matplotlib.use("Agg")

log = logging.getLogger("aidraw")

# Where Debian's fonts-noto-cjk (and a few other common packages) put a font that draws Chinese.
KNOWN_CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Source Han Sans SC", "PingFang SC", "Microsoft YaHei")


def cjk_font_file() -> Path | None:
    """The file of a font that draws Chinese: asked of fontconfig (`fc-list :lang=zh-cn`, a plain sans
    regular face first), else looked for where Debian and others install one. None when there is none
    (install fonts-noto-cjk)."""
    found: list[str] = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10).stdout
            found = [line.strip().rstrip(":") for line in out.splitlines() if line.strip()]
        except (OSError, subprocess.SubprocessError):
            found = []

    def rank(path: str) -> tuple:
        name = Path(path).name.lower()
        return ("sans" not in name, "regular" not in name, "mono" in name, name)

    for path in sorted(found, key=rank) + list(KNOWN_CJK_FILES):
        if Path(path).is_file():
            return Path(path)
    return None


@functools.lru_cache(maxsize=1)
def cjk_fonts() -> list[str]:
    """Font family names that can draw Chinese, best first (empty when there are none). The font file is
    registered with matplotlib here (font_manager.fontManager.addfont), so a font cache written before
    the CJK font was installed does not matter."""
    from matplotlib import font_manager

    path = cjk_font_file()
    if path is not None:
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):
            log.warning("could not load the CJK font %s", path)
    else:
        log.warning("no CJK font found: Chinese in figures shows as boxes (install fonts-noto-cjk)")
    have = {f.name for f in font_manager.fontManager.ttflist}
    named = [name for name in CJK_NAMES if name in have]
    if path is not None:
        own = font_manager.FontProperties(fname=str(path)).get_name()
        if own not in named:
            named.insert(0, own)
    return named


def figure(width: float = 6.0, height: float = 3.0) -> Figure:
    """A fresh matplotlib Figure with a font that draws Chinese and English."""
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    fonts = cjk_fonts() + ["DejaVu Sans"]
    fig.set_facecolor("#fffdf7")
    matplotlib.rcParams["font.sans-serif"] = fonts + [f for f in matplotlib.rcParams["font.sans-serif"] if f not in fonts]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return fig


# ── Line charts that read at every size ────────────────────────────────────────────────────────────
DASHES = ([1, 0], [7, 4], [2, 3], [10, 3, 2, 3])          # solid, dashed, dotted, dash-dot: not colour alone
SHAPES = ("circle", "square", "triangle-up", "diamond")
SPLIT = " · "                                             # "中文 · English" labels go on two lines


def lines(x: list, series: dict[str, list], x_title: str, colors: list[str] | None = None, height: int = 220,
          y_max: float | None = 100, y_suffix: str = "%"):
    """An Altair line chart: one line per entry of `series` (name -> values over `x`), each with its own
    colour, dash and marker, so lines are told apart without colour. The legend sits below the chart,
    one name a row (a bilingual "中文 · English" name on two rows), so long names are never cut; the
    y axis has no title (the values carry `y_suffix`, the legend says what they are). Width follows the
    column; `height` is the plot's in px."""
    import altair as alt
    import pandas as pd

    names = list(series)
    rows = [{"x": xv, "value": float(v), "line": name} for name in names for xv, v in zip(x, series[name])]
    frame = pd.DataFrame(rows)
    colors = colors or ["#1f6f66", "#b4441f", "#3b5bdb", "#7b2cbf"]
    legend = alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0, labelFontSize=13,
                        symbolStrokeWidth=2.5, symbolSize=120,
                        labelExpr=f"split(datum.label, '{SPLIT}')")
    scale_y = alt.Scale(domain=[0, y_max]) if y_max is not None else alt.Undefined
    encode = dict(
        x=alt.X("x:Q", title=x_title.split(SPLIT) if SPLIT in x_title else x_title,
                axis=alt.Axis(labelFontSize=12, titleFontSize=13, tickMinStep=1, format="d")),
        y=alt.Y("value:Q", title=None, scale=scale_y,
                axis=alt.Axis(labelFontSize=12, labelExpr=f"datum.value + '{y_suffix}'", tickCount=5)),
        color=alt.Color("line:N", sort=names, scale=alt.Scale(domain=names, range=colors[: len(names)]), legend=legend),
        strokeDash=alt.StrokeDash("line:N", sort=names, scale=alt.Scale(domain=names, range=list(DASHES[: len(names)])),
                                  legend=legend),
        shape=alt.Shape("line:N", sort=names, scale=alt.Scale(domain=names, range=list(SHAPES[: len(names)])),
                        legend=legend),
    )
    marks = alt.Chart(frame).mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=36, filled=True))
    return (marks.encode(**encode)
            .properties(height=height, width="container",
                        autosize=alt.AutoSizeParams(type="fit-x", contains="padding", resize=True))
            .configure(background="#fffdf7", font="sans-serif")
            .configure_view(strokeWidth=0))


def show_lines(x: list, series: dict[str, list], x_title: str, alt_text: str, colors: list[str] | None = None,
               height: int = 200) -> None:
    """`lines()` drawn in the page at the column's width: the plot `height` px tall, plus its axis and the
    legend rows below it (each bilingual name takes two). `alt_text` is what a screen reader says."""
    import streamlit as st

    from ui.render_once import vega_lite_spec

    # The same chart (a class of 30 watching one duel, a page redrawn each tick) is built once (issue #16).
    key = (tuple(x), tuple((k, tuple(v)) for k, v in series.items()), x_title, tuple(colors or ()), height)
    st.vega_lite_chart(spec=vega_lite_spec(key, lambda: spec_of(lines(x, series, x_title, colors=colors, height=height))),
                       width="stretch", height="content", alt=alt_text)


def spec_of(chart) -> dict:
    """An Altair chart as the Vega-Lite spec `st.vega_lite_chart` takes (its data inline, without
    Altair's default 300x300 view, as `st.altair_chart` would give it)."""
    spec = chart.to_dict()
    view = spec.get("config", {}).get("view", {})
    for k in ("continuousWidth", "continuousHeight"):
        view.pop(k, None)
    return spec
