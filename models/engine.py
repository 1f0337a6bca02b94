"""The training loop every chapter shares, and nothing else: no model maths, no Streamlit.

A chapter's trainer owns its networks, optimiser and data, and knows how to take one step. This file
runs steps against a clock and a cap, and reports through a callback, so the same trainer serves the
command line (prints), a page (redraws a placeholder a few times a second) and a test (asserts).

    trainer.step() ──► metrics dict ──► callback(Progress) every `every` seconds
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

import torch


class Trainer(Protocol):
    """What the loop needs from a chapter's trainer."""

    steps: int                       # steps taken so far

    def step(self) -> dict:          # one optimiser step (or one round of a duel); returns metrics
        ...


@dataclass
class Progress:
    steps: int                       # total steps the trainer has taken
    seconds: float                   # seconds spent in this call of `train`
    metrics: dict = field(default_factory=dict)   # the last step's metrics
    done: bool = False


def train(trainer: Trainer, seconds: float | None = None, max_steps: int | None = None,
          callback: Callable[[Progress], object] | None = None, every: float = 1.0) -> Progress:
    """Step `trainer` until `seconds` pass or it has taken `max_steps` steps in total.

    The callback is called about every `every` seconds and once at the end. If it returns False,
    training stops early (a page uses this for Pause).
    """
    if seconds is None and max_steps is None:
        raise ValueError("give seconds, max_steps or both: training must stop")
    start = last = time.perf_counter()
    metrics: dict = {}
    while True:
        if max_steps is not None and trainer.steps >= max_steps:
            break
        now = time.perf_counter()
        if seconds is not None and now - start >= seconds:
            break
        metrics = trainer.step()
        now = time.perf_counter()
        if callback is not None and now - last >= every:
            last = now
            if callback(Progress(trainer.steps, now - start, metrics)) is False:
                break
    progress = Progress(trainer.steps, time.perf_counter() - start, metrics, done=True)
    if callback is not None:
        callback(progress)
    return progress


def print_progress(progress: Progress) -> None:
    """A callback for the command line: one line per report."""
    shown = "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in progress.metrics.items())
    print(f"step {progress.steps:6d}  {progress.seconds:6.1f}s  {shown}", flush=True)


def parameter_bytes(*modules: torch.nn.Module) -> int:
    """Memory held by the parameters of some modules (gradients and Adam's state add about 3x more)."""
    return sum(p.numel() * p.element_size() for m in modules for p in m.parameters())

