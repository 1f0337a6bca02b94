"""Helpers for browser tests: `from web import settle, open_page, shot`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENS = ROOT / "test-results" / "screens"


def settle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)


def open_page(page, url: str, path: str = "", **query) -> None:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    page.goto(f"{url}/{path}{'?' + q if q else ''}")
    settle(page)


def shot(page, name: str, full: bool = True) -> Path:
    """Keep a screenshot to look at (the developer looks at every page's screenshot).

    Streamlit scrolls inside its own main container, so a "full page" screenshot would show only the
    window: for the whole page, the window is made as tall as the content for a moment."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
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
