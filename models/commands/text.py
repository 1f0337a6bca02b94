"""Command line for the tiny writer (parsed in models/__main__.py):

    python -m models train text [--seconds S] [--seed S] --out PATH
    python -m models sample text --n N --out DIR [--weights PATH] [--prompt TEXT] [--temperature T]
    python -m models evaluate text [--weights PATH]

No weights are shipped: without --weights, sample and evaluate first train for 120 s (one thread).
"""

from __future__ import annotations

import torch

from .. import engine, text_gen
from ..cli import CommandError, writable_dir, writable_file

DEFAULT_SECONDS = 120.0


def _train(seconds: float, seed: int, report=None) -> text_gen.TextTrainer:
    torch.set_num_threads(1)
    trainer = text_gen.TextTrainer(text_gen.TextConfig.live(), seed=seed)
    engine.train(trainer, seconds=seconds, callback=report, every=5.0)
    return trainer


def _load(path, seed: int = 0) -> text_gen.TextTrainer:
    if path is None:
        print(f"no --weights: training for {DEFAULT_SECONDS:.0f} s first")
        return _train(DEFAULT_SECONDS, seed)
    try:
        return text_gen.TextTrainer.from_state(torch.load(path, weights_only=True))
    except FileNotFoundError:
        raise CommandError(f"no weights at {path!r}: make them with `python -m models train text --out {path}`") from None
    except (KeyError, RuntimeError, TypeError) as e:
        raise CommandError(f"{path!r} does not hold writer weights ({type(e).__name__})") from None


def train_command(args) -> None:
    out = writable_file(args.out)
    seconds = args.seconds or DEFAULT_SECONDS
    print(f"training the writer for {seconds:.0f} s (seed {args.seed})")
    trainer = _train(seconds, args.seed, engine.print_progress)
    torch.save(trainer.state_dict(), out)
    print(f"wrote {out} after {trainer.steps} steps")


def sample_command(args) -> None:
    out = writable_dir(args.out)
    start = text_gen.clean_start(args.prompt)
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
