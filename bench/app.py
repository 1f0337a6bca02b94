"""The app as a visitor meets it: cold start (process start to the home page showing in a browser) and
the server's memory with one visitor, on the home page and after opening every chapter."""

from __future__ import annotations

import time
from pathlib import Path

from bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)


def run(report):
    start = time.perf_counter()
    with streamlit_server(deadline=120) as server:
        url, pid = server.url, server.process.pid
        report("server answering (health check)", server.started, "s")
        report("server memory before any visitor", rss_mb(pid), "MB")
        if not Path(CHROMIUM).exists():
            report("cold start to home page", "skipped: no Chromium", "")
            return
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{url}/?lang=zh")
            page.get_by_text("电脑能学会画画吗").wait_for(timeout=120_000)
            report("cold start: process start to home page shown", time.perf_counter() - start, "s", "quick")
            settle(page)
            report("server memory, one visitor on the home page", rss_mb(pid), "MB")
            from ui import chapters

            for c in chapters.built():
                t0 = time.perf_counter()
                page.goto(f"{url}/{c.id}?lang=zh")
                settle(page)
                report(f"first open of chapter '{c.id}'", time.perf_counter() - t0, "s")
            report("server memory, one visitor after every chapter", rss_mb(pid), "MB", "< 690 (smallest Cloud)")
            browser.close()
