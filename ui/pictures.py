"""Showing pictures: tiny 32x32 pictures are upscaled by whole pixels, so they stay crisp."""

from __future__ import annotations

import base64
import io

import numpy as np
import streamlit as st

from models import world


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """(H, W, 3) or (N, H, W, 3) uint8, each pixel repeated factor x factor times."""
    axis = image.ndim - 3
    return image.repeat(factor, axis=axis).repeat(factor, axis=axis + 1)


def show_grid(images: np.ndarray, cols: int = 8, scale: int = 4, pad: int = 3, caption: str | None = None,
              width: str | int = "content") -> None:
    """Many pictures as one image (one PNG is much faster than many little ones)."""
    if len(images) == 0:
        return
    st.image(world.grid(np.asarray(images), cols=cols, pad=pad, scale=scale), caption=caption, width=width)


def show_row(images: np.ndarray, captions: list[str] | None = None, scale: int = 4, cols: int | None = None) -> None:
    """Pictures side by side, each with its own caption underneath."""
    images = np.asarray(images)
    cols = cols or len(images)
    for start in range(0, len(images), cols):
        columns = st.columns(cols)
        for i, column in enumerate(columns):
            j = start + i
            if j < len(images):
                column.image(upscale(images[j], scale), caption=None if captions is None else captions[j],
                             width="stretch")


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
