"""The command line's chapters: models/commands/<chapter>.py holds `train_command(args)`,
`sample_command(args)`, `evaluate_command(args)`, ... for `python -m models` (parsed in models/__main__.py).

The layers: a command may import the model files, models/cli.py (errors, safe file writing) and, lazily
inside a function, the benchmark's judge (bench/judge.py) to score pictures. A model file never imports
a command, the CLI or bench.
"""
