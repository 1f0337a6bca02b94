"""Command line for the words chapter: train, sample and evaluate the text-to-image denoiser (models/words.py).

    python -m models train words [--seconds S] [--steps N] [--init PATH] [--preset shipped|fine] [--from-diffusion PATH] [--seed S] --out PATH
    python -m models sample words --prompt TEXT --n N --out DIR [--seed S] [--weights PATH]
    python -m models evaluate words [--weights PATH]

An empty prompt, or one with no word the model learned ("dragon", "🐉"), is one line on stderr and
exit code 2: the model would draw without words, which is not what was asked. A prompt with some unknown
words ("a blue dragon") draws from the words it knows and says on stderr which it did not.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from models.commands import read_weights, train_and_save_along_the_way
from models.cli import CommandError, save_pngs, writable_dir, writable_file, write_labels
from models import weights_io
from models.diffusion import WEIGHTS as DIFFUSION
from models.words import WEIGHTS, WordsConfig, WordsTrainer, clean_error


def _load(path) -> WordsTrainer:
    """The words model saved at `path` (None: the shipped one), or a one-line CommandError (read_weights)."""
    return read_weights(path, lambda p: WordsTrainer.load(Path(p) if p else WEIGHTS), "words-model", "words")


def train_command(args) -> None:
    """Train the shipped preset from the diffusion chapter's denoiser (--from-diffusion, default its shipped
    weights), the fine preset from scratch, or either on from --init's words weights. --steps N: exactly N
    steps with the learning rate falling over them (the same result on a busy or an idle machine);
    --seconds alone: as long as that."""
    out = writable_file(args.out)
    torch.set_num_threads(1)          # one thread: the machine is shared, and small batches gain little from two
    steps = getattr(args, "steps", None)
    preset = getattr(args, "preset", None) or "shipped"
    config = replace(getattr(WordsConfig, preset)(), total_steps=steps or 0)
    if getattr(args, "init", None):
        trainer = _load(args.init)
        try:
            config = replace(config, lr=config.lr / 2, **_shape(trainer.config))     # on from weights: gentler
            trainer = WordsTrainer.load(args.init, seed=args.seed, config=config)
        except RuntimeError as e:
            raise CommandError(f"{args.init!r} holds another network shape ({e.__class__.__name__})") from None
        print(f"training on from {args.init} ({trainer.steps} steps done)", flush=True)
    else:
        trainer = WordsTrainer(config, seed=args.seed)
        start = getattr(args, "from_diffusion", None) or (str(DIFFUSION) if preset == "shipped" else None)
        if start:                         # the shipped recipe starts from the diffusion chapter's denoiser
            state = read_weights(start, weights_io.load, "diffusion model", "diffusion")
            try:
                copied = trainer.start_from_diffusion(state)
            except (KeyError, ValueError) as e:
                raise CommandError(f"{start!r}: {e}") from None
            print(f"starting from the diffusion denoiser in {start} ({copied} tensors)", flush=True)
    seconds = args.seconds or (None if steps else trainer.config.seconds)
    limit = f"{steps} steps" + (f" or {seconds:.0f} s" if seconds else "") if steps else f"{seconds:.0f} s"
    print(f"training words-to-picture for {limit}, {torch.get_num_threads()} thread(s)", flush=True)
    train_and_save_along_the_way(trainer, seconds, out, max_steps=trainer.steps + steps if steps else None)


def _shape(config: WordsConfig) -> dict:
    """The fields that fix the network's shape (a run that trains on must keep them)."""
    return {k: getattr(config, k) for k in ("width", "mults", "patch", "attention", "cross", "groups", "timesteps")}


def sample_command(args) -> None:
    prompt = args.prompt or ""
    trainer = _load(args.weights)
    reading = trainer.reader.reading(prompt)
    if not prompt.strip():
        raise CommandError("the prompt is empty; say what to draw, e.g. --prompt 'a blue fish' or --prompt '一条蓝色的鱼'")
    if not trainer.knows_any(prompt):
        raise CommandError(f"no word in {prompt[:60]!r} is one the model learned; try a kind and a colour, "
                           "e.g. 'a red heart', '蓝色的鱼'")
    if reading.unknown:
        print(f"note: never learned {' '.join(reading.unknown[:10])}; drawing from the other words", file=sys.stderr)
    out = writable_dir(args.out)
    torch.set_num_threads(1)
    chunks = [trainer.sample(prompt, min(64, args.n - start), seed=args.seed * 100003 + i)
              for i, start in enumerate(range(0, args.n, 64))]          # a batch at a time keeps memory small
    names = save_pngs(np.concatenate(chunks), out)
    write_labels(out, ["file", "prompt"], [[name, prompt] for name in names])
    print(f"wrote {len(names)} pictures and labels.csv to {out}")


def evaluate_command(args) -> None:
    trainer = _load(args.weights)
    torch.set_num_threads(1)
    print(f"{trainer.steps} training steps")
    for name, value in clean_error(trainer, seed=args.seed).items():
        print(f"clean-picture error {name:10s} {value:.4f}")
    try:
        from bench.judge import load_judge
        from bench.words import on_target
    except ImportError:
        print("(bench/ is missing: no on-target score)")
        return
    start = time.perf_counter()
    scores = on_target(trainer, load_judge(), per_kind=10, seed=args.seed)
    for (lang, wording), s in scores.items():
        print(f"{lang} {wording:9s} kind {s['kind']:6.1%}  colour {s['colour']:6.1%}  both {s['both']:6.1%}   e.g. {s['example']}")
    per_kind = {k: np.mean([s["per_kind"][k] for s in scores.values()]) for k in next(iter(scores.values()))["per_kind"]}
    print("per kind (both): " + "  ".join(f"{k} {v:.0%}" for k, v in per_kind.items()))
    print(f"({time.perf_counter() - start:.0f} s)")
