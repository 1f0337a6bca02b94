"""Denoising diffusion: a small U-Net learns to see the clean picture under the noise.

Training, one step: take clean pictures x0, pick a noise level t for each, mix in noise, and ask the
network to guess x0 back. Drawing: start from pure noise and let the sampler (models/schedule.py) ask
the network again and again, each time keeping a little less noise.

    x0 (B,3,32,32) ─add_noise(t)─► x_t ─► U-Net(x_t, t, kind) ─► guess of x0 ──► MSE against x0

Why guess x0 and not the noise ε: on a CPU with a couple of minutes to learn, a network that guesses the
clean picture draws recognisable shapes after a minute, one that guesses ε draws nothing yet (measured:
shared/probe-results.md). Kind steering is classifier-free guidance (Ho & Salimans 2022): the kind is
sometimes hidden during training (the "null" kind), and sampling pushes the guess away from the
kind-less guess, towards the kind asked for: x0 = x0_null + w · (x0_kind − x0_null), and only in the
middle of the walk (Kynkäänniemi et al. 2024: steering at the noisiest and cleanest steps hurts).
A model learning one kind live has no kind to steer by; it steers away from a younger copy of itself,
saved when it had trained half as long (autoguidance, Karras et al. 2024): x0 = x0_now + w · (x0_now −
x0_younger), "more of what it has learned since then".

    U-Net   32×32 ─2×2 patches─► 16×16 ─res─┬──────────────────────────── concat ─res─► 16×16 ─► 32×32
                                            8×8 ─res─(attn)─┬────── concat ─res─► 8×8 ┘
                                                            4×4 ─res─(attn)─res─► 4×4 ┘
            every res block hears the noise level t and the kind (a scale and shift per channel)
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import ema, engine, seeded, weights_io, world
from .optim import Adam
from .schedule import NoiseSchedule, Sampling, ddim_sample, to_uint8

WEIGHTS = Path(__file__).resolve().parent / "weights" / "diffusion.pt"
YOUNGER_KEPT = 3              # younger copies kept for self-guidance (2.3 MB each)


def next_snapshot(last: int) -> int:
    """When to save the next younger copy: 100 steps, then each √2 times the last (100, 141, 200, 283...),
    so a copy about half as trained as now is always at hand."""
    return 100 if last == 0 else math.ceil(last * math.sqrt(2))


@dataclass
class DiffusionConfig:
    width: int = 32                  # channels of the first level; the next two get width × mults
    mults: tuple = (1, 2, 2)         # channel multipliers per level
    patch: int = 2                   # work on 2×2 pixel patches: a 16×16 grid, 4× cheaper per layer
    attention: bool = False          # self-attention on the two smallest grids: every place sees every other
    groups: int = 8                  # GroupNorm groups (batch statistics would mix noise levels)
    timesteps: int = 100             # noise levels in the schedule
    batch: int = 32                  # small batches, more steps: on a CPU that learns faster
    lr: float = 2e-3                 # Adam's learning rate after the warm-up
    warmup: int = 50                 # steps of rising learning rate: big first steps blow up
    clip: float = 1.0                # gradient norm clip
    ema: float = 0.99                # decay of the smoothed copy used for drawing (models/ema.py)
    t_power: float = 1.0             # noise levels drawn as T·u^t_power: below 1, noisier levels more often
    p_null: float = 0.1              # how often the kind is hidden in training (for guidance)
    guidance: float = 2.0            # w: 1 = plain conditional; more = more "like the kind asked for"
    guidance_band: tuple = (0.0, 1.0)   # steer (either way) only in this part of the walk (0 clean ... 1 pure noise)
    self_guidance: float = 0.0       # w: steer away from a younger copy of the model (0: off)
    sample_steps: int = 20           # default DDIM steps
    pool: int = 2048                 # pictures kept in memory; a fresh pool is drawn after each pass
    seconds: float = 180.0           # default training time for the command line

    @classmethod
    def live(cls) -> "DiffusionConfig":
        """One kind, one thread, a couple of minutes while a child watches: no kind to steer by, so it
        steers away from its younger self (the experiments: docs/notes/diffusion.md)."""
        return cls(p_null=0.0, guidance=1.0, attention=True, self_guidance=2.5, guidance_band=(0.2, 1.0), batch=16)

    @classmethod
    def shipped(cls) -> "DiffusionConfig":
        """All ten kinds, trained once with the command line and shipped."""
        return cls(lr=1.5e-3, warmup=200, ema=0.999, pool=4096, sample_steps=10, seconds=3600.0,
                   attention=True, guidance=3.0, guidance_band=(0.2, 0.8))

    @classmethod
    def from_dict(cls, d: dict) -> "DiffusionConfig":
        """The config saved with weights (lists where the dataclass has tuples: mults, guidance_band)."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in cls.__dataclass_fields__})


# ── The network ─────────────────────────────────────────────────────────────────────────────────
def timestep_features(t: torch.Tensor, dim: int, timesteps: int) -> torch.Tensor:
    """Sine waves of the noise level (Vaswani et al. 2017, as in DDPM): (B,) -> (B, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = (t.float() / timesteps * 1000.0)[:, None] * freqs[None]       # (B, half)
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class ResBlock(nn.Module):
    """norm → SiLU → conv, add the step/kind signal, norm → SiLU → conv, plus a shortcut."""

    def __init__(self, c_in: int, c_out: int, emb: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(min(groups, c_in), c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb, 2 * c_out)                   # a scale and a shift per channel
        self.norm2 = nn.GroupNorm(min(groups, c_out), c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        self.conv2.init_zero = True                            # each block starts as the identity
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))                  # (B, c_out, H, W)
        scale, shift = self.emb(e)[:, :, None, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift
        return self.skip(x) + self.conv2(F.silu(h))


class Attention(nn.Module):
    """Self-attention over the places of a small grid (as in the DDPM U-Net, Ho et al. 2020): each place
    looks at every other, so far-apart parts (a sun's rays all round) can agree. (B,C,H,W) -> same."""

    def __init__(self, c: int, groups: int, heads: int = 4):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(min(groups, c), c)
        self.qkv = nn.Conv2d(c, 3 * c, 1)
        self.proj = nn.Conv2d(c, c, 1)
        self.proj.init_zero = True                             # starts as the identity
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).transpose(-1, -2).unbind(1)
        out = F.scaled_dot_product_attention(q, k, v)          # (B, heads, HW, C/heads)
        return x + self.proj(out.transpose(-1, -2).reshape(b, c, h, w))


class UNet(nn.Module):
    """Noisy pictures + noise level + kind -> a guess of the clean pictures (diagram at the top)."""

    def __init__(self, config: DiffusionConfig, kinds: int = len(world.KINDS)):
        super().__init__()
        c1, c2, c3 = (config.width * m for m in config.mults)
        e = 4 * config.width
        self.timesteps = config.timesteps
        self.null_kind = kinds                                 # the extra "no kind given" label
        self.time = nn.Sequential(nn.Linear(config.width, e), nn.SiLU(), nn.Linear(e, e))
        self.kind = nn.Embedding(kinds + 1, e)
        self.patch = p = config.patch
        self.inp = nn.Conv2d(3 * p * p, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, e, config.groups)           # 16×16 (with 2×2 patches: 32/p)
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c2, e, config.groups)           # 8×8
        self.pool2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.mid1 = ResBlock(c2, c3, e, config.groups)            # 4×4: sees the whole picture
        self.mid2 = ResBlock(c3, c3, e, config.groups)
        self.attn2 = Attention(c2, config.groups) if config.attention else nn.Identity()
        self.attn_mid = Attention(c3, config.groups) if config.attention else nn.Identity()
        self.up2 = ResBlock(c3 + c2, c2, e, config.groups)        # 8×8, with the skip from down2
        self.up1 = ResBlock(c2 + c1, c1, e, config.groups)        # 16×16, with the skip from down1
        self.out = nn.Sequential(nn.GroupNorm(min(config.groups, c1), c1), nn.SiLU(), nn.Conv2d(c1, 3 * p * p, 3, padding=1))
        self.width = config.width
        # Channels last (each pixel's channels side by side in memory): torch's CPU convolutions run
        # faster so, here 12% more training steps a second on one thread.
        self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor, t: torch.Tensor, kind: torch.Tensor) -> torch.Tensor:
        """x: (B,3,32,32) noisy pictures; t: (B,) steps; kind: (B,) labels -> (B,3,32,32) guess of x0."""
        e = self.time(timestep_features(t, self.width, self.timesteps)) + self.kind(kind)   # (B, e)
        x = F.pixel_unshuffle(x, self.patch).contiguous(memory_format=torch.channels_last)   # (B, 3·p·p, 32/p, 32/p)
        h1 = self.down1(self.inp(x), e)                        # (B, c1, 16, 16)
        h2 = self.attn2(self.down2(self.pool1(h1), e))         # (B, c2, 8, 8)
        h = self.mid2(self.attn_mid(self.mid1(self.pool2(h2), e)), e)   # (B, c3, 4, 4)
        h = F.interpolate(h, scale_factor=2, mode="nearest")   # (B, c3, 8, 8)
        h = self.up2(torch.cat([h, h2], dim=1), e)             # (B, c2, 8, 8)
        h = F.interpolate(h, scale_factor=2, mode="nearest")   # (B, c2, 16, 16)
        h = self.up1(torch.cat([h, h1], dim=1), e)             # (B, c1, 16, 16)
        return F.pixel_shuffle(self.out(h), self.patch)        # (B, 3, 32, 32)


# ── Training ────────────────────────────────────────────────────────────────────────────────────
class DiffusionTrainer:
    """Owns the U-Net, its EMA copy (used for drawing), the optimiser and the pictures it learns from.

    kind=None learns all ten kinds (with the kind as a label); kind="fish" learns only fish.
    """

    def __init__(self, config: DiffusionConfig | None = None, kind: str | None = None, seed: int = 0):
        if kind is not None:
            world.kind_index(kind)                            # ValueError for an unknown kind
        self.config = config = config or (DiffusionConfig.live() if kind else DiffusionConfig.shipped())
        self.kind = kind
        self.seed = seed
        self.steps = 0
        self.rng = torch.Generator().manual_seed(seed)        # first weights, noise levels, noise, order
        self.np_rng = np.random.default_rng(seed)             # which pictures the world draws
        self.schedule = NoiseSchedule(config.timesteps)
        self.model = seeded.build(lambda: UNet(config), self.rng)   # this trainer's dice only (models/seeded.py)
        with seeded.untouched_global_rng():
            self.ema = UNet(config).requires_grad_(False)     # the smoothed copy that draws (models/ema.py)
        self.ema.load_state_dict(self.model.state_dict())
        self.ema.eval()
        self.opt: Adam | None = None                         # made on the first step: drawing needs none
        self.pool: torch.Tensor | None = None                 # (pool, 3, 32, 32) uint8
        self.pool_kinds: torch.Tensor | None = None           # (pool,) kind indices
        self.order = torch.empty(0, dtype=torch.long)
        self.younger: dict[int, dict] = {}                    # steps -> EMA weights then (self-guidance)
        self._younger_net: tuple[int, UNet] | None = None     # the one last used for drawing
        self.frozen = False                                   # a drawing copy (drawing_copy) never steps

    # 1. Pictures: a pool drawn by the world, walked in a shuffled order, redrawn after each pass.
    def _batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        b = self.config.batch
        if len(self.order) < b:
            pics = world.make_pictures(self.config.pool, seed=int(self.np_rng.integers(2 ** 31)),
                                       kinds=[self.kind] if self.kind else None, captions=False)
            self.pool = torch.from_numpy(pics.images).permute(0, 3, 1, 2).contiguous()
            self.pool_kinds = torch.from_numpy(pics.kinds)
            self.order = torch.randperm(len(self.pool), generator=self.rng)
        idx, self.order = self.order[:b], self.order[b:]
        x0 = self.pool[idx].float() / 127.5 - 1.0                                # (B, 3, 32, 32) in [-1, 1]
        return x0, self.pool_kinds[idx]

    def step(self) -> dict:
        config = self.config
        if self.frozen:
            raise RuntimeError("a drawing copy (drawing_copy) does not learn")
        if self.opt is None:
            self.opt = Adam(self.model.parameters(), lr=config.lr)
        self.model.train()
        x0, kinds = self._batch()
        # 2. Noise each picture to a random level t, and sometimes hide its kind (for guidance).
        u = torch.rand(len(x0), generator=self.rng) ** config.t_power
        t = (u * config.timesteps).long().clamp(max=config.timesteps - 1)            # (B,) noise levels
        noise = torch.randn(x0.shape, generator=self.rng)
        x_t = self.schedule.add_noise(x0, t, noise)                             # (B, 3, 32, 32)
        hide = torch.rand(len(x0), generator=self.rng) < config.p_null
        kinds = torch.where(hide, torch.full_like(kinds, self.model.null_kind), kinds)
        # 3. Guess the clean picture; the loss is how far the guess is from it.
        for group in self.opt.param_groups:                                      # warm-up
            group["lr"] = config.lr * min(1.0, (self.steps + 1) / config.warmup)
        self.opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(self.model(x_t, t, kinds), x0)
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), config.clip)
        self.opt.step()
        # 4. The drawing copy follows the weights slowly, which smooths out the noise of single steps.
        #    Early on it follows faster, so a young model's drawings are not stuck at the random start.
        ema.update(self.ema, self.model, config.ema, self.steps)
        self.steps += 1
        if config.self_guidance and self.steps >= next_snapshot(max(self.younger, default=0)):
            self.younger[self.steps] = {k: v.clone() for k, v in self.ema.state_dict().items()}
            for old in sorted(self.younger)[:-YOUNGER_KEPT]:
                del self.younger[old]
        return {"loss": loss.item()}

    def younger_self(self) -> UNet | None:
        """The saved copy closest to half as trained as now (None before there is one): (B,3,32,32) -> same."""
        ages = [s for s in self.younger if s <= 0.7 * self.steps]
        if not ages:
            return None
        age = min(ages, key=lambda s: abs(s - self.steps / 2))
        if self._younger_net is None or self._younger_net[0] != age:
            if self._younger_net is None:
                with seeded.untouched_global_rng():
                    self._younger_net = (age, UNet(self.config).requires_grad_(False).eval())
            net = self._younger_net[1]
            net.load_state_dict(self.younger[age])
            self._younger_net = (age, net)
        return self._younger_net[1]

    # ── Drawing ─────────────────────────────────────────────────────────────────────────────────
    def drawing_copy(self) -> "DiffusionTrainer":
        """A twin that draws exactly what this trainer draws now (sample, redraw: the same seed gives the
        same pictures), for another thread while this one goes on learning. It has its own copy of the
        EMA net (13 ms to copy the live one; the trainer must not step meanwhile), shares the younger
        copies' saved weights (never changed in place) and builds its own younger net when it draws. It
        has no optimiser nor pictures to learn from: its step() raises RuntimeError."""
        twin = copy.copy(self)
        twin.ema = copy.deepcopy(self.ema)
        twin.model, twin.opt, twin.pool, twin.pool_kinds = twin.ema, None, None, None
        twin.younger, twin._younger_net, twin.frozen = dict(self.younger), None, True
        return twin

    def _labels(self, kind, n: int) -> torch.Tensor:
        """kind: None (the trainer's own kind, else no kind), a name, or one name per picture -> (n,)."""
        if kind is None:
            kind = self.kind
        if kind is None:
            return torch.full((n,), self.model.null_kind, dtype=torch.long)
        names = [kind] * n if isinstance(kind, str) else list(kind)
        labels = [world.kind_index(k) for k in names]          # ValueError for an unknown kind
        for k in names:
            if self.kind is not None and k != self.kind:
                raise ValueError(f"this model learned only {self.kind}, not {k}")
        return torch.tensor(labels, dtype=torch.long)

    def _guesser(self, labels: torch.Tensor, guidance: float):
        """guess(x_t, t) -> x0 for the sampler, with classifier-free guidance or self-guidance when it applies."""
        null = torch.full_like(labels, self.ema.null_kind)
        guided = guidance != 1.0 and bool((labels != self.ema.null_kind).any())
        lo, hi = (round(f * (self.config.timesteps - 1)) for f in self.config.guidance_band)
        w, younger = self.config.self_guidance, self.younger_self() if self.config.self_guidance else None

        def guess(x: torch.Tensor, t: int) -> torch.Tensor:
            steps = torch.full((len(x),), t)
            if not lo <= t <= hi or (younger is None and not guided):
                return self.ema(x, steps, labels)
            if younger is not None:
                now = self.ema(x, steps, labels)
                return now + w * (now - younger(x, steps, labels))
            both = self.ema(torch.cat([x, x]), steps.repeat(2), torch.cat([labels, null]))
            with_kind, without = both.chunk(2)                                   # (B, 3, 32, 32) each
            return without + guidance * (with_kind - without)
        return guess

    @torch.no_grad()
    def sample(self, n: int, kind=None, steps: int | None = None, seed: int = 0, return_all: bool = False,
               guidance: float | None = None, one_noise: bool = False) -> np.ndarray | Sampling:
        """Draw n pictures from pure noise: (n, 32, 32, 3) uint8, or a Sampling with every step.

        The same seed gives the same start noise, so the same pictures. one_noise: all n pictures start
        from the same noise (ask for a different kind for each, and only the steering differs).
        """
        labels = self._labels(kind, n)
        gen = torch.Generator().manual_seed(seed)
        noise = torch.randn(1, 3, 32, 32, generator=gen).repeat(n, 1, 1, 1) if one_noise else \
            torch.randn(n, 3, 32, 32, generator=gen)                             # (n, 3, 32, 32)
        out = ddim_sample(self._guesser(labels, self.config.guidance if guidance is None else guidance),
                          self.schedule, noise, steps or self.config.sample_steps, return_all=return_all)
        return out if return_all else to_uint8(out)

    @torch.no_grad()
    def redraw(self, picture: np.ndarray, strength: float = 0.6, kind=None, steps: int | None = None,
               seed: int = 0, guidance: float | None = None) -> Sampling:
        """SDEdit (Meng et al. 2022): noise a picture `strength` of the way to pure noise, then clean it back.

        picture: (32, 32, 3) or (n, 32, 32, 3) uint8. Little noise keeps the drawing; a lot of noise
        leaves only its rough colours and shapes, and the model imagines the rest.
        """
        pics = picture[None] if picture.ndim == 3 else picture
        x0 = torch.from_numpy(world.to_tensor_range(pics))                       # (n, 3, 32, 32)
        start = self.schedule.step_for_level(float(np.clip(strength, 0.0, 1.0)))
        gen = torch.Generator().manual_seed(seed)
        x_t = self.schedule.add_noise(x0, torch.full((len(x0),), start), torch.randn(x0.shape, generator=gen))
        steps = steps or self.config.sample_steps
        steps = max(2, round(steps * (start + 1) / self.config.timesteps))      # fewer steps from less noise
        labels = self._labels(kind, len(x0))
        return ddim_sample(self._guesser(labels, self.config.guidance if guidance is None else guidance),
                           self.schedule, x_t, steps, start=start, return_all=True)

    # ── Memory and saving ───────────────────────────────────────────────────────────────────────
    def memory_bytes(self) -> int:
        """Bytes held between steps: weights, their gradients, Adam's two moments, the EMA, the pool."""
        copies = 4 if self.opt is not None else 1
        pool = self.pool.numel() if self.pool is not None else 0
        younger = (len(self.younger) + (self._younger_net is not None)) * engine.parameter_bytes(self.ema)
        return engine.parameter_bytes(self.model) * copies + engine.parameter_bytes(self.ema) + pool + younger

    def state_dict(self) -> dict:
        """Everything needed to carry on training exactly (a page keeps a child's model with this)."""
        return {**self.drawing_state(), "model": self.model.state_dict(),
                "opt": self.opt.state_dict() if self.opt is not None else {}}

    def drawing_state(self) -> dict:
        """A copy of what drawing needs (the EMA weights and the younger copies), which training on does
        not change: load_state_dict takes it."""
        return {"config": asdict(self.config), "kind": self.kind or "", "steps": self.steps, "seed": self.seed,
                "ema": {k: v.clone() for k, v in self.ema.state_dict().items()}, "younger": self._younger_state()}

    def _younger_state(self) -> dict:
        # The younger copies are never changed once taken, so they need no copying here.
        return {str(s): w for s, w in self.younger.items()}

    def load_state_dict(self, state: dict) -> None:
        state = weights_io.full(state)
        self.ema.load_state_dict(state["ema"])
        self.model.load_state_dict(state["model"] if "model" in state else state["ema"])
        self.steps = int(state.get("steps", 0))
        self.younger = {int(s): w for s, w in state.get("younger", {}).items()}
        self._younger_net = None
        self.opt = None
        if state.get("opt"):
            self.opt = Adam(self.model.parameters(), lr=self.config.lr)
            self.opt.load_state_dict(state["opt"])

    def save(self, path: str | Path) -> None:
        """The small file to ship (models/weights_io.py, fp16): the config, the EMA weights, the younger copies."""
        weights_io.save(path, {"config": asdict(self.config), "kind": self.kind or "", "steps": self.steps,
                               "ema": self.ema.state_dict(), "younger": self._younger_state()})

    @classmethod
    def load(cls, path: str | Path | None = None, seed: int = 0) -> "DiffusionTrainer":
        """A trainer from a saved file (default: the shipped one). FileNotFoundError if there is none."""
        path = WEIGHTS if path is None else path
        state = weights_io.load(path, make_hint=f"python -m models train diffusion --out {path}")
        trainer = cls(DiffusionConfig.from_dict(state["config"]), kind=state["kind"] or None, seed=seed)
        trainer.load_state_dict(state)
        return trainer


def load_shipped() -> DiffusionTrainer:
    """The shipped all-kinds model, ready to draw (no optimiser until it is asked to train)."""
    return DiffusionTrainer.load(WEIGHTS)
