"""The diffusion chapter's widgets: a choice of kind, the doodle pad, the cleaning screen and the live
model's view. Pictures are (N, 32, 32, 3) uint8 from models/diffusion.py; pages/diffusion.py decides
what to draw, and caches it."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from models import world
from ui import canvas as C
from ui.charts import quick_line
from ui.i18n import kind_name, t
from ui.pictures import show_grid

COLOURS = {"🔴": "#de2d2d", "🟠": "#f58019", "🟡": "#eec414", "🟢": "#34a044", "🔵": "#2468dc",
           "🟣": "#8840be", "🟤": "#8b5730", "⚫": "#26222e"}


def kind_names(extra: tuple = ()) -> dict:
    """Option -> label, made now: a widget keeps the labels of the language it was drawn in."""
    names = {k: kind_name(k) for k in world.KINDS}
    return {**({"any": t("diffusion.doodle_any")} if "any" in extra else {}), **names}


def kind_picker(key: str, label: str, default: str, extra: tuple = (), keep: bool = False) -> str:
    """One of the world's kinds (or "any" if `extra` has it). `keep`: the choice survives a visit to
    another chapter (it holds the child's model)."""
    names = kind_names(extra)
    chosen = st.pills(label, list(names), default=default, key=key, format_func=names.get,
                      persist_state="session" if keep else None)
    return chosen or default


def shrink(rgba: np.ndarray | None) -> np.ndarray | None:
    """The canvas (H, W, 4) on white paper, shrunk to (32, 32, 3); None when there is no ink on it
    (nothing drawn, all undone or cleared, or an opaque white page)."""
    if rgba is None or C.blank(rgba):
        return None
    return np.asarray(Image.fromarray(C.on_paper(rgba)).resize((32, 32), Image.BOX))


def doodle_pad() -> np.ndarray | None:
    """A colour, a canvas and a tip; the drawing as (32, 32, 3) uint8, or None with no ink."""
    with st.container(key="diffusion-draw"):
        colour = st.segmented_control(t("diffusion.doodle_colour"), list(COLOURS), default="🔵",
                                      key="diffusion-colour") or "🔵"
        drawn = C.draw("diffusion-canvas", size=256, pen=22, colour=COLOURS[colour], background="#ffffff",
                       undo=t("canvas_undo"), clear=t("canvas_clear"))
        st.caption(t("diffusion.doodle_tip"))
    return shrink(drawn)


def cleaning_screen(frames, guesses, levels, step: int) -> None:
    """Step `step` of a cleaning: the pictures now (4, 32, 32, 3) beside the model's guess of the clean
    ones (the finished pictures at the last step). frames: (steps+1, 4, 32, 32, 3); levels 0..1 noise."""
    total = len(frames) - 1
    now, guess = st.columns(2, gap="large")
    with now:
        show_grid(frames[step], cols=2, scale=4,
                  caption=t("diffusion.now_caption", step=step, total=total, pct=round(100 * levels[step])))
    with guess:
        if step < total:
            show_grid(guesses[step], cols=2, scale=4, caption=t("diffusion.guess_caption"))
        else:
            show_grid(frames[total], cols=2, scale=4, caption=t("diffusion.finished_caption"))


def learning(live, seen: dict) -> None:
    """The live model's pictures (from the same noise each time) and its loss so far. seen: what the
    panel's look took with the lock held: fresh (no step yet), copy (the trainer's drawing_copy), history."""
    now, chart = st.columns([1.2, 1], gap="large")
    with now:
        if seen["fresh"]:
            st.caption(t("diffusion.learn_fresh"))
        # The same noise every time (seed 0), so the pictures can be compared as it learns. Drawing
        # them (0.45 s) costs three training steps: every tick, one child's run would keep most of a
        # core busy on a shared server. While it trains they are drawn every 2 s at most, from a copy
        # of the model, so the run goes on learning meanwhile.
        steps, pictures = live.now_and_then("now", lambda twin: twin.sample(8, seed=0, steps=10), copy=seen["copy"])
        show_grid(pictures, cols=4, scale=3, caption=t("diffusion.learn_now", steps=steps))
    with chart:
        if seen["history"]:
            st.caption(t("diffusion.learn_loss"))
            quick_line([h["steps"] for h in seen["history"]], [h["loss"] for h in seen["history"]],
                       alt_text=t("diffusion.learn_loss"), height=180)
