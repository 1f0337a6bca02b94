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


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """AppTest instances in one process share Streamlit's caches: start every test clean."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
