"""Command line for the in-betweener of the video part (parsed in models/__main__.py):

    python -m models train video [--seconds S] [--seed S] [--kind KIND] --out PATH
    python -m models sample video --n N --out DIR [--weights PATH] [--kind KIND] [--seed S]
    python -m models evaluate video [--weights PATH]

The in-betweener makes every second frame of a film on a walk through the shipped GAN's dice. No
weights are shipped (it learns live on the page): without --weights, sample and evaluate first train
for 30 s (one thread), as a child would on the page.
"""

from __future__ import annotations

import time

from .. import video, world
from ..cli import save_pngs, writable_dir, write_labels
from . import load_or_train, train_and_save

DEFAULT_SECONDS = 30.0


def _new(seed: int, kind: str | None = None):
    def make() -> video.InBetweenTrainer:
        from ..gan import load_shipped
        return video.InBetweenTrainer(load_shipped(), video.InBetweenConfig(kind=kind), seed=seed)
    return make


def _load(path, seed: int = 0) -> video.InBetweenTrainer:
    return load_or_train(path, video.InBetweenTrainer, _new(seed), DEFAULT_SECONDS, "in-betweener", "video")


def train_command(args) -> None:
    train_and_save(args, _new(args.seed, args.kind), DEFAULT_SECONDS, "the in-betweener")


def sample_command(args) -> None:
    """N films of 13 frames (7 drawn by the GAN, 6 in between by the model): filmNNNNN.png (the film
    strip), filmNNNNN.gif (the film playing), and DIR/labels.csv (file,kind,change_per_frame)."""
    out = writable_dir(args.out)
    trainer = _load(args.weights, args.seed)
    kinds = [args.kind or world.KINDS[(args.seed + i) % len(world.KINDS)] for i in range(args.n)]
    films = [trainer.film(kind, keys=7, seed=args.seed + i)[0] for i, kind in enumerate(kinds)]
    names = save_pngs([video.film_strip(film) for film in films], out, prefix="film")
    for name, film in zip(names, films):
        (out / name.replace(".png", ".gif")).write_bytes(video.gif_bytes(film, scale=4, bounce=False))
    write_labels(out, ["file", "kind", "change_per_frame"],
                 [[name, kind, f"{video.smoothness(film):.2f}"] for name, kind, film in zip(names, kinds, films)])
    print(f"wrote {args.n} films (PNG film strips, GIFs, labels.csv) to {out}")


def evaluate_command(args) -> None:
    trainer = _load(args.weights, args.seed)
    start = time.process_time()
    m = video.film_measures(trainer)
    print(f"{'change per frame, its film':<38} {m['change']:6.2f}   (the GAN's own film: {m['gan_change']:.2f})")
    print(f"{'error of its middle frames':<38} {m['error']:6.2f}   (a plain cross-fade: {m['fade_error']:.2f})")
    print(f"(0-255, mean over {len(video.FILM_KINDS)} films of 13 frames; after {trainer.steps} training steps; "
          f"measured in {time.process_time() - start:.1f} s CPU)")
