"""Browser tests: Debian's Chromium driven by Playwright against a real `streamlit run`.

Without /usr/bin/chromium (a laptop) these tests skip with the reason. With AIDRAW_REQUIRE_BROWSER=1
(.ci/run sets it) a missing browser is a failure instead. A screenshot of every test's last page is
kept in test-results/screens/ (and on failure by pytest-playwright in test-results/).
Never `playwright install`: it downloads a browser, which this project does not do.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = os.environ.get("AIDRAW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session", autouse=True)
def _need_chromium():
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM}: browser tests skipped (install it: apt-get install chromium)"
        if os.environ.get("AIDRAW_REQUIRE_BROWSER") == "1":
            pytest.fail(reason.replace("skipped", "are required here"), pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(log: Path):
    """`streamlit run app.py` on a free port; yields its URL once it answers."""
    port = _free_port()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not start; its log:\n{log.read_text()[-3000:]}", pytrace=False)
        time.sleep(0.3)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url(_need_chromium, tmp_path_factory):
    """One `streamlit run app.py` for the whole browser session."""
    with streamlit_server(tmp_path_factory.mktemp("server") / "streamlit.log") as url:
        yield url


@pytest.fixture
def fresh_app_url(_need_chromium, tmp_path):
    """A server of its own, just started: for what only happens on a cold start."""
    with streamlit_server(tmp_path / "streamlit.log") as url:
        yield url
