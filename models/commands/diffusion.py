"""python -m models {train,sample,evaluate} diffusion: the diffusion chapter's commands (the model:
models/diffusion.py and models/schedule.py)."""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from .. import world
from ..cli import CommandError, save_pngs, writable_dir, writable_file, write_labels
from ..diffusion import DiffusionTrainer
from . import load_judge, read_weights, train_and_save_along_the_way


def load_trainer(path) -> DiffusionTrainer:
    """The trainer saved at `path` (None: the shipped one), or a one-line CommandError (read_weights)."""
    return read_weights(path, DiffusionTrainer.load, "diffusion", "diffusion")


def train_command(args) -> None:
    """python -m models train diffusion [--seconds S] [--kind KIND] [--seed S] --out PATH"""
    out = writable_file(args.out)
    torch.set_num_threads(1)     # one thread: the shipped GAN and diffusion runs share a 2-core machine side by side
    trainer = DiffusionTrainer(kind=args.kind, seed=args.seed)
    seconds = args.seconds or trainer.config.seconds
    what = f"only {args.kind}" if args.kind else "all kinds"
    print(f"training diffusion on {what} for {seconds:.0f} s, {torch.get_num_threads()} thread(s)", flush=True)
    train_and_save_along_the_way(trainer, seconds, out)


def sample_command(args) -> None:
    """python -m models sample diffusion --n N --out DIR [--weights PATH] [--kind KIND] [--steps S] [--seed S]"""
    out = writable_dir(args.out)
    trainer = load_trainer(args.weights)
    if args.kind and trainer.kind and args.kind != trainer.kind:
        raise CommandError(f"these weights learned only {trainer.kind}; they cannot draw {args.kind}")
    chunks = []
    for i, start in enumerate(range(0, args.n, 64)):   # a batch at a time keeps memory small
        n = min(64, args.n - start)
        chunks.append(trainer.sample(n, kind=args.kind, steps=args.steps, seed=args.seed * 100003 + i))
    names = save_pngs(np.concatenate(chunks), out)
    if args.kind:
        write_labels(out, ["file", "kind"], [[name, args.kind] for name in names])
    print(f"wrote {len(names)} pictures to {out}")


def on_target(trainer: DiffusionTrainer, judge, per_kind: int = 50, kinds=None, seed: int = 0,
              steps: int | None = None) -> dict:
    """Ask for each kind in turn (default: the trainer's kind, or all ten); per kind, the share of
    pictures (in [0, 1]) the benchmark's judge recognises as that kind. per_kind: pictures per kind."""
    kinds = kinds or ([trainer.kind] if trainer.kind else list(world.KINDS))
    return {k: float(judge.on_target(trainer.sample(per_kind, kind=k, steps=steps, seed=seed + i), [k] * per_kind).mean())
            for i, k in enumerate(kinds)}


def clean_picture_errors(trainer: DiffusionTrainer, seed: int = 123, n: int = 256,
                         levels=(0.25, 0.5, 0.75, 0.95)) -> dict:
    """How well it sees through noise: at each noise level (0 clean ... 1 pure noise), the mean squared
    error of its guess of the clean picture, on n fresh pictures of the world (pixels in [-1, 1])."""
    pics = world.make_pictures(n, seed=seed, kinds=[trainer.kind] if trainer.kind else None, captions=False)
    x0 = torch.from_numpy(world.to_tensor_range(pics.images))
    gen = torch.Generator().manual_seed(seed)
    labels = trainer._labels(trainer.kind or [world.KINDS[k] for k in pics.kinds], len(x0))
    errors = {}
    with torch.no_grad():
        for level in levels:
            t = torch.full((len(x0),), trainer.schedule.step_for_level(level))
            x_t = trainer.schedule.add_noise(x0, t, torch.randn(x0.shape, generator=gen))
            errors[level] = float(F.mse_loss(trainer.ema(x_t, t, labels), x0))
    return errors


def evaluate_command(args, per_kind: int = 50, n: int = 256) -> None:
    """python -m models evaluate diffusion [--weights PATH] [--seed S]: clean-picture errors at four noise
    levels (n pictures), then the benchmark judge's on-target share per kind (per_kind pictures each)."""
    trainer = load_trainer(args.weights)
    for level, error in clean_picture_errors(trainer, seed=args.seed, n=n).items():
        print(f"noise {level:.2f}: clean-picture error {error:.4f}")
    judge = load_judge(required=False)
    if judge is None:
        print("(bench/judge.py is missing: no on-target score)")
        return
    start = time.perf_counter()
    scores = on_target(trainer, judge, per_kind=per_kind, seed=args.seed)
    for k, v in scores.items():
        print(f"{k:8s} {v:6.1%} on target")
    print(f"overall  {np.mean(list(scores.values())):6.1%}; lowest {min(scores.values()):.1%} "
          f"({time.perf_counter() - start:.0f} s)")
