"""The noise schedule and the sampler: how much noise at each step, and how to walk back from noise.

This file knows nothing of the network. It only needs a function `guess(x_t, t) -> x0`, "what clean
picture do you think is under this noise?", and walks a picture of pure noise back to a clean one:

    x0 (clean) ──add_noise──► x_t ──► ... ──► x_T (pure noise)          training: one jump, any t
    x_T ──guess x0──► step to x_{t'} ──guess x0──► ... ──► x_0           sampling: DDIM, a few steps

Noising in one jump (Ho et al. 2020, eq. 4):   x_t = √ᾱ_t · x0 + √(1−ᾱ_t) · ε,   ε ~ N(0, I)
ᾱ_t ("alpha bar") is how much of the picture is left at step t: 1 is clean, 0 is pure noise. The cosine
schedule (Nichol & Dhariwal 2021) lets the picture fade slowly at first and reach pure noise at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch


class NoiseSchedule:
    """`timesteps` noise levels, t = 0 (a touch of noise) ... timesteps-1 (pure noise)."""

    def __init__(self, timesteps: int = 100, offset: float = 0.008):
        self.timesteps = timesteps
        # 1. ᾱ(s) = cos²((s + offset)/(1 + offset) · π/2), normalised so ᾱ(0) = 1, read at s = (t+1)/T.
        s = torch.arange(1, timesteps + 1, dtype=torch.float64) / timesteps
        f = torch.cos((s + offset) / (1 + offset) * math.pi / 2) ** 2
        f0 = math.cos(offset / (1 + offset) * math.pi / 2) ** 2
        self.alpha_bar = (f / f0).clamp(0.0, 1.0).float()              # (T,), falls from ~1 to 0
        # The last level is exactly pure noise: sampling starts where training saw only noise.
        self.alpha_bar[-1] = 0.0

    def signal(self, t: torch.Tensor) -> torch.Tensor:
        """√ᾱ_t: how much of the picture is left, shaped (B,1,1,1) to scale pictures."""
        return self.alpha_bar[t].sqrt().view(-1, 1, 1, 1)

    def noise(self, t: torch.Tensor) -> torch.Tensor:
        """√(1−ᾱ_t): how much noise is mixed in, (B,1,1,1)."""
        return (1 - self.alpha_bar[t]).sqrt().view(-1, 1, 1, 1)

    def add_noise(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = √ᾱ_t · x0 + √(1−ᾱ_t) · ε. x0, noise: (B,3,H,W); t: (B,) ints."""
        return self.signal(t) * x0 + self.noise(t) * noise

    def level(self, t: int) -> float:
        """How far step t is along the walk from clean (0) to pure noise (1): (t+1)/T, what a page shows."""
        return (t + 1) / self.timesteps

    def step_for_level(self, level: float) -> int:
        """The step at `level` in [0, 1] of the walk to pure noise (a slider's position -> a step)."""
        return int(min(max(round(level * self.timesteps) - 1, 0), self.timesteps - 1))

    def bury(self, images: np.ndarray, level: float, seed: int = 0) -> np.ndarray:
        """uint8 pictures (n,H,W,3) taken `level` of the way to pure noise (0: unchanged); the same seed,
        the same noise, so a slider moves only the amount."""
        if level <= 0:
            return images
        x0 = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1      # (n, 3, H, W)
        noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
        return to_uint8(self.add_noise(x0, torch.full((len(x0),), self.step_for_level(level)), noise))

    def ddim_timesteps(self, steps: int, start: int | None = None) -> list[int]:
        """`steps` steps spread evenly from `start` (default: pure noise) down to 0."""
        start = self.timesteps - 1 if start is None else start
        steps = max(1, min(steps, start + 1))
        return [int(round(v)) for v in np.linspace(start, 0, steps)]

    def ddim_step(self, x_t: torch.Tensor, x0: torch.Tensor, t: int, t_prev: int | None) -> torch.Tensor:
        """One deterministic DDIM step (Song et al. 2021, eq. 12 with σ = 0) from t to t_prev.

        From the guess x0, the noise that must be in x_t is ε = (x_t − √ᾱ_t x0) / √(1−ᾱ_t); keep that same
        noise but less of it: x_{t'} = √ᾱ_{t'} x0 + √(1−ᾱ_{t'}) ε. After the last step (t_prev None): x0.
        """
        if t_prev is None:
            return x0
        a_t, a_prev = self.alpha_bar[t], self.alpha_bar[t_prev]
        eps = (x_t - a_t.sqrt() * x0) / (1 - a_t).sqrt()
        return a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps


@dataclass
class Sampling:
    """Everything the sampler saw, for a page to show. Pictures are uint8 (n, H, W, 3).

    frames[i] is the picture before step i (frames[0] is the start, frames[-1] the finished picture);
    guesses[i] is the model's guess of the clean picture, made while looking at frames[i].
    """
    frames: list[np.ndarray]         # steps + 1 pictures
    guesses: list[np.ndarray]        # steps pictures
    timesteps: list[int]             # the noise step t of each frame but the last
    levels: list[float]              # how far along the walk to noise each frame is, 1 pure noise ... 0 clean

    @property
    def images(self) -> np.ndarray:
        return self.frames[-1]


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """(B,3,H,W) in [-1, 1] -> (B,H,W,3) uint8."""
    x = ((x.clamp(-1, 1) + 1) * 127.5 + 0.5).to(torch.uint8)
    return x.permute(0, 2, 3, 1).contiguous().numpy()


@torch.no_grad()
def ddim_sample(guess: Callable[[torch.Tensor, int], torch.Tensor], schedule: NoiseSchedule,
                x_start: torch.Tensor, steps: int, start: int | None = None,
                return_all: bool = False) -> torch.Tensor | Sampling:
    """Walk x_start (at noise step `start`, default pure noise) down to a clean picture in `steps` steps.

    guess(x_t, t) returns the model's clean-picture guess, (B,3,H,W) in about [-1, 1].
    Returns the finished pictures (B,3,H,W), or with return_all a Sampling of every step.
    """
    ts = schedule.ddim_timesteps(steps, start)
    x = x_start
    frames, guesses = [], []
    for i, t in enumerate(ts):
        x0 = guess(x, t).clamp(-1, 1)      # a clean picture lives in [-1, 1]; clipping keeps steps sane
        if return_all:
            frames.append(to_uint8(x))
            guesses.append(to_uint8(x0))
        x = schedule.ddim_step(x, x0, t, ts[i + 1] if i + 1 < len(ts) else None)
    if not return_all:
        return x
    frames.append(to_uint8(x))
    levels = [schedule.level(t) for t in ts] + [0.0]
    return Sampling(frames, guesses, ts, levels)
