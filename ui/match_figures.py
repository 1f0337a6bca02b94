"""The matching chapter's figures: numbers as coloured bars, the picture-by-words grid, the meaning map.
Plain matplotlib turned into PNG bytes (quick to send, and easy to remember); pages/matching.py decides
what to draw and caches it."""

from __future__ import annotations

import io
import unicodedata

import numpy as np
from matplotlib.patches import Rectangle

from models import textnorm
from ui.charts import FIGURE_DPI, figure


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


def grid_png(images, texts, probs, big: bool = False) -> bytes:
    """Pictures down the side, words along the top; the brighter a square, the better the model says they match.
    `big`: classroom mode (charts.figure), shorter, so the grid fits the projector's screen below its controls."""
    n, m = probs.shape
    fig = figure(4.6, 4.0, big) if big else figure(6.4, 5.2)   # big: 683 px, two thirds of the column
    ax = fig.add_subplot()
    ax.imshow(probs, cmap="YlOrRd", vmin=0, vmax=1, extent=(0, m, n, 0))
    for i, im in enumerate(images):
        ax.imshow(im, extent=(-1.05, -0.05, i + 0.95, i + 0.05))
    for i in range(n):
        ax.add_patch(Rectangle((i, i), 1, 1, fill=False, ec="#2a9d3a", lw=2.5))
        for j in range(m):
            ax.text(j + 0.5, i + 0.5, f"{round(100 * probs[i, j])}", ha="center", va="center", fontsize=9,
                    color="white" if probs[i, j] > 0.6 else "#333333")
    ax.set(xlim=(-1.1, m), ylim=(n, 0))
    turn = 60 if big else 35                            # big letters in narrow columns: steeper
    ax.set_xticks(np.arange(m) + 0.5, [x if len(x) <= 22 else x[:21] + "…" for x in texts], rotation=turn,
                  ha="left", fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    return png(fig)


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
