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


def shot(page, name: str) -> Path:
    """Keep a screenshot to look at (the developer looks at every page's screenshot)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
