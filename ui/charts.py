"""Charts. Line charts are Vega-Lite specs (written out: `lines()`, `quick_line()`): the browser draws their
words, so Chinese just works, and they are sized to read on a phone, a tablet and a projector alike.
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


FIGURE_DPI = 110
# Classroom mode: text BIG_TEXT times as large against the figure, and the figure BIG_PIXELS times as many
# pixels wide: 9 pt (the smallest text in a figure) is 9 x 110 x 2.09 / 72 = 28.7 px, and a 7.5-inch figure
# is 1,114 px wide, within the ~1,140 px a chapter part's right column has on a 1920 px projector.
BIG_TEXT, BIG_PIXELS = 1.55, 1.35


def figure(width: float = 6.0, height: float = 3.0, big: bool = False) -> Figure:
    """A fresh matplotlib Figure with a font that draws Chinese and English, `width` x `height` inches at
    110 dpi. `big` (classroom mode): the same layout with every text 2.09 times as many pixels (9 pt
    becomes 28.7 px), the picture 1.35 times as wide."""
    if big:
        fig = Figure(figsize=(width / BIG_TEXT, height / BIG_TEXT), dpi=FIGURE_DPI * BIG_TEXT * BIG_PIXELS,
                     layout="constrained")
    else:
        fig = Figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained")
    fonts = cjk_fonts() + ["DejaVu Sans"]
    fig.set_facecolor("#fffdf7")
    matplotlib.rcParams["font.sans-serif"] = fonts + [f for f in matplotlib.rcParams["font.sans-serif"] if f not in fonts]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return fig


# ── Line charts that read at every size ────────────────────────────────────────────────────────────
DASHES = ([1, 0], [7, 4], [2, 3], [10, 3, 2, 3])          # solid, dashed, dotted, dash-dot: not colour alone
SHAPES = ("circle", "square", "triangle-up", "diamond")
SPLIT = " · "                                             # "中文 · English" axis titles go on two lines
DEFAULT_COLORS = ["#1f6f66", "#b4441f", "#3b5bdb", "#7b2cbf"]
BIG = 28 / 12          # classroom mode: a chart's smallest text (12 px) becomes 28 px on the projector
MARKS = ("●", "■", "▲", "◆")                              # the key's words for SHAPES ...
STROKES = ("━━", "╍╍", "┈┈", "━┈")                        # ... and for DASHES


def lines(x: list, series: dict[str, list], x_title: str, colors: list[str] | None = None, height: int = 220,
          y_max: float | None = 100, y_suffix: str = "%", big: bool = False) -> dict:
    """A line chart as a Vega-Lite spec (for st.vega_lite_chart): one line per entry of `series` (name ->
    values over `x`), each with its own colour, dash and marker, so lines are told apart without colour.
    No legend: `line_key()` says which line is which in words below it, which wrap at any width (a legend
    inside the chart was cut at the plot's edge in a 160 px column: "Judge right o…"). The y axis has no
    title (the values carry `y_suffix`). Width follows the column; `height` is the plot's in px. `big`
    (classroom mode): every text at least 28 px.

    Written out, not built with Altair: Altair's to_dict() (schema validation, pandas) took 40-380 ms a
    chart on this 2-core machine (quiet / busy), holding Python's lock, and a live duel's scoreboard
    changes every tick; this takes well under 1 ms."""
    k = BIG if big else 1.0
    names = list(series)
    n = len(names)
    colors = colors or DEFAULT_COLORS

    def by_line(scale_range: list) -> dict:
        return {"field": "line", "type": "nominal", "sort": names, "legend": None,
                "scale": {"domain": names, "range": scale_range}}

    return {
        "data": {"values": [{"x": xv, "value": float(v), "line": name} for name in names
                            for xv, v in zip(x, series[name])]},
        "mark": {"type": "line", "strokeWidth": 2.5 * k, "point": {"filled": True, "size": 36 * k * k}},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": x_title.split(SPLIT) if SPLIT in x_title else x_title,
                  "axis": {"labelFontSize": 12 * k, "titleFontSize": 13 * k, "tickMinStep": 1, "format": "d"}},
            "y": {"field": "value", "type": "quantitative", "title": None,
                  **({"scale": {"domain": [0, y_max]}} if y_max is not None else {}),
                  "axis": {"labelFontSize": 12 * k, "labelExpr": f"datum.value + '{y_suffix}'", "tickCount": 5}},
            "color": by_line(colors[:n]),
            "strokeDash": by_line([list(d) for d in DASHES[:n]]),
            "shape": by_line(list(SHAPES[:n])),
        },
        "height": height, "width": "container",
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
        "config": {"background": "#fffdf7", "font": "sans-serif", "view": {"strokeWidth": 0}},
    }


def line_key(names: list[str], colors: list[str] | None = None) -> str:
    """Which line is which, as HTML for st.markdown: per line its marker and dash in its colour (the
    same as `lines()` draws), then its name; one line each. Words, so they wrap in any column and
    are 28 px in classroom mode like every other text."""
    import html

    colors = colors or DEFAULT_COLORS
    return "<br>".join(f'<span style="color:{colors[i]}" aria-hidden="true">{MARKS[i]}{STROKES[i]}</span> {html.escape(name)}'
                       for i, name in enumerate(names))


def inline(spec: dict) -> dict:
    """The same chart with its data, mark and encoding as the one layer of a layered spec (Vega-Lite's
    `layer`), so that its data stays in the spec as JSON. Streamlit takes a spec's top-level data out and
    converts it to Arrow through pandas (vega_charts._marshall_chart_data), and importing pandas alone
    is 79 MB of a server's memory (issue #16's memory), for charts of a few hundred numbers."""
    unit = {key: spec[key] for key in ("data", "mark", "encoding") if key in spec}
    return {"layer": [unit], **{key: value for key, value in spec.items() if key not in unit}}


def show_lines(x: list, series: dict[str, list], x_title: str, alt_text: str, colors: list[str] | None = None,
               height: int = 200) -> None:
    """`lines()` drawn in the page at the column's width (the plot `height` px tall, plus its axis), and
    its `line_key()` below it. `alt_text` is what a screen reader says. In classroom mode every text is 28 px
    or more."""
    import streamlit as st

    from ui.layout import presenting

    st.vega_lite_chart(spec=inline(lines(x, series, x_title, colors=colors, height=height, big=presenting())),
                       width="stretch", height="content", alt=alt_text)
    st.markdown(line_key(list(series), colors), unsafe_allow_html=True)


def quick_line(x: list, y: list, alt_text: str, height: int = 150, x_title: str | None = None,
               y_title: str | None = None) -> None:
    """One plain line (y over x; x: whole numbers, such as steps, and so are its ticks) drawn in the page
    at the column's width, `height` px tall. Its Vega-Lite
    spec is written out here: 1-2 ms of CPU a tick, where st.line_chart builds it with Altair and pandas
    (about 90 ms a tick, measured on the beyond chapter's loss chart), and a live chart is drawn every tick.
    Axis text 12 px, 28 px in classroom mode. Nothing is drawn for fewer than two points (no line)."""
    import streamlit as st

    from ui.layout import presenting

    if len(x) < 2:
        return
    k = BIG if presenting() else 1.0
    axis = {"labelFontSize": 12 * k, "titleFontSize": 13 * k}
    st.vega_lite_chart(spec=inline({
        "data": {"values": [{"x": a, "y": b} for a, b in zip(x, y)]},
        "mark": {"type": "line", "strokeWidth": 2 * k},
        "encoding": {"x": {"field": "x", "type": "quantitative", "title": x_title,      # steps: whole numbers
                           "axis": {**axis, "tickMinStep": 1, "format": "d"}},
                     "y": {"field": "y", "type": "quantitative", "title": y_title, "axis": axis}}}),
        height=round(height * (1 + (k - 1) / 2)), width="stretch", alt=alt_text)
