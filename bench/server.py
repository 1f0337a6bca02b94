"""Start the app as a visitor meets it: `streamlit run app.py` on a free local port, waiting (with a
deadline) until its health check answers. Used by the benchmark (bench/app.py) and the browser tests
(tests/browser/conftest.py), so both start the server the same way and neither can wait forever.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("AIDRAW_CHROMIUM", "/usr/bin/chromium")
# The environment the README's command runs the app in. glibc gives every thread that allocates its own
# malloc arena, up to 8 per core, each keeping its freed memory apart; Streamlit runs every script run in
# a new thread. Measured here (bench live_browser, 10 visitors in Chromium, each opened every chapter and
# trained on one): glibc's default 968 MB (peak 984), 4 arenas 924 (933), 2 arenas 898 (898); with 2 the
# two training workers shared one arena's lock (words, 2 visitors: 0.55 and 0.60 of 2 command lines
# against 0.71 and 0.79), with 4 no loss beyond this host's noise (bench live, words and GAN, 2 runs each).
# It has to be in the environment: by the app's first script run Streamlit has ~9 arenas, and glibc fixes
# its limit once there are more than 8 (mallopt from the page came too late: 18 heaps, as without it).
SERVER_ENV = {"MALLOC_ARENA_MAX": "4"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def server_arenas() -> int:
    """The malloc arena cap the server starts with: MALLOC_ARENA_MAX from this environment, else SERVER_ENV's."""
    return int(os.environ.get("MALLOC_ARENA_MAX") or SERVER_ENV["MALLOC_ARENA_MAX"])


@dataclass
class Server:
    url: str                          # http://127.0.0.1:PORT
    process: subprocess.Popen         # the streamlit process (its pid for memory figures)
    started: float                    # seconds from process start until the health check answered


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(log: Path | None = None, deadline: float = 60.0, script: str | Path = "app.py"):
    """Yield a Server once `streamlit run SCRIPT` (default: the app) answers its health check; stop it afterwards.

    log: a file for the server's output (None: thrown away). Raises RuntimeError (with the log's end)
    if the server exits or does not answer within `deadline` seconds."""
    port = free_port()
    env = {**SERVER_ENV, **os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    start = time.perf_counter()
    with open(log, "w") if log else contextlib.nullcontext(subprocess.DEVNULL) as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.perf_counter() - start > deadline:
                tail = Path(log).read_text()[-3000:] if log else "(no log kept)"
                raise RuntimeError(f"streamlit did not answer within {deadline:.0f} s; its log:\n{tail}")
            time.sleep(0.2)
        yield Server(url, proc, time.perf_counter() - start)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
