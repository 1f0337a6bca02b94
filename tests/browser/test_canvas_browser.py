"""The drawing canvas in a real browser, on a tablet held upright (768 x 1024, touch) and in a window
1024 px wide (a laptop at 125-150% zoom): it fits its column, a stroke from each edge draws (and a
touch stroke never scrolls the page), a tap in every corner harms nothing (no hidden toolbar button
under it), and two fingers never draw."""

import pytest
from playwright.sync_api import expect
from web import settle, shot

VIEWS = {
    "tablet": dict(viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True),
    "laptop": dict(viewport={"width": 1024, "height": 768}),
}

# Ink in the canvas's own pixels: in a band 16 canvas pixels deep along each edge, and in all.
INK = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const n = {left: 0, top: 0, right: 0, bottom: 0, all: 0};
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
    if (d[4 * (y * c.width + x) + 3] < 100) continue;
    n.all++; if (x < 16) n.left++; if (y < 16) n.top++; if (x >= c.width - 16) n.right++; if (y >= c.height - 16) n.bottom++; }
  return n; }"""
SCROLLED = """() => (document.scrollingElement || document.body).scrollTop +
  (document.querySelector('[data-testid="stMain"]') || {scrollTop: 0}).scrollTop"""


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


@pytest.mark.parametrize("view", VIEWS)
def test_canvas_fits_its_column_draws_from_every_edge_and_ignores_corner_taps(browser, app_url, view):
    context = browser.new_context(locale="en-US", **VIEWS[view])
    page = context.new_page()
    finger = VIEWS[view].get("has_touch", False)
    try:
        open_page(page, app_url, "seeing")
        page.get_by_text("Draw something first!").wait_for(timeout=120_000)
        canvas = page.locator(".st-key-seeing-draw canvas.upper-canvas")
        drawn = page.locator(".st-key-seeing-draw canvas.dc-canvas.lower-canvas")
        canvas.scroll_into_view_if_needed()
        box, column = canvas.bounding_box(), page.locator(".st-key-seeing-draw").bounding_box()
        # 1. It fits its column, square (in the canvas's own pixels it is still 280 x 280).
        assert column["x"] - 0.5 <= box["x"] and box["x"] + box["width"] <= column["x"] + column["width"] + 0.5, (box, column)
        assert abs(box["width"] - box["height"]) < 1 and canvas.evaluate("c => [c.width, c.height]") == [280, 280]

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
        assert min(ink["left"], ink["top"], ink["right"], ink["bottom"]) > 20, ink
        assert page.evaluate(SCROLLED) == scrolled
        assert page.locator(".st-key-seeing-canvas-undo button").is_enabled()

        # 3. A tap in every corner: nothing is erased (at most a dot is added).
        for cx, cy in ((x0 + 3, y0 + 3), (x0 + w - 3, y0 + 3), (x0 + 3, y0 + h - 3), (x0 + w - 3, y0 + h - 3)):
            page.touchscreen.tap(cx, cy) if finger else page.mouse.click(cx, cy)
            page.wait_for_timeout(150)
        settle(page)
        after = drawn.evaluate(INK)
        assert after["all"] >= ink["all"] and min(after["left"], after["top"], after["right"], after["bottom"]) > 20, (ink, after)
        shot(page, f"canvas-{view}", full=False)

        # 4. Two fingers never draw (tablet): Clear, then a two-finger drag across the canvas.
        if finger:
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


def test_diffusion_canvas_fits_its_column_at_1024(browser, app_url):
    context = browser.new_context(locale="en-US", **VIEWS["laptop"])
    page = context.new_page()
    try:
        open_page(page, app_url, "diffusion")
        canvas = page.locator(".st-key-diffusion-draw canvas.upper-canvas")
        canvas.scroll_into_view_if_needed()
        box, column = canvas.bounding_box(), page.locator(".st-key-diffusion-draw").bounding_box()
        assert column["x"] - 0.5 <= box["x"] and box["x"] + box["width"] <= column["x"] + column["width"] + 0.5, (box, column)
        assert page.locator(".st-key-diffusion-draw .dc-toolbar").evaluate("e => getComputedStyle(e).display") == "none"
    finally:
        context.close()
