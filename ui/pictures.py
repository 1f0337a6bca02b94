"""Showing pictures: tiny 32x32 pictures are upscaled by whole pixels, so they stay crisp. Every picture
gets an alt text in the reader's language (st.image's `alt`, Streamlit >= 1.67: a caption is never
read as one), for screen readers. Pages show pictures with `show`, `show_grid` and `show_row`, never a
bare `st.image` (which would leave a picture nameless).

Every picture goes to Streamlit as PNG bytes made by `png`, once per distinct picture (ui/render_once.py):
given a numpy array, Streamlit 1.67 encodes it again on every call, as a JPEG (quality 100, a 400-pixel
grid ~15 ms of CPU; 30 children refreshing a class duel every 2 s need more CPU than a 2-core server
has). PNG also keeps the upscaled pixels' edges sharp, where JPEG smears them."""

from __future__ import annotations

import base64
import io

import numpy as np
import streamlit as st

from models import world
from ui.i18n import in_each, lang, t
from ui.render_once import pixels_key, pngs


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """(H, W, 3) or (N, H, W, 3) uint8, each pixel repeated factor x factor times."""
    axis = image.ndim - 3
    return image.repeat(factor, axis=axis).repeat(factor, axis=axis + 1)


def png(image) -> bytes:
    """A picture as PNG bytes: a (H, W), (H, W, 3) or (H, W, 4) array (values 0..255; cast to uint8),
    encoded once while it is kept (the same pixels give the very same bytes object); bytes pass through
    unchanged (they must be a PNG or a GIF)."""
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    from PIL import Image

    array = np.ascontiguousarray(np.asarray(image).astype(np.uint8, copy=False))

    def encode() -> bytes:
        buf = io.BytesIO()
        Image.fromarray(array).save(buf, format="PNG")
        return buf.getvalue()

    return pngs.get_or_make(pixels_key(array, "PNG"), encode)


def _format(data: bytes) -> str:
    """st.image's output_format for our bytes: "PNG" keeps a PNG as it is; an animated GIF needs "auto"
    (given "PNG", Streamlit re-saves a GIF as a still PNG of its first frame; given "auto", it would
    re-save an RGB PNG as a JPEG)."""
    return "auto" if data[:4] == b"GIF8" else "PNG"


def described(pics, indices) -> list[str]:
    """What the world's own captions say of pictures `indices` of a models.world.Pictures made with
    captions, in the reader's language(s): alt texts that say what each picture shows."""
    return [in_each(lambda b: getattr(pics, f"captions_{b}")[i]) for i in indices]


def show(image, caption: str | None = None, alt: str | None = None, scale: int = 1,
         width: str | int = "content", where=None) -> None:
    """One picture: a (H, W, 3) uint8 array (upscaled by `scale` whole pixels), PNG bytes or a GIF's bytes (played as a film), in `where`
    (a column; default: here). `alt` is what a screen reader says, in the reader's language: give one
    that says what the picture shows; without it, the caption, else "a small picture"."""
    if scale > 1:
        image = upscale(np.asarray(image), scale)
    data = png(image)
    (where or st).image(data, caption=caption, width=width, output_format=_format(data),
                        alt=alt or caption or t("picture_alt"))


def show_grid(images: np.ndarray, cols: int = 8, scale: int = 4, pad: int = 3, caption: str | None = None,
              width: str | int = "content", alt: str | None = None) -> None:
    """Many pictures as one image (one PNG is much faster than many little ones). It keeps its grid and
    scales down to its column on a narrow screen. `alt` (default: the caption, else "8 small pictures")
    is what a screen reader says."""
    if len(images) == 0:
        return
    st.image(png(world.grid(np.asarray(images), cols=cols, pad=pad, scale=scale)), caption=caption,
             width=width, output_format="PNG", alt=alt or caption or t("pictures_alt", n=len(images)))


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
                column.image(png(upscale(images[j], scale)), caption=caption, width="stretch",
                             output_format="PNG", alt=alt)


def show_figures(images, captions: list[list[str]], alts: list[str], key: str, scale: int = 1,
                 cols: int | None = None, where=None) -> None:
    """Pictures side by side, each with its caption lines under it, as ONE element (st.image given the
    list), where a row of st.image columns is three elements a picture: in a fragment that ticks, the
    browser draws every element again each tick, changed or not (measured in Chromium, GAN page, 1-s
    ticks: the film strip and the line-up, 48 elements, took 0.25 of the browser's 0.52 cores). The
    pictures go by URL, as any st.image's, so a browser fetches each once (inline in HTML, the same
    row was 30-170 KB a tick). `cols` to a line (4 to 8; default: one a picture), four where the row is
    narrower than 640 px (a phone, a tablet's column; 900 px with captions in both languages): the CSS
    is ui/layout.py's `picrow`. images: (N, H, W, 3) uint8 (upscaled by `scale` whole pixels); captions:
    N lists of lines; alts: N alt texts; key: unique on the page."""
    n, both = cols or len(images), "-both" if lang() == "both" else ""   # both: captions twice as long
    with (where or st).container(key=f"picrow{n}{both}-{key}"):
        st.image([png(upscale(np.asarray(image), scale) if scale > 1 else image) for image in images],
                 caption=["  \n".join(lines) for lines in captions], alt=list(alts), output_format="PNG")


def png_data_url(image: np.ndarray) -> str:
    """A picture as a data: URL (for HTML and for injecting a drawing in tests)."""
    return "data:image/png;base64," + base64.b64encode(png(image)).decode()


def canvas_image(result) -> np.ndarray | None:
    """The RGBA pixels (H, W, 4) of a streamlit-drawable-canvas result made with
    return_image_data=True, or None when there is nothing yet. (A drawing injected into session state
    in a test comes back through the canvas as the same kind of result.)"""
    data = None if result is None else result.image_data
    return None if data is None else np.asarray(data).astype(np.uint8)
