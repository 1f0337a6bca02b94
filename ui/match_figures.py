"""The matching chapter's figures: numbers as coloured bars, the picture-by-words grid, the meaning map.
Plain matplotlib turned into PNG bytes (quick to send, and easy to remember), but the grid, drawn with Pillow
at every tick of the live training; pages/matching.py decides what to draw and caches it."""

from __future__ import annotations

import functools
import io
import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from models import textnorm
from ui.charts import BIG_PIXELS, BIG_TEXT, FIGURE_DPI, figure


def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def drawable(words: str, most: int = 12) -> str:
    """Words for a figure: each visible character (grapheme cluster, models.textnorm.graphemes) that
    holds a symbol its font cannot draw (an emoji, a flag, a family) becomes one "?", as the pieces
    above the figure count it; long words are cut."""
    words = "".join("?" if any(unicodedata.category(ch) in ("So", "Co", "Cs") for ch in g) else g
                    for g in textnorm.graphemes(words))
    return words if len(words) <= most else words[: most - 1] + "…"


def bar_rows(labels, vectors, known=None, right=None, pictures=None, big: bool = False) -> bytes:
    """Each row's numbers as coloured bars (orange up, blue down), a label or a picture on the left.
    `big`: classroom mode (charts.figure)."""
    n = len(vectors)
    fig = figure(7.5, 0.55 * n + 0.3, big)
    top = max(float(np.abs(vectors).max()), 1e-6)
    for i in range(n):
        ax = fig.add_subplot(n, 1, i + 1)
        v, ok = vectors[i], known is None or known[i]
        colours = np.where(v > 0, "#f08a24", "#3b78d8") if ok else "#c8c8c8"
        ax.bar(np.arange(len(v)), v if ok else np.full(len(v), 0.15 * top), color=colours, width=0.8)
        ax.set(xticks=[], yticks=[], ylim=(-top, top), xlim=(-0.5, len(v) - 0.5))
        ax.axhline(0, color="#999999", lw=0.5)
        for side in ax.spines.values():
            side.set_visible(False)
        if pictures is not None and pictures[i] is not None:
            ax.imshow(pictures[i], extent=(-len(v) * 0.09, -len(v) * 0.01, -top, top), aspect="auto")
            ax.set_xlim(-len(v) * 0.1, len(v) - 0.5)
        else:
            ax.set_ylabel(drawable(labels[i], 12) + ("" if ok else " ?"), rotation=0, ha="right", va="center",
                          fontsize=12, color="#222222" if ok else "#999999")
        if right is not None:
            ax.text(1.01, 0.5, right[i], transform=ax.transAxes, va="center", fontsize=10)
    return png(fig)


# ── The picture-by-words grid, drawn with Pillow ─────────────────────────────────────────────────
# The live grid is drawn again at every tick (1.5 s) while a model learns. In matplotlib it cost 0.18-0.26 s
# of CPU (constrained layout draws the figure twice), nearly all of it holding Python's global lock; the
# worker training beside it, in Chromium: 0.51-0.66 of a core and 4-19 steps a second, against 0.84-0.95
# and 18-25 with a ready-made picture in its place (probe, 3 interleaved 8-s windows each). Pillow draws the
# same grid in 49 ms (classroom size: 70 ms), half of it PNG encoding, which gives the global lock up.
# Sizes follow ui/charts.figure: 9 pt text, 110 dpi; classroom mode 2.09 x the dpi (charts.BIG_TEXT x
# BIG_PIXELS), so 9 pt is 28.8 px and the grid 683 px wide.
GRID_CM = "YlOrRd"                   # matplotlib's colour map: pale yellow (0) to dark red (1)
GRID_MATCH = (42, 157, 58)           # the green frame around each picture's own words
GRID_BACK = (255, 253, 247)          # the figures' paper (charts.figure)
GRID_GAP = 0.3                       # between the words and the squares, in letters' sizes
GRID_TURNS = (35, 45, 60)            # degrees the words above the squares may be turned


@dataclass(frozen=True)
class GridLayout:
    """Where a grid's parts go, in pixels: cells `cell` px square from (left, top); pictures to their left;
    the words, turned `turn` degrees, above; `text_px` the font size; (width, height) the whole picture."""
    width: int
    height: int
    left: int
    top: int
    cell: int
    text_px: int
    turn: int
    frame: int


def grid_layout(texts: list[str], n: int, m: int, big: bool = False) -> GridLayout:
    """The grid's layout for n pictures by m words: as large cells as fit the figure (6.4 x 5.2 in, or 4.6 x
    4.0 in classroom mode, where the part's controls and the grid share one projector screen) with every
    word's turned label inside it."""
    dpi = FIGURE_DPI * (BIG_TEXT * BIG_PIXELS if big else 1)
    width = round((4.6 * FIGURE_DPI * BIG_PIXELS) if big else 6.4 * FIGURE_DPI)
    tallest = round((4.0 * FIGURE_DPI * BIG_PIXELS) if big else 5.2 * FIGURE_DPI)   # classroom: fits the screen
    text_px = round(9 * dpi / 72)
    font, pad = grid_font(text_px), round(0.6 * text_px)
    line = text_px * 1.3
    lengths = [font.getlength(w) for w in texts] or [0.0]
    gap, below = round(GRID_GAP * text_px), round(0.2 * text_px)         # above the squares, under them
    fits = []                            # (square's size, turn, top, cos) for each turn the words may take
    for turn in GRID_TURNS:
        cos, sin = math.cos(math.radians(turn)), math.sin(math.radians(turn))
        top = gap + round(max(w * sin + line * cos for w in lengths)) + gap
        # Column j's label starts at the middle of its square and reaches w cos + line sin to the right.
        cell = int(min([(width - 2 * pad - w * cos - line * sin) / (1.1 + j + 0.5) for j, w in enumerate(lengths)]
                       + [(width - 2 * pad) / (m + 1.1), (tallest - top - below) / max(n, 1), 12 * text_px]))
        fits.append((cell, turn, top, cos, cell * sin >= 1.15 * text_px))       # two labels never touch
    apart = [f for f in fits if f[4]]
    # The largest squares whose labels stay apart (the first turn of equals); else the steepest turn.
    cell, turn, top, cos, _ = max(apart, key=lambda f: f[0]) if apart else fits[-1]
    cell = max(cell, round(1.7 * text_px))              # "100" (1.66 x the letters' size) still fits a square
    right = max(round((j + 0.5) * cell + w * cos + line) for j, w in enumerate(lengths))
    used = round(1.1 * cell) + max(m * cell, right)     # the pictures, the squares or the words' ends
    left = max(pad, (width - used) // 2) + round(1.1 * cell)
    return GridLayout(width, top + n * cell + below, left, top, cell, text_px, turn, max(2, round(2.5 * dpi / 72)))


@functools.lru_cache(maxsize=8)
def grid_font(px: int):
    """The figures' font (charts.cjk_font_file, its Simplified Chinese face; else matplotlib's DejaVu Sans) at `px` pixels."""
    from matplotlib import font_manager
    from PIL import ImageFont

    from ui.charts import cjk_font_file

    path = cjk_font_file()
    if path is not None:
        faces = []
        for index in range(8):                       # a .ttc holds several faces: JP, KR, SC, TC, ...
            try:
                faces.append(ImageFont.truetype(str(path), px, index=index))
            except OSError:
                break
        for face in faces:
            if face.getname()[0].endswith(" SC"):
                return face
        if faces:
            return faces[0]
    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), px)


def grid_png(images, texts, probs, big: bool = False) -> bytes:
    """Pictures down the side, words along the top; the brighter a square, the better the model says they match.
    images: N pictures (H, W, 3) uint8; texts: M words; probs: (N, M) in 0..1 (each shown as a whole
    percent); the diagonal framed in green (each picture's own words). `big`: classroom mode (charts.figure):
    28.8-px words in a 683-px-wide picture that fits the projector's column below its controls. PNG bytes."""
    from matplotlib import colormaps
    from PIL import Image, ImageDraw

    probs = np.asarray(probs, dtype=float)
    n, m = probs.shape
    words = [drawable(w, 22) for w in texts]
    lay = grid_layout(words, n, m, big)
    font, c = grid_font(lay.text_px), lay.cell
    page = Image.new("RGB", (lay.width, lay.height), GRID_BACK)
    draw = ImageDraw.Draw(page)
    colours = (colormaps[GRID_CM](np.clip(probs, 0, 1))[..., :3] * 255).round().astype(int)
    side = round(0.9 * c)
    for i in range(n):
        y = lay.top + i * c
        page.paste(Image.fromarray(np.asarray(images[i], dtype=np.uint8)).convert("RGB").resize((side, side), Image.BICUBIC),
                   (lay.left - round(0.05 * c) - side, y + (c - side) // 2))
        for j in range(m):
            x = lay.left + j * c
            draw.rectangle((x, y, x + c - 1, y + c - 1), fill=tuple(colours[i, j]))
    half = lay.frame // 2                            # the green frame sits on the square's edge ...
    for i in range(min(n, m)):
        x, y = lay.left + i * c, lay.top + i * c
        draw.rectangle((x - half, y - half, x + c - 1 + half, y + c - 1 + half), outline=GRID_MATCH, width=lay.frame)
    for i in range(n):                               # ... under the numbers, which stay whole
        for j in range(m):
            draw.text((lay.left + j * c + c / 2, lay.top + i * c + c / 2), f"{round(100 * probs[i, j])}", font=font,
                      anchor="mm", fill="white" if probs[i, j] > 0.6 else "#333333")
    for j, word in enumerate(words):                 # each word turned, its start above its column's middle
        box = font.getbbox(word)
        label = Image.new("L", (max(1, round(font.getlength(word))) + 2, round(lay.text_px * 1.3)), 0)
        ImageDraw.Draw(label).text((1, -box[1] + round(0.15 * lay.text_px)), word, font=font, fill=255)
        label = label.rotate(lay.turn, expand=True, resample=Image.BICUBIC)
        x, y = lay.left + round((j + 0.5) * c), lay.top - round(GRID_GAP * lay.text_px) - label.height
        page.paste(Image.new("RGB", label.size, (34, 34, 34)), (x, y), label)
    buf = io.BytesIO()
    page.save(buf, format="PNG", compress_level=3)        # 23 ms here (the default 6: 32 ms, 8% smaller)
    return buf.getvalue()


def map_figure(images, p_img, words, p_txt, extra: str = "", p_extra=None, big: bool = False) -> bytes:
    """Pictures at p_img (N, 2), words at p_txt (M, 2), and a child's own word `extra` at p_extra, as PNG.
    `big`: classroom mode (charts.figure)."""
    return png(map_fig(images, p_img, words, p_txt, extra, p_extra, big)[0])


def map_fig(images, p_img, words, p_txt, extra: str = "", p_extra=None, big: bool = False):
    """The map as a Figure, with its word labels and its pictures (matplotlib artists, for tests).
    Words that land in (nearly) the same place share one label; labels are nudged off the pictures so
    no word sits on a picture (each label is pushed away from the pictures it overlaps, a few pixels at
    a time, at most 200 times)."""
    fig = figure(7.5, 4.4, big) if big else figure(7.5, 6)     # big: it fits the projector's screen
    ax = fig.add_subplot()
    half = 0.04 * (p_img.max() - p_img.min())
    pictures = [ax.imshow(im, extent=(x - half, x + half, y - half, y + half), zorder=1) for (x, y), im in zip(p_img, images)]
    groups: list = []
    for w, p in zip(words, p_txt):
        near = next((g for g in groups if np.hypot(*(g[0] - p)) < half), None)
        if near is None:
            groups.append((p, [w]))
        else:
            near[1].append(w)
    labels = [ax.text(*p, "\n".join(ws), fontsize=10, ha="center", va="center", zorder=3,
                      bbox=dict(boxstyle="round", fc="white", ec="#888888", alpha=0.9)) for p, ws in groups]
    if p_extra is not None:
        labels.append(ax.text(*p_extra, drawable(extra, 20), fontsize=12, ha="center", va="center",
                              zorder=4, color="white", bbox=dict(boxstyle="round", fc="#d6336c", ec="none")))
    every = np.concatenate([p_img, p_txt] + ([p_extra[None]] if p_extra is not None else []))
    ax.set_xlim(every[:, 0].min() - 3 * half, every[:, 0].max() + 3 * half)
    ax.set_ylim(every[:, 1].min() - 2 * half, every[:, 1].max() + 2 * half)
    ax.set(xticks=[], yticks=[])
    _off_the_pictures(fig, ax, labels, pictures)
    return fig, labels, pictures


def label_box(label, renderer):
    """A label's box in pixels, with the padding of its rounded frame."""
    pad = 0.45 * label.get_fontsize() * label.figure.dpi / 72
    return label.get_window_extent(renderer).padded(pad)


def _off_the_pictures(fig, ax, labels, pictures, most: float = 240.0) -> None:
    """Move each label that sits on a picture (or on a label already placed, or across the map's frame) to
    the nearest free spot inside the frame: rings of 16 directions, 6 px further out each ring, up to
    `most` px away; a label with no free spot stays where it was."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.canvas.draw()                         # settles the layout, so the pixel positions hold
    renderer = fig.canvas.get_renderer()
    taken = [p.get_window_extent(renderer) for p in pictures]
    to_data = ax.transData.inverted()
    unit = fig.dpi / FIGURE_DPI               # the steps are pixels at the page dpi (more in classroom mode)
    turns = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    directions = np.stack([np.sin(turns), np.cos(turns)], axis=1)      # up first, then round
    frame = ax.get_window_extent(renderer)

    def free(b) -> bool:                      # inside the map's frame, on no picture and no label
        inside = frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
        return inside and not any(b.overlaps(o) for o in taken)

    for label in labels:
        start = ax.transData.transform(label.get_position())
        box = label_box(label, renderer)
        if not free(box):
            for r in np.arange(6.0 * unit, most * unit, 6.0 * unit):
                spot = next((start + r * d for d in directions if free(box.translated(*(r * d)))), None)
                if spot is not None:
                    label.set_position(to_data.transform(spot))
                    box = label_box(label, renderer)
                    break
        taken.append(box)
