"""The GAN duel: a generator (生成器) and a discriminator (鉴别器) that learn by playing.

The generator turns random numbers into a picture of the kind it is asked for; the discriminator sees
real pictures of the world and generated ones and says how sure it is that each is real. Each round the
discriminator learns to tell them apart a little better, then the generator learns to fool it a little
better. (The lessons call them the drawer, 画家, and the judge, 裁判.)

    noise z (B,64) + kind ──► Generator ──► picture (B,3,32,32) ──┐
                                                                    ├──► Discriminator(+kind) ──► score: real?
                               real picture (B,3,32,32) + kind ───┘

DCGAN-shaped (Radford et al. 2016) with a projection discriminator for the kind (Miyato & Koyama 2018)
and the non-saturating loss. Both networks are small on purpose: on a CPU, many quick rounds beat a big
network. The trainer (one round = one `step()`) and the recorded run are in gan_train.py; the command
line is models/commands/gan.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import seeded, weights_io, world
from .world import kind_index

N_KINDS = len(world.KINDS)
WEIGHTS = Path(__file__).parent / "weights" / "gan.pt"


@dataclass
class GANConfig:
    z_dim: int = 64                 # how many random numbers (the noise z) the generator starts from
    width: int = 16                 # W: the generator's layers have 4W, 2W, W channels; the discriminator's W, 2W, 4W
    embed: int = 16                 # how many numbers describe the asked-for kind to the generator
    lr_g: float = 2e-3              # the generator's learning rate
    lr_d: float = 2e-3              # the discriminator's learning rate
    betas: tuple = (0.5, 0.999)     # Adam's momentum, lowered as in DCGAN: the duel moves, so forget fast
    batch: int = 64                 # pictures per side per round
    norm_first: bool = False        # batch norm on the discriminator's first layer too
    kind_norm: bool = False         # the generator's batch norms scale and shift by kind (KindNorm)
    smooth: bool = False            # a soft blur after the generator's last up-step (Smooth)
    smooth_learns: bool = False     # ... which starts as that blur and then learns like any other layer
    real_label: float = 1.0         # <1: the discriminator aims for this on real pictures (one-sided label smoothing)
    data_size: int = 2000           # real pictures kept in memory, uint8 (3 KB each)
    ema: float = 0.0                # >0: also keep a smoothed copy of the generator for drawing (models/ema.py)
    slow_down: int = 0              # >0: learning rates shrink as 1 / (1 + round / slow_down): a calmer duel
    n_fixed: int = 16               # fixed-noise pictures per kind for snapshots
    per_kind: bool = False          # ten small generators and ten discriminators, one pair per kind, taking turns
    r1: float = 0.0                 # >0: the discriminator is also kept gentle around real pictures (R1 penalty)
    r1_every: int = 4               # ... added every this many rounds, scaled up to match (lazy R1)

    @classmethod
    def live(cls) -> "GANConfig":
        """A child training one kind live, torch on one thread (the experiments: docs/notes/gan.md)."""
        return cls(batch=32, norm_first=True, data_size=4000, ema=0.999, smooth=True, smooth_learns=True, r1=0.1,
                   r1_every=16)

    @classmethod
    def shipped(cls) -> "GANConfig":
        """The shipped generator of all ten kinds: ten live-sized pairs, one per kind, taking turns round
        by round (the experiments: docs/notes/gan.md)."""
        return cls(batch=32, norm_first=True, data_size=30000, ema=0.999, slow_down=30000, n_fixed=4,
                   per_kind=True, r1=0.1)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["betas"] = list(self.betas)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "GANConfig":
        d = dict(d)
        d["betas"] = tuple(d.get("betas", (0.5, 0.999)))
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


# ── The generator ───────────────────────────────────────────────────────────────────────────────
class Generator(nn.Module):
    """Noise + kind -> picture in [-1, 1]. Each up-step doubles the size and halves the channels."""

    def __init__(self, config: GANConfig):
        super().__init__()
        w = config.width
        self.config = config
        self.kind_embed = nn.Embedding(N_KINDS, config.embed)
        self.project = nn.Sequential(                                  # (B, z+e) -> (B, 4W*4*4)
            nn.Linear(config.z_dim + config.embed, 4 * w * 16, bias=False), nn.BatchNorm1d(4 * w * 16), nn.ReLU())

        def up(cin, cout):  # ConvTranspose(4, 2, 1) exactly doubles the size
            norm = KindNorm(cout) if config.kind_norm else nn.BatchNorm2d(cout)
            return [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), norm, nn.ReLU()]

        self.body = nn.Sequential(
            *up(4 * w, 2 * w),                                          # (B, 2W, 8, 8)
            *up(2 * w, w),                                              # (B, W, 16, 16)
            nn.ConvTranspose2d(w, 3, 4, 2, 1),                          # (B, 3, 32, 32)
            *([Smooth(3, learns=config.smooth_learns)] if config.smooth else []), nn.Tanh())
        # Channels last (each pixel's channels side by side in memory), in the discriminator too: torch's CPU
        # convolutions run faster so, here 8% more rounds a second on one thread.
        self.to(memory_format=torch.channels_last)

    def forward(self, z, kinds):
        h = torch.cat([z, self.kind_embed(kinds)], dim=1)               # (B, z+e)
        h = self.project(h).view(len(z), 4 * self.config.width, 4, 4)      # (B, 4W, 4, 4)
        h = h.contiguous(memory_format=torch.channels_last)
        for layer in self.body:                                         # ... (B, 3, 32, 32)
            h = layer(h, kinds) if isinstance(layer, KindNorm) else layer(h)
        return h


class KindNorm(nn.Module):
    """Batch norm whose scale and shift are chosen by the kind (conditional batch norm, as in SNGAN and
    BigGAN): every layer hears which kind to draw, not only the first. (B, C, H, W) -> (B, C, H, W)"""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.scale, self.shift = nn.Embedding(N_KINDS, channels), nn.Embedding(N_KINDS, channels)
        self.scale.init_value, self.shift.init_value = 1.0, 0.0         # start as plain batch norm

    def forward(self, x, kinds):
        return self.norm(x) * self.scale(kinds)[:, :, None, None] + self.shift(kinds)[:, :, None, None]


class Smooth(nn.Module):
    """A 3×3 blur, [1 2 1] ⊗ [1 2 1] / 16, on each channel. A transposed convolution of stride 2
    paints odd and even pixels with different weights, which leaves a checkerboard of dots (Odena et al.
    2016, "Deconvolution and checkerboard artifacts"); the discriminator let the generator keep them, and
    the benchmark's judge calls dotted pictures noise. Filtering after upsampling is what StyleGAN does
    (Karras et al. 2019). learns=False: the blur stays fixed. learns=True: it only starts as the blur,
    and the generator may sharpen it where the discriminator wants thin lines (a cat's whiskers), which a fixed
    blur forbids. (B, C, H, W) -> (B, C, H, W)"""

    def __init__(self, channels: int, learns: bool = False):
        super().__init__()
        k = torch.tensor([1.0, 2.0, 1.0])
        blur = (torch.outer(k, k) / 16).expand(channels, 1, 3, 3).clone()           # (C, 1, 3, 3)
        if learns:
            self.kernel = nn.Parameter(blur)
        else:
            self.register_buffer("kernel", blur, persistent=False)

    def forward(self, x):
        return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), self.kernel, groups=len(self.kernel))


# ── The discriminator ───────────────────────────────────────────────────────────────────────────
class Discriminator(nn.Module):
    """Picture + kind -> one score (a logit): above 0 means "real".

    Batch norm, with real and generated pictures in separate batches as in DCGAN: a discriminator without
    it (or with per-picture norms, or spectral norm) taught the generator five to twenty times slower here.
    For a verdict on single pictures, GANTrainer.discriminator_verdicts first sets the averages from real
    pictures."""

    def __init__(self, config: GANConfig):
        super().__init__()
        w = config.width

        def down(cin, cout, norm=True):  # Conv(4, 2, 1) exactly halves the size
            return [nn.Conv2d(cin, cout, 4, 2, 1, bias=not norm), *([nn.BatchNorm2d(cout)] if norm else []),
                    nn.LeakyReLU(0.2)]

        self.body = nn.Sequential(
            *down(3, w, norm=config.norm_first),                           # (B, W, 16, 16)
            *down(w, 2 * w),                                            # (B, 2W, 8, 8)
            *down(2 * w, 4 * w),                                        # (B, 4W, 4, 4)
            nn.Flatten())                                               # (B, 64W)
        self.head = nn.Linear(4 * w * 16, 1)                            # "does it look real at all?"
        # Projection: "does it look like a real one of THIS kind?" = features · a vector per kind.
        self.kind_embed = nn.Embedding(N_KINDS, 4 * w * 16)
        self.kind_embed.init_std = 0.01                                 # start almost kind-blind
        self.to(memory_format=torch.channels_last)

    def forward(self, x, kinds):
        h = self.body(x.contiguous(memory_format=torch.channels_last))        # (B, 64W)
        return self.head(h).squeeze(1) + (self.kind_embed(kinds) * h).sum(1)   # (B,)


# ── Ten pairs in one: the shipped generator ─────────────────────────────────────────────────────
class PerKind(nn.Module):
    """One small network per kind behind the call of one conditional network: each picture (or noise)
    goes to the network of its kind, and the answers come back in the same order.
    (B, ...) + kinds (B,) -> (B, ...). Like a mixture of experts that always asks the kind's expert."""

    def __init__(self, make, config: GANConfig):
        super().__init__()
        self.config = config
        self.nets = nn.ModuleList(make() for _ in range(N_KINDS))

    def forward(self, x, kinds):
        answers, where = [], []
        for k in torch.unique(kinds).tolist():
            idx = torch.nonzero(kinds == k).squeeze(1)
            answers.append(self.nets[k](x[idx], kinds[idx]))
            where.append(idx)
        return torch.cat(answers)[torch.argsort(torch.cat(where))]


def make_generator(config: GANConfig) -> nn.Module:
    return PerKind(lambda: Generator(config), config) if config.per_kind else Generator(config)


def make_discriminator(config: GANConfig) -> nn.Module:
    return PerKind(lambda: Discriminator(config), config) if config.per_kind else Discriminator(config)


# ── The duel's rules (losses) ───────────────────────────────────────────────────────────────────
def discriminator_loss(real_scores, fake_scores, real_label: float = 1.0):
    """The discriminator's loss (Goodfellow et al. 2014): scores are logits (B,), real_label in (0, 1]."""
    # maximise log D(x) + log(1 - D(G(z)))  ==  minimise softplus(-real) + softplus(fake).
    # With real_label 0.9 the discriminator aims for "90% sure" on real pictures, never more (Salimans et al. 2016).
    real = real_label * F.softplus(-real_scores) + (1 - real_label) * F.softplus(real_scores)
    return real.mean() + F.softplus(fake_scores).mean()


def generator_loss(fake_scores):
    """The generator's loss, non-saturating (Goodfellow et al. 2014, section 3): fake scores are logits (B,)."""
    # non-saturating: maximise log D(G(z)) rather than minimise log(1 - D(G(z))), which stalls early
    return F.softplus(-fake_scores).mean()


# ── Drawing ─────────────────────────────────────────────────────────────────────────────────────
@torch.no_grad()
def draw(generator: Generator, n: int, kind=None, seed: int = 0, kinds=None, z=None):
    """n pictures as uint8 (n,32,32,3), and the kinds asked for (n,). kind=None: random kinds.
    Give `kinds` and `z` to draw exactly those (fixed noise)."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, generator.config.z_dim, generator=g) if z is None else torch.as_tensor(z, dtype=torch.float32)
    if kinds is None:
        kinds = (torch.full((n,), kind_index(kind)) if kind is not None
                 else torch.randint(N_KINDS, (n,), generator=g))
    kinds = torch.as_tensor(kinds, dtype=torch.long)
    was_training = generator.training
    generator.eval()                                                    # batch norm: use running averages
    x = generator(z, kinds)
    generator.train(was_training)
    return world.from_tensor_range(x.numpy()), kinds.numpy()


# ── Weights ─────────────────────────────────────────────────────────────────────────────────
def load_weights(path=None) -> dict:
    """The saved dict (models/weights_io.py), float32: config, kind, steps, generator (and/or
    generator_ema, the smoothed copy), discriminator. Raises FileNotFoundError if there is no file."""
    path = WEIGHTS if path is None else path
    return weights_io.load(path, make_hint=f"python -m models train gan --out {path}")


def load_generator(path=None) -> nn.Module:
    """A ready generator (the smoothed copy when there is one), in eval mode: (z (B, z_dim), kinds (B,))
    -> pictures (B, 3, 32, 32) in [-1, 1]."""
    saved = load_weights(path)
    with seeded.untouched_global_rng():                # its random first weights are replaced at once
        g = make_generator(GANConfig.from_dict(saved["config"]))
    g.load_state_dict(saved.get("generator_ema") or saved["generator"])
    return g.eval()


def load_shipped() -> nn.Module:
    return load_generator(WEIGHTS)
