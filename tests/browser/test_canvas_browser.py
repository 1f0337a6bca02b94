"""The drawing canvases in a real browser (the seeing page's "draw and guess" and "teach a new kind",
the diffusion page's doodle), on a tablet held upright (768 x 1024, touch) and in a window 1024 px
wide (a laptop at 125-150% zoom): each fits its column, a stroke from each edge draws (and a touch
stroke never scrolls the page), a tap in every corner harms nothing (no hidden toolbar button under
it), and two fingers never draw. At every width from a 360 px phone to a 1920 px classroom screen each
canvas fits its column, square, and a stroke lands in the canvas's own pixels (what the model reads)
exactly where the child drew it on the screen. The hidden toolbar has no English names."""

import re

import pytest
from playwright.sync_api import expect
from web import settle, shot

VIEWS = {
    "tablet": dict(viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True),
    "laptop": dict(viewport={"width": 1024, "height": 768}),
}
# Each page's canvases: (the column's key, the canvas's base key in ui/canvas.py, its size in canvas pixels).
CANVASES = {
    "seeing": [("seeing-draw", "seeing-canvas", 280), ("seeing-teach", "seeing-teach", 240)],
    "diffusion": [("diffusion-draw", "diffusion-canvas", 256)],
}
WIDTHS = (360, 390, 768, 1024, 1366, 1920)

# Ink in the canvas's own pixels (not paper: neither transparent nor white): in a band 16 canvas pixels
# deep along each edge, and in all.
INK = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const n = {left: 0, top: 0, right: 0, bottom: 0, all: 0};
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
    const i = 4 * (y * c.width + x);
    if (d[i + 3] < 100 || d[i] + d[i + 1] + d[i + 2] > 600) continue;
    n.all++; if (x < 16) n.left++; if (y < 16) n.top++; if (x >= c.width - 16) n.right++; if (y >= c.height - 16) n.bottom++; }
  return n; }"""
# The ink's box in canvas pixels within rows y0..y1: [left, right, top, bottom], or null.
INK_BOX = """(c, [y0, y1]) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let box = null;
  for (let y = Math.max(0, y0); y < Math.min(c.height, y1); y++) for (let x = 0; x < c.width; x++) {
    const i = 4 * (y * c.width + x);
    if (d[i + 3] < 100 || d[i] + d[i + 1] + d[i + 2] > 600) continue;
    box = box ? [Math.min(box[0], x), Math.max(box[1], x), Math.min(box[2], y), Math.max(box[3], y)] : [x, x, y, y]; }
  return box; }"""
SCROLLED = """() => (document.scrollingElement || document.body).scrollTop +
  (document.querySelector('[data-testid="stMain"]') || {scrollTop: 0}).scrollTop"""
# Every title and aria-label inside the canvases' components (their shadow roots included).
NAMES = """() => { const out = [];
  const walk = (root) => { for (const el of root.querySelectorAll('*')) {
    for (const a of ['title', 'aria-label']) { const v = el.getAttribute(a); if (v) out.push(a + '=' + v); }
    if (el.shadowRoot) walk(el.shadowRoot); } };
  for (const box of document.querySelectorAll('[class*="-box"][class*="st-key-"]')) walk(box);
  return out; }"""


def open_page(page, url, path):
    page.goto(f"{url}/{path}?lang=en")
    settle(page, timeout=180_000)   # the first page of a fresh server on a busy machine can be slow


def touch(page, fingers_path):
    """Fingers on the screen (Chrome's own touch events): fingers_path = [[(x, y) per finger], ...]."""
    cdp = page.context.new_cdp_session(page)
    points = lambda at: [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(at)]   # noqa: E731
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(fingers_path[0])})
    for at in fingers_path[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(at)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def stroke(page, start, end, finger: bool, steps=12):
    path = [(start[0] + (end[0] - start[0]) * k / steps, start[1] + (end[1] - start[1]) * k / steps) for k in range(steps + 1)]
    if finger:
        touch(page, [[p] for p in path])
    else:
        page.mouse.move(*path[0])
        page.mouse.down()
        for p in path[1:]:
            page.mouse.move(*p)
        page.mouse.up()


def canvas_of(page, column):
    """The canvas in a column: (where strokes go, where they are drawn: the pixels the page reads)."""
    return (page.locator(f".st-key-{column} canvas.upper-canvas"), page.locator(f".st-key-{column} canvas.dc-canvas.lower-canvas"))


def assert_fits(page, column, size, where):
    top, _ = canvas_of(page, column)
    top.scroll_into_view_if_needed()
    box, col = top.bounding_box(), page.locator(f".st-key-{column}").bounding_box()
    width = page.viewport_size["width"]
    assert col["x"] - 0.5 <= box["x"] and box["x"] + box["width"] <= col["x"] + col["width"] + 0.5, (where, box, col)
    assert 0 <= box["x"] and box["x"] + box["width"] <= width, (where, box, width)
    assert abs(box["width"] - box["height"]) < 1, (where, box)                    # square
    assert abs(box["width"] - min(size, col["width"])) < 1.5, (where, box, col)   # as big as it can be
    if width <= 640:                                                               # a phone: the whole row
        assert box["width"] >= min(size, 0.75 * width), (where, box, width)
    assert top.evaluate("c => [c.width, c.height]") == [size, size], where        # its own pixels stay
    return box


@pytest.mark.parametrize("path", list(CANVASES))
@pytest.mark.parametrize("view", VIEWS)
def test_canvas_fits_its_column_draws_from_every_edge_and_ignores_corner_taps(browser, app_url, view, path):
    context = browser.new_context(locale="en-US", **VIEWS[view])
    page = context.new_page()
    finger = VIEWS[view].get("has_touch", False)
    try:
        open_page(page, app_url, path)
        for column, base, size in CANVASES[path]:
            canvas_of(page, column)[0].wait_for(timeout=120_000)
            # 1. It fits its column, square (in the canvas's own pixels it keeps its size).
            box = assert_fits(page, column, size, f"{column} at {view}")
            _, drawn = canvas_of(page, column)
            toolbar = page.locator(f".st-key-{column} .dc-toolbar")                 # the package's own: not shown
            assert toolbar.evaluate("e => getComputedStyle(e).display") == "none", column

            # 2. A stroke from each edge (starting 2 px inside it) draws, right from the edge; a finger never scrolls.
            x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
            scrolled = page.evaluate(SCROLLED)
            for start, end in (((x0 + 2, y0 + 0.3 * h), (x0 + 0.45 * w, y0 + 0.35 * h)),     # from the left
                               ((x0 + 0.6 * w, y0 + 2), (x0 + 0.65 * w, y0 + 0.45 * h)),     # from the top
                               ((x0 + w - 2, y0 + 0.7 * h), (x0 + 0.55 * w, y0 + 0.65 * h)),  # from the right
                               ((x0 + 0.35 * w, y0 + h - 2), (x0 + 0.3 * w, y0 + 0.55 * h))):  # from the bottom
                stroke(page, start, end, finger)
                page.wait_for_timeout(150)
            settle(page)
            ink = drawn.evaluate(INK)
            assert min(ink["left"], ink["top"], ink["right"], ink["bottom"]) > 20, (column, ink)
            assert page.evaluate(SCROLLED) == scrolled, column
            assert page.locator(f".st-key-{base}-undo button").is_enabled(), column

            # 3. A tap in every corner: nothing is erased (at most a dot is added).
            for cx, cy in ((x0 + 3, y0 + 3), (x0 + w - 3, y0 + 3), (x0 + 3, y0 + h - 3), (x0 + w - 3, y0 + h - 3)):
                page.touchscreen.tap(cx, cy) if finger else page.mouse.click(cx, cy)
                page.wait_for_timeout(150)
            settle(page)
            after = drawn.evaluate(INK)
            assert after["all"] >= ink["all"] and min(after["left"], after["top"], after["right"], after["bottom"]) > 20, \
                (column, ink, after)
            shot(page, f"canvas-{view}-{column}", full=False)

        # 4. Two fingers never draw (tablet): Clear, then a two-finger drag across the canvas.
        if finger and path == "seeing":
            page.locator(".st-key-seeing-canvas-clear button").click()
            settle(page)
            page.get_by_text("Draw something first!").wait_for()
            expect(page.locator(".st-key-seeing-draw canvas.upper-canvas")).to_have_count(1)   # the new, empty canvas
            drawn = page.locator(".st-key-seeing-draw canvas.dc-canvas.lower-canvas")
            box = page.locator(".st-key-seeing-draw canvas.upper-canvas").bounding_box()
            x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
            touch(page, [[(x0 + 0.3 * w + 0.04 * k * w, y0 + 0.3 * h), (x0 + 0.3 * w + 0.04 * k * w, y0 + 0.6 * h)] for k in range(11)])
            page.wait_for_timeout(500)
            settle(page)
            assert drawn.evaluate(INK)["all"] == 0
            assert page.get_by_text("Draw something first!").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("path", list(CANVASES))
def test_every_canvas_fits_at_every_width_and_keeps_the_strokes_where_they_were_drawn(browser, app_url, path):
    """360 px (a small phone) to 1920 px (a classroom screen): one window, made narrower and wider."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/{path}?lang=zh")
        settle(page, timeout=180_000)
        for n, width in enumerate(WIDTHS):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(400)                                    # the columns reflow
            for column, base, size in CANVASES[path]:
                canvas_of(page, column)[0].wait_for(timeout=120_000)
                box = assert_fits(page, column, size, f"{column} at {width} px")
                # A straight stroke across the shown canvas, from 20% to 80% of its width, at its own height
                # for each width: in the canvas's pixels it runs from 20% to 80% too, at that height.
                y = 0.1 + 0.155 * n
                stroke(page, (box["x"] + 0.2 * box["width"], box["y"] + y * box["height"]),
                       (box["x"] + 0.8 * box["width"], box["y"] + y * box["height"]), finger=False)
                settle(page)
                _, drawn = canvas_of(page, column)
                band = round(0.05 * size)
                found = drawn.evaluate(INK_BOX, [round(y * size) - band, round(y * size) + band])
                assert found is not None, f"{column} at {width} px: the stroke is not in the canvas's pixels"
                left, right, top, bottom = found
                pen = bottom - top                                        # the pen's width, in canvas pixels
                assert abs(left - 0.2 * size) <= pen and abs(right - 0.8 * size) <= pen, (column, width, found)
                assert abs((top + bottom) / 2 - y * size) <= 3, (column, width, found)
        shot(page, f"canvas-widths-{path}", full=False)
        # The hidden toolbar's buttons carry no English names (nor any): nothing to see, hover or hear.
        names = page.evaluate(NAMES)
        assert not [n for n in names if re.search("[A-Za-z]{3,}", n)], names
    finally:
        context.close()
