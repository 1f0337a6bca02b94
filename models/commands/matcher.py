"""python -m models {train,evaluate,match} matcher: the matching chapter's commands (the model:
models/matcher.py and models/tokenizer.py)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from .. import engine
from ..cli import CommandError, writable_file
from ..matcher import MatcherConfig, MatcherTrainer, evaluate, load, save, search
from . import read_weights


def load_model(path):
    """The matcher saved at `path` (None: the shipped one), or a one-line CommandError (read_weights)."""
    return read_weights(path, load, "matcher", "matcher")


def train_command(args) -> None:
    """python -m models train matcher [--seconds S] [--seed S] --out PATH (default 60 s; the last fifth
    with a learning rate ten times smaller, to settle)."""
    out = writable_file(args.out)
    torch.set_num_threads(1)                      # small batches: one thread is as fast, and fair to others
    trainer = MatcherTrainer(MatcherConfig.shipped(), seed=args.seed)   # a bank of 40,000 pictures
    seconds = args.seconds or 60.0
    engine.train(trainer, seconds=0.8 * seconds, callback=engine.print_progress, every=2.0)
    for group in trainer.opt.param_groups:       # the last fifth with small steps, to settle
        group["lr"] = trainer.config.lr / 10
    engine.train(trainer, seconds=0.2 * seconds, callback=engine.print_progress, every=2.0)
    save(trainer.model, out)
    scores = evaluate(trainer.model.eval())
    print("recall@1  " + "  ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    print(f"saved to {out}")


def evaluate_command(args, n: int = 1000) -> None:
    """python -m models evaluate matcher [--weights PATH] [--seed S]: recall@1 on n fresh pictures."""
    model = load_model(args.weights)
    start = time.perf_counter()
    scores = evaluate(model, seed=args.seed, n=n)
    for k, v in scores.items():
        print(f"recall@1 {k:9s} {v:.3f}")
    print(f"({time.perf_counter() - start:.1f} s)")


def read_folder(folder) -> tuple[list[str], np.ndarray]:
    """Every picture in a folder, sorted by name, as 32x32 RGB uint8 (N,32,32,3). CommandError if none."""
    from PIL import Image, UnidentifiedImageError

    root = Path(folder)
    if not root.is_dir():
        raise CommandError(f"no such folder: {str(root)!r}")
    names, images = [], []
    for p in sorted(root.iterdir()):
        if p.suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp") or not p.is_file():
            continue
        try:
            with Image.open(p) as im:
                images.append(np.asarray(im.convert("RGB").resize((32, 32), Image.Resampling.BOX)))
            names.append(p.name)
        except (OSError, UnidentifiedImageError, ValueError):
            print(f"note: skipped {p.name} (not a readable picture)", file=sys.stderr)
    if not names:
        raise CommandError(f"no readable pictures (png, jpg, gif, bmp, webp) in {str(root)!r}")
    return names, np.stack(images)


def match_command(args) -> None:
    """One query: the K best file names, one a line. Several: '# QUERY' then its names, a blank line between."""
    names, images = read_folder(args.images)
    model = load_model(args.weights)
    with torch.no_grad():
        gallery = model.encode_image(images)
    results = {}
    for q in args.query:
        reading = model.tokenizer.read(q)
        if reading.unknown:
            print(f"note: never seen {' '.join(reading.unknown)!s} in {q!r}", file=sys.stderr)
        if not reading.meaningful:
            print(f"note: {q!r} names nothing the matcher knows, so nothing is ranked", file=sys.stderr)
        order, _ = search(model, gallery, q, args.top)
        results[q] = [names[i] for i in order]
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    elif len(args.query) == 1:
        print("\n".join(results[args.query[0]]))
    else:
        print("\n\n".join(f"# {q}\n" + "\n".join(found) for q, found in results.items()))
