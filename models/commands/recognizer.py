"""The recogniser's commands: python -m models train|evaluate recognizer ..., python -m models recognize FILE ...

    train      RecognizerTrainer for the planned steps (--steps, default the config's), on one thread; saves fp16
    evaluate   fresh world line drawings and fresh stroke doodles (seeds training never used), per kind
    recognize  FILE<TAB>KIND<TAB>CONFIDENCE, one line a file ("empty" for a blank picture)
"""

from __future__ import annotations

import sys

import torch
from PIL import Image

from .. import engine
from .. import recognizer as R
from ..cli import writable_file
from ..world import KINDS
from . import read_weights


def stroke_held_out(model: R.Recognizer, seed: int = 123, n: int = 1000) -> tuple[float, dict]:
    """Accuracy on fresh stroke doodles (doodles.py, a seed training never used): overall and per kind."""
    x, y = R.stroke_pictures(n, seed + 2_000_000, model.config)
    return _scores(model, x, y)


def _scores(model, x, y):
    model.eval()
    with torch.no_grad():
        right = torch.cat([model(c).argmax(1) for c in x.split(512)]) == y
    return right.float().mean().item(), {k: right[y == i].float().mean().item() for i, k in enumerate(KINDS)}


def train_command(args) -> None:
    out = writable_file(args.out)
    torch.set_num_threads(1)
    steps = getattr(args, "steps", None) or R.RecognizerConfig.steps
    config = R.RecognizerConfig(steps=steps)
    print(f"drawing {config.pool} world doodles and {config.strokes} stroke doodles to learn from ...", flush=True)
    trainer = R.RecognizerTrainer(config, seed=args.seed)
    # The learning rate follows the planned steps; --seconds only stops a run early.
    engine.train(trainer, seconds=args.seconds, max_steps=config.steps, callback=engine.print_progress, every=20.0)
    R.save(trainer.model, out)
    world, _ = R.held_out(trainer.model)
    strokes, _ = stroke_held_out(trainer.model)
    print(f"{trainer.steps} steps; held-out world doodles right: {world:.1%}, stroke doodles: {strokes:.1%}; "
          f"saved {out} ({out.stat().st_size // 1024} KB)")


def evaluate_command(args) -> None:
    model = read_weights(args.weights, R.load, "recognizer", "recognizer")
    world, world_kinds = R.held_out(model, args.seed)
    strokes, stroke_kinds = stroke_held_out(model, args.seed)
    print(f"{'':8s} {'world':>7s} {'strokes':>8s}")
    for kind in KINDS:
        print(f"{kind:8s} {world_kinds[kind]:7.1%} {stroke_kinds[kind]:8.1%}")
    print(f"{'all':8s} {world:7.1%} {strokes:8.1%}  (fresh world line drawings and stroke doodles, seed {args.seed})")


def recognize_command(args) -> None:
    model = read_weights(args.weights, R.load, "recognizer", "recognizer")
    failed = 0
    for name in args.files:
        try:
            with Image.open(name) as im:
                im.load()
                image = im.copy()
        except (OSError, ValueError, Image.DecompressionBombError) as e:
            failed += 1
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e).splitlines()[0]
            print(f"error: {name}: cannot read this picture ({reason})", file=sys.stderr, flush=True)
            continue
        guess = R.predict(model, image)
        kind, sure = ("empty", 1.0) if guess.empty else guess.best
        print(f"{name}\t{kind}\t{sure:.3f}", flush=True)
    if failed:
        raise SystemExit(2)   # each bad file already had its one line
