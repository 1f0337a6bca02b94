"""Weights on disk, one format for every chapter: a plain dict saved with torch.save, its float tensors
in half precision (fp16 halves the file; the models draw the same), read back as float32.

    save(path, {"config": {...}, "kind": "", "state": module.state_dict(), ...})   # any nesting of dicts
    load(path, make_hint="python -m models train gan --out PATH") -> the same dict, float32 again

Only tensors, numbers, strings, lists and dicts go in, so loading uses torch.load(weights_only=True)
(https://pytorch.org/docs/stable/generated/torch.load.html): a weights file cannot run code.
"""

from __future__ import annotations

from pathlib import Path

import torch


def half(tree):
    """A copy with every floating-point tensor in fp16 (integer buffers, numbers, strings unchanged).
    Works through nested dicts and lists."""
    if isinstance(tree, torch.Tensor):
        return (tree.detach().half() if tree.is_floating_point() else tree.detach()).clone()
    if isinstance(tree, dict):
        return {k: half(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(half(v) for v in tree)
    return tree


def full(tree):
    """The other way: every floating-point tensor as float32 (what the networks compute in)."""
    if isinstance(tree, torch.Tensor):
        return tree.float() if tree.is_floating_point() else tree
    if isinstance(tree, dict):
        return {k: full(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(full(v) for v in tree)
    return tree


def save(path: str | Path, payload: dict) -> Path:
    """Write `payload` to `path` with its float tensors in fp16. Returns the path."""
    path = Path(path)
    torch.save(half(payload), path)
    return path


def load(path: str | Path, make_hint: str = "") -> dict:
    """Read a file written by `save` (or any torch.save of plain dicts of tensors), float tensors as float32.

    Raises FileNotFoundError (with how to make the file, if `make_hint` is given) when it is missing."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no weights at {str(path)!r}" + (f"; make them with: {make_hint}" if make_hint else ""))
    return full(torch.load(path, map_location="cpu", weights_only=True))
