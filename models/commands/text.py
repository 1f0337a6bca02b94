"""Command line for the tiny writer (parsed in models/__main__.py):

    python -m models train text [--seconds S] [--seed S] --out PATH
    python -m models sample text --n N --out DIR [--weights PATH] [--prompt TEXT] [--temperature T]
    python -m models evaluate text [--weights PATH]

No weights are shipped: without --weights, sample and evaluate first train for 120 s (one thread).
"""

from __future__ import annotations

import sys

from .. import text_gen
from ..cli import CommandError, writable_dir
from . import load_or_train, train_and_save

DEFAULT_SECONDS = 120.0


def _new(seed: int):
    return lambda: text_gen.TextTrainer(text_gen.TextConfig.live(), seed=seed)


def _load(path, seed: int = 0) -> text_gen.TextTrainer:
    return load_or_train(path, text_gen.TextTrainer, _new(seed), DEFAULT_SECONDS, "writer", "text")


def train_command(args) -> None:
    train_and_save(args, _new(args.seed), DEFAULT_SECONDS, "the writer")


def sample_command(args) -> None:
    out = writable_dir(args.out)
    given = text_gen.clean_start(args.prompt, keep=None)
    start = given[:text_gen.MAX_PROMPT]
    if len(given) > len(start):
        print(f"note: --prompt has {len(given)} characters; the writer keeps the first {len(start)}: {start!r}",
              file=sys.stderr)
    trainer = _load(args.weights, args.seed)
    unknown = trainer.vocab.unknown(start)
    if unknown:
        raise CommandError(f"--prompt: the writer never read {''.join(unknown)!r}; it knows only its training text")
    langs = [text_gen.guess_lang(start)] if start else list(text_gen.LANGS)
    lines = [trainer.write(langs[i % len(langs)], start, args.temperature, seed=args.seed + i) for i in range(args.n)]
    (out / "lines.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.n} lines to {out / 'lines.txt'}")


def evaluate_command(args) -> None:
    trainer = _load(args.weights, args.seed)
    for lang in text_gen.LANGS:
        share = text_gen.caption_share(trainer, lang, n=100, seed=args.seed)
        print(f"{lang}: {share:.0%} of 100 written lines are well-formed captions of the world")
    print(f"(after {trainer.steps} training steps)")
