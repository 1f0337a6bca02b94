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
