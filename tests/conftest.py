"""Shared test helpers: run the app in AppTest in a given language, on a given page."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:          # so `import models` works however pytest is started
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

LANGS = ("zh", "en", "both")   # every page is tested in each


# Streamlit's caches are NOT cleared between tests: AppTest instances in one process share them, as a
# real server's visitors do (st.cache_resource holds only frozen things, shipped weights; st.cache_data
# pure results), so a test also checks that sharing them is harmless. Clearing them before every test
# cost a third of the AppTests' CPU (diffusion + matching pages: 118 CPU-s cleared, 80 kept; measured
# 2026-12-01 under load, with /usr/bin/time).


@pytest.fixture(autouse=True, scope="session")
def _apptest_runs_like_a_warm_server():
    """AppTest forgets, before every run, that app.py uses st.navigation; with a `pages/` folder
    Streamlit then runs a page after a click on its own, without app.py around it. A real server
    remembers after its first run (and ui.layout.require_frame covers a cold deep link), so make
    AppTest remember too."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class WarmPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    original = app_test.PagesManager
    app_test.PagesManager = WarmPagesManager
    yield
    app_test.PagesManager = original


@pytest.fixture(autouse=True, scope="session")
def _training_inside_the_tick():
    """A real server trains on worker threads (ui/worker.py); in AppTest a Start gives the trainer one
    turn inside the page's tick instead, so a test sees exactly what one run did."""
    from ui import worker

    old = worker.use_pool(worker.Pool(0, inline=True))
    yield
    worker.use_pool(old)
