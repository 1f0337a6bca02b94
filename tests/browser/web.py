"""Helpers for browser tests: `from web import settle, open_page, shot`."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENS = ROOT / "test-results" / "screens"


# Buttons whose label breaks inside a word ("Star / t"): the label's longest word, set on one line in the
# label's font, is wider than the label's box, as "word: needed>room". (Chinese may break between any two
# characters, so words with Chinese characters are left out.)
WORD_BROKEN = """() => {
  const out = [];
  for (const p of document.querySelectorAll('[data-testid="stMain"] button [data-testid="stMarkdownContainer"] p')) {
    const r = p.getBoundingClientRect();
    if (r.width < 1) continue;
    const longest = p.innerText.split(/\\s+/).filter((w) => !/[\\u3400-\\u9fff]/.test(w)).sort((a, b) => b.length - a.length)[0];
    if (!longest) continue;
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font:' + getComputedStyle(p).font;
    probe.textContent = longest;
    document.body.appendChild(probe);
    const need = probe.getBoundingClientRect().width;
    probe.remove();
    if (need > r.width + 1) out.push(longest + ': ' + Math.round(need) + '>' + Math.round(r.width));
  }
  return out;
}"""


def settle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)


def settle_rerun(page, timeout: float = 60_000) -> None:
    """After an input that makes Streamlit run the script again (Enter in a text box): until the rerun
    starts, the old page is still there and the app still says "not running", so `settle` alone could
    return at once. Wait for the run to start (a very quick run may be missed: then go on), then end."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=3_000)
    except PlaywrightTimeout:
        pass
    settle(page, timeout)


def open_page(page, url: str, path: str = "", **query) -> None:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    page.goto(f"{url}/{path}{'?' + q if q else ''}")
    settle(page)


def shot(page, name: str, full: bool = True) -> Path:
    """Keep a screenshot to look at (the developer looks at every page's screenshot).

    Streamlit scrolls inside its own main container, so a "full page" screenshot would show only the
    window: for the whole page, the window is made as tall as the content for a moment.

    AIDRAW_SHOTS=0 (.ci/run sets it: nobody looks at a CI machine's pictures) takes none: a full-page
    shot cost the browser 0.5-1.5 CPU-s and ~1 s of the test (2 cores, 2026-12-03), ~40 of them a run.
    A failing test's picture is kept all the same (pytest-playwright, --screenshot only-on-failure)."""
    path = SCREENS / f"{name}.png"
    if os.environ.get("AIDRAW_SHOTS") == "0":
        return path
    SCREENS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    if full and size:
        height = page.evaluate("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return main ? main.scrollHeight : document.body.scrollHeight; }""")
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 12000))})
        page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    if full and size:
        page.set_viewport_size(size)
    return path


def stroke(page, box, points) -> None:
    """One finger stroke on a canvas, through points given in canvas fractions (0..1)."""
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0] * box["width"], y0 + points[0][1] * box["height"])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x0 + x * box["width"], y0 + y * box["height"], steps=8)
    page.mouse.up()


def steps_in(text: str) -> int:
    """The step count in a status line such as "Learning… step 42"."""
    return int("".join(ch for ch in text if ch.isdigit()) or 0)


def train_then_pause(page, key: str, more_than: int):
    """Press Start on the live-training controls `key`, let it tick past `more_than` steps (or about a
    minute), press Pause, and return the "Paused at step" line."""
    page.locator(f".st-key-{key}-start button").click()
    running = page.get_by_text("Learning… step", exact=False).first
    for _ in range(120):
        if running.is_visible() and steps_in(running.inner_text()) > more_than:
            break
        page.wait_for_timeout(500)
    page.locator(f".st-key-{key}-pause button").click()
    settle(page)
    paused = page.get_by_text("Paused at step", exact=False).first
    paused.wait_for()
    return paused
