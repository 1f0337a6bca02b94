"""python -m models {train,sample,evaluate} gan: the GAN chapter's commands (the model: models/gan.py,
its training: models/gan_train.py)."""

from __future__ import annotations

import time

import numpy as np
import torch

from .. import engine, weights_io, world
from ..cli import CommandError, save_pngs, writable_dir, writable_file, write_labels
from ..gan import N_KINDS, GANConfig, draw, load_generator, load_weights
from ..gan_train import GANTrainer, Recorder, run_path
from . import load_judge, read_weights


def _load(path) -> tuple[dict, torch.nn.Module]:
    """(the saved dict, its generator) from `path` (None: the shipped weights), or one CommandError line."""
    return read_weights(path, lambda p: (load_weights(p), load_generator(p)), "GAN", "gan")


def train_command(args) -> None:
    """python -m models train gan [--seconds S] [--kind KIND] [--seed S] --out PATH

    One kind: the live configuration (default 120 s). All kinds: the shipped one, a pair per kind (default 80 min).
    Writes PATH (fp16 weights of the generator, its smoothed copy and the discriminator), saved again
    every few minutes so a long run can be stopped early, and PATH's sibling <stem>_run.npz, the recorded run.
    """
    out = writable_file(args.out)
    torch.set_num_threads(1)         # on a busy 2-core machine, two threads were ten times slower, not faster
    config = GANConfig.live() if args.kind else GANConfig.shipped()
    seconds = args.seconds or (120.0 if args.kind else 4800.0)
    trainer = GANTrainer(config, kind=args.kind, seed=args.seed)
    recorder = Recorder()
    recorder.maybe(trainer)
    print(f"training the GAN on {args.kind or 'all kinds'} for {seconds:.0f}s "
          f"({engine.parameter_bytes(trainer.G, trainer.D) / 1e6:.2f} MB of weights)", flush=True)

    def report(progress):
        recorder.maybe(trainer)
        if time.perf_counter() - report.saved >= 300:           # a long run can be stopped early
            report.saved = time.perf_counter()
            weights_io.save(out, trainer.state_dict(half=True))
        if time.perf_counter() - report.printed >= 10 or progress.done:
            report.printed = time.perf_counter()
            engine.print_progress(progress)

    report.saved = report.printed = time.perf_counter()
    engine.train(trainer, seconds=seconds, callback=report, every=0.0)
    recorder.maybe(trainer, force=True)
    weights_io.save(out, trainer.state_dict(half=True))
    recorder.save(run_path(out), trainer)
    print(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB) and {run_path(out)} "
          f"({run_path(out).stat().st_size / 1e6:.2f} MB)")


def sample_command(args) -> None:
    """python -m models sample gan --n N --out DIR [--weights PATH] [--kind KIND] [--seed S]"""
    out = writable_dir(args.out)
    saved, generator = _load(args.weights)
    learned = saved.get("kind") or None
    if args.kind and learned and args.kind != learned:
        raise CommandError(f"these weights learned only {learned}, not {args.kind}")
    images, kinds = draw(generator, args.n, kind=args.kind or learned, seed=args.seed)
    names = save_pngs(images, out)
    if args.kind:
        write_labels(out, ["file", "kind"], [[name, world.KINDS[k]] for name, k in zip(names, kinds)])
    print(f"wrote {len(names)} pictures{' and labels.csv' if args.kind else ''} to {out}")


def on_target_report(generator, judge, seed: int = 123, per_kind: int = 100) -> dict:
    """The benchmark judge's figures for a generator of all kinds: per kind the share of pictures on
    target (fractions in [0, 1]), their mean and the worst kind, how many kinds appear unprompted (0-10,
    the judge over 90% sure) and the share of junk among unprompted pictures. per_kind: pictures per kind."""
    per = {}
    for k in world.KINDS:
        images, _ = draw(generator, per_kind, kind=k, seed=seed)
        per[k] = float(judge.on_target(images, [world.KINDS.index(k)] * per_kind).mean())
    images, _ = draw(generator, N_KINDS * per_kind, seed=seed + 1)
    labels, conf = judge.classify(images)
    seen = np.unique(labels[(labels < N_KINDS) & (conf > 0.9)])
    return {"per_kind": per, "mean": float(np.mean(list(per.values()))), "min": min(per.values()),
            "unprompted_kinds": int(len(seen)), "unprompted_junk": float((labels == N_KINDS).mean())}


def evaluate_command(args, per_kind: int = 100, one_kind: int = 500) -> None:
    """python -m models evaluate gan [--weights PATH] [--seed S]: the benchmark judge's figures.
    per_kind / one_kind: pictures scored per kind (all-kinds weights) / for one-kind weights."""
    saved, generator = _load(args.weights)
    judge = load_judge()
    if saved.get("kind"):
        k = saved["kind"]
        images, _ = draw(generator, one_kind, kind=k, seed=args.seed)
        print(f"on target ({k}): {judge.on_target(images, [world.KINDS.index(k)] * one_kind).mean():.3f}  (target >= 0.90)")
        return
    r = on_target_report(generator, judge, seed=args.seed, per_kind=per_kind)
    for k, v in r["per_kind"].items():
        print(f"on target {k:7s} {v:.3f}")
    print(f"on target, all kinds: {r['mean']:.3f} (target >= 0.90); worst kind {r['min']:.3f} (target >= 0.70)")
    print(f"kinds seen when no kind is asked: {r['unprompted_kinds']} of {N_KINDS} (target >= 8)")
