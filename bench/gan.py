"""The GAN duel's promises, measured: the shipped generator on target (per kind, worst kind, kinds seen
unprompted), live duels from scratch on faces with torch on one thread (30/60/120 s, two seeds), the time of a
tick, and the memory a visitor's duel adds to the server.

Run alone: python -m bench.gan   (about 6-7 minutes on a quiet 2-core machine)
"""

from __future__ import annotations

import gc
import time

import numpy as np
import torch

from bench.judge import load_judge
from bench.memory import peak_bytes, reset_peak, rss_bytes
from models import world
from models.commands.gan import on_target_report
from models.gan import GANConfig, load_shipped
from models.gan_train import GANTrainer, make_data

LIVE_MARKS = (30, 60, 120)          # seconds of training, scoring time not counted
LIVE_SEEDS = (0, 1)                 # two duels: one duel's figure moves by several points from seed to seed
TICK_TRAIN = 0.15                   # seconds of training in one tick at normal speed (ui/training.py)


def live_from_scratch(judge, kind="face", seed=0, marks=LIVE_MARKS, n=300):
    """On-target fraction after each mark of wall-clock training, one thread."""
    trainer = GANTrainer(kind=kind, seed=seed)
    k = world.KINDS.index(kind)
    spent, out = 0.0, {}
    for mark in marks:
        start = time.perf_counter()
        while spent + time.perf_counter() - start < mark:
            trainer.step()
        spent += time.perf_counter() - start
        out[mark] = (float(judge.on_target(trainer.sample(n, seed=1), [k] * n).mean()), trainer.steps)
    return out


def tick_seconds(repeats=20) -> tuple[float, float, float]:
    """A page's tick at normal speed: TICK_TRAIN seconds of rounds, then what the page draws (the fixed
    pictures, a line-up with verdicts, the variety score). Returns median drawing seconds, median whole
    tick seconds, and rounds a second."""
    trainer = GANTrainer(kind="face", seed=0)
    draws, ticks, rounds = [], [], 0
    for i in range(repeats):
        start = time.perf_counter()
        while time.perf_counter() - start < TICK_TRAIN:
            trainer.step()
            rounds += 1
        mid = time.perf_counter()
        fixed = trainer.draw_fixed()
        world.grid(fixed, cols=4, scale=3)
        trainer.lineup(8, seed=i)
        trainer.mode_collapse_score(fixed)
        end = time.perf_counter()
        draws.append(end - mid)
        ticks.append(end - start)
    return float(np.median(draws)), float(np.median(ticks)), rounds / (TICK_TRAIN * repeats)


def memory(visitors=30):
    """Peak RSS growth for one visitor's duel, and RSS growth for `visitors` duels training side by side. As on the page,
    real pictures are made once per kind and shared (read only); each visitor owns networks and Adam.
    The 30-duel growth counts from before torch's first convolution, so it includes torch's own start."""
    gc.collect()
    start = rss_bytes()
    shared = {}

    def duel(kind, seed):
        if kind not in shared:
            shared[kind] = make_data(kind, n=2000)
        return GANTrainer(GANConfig.live(), kind=kind, seed=seed, pictures=shared[kind])

    warm = duel("cat", 99)                 # torch's first convolutions allocate for good: pay that first
    for _ in range(5):
        warm.step()
    gc.collect()
    before = rss_bytes()
    reset_peak()
    one = duel("face", 0)
    for _ in range(20):
        one.step()
        one.draw_fixed()
    one_growth = peak_bytes() - before
    many = [warm] + [duel(world.KINDS[i % 10], i) for i in range(visitors - 2)]
    for _ in range(3):
        for t in many:
            t.step()
            t.draw_fixed()
    return one_growth, rss_bytes() - start, rss_bytes(), one.memory_bytes()


def run(report) -> None:
    torch.set_num_threads(1)
    judge = load_judge()

    r = on_target_report(load_shipped(), judge)
    report("gan shipped: on target, all kinds", r["mean"], "fraction", ">= 0.90")
    report("gan shipped: worst kind", r["min"], "fraction", ">= 0.70")
    for kind, value in r["per_kind"].items():
        report(f"gan shipped: on target, {kind}", value, "fraction", ">= 0.70")
    report("gan shipped: kinds seen unprompted", r["unprompted_kinds"], "kinds", ">= 8")

    runs = {seed: live_from_scratch(judge, seed=seed) for seed in LIVE_SEEDS}
    for seed, marks in runs.items():
        for mark, (value, steps) in marks.items():
            target = "faces visible (> 0.3)" if mark == 30 else ""
            report(f"gan live face, 1 thread, seed {seed}: on target at {mark}s ({steps} rounds)", value,
                   "fraction", target)
    for mark in LIVE_MARKS:
        value = float(np.mean([marks[mark][0] for marks in runs.values()]))
        report(f"gan live face, 1 thread: on target at {mark}s, mean of seeds", value, "fraction",
               ">= 0.90" if mark == 120 else ("faces visible (> 0.3)" if mark == 30 else ""))

    drawing, tick, rounds_per_second = tick_seconds()
    report("gan tick: drawing what the page shows, 1 thread", drawing, "s", "")
    report(f"gan tick: {TICK_TRAIN}s of rounds + drawing, 1 thread", tick, "s", "< 0.5")
    report("gan rounds a second, 1 thread", rounds_per_second, "rounds/s", "")

    one, many, total, own = memory()
    report("gan memory held by one duel (weights, Adam, film strip)", own / 1e6, "MB", "a few")
    report("gan peak RSS growth, one duel (pictures for its kind included)", one / 1e6, "MB", "< 100")
    report("gan RSS growth, 30 duels side by side", many / 1e6, "MB", "")
    report("gan process RSS with 30 duels (torch, judge, everything)", total / 1e6, "MB", "< 1500")


if __name__ == "__main__":
    run(lambda name, value, unit, target: print(f"{name:60s} {value:10.4f} {unit:9s} target {target}"))
