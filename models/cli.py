"""What every chapter's command-line functions share: a user error class and safe file writing.

It lives apart from __main__.py because `python -m models` runs that file as the module `__main__`;
a class defined there would be a different class from the one chapters import as `models.__main__`.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path


class CommandError(Exception):
    """A problem the user can fix: shown as one line, exit code 2."""


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {value}")
    return value


def writable_dir(path: str | os.PathLike) -> Path:
    """Make sure DIR exists and can be written to, or raise CommandError."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise CommandError(f"cannot write to folder {str(out)!r}: {e.strerror or e}") from None
    return out


def writable_file(path: str | os.PathLike) -> Path:
    out = Path(path)
    writable_dir(out.parent if str(out.parent) else ".")
    return out


def save_pngs(images, out: Path, prefix: str = "") -> list[str]:
    """Write (N,H,W,3) uint8 images as numbered PNGs; return the file names."""
    from PIL import Image

    names = []
    digits = max(5, len(str(len(images))))
    for i, im in enumerate(images):
        name = f"{prefix}{i:0{digits}d}.png"
        Image.fromarray(im).save(out / name)
        names.append(name)
    return names


def write_labels(out: Path, header: list[str], rows: list[list]) -> None:
    with open(out / "labels.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
