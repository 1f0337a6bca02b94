"""Helpers for AppTest tests: `from helpers import run_app, texts, no_exception`."""

from __future__ import annotations

import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_app(lang: str = "zh", page: str | None = None, query: dict | None = None, timeout: float = 90):
    """An AppTest of the whole app (app.py), in `lang`, switched to `page` (e.g. "pages/gan.py")."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params["lang"] = lang
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def texts(at) -> str:
    """Every piece of text on the page, joined: for asserting that words are there."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [b.label for b in at.button]
    return "\n".join(parts)


def captions(at) -> list[str]:
    """The caption under every picture on the page."""
    return [img.caption for element in at.image for img in element.proto.imgs]


def no_exception(at) -> None:
    """No exception, and no friendly "oops" box either (it means something failed quietly)."""
    assert not at.exception, [e.value for e in at.exception]
    import tomllib

    shown = texts(at)
    for base in ("zh", "en"):
        with open(ROOT / "lessons" / base / "ui.toml", "rb") as f:
            oops = tomllib.load(f)["oops_title"]
        assert oops not in shown, "the friendly error box is showing: see the log for the real error"


def another_thread_gets(lock) -> bool:
    """Can another thread take `lock` within 0.1 s? (A run's lock is re-entrant: its own thread always can.)"""
    got = []

    def take():
        if lock.acquire(timeout=0.1):
            got.append(1)
            lock.release()

    th = threading.Thread(target=take)
    th.start()
    th.join()
    return bool(got)
