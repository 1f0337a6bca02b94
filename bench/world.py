"""The picture world: pictures a second on one core, in each style."""

import time

from models import world


def run(report):
    world.make_pictures(200, seed=0)                   # warm up numpy
    for style in ("fill", "line"):
        n, start = 20_000, time.perf_counter()
        world.make_pictures(n, seed=1, style=style)
        report(f"pictures a second, {style} style, one core", n / (time.perf_counter() - start), "pictures/s", ">= 5000")
