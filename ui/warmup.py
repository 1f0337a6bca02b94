"""Warm up in the background: the home page answers at once on a cold start, while torch (several
seconds to import) loads behind it, so the first chapter a child opens is ready sooner."""

from __future__ import annotations

import importlib
import logging
import threading
import time

import streamlit as st

log = logging.getLogger("aidraw.warmup")

MODULES = ("torch", "models.warmup")


def _load() -> None:
    start = time.perf_counter()
    try:
        for name in MODULES:
            importlib.import_module(name)
        from models import warmup

        warmup.warm_up()          # torch's one-time costs, paid here, not when a child presses Start
    except Exception:  # a warm-up must never break the app; the page will say what is wrong
        log.exception("warm-up failed")
    log.info("warm-up done in %.1f s", time.perf_counter() - start)


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread:
    """Once per server process (cached): start importing torch in a daemon thread."""
    thread = threading.Thread(target=_load, name="aidraw-warmup", daemon=True)
    thread.start()
    return thread
