"""A video is many pictures in a row: slow walks through the shipped models, one small step a frame.

Two walks, both with the project's shipped models (nothing is trained here):

    dice walk (GAN):   dice A ──slerp──► dice B      each frame: generator(dice_t, kind) ──► picture
    wish walk (diffusion): one start noise, the wish moves from kind A to kind B (its embedding blended)
                       each frame: clean the same noise, steered by wish_t ──► picture

The shipped GAN is ten separate drawers, one per kind (models/gan.py, PerKind): its dice mean different
things to each, so a GAN walk stays inside one kind (a face turning into another face). To turn a face
into a sun, the diffusion model is used: one network for all kinds, whose wish is a vector that can be
blended (as in Stable Diffusion, where walking between prompts' embeddings makes the familiar morphs).
The hard part of video is that each frame must agree with the next; `smoothness` measures it, and
`jumpy` makes the same walk with fresh noise in every frame, which flickers.
Slerp: Shoemake 1985; for GAN latents, White 2016 ("Sampling Generative Networks").
"""

from __future__ import annotations

import copy
import io
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn

from . import engine, gan, seeded, world
from .optim import Adam
from .schedule import ddim_sample, to_uint8


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical walk from a to b (Shoemake 1985, "Animating rotation with quaternion curves"). a, b: (D,);
    t: (F,) in [0, 1] -> (F, D). Falls back to a straight line when a and b point the same way."""
    return slerp_rows(a.expand(len(t), -1), b.expand(len(t), -1), t)


def slerp_rows(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """slerp for many walks at once, row by row: a, b: (N, D); t: (N,) in [0, 1] -> (N, D), row i on the
    walk from a[i] to b[i]. One call for the whole batch: walk_triplets made a call per row and frame
    (48 a live step, ~10 small torch calls each, each taking Python's lock again): measured with py-spy,
    14% of the time a live step held that lock, which two visitors' threads contend for."""
    cos = (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1))                  # (N,)
    omega = torch.arccos(cos.clamp(-1, 1))[:, None]                         # (N, 1)
    t = t[:, None]
    curved = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega).clamp_min(1e-12)
    return torch.where(omega.abs() < 1e-4, (1 - t) * a + t * b, curved)


def dice_walk(generator: nn.Module, kind: str, frames: int = 24, seed: int = 0, jumpy: float = 0.0) -> np.ndarray:
    """A GAN walk inside one kind, from the dice of `seed` to the dice of `seed + 1`:
    (frames, 32, 32, 3) uint8. jumpy > 0 adds that much fresh noise to each frame's dice (0.5 flickers)."""
    z_dim = generator.config.z_dim
    a = torch.randn(z_dim, generator=torch.Generator().manual_seed(seed))
    b = torch.randn(z_dim, generator=torch.Generator().manual_seed(seed + 1))
    z = slerp(a, b, torch.linspace(0, 1, frames))                           # (F, z)
    if jumpy > 0:
        shake = torch.randn(frames, z_dim, generator=torch.Generator().manual_seed(seed + 1000))
        z = z + jumpy * shake
        z = z / z.norm(dim=1, keepdim=True) * a.norm()                      # keep the dice's usual size
    pictures, _ = gan.draw(generator, frames, kinds=torch.full((frames,), gan.kind_index(kind)), z=z)
    return pictures


@torch.no_grad()
def wish_walk(trainer, kind_a: str, kind_b: str, frames: int = 16, seed: int = 0, steps: int = 10,
              jumpy: bool = False) -> np.ndarray:
    """A diffusion walk: the same start noise cleaned `frames` times while the wish moves from kind_a
    to kind_b (their kind embeddings blended). trainer: a DiffusionTrainer that knows all kinds
    (models.diffusion.load_shipped()); it is not changed. jumpy: a fresh start noise every frame.
    Returns (frames, 32, 32, 3) uint8."""
    net = copy.deepcopy(trainer.ema)                 # a private copy: the shared model is never touched
    table = net.kind.weight.data                                            # (kinds + 1, e)
    t = torch.linspace(0, 1, frames)[:, None]
    blend = (1 - t) * table[gan.kind_index(kind_a)] + t * table[gan.kind_index(kind_b)]   # (F, e)
    net.kind = nn.Embedding.from_pretrained(torch.cat([table, blend]))
    labels = len(table) + torch.arange(frames)                              # the blended wishes
    null = torch.full_like(labels, net.null_kind)
    cfg = trainer.config
    lo, hi = (round(f * (cfg.timesteps - 1)) for f in cfg.guidance_band)

    def guess(x: torch.Tensor, step: int) -> torch.Tensor:                  # classifier-free guidance
        at = torch.full((len(x),), step)
        if not lo <= step <= hi:
            return net(x, at, labels)
        with_kind, without = net(torch.cat([x, x]), at.repeat(2), torch.cat([labels, null])).chunk(2)
        return without + cfg.guidance * (with_kind - without)

    gen = torch.Generator().manual_seed(seed)
    noise = torch.randn(frames if jumpy else 1, 3, 32, 32, generator=gen).expand(frames, -1, -1, -1)
    return to_uint8(ddim_sample(guess, trainer.schedule, noise.contiguous(), steps))


def smoothness(frames: np.ndarray) -> float:
    """Mean change from one frame to the next: mean absolute difference of pixel values, 0..255
    (0 = a still picture; lower = smoother). frames: (F, H, W, 3) uint8, F >= 2."""
    if len(frames) < 2:
        raise ValueError("need at least two frames")
    return float(np.abs(np.diff(frames.astype(np.int16), axis=0)).mean())


def gif_bytes(frames: np.ndarray, scale: int = 6, fps: float = 8, bounce: bool = True) -> bytes:
    """An animated GIF (looping; forwards then backwards if bounce) of (F, H, W, 3) uint8 frames,
    each enlarged `scale` times with crisp pixels. Made with Pillow.
    The frames are given one palette of 256 colours at their own small size, then enlarged: choosing
    colours (quantize) for each enlarged frame cost 90% of a live tick's drawing (5 ms a frame, 25 times
    more pixels), and one palette for all frames keeps a colour the same from frame to frame."""
    from PIL import Image

    frames = np.asarray(frames)
    _, h, w, _ = frames.shape
    seq = list(frames) + (list(frames[-2:0:-1]) if bounce else [])
    tall = Image.fromarray(np.concatenate(seq, axis=0)).quantize(256)      # (F*H, W), palette mode
    images = [tall.crop((0, i * h, w, (i + 1) * h)).resize((w * scale, h * scale), Image.NEAREST)
              for i in range(len(seq))]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=round(1000 / fps),
                   loop=0, disposal=2)
    return buf.getvalue()


def film_strip(frames: np.ndarray, every: int = 1) -> np.ndarray:
    """Frames side by side, like film: (H + 2p, ..., 3) uint8 with dark edges."""
    return world.grid(frames[::every], cols=len(frames[::every]), pad=3, fill=40)


# ── A tiny in-betweener that learns live ───────────────────────────────────────────────────────
# Making a video, a model must make the pictures between the ones it knows, each agreeing with its
# neighbours (frame interpolation, as in Google's FILM, Reda et al. 2022; video diffusion models make
# all frames at once for the same reason). Here a small network learns it while the child watches:
#
#   a GAN walk's frames  t-1 and t+1 (2 × (3, 32, 32)) ──► stacked (6, 32, 32)
#     ──► conv 3×3 (C) ──► conv 3×3, dilation 2 (C) ──► conv 3×3, dilation 4 (C) ──► conv 3×3 (3) ──► tanh
#     ──► its guess of frame t (3, 32, 32), in [-1, 1];  loss: mean absolute error to the real frame t
#
# Its examples are made fresh every step by the shipped GAN (frozen, shared by every visitor): a random
# kind, two random dice, three frames a small step apart on the walk between them.

@dataclass
class InBetweenConfig:
    channels: int = 24         # C
    batch: int = 16            # walks per step
    gap: float = 1 / 12        # walk distance between two frames (a 13-frame film)
    lr: float = 3e-3
    kind: str | None = None    # learn from walks of this kind only (None: every kind)

    @classmethod
    def live(cls) -> "InBetweenConfig":
        return cls()

    @classmethod
    def shipped(cls) -> "InBetweenConfig":
        return cls()


class InBetweener(nn.Module):
    def __init__(self, cfg: InBetweenConfig):
        super().__init__()
        c = cfg.channels
        self.net = nn.Sequential(
            nn.Conv2d(6, c, 3, padding=1), nn.GELU(),
            nn.Conv2d(c, c, 3, padding=2, dilation=2), nn.GELU(),
            nn.Conv2d(c, c, 3, padding=4, dilation=4), nn.GELU(),
            nn.Conv2d(c, 3, 3, padding=1), nn.Tanh())

    def forward(self, before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
        """before, after: (B, 3, 32, 32) in [-1, 1] -> the frame between them (B, 3, 32, 32) in [-1, 1]."""
        return self.net(torch.cat([before, after], 1))


def walk_triplets(generator: nn.Module, n: int, gap: float, gen: torch.Generator,
                  kind: str | None = None) -> torch.Tensor:
    """n examples of three frames `gap` apart on GAN walks (random dice; random kinds, or only `kind`):
    (3, n, 3, 32, 32) float in [-1, 1]: before, middle, after."""
    z_dim = generator.config.z_dim
    a, b = torch.randn(2, n, z_dim, generator=gen)
    t0 = torch.rand(n, generator=gen) * (1 - 2 * gap)
    kinds = torch.randint(len(world.KINDS), (n,), generator=gen)
    if kind is not None:
        kinds = torch.full((n,), gan.kind_index(kind))
    z = torch.cat([slerp_rows(a, b, t0 + k * gap) for k in range(3)])       # (3n, z): one walk per row
    was = generator.training                  # the shipped generator is already in eval mode (and shared
    if was:                                   # by every visitor's trainer: not switched back and forth)
        generator.eval()
    with torch.no_grad():
        x = generator(z, kinds.repeat(3))                                   # (3n, 3, 32, 32)
    if was:
        generator.train()
    return x.reshape(3, n, 3, 32, 32)


class InBetweenTrainer:
    """Owns the in-betweener, its optimiser and its own random generator; borrows the shipped GAN
    generator (never changed) to make examples. One step() = one batch of fresh walks."""

    def __init__(self, generator: nn.Module, config: InBetweenConfig | None = None, seed: int = 0):
        self.config = cfg = config or InBetweenConfig.live()
        self.generator = generator
        self.gen = torch.Generator().manual_seed(seed)
        with seeded.untouched_global_rng():              # torch's global dice stay as they were (other visitors')
            torch.manual_seed(seed)      # parameter initialisation only
            self.model = InBetweener(cfg)
        self.opt = Adam(self.model.parameters(), lr=cfg.lr)
        self.steps = 0

    def step(self) -> dict:
        cfg = self.config
        before, middle, after = walk_triplets(self.generator, cfg.batch, cfg.gap, self.gen, cfg.kind)
        guess = self.model(before, after)                                   # (B, 3, 32, 32)
        loss = (guess - middle).abs().mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.steps += 1
        return {"loss": loss.item()}

    def memory_bytes(self) -> int:
        """Weights, gradients and Adam's two moments (the GAN is shared, not counted)."""
        return engine.parameter_bytes(self.model) * 4

    def state_dict(self) -> dict:
        """What `python -m models train video` saves: the config, the in-betweener's weights, the steps
        (not the GAN: it is the shipped one)."""
        return {"config": asdict(self.config), "model": self.model.state_dict(), "steps": self.steps}

    @classmethod
    def from_state(cls, state: dict, generator: nn.Module | None = None) -> "InBetweenTrainer":
        """A trainer from `state_dict()`, borrowing `generator` (default: the shipped GAN).
        Raises KeyError, TypeError or RuntimeError if `state` is not an in-betweener's."""
        trainer = cls(generator if generator is not None else gan.load_shipped(), InBetweenConfig(**state["config"]))
        trainer.model.load_state_dict(state["model"])
        trainer.steps = state["steps"]
        return trainer

    @torch.no_grad()
    def film(self, kind: str, keys: int = 7, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """A film of 2 * keys - 1 frames on one GAN walk: the even frames drawn by the GAN (key frames),
        each odd frame made by the in-betweener from its two neighbours.
        Returns (film, real): both (2 * keys - 1, 32, 32, 3) uint8; `real` has the GAN's own odd frames."""
        frames = 2 * keys - 1
        g = torch.Generator().manual_seed(seed)
        a, b = torch.randn(2, self.generator.config.z_dim, generator=g)
        z = slerp(a, b, torch.linspace(0, 1, frames))
        was = self.generator.training
        self.generator.eval()
        real = self.generator(z, torch.full((frames,), gan.kind_index(kind)))    # (F, 3, 32, 32)
        self.generator.train(was)
        self.model.eval()
        made = real.clone()
        made[1::2] = self.model(real[0:-1:2], real[2::2])
        self.model.train()
        return (world.from_tensor_range(made.numpy()), world.from_tensor_range(real.numpy()))


FILM_KINDS = ("face", "cat", "flower", "star")


def cross_fade(real: np.ndarray) -> np.ndarray:
    """A plain cross-fade of a film: each middle (odd) frame the mean of its two neighbours.
    real: (F, H, W, 3) uint8, F odd >= 3; returns (F, H, W, 3) float32, 0..255 (not rounded)."""
    fade = real.astype(np.float32)
    fade[1::2] = (fade[0:-1:2] + fade[2::2]) / 2
    return fade


def middle_errors(film: np.ndarray, real: np.ndarray) -> tuple[float, float]:
    """How far the middle (odd) frames are from the GAN's own, mean absolute difference 0..255: the
    in-betweener's (`film`) and a plain cross-fade's (cross_fade of `real`).
    film, real: (F, H, W, 3) uint8 as from InBetweenTrainer.film, F odd >= 3."""
    truth = real[1::2].astype(np.float32)
    return float(np.abs(film[1::2] - truth).mean()), float(np.abs(cross_fade(real)[1::2] - truth).mean())


def film_measures(trainer: InBetweenTrainer, kinds=FILM_KINDS, keys: int = 7, seed: int = 11) -> dict:
    """How good the in-betweener's films are, over one 2 * keys - 1 frame film per kind (seed, seed + 1, ...).
    Returns mean values 0..255: `change` (change per frame of its film), `error` (its middle frames
    against the GAN's own), `gan_change` (the GAN's own film), `fade_change` and `fade_error` (the same
    for a plain cross-fade: each middle frame the mean of its two neighbours)."""
    films = [trainer.film(kind, keys=keys, seed=seed + i) for i, kind in enumerate(kinds)]
    fade = [np.round(cross_fade(r)).astype(np.uint8) for _, r in films]
    errors = np.array([middle_errors(m, r) for m, r in films])
    return {"change": float(np.mean([smoothness(m) for m, _ in films])), "error": float(errors[:, 0].mean()),
            "gan_change": float(np.mean([smoothness(r) for _, r in films])),
            "fade_change": float(np.mean([smoothness(f) for f in fade])), "fade_error": float(errors[:, 1].mean())}
