"""Benchmark: the shipped recogniser on world doodles, on held-out doodles drawn by a routine written
apart from the one it learned from (bench/doodles.py: per kind), its speed, and learning a new kind
from five drawings.

    python -m bench            (every section)
    python -m bench recognizer   (this section only)
"""

from __future__ import annotations

import time

import numpy as np
import torch

from bench import doodles as held
from models import recognizer as R
from models.doodles import NEW_KINDS, draw, make_doodles
from models import scenes


def doodle_accuracy(model, images, names) -> float:
    x = torch.from_numpy(np.stack([R.prepare(im, model.config) for im in images])).unsqueeze(1)
    y = torch.tensor([model.kinds.index(n) for n in names])
    return R.accuracy(model, x, y)


def run(report) -> None:
    torch.set_num_threads(1)   # a fair share of a 2-core server with other visitors
    start = time.perf_counter()
    model = R.load()
    report("shipped model loads in", round(1000 * (time.perf_counter() - start), 1), "ms", "< 1000")
    report("parameters", sum(p.numel() for p in model.parameters()), "", "small")
    report("shipped weights file", round(R.WEIGHTS.stat().st_size / 1024), "KB", "a few MB at most")

    # 1. Held-out world line drawings (seeds training never used).
    right, _ = R.held_out(model, seed=123, n=2000)
    report("held-out world line drawings right", round(100 * right, 1), "%", ">= 95")

    # 2. Held-out doodles: a second drawing routine, written apart (other shapes, brush, page), at canvas
    #    size, through the canvas's own `prepare`. Per kind, and all together.
    images, names = held.make_doodles(60, seed=2024)
    per_kind = {k: doodle_accuracy(model, [im for im, n in zip(images, names) if n == k], [k] * names.count(k))
                for k in held.KINDS}
    report("held-out doodles (another drawing routine) right", round(100 * float(np.mean(list(per_kind.values()))), 1),
           "%", ">= 90")
    worst = min(per_kind, key=per_kind.get)
    report(f"held-out doodles, worst kind ({worst})", round(100 * per_kind[worst], 1), "%", ">= 80")
    for kind, right in per_kind.items():
        report(f"held-out doodles: {kind}", round(100 * right, 1), "%", ">= 80")
    images, names = make_doodles(30, seed=2024)   # the training routine, at a seed it never used
    report("stroke doodles like the training ones (fresh seed) right", round(100 * doodle_accuracy(model, images, names), 1),
           "%", ">= 90")

    # 3. Time for one guess, server side: prepare a 280x280 RGBA canvas + predict + saliency.
    times = []
    for im in images[::5]:
        start = time.perf_counter()
        R.predict(model, np.asarray(im))
        times.append(time.perf_counter() - start)
    report("one guess: prepare + predict + saliency, median", round(1000 * float(np.median(times)), 1), "ms", "<= 100")
    report("one guess: prepare + predict + saliency, 95th pct", round(1000 * float(np.percentile(times, 95)), 1), "ms", "<= 100")

    # 4. A new kind from 5 drawings: time, a sixth drawing recognised, old kinds not forgotten.
    world_x, world_y = R.training_pictures(1000, 4242, model.config)
    old_images, old_names = make_doodles(20, seed=99)
    before_world, before_doodles = R.accuracy(model, world_x, world_y), doodle_accuracy(model, old_images, old_names)
    rng = np.random.default_rng(7)
    seconds, hits, tries, drops = [], 0, 0, []
    for kind in NEW_KINDS:
        for trial in range(3):
            drawings = [draw(kind, rng) for _ in range(5)]
            start = time.perf_counter()
            taught = R.learn_new_kind(model, kind, drawings, seed=trial)
            seconds.append(time.perf_counter() - start)
            for sixth in (draw(kind, rng) for _ in range(10)):
                hits += R.predict(taught, sixth).best[0] == kind
                tries += 1
            drops.append(max(before_world - R.accuracy(taught, world_x, world_y),
                             before_doodles - doodle_accuracy(taught, old_images, old_names)))
    report("new kind from 5 drawings: learning time, slowest", round(max(seconds), 2), "s", "<= 10")
    report("new kind: a further drawing recognised",
           round(100 * hits / tries, 1), "%", ">= 80")
    report("new kind: old kinds' accuracy lost, worst case", round(100 * max(drops), 1),
           "points", "<= 5")

    # 5. Where it helps: things found and named in scenes of several things.
    for style in ("line", "fill"):
        found = total = 0
        for seed in range(30):
            scene, truth = scenes.make_scene(seed, style)
            guesses = scenes.find_things(model, scene)
            total += len(truth)
            for (x0, y0, x1, y1), kind in truth:
                cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                found += any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] and k == kind for b, k, _ in guesses)
        report(f"scenes ({style} style): things found and named", round(100 * found / total, 1), "%",
               "none (shown on the page)")


if __name__ == "__main__":
    run(lambda name, value, unit, target: print(f"{name:58s} {value:>8} {unit:6s} target {target}"))
