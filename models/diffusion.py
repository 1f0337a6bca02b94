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

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import engine, world
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
    lr: float = 2e-3
    warmup: int = 50                 # steps of rising learning rate: big first steps blow up
    clip: float = 1.0                # gradient norm clip
    ema: float = 0.99                # EMA decay of the weights used for drawing
    t_power: float = 1.0             # noise levels drawn as T·u^t_power: below 1, noisier levels more often
    p_null: float = 0.1              # how often the kind is hidden in training (for guidance)
    guidance: float = 2.0            # w: 1 = plain conditional; more = more "like the kind asked for"
    guidance_band: tuple = (0.0, 1.0)   # steer (either way) only in this part of the walk (0 clean ... 1 pure noise)
    self_guidance: float = 0.0       # w: steer away from a younger copy of the model (0: off)
    sample_steps: int = 20           # default DDIM steps
    pool: int = 2048                 # pictures kept in memory; a fresh pool is drawn after each pass
    seconds: float = 180.0           # default training time for the command line

    @staticmethod
    def live() -> "DiffusionConfig":
        """One kind, one thread, a couple of minutes while a child watches: no kind to steer by, so it
        steers away from its younger self. Measured on one run's model at 180 s (918 steps, its younger
        self from step 404), 200 pictures: stars 70% on target plain; steered in the noisier 80% of the
        walk, 79/83/83% for w 1/1.5/2; steered all the way (w 1) 84%, but there faces fell from 91% to
        84% (another run), while in the noisier 80% faces stayed at 92/90/89% for w 1/1.5/2.
        The same models plain -> steered (w 1.5, noisier 80%) at 60/120/180 s: stars 25->28%,
        52->64%, 70->83%; faces 72->68%, 85->90%, 95->99%.
        Batches of 16 pictures, not 32: nearly twice the steps (about 9 a second against 5), and on seed 0
        stars at 185 s 85% on target against 77%, faces at 60 s 90% against 73% (94% at 185 s, against
        98%). Batches of 8 (stars 69%) and 24 (75%) were worse; seed 1's stars 77%. Steering harder
        helps stars and costs faces: stars (seed 1) 77/82/82% for w 1.5/2.5/3.5, faces 94/92% for
        w 1.5/2.5 (w 5: stars 84%, faces 83%, on a batch-32 model). Each number: 200 pictures, two
        sets of noise averaged.
        Later probes, stars, 400 pictures, at 1,650 steps (about 180 s): this recipe 83% (seed 0) and
        78.5% (seed 1), 88.5% and 85.5% at 1,900 steps, so one seed's figure says little. Not better:
        lr 1.5e-3 (90%, 70%), lr 3e-3 (75.5%, seed 0), noise levels drawn noisier or cleaner (t_power
        0.7: 80%, 1.3: 77%), a longer EMA (0.999: 80%), width 24 (about 1.45 times the steps: 83% and
        86.5% at 2,500 steps, about 185 s). At 1,650 steps (seed 0, 200 pictures) no sampling setting
        beat this one: w 1.5/3.5/5 gave stars 83.5/81/79% against 85%, the steering band over the whole
        walk 47%, 10 or 40 steps 85.5% and 85%."""
        return DiffusionConfig(p_null=0.0, guidance=1.0, attention=True, self_guidance=2.5, guidance_band=(0.2, 1.0),
                               batch=16)

    @staticmethod
    def shipped() -> "DiffusionConfig":
        """All ten kinds, trained once with the command line and shipped."""
        return DiffusionConfig(lr=1.5e-3, warmup=200, ema=0.999, pool=4096, sample_steps=10, seconds=3600.0,
                               attention=True, guidance=3.0, guidance_band=(0.2, 0.8))


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
        nn.init.zeros_(self.conv2.weight)                      # each block starts as the identity
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
        nn.init.zeros_(self.proj.weight)                       # starts as the identity
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).transpose(-1, -2).unbind(1)
        out = F.scaled_dot_product_attention(q, k, v)          # (B, heads, HW, C/heads)
        return x + self.proj(out.transpose(-1, -2).reshape(b, c, h, w))


class UNet(nn.Module):
    def __init__(self, cfg: DiffusionConfig, kinds: int = len(world.KINDS)):
        super().__init__()
        c1, c2, c3 = (cfg.width * m for m in cfg.mults)
        e = 4 * cfg.width
        self.timesteps = cfg.timesteps
        self.null_kind = kinds                                 # the extra "no kind given" label
        self.time = nn.Sequential(nn.Linear(cfg.width, e), nn.SiLU(), nn.Linear(e, e))
        self.kind = nn.Embedding(kinds + 1, e)
        self.patch = p = cfg.patch
        self.inp = nn.Conv2d(3 * p * p, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, e, cfg.groups)           # 16×16 (with 2×2 patches: 32/p)
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c2, e, cfg.groups)           # 8×8
        self.pool2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.mid1 = ResBlock(c2, c3, e, cfg.groups)            # 4×4: sees the whole picture
        self.mid2 = ResBlock(c3, c3, e, cfg.groups)
        self.attn2 = Attention(c2, cfg.groups) if cfg.attention else nn.Identity()
        self.attn_mid = Attention(c3, cfg.groups) if cfg.attention else nn.Identity()
        self.up2 = ResBlock(c3 + c2, c2, e, cfg.groups)        # 8×8, with the skip from down2
        self.up1 = ResBlock(c2 + c1, c1, e, cfg.groups)        # 16×16, with the skip from down1
        self.out = nn.Sequential(nn.GroupNorm(min(cfg.groups, c1), c1), nn.SiLU(), nn.Conv2d(c1, 3 * p * p, 3, padding=1))
        self.width = cfg.width
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
        if kind is not None and kind not in world.KINDS:
            raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(world.KINDS)}")
        self.config = cfg = config or (DiffusionConfig.live() if kind else DiffusionConfig.shipped())
        self.kind = kind
        self.seed = seed
        self.steps = 0
        engine.seed_everything(seed)
        self.schedule = NoiseSchedule(cfg.timesteps)
        self.model = UNet(cfg)
        self.ema = UNet(cfg).requires_grad_(False)
        self.ema.load_state_dict(self.model.state_dict())
        self.ema.eval()
        self.opt: Adam | None = None                         # made on the first step: drawing needs none
        self.gen = torch.Generator().manual_seed(seed)        # noise levels and noise for training
        self.rng = np.random.default_rng(seed)                # which pictures the world draws
        self.pool: torch.Tensor | None = None                 # (pool, 3, 32, 32) uint8
        self.pool_kinds: torch.Tensor | None = None           # (pool,) kind indices
        self.order = torch.empty(0, dtype=torch.long)
        self.younger: dict[int, dict] = {}                    # steps -> EMA weights then (self-guidance)
        self._younger_net: tuple[int, UNet] | None = None     # the one last used for drawing

    # 1. Pictures: a pool drawn by the world, walked in a shuffled order, redrawn after each pass.
    def _batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        b = self.config.batch
        if len(self.order) < b:
            pics = world.make_pictures(self.config.pool, seed=int(self.rng.integers(2 ** 31)),
                                       kinds=[self.kind] if self.kind else None, captions=False)
            self.pool = torch.from_numpy(pics.images).permute(0, 3, 1, 2).contiguous()
            self.pool_kinds = torch.from_numpy(pics.kinds)
            self.order = torch.randperm(len(self.pool), generator=self.gen)
        idx, self.order = self.order[:b], self.order[b:]
        x0 = self.pool[idx].float() / 127.5 - 1.0                                # (B, 3, 32, 32) in [-1, 1]
        return x0, self.pool_kinds[idx]

    def step(self) -> dict:
        cfg = self.config
        if self.opt is None:
            self.opt = Adam(self.model.parameters(), lr=cfg.lr)
        self.model.train()
        x0, kinds = self._batch()
        # 2. Noise each picture to a random level t, and sometimes hide its kind (for guidance).
        u = torch.rand(len(x0), generator=self.gen) ** cfg.t_power
        t = (u * cfg.timesteps).long().clamp(max=cfg.timesteps - 1)            # (B,) noise levels
        noise = torch.randn(x0.shape, generator=self.gen)
        x_t = self.schedule.add_noise(x0, t, noise)                             # (B, 3, 32, 32)
        hide = torch.rand(len(x0), generator=self.gen) < cfg.p_null
        kinds = torch.where(hide, torch.full_like(kinds, self.model.null_kind), kinds)
        # 3. Guess the clean picture; the loss is how far the guess is from it.
        for group in self.opt.param_groups:                                      # warm-up
            group["lr"] = cfg.lr * min(1.0, (self.steps + 1) / cfg.warmup)
        self.opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(self.model(x_t, t, kinds), x0)
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), cfg.clip)
        self.opt.step()
        # 4. The drawing copy follows the weights slowly, which smooths out the noise of single steps.
        #    Early on it follows faster, so a young model's drawings are not stuck at the random start.
        decay = min(cfg.ema, (1 + self.steps) / (10 + self.steps))
        with torch.no_grad():
            torch._foreach_lerp_(list(self.ema.parameters()), list(self.model.parameters()), 1 - decay)
        self.steps += 1
        if cfg.self_guidance and self.steps >= next_snapshot(max(self.younger, default=0)):
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
            net = self._younger_net[1] if self._younger_net else UNet(self.config).requires_grad_(False).eval()
            net.load_state_dict(self.younger[age])
            self._younger_net = (age, net)
        return self._younger_net[1]

    # ── Drawing ─────────────────────────────────────────────────────────────────────────────────
    def _labels(self, kind, n: int) -> torch.Tensor:
        """kind: None (the trainer's own kind, else no kind), a name, or one name per picture -> (n,)."""
        if kind is None:
            kind = self.kind
        if kind is None:
            return torch.full((n,), self.model.null_kind, dtype=torch.long)
        names = [kind] * n if isinstance(kind, str) else list(kind)
        for k in names:
            if k not in world.KINDS:
                raise ValueError(f"unknown kind {k!r}; choose from {', '.join(world.KINDS)}")
            if self.kind is not None and k != self.kind:
                raise ValueError(f"this model learned only {self.kind}, not {k}")
        return torch.tensor([world.KINDS.index(k) for k in names], dtype=torch.long)

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

    def _younger_state(self, half: bool = False) -> dict:
        # The younger copies are never changed once taken, so they need no copying here.
        return {str(s): {k: (v.half() if half else v) for k, v in w.items()} for s, w in self.younger.items()}

    def load_state_dict(self, state: dict) -> None:
        ema = {k: v.float() for k, v in state["ema"].items()}
        self.ema.load_state_dict(ema)
        self.model.load_state_dict({k: v.float() for k, v in state["model"].items()} if "model" in state else ema)
        self.steps = int(state.get("steps", 0))
        self.younger = {int(s): {k: v.float() for k, v in w.items()} for s, w in state.get("younger", {}).items()}
        self._younger_net = None
        self.opt = None
        if state.get("opt"):
            self.opt = Adam(self.model.parameters(), lr=self.config.lr)
            self.opt.load_state_dict(state["opt"])

    def save(self, path: str | Path) -> None:
        """The small file to ship: the config and the EMA weights in half precision."""
        torch.save({"config": asdict(self.config), "kind": self.kind or "", "steps": self.steps,
                    "ema": {k: v.half() for k, v in self.ema.state_dict().items()},
                    "younger": self._younger_state(half=True)}, path)

    @classmethod
    def load(cls, path: str | Path, seed: int = 0) -> "DiffusionTrainer":
        state = torch.load(path, map_location="cpu", weights_only=True)
        # A saved config may hold lists where the dataclass has tuples (mults, guidance_band).
        config = DiffusionConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in state["config"].items()})
        trainer = cls(config, kind=state["kind"] or None, seed=seed)
        trainer.load_state_dict(state)
        return trainer


def load_shipped() -> DiffusionTrainer:
    """The shipped all-kinds model, ready to draw (no optimiser until it is asked to train)."""
    return DiffusionTrainer.load(WEIGHTS)


# ── Command line (parsed in models/__main__.py) ─────────────────────────────────────────────────
def _load_for_command(path) -> DiffusionTrainer:
    from .__main__ import CommandError

    weights = Path(path) if path else WEIGHTS
    if not weights.exists():
        raise CommandError(f"no weights at {str(weights)!r}; train some with: python -m models train diffusion --out PATH")
    return DiffusionTrainer.load(weights)


def train_command(args) -> None:
    from .__main__ import writable_file

    out = writable_file(args.out)
    torch.set_num_threads(1)     # one thread: the shipped GAN and diffusion runs share a 2-core machine side by side
    trainer = DiffusionTrainer(kind=args.kind, seed=args.seed)
    seconds = args.seconds or trainer.config.seconds
    what = f"only {args.kind}" if args.kind else "all kinds"
    print(f"training diffusion on {what} for {seconds:.0f} s, {torch.get_num_threads()} thread(s)", flush=True)
    last_save = time.perf_counter()

    def report(progress: engine.Progress) -> None:
        nonlocal last_save
        engine.print_progress(progress)
        if time.perf_counter() - last_save > 300:        # a long run leaves usable weights along the way
            trainer.save(out)
            last_save = time.perf_counter()

    engine.train(trainer, seconds=seconds, callback=report, every=10.0)
    trainer.save(out)
    print(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB, {trainer.steps} steps)")


def sample_command(args) -> None:
    from .__main__ import CommandError, save_pngs, writable_dir, write_labels

    out = writable_dir(args.out)
    trainer = _load_for_command(args.weights)
    if args.kind and trainer.kind and args.kind != trainer.kind:
        raise CommandError(f"these weights learned only {trainer.kind}; they cannot draw {args.kind}")
    chunks = []
    for i, start in enumerate(range(0, args.n, 64)):   # a batch at a time keeps memory small
        n = min(64, args.n - start)
        chunks.append(trainer.sample(n, kind=args.kind, steps=args.steps, seed=args.seed * 100003 + i))
    names = save_pngs(np.concatenate(chunks), out)
    if args.kind:
        write_labels(out, ["file", "kind"], [[name, args.kind] for name in names])
    print(f"wrote {len(names)} pictures to {out}")


def on_target(trainer: DiffusionTrainer, judge, per_kind: int = 50, kinds=None, seed: int = 0,
              steps: int | None = None) -> dict:
    """Ask for each kind in turn; the share of pictures the judge recognises as that kind, per kind."""
    kinds = kinds or ([trainer.kind] if trainer.kind else list(world.KINDS))
    return {k: float(judge.on_target(trainer.sample(per_kind, kind=k, steps=steps, seed=seed + i), [k] * per_kind).mean())
            for i, k in enumerate(kinds)}


def evaluate_command(args) -> None:
    trainer = _load_for_command(args.weights)
    # How well it sees through noise: the clean-picture error on fresh pictures at a few noise levels.
    kinds = [trainer.kind] if trainer.kind else None
    pics = world.make_pictures(256, seed=args.seed, kinds=kinds, captions=False)
    x0 = torch.from_numpy(world.to_tensor_range(pics.images))
    gen = torch.Generator().manual_seed(args.seed)
    labels = trainer._labels(trainer.kind or [world.KINDS[k] for k in pics.kinds], len(x0))
    with torch.no_grad():
        for level in (0.25, 0.5, 0.75, 0.95):
            t = torch.full((len(x0),), trainer.schedule.step_for_level(level))
            x_t = trainer.schedule.add_noise(x0, t, torch.randn(x0.shape, generator=gen))
            print(f"noise {level:.2f}: clean-picture error {float(F.mse_loss(trainer.ema(x_t, t, labels), x0)):.4f}")
    try:
        from bench.judge import load_judge
    except ImportError:
        print("(bench/judge.py is missing: no on-target score)")
        return
    start = time.perf_counter()
    scores = on_target(trainer, load_judge(), seed=args.seed)
    for k, v in scores.items():
        print(f"{k:8s} {v:6.1%} on target")
    print(f"overall  {np.mean(list(scores.values())):6.1%}; lowest {min(scores.values()):.1%} "
          f"({time.perf_counter() - start:.0f} s)")
