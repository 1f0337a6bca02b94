"""Where recognition helps: find the separate things in a bigger picture and name each one, as a
self-driving car or a photo search must. The recogniser (models/recognizer.py) knows single things on
a page; here a scene is cut into blobs, each blob is boxed, and the recogniser names what is in the box.

    scene (H,W,3) ─► not-background mask ─► blobs (grown, merged) ─► a box each ─► recogniser ─► name

`make_scene` draws test scenes from the world with the true boxes, so the finding can be scored.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
import torch.nn.functional as F

from .recognizer import Recognizer, _fit, _rgb_on_paper
from .world import KINDS, render


def make_scene(seed: int = 0, style: str = "fill", size=(128, 96), count: int = 4):
    """Several world things on one page, not overlapping: (image uint8 (H,W,3), [((x0,y0,x1,y1), kind)])."""
    rng = np.random.default_rng(seed)
    w, h = size
    if style == "fill":   # a soft sky-to-ground background, like the world's pictures
        top, bottom = rng.uniform(205, 250, 3), rng.uniform(185, 235, 3)
        t = np.linspace(0, 1, h)[:, None, None]
        scene = np.broadcast_to(top * (1 - t) + bottom * t, (h, w, 3)).copy()
    else:
        scene = np.full((h, w, 3), rng.uniform(240, 255), np.float64)
    taken, truth = [], []
    for kind in rng.choice(KINDS, size=count, replace=False):
        s = int(rng.integers(28, 42))
        for _ in range(60):                                           # find a free spot
            x0, y0 = int(rng.integers(2, w - s - 1)), int(rng.integers(2, h - s - 1))
            if all(x0 + s + 3 < a or a + b + 3 < x0 or y0 + s + 3 < c or c + b + 3 < y0 for a, c, b in taken):
                break
        else:
            continue
        tile = render(kind, rng, 1, size=s, style=style)[0][0].astype(np.float64)   # (s,s,3)
        # The tile's own background, row by row from whichever edge is plain; alpha = how far from it.
        edges = np.concatenate([tile[:, :1], tile[:, -1:]], 1)                       # (s,2,3)
        plain = np.abs(edges - np.median(edges.reshape(-1, 3), 0)).sum(2).argmin(1)  # (s,)
        back = edges[np.arange(s), plain][:, None]
        alpha = np.clip(np.abs(tile - back).max(axis=2, keepdims=True) / 40.0, 0, 1)
        scene[y0:y0 + s, x0:x0 + s] = alpha * tile + (1 - alpha) * scene[y0:y0 + s, x0:x0 + s]
        ys, xs = np.nonzero(alpha[..., 0] > 0.3)
        taken.append((x0, y0, s))
        truth.append(((x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1), str(kind)))
    return np.clip(scene + 0.5, 0, 255).astype(np.uint8), truth


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0,y0,x1,y1) of the connected blobs of a boolean (H,W) mask, by spreading labels."""
    m = torch.from_numpy(mask)[None, None].float()
    labels = torch.arange(1, mask.size + 1, dtype=torch.float32).view(1, 1, *mask.shape) * m
    while True:   # each blob ends up labelled with its largest pixel number
        spread = F.max_pool2d(labels, 3, 1, 1) * m
        if torch.equal(spread, labels):
            break
        labels = spread
    boxes = []
    for value in labels.unique()[1:]:
        ys, xs = np.nonzero((labels[0, 0] == value).numpy())
        boxes.append((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    return boxes


def _merge(boxes, gap=1):
    """Join boxes that touch or overlap (a face's eyes sit inside its outline) until none do."""
    boxes = [tuple(int(v) for v in b) for b in boxes]
    changed = True
    while changed:
        changed = False
        for i, j in itertools.combinations(range(len(boxes)), 2):
            a, b = boxes[i], boxes[j]
            if a[0] <= b[2] + gap and b[0] <= a[2] + gap and a[1] <= b[3] + gap and b[1] <= a[3] + gap:
                boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                del boxes[j]
                changed = True
                break
    return boxes


def _grow(mask: np.ndarray, k: int) -> np.ndarray:
    """A boolean (H,W) mask widened by a k x k square (a max-pool is a dilation)."""
    return F.max_pool2d(torch.from_numpy(mask[None, None].astype(np.float32)), k, 1, k // 2)[0, 0].numpy() > 0


def find_things(model: Recognizer, scene) -> list[tuple[tuple[int, int, int, int], str, float]]:
    """Find the separate things in a scene and name each: [((x0,y0,x1,y1), kind, confidence)]."""
    rgb = _rgb_on_paper(scene)                                        # (H,W,3)
    back = (rgb[:, :2].mean(1, keepdims=True) + rgb[:, -2:].mean(1, keepdims=True)) / 2   # (H,1,3) per row
    ink = np.abs(rgb - back).max(axis=2) / 255.0                      # (H,W)
    mask = ink > 0.15                                                 # not background
    if mask.any() and (rgb.max(2) - rgb.min(2))[mask].mean() > 40:
        # Coloured things become their outlines (colour edges): that looks like the doodles it knows.
        dx = np.abs(np.diff(rgb, axis=1, append=rgb[:, -1:])).max(2)
        dy = np.abs(np.diff(rgb, axis=0, append=rgb[-1:])).max(2)
        ink = np.clip(np.maximum(dx, dy) / 60.0, 0, 1) * _grow(mask, 3)
    else:
        ink = ink * mask
    found = []
    model.eval()
    # Blobs of "not background", grown a little so a sun's rays join its disc; then one guess per box.
    for x0, y0, x1, y1 in _merge(_components(_grow(mask, 5))):
        part = ink[y0:y1, x0:x1]
        if (part > 0.25).sum() < 20 or max(x1 - x0, y1 - y0) < 8:
            continue                                                  # a speck, not a thing
        seen = _fit(np.pad(part, 2), model.config)
        with torch.no_grad():
            probs = model(torch.from_numpy(seen)[None, None]).softmax(1)[0]
        found.append(((x0, y0, x1, y1), model.kinds[int(probs.argmax())], float(probs.max())))
    return found
