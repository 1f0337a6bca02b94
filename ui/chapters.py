"""The chapters of the journey, in the article's order. A chapter appears only once it is built:
its page script and both lesson files exist. Nothing pretends.

Each chapter's card picture is made here from the picture world (numpy only, so the home page is
quick on a cold start: no torch).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models import world
from ui.i18n import LESSONS

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Chapter:
    id: str            # lesson file name and URL path
    icon: str

    @property
    def page(self) -> str:
        return f"pages/{self.id}.py"

    def built(self) -> bool:
        return (ROOT / self.page).exists() and all((LESSONS / b / f"{self.id}.toml").exists() for b in ("zh", "en"))


# The article's story, in order: GAN, diffusion, seeing, reading and matching.
ALL = (
    Chapter("gan", "🎨"),
    Chapter("diffusion", "🌫️"),
    Chapter("seeing", "👀"),
    Chapter("matching", "🔗"),
    Chapter("words", "🪄"),         # words become a picture: the article's finale
    Chapter("beyond", "🎵"),        # the same ideas make music, video and text
)


def built() -> list[Chapter]:
    return [c for c in ALL if c.built()]


def next_after(chapter_id: str) -> Chapter | None:
    ids = [c.id for c in built()]
    if chapter_id in ids and ids.index(chapter_id) + 1 < len(ids):
        return built()[ids.index(chapter_id) + 1]
    return None


# ── Card pictures, drawn by the app itself ─────────────────────────────────────────────────────
def _noisy(images: np.ndarray, amount: float, rng) -> np.ndarray:
    x = images.astype(np.float32) / 127.5 - 1
    x = np.sqrt(1 - amount) * x + np.sqrt(amount) * rng.standard_normal(x.shape).astype(np.float32)
    return np.clip((x + 1) * 127.5, 0, 255).astype(np.uint8)


def card_picture(chapter_id: str, size: int = 64) -> np.ndarray:
    """A small strip that says what the chapter is about, (H, W, 3) uint8."""
    rng = np.random.default_rng(7)
    if chapter_id == "gan":              # faces: the article's portraits
        pics = world.make_pictures(3, seed=11, size=size, kinds=["face"]).images
    elif chapter_id == "diffusion":      # one picture coming out of the noise
        one = world.make_pictures(1, seed=5, size=size, kinds=["star"]).images
        pics = np.concatenate([_noisy(one, a, rng) for a in (0.97, 0.6, 0.0)])
    elif chapter_id == "seeing":         # doodles a child might draw
        pics = world.make_pictures(3, seed=3, size=size, style="line", kinds=["cat", "house", "sun"]).images
    elif chapter_id == "words":          # what we say, drawn: a heart, a fish, a cat
        pics = world.make_pictures(3, seed=31, size=size, kinds=["heart", "fish", "cat"]).images
    elif chapter_id == "beyond":         # a short film strip: one thing after another
        pics = world.make_pictures(3, seed=41, size=size, kinds=["sun", "flower", "tree"]).images
    else:                                # matching: things of many kinds and colours
        pics = world.make_pictures(3, seed=21, size=size, kinds=["fish", "flower", "car"]).images
    return world.grid(pics, cols=3, pad=4)
