"""The seeing chapter's widgets: a kind's name in a sentence, the guess bars with little icons, the
saliency overlay, boxes round the things found in a scene. The recogniser is models/recognizer.py;
pages/seeing.py decides what to show."""

from __future__ import annotations

import re

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw, ImageFont

from models import textnorm, world
from ui.i18n import in_each, kind_name, t, t_in
from ui.pictures import show, upscale

BOX_COLOURS = [(230, 60, 50), (40, 110, 230), (30, 160, 80), (200, 90, 200), (240, 150, 20)]


def escape(name: str) -> str:
    """A child's own words shown as they are, not as Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", name)


def label(kind: str) -> str:
    """A world kind's name in the reader's language(s), or a taught kind's own name as the child wrote it."""
    return kind_name(kind) if kind in world.KINDS else escape(kind)


def t_kind(key: str, kind: str, slot: str = "kind", **fields) -> str:
    """Like t(), with a kind's name in the same language as the sentence around it (also in 双语)."""
    def one(base):
        name = kind_name(kind, base) if kind in world.KINDS else escape(kind)
        return t_in(base, key, **{slot: name}, **fields)
    return in_each(one)


def known_kind(name: str) -> str:
    """'猫', '貓', 'Cat' or 'Ｃａｔ' means the world's cat, 'ROCKET' the rocket taught before: teach more of
    it rather than a second one (names compared in one form: models/textnorm.py)."""
    for kind in world.KINDS:
        if textnorm.same_name(name, (kind_name(kind, "zh"), kind_name(kind, "en"))):
            return kind
    return textnorm.same_name(name, st.session_state.get("seeing:taught", [])) or name


def cut_to(most: int, key: str) -> bool:
    """Keep `most` whole characters (a family emoji is one) in the text box `key`; True if it was cut."""
    name, cut = textnorm.cut(st.session_state.get(key, ""), most)
    if cut:
        st.session_state[key] = name
    return cut


@st.cache_data(show_spinner=False)
def kind_icons() -> dict:
    """A little line drawing (48, 48, 3) uint8 of each world kind."""
    big = np.array([1])   # the world's "big" size, so every icon fills its little square
    return {k: world.render(k, np.random.default_rng(40 + i), 1, size=48, style="line", sizes=big)[0][0]
            for i, k in enumerate(world.KINDS)}


def icon(kind: str) -> np.ndarray:
    """A world kind's icon, a taught kind's first drawing, else a white square."""
    return kind_icons().get(kind, st.session_state.get("seeing:icons", {}).get(kind, np.full((48, 48, 3), 255, np.uint8)))


def bars(guess) -> None:
    """Each kind's icon and a bar of how sure the recogniser is (guess.ranked(): (kind, 0..1) pairs)."""
    for kind, p in guess.ranked():
        pic, bar = st.columns([1, 7], vertical_alignment="center")
        show(icon(kind), width=44, where=pic, alt=label(kind))
        bar.progress(min(max(p, 0.0), 1.0), text=t("seeing.bar", kind=label(kind), pct=round(100 * p)))


def overlay(seen: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """The 32x32 drawing (ink 0..1) in grey with the saliency (0..1) in red on top, (32, 32, 3) uint8."""
    grey = (255 - 170 * seen)[..., None].repeat(3, axis=2)
    a = 0.9 * heat[..., None]
    return (grey * (1 - a) + np.array([225, 30, 45]) * a).clip(0, 255).astype(np.uint8)


def boxed(image: np.ndarray, found, k: int = 4) -> np.ndarray:
    """The scene (H, W, 3) upscaled k times with a numbered box round each thing found ((box, kind, p))."""
    big = Image.fromarray(upscale(image, k))
    pen = ImageDraw.Draw(big)
    font = ImageFont.load_default(size=18)
    for n, ((x0, y0, x1, y1), _, _) in enumerate(found, start=1):
        c = BOX_COLOURS[(n - 1) % len(BOX_COLOURS)]
        pen.rectangle((x0 * k, y0 * k, x1 * k - 1, y1 * k - 1), outline=c, width=3)
        top = y0 * k - 22 if y0 * k >= 22 else y0 * k          # the number sits on the box, not on the thing
        pen.rectangle((x0 * k, top, x0 * k + 22, top + 22), fill=c)
        pen.text((x0 * k + 6, top + 1), str(n), fill="white", font=font)
    return np.asarray(big)
