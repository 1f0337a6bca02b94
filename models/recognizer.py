"""The recogniser: a small CNN that says which of the world's kinds a drawing shows.

    any picture ──prepare──► ink map (1,32,32) ──features──► embedding (E) ──cosine head──► one score per kind
                                                                  │
                                   a new kind = one more head row, started at its examples' mean embedding

It learns from the world's pencil doodles and from stroke doodles drawn the many ways children draw
each kind (doodles.py), each passed through the same `prepare` as a child's canvas (crop to the
drawing, scale it to fit keeping its shape, centre it, widen a thin pen to a standard width), then bent, thickened and thinned at random so a shaky,
off-centre, fat or faint drawing still looks familiar. The head compares directions (cosine),
so a new kind can start from the average direction of a few drawings ("weight imprinting",
Qi, Brown & Lowe 2018) and only needs a few seconds of fine-tuning. Finding things in a bigger
picture with it is in scenes.py.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from . import doodles, engine
from .optim import Adam, AdamW
from .world import KINDS, make_pictures

WEIGHTS = Path(__file__).parent / "weights" / "recognizer.pt"


@dataclass
class RecognizerConfig:
    size: int = 32          # the model sees a 32x32 ink map
    fit: int = 26           # the drawing's longer side inside it (3 px of paper all round)
    pen: float = 2.0        # thinner strokes are widened to this many of the model's pixels (0: left as drawn)
    width: int = 12         # channels of the first block; then 2x and 4x
    embed: int = 64         # length of the embedding the head compares
    scale: float = 12.0     # cosine head temperature: cos in [-1, 1] -> logits in [-12, 12]
    batch: int = 96
    lr: float = 3e-3
    pool: int = 6000        # prepared world line drawings the trainer draws its batches from ...
    strokes: int = 10000    # ... and prepared stroke doodles (doodles.py), every kind drawn many ways
    steps: int = 1500       # planned steps: the learning rate follows a cosine over them, then stays low


SMALL = RecognizerConfig(width=8, embed=32, pool=1000, strokes=1000, steps=200)   # for quick tests


# ── 1. From any picture to ink on paper ──────────────────────────────────────────────────────────
def _rgb_on_paper(image) -> np.ndarray:
    """PIL image or array (H,W), (H,W,1|3|4), uint8 or float -> float32 (H,W,3) in 0..255, alpha over white."""
    if isinstance(image, Image.Image):
        if max(image.size) > 1024:   # a big photo: a smaller copy has the same drawing, much faster
            image = image.copy()
            image.thumbnail((1024, 1024), Image.BOX)
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            image = image.convert("RGBA")
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image = np.asarray(image)
    a = np.asarray(image)
    if a.dtype == bool:
        a = np.where(a, 0, 255)                                 # True = ink
    elif a.dtype.kind == "f" and a.size and np.nanmax(a) <= 1.0:
        a = a * 255.0                                           # floats in [0, 1]
    a = np.nan_to_num(a.astype(np.float32))
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[2] not in (1, 3, 4) or min(a.shape[:2]) < 1:
        raise ValueError(f"not a picture: array of shape {np.shape(image)}")
    if a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    if a.shape[2] == 4:                                         # transparent = paper
        alpha = a[..., 3:] / 255.0
        a = a[..., :3] * alpha + 255.0 * (1.0 - alpha)
    return a


def ink_map(image) -> np.ndarray:
    """How far each pixel is from the paper's colour, (H,W) float32 in [0, 1]. Paper = the border's median."""
    rgb = _rgb_on_paper(image)
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    paper = np.median(border, axis=0)
    return np.abs(rgb - paper).max(axis=2) / 255.0              # any colour of pen, any colour of paper


def _ink_box(ink, level=0.25):
    rows, cols = np.flatnonzero((ink > level).any(1)), np.flatnonzero((ink > level).any(0))
    return None if len(rows) == 0 else (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)


def is_empty(image) -> bool:
    """True when there is too little ink to guess from: a blank canvas, a speck, a tiny dot."""
    return _empty(ink_map(image))


def _empty(ink) -> bool:
    h, w = ink.shape
    box = _ink_box(ink)
    if box is None:
        return True
    extent = max(box[1] - box[0], box[3] - box[2])
    return bool((ink > 0.25).sum() < max(12, 0.0015 * h * w) or extent < 0.1 * max(h, w))


def prepare(image, config: RecognizerConfig = RecognizerConfig()) -> np.ndarray:
    """Any picture -> the model's input: (size, size) float32 ink in [0, 1], the drawing cropped to its
    ink, scaled keeping its shape until its longer side is `config.fit` pixels, centred, and its strokes
    at least `config.pen` of those pixels wide (a thin pencil and a fat marker look alike)."""
    return _fit(ink_map(image), config)


def pen_width(ink, level: float = 0.25) -> float:
    """The strokes' mean width in pixels of `ink` ((H,W) in [0, 1]): a stroke of length L and width w
    covers L*w pixels and has about 2L pixels on its edge, so width = 2 * area / edge pixels.
    A one-pixel line measures 2 (all its pixels are edge); no ink measures 0."""
    m = np.pad(np.asarray(ink) > level, 1)
    area = int(m.sum())
    inner = m[1:-1, 1:-1] & m[:-2, 1:-1] & m[2:, 1:-1] & m[1:-1, :-2] & m[1:-1, 2:]
    return 2.0 * area / max(area - int(inner.sum()), 1)


def _widen(ink, k: int) -> np.ndarray:
    """Each pixel takes the darkest ink in the k x k square around it (k odd): strokes k-1 pixels wider."""
    r = k // 2
    out = np.pad(ink, r)
    out = np.lib.stride_tricks.sliding_window_view(out, k, axis=0).max(-1)
    return np.lib.stride_tricks.sliding_window_view(out, k, axis=1).max(-1)


def _fit(ink, config: RecognizerConfig) -> np.ndarray:
    out = np.zeros((config.size, config.size), np.float32)
    box = _ink_box(ink)
    if box is None:
        return out
    crop = np.where(ink > 0.08, ink, 0.0)[box[0]:box[1], box[2]:box[3]]   # drop paper grain and JPEG fuzz
    h, w = crop.shape
    k = config.fit / max(h, w)
    # A thin pen: widen its strokes (here, before shrinking) until they will be `pen` pixels wide in the end.
    grow = int(round((config.pen / k - pen_width(crop)) / 2)) if config.pen else 0
    if grow > 0:
        crop = _widen(crop, 2 * grow + 1)
        h, w = crop.shape
        k = config.fit / max(h, w)
    nh, nw = max(1, round(h * k)), max(1, round(w * k))
    # Shrinking averages pixels (BOX); growing interpolates (BILINEAR).
    small = Image.fromarray(crop.astype(np.float32), mode="F").resize((nw, nh), Image.BOX if k < 1 else Image.BILINEAR)
    top, left = (config.size - nh) // 2, (config.size - nw) // 2
    out[top:top + nh, left:left + nw] = np.asarray(small)
    # A thin pen shrinks to faint grey: stretch so that the strokes' bright part reaches 1.
    strokes = out[out > 0.05]
    if strokes.size:
        out = np.clip(out / max(np.percentile(strokes, 90), 0.1), 0.0, 1.0)
    return out


def ink_to_picture(x) -> np.ndarray:
    """Model input (H,W) ink -> uint8 (H,W) pencil on white, to show what the model sees."""
    return (255 - np.asarray(x, np.float32) * 255 + 0.5).clip(0, 255).astype(np.uint8)


# ── 2. Augmentation: a child's hand is not the world's ────────────────────────────────────────
def _affine(b: int, generator: torch.Generator | None) -> torch.Tensor:
    """b random 2x3 maps for affine_grid: turn +-12 degrees, scale 0.8-1.08 (of the output size),
    shear +-8 degrees, shift +-7% of the picture, and a mirror half the time. (B, 2, 3)"""
    r = torch.rand(b, 6, generator=generator)
    turn = (r[:, 0] * 2 - 1) * math.radians(12)
    shear = (r[:, 1] * 2 - 1) * math.radians(8)
    zoom = 0.8 + 0.28 * r[:, 2]
    flip = torch.where(r[:, 3] < 0.5, -1.0, 1.0)
    c, s = torch.cos(turn), torch.sin(turn)
    # affine_grid maps OUTPUT coordinates to where they read from in the input: the inverse of the bend.
    m = torch.stack([torch.stack([c * flip, -s + torch.tan(shear)], 1), torch.stack([s * flip, c], 1)], 1) / zoom.view(-1, 1, 1)
    shift = ((r[:, 4:6] * 2 - 1) * 0.14).unsqueeze(2)               # affine_grid's coordinates span [-1, 1]
    return torch.cat([m, shift], 2)


def augment(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """(B,1,S,S) ink in [0, 1] -> the same drawings, slanted, shifted, mirrored, wobbled, fatter or thinner,
    with gaps and fainter pens. Every random draw comes from `generator` (None: torch's global one)."""
    b, _, s, _ = x.shape
    r = torch.rand(b, 5, generator=generator)
    # Stroke thickness: dilate (max-pool) or erode (min-pool); erode only strokes thick enough to survive.
    fat = F.max_pool2d(x, 3, 1, 1)
    thin = -F.max_pool2d(-x, 3, 1, 1)
    survives = thin.sum((1, 2, 3)) > 0.4 * x.sum((1, 2, 3))
    x = torch.where((r[:, 0] < 0.3).view(-1, 1, 1, 1), fat, x)
    x = torch.where(((r[:, 0] > 0.8) & survives).view(-1, 1, 1, 1), thin, x)
    # Bend: one affine map per drawing, plus a smooth random wobble (an elastic warp) for half of them.
    grid = F.affine_grid(_affine(b, generator), list(x.shape), align_corners=False)          # (B,S,S,2)
    wobble = torch.randn(b, 2, 5, 5, generator=generator) * 0.06 * (r[:, 1] < 0.5).view(-1, 1, 1, 1)
    grid = grid + F.interpolate(wobble, size=(s, s), mode="bicubic", align_corners=True).permute(0, 2, 3, 1)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    # Gaps in the strokes: rub out one small square in some drawings.
    cy, cx = (torch.rand(2, b, 1, 1, generator=generator) * s).unbind(0)
    yy, xx = torch.arange(s).view(1, s, 1), torch.arange(s).view(1, 1, s)
    gap = ((yy - cy).abs() < 3) & ((xx - cx).abs() < 3) & (r[:, 2] < 0.3).view(-1, 1, 1)
    return (x * (~gap).unsqueeze(1) * r[:, 3].mul(0.4).add(0.6).view(-1, 1, 1, 1)).clamp(0, 1)


# ── 3. The network ─────────────────────────────────────────────────────────────────────────────
def _block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Recognizer(nn.Module):
    def __init__(self, config: RecognizerConfig = RecognizerConfig(), kinds=KINDS, generator: torch.Generator | None = None):
        super().__init__()
        self.config, self.kinds = config, list(kinds)
        w = config.width
        # torch's layers draw their first weights from the global generator as they are built; with a
        # generator of our own, that draw is thrown away (the global state is put back) and redone below.
        with torch.random.fork_rng(devices=[], enabled=generator is not None):
            self.features = self._features(config, w)
        self.head = nn.Parameter(torch.randn(len(self.kinds), config.embed, generator=generator) * 0.1)   # (K, E)
        self.examples: dict[str, torch.Tensor] = {}   # drawings of kinds learned later (for replay)
        for m in self.features:                       # torch's default start, drawn from `generator`
            for layer in (m if isinstance(m, nn.Sequential) else [m]):
                if isinstance(layer, (nn.Conv2d, nn.Linear)):
                    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
                    if layer.bias is not None:
                        bound = 1 / math.sqrt(layer.weight[0].numel())
                        nn.init.uniform_(layer.bias, -bound, bound, generator=generator)

    @staticmethod
    def _features(config, w):
        return nn.Sequential(
            _block(1, w), nn.MaxPool2d(2),            # (B, w, 16, 16)
            _block(w, 2 * w), nn.MaxPool2d(2),        # (B, 2w, 8, 8)
            _block(2 * w, 4 * w), nn.MaxPool2d(2),    # (B, 4w, 4, 4)
            nn.Flatten(),                             # (B, 64w)  where things are still matters
            nn.Linear(16 * 4 * w, config.embed),      # (B, E)
        )

    def embed(self, x):                               # (B,1,32,32) -> (B,E), unit length
        return F.normalize(self.features(x), dim=1)

    def scores(self, e):                              # (B,E) -> (B,K): scaled cosine to each kind's row
        return self.config.scale * e @ F.normalize(self.head, dim=1).T

    def forward(self, x):                             # (B,1,32,32) -> (B,K) logits
        return self.scores(self.embed(x))


# ── 4. Training on the world's doodles and on children's ways of drawing ───────────────────────
def training_pictures(n, seed, config: RecognizerConfig = RecognizerConfig()):
    """n world line drawings at mixed sizes (so strokes are thick or thin), prepared: ((n,1,32,32), (n,))."""
    sizes = (32, 48, 64, 96)
    xs, ys = [], []
    for i, size in enumerate(sizes):
        pics = make_pictures(max(1, n // len(sizes)), seed=seed * 10 + i, style="line", size=size, captions=False)
        xs += [prepare(im, config) for im in pics.images]
        ys.append(pics.kinds)
    return torch.from_numpy(np.stack(xs)).unsqueeze(1), torch.from_numpy(np.concatenate(ys))


def stroke_pictures(n, seed, config: RecognizerConfig = RecognizerConfig(), size: int = 112):
    """n stroke doodles (doodles.draw: every kind drawn the ways children draw it), drawn at `size`
    pixels (pens scaled as on a 280-pixel canvas) and prepared: ((n,1,32,32), (n,)), kinds in turn."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(KINDS)
    xs = [prepare(doodles.draw(KINDS[k], rng, size=size), config) for k in labels]
    return torch.from_numpy(np.stack(xs)).unsqueeze(1), torch.from_numpy(labels)


def learning_rate(config: RecognizerConfig, step: int) -> float:
    """A cosine over the planned steps, from lr down to lr/20, then lr/20."""
    done = min(1.0, step / max(1, config.steps))
    return config.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * done)))


class RecognizerTrainer:
    """One step = one batch of augmented, prepared doodles (world and strokes). Follows engine.Trainer.
    The trainer owns its random numbers: one torch.Generator seeded with `seed` (nothing global)."""

    def __init__(self, config: RecognizerConfig = RecognizerConfig(), seed: int = 0, data=None):
        self.config, self.steps = config, 0
        self.generator = torch.Generator().manual_seed(seed)
        self.model = Recognizer(config, generator=self.generator)
        if data is None:
            world_x, world_y = training_pictures(config.pool, seed, config)
            stroke_x, stroke_y = stroke_pictures(config.strokes, seed, config)
            data = torch.cat([world_x, stroke_x]), torch.cat([world_y, stroke_y])
        self.images, self.labels = data
        self.optimizer = AdamW(self.model.parameters(), lr=config.lr, weight_decay=1e-4)

    def step(self) -> dict:
        for g in self.optimizer.param_groups:
            g["lr"] = learning_rate(self.config, self.steps)
        self.model.train()
        i = torch.randint(len(self.labels), (self.config.batch,), generator=self.generator)
        x, y = augment(self.images[i], self.generator), self.labels[i]
        logits = self.model(x)
        loss = F.cross_entropy(logits, y, label_smoothing=0.1)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.steps += 1
        return {"loss": loss.item(), "accuracy": (logits.argmax(1) == y).float().mean().item()}


@torch.no_grad()
def accuracy(model: Recognizer, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    return (torch.cat([model(x).argmax(1) for x in images.split(512)]) == labels).float().mean().item()


# ── 5. Guessing, and what mattered for the guess ──────────────────────────────────────────────
@dataclass
class Guess:
    kinds: list                        # names, one per score
    probs: np.ndarray                  # (K,) how sure, for each kind; all 0 when empty
    seen: np.ndarray                   # (32,32) the drawing as the model sees it
    saliency: np.ndarray               # (32,32) in [0, 1]: which parts pushed towards the best kind
    empty: bool = False

    @property
    def best(self) -> tuple[str, float]:
        i = int(self.probs.argmax())
        return self.kinds[i], float(self.probs[i])

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(zip(self.kinds, self.probs.tolist()), key=lambda kp: -kp[1])


def saliency(model: Recognizer, x: torch.Tensor, k: int, copies: int = 12, noise: float = 0.15) -> np.ndarray:
    """Which ink spoke for kind k: gradient x input, averaged over noisy copies (SmoothGrad,
    Smilkov et al. 2017) so the map follows the strokes instead of speckling. x (1,1,32,32) -> (32,32)."""
    g = torch.Generator().manual_seed(0)                              # same drawing, same map
    xs = (x + noise * torch.randn(copies, *x.shape[1:], generator=g)).requires_grad_(True)
    logits = model(xs)                                                # (C, K)
    others = torch.cat([logits[:, :k], logits[:, k + 1:]], 1)
    (logits[:, k] - torch.logsumexp(others, 1)).sum().backward()     # log-odds: no saturation at 99.9%
    heat = (xs.grad.mean(0, keepdim=True) * x).clamp(min=0)           # (1,1,32,32) only ink that helped
    heat = F.avg_pool2d(heat, 5, 1, 2)[0, 0] * (x[0, 0] > 0.05)      # smooth, but stay on the strokes
    return (heat / heat.max().clamp(min=1e-8)).detach().numpy()


def predict(model: Recognizer, image) -> Guess:
    """Any picture -> a Guess: probabilities for every kind the model knows, and a saliency map."""
    model.eval()
    ink = ink_map(image)
    seen = _fit(ink, model.config)
    if _empty(ink):
        zeros = np.zeros_like(seen)
        return Guess(list(model.kinds), np.zeros(len(model.kinds), np.float32), seen, zeros, empty=True)
    x = torch.from_numpy(seen)[None, None]                            # (1,1,32,32)
    with torch.no_grad():
        probs = model(x).softmax(1)[0].numpy()
    return Guess(list(model.kinds), probs, seen, saliency(model, x, int(probs.argmax())))


# ── 6. A new kind from a few drawings ─────────────────────────────────────────────────────────
class NewKindTrainer:
    """Trains only the new kind's head row, on embeddings of augmented drawings (the body stays frozen).

    Old kinds' drawings are replayed so the new row learns where it must NOT point: that is what keeps
    old kinds from being forgotten. Follows engine.Trainer.
    """

    def __init__(self, model: Recognizer, name: str, drawings: torch.Tensor, seed: int = 0, copies: int = 24):
        self.model, self.steps = model, 0
        g = torch.Generator().manual_seed(seed)
        model.eval()
        # 1. Examples: old world doodles, drawings of kinds taught earlier, and the new drawings bent many ways.
        old_x, old_y = replay_pictures(seed, model.config)
        xs, ys = [old_x], [old_y]
        for j, kind in enumerate(model.kinds):
            if kind in model.examples and kind != name:
                earlier = augment(model.examples[kind].repeat(8, 1, 1, 1), g)
                xs.append(earlier), ys.append(torch.full((len(earlier),), j))
        known = name in model.kinds
        if known:                                                     # more drawings of a kind it knows
            self.k = model.kinds.index(name)
            if name in model.examples:
                drawings = torch.cat([model.examples[name], drawings])
        else:
            self.k = len(model.kinds)
            model.kinds.append(name)
            model.head = nn.Parameter(torch.cat([model.head.data, torch.zeros(1, model.config.embed)]),
                                      requires_grad=False)
        model.examples[name] = drawings
        new = torch.cat([drawings, augment(drawings.repeat(copies, 1, 1, 1), g)])
        xs.append(new), ys.append(torch.full((len(new),), self.k))
        with torch.no_grad():
            self.e, self.y = model.embed(torch.cat(xs)), torch.cat(ys)   # (N, E) once: the body is frozen
        # 2. Imprint: the row starts at the mean direction of the new drawings (and its old row, if any).
        start = F.normalize(self.e[self.y == self.k].mean(0), dim=0)
        if known:
            start = F.normalize(start + F.normalize(model.head.data[self.k], dim=0), dim=0)
        self.row = start.clone().requires_grad_(True)
        self.optimizer = Adam([self.row], lr=0.02)
        # Weight the classes so five drawings count as much as hundreds of old ones.
        counts = torch.bincount(self.y, minlength=len(model.kinds)).float().clamp(min=1)
        self.weights = counts.sum() / counts / len(model.kinds)

    def step(self) -> dict:
        head = torch.cat([self.model.head.data[:self.k], self.row[None], self.model.head.data[self.k + 1:]])
        logits = self.model.config.scale * self.e @ F.normalize(head, dim=1).T
        loss = F.cross_entropy(logits, self.y, weight=self.weights)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.model.head.data[self.k] = self.row.detach()
        self.steps += 1
        right = logits.argmax(1) == self.y
        return {"loss": loss.item(), "new_kind_accuracy": right[self.y == self.k].float().mean().item()}


def replay_pictures(seed: int, config: RecognizerConfig, per_kind: int = 30):
    """A few fresh world doodles of every old kind, prepared and bent: ((N,1,32,32), (N,))."""
    pics = make_pictures(per_kind * len(KINDS), seed=10_000 + seed, style="line", size=48, captions=False)
    x = torch.from_numpy(np.stack([prepare(im, config) for im in pics.images])).unsqueeze(1)
    return augment(x, torch.Generator().manual_seed(seed)), torch.from_numpy(pics.kinds)


def learn_new_kind(model: Recognizer, name: str, drawings, steps: int = 150, seconds: float | None = None,
                   seed: int = 0, callback=None) -> Recognizer:
    """A COPY of `model` that also knows `name`, learned from a few drawings (any pictures; empty ones
    are skipped) in `steps` steps of the new head row (seconds: an optional cap as well). `model` is
    never changed. Raises ValueError for a blank name or no drawing with ink."""
    name = " ".join(str(name).split())
    if not name:
        raise ValueError("a new kind needs a name")
    kept = [prepare(d, model.config) for d in drawings if not is_empty(d)]
    if not kept:
        raise ValueError("draw at least one picture of the new kind")
    new = copy.deepcopy(model)
    new.requires_grad_(False)
    trainer = NewKindTrainer(new, name, torch.from_numpy(np.stack(kept)).unsqueeze(1), seed)
    engine.train(trainer, seconds=seconds, max_steps=steps, callback=callback, every=0.25)
    return new


# ── 7. Weights (the command line is in commands/recognizer.py) ──────────────────────────────
def save(model: Recognizer, path) -> None:
    state = {k: v.half() for k, v in model.state_dict().items() if v.is_floating_point()}
    state |= {k: v for k, v in model.state_dict().items() if not v.is_floating_point()}
    torch.save({"config": asdict(model.config), "kinds": list(model.kinds), "state": state}, path)


def load(path=None) -> Recognizer:
    """The shipped recogniser (or weights at `path`), ready to guess."""
    path = Path(path) if path else WEIGHTS
    if not path.is_file():
        raise FileNotFoundError(f"no recognizer weights at {str(path)!r}; make them with: "
                                f"python -m models train recognizer --out {path}")
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        known = {f.name for f in fields(RecognizerConfig)}
        config = {"pen": 0.0} | {k: v for k, v in saved["config"].items() if k in known}   # older files: no widening
        model = Recognizer(RecognizerConfig(**config), saved["kinds"])
        state = {k.replace("features.8.", "features.7."): v for k, v in saved["state"].items()}   # files from before
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})  # dropout went
    except Exception:   # a wrong or broken file: say so in one line
        raise ValueError(f"cannot read recognizer weights {str(path)!r}: not a file made by "
                         "'python -m models train recognizer'") from None
    return model.eval().requires_grad_(False)


def load_shipped() -> Recognizer:
    return load()


def held_out(model: Recognizer, seed: int = 123, n: int = 2000) -> tuple[float, dict]:
    """Accuracy on fresh world doodles (a seed training never used): overall and per kind."""
    x, y = training_pictures(n, seed + 1_000_000, model.config)
    model.eval()
    with torch.no_grad():
        right = torch.cat([model(c).argmax(1) for c in x.split(512)]) == y
    return right.float().mean().item(), {k: right[y == i].float().mean().item() for i, k in enumerate(KINDS)}
