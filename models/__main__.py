"""Command line: python -m models {pictures,train,sample,evaluate,recognize,match} ...

The interface is relied on by the README, the benchmark and CI: keep it exact. Each chapter's commands
(`train_command(args)`, `sample_command(args)`, ...) live in models/commands/<chapter>.py; this file
only parses.
Errors are one line on stderr and a non-zero exit; set MODELS_DEBUG=1 for the full traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import world
from .cli import (CommandError, positive_float, positive_int, save_pngs, writable_dir,  # noqa: F401
                  writable_file, write_labels)

TRAINABLE = ("gan", "diffusion", "recognizer", "matcher", "words", "video")
SAMPLERS = ("gan", "diffusion", "video")     # video: films of the in-betweener (PNG strips, GIFs)
WRITERS = ("music", "text")          # models that write tunes or lines: sample takes --prompt, not --kind
TRAIN_FIRST = {"music": 30, "text": 120}   # no writer weights are shipped: without --weights they train this
                                           # many seconds first (DEFAULT_SECONDS in models/commands/<name>.py)


def pictures_command(args) -> None:
    out = writable_dir(args.out)
    pics = world.make_pictures(args.n, seed=args.seed, style=args.style)
    names = save_pngs(pics.images, out)
    rows = [[name, world.KINDS[k], world.COLORS[c], en, zh]
            for name, k, c, en, zh in zip(names, pics.kinds, pics.colors, pics.captions_en, pics.captions_zh)]
    write_labels(out, ["file", "kind", "color", "caption_en", "caption_zh"], rows)
    print(f"wrote {len(names)} pictures and labels.csv to {out}")


def chapter(name: str):
    """The module that implements a chapter's commands (imported late: torch is slow to import):
    models/commands/<name>.py, or, until it moves there, the model file itself."""
    for module in (f"models.commands.{name}", f"models.{name}"):
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name not in (module, "models.commands"):
                raise
    raise CommandError(f"the {name} chapter is not built yet")


def call(module_name: str, function: str, args) -> None:
    module = chapter(module_name)
    fn = getattr(module, function, None)
    if fn is None:
        raise CommandError(f"{module_name} has no {function.replace('_command', '')} command yet")
    fn(args)


class Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line (no usage block): 'error: ...' and exit code 2."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m models", description="The models behind 'How does AI draw?'")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    pic = sub.add_parser("pictures", help="draw pictures of the world to PNG files",
                         description="Draw N pictures of the world, with DIR/labels.csv "
                                     "(file,kind,color,caption_en,caption_zh).")
    pic.add_argument("--n", type=positive_int, required=True, help="how many pictures to draw (at least 1)")
    pic.add_argument("--out", required=True, metavar="DIR", help="folder to write the PNGs and labels.csv to")
    pic.add_argument("--seed", type=int, default=0, help="the same seed gives the same pictures (default 0)")
    pic.add_argument("--style", choices=("fill", "line"), default="fill",
                     help="fill: coloured things on a soft background; line: pencil doodles (default fill)")
    pic.set_defaults(run=pictures_command)

    train = sub.add_parser("train", help="train a model on the CPU and save its weights")
    train_sub = train.add_subparsers(dest="model", required=True, metavar="MODEL", parser_class=Parser)
    for name in TRAINABLE + WRITERS:
        t = train_sub.add_parser(name, help=f"train the {name}")
        t.add_argument("--seconds", type=positive_float, default=None, help="how long to train (default: the model's own)")
        if name in SAMPLERS:
            t.add_argument("--kind", choices=world.KINDS, default=None, help="learn only this kind (default: all kinds)")
        t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        if name in ("recognizer", "words"):
            t.add_argument("--steps", type=positive_int, default=None, help="training steps (default: the model's own)")
        if name == "words":
            t.add_argument("--init", default=None, metavar="PATH",
                           help="train on from these weights instead of from scratch (the same network shape)")
            t.add_argument("--preset", choices=("shipped", "fine"), default="shipped",
                           help="network shape and recipe: shipped (default: the diffusion chapter's network, started "
                                "from its weights) or fine (a small patch-1 network from scratch; models/words.py)")
            t.add_argument("--from-diffusion", default=None, metavar="PATH",
                           help="the diffusion weights the shipped preset starts from (default: the shipped ones)")
        t.add_argument("--out", required=True, metavar="PATH", help="where to save the weights (.pt)")
        t.set_defaults(run=lambda a, n=name: call(n, "train_command", a))

    sample = sub.add_parser("sample", help="draw pictures with a trained model")
    sample_sub = sample.add_subparsers(dest="model", required=True, metavar="MODEL", parser_class=Parser)
    for name in SAMPLERS:
        s = sample_sub.add_parser(name, help=f"draw with the {name}")
        s.add_argument("--n", type=positive_int, required=True, help="how many pictures")
        s.add_argument("--out", required=True, metavar="DIR", help="folder for the PNGs (and labels.csv with --kind)")
        s.add_argument("--weights", default=None, metavar="PATH", help="weights to use (default: the shipped ones)")
        s.add_argument("--kind", choices=world.KINDS, default=None, help="ask for this kind; also writes labels.csv")
        if name == "diffusion":
            s.add_argument("--steps", type=positive_int, default=None, help="cleaning steps (default: the model's own)")
        s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        s.set_defaults(run=lambda a, n=name: call(n, "sample_command", a))
    for name in WRITERS:
        s = sample_sub.add_parser(name, help=f"write with the {name} model",
                                  description="music: WAV files and note lists; text: one line each in a file")
        s.add_argument("--n", type=positive_int, required=True, help="how many tunes or lines")
        s.add_argument("--out", required=True, metavar="DIR", help="folder to write to")
        s.add_argument("--weights", default=None, metavar="PATH",
                       help=f"weights from `train` (default: none are shipped, so it trains {TRAIN_FIRST[name]} s first)")
        s.add_argument("--prompt", default="", metavar="TEXT",
                       help='how to start: notes ("C D E", "do re mi", "1 2 3") or words ("a big", "一只")')
        s.add_argument("--temperature", type=positive_float, default=1.0, help="below 1 careful, above 1 adventurous")
        s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        s.set_defaults(run=lambda a, n=name: call(n, "sample_command", a))

    w = sample_sub.add_parser("words", help="draw what some words say",
                              description="Write N PNGs of what TEXT says and DIR/labels.csv (file,prompt). "
                                          "A prompt with no word the model learned: one line on stderr, exit 2.")
    w.add_argument("--prompt", required=True, metavar="TEXT", help="what to draw, in Chinese or English ('一条蓝色的鱼')")
    w.add_argument("--n", type=positive_int, required=True, help="how many pictures")
    w.add_argument("--out", required=True, metavar="DIR", help="folder for the PNGs and labels.csv")
    w.add_argument("--weights", default=None, metavar="PATH", help="weights to use (default: the shipped ones)")
    w.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    w.set_defaults(run=lambda a: call("words", "sample_command", a))

    ev = sub.add_parser("evaluate", help="score a trained model on fresh pictures of the world")
    ev.add_argument("model", choices=TRAINABLE + WRITERS, help="which model")
    ev.add_argument("--weights", default=None, metavar="PATH",
                    help="weights to score (default: the shipped ones; music and text have none shipped, so they "
                         "train first: " + ", ".join(f"{m} {s} s" for m, s in TRAIN_FIRST.items()) + ")")
    ev.add_argument("--seed", type=int, default=123, help="random seed (default 123)")
    ev.set_defaults(run=lambda a: call(a.model, "evaluate_command", a))

    rec = sub.add_parser("recognize", help="say what is drawn in picture files",
                         description="Print FILE<TAB>KIND<TAB>CONFIDENCE for each file.")
    rec.add_argument("files", nargs="+", metavar="FILE", help="PNG or JPEG files, dark strokes on a light background")
    rec.add_argument("--weights", default=None, metavar="PATH", help="weights to use (default: the shipped ones)")
    rec.set_defaults(run=lambda a: call("recognizer", "recognize_command", a))

    match = sub.add_parser("match", help="find the pictures in a folder that best match some words")
    match.add_argument("--images", required=True, metavar="DIR", help="folder of pictures to search")
    match.add_argument("--query", required=True, action="append", metavar="TEXT",
                       help="words to search for, in Chinese or English (repeat for more queries)")
    match.add_argument("--top", type=positive_int, default=5, metavar="K", help="how many file names to print (default 5)")
    match.add_argument("--json", action="store_true", help="print one JSON object: query -> list of file names")
    match.add_argument("--weights", default=None, metavar="PATH", help="weights to use (default: the shipped ones)")
    match.set_defaults(run=lambda a: call("matcher", "match_command", a))
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except Exception as e:  # one line, not a traceback
        if os.environ.get("MODELS_DEBUG"):
            raise
        message = str(e) if isinstance(e, (CommandError, ValueError, OSError)) else f"{type(e).__name__}: {e}"
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
