"""Words become a picture: a denoiser that draws what the words say (text-to-image, like Stable Diffusion).

The words are read by the matching chapter's text encoder (models/matcher.py), FROZEN, as Stable
Diffusion freezes CLIP's text encoder (Rombach et al. 2022, "High-Resolution Image Synthesis with Latent
Diffusion Models"). The denoiser is the diffusion chapter's U-Net blocks (models/diffusion.py), and the
words steer it twice: their pooled meaning scales and shifts every block (FiLM, as the kind does in the
diffusion chapter), and each place of the small grids looks at the word pieces (cross-attention).

    text "一条蓝色的鱼" ──► Tokenizer ──► frozen TextEncoder ──► pieces (B,L,32) + pooled meaning (B,64)
                                                                    │                  │
    x_t (B,3,32,32) ──► U-Net: res blocks hear t + meaning ◄────────┼──────────────────┘
                              8×8 and 4×4 grids: cross-attention ◄──┘ (query: a place; keys, values: pieces)
                        ──► guess of the clean picture x0 (B,3,32,32) ──► MSE against x0
    (shipped: 2×2 patches, a 16×16 first grid, started from the diffusion chapter's weights; WordsConfig.fine():
     patch 1, grids 32×32, 16×16, 8×8, the cross-attention on the 16×16 and 8×8 ones; cross_top adds it on
     the first grid too)

Training hides the words of some pictures (p_drop), so the same network also draws "with no words";
drawing then follows classifier-free guidance (Ho & Salimans 2022): x0 = x0_none + w · (x0_words − x0_none).
w = 0 ignores the words, 1 is plain, more follows the words more strictly. The schedule and the sampler
(DDIM) are the diffusion chapter's (models/schedule.py). Like it, the network guesses the clean picture,
not the noise: on a CPU that is what draws recognisable shapes in minutes (shared/probe-results.md).
"""

from __future__ import annotations

import copy
import functools
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import engine, seeded, world
from .diffusion import Attention, ResBlock, timestep_features
from .optim import Adam
from .schedule import NoiseSchedule, Sampling, ddim_sample, to_uint8
from .tokenizer import UNK, Reading, Tokenizer, short_text

from pathlib import Path

WEIGHTS = Path(__file__).resolve().parent / "weights" / "words.pt"
MATCHER = Path(__file__).resolve().parent / "weights" / "matcher.pt"


@dataclass
class WordsConfig:
    width: int = 16                  # channels of the first level; then width × mults
    mults: tuple = (1, 2, 2)
    patch: int = 2                   # 2×2 pixel patches: the U-Net works on a 16×16 grid
    attention: bool = False          # self-attention on the 8×8 and 4×4 grids
    cross: bool = True               # cross-attention from the two smaller grids (8×8, 4×4 with patch 2) to the word pieces
    cross_top: bool = False          # ... and from the first grid too (16×16 with patch 2, 32×32 with patch 1)
    groups: int = 8
    timesteps: int = 100
    batch: int = 16                  # small batches, more steps: on a busy CPU that learns faster
    lr: float = 2e-3
    warmup: int = 50
    clip: float = 1.0
    ema: float = 0.995               # the drawing copy of the weights follows slowly
    p_drop: float = 0.15             # share of pictures trained with no words (for guidance)
    guidance: float = 3.0            # w: 0 ignores the words, 1 plain, more follows them more strictly
    sample_steps: int = 10           # DDIM steps when drawing
    pool: int = 2048                 # pictures in memory; a fresh pool after each pass
    kinds: tuple = ()                # learn only these kinds (empty: all ten)
    kind_weights: tuple = ()         # how often each kind is drawn into the pool, one number per kind
                                     # (in world.KINDS order, or cfg.kinds'); empty: all equally often
    colors: tuple = ()               # ... in only these colours (empty: all eight)
    seconds: float = 2400.0          # default training time for the command line
    total_steps: int = 0             # > 0: the learning rate falls (cosine) from lr to lr_end over these steps
    lr_end: float = 5e-5

    @staticmethod
    def live() -> "WordsConfig":
        """A small set a child can watch learn: three kinds in three colours, a smaller network, with
        cross-attention (why not FiLM: docs/notes/words.md, "The live set")."""
        return WordsConfig(width=16, batch=16, attention=False, ema=0.99, warmup=50, pool=1024,
                           kinds=("fish", "heart", "sun"), colors=("red", "blue", "yellow"), guidance=2.0)

    @staticmethod
    def shipped() -> "WordsConfig":
        """All ten kinds, eight colours, two sizes and three face moods, trained once with the command line:
        the diffusion chapter's network (width 32, self-attention on the 8×8 and 4×4 grids) with the words'
        cross-attention added, started from that chapter's shipped denoiser, which already draws every kind
        (WordsTrainer.start_from_diffusion), so the run only has to learn to listen to the words. A warm-up
        of 200 steps, as that run had, so the first steps do not undo what it knows; with --steps the
        learning rate falls to lr_end. One step about 0.12 CPU-seconds; 16 pictures about 0.5. Why not the
        small network from scratch (the dataclass's defaults): docs/notes/words.md."""
        return WordsConfig(width=32, attention=True, warmup=200)

    @staticmethod
    def fine() -> "WordsConfig":
        """The small network (the dataclass's defaults, from scratch) on a finer grid: patch 1, so the first
        level works on the 32×32 pixels themselves and the cross-attention listens on the 16×16 and 8×8 grids.
        An experiment kept for the notes (docs/notes/words.md): one step costs about 0.17-0.19 CPU-seconds;
        16 pictures about 0.9 CPU-s."""
        return WordsConfig(patch=1)


# ── 1. The words: the matching chapter's text encoder, frozen ──────────────────────────────────
@functools.lru_cache(maxsize=1)
def shipped_text_encoder() -> tuple[list, dict]:
    """The matcher's shipped vocabulary and text-encoder weights (frozen, read once per process)."""
    saved = torch.load(MATCHER, map_location="cpu", weights_only=True)
    state = {k[len("text."):]: v.float() for k, v in saved["state"].items() if k.startswith("text.")}
    return list(saved["vocab"]), state


class WordReader(nn.Module):
    """The frozen text encoder: texts -> word pieces (B,L,32), which of them it knows (B,L), meaning (B,64).

    A copy of the matcher's text encoder (models/matcher.py TextEncoder), kept in the words model's own
    file, so a retrained matcher can never silently change what this model's words mean.
    """

    def __init__(self, vocab: list | None = None, state: dict | None = None):
        super().__init__()
        from .matcher import MatcherConfig, TextEncoder

        if vocab is None:
            vocab, state = shipped_text_encoder()
        self.tokenizer = Tokenizer(vocab)
        with seeded.untouched_global_rng():                                # its first weights are replaced below:
            self.encoder = TextEncoder(MatcherConfig(), len(vocab))        # torch's global dice stay untouched
        if state is not None:
            self.encoder.load_state_dict(state)
        self.requires_grad_(False).eval()
        self.piece_dim = self.encoder.embed.embedding_dim
        self.dim = self.encoder.mlp[-1].out_features

    def reading(self, text: str) -> Reading:
        """How the words are split and which pieces are known (for a page to show)."""
        return self.tokenizer.read(text)

    def knows_any(self, text: str) -> bool:
        return any(i != UNK for i in self.tokenizer.read(text).ids)

    @torch.no_grad()
    def forward(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """texts -> pieces (B,L,32), known (B,L) bool, meaning (B,64) of length 1 (zeros where nothing is known)."""
        ids, mask = self.tokenizer.batch(list(texts))
        known = mask & (ids != UNK)
        pieces = self.encoder.embed(ids)                                   # (B, L, 32)
        meaning = F.normalize(self.encoder(ids, mask), dim=-1)             # (B, 64)
        meaning = meaning * known.any(1, keepdim=True)                     # no known piece: no meaning
        return pieces, known, meaning


# ── 2. The denoiser: the diffusion chapter's U-Net blocks, steered by the words ────────────────
class CrossAttention(nn.Module):
    """Each place of a grid looks at the word pieces and takes what fits (Rombach et al. 2022, sec. 3.3).
    x (B,C,H,W), words (B,L,D), known (B,L) bool -> (B,C,H,W)."""

    def __init__(self, c: int, d: int, groups: int, heads: int = 4):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(min(groups, c), c)
        self.q = nn.Conv2d(c, c, 1)
        self.kv = nn.Linear(d, 2 * c)
        self.proj = nn.Conv2d(c, c, 1)
        nn.init.zeros_(self.proj.weight)                                   # starts as the identity
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor, words: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        dh = c // self.heads
        q = self.q(self.norm(x)).reshape(b, self.heads, dh, h * w).transpose(-1, -2)      # (B, heads, HW, dh)
        k, v = self.kv(words).reshape(b, -1, 2, self.heads, dh).permute(2, 0, 3, 1, 4)   # (B, heads, L, dh) each
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=known[:, None, None, :])  # (B, heads, HW, dh)
        return x + self.proj(out.transpose(-1, -2).reshape(b, c, h, w))


class WordsUNet(nn.Module):
    """(x_t (B,3,32,32), t (B,), pieces (B,L,32), known (B,L), meaning (B,64), said (B,) bool) -> x0 guess.
    said False: the words are hidden (a learned "no words" meaning and one "no words" piece instead)."""

    def __init__(self, cfg: WordsConfig, piece_dim: int = 32, meaning_dim: int = 64):
        super().__init__()
        c1, c2, c3 = (cfg.width * m for m in cfg.mults)
        e = 4 * cfg.width
        self.width, self.timesteps, self.patch = cfg.width, cfg.timesteps, cfg.patch
        self.time = nn.Sequential(nn.Linear(cfg.width, e), nn.SiLU(), nn.Linear(e, e))
        self.meaning = nn.Sequential(nn.Linear(meaning_dim, e), nn.SiLU(), nn.Linear(e, e))
        self.no_meaning = nn.Parameter(torch.zeros(meaning_dim))
        d = 2 * cfg.width                                                  # one word piece, as the grids hear it
        self.piece = nn.Sequential(nn.Linear(piece_dim + meaning_dim, d), nn.SiLU(), nn.Linear(d, d))
        self.no_piece = nn.Parameter(torch.zeros(piece_dim + meaning_dim))
        p = cfg.patch
        self.inp = nn.Conv2d(3 * p * p, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, e, cfg.groups)                       # 16×16
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c2, e, cfg.groups)                       # 8×8
        self.pool2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.mid1 = ResBlock(c2, c3, e, cfg.groups)                        # 4×4
        self.mid2 = ResBlock(c3, c3, e, cfg.groups)
        self.attn2 = Attention(c2, cfg.groups) if cfg.attention else nn.Identity()
        self.attn_mid = Attention(c3, cfg.groups) if cfg.attention else nn.Identity()
        self.cross1 = CrossAttention(c1, d, cfg.groups) if cfg.cross_top else None
        self.cross2 = CrossAttention(c2, d, cfg.groups) if cfg.cross else None
        self.cross_mid = CrossAttention(c3, d, cfg.groups) if cfg.cross else None
        self.up2 = ResBlock(c3 + c2, c2, e, cfg.groups)
        self.up1 = ResBlock(c2 + c1, c1, e, cfg.groups)
        self.out = nn.Sequential(nn.GroupNorm(min(cfg.groups, c1), c1), nn.SiLU(), nn.Conv2d(c1, 3 * p * p, 3, padding=1))
        self.to(memory_format=torch.channels_last)

    def words(self, pieces, known, meaning, said):
        """The words as the network hears them: e (B, 4·width) for every block, pieces (B,L',d), known (B,L')."""
        said = said & known.any(1)                                         # nothing known is nothing said
        meaning = torch.where(said[:, None], meaning, self.no_meaning)     # (B, 64)
        feats = torch.cat([pieces, meaning[:, None].expand(-1, pieces.shape[1], -1)], -1)   # (B, L, 96)
        feats = torch.cat([self.no_piece.expand(len(feats), 1, -1), feats], 1)              # (B, 1+L, 96)
        known = torch.cat([~said[:, None], known & said[:, None]], 1)     # the "no words" piece, or the known ones
        return self.meaning(meaning), self.piece(feats), known

    def forward(self, x, t, pieces, known, meaning, said):
        m, words, known = self.words(pieces, known, meaning, said)
        e = self.time(timestep_features(t, self.width, self.timesteps)) + m                # (B, e)
        x = F.pixel_unshuffle(x, self.patch).contiguous(memory_format=torch.channels_last)  # (B, 12, 16, 16)
        h1 = self.down1(self.inp(x), e)                                    # (B, c1, 16, 16)
        if self.cross1 is not None:
            h1 = self.cross1(h1, words, known)
        h2 = self.attn2(self.down2(self.pool1(h1), e))                     # (B, c2, 8, 8)
        if self.cross2 is not None:
            h2 = self.cross2(h2, words, known)
        h = self.attn_mid(self.mid1(self.pool2(h2), e))                    # (B, c3, 4, 4)
        if self.cross_mid is not None:
            h = self.cross_mid(h, words, known)
        h = self.mid2(h, e)
        h = self.up2(torch.cat([F.interpolate(h, scale_factor=2, mode="nearest"), h2], 1), e)   # (B, c2, 8, 8)
        h = self.up1(torch.cat([F.interpolate(h, scale_factor=2, mode="nearest"), h1], 1), e)   # (B, c1, 16, 16)
        return F.pixel_shuffle(self.out(h), self.patch)                    # (B, 3, 32, 32)


# ── 3. What the pictures are called: the world's captions and other ways to say them ───────────
SIZE_ZH = {"small": ("小小的", "小"), "big": ("大大的", "大")}


def say_it(k: int, c: int, s: int, m: int, rng: np.random.Generator) -> str:
    """One text for a picture of kind k, colour c, size s, mood m (-1: none), in a random language and wording.
    Full captions, kind and colour ("红色的鱼", "a drawing of a red fish"), size with them ("a big red
    heart", "小小的红色的鱼"), the kind or the colour alone, and short Chinese ("红鱼")."""
    en, r = rng.random() < 0.5, rng.random()
    form = int(rng.integers(4))
    kind, colour, size = world.KINDS[k], world.COLORS[c], world.SIZES[s]
    if r < 0.4:                                                            # the world's own caption
        return (world.caption_en if en else world.caption_zh)(k, c, s, m, form)
    if r < 0.65:                                                           # kind and colour
        return short_text(k, c, "en" if en else "zh", form)
    if r < 0.8:                                                            # size, (mood,) colour, kind
        mood = "" if m < 0 or rng.random() < 0.5 else world.MOODS[m]
        if en:
            words = " ".join(w for w in (world.SIZE_EN[size][form % 2], mood, colour, kind) if w)
            return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"
        mood = f"{world.MOOD_ZH[mood]}的" if mood else ""
        return f"{SIZE_ZH[size][0]}{mood}{world.COLOR_ZH[colour]}的{world.NAME_ZH[kind]}"
    if r < 0.88:                                                           # short Chinese, or colour + kind in English
        return f"{world.COLOR_ZH[colour][0]}{world.NAME_ZH[kind]}" if not en else f"{colour} {kind}"
    if r < 0.96:                                                           # the kind alone
        return short_text(k, -1, "en" if en else "zh", form)
    return short_text(-1, c, "en" if en else "zh", form)                   # the colour alone


# ── 4. Training ────────────────────────────────────────────────────────────────────────────────
class WordsTrainer:
    """Owns the denoiser, its EMA copy (used for drawing), the optimiser, the frozen word reader and the
    pictures it learns from. Implements engine.Trainer: step() -> {"loss": ...}."""

    def __init__(self, config: WordsConfig | None = None, seed: int = 0, reader: WordReader | None = None):
        self.config = cfg = config or WordsConfig.shipped()
        for k in cfg.kinds:
            if k not in world.KINDS:
                raise ValueError(f"unknown kind {k!r}; choose from {', '.join(world.KINDS)}")
        for c in cfg.colors:
            if c not in world.COLORS:
                raise ValueError(f"unknown colour {c!r}; choose from {', '.join(world.COLORS)}")
        if cfg.kind_weights and (len(cfg.kind_weights) != len(cfg.kinds or world.KINDS) or min(cfg.kind_weights) < 0
                                 or sum(cfg.kind_weights) <= 0):
            raise ValueError(f"kind_weights needs {len(cfg.kinds or world.KINDS)} numbers >= 0, not all 0")
        self.seed, self.steps = seed, 0
        self.first_step = 0                                                # steps done before this recipe (load)
        self.reader = reader or WordReader()
        self.schedule = NoiseSchedule(cfg.timesteps)
        self.gen = torch.Generator().manual_seed(seed)                     # weights, noise levels, noise, drops
        with seeded.untouched_global_rng():
            torch.manual_seed(seed)                                        # the starting weights, from this seed only
            self.model = WordsUNet(cfg, self.reader.piece_dim, self.reader.dim)
            self.ema = WordsUNet(cfg, self.reader.piece_dim, self.reader.dim).requires_grad_(False).eval()
        self.ema.load_state_dict(self.model.state_dict())
        # The tensors each step walks (gradient clipping, the EMA), listed once: walking the modules for
        # them every step was 8% of the time a step held Python's lock (py-spy), which visitors' threads share.
        self._params, self._ema_params = list(self.model.parameters()), list(self.ema.parameters())
        self.opt: Adam | None = None                                      # made on the first step
        self.rng = np.random.default_rng(seed)                             # pictures and their texts
        self.pool: world.Pictures | None = None
        self.order = np.empty(0, np.int64)
        self.frozen = False                                                # a drawing copy (drawing_copy) never steps

    def _pictures(self, n: int, seed: int) -> world.Pictures:
        """n pictures of the trainer's kinds, recoloured to its colours if it has a short list."""
        cfg = self.config
        if not cfg.colors and not cfg.kind_weights:
            return world.make_pictures(n, seed=seed, kinds=list(cfg.kinds) or None, captions=False)
        rng = np.random.default_rng(seed)
        names = cfg.kinds or world.KINDS
        if cfg.kind_weights:
            p = np.asarray(cfg.kind_weights, np.float64)
            which = rng.choice(len(names), size=n, p=p / p.sum())
        else:
            which = rng.integers(len(names), size=n)
        kinds = np.asarray([world.KINDS.index(k) for k in names])[which]
        palette = cfg.colors or world.COLORS
        colours = np.asarray([world.COLORS.index(c) for c in palette])[rng.integers(len(palette), size=n)]
        images = np.empty((n, 32, 32, 3), np.uint8)
        sizes, moods = np.empty(n, np.int64), np.empty(n, np.int64)
        for k in np.unique(kinds):
            at = np.flatnonzero(kinds == k)
            images[at], _, sizes[at], moods[at] = world.render(world.KINDS[k], rng, len(at), colors=colours[at])
        return world.Pictures(images, kinds, colours, sizes, moods)

    def _batch(self):
        b = self.config.batch
        if len(self.order) < b:
            self.pool = self._pictures(self.config.pool, int(self.rng.integers(2 ** 31)))
            self.order = self.rng.permutation(len(self.pool))
        idx, self.order = self.order[:b], self.order[b:]
        p = self.pool
        texts = [say_it(p.kinds[i], p.colors[i], p.sizes[i], p.moods[i], self.rng) for i in idx]
        return torch.from_numpy(world.to_tensor_range(p.images[idx])), texts

    def learning_rate(self) -> float:
        """The learning rate of the next step: a warm-up, then flat, or with total_steps a cosine fall to lr_end."""
        cfg, s = self.config, self.steps - self.first_step
        lr = cfg.lr * min(1.0, (s + 1) / max(cfg.warmup, 1))
        if cfg.total_steps > 0 and s >= cfg.warmup:
            done = min(1.0, (s - cfg.warmup) / max(cfg.total_steps - cfg.warmup, 1))
            lr = cfg.lr_end + (cfg.lr - cfg.lr_end) * 0.5 * (1 + np.cos(np.pi * done))
        return float(lr)

    def step(self) -> dict:
        cfg = self.config
        if self.frozen:
            raise RuntimeError("a drawing copy does not learn: step the trainer it was copied from")
        if self.opt is None:
            self.opt = Adam(self._params, lr=cfg.lr)
        if not self.model.training:            # (train() walks every module: not each step)
            self.model.train()
        x0, texts = self._batch()                                          # (B,3,32,32), B texts
        pieces, known, meaning = self.reader(texts)
        # 1. Noise each picture to a random level; hide the words of some (for guidance).
        t = torch.randint(cfg.timesteps, (len(x0),), generator=self.gen)
        x_t = self.schedule.add_noise(x0, t, torch.randn(x0.shape, generator=self.gen))
        said = torch.rand(len(x0), generator=self.gen) >= cfg.p_drop
        # 2. Guess the clean picture; the loss is how far the guess is from it.
        for group in self.opt.param_groups:
            group["lr"] = self.learning_rate()
        self.opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(self.model(x_t, t, pieces, known, meaning, said), x0)
        loss.backward()
        nn.utils.clip_grad_norm_(self._params, cfg.clip)
        self.opt.step()
        # 3. The drawing copy follows slowly (faster at first, so a young model draws its latest guesses).
        decay = min(cfg.ema, (1 + self.steps) / (10 + self.steps))
        with torch.no_grad():
            torch._foreach_lerp_(self._ema_params, self._params, 1 - decay)
        self.steps += 1
        return {"loss": loss.item()}

    @torch.no_grad()
    def start_from_diffusion(self, state: dict) -> int:
        """Start from the diffusion chapter's denoiser (`state`: its saved dict, models/diffusion.py save(),
        float tensors): every layer the two networks share (the U-Net and the time embedding) is copied; the
        words' meaning layer starts out saying what the diffusion model's "no kind given" label said (its
        last layer zero, its bias that label's embedding), and the cross-attentions start as the identity.
        So before its first step the words model draws exactly what the diffusion model draws when asked
        for no kind. Returns how many tensors were copied. Raises ValueError when no layer fits (another
        width or patch: use WordsConfig.shipped(), the diffusion chapter's shape)."""
        ema = state["ema"]
        mine = self.model.state_dict()
        same = {k: v for k, v in ema.items() if k in mine and mine[k].shape == v.shape}
        if not same or "inp.weight" not in same:
            raise ValueError("the diffusion weights hold another network shape; train with WordsConfig.shipped()")
        null = ema["kind.weight"][-1]                                      # (e,) the "no kind given" label
        last = self.model.meaning[-1]
        if last.bias.shape != null.shape:
            raise ValueError("the diffusion weights hold another network shape; train with WordsConfig.shipped()")
        self.model.load_state_dict(same, strict=False)
        last.weight.zero_()
        last.bias.copy_(null)
        self.ema.load_state_dict(self.model.state_dict())
        return len(same)

    # ── Drawing ────────────────────────────────────────────────────────────────────────────────
    def drawing_copy(self) -> "WordsTrainer":
        """A twin that draws exactly what this trainer draws now (sample: the same seed gives the same
        pictures), for another thread while this one goes on learning: its own copy of the EMA net (the
        only net sample uses; ~0.6 MB live), the frozen word reader shared (never trained). The trainer
        must not step while it is copied. The twin has no optimiser nor pictures: its step() raises
        RuntimeError."""
        twin = copy.copy(self)
        twin.ema = copy.deepcopy(self.ema)
        twin.model, twin.opt, twin.pool, twin.frozen = twin.ema, None, None, True
        twin._params, twin._ema_params = [], list(twin.ema.parameters())
        return twin

    def knows_any(self, text: str) -> bool:
        """True when at least one piece of the text is a word the model learned."""
        return self.reader.knows_any(text)

    def _guesser(self, prompts: list[str], guidance: float):
        # Words it does not hear (guidance 0, or none it knows) are given as no words at all: the same
        # pictures as "" bit for bit on every CPU (masked pieces of another length changed the last bits
        # on AVX-512), and fewer pieces to attend to.
        pieces, known, meaning = self.reader([""] * len(prompts) if guidance == 0 else prompts)
        if not known.any():
            pieces, known, meaning = self.reader([""] * len(prompts))
        said = known.any(1)
        heard = bool(said.any())
        none = torch.zeros_like(said)
        guided = guidance != 1.0

        def guess(x: torch.Tensor, t: int) -> torch.Tensor:
            steps = torch.full((len(x),), t)
            if not heard:                                                  # its own idea
                return self.ema(x, steps, pieces, known, meaning, none)
            if not guided:
                return self.ema(x, steps, pieces, known, meaning, said)
            two = lambda a: torch.cat([a, a])                              # noqa: E731
            both = self.ema(two(x), two(steps), two(pieces), two(known), two(meaning), torch.cat([said, none]))
            with_words, without = both.chunk(2)                            # (B, 3, 32, 32) each
            return without + guidance * (with_words - without)
        return guess

    @torch.no_grad()
    def sample(self, prompt, n: int = 1, seed: int = 0, steps: int | None = None, guidance: float | None = None,
               return_all: bool = False, one_noise: bool = False) -> np.ndarray | Sampling:
        """Draw n pictures of what the words say: (n, 32, 32, 3) uint8, or a Sampling of every step.

        prompt: one text for all n pictures, or a list of n texts (any language, any junk: unknown pieces
        are not heard; with nothing known it draws with no words). The same seed gives the same start
        noise, so the same words give the same pictures; one_noise: all n start from one noise.
        """
        prompts = [prompt] * n if isinstance(prompt, str) else list(prompt)
        if len(prompts) != n:
            raise ValueError(f"got {len(prompts)} prompts for {n} pictures")
        gen = torch.Generator().manual_seed(seed)
        noise = torch.randn(1, 3, 32, 32, generator=gen).repeat(n, 1, 1, 1) if one_noise else \
            torch.randn(n, 3, 32, 32, generator=gen)                       # (n, 3, 32, 32)
        w = self.config.guidance if guidance is None else float(guidance)
        out = ddim_sample(self._guesser(prompts, w), self.schedule, noise, steps or self.config.sample_steps,
                          return_all=return_all)
        return out if return_all else to_uint8(out)

    # ── Memory and saving ──────────────────────────────────────────────────────────────────────
    def memory_bytes(self) -> int:
        """Bytes held between steps: weights, gradients and Adam's two moments, the EMA, the picture pool."""
        copies = 4 if self.opt is not None else 1
        pool = self.pool.images.nbytes if self.pool is not None else 0
        return engine.parameter_bytes(self.model) * copies + engine.parameter_bytes(self.ema, self.reader) + pool

    def save(self, path) -> None:
        """The small file to ship: config, EMA weights and the frozen text encoder, in half precision."""
        torch.save({"config": asdict(self.config), "steps": self.steps,
                    "ema": {k: v.half() for k, v in self.ema.state_dict().items()},
                    "vocab": self.reader.tokenizer.vocab,
                    "text": {k: v.half() for k, v in self.reader.encoder.state_dict().items()}}, path)

    @classmethod
    def load(cls, path, seed: int = 0, config: WordsConfig | None = None) -> "WordsTrainer":
        """A trainer from saved weights, ready to draw or to train on. config: train on with this recipe
        instead of the saved one (the same network shape; else load_state_dict raises RuntimeError)."""
        state = torch.load(path, map_location="cpu", weights_only=True)
        saved = {k: tuple(v) if isinstance(v, list) else v for k, v in state["config"].items()}
        new_recipe = config is not None
        config = config or WordsConfig(**{k: v for k, v in saved.items() if k in WordsConfig.__dataclass_fields__})
        reader = WordReader(list(state["vocab"]), {k: v.float() for k, v in state["text"].items()})
        trainer = cls(config, seed=seed, reader=reader)
        ema = {k: v.float() for k, v in state["ema"].items()}
        trainer.ema.load_state_dict(ema)
        trainer.model.load_state_dict(ema)
        trainer.steps = int(state.get("steps", 0))
        trainer.first_step = trainer.steps if new_recipe else 0           # a new recipe starts its own schedule
        return trainer


def load_shipped() -> WordsTrainer:
    """The shipped words model, ready to draw."""
    return WordsTrainer.load(WEIGHTS)


@torch.no_grad()
def clean_error(trainer: WordsTrainer, n: int = 256, seed: int = 123, levels=(0.5, 0.75, 0.9)) -> dict:
    """How well it sees through noise, with the words and without: clean-picture MSE at a few noise levels,
    on n fresh pictures described by say_it. The gap between the two is what the words help."""
    pics = trainer._pictures(n, seed)
    rng = np.random.default_rng(seed)
    texts = [say_it(k, c, s, m, rng) for k, c, s, m in zip(pics.kinds, pics.colors, pics.sizes, pics.moods)]
    x0 = torch.from_numpy(world.to_tensor_range(pics.images))
    pieces, known, meaning = trainer.reader(texts)
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for level in levels:
        t = torch.full((n,), trainer.schedule.step_for_level(level))
        x_t = trainer.schedule.add_noise(x0, t, torch.randn(x0.shape, generator=gen))
        for said, name in ((True, "words"), (False, "none")):
            guess = trainer.ema(x_t, t, pieces, known, meaning, torch.full((n,), said))
            out[f"{name}@{level}"] = float(F.mse_loss(guess, x0))
    return out
