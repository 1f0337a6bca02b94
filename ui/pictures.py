"""Showing pictures: tiny 32x32 pictures are upscaled by whole pixels, so they stay crisp. Every picture
gets an alt text in the reader's language (st.image's `alt`, Streamlit >= 1.67), for screen readers."""

from __future__ import annotations

import base64
import functools
import io

import numpy as np
import streamlit as st

from models import world
from ui.i18n import t


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """(H, W, 3) or (N, H, W, 3) uint8, each pixel repeated factor x factor times."""
    axis = image.ndim - 3
    return image.repeat(factor, axis=axis).repeat(factor, axis=axis + 1)


def show_grid(images: np.ndarray, cols: int = 8, scale: int = 4, pad: int = 3, caption: str | None = None,
              width: str | int = "content", alt: str | None = None) -> None:
    """Many pictures as one image (one PNG is much faster than many little ones). It keeps its grid and
    scales down to its column on a narrow screen. `alt` (default: the caption, else "8 small pictures")
    is what a screen reader says."""
    if len(images) == 0:
        return
    st.image(world.grid(np.asarray(images), cols=cols, pad=pad, scale=scale), caption=caption, width=width,
             alt=alt or caption or t("pictures_alt", n=len(images)))


def show_row(images: np.ndarray, captions: list[str] | None = None, scale: int = 4, cols: int | None = None,
             alts: list[str] | None = None) -> None:
    """Pictures side by side, each with its own caption underneath (a grid of four a row on a phone)."""
    images = np.asarray(images)
    cols = cols or len(images)
    for start in range(0, len(images), cols):
        columns = st.columns(cols)
        for i, column in enumerate(columns):
            j = start + i
            if j < len(images):
                caption = None if captions is None else captions[j]
                alt = alts[j] if alts is not None else (caption or t("picture_alt"))
                column.image(upscale(images[j], scale), caption=caption, width="stretch", alt=alt)


def default_alt(caption=None, count: int = 1):
    """The alt text for a picture whose page gave none: its caption, else "a small picture"."""
    def one(c):
        return c if isinstance(c, str) and c.strip() else t("picture_alt")
    if count == 1:
        return one(caption[0] if isinstance(caption, (list, tuple)) and caption else caption)
    captions = list(caption) if isinstance(caption, (list, tuple)) else [caption] * count
    return [one(c) for c in captions]


def alt_by_default() -> None:
    """Give every `st.image` that a page calls without `alt` one in the reader's language (its caption,
    else "a small picture"), so no picture is nameless to a screen reader. Called by app.py once per run;
    a page that knows better passes its own `alt`."""
    from streamlit.delta_generator import DeltaGenerator

    if getattr(DeltaGenerator.image, "_aidraw_alt", False):
        return
    original = DeltaGenerator.image

    @functools.wraps(original)
    def image(self, image, caption=None, *args, alt=None, **kwargs):
        if alt is None:
            many = isinstance(image, (list, tuple)) and len(image) > 1
            alt = default_alt(caption, len(image) if many else 1)
        return original(self, image, caption, *args, alt=alt, **kwargs)

    image._aidraw_alt = True
    DeltaGenerator.image = image
    main = getattr(st, "_main", None)
    if main is not None:
        st.image = functools.partial(image, main)


def png_data_url(image: np.ndarray) -> str:
    """A picture as a data: URL (for HTML and for injecting a drawing in tests)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(image)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def canvas_image(result) -> np.ndarray | None:
    """The RGBA pixels (H, W, 4) of a streamlit-drawable-canvas result made with
    return_image_data=True, or None when there is nothing yet. (A drawing injected into session state
    in a test comes back through the canvas as the same kind of result.)"""
    data = None if result is None else result.image_data
    return None if data is None else np.asarray(data).astype(np.uint8)
