"""Command line for the tune maker (parsed in models/__main__.py):

    python -m models train music [--seconds S] [--seed S] --out PATH
    python -m models sample music --n N --out DIR [--weights PATH] [--prompt "C D E"] [--temperature T]
    python -m models evaluate music [--weights PATH]

No weights are shipped: without --weights, sample and evaluate first train for 30 s (one thread).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from .. import music
from ..cli import CommandError, writable_dir
from . import load_or_train, train_and_save

DEFAULT_SECONDS = 30.0


def _new(seed: int):
    return lambda: music.MusicTrainer(music.MusicConfig.live(), seed=seed)


def _load(path, seed: int = 0) -> music.MusicTrainer:
    return load_or_train(path, music.MusicTrainer, _new(seed), DEFAULT_SECONDS, "tune-maker", "music")


def train_command(args) -> None:
    train_and_save(args, _new(args.seed), DEFAULT_SECONDS, "the tune maker")


def sample_command(args) -> None:
    out = writable_dir(args.out)
    try:
        given = music.parse_start(args.prompt, keep=None)
    except ValueError as e:
        raise CommandError(f"--prompt: not a note: {e} (try \"C D E\", \"do re mi\" or \"1 2 3\")") from None
    start = given[:music.MAX_START]
    if len(given) > len(start):
        kept = " ".join(music.note_name(p) for p, _ in start)
        print(f"note: --prompt has {len(given)} notes; the tune maker keeps the first {len(start)}: {kept}",
              file=sys.stderr)
    trainer = _load(args.weights, args.seed)
    for i in range(args.n):
        notes = trainer.generate(8, args.temperature, start=start, seed=args.seed + i)
        (out / f"tune{i:03d}.wav").write_bytes(music.wav_bytes(music.synth(notes)))
        with open(out / f"tune{i:03d}.json", "w") as f:   # a MIDI-like note list: pitch (MIDI or null), eighths
            json.dump({"bpm": 120, "notes": [{"pitch": p, "name": music.note_name(p), "eighths": n} for p, n in notes]},
                      f, indent=0)
    print(f"wrote {args.n} tunes (WAV and JSON note lists) to {out}")


def measures(trainer: music.MusicTrainer, n: int = 40, seed: int = 0) -> dict:
    """Share of notes in key and of notes that fit their bar, for the model, random notes and the
    training tunes (each a mean over tunes)."""
    made = [trainer.generate(8, 1.0, seed=seed + i) for i in range(n)]
    rand = [music.random_tune(8, seed + i) for i in range(n)]
    known = music.training_tunes()
    return {f"{who}_{m.__name__}": float(np.nanmean([m(t) for t in tunes]))
            for who, tunes in (("model", made), ("random", rand), ("training", known))
            for m in (music.in_key, music.fits_bars)}


def evaluate_command(args) -> None:
    trainer = _load(args.weights, args.seed)
    start = time.process_time()
    for name, value in measures(trainer, seed=args.seed).items():
        print(f"{name:<22} {value:.3f}")
    print(f"(after {trainer.steps} training steps; measured in {time.process_time() - start:.1f} s CPU)")
