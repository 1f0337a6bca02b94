"""The project's benchmark: the figures it promises, measured on this machine. Run `python -m bench`."""
