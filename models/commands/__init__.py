"""The command line's chapters: models/commands/<chapter>.py holds `train_command(args)`,
`sample_command(args)`, `evaluate_command(args)`, ... for `python -m models` (parsed in models/__main__.py).

The layers: a command may import the model files, models/cli.py (errors, safe file writing) and, lazily
inside a function, the benchmark's judge (bench/judge.py) to score pictures. A model file never imports
a command, the CLI or bench.
"""


def load_judge(required: bool = True):
    """The benchmark's judge (bench/judge.py: trained once, then cached), imported only when a command
    scores pictures. Missing bench/: CommandError if `required`, else None."""
    try:
        from bench.judge import load_judge as load
    except ImportError:
        if not required:
            return None
        from ..cli import CommandError
        raise CommandError("evaluating needs the benchmark's judge: run from the project folder") from None
    return load()


def train_live(make_trainer, seconds: float, report=None):
    """A live-only model (music, text) trained on one thread for `seconds` of wall clock, as on a page.
    `make_trainer()` -> a trainer (models/engine.Trainer); returns it after training."""
    import torch

    from .. import engine

    torch.set_num_threads(1)
    trainer = make_trainer()
    engine.train(trainer, seconds=seconds, callback=report, every=5.0)
    return trainer


def read_weights(path, load, what: str, model: str):
    """`load(path)` for weights a user named with --weights (None or "": `load(None)`, the shipped ones).
    Every way a file can be wrong, missing, a folder, empty, cut short, not torch's, another model's,
    gives one CommandError line that names `what` (e.g. "in-betweener") and how to make the right file
    with `python -m models train <model>`; never torch's unpickling message or a traceback."""
    import warnings
    from pathlib import Path

    from ..cli import CommandError

    make = f"make them with `python -m models train {model} --out NEW.pt`"     # never over the file given
    path = path or None
    if path is not None:
        file = Path(path)
        if not file.exists():
            raise CommandError(f"no weights at {str(path)!r}: make them with `python -m models train {model} --out {path}`")
        if file.is_dir():
            raise CommandError(f"{str(path)!r} is a folder, not a weights file: {make}")
        if file.stat().st_size == 0:
            raise CommandError(f"{str(path)!r} is empty: {make}")
    try:
        with warnings.catch_warnings():            # torch warns about foreign pickles before it fails
            warnings.simplefilter("ignore")
            return load(path)
    except CommandError:
        raise
    except FileNotFoundError:                      # the shipped file is missing
        raise CommandError(f"no {what} weights found: {make}") from None
    except Exception as e:                         # a cut-short file, a text file, another model's weights
        where = repr(str(path)) if path is not None else "the shipped file"
        raise CommandError(f"{where} does not hold {what} weights (a damaged file, or another model's; "
                           f"{type(e).__name__}): {make}") from None


def load_or_train(path, trainer_class, make_trainer, seconds: float, what: str, model: str):
    """The trainer saved at `path` (torch.save of its state_dict()), or, with no path, one trained now
    for `seconds`. A missing, empty, damaged or foreign file: one CommandError line (read_weights)."""
    import torch

    if path is None:
        print(f"no --weights: training for {seconds:.0f} s first")
        return train_live(make_trainer, seconds)
    return read_weights(path, lambda p: trainer_class.from_state(torch.load(p, weights_only=True)), what, model)


def train_and_save(args, make_trainer, default_seconds: float, what: str) -> None:
    """`python -m models train <model>` for a live-only model: train, save the state_dict, say so."""
    import torch

    from .. import engine
    from ..cli import writable_file

    out = writable_file(args.out)
    seconds = args.seconds or default_seconds
    print(f"training {what} for {seconds:.0f} s (seed {args.seed})")
    trainer = train_live(make_trainer, seconds, engine.print_progress)
    torch.save(trainer.state_dict(), out)
    print(f"wrote {out} after {trainer.steps} steps")


def train_and_save_along_the_way(trainer, seconds: float | None, out, save_every: float = 300.0,
                                 max_steps: int | None = None) -> None:
    """A long shipped run (diffusion, words): train for `seconds` (None: no time limit) or until
    `trainer.steps` reaches `max_steps`, printing progress, and save the weights to `out` every
    `save_every` seconds along the way (a stopped run leaves usable weights) and at the end.
    `trainer.save(path)` writes its weights."""
    import time

    from .. import engine

    last_save = time.perf_counter()

    def report(progress: engine.Progress) -> None:
        nonlocal last_save
        engine.print_progress(progress)
        if time.perf_counter() - last_save > save_every:
            trainer.save(out)
            last_save = time.perf_counter()

    engine.train(trainer, seconds=seconds, max_steps=max_steps, callback=report, every=10.0)
    trainer.save(out)
    print(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB, {trainer.steps} steps)")
