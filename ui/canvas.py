"""Every drawing canvas in the app (seeing: draw and guess, teach a new kind; diffusion: your own doodle).

streamlit-drawable-canvas 0.13 draws it: its own front end (Fabric.js), mounted here as this app's
own component so that its styles can be set (the component lives in a shadow root, where the page's
CSS cannot reach):

- its toolbar is gone (display: none): nothing invisible sits on the drawing area; the page's own
  big Undo and Clear buttons under the canvas are the controls. Its buttons' English names (title,
  aria-label) are taken off too, and it is inert: no English tooltip or spoken name on any page;
- on a phone its column takes the whole row (PHONE_CSS);
- it fits its column: the canvas keeps its pixel size (what the model reads, what strokes are stored
  in) and is SHOWN at min(its size, the column's width), square. Fabric turns a pointer's place on
  the shown canvas into canvas pixels (the ratio of the canvas's pixels to its shown size), so the
  picture sent back is exactly what the child sees, only at canvas resolution;
- touch: `touch-action: none` on all of it (a finger draws and never scrolls the page), and a second
  finger on the canvas stops the stroke (two fingers never draw).

An empty drawing (nothing drawn, everything undone or cleared, or an opaque white page) is None.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import streamlit as st
import streamlit_drawable_canvas as sdc
from PIL import Image, ImageDraw

from ui.i18n import t

_BUILD = Path(sdc.__file__).parent / "frontend" / "build"

CSS = """
/* ── aidraw: the page's own buttons are the controls; the canvas fits its column; touch draws ── */
.dc-toolbar { display: none !important; }
.dc-root { width: min(100%, var(--aidraw-size, 280px)) !important; max-width: 100% !important; }
.dc-scroll { overflow: visible !important; }
.dc-container { width: 100% !important; height: auto !important; aspect-ratio: 1 / 1; }
.dc-container > canvas, .dc-container [data-fabric="wrapper"], .dc-container [data-fabric="wrapper"] > canvas {
  position: absolute !important; left: 0 !important; top: 0 !important;
  width: 100% !important; height: 100% !important;
}
.dc-root, .dc-root * { touch-action: none !important; -webkit-user-select: none; user-select: none; }
"""

# On a phone (Streamlit stacks columns below 640 px) the column holding a canvas takes the whole row,
# and so do its neighbours, even where the page's layout keeps a row of buttons three to a row: a canvas
# squeezed into a third of a phone (110 px) is too small to draw on. The selector repeats its parts to
# outweigh that layout rule (ui/layout.py: six class-level parts) without knowing it.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMain"] [data-testid="stHorizontalBlock"]:has(.st-key-BASE-box.st-key-BASE-box.st-key-BASE-box)
  > [data-testid="stColumn"][data-testid="stColumn"] { min-width: 100% !important; }
}
</style>"""

# Wraps the package's mount function: the canvas's size for the CSS above, and the two-finger rule.
# Fabric follows touch events (touchstart/move/end). A first finger on a canvas is held back for
# HOLD ms (its moves kept): if no second finger comes, Fabric gets them all, replayed, and draws; if a
# second finger comes, Fabric never hears of either, nor of any move until every finger is lifted.
WRAPPER = """
const aidrawMount = %s;
const HOLD = 90;
let held = null, multi = false, replaying = false;
const onCanvas = (e) => e.composedPath().some((n) => n.classList && n.classList.contains("dc-root"));
const stop = (e) => { e.stopPropagation(); if (e.cancelable) e.preventDefault(); };
const replay = (target, e) => {
  const again = new TouchEvent(e.type, { bubbles: true, cancelable: true, composed: true, touches: [...e.touches],
    targetTouches: [...e.targetTouches], changedTouches: [...e.changedTouches] });
  replaying = true;
  try { target.dispatchEvent(again); } finally { replaying = false; }
};
const release = () => {
  const h = held; held = null;
  if (!h) return;
  clearTimeout(h.timer);
  replay(h.target, h.start);
  for (const m of h.moves) replay(h.target, m);
};
if (!window.__aidrawTouch) {
  window.__aidrawTouch = true;
  const options = { capture: true, passive: false };
  window.addEventListener("touchstart", (e) => {
    if (replaying) return;
    if (multi) return stop(e);
    if (held || (e.touches.length > 1 && onCanvas(e))) {      // a second finger: nobody draws
      if (held) { clearTimeout(held.timer); held = null; }
      multi = true;
      return stop(e);
    }
    if (!onCanvas(e)) return;
    stop(e);
    held = { target: e.composedPath()[0], start: e, moves: [] };
    held.timer = setTimeout(release, HOLD);
  }, options);
  window.addEventListener("touchmove", (e) => {
    if (replaying) return;
    if (multi) return stop(e);
    if (held) { held.moves.push(e); stop(e); }
  }, options);
  const end = (e) => {
    if (replaying) return;
    if (held) release();                                        // a quick tap: let it through
    if (multi) { stop(e); if (e.touches.length === 0) multi = false; }
  };
  window.addEventListener("touchend", end, options);
  window.addEventListener("touchcancel", end, options);
}
// The package's hidden toolbar names its buttons in English (title, aria-label): out of the
// accessibility tree and out of the Tab order (inert), and without those words, whatever the language.
const quiet = (root) => {
  for (const bar of root.querySelectorAll(".dc-toolbar")) {
    if (!bar.inert) { bar.inert = true; bar.setAttribute("aria-hidden", "true"); }
    for (const el of bar.querySelectorAll("[title], [aria-label]")) { el.removeAttribute("title"); el.removeAttribute("aria-label"); }
  }
};
const watched = new WeakSet();
export default function (args) {
  if (args.data && typeof args.data.initialDrawing === "string") {     // sent as JSON text: see draw()
    args = { ...args, data: { ...args.data, initialDrawing: JSON.parse(args.data.initialDrawing) } };
  }
  const size = args.data && args.data.canvasWidth;
  if (size) args.parentElement.host?.style?.setProperty?.("--aidraw-size", size + "px");
  const root = args.parentElement.querySelector(".canvas-root");
  if (root && size) root.style.setProperty("--aidraw-size", size + "px");
  const out = aidrawMount(args);
  if (!watched.has(args.parentElement)) {
    watched.add(args.parentElement);
    new MutationObserver(() => quiet(args.parentElement)).observe(args.parentElement,
      { subtree: true, childList: true, attributes: true, attributeFilter: ["title", "aria-label"] });
  }
  quiet(args.parentElement);
  return out;
}
"""


@st.cache_resource(show_spinner=False)
def _component():
    """(component, wrapped), registered once per server: the package's own script and styles, plus ours.
    wrapped: our WRAPPER is around the package's mount function (False for a build of the package whose
    script we do not recognise: it gets the starting drawing as a dict, as the package expects)."""
    js_file = next(_BUILD.glob("index-*.js"))
    css = "".join(p.read_text(encoding="utf-8") for p in _BUILD.glob("index-*.css")) + CSS
    js = js_file.read_text(encoding="utf-8")
    found = re.search(r"export\s*\{\s*([\w$]+)\s+as\s+default\s*\};?\s*$", js)
    if found is None:   # a different build of the package: keep it working, without our two-finger rule
        return st.components.v2.component("aidraw.canvas", html='<div class="canvas-root"></div>',
                                          css=css, js=js, isolate_styles=True), False
    js = js[:found.start()] + WRAPPER % found.group(1)
    return st.components.v2.component("aidraw.canvas", html='<div class="canvas-root"></div>', css=css, js=js,
                                      isolate_styles=True), True


def _key(base: str) -> str:
    return f"{base}-{st.session_state.get(f'canvas:{base}-v', 0)}"


def restart(base: str, objects: list | None = None, rerun: bool = True) -> None:
    """A fresh canvas (a new key) that starts with these strokes (none: an empty canvas)."""
    st.session_state[f"canvas:{base}-v"] = st.session_state.get(f"canvas:{base}-v", 0) + 1
    st.session_state[f"canvas:{base}-start"] = {"objects": objects} if objects else None
    if rerun:
        st.rerun()


def draw(base: str, size: int = 280, pen: int = 12, colour: str = "#222222", background: str = "",
         undo: str | None = None, clear: str | None = None) -> np.ndarray | None:
    """A square freehand canvas of `size` x `size` canvas pixels (shown smaller in a narrow column),
    with the page's Undo and Clear buttons under it (labels `undo`, `clear`; keys f"{base}-undo",
    f"{base}-clear"). Returns the drawing's RGBA pixels (size, size, 4) uint8, or None when there is
    no ink on it, however it became empty."""
    start = st.session_state.get(f"canvas:{base}-start")
    drawing = {"objects": []} if start is None else dict(start)
    drawing["background"] = background
    data = {"fillColor": "#eee", "strokeWidth": pen, "strokeColor": colour, "backgroundColor": background,
            "backgroundImageURL": None, "realtimeUpdateStreamlit": True, "canvasWidth": size, "canvasHeight": size,
            "drawingMode": "freedraw", "initialDrawing": drawing, "displayRadius": 3, "returnImageData": True,
            "disabled": False, "backgroundImageFit": "stretch", "maxDisplayHeight": None, "fontSize": 20, "label": ""}
    mount, wrapped = _component()
    if wrapped:
        # A dict among the data's values makes Streamlit check it for a dataframe (components v2's
        # serialize_mixed_data), and that check imports pandas and pyarrow: 79 MB more in every server
        # (measured: RSS after `import pandas`), for a canvas. As JSON text it is a string; WRAPPER parses it.
        data["initialDrawing"] = json.dumps(drawing)
    st.html(PHONE_CSS.replace("BASE", base))
    with st.container(key=f"{base}-box"):
        raw = mount(data=data, key=_key(base), default={"drawing": {"raw": drawing, "data": None}, "backgroundFit": None},
                           on_drawing_change=lambda: None, on_backgroundFit_change=lambda: None,
                           width="stretch", height="content")
    sent = (raw or {}).get("drawing") or {"raw": drawing, "data": None}
    result = sdc.CanvasResult(json_data=sent.get("raw"), image_data_url=sent.get("data"), return_image_data=True,
                              background_fit=None)
    objects = (result.json_data or {}).get("objects") or []
    image = None if result.image_data is None else np.asarray(result.image_data).astype(np.uint8)
    if image is None and objects:   # just after Undo the canvas shows strokes but has not sent its pixels yet
        image = strokes_to_pixels(objects, size, background)
    left, right = st.columns(2)
    if left.button(undo or t("canvas_undo"), key=f"{base}-undo", width="stretch", disabled=not objects):
        restart(base, objects[:-1])
    if right.button(clear or t("canvas_clear"), key=f"{base}-clear", width="stretch", disabled=not objects):
        restart(base, [])
    return None if image is None or blank(image) else image


def blank(rgba: np.ndarray, share: float = 0.001) -> bool:
    """True when under `share` of the canvas has ink: nothing drawn, transparent or an opaque white
    page (ink is what differs from white paper, not what is opaque). rgba: (H, W, 4) uint8."""
    a = np.asarray(rgba, np.float32)
    if a.ndim != 3 or a.shape[2] < 3 or a.size == 0:
        return True
    alpha = a[..., 3:4] / 255.0 if a.shape[2] == 4 else 1.0
    on_white = a[..., :3] * alpha + 255.0 * (1 - alpha)
    ink = (255.0 - on_white).max(axis=2) > 40
    return int(ink.sum()) < max(4, share * ink.size)


def strokes_to_pixels(objects: list, size: int, background: str = "") -> np.ndarray:
    """The canvas's freehand paths (points in canvas pixels) drawn again as RGBA, like the canvas would."""
    image = Image.new("RGBA", (size, size), background or (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    for o in objects:
        points = [(c[-2], c[-1]) for c in o.get("path") or [] if len(c) >= 3]
        width = int(o.get("strokeWidth") or 12)
        colour = o.get("stroke") or "#222222"
        if points:
            pen.line(points, fill=colour, width=width, joint="curve")
            for x, y in (points[0], points[-1]):
                pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=colour)
    return np.asarray(image)


def on_paper(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 4) RGBA on white paper: (H, W, 3) uint8."""
    a = np.asarray(rgba, np.float32)
    alpha = a[..., 3:4] / 255.0
    return (a[..., :3] * alpha + 255.0 * (1 - alpha) + 0.5).clip(0, 255).astype(np.uint8)
