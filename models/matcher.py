"""A CLIP-style matcher: one encoder for pictures, one for words in Chinese and English, one shared space.

    picture (N,3,32,32) ──► ImageEncoder ──► (N,D) ──► normalise ─┐
                                                                  ├─► logit_scale · image @ text.T  (N,M)
    text "蓝色的星星"    ──► Tokenizer ──► TextEncoder ──► (M,D) ──► normalise ─┘

Training pulls each picture towards the texts that describe it and pushes it away from the rest: a
symmetric cross-entropy over the similarity matrix of a batch, as in Radford et al. 2021, "Learning
Transferable Visual Models From Natural Language Supervision" (CLIP; public API after openai/CLIP
clip/model.py). Unlike CLIP's batches, ours hold many "red fish": a picture counts as a right answer
for every text it fits (soft targets), so two red fish are never pushed apart.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import engine, seeded, weights_io, world
from .optim import Adam
from .tokenizer import UNK, Reading, Tokenizer, draw_texts, short_text

WEIGHTS = Path(__file__).parent / "weights" / "matcher.pt"


@dataclass
class MatcherConfig:
    dim: int = 64              # the shared space: every picture and every text becomes 64 numbers
    piece_dim: int = 32        # numbers per word piece (the coloured bars on the page)
    text_hidden: int = 128     # the text encoder's hidden layer
    width: int = 16            # channels of the picture encoder's first layer (then 2x, 4x)
    temperature: float = 0.07  # starting temperature (CLIP's); learned, logit_scale = log(1/T)
    batch: int = 128           # pictures (and as many texts) per step
    lr: float = 3e-3           # Adam's learning rate
    bank: int = 4000           # training pictures drawn once (shared by trainers with the same seed) ...
    pool: int = 2000           # ... this many learned from at a time ...
    refresh: int = 200         # ... and this many swapped for waiting ones of the bank ...
    refresh_every: int = 10    # ... every this many steps
    split_words: float = 0.15  # share of texts whose Chinese words are read character by character

    @classmethod
    def live(cls) -> "MatcherConfig":
        """A child's matcher learning live on the page, one thread: it reaches recall@1 0.95 in seconds."""
        return cls()

    @classmethod
    def shipped(cls) -> "MatcherConfig":
        """The shipped matcher: the same network, trained longer by `python -m models train matcher`, from
        a bank ten times bigger (40,000 pictures, 123 MB, about 8 s to draw): in 150 s it sees about 4,000
        batches, and the live bank would show it each picture some 130 times."""
        return cls(bank=40_000)

    @classmethod
    def from_dict(cls, d: dict) -> "MatcherConfig":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


# ── 1. The picture encoder: three strided convolutions, then one linear layer ───────────────────
class ImageEncoder(nn.Module):
    def __init__(self, c: MatcherConfig):
        super().__init__()
        w = c.width
        self.convs = nn.Sequential(
            nn.Conv2d(3, w, 3, 2, 1), nn.ReLU(),             # (B, w, 16, 16)
            nn.Conv2d(w, 2 * w, 3, 2, 1), nn.ReLU(),         # (B, 2w, 8, 8)
            nn.Conv2d(2 * w, 4 * w, 3, 2, 1), nn.ReLU(),     # (B, 4w, 4, 4)
        )
        self.proj = nn.Linear(4 * w * 16, c.dim)            # where things are matters: keep the 4x4 map

    def forward(self, x):                                    # (B, 3, 32, 32) in [-1, 1]
        return self.proj(self.convs(x).flatten(1))           # (B, D)


# ── 2. The text encoder: a vector per piece, a weighted average, a small MLP ────────────────────
class TextEncoder(nn.Module):
    def __init__(self, c: MatcherConfig, vocab_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, c.piece_dim, padding_idx=0)
        self.score = nn.Linear(c.piece_dim, 1)               # how much each piece matters ("fish" > "a")
        self.mlp = nn.Sequential(nn.Linear(c.piece_dim, c.text_hidden), nn.ReLU(), nn.Linear(c.text_hidden, c.dim))

    def forward(self, ids, mask):                            # (B, L) long, (B, L) bool
        e = self.embed(ids)                                  # (B, L, E)
        known = mask & (ids != UNK)                          # unknown pieces are not listened to
        weight = self.score(e).squeeze(-1).masked_fill(~known, -1e9).softmax(-1)   # (B, L)
        pooled = (weight.unsqueeze(-1) * e).sum(1)           # (B, E): word order is not used
        return self.mlp(pooled)                              # (B, D)


# ── 3. The pair ─────────────────────────────────────────────────────────────────────────────────
class Matcher(nn.Module):
    def __init__(self, config: MatcherConfig | None = None, vocab: list[str] | None = None):
        super().__init__()
        self.config = config or MatcherConfig()
        self.tokenizer = Tokenizer(vocab)
        self.visual = ImageEncoder(self.config)
        self.text = TextEncoder(self.config, len(self.tokenizer.vocab))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / self.config.temperature)))

    def encode_image(self, images) -> torch.Tensor:
        """uint8 pictures (N,H,W,3) or a float tensor (N,3,32,32) in [-1,1] -> (N, D), length 1."""
        if isinstance(images, np.ndarray):
            images = torch.from_numpy(world.to_tensor_range(images))
        return F.normalize(self.visual(images), dim=-1)

    def encode_text(self, texts, split_words=None) -> torch.Tensor:
        """A list of texts (any language, any junk) -> (N, D), length 1."""
        return self.encode_ids(*self.tokenizer.batch([texts] if isinstance(texts, str) else list(texts), split_words))

    def encode_ids(self, ids, mask) -> torch.Tensor:
        """Texts already read (Tokenizer.batch or batch_codes): ids (N, L) long, mask (N, L) bool -> (N, D), length 1."""
        return F.normalize(self.text(ids, mask), dim=-1)

    def similarity(self, image_emb, text_emb) -> torch.Tensor:
        """logits_per_image (N_images, N_texts) = logit_scale · cosine similarity, as in CLIP."""
        return self.logit_scale.exp().clamp(max=100.0) * image_emb @ text_emb.T

    def forward(self, images, texts):
        logits = self.similarity(self.encode_image(images), self.encode_text(texts))
        return logits, logits.T                              # per image, per text

    @torch.no_grad()
    def piece_vectors(self, text: str) -> tuple[Reading, np.ndarray]:
        """How the model reads a text: its pieces and each piece's numbers (P, piece_dim)."""
        reading = self.tokenizer.read(text)
        return reading, self.text.embed.weight[torch.tensor(reading.ids, dtype=torch.long)].numpy()

    @torch.no_grad()
    def piece_weights(self, text: str) -> np.ndarray:
        """How much the text encoder listens to each piece (sums to 1)."""
        ids, mask = self.tokenizer.batch([text])
        known = mask & (ids != UNK)
        if not known.any():
            return np.zeros(ids.shape[1], np.float32)
        return self.text.score(self.text.embed(ids)).squeeze(-1).masked_fill(~known, -1e9).softmax(-1)[0].numpy()


# ── 4. Training: soft-target symmetric contrastive loss ─────────────────────────────────────────
def fits(attrs: np.ndarray, named: np.ndarray) -> torch.Tensor:
    """(N,4) picture attributes, (M,4) what each text names (-1 = nothing), int arrays or tensors ->
    (N, M) bool tensor: picture fits text."""
    a, n = torch.as_tensor(attrs)[:, None, :], torch.as_tensor(named)[None, :, :]
    return ((n == -1) | (n == a)).all(-1)


def soft_cross_entropy(logits, targets):
    """Cross-entropy against a spread of right answers: each row's right columns share the target."""
    p = targets.float() / targets.sum(1, keepdim=True)
    return -(p * logits.log_softmax(1)).sum(1).mean()


def attributes(pics: world.Pictures) -> np.ndarray:
    return np.stack([pics.kinds, pics.colors, pics.sizes, pics.moods], 1)


def shown_batch(seed: int = 0, n: int = 6):
    """A fixed little batch for the page's grid (like dcgan's fixed_noise): one picture of each of n
    kinds, with its caption, in English and Chinese by turns."""
    pics = world.make_pictures(80, seed=20_000 + seed)
    first = [int(np.flatnonzero(pics.kinds == k)[0]) for k in range(n)]
    return pics.images[first], [pics.captions_zh[i] if j % 2 else pics.captions_en[i] for j, i in enumerate(first)]


@functools.lru_cache(maxsize=2)
def _bank(n: int, seed: int) -> tuple[torch.Tensor, np.ndarray]:
    pics = world.make_pictures(n, seed=seed, captions=False)
    return torch.from_numpy(pics.images).permute(0, 3, 1, 2).contiguous(), attributes(pics)


_bank_lock = threading.Lock()


def picture_bank(n: int, seed: int) -> tuple[torch.Tensor, np.ndarray]:
    """n training pictures of the world, drawn once per process for each (n, seed) and shared, read-only,
    by every trainer that asks for them (the pages' trainers all use seed 0): images (n, 3, 32, 32) uint8,
    attributes (n, 4) int64 (kind, colour, size, mood; -1 = no mood). Never write into them."""
    with _bank_lock:                                      # two visitors starting at once draw it once
        return _bank(n, seed)


class MatcherTrainer:
    """Implements engine.Trainer: each step() is one batch of pictures and texts.

    The pictures come from a bank drawn once (picture_bank, `config.bank` of them); the trainer learns
    from `config.pool` of them at a time and swaps a few for waiting ones now and then (refresh_pool).
    The texts are numbers into the tokenizer's table (tokenizer.draw_texts, Tokenizer.batch_codes), so a
    step draws no picture and writes no string: nearly all its time is in torch (docs/notes/matcher.md)."""

    def __init__(self, config: MatcherConfig | None = None, seed: int = 0, model: Matcher | None = None):
        self.config = config or MatcherConfig.live()
        self.rng = torch.Generator().manual_seed(seed)        # the first weights (models/seeded.py)
        self.np_rng = np.random.default_rng(seed)             # pictures, texts, batches
        self.seed = seed
        self.model = model or seeded.build(lambda: Matcher(self.config), self.rng)
        self.model.train()
        self.opt = None                                       # made on the first step: a page opens fast
        self.bank_images, self.bank_attrs = None, None        # (bank, 3, 32, 32) uint8, (bank, 4) int64
        self.order = None     # (bank,) a shuffle of the bank: the first config.pool are the pool, the rest wait
        self.steps = 0
        self.shown_images, self.shown_texts = shown_batch(seed)

    def refresh_pool(self):
        """Swap a few pictures of the pool for waiting ones of the bank, so the encoder never learns the
        pool by heart. The swapped-out pictures wait at the back of the queue."""
        c = self.config
        n = min(c.refresh, len(self.order) - c.pool)
        if n <= 0 or self.steps % c.refresh_every:
            return
        where = self.np_rng.choice(c.pool, n, replace=False)
        out, waiting = self.order[where], self.order[c.pool:]
        self.order[where] = waiting[:n]
        self.order[c.pool:] = np.concatenate([waiting[n:], out])

    def step(self) -> dict:
        c = self.config
        if self.opt is None:
            self.opt = Adam(self.model.parameters(), lr=c.lr)
            self.bank_images, self.bank_attrs = picture_bank(max(c.bank, c.pool), 10_000 + self.seed)
            self.order = self.np_rng.permutation(len(self.bank_images))
        elif self.steps:
            self.refresh_pool()
        idx = self.order[self.np_rng.choice(c.pool, c.batch, replace=False)]    # (B,) bank indices
        attrs = self.bank_attrs[idx]                                              # (B, 4)
        codes, named = draw_texts(*attrs.T, self.np_rng)                        # B texts as numbers, (B, 4)
        split = self.np_rng.random(c.batch) < c.split_words                     # (B,) read characters alone
        images = self.bank_images.index_select(0, torch.from_numpy(idx)).float().mul_(1 / 127.5).sub_(1.0)  # (B,3,32,32) in [-1,1]
        ids, mask = self.model.tokenizer.batch_codes(codes, split)               # (B, L), (B, L)
        right = fits(attrs, named)                                                # (B, B) bool

        # 1. Both sides into the shared space; 2. every picture against every text.
        logits = self.model.similarity(self.model.encode_image(images), self.model.encode_ids(ids, mask))
        # 3. Pull right pairs together, push wrong ones apart, in both directions.
        loss = (soft_cross_entropy(logits, right) + soft_cross_entropy(logits.T, right.T)) / 2
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.steps += 1
        with torch.no_grad():    # a hit: the text a picture likes best fits it (and the other way round)
            rows = torch.arange(c.batch)
            acc = (right[rows, logits.argmax(1)].float().mean() + right.T[rows, logits.argmax(0)].float().mean()) / 2
            out = torch.stack([loss.detach(), acc, self.model.logit_scale.detach()]).tolist()
        return {"loss": out[0], "accuracy": out[1], "temperature": math.exp(-out[2])}

    def batch_similarity(self) -> dict:
        """The fixed little batch, for the page's picture-by-caption grid (see similarity_grid)."""
        self.model.eval()
        grid = similarity_grid(self.model, self.shown_images, self.shown_texts)
        self.model.train()
        return grid

    def memory_bytes(self) -> int:
        # The pictures, plus the weights with their gradients and Adam's two averages.
        # The bank is shared by trainers with the same seed; counted here in full all the same.
        return (0 if self.bank_images is None else self.bank_images.numel()) + 4 * engine.parameter_bytes(self.model)


# ── 5. How good: recall@1 over a gallery of fresh pictures ──────────────────────────────────────
@torch.no_grad()
def recall_at_1(model: Matcher, gallery_emb, gallery: world.Pictures, texts, kinds, colors) -> float:
    """Share of texts whose best picture has the kind and colour the text names."""
    best = model.similarity(gallery_emb, model.encode_text(texts)).argmax(0).numpy()   # (M,)
    return float(((gallery.kinds[best] == kinds) & (gallery.colors[best] == colors)).mean())


@torch.no_grad()
def evaluate(model: Matcher, seed: int = 123, n: int = 1000) -> dict:
    """Recall@1 on n held-out pictures: their own captions (en, zh) and all 80 short queries."""
    model.eval()
    g = world.make_pictures(n, seed=seed)
    emb = model.encode_image(g.images)
    k, c = np.divmod(np.arange(len(world.KINDS) * len(world.COLORS)), len(world.COLORS))
    out = {"en": recall_at_1(model, emb, g, g.captions_en, g.kinds, g.colors),
           "zh": recall_at_1(model, emb, g, g.captions_zh, g.kinds, g.colors)}
    for lang in ("en", "zh"):   # "red fish", "a red fish", "红色的鱼", "一条红色的鱼"
        texts = [short_text(a, b, lang, f) for f in (0, 1) for a, b in zip(k, c)]
        out[f"short_{lang}"] = recall_at_1(model, emb, g, texts, np.tile(k, 2), np.tile(c, 2))
    return out


# ── 6. Saving and loading (models/weights_io.py): fp16 tensors, the config and the vocabulary ────
def save(model: Matcher, path) -> None:
    weights_io.save(path, {"config": asdict(model.config), "vocab": model.tokenizer.vocab, "state": model.state_dict()})


def load(path=None) -> Matcher:
    """A matcher from a saved file (default: the shipped one), in eval mode. FileNotFoundError if none."""
    path = WEIGHTS if path is None else path
    saved = weights_io.load(path, make_hint=f"python -m models train matcher --out {path}")
    with seeded.untouched_global_rng():                   # its random first weights are replaced at once
        model = Matcher(MatcherConfig.from_dict(saved["config"]), saved["vocab"])
    model.load_state_dict(saved["state"])
    return model.eval()


def load_shipped() -> Matcher:
    return load(WEIGHTS)


# ── 7. Using a trained pair: search, the grid, the meaning map ──────────────────────────────────
@torch.no_grad()
def rank(query_emb, keys_emb, top: int = 5):
    """The keys nearest one query (D,) among keys (N, D): (indices best first, their cosines)."""
    cos = keys_emb @ query_emb                                           # (N,)
    values, order = cos.topk(min(top, len(cos)))
    return order.numpy(), values.numpy()


def search(model: Matcher, gallery_emb, text: str, top: int = 5):
    """The best pictures for a text: (indices best first, their cosine similarities).

    Text in any form (traditional, full-width, marks: see models/textnorm.py). When it names nothing
    the model knows (only unknown words, or only pieces that say nothing alone, like "的的色" or "a"),
    nothing is ranked: two empty arrays, so no confident-looking matches made of "的" and "色"."""
    if not model.tokenizer.read(text).meaningful:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    with torch.no_grad():
        return rank(model.encode_text([text])[0], gallery_emb, top)


@torch.no_grad()
def similarity_grid(model: Matcher, images, texts) -> dict:
    """Every picture against every text: cosine (n, m), and each picture's softmax over the texts."""
    img, txt = model.encode_image(images), model.encode_text(texts)
    return {"images": images, "texts": list(texts), "cosine": (img @ txt.T).numpy(),
            "probs": model.similarity(img, txt).softmax(1).numpy()}


@torch.no_grad()
def map_axes(emb):
    """The two directions in which the points (N, D) spread out most (PCA by SVD): (mean (D,), axes (D, 2))."""
    mean = emb.mean(0)
    _, _, vh = torch.linalg.svd(emb - mean, full_matrices=False)
    return mean, vh[:2].T


def place(emb, mean, axes) -> np.ndarray:
    """Points (N, D) on the 2-D meaning map: (N, 2)."""
    return ((emb - mean) @ axes).numpy()


# ── 8. What the matching chapter shows: a score for children, the meaning map ──────────────────
def match_score(cos) -> int:
    """How well a picture and words match, as a child reads it: a cosine similarity (-1..1, float or
    0-d array/tensor) as a whole number 0..100; below 0 counts as 0."""
    return int(round(100 * min(max(float(cos), 0.0), 1.0)))


@torch.no_grad()
def picture_and_words(model: Matcher, picture: np.ndarray, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One uint8 picture (H, W, 3) and T texts as vectors: ((1 + T, D) rows of length 1, the picture
    first; (T,) each text's cosine with the picture, -1..1)."""
    emb = torch.cat([model.encode_image(picture[None]), model.encode_text(list(texts))])
    return emb.numpy(), (emb[1:] @ emb[0]).numpy()


@dataclass
class MeaningMap:
    """Pictures and words on one 2-D map: the two directions in which their vectors differ most (PCA,
    `map_axes`). images_xy (N, 2), words_xy (M, 2); `place` puts more texts on the same map."""
    mean: torch.Tensor                                       # (D,)
    axes: torch.Tensor                                       # (D, 2), the first spreads the points most
    images_xy: np.ndarray
    words_xy: np.ndarray

    @torch.no_grad()
    def place(self, model: Matcher, texts: list[str]) -> np.ndarray:
        """Texts (any language, any junk) on this map: (K, 2)."""
        return place(model.encode_text(list(texts)), self.mean, self.axes)


@torch.no_grad()
def meaning_map(model: Matcher, images: np.ndarray, words: list[str]) -> MeaningMap:
    """The map of uint8 pictures (N, H, W, 3) and words (M texts), their axes made from all N + M
    vectors together. Raises ValueError if there are no pictures or no words."""
    if len(images) == 0 or len(words) == 0:
        raise ValueError("a meaning map needs pictures and words")
    img, txt = model.encode_image(np.asarray(images)), model.encode_text(list(words))
    mean, axes = map_axes(torch.cat([img, txt]))
    return MeaningMap(mean, axes, place(img, mean, axes), place(txt, mean, axes))
