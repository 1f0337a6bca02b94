"""The app as a visitor meets it: cold start (process start to the home page showing in a browser) and
the server's memory with one visitor, on the home page and after opening every chapter."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("AIDRAW_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)


def run(report):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.1)
        report("server answering (health check)", time.perf_counter() - start, "s")
        report("server memory before any visitor", rss_mb(server.pid), "MB")
        if not Path(CHROMIUM).exists():
            report("cold start to home page", "skipped: no Chromium", "")
            return
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{url}/?lang=zh")
            page.get_by_text("电脑能学会画画吗").wait_for(timeout=120_000)
            report("cold start: process start to home page shown", time.perf_counter() - start, "s", "quick")
            settle(page)
            report("server memory, one visitor on the home page", rss_mb(server.pid), "MB")
            from ui import chapters

            for c in chapters.built():
                t0 = time.perf_counter()
                page.goto(f"{url}/{c.id}?lang=zh")
                settle(page)
                report(f"first open of chapter '{c.id}'", time.perf_counter() - t0, "s")
            report("server memory, one visitor after every chapter", rss_mb(server.pid), "MB", "< 690 (smallest Cloud)")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
