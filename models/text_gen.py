"""A tiny writer: a character-level model learns the world's captions and our own rhymes, zh and en.

It reads a line one character at a time and learns to guess the next one (a character-level language
model, Karpathy's char-rnn, 2015; the same next-token game as GPT, far smaller). To write, it guesses a
character, adds it, and guesses again, until it guesses "end of line".

    <zh> 一 只 开 心 ...          tokens: a language mark, then characters
     ▼   ▼  ▼  ▼  ▼
    embedding (B, L, E) ──► GRU (B, L, H) ──► linear ──► scores for the next character (B, L, V)

Why a GRU: against a small transformer (CharTransformer below, kind="transformer") with the same
CPU time on one thread, it wrote well-formed captions more often in both languages, at 30 s and at
2 minutes (figures in docs/notes/beyond.md).

Kindness by construction: it can only write characters from its training text (all written in this
file or by models/world.py), and in English every word it writes is a word of that text: while it
writes, letters that would start a word it never read are not allowed (a prefix check). So nothing
unkind can come out, whatever the temperature.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import asdict, dataclass
from itertools import product

import numpy as np
import torch
import torch.nn as nn

from . import engine, seeded, sequence, world
from .optim import Adam

LANGS = ("zh", "en")
MAX_PROMPT = 40               # characters of a child's start that are kept
MAX_LINE = 40                 # characters a line may grow to

# ── The training text ──────────────────────────────────────────────────────────────────────────
# Short rhymes, written for this project (no unkind word in them: the model can only use these).
RHYMES = {
    "en": [
        "the sun is warm and the sky is blue",
        "a little fish can swim and swim",
        "the cat says hello to the moon",
        "one two three a happy tree",
        "red and yellow pink and green",
        "the stars come out to say good night",
        "my house is small my heart is big",
        "a big red car goes beep beep beep",
        "a flower smiles at the sun",
        "the tree is tall the grass is green",
        "a happy face is nice to see",
        "the fish and the cat are friends",
    ],
    "zh": [
        "小鱼小鱼游呀游",
        "太阳公公笑眯眯",
        "一颗星星亮晶晶",
        "小猫小猫喵喵叫",
        "红花绿树真好看",
        "大大的房子住着我",
        "一颗爱心送给你",
        "汽车汽车嘀嘀嘀",
        "花儿对着太阳笑",
        "星星月亮说晚安",
        "开心的脸真好看",
        "小鱼和小猫是好朋友",
    ],
}


def all_captions(lang: str) -> list[str]:
    """Every caption the picture world can write, in one language (384 each)."""
    make = world.caption_en if lang == "en" else world.caption_zh
    lines = []
    for k, c, s, v in product(range(len(world.KINDS)), range(len(world.COLORS)), range(len(world.SIZES)), range(2)):
        for m in (range(len(world.MOODS)) if world.KINDS[k] == "face" else [-1]):
            lines.append(make(k, c, s, m, v))
    return sorted(set(lines))


def training_lines() -> list[tuple[str, str]]:
    """(lang, line) pairs: every caption plus the rhymes, each rhyme written out four times so the
    rhymes are a real part of what it reads (about one line in nine)."""
    return [(lang, line) for lang in LANGS for line in all_captions(lang) + RHYMES[lang] * 4]


# ── A parser for the world's captions (for the benchmark: is a written line a real caption?) ──────
_EN = re.compile(r"(a|an) (small|little|big|large) (?:(happy|sad|surprised) )?(%s) (%s)"
                 % ("|".join(world.COLORS), "|".join(world.KINDS)))
_ZH_NAMES = "|".join(sorted(world.NAME_ZH.values(), key=len, reverse=True))
_ZH_COLORS = "|".join(world.COLOR_ZH.values())
_ZH_MOODS = "|".join(world.MOOD_ZH.values())
_ZH_A = re.compile(rf"一(.)(小小的|大大的)(?:({_ZH_MOODS})的)?({_ZH_COLORS})的({_ZH_NAMES})")
_ZH_B = re.compile(rf"一(.)(?:({_ZH_MOODS})的)?({_ZH_COLORS})的(小|大)({_ZH_NAMES})")


def is_caption(line: str, lang: str) -> bool:
    """True if `line` is a well-formed caption of the picture world: the right words in the right
    order, "a"/"an" and the Chinese measure word agreeing, a mood only on a face."""
    line = line.strip()
    if lang == "en":
        m = _EN.fullmatch(line)
        return bool(m) and (m[1] == "an") == (m[2][0] in "aeiou") and (m[3] is None or m[5] == "face")
    for pattern, name_at, mood_at in ((_ZH_A, 5, 3), (_ZH_B, 5, 2)):
        m = pattern.fullmatch(line)
        if m:
            kind = next(k for k, v in world.NAME_ZH.items() if v == m[name_at])
            return m[1] == world.MEASURE_ZH[kind] and (m[mood_at] is None or kind == "face")
    return False


# ── Characters and tokens ──────────────────────────────────────────────────────────────────────
class Vocab:
    """Characters of the training text <-> token ids. 0 = end of line, 1 = <zh>, 2 = <en>."""

    END, MARK = 0, {"zh": 1, "en": 2}

    def __init__(self, lines: list[tuple[str, str]]):
        self.chars = sorted({ch for _, line in lines for ch in line})
        self.index = {ch: i + 3 for i, ch in enumerate(self.chars)}
        words = {w for lang, line in lines if lang == "en" for w in line.split()}
        self.words = words
        self.prefixes = {w[:i] for w in words for i in range(len(w) + 1)}
        self.masks: dict = {}             # TextTrainer._allowed's masks, by (language, word, blank line)

    def __len__(self) -> int:
        return len(self.chars) + 3

    def encode(self, lang: str, line: str, end: bool = True) -> list[int]:
        return [self.MARK[lang]] + [self.index[ch] for ch in line] + ([self.END] if end else [])

    def char(self, token: int) -> str:
        return self.chars[token - 3]

    def unknown(self, text: str) -> list[str]:
        """Characters of `text` the model never read, in order, each once."""
        return list(dict.fromkeys(ch for ch in text if ch not in self.index))


def clean_start(text: str, keep: int | None = MAX_PROMPT) -> str:
    """A child's start, tidied: NFKC (full-width letters become plain ones), English lower-cased,
    runs of spaces made one, the first `keep` characters kept (None: all)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"\s+", " ", text).lstrip()[:keep]


def guess_lang(text: str, default: str = "en") -> str:
    """"zh" if the text has any CJK character, "en" if it has Latin letters, else `default`."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    return "en" if re.search(r"[a-z]", text, re.I) else default


# ── The model ──────────────────────────────────────────────────────────────────────────────────
@dataclass
class TextConfig:
    kind: str = "gru"          # "gru" or "transformer" (compared in docs/notes/beyond.md)
    embed: int = 48            # E (the transformer's width too)
    hidden: int = 128          # H: the GRU's memory (or the transformer's feed-forward width)
    layers: int = 2            # transformer blocks (the GRU has one layer)
    heads: int = 4             # transformer attention heads
    window: int = 64           # characters per training example
    batch: int = 32
    lr: float = 3e-3

    @classmethod
    def live(cls) -> "TextConfig":
        return cls()

    @classmethod
    def shipped(cls) -> "TextConfig":
        return cls()


class CharModel(nn.Module):
    def __init__(self, vocab_size: int, cfg: TextConfig):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, cfg.embed)
        self.gru = nn.GRU(cfg.embed, cfg.hidden, batch_first=True)
        self.out = nn.Linear(cfg.hidden, vocab_size)

    def forward(self, tokens, h=None):
        """tokens (B, L) long -> scores (B, L, V), memory (1, B, H)."""
        y, h = self.gru(self.embed(tokens), h)
        return self.out(y), h


class CharTransformer(nn.Module):
    """The same game with a small decoder-only transformer (Vaswani et al. 2017; GPT, Radford 2018):

    tokens (B, L) ──► embedding + place embedding (B, L, E) ──► `layers` × [causal self-attention,
    feed-forward] (B, L, E) ──► linear ──► scores (B, L, V)

    Its "memory" is the tokens read so far (B, T): each call reads them again with the new ones (only
    the last `CONTEXT` tokens), and returns scores for the new ones only."""

    CONTEXT = 128

    def __init__(self, vocab_size: int, cfg: TextConfig):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, cfg.embed)
        self.place = nn.Embedding(self.CONTEXT, cfg.embed)
        block = nn.TransformerEncoderLayer(cfg.embed, cfg.heads, cfg.hidden, dropout=0.0, batch_first=True,
                                           norm_first=True)
        self.blocks = nn.TransformerEncoder(block, cfg.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(cfg.embed)
        self.out = nn.Linear(cfg.embed, vocab_size)

    def forward(self, tokens, h=None):
        """tokens (B, L) long, h: earlier tokens (B, T) or None -> scores (B, L, V), memory (B, T + L)."""
        seen = tokens if h is None else torch.cat([h, tokens], 1)
        x = seen[:, -self.CONTEXT:]
        n = x.shape[1]
        y = self.embed(x) + self.place(torch.arange(n))                       # (B, n, E)
        mask = nn.Transformer.generate_square_subsequent_mask(n)
        y = self.out(self.norm(self.blocks(y, mask=mask, is_causal=True)))    # (B, n, V)
        return y[:, -min(tokens.shape[1], n):], seen


class TextTrainer:
    """Owns the model, its optimiser and the training text as one token stream. step() = one batch."""

    def __init__(self, config: TextConfig | None = None, seed: int = 0):
        self.config = cfg = config or TextConfig.live()
        self.gen = torch.Generator().manual_seed(seed)
        lines = training_lines()
        self.vocab = Vocab(lines)
        with seeded.untouched_global_rng():              # torch's global dice stay as they were (other visitors')
            torch.manual_seed(seed)      # parameter initialisation only
            self.model = (CharTransformer if cfg.kind == "transformer" else CharModel)(len(self.vocab), cfg)
        self.opt = Adam(self.model.parameters(), lr=cfg.lr)
        order = np.random.default_rng(seed).permutation(len(lines))
        self.stream = torch.tensor([t for i in order for t in self.vocab.encode(*lines[i])])   # (T,)
        self.steps = 0

    def step(self) -> dict:
        cfg = self.config
        chunk = self.stream[sequence.windows(len(self.stream), cfg.window, cfg.batch, self.gen)]   # (B, L+1)
        scores, _ = self.model(chunk[:, :-1])                                # (B, L, V)
        loss = sequence.learn(self.model, self.opt, scores, chunk[:, 1:])
        self.steps += 1
        return {"loss": loss}

    def memory_bytes(self) -> int:
        return engine.parameter_bytes(self.model) * 4 + self.stream.numel() * 8

    @torch.no_grad()
    def write(self, lang: str = "en", start: str = "", temperature: float = 1.0, seed: int = 0) -> str:
        """One line in `lang`, continuing `start` (which must hold only known characters: check with
        vocab.unknown first; raises KeyError otherwise). temperature > 0: low = careful, high =
        adventurous. Returns the whole line, start included."""
        g = torch.Generator().manual_seed(seed)
        v = self.vocab
        line = start
        if lang == "en" and line and not line.endswith(" ") and line.split(" ")[-1] not in v.prefixes:
            line += " "                   # a word it does not know: it starts a new word after it
        was = self.model.training
        self.model.eval()
        scores, h = self.model(torch.tensor([v.encode(lang, line, end=False)]))
        last = scores[0, -1]
        while len(line) < MAX_LINE:
            probs = torch.softmax(last / max(temperature, 1e-3) + self._allowed(lang, line), -1)
            tok = int(torch.multinomial(probs, 1, generator=g))
            if tok == v.END:
                break
            line += v.char(tok)
            scores, h = self.model(torch.tensor([[tok]]), h)
            last = scores[0, -1]
        self.model.train(was)
        return line.strip()

    def _allowed(self, lang: str, line: str) -> torch.Tensor:
        """0 for tokens it may write next, -inf for the others: no language marks; in English only
        letters that keep the word a start of a known word, and a space or the end only after a
        whole known word; in Chinese no Latin letters. (len(vocab),), shared: do not change it in place.
        Kept per (language, word, blank line) on the Vocab: built one torch call per token it cost 43 of
        the page's 100 ms of writing (cProfile), holding Python's global lock the workers need."""
        v = self.vocab
        word, blank = ("" if lang == "zh" else line.split(" ")[-1]), not line.strip()
        key = (lang, word, blank)
        mask = v.masks.get(key)
        if mask is None:
            ok = [False] * len(v)
            for ch, i in v.index.items():
                if lang == "zh":
                    ok[i] = not ch.isascii()
                elif ch == " ":
                    ok[i] = word in v.words
                else:
                    ok[i] = (word + ch) in v.prefixes
            ok[v.END] = not blank and (not word or word in v.words)    # a line has a character; a whole word
            mask = torch.where(torch.tensor(ok), 0.0, -math.inf)
            v.masks[key] = mask
        return mask

    def state_dict(self) -> dict:
        return {"config": asdict(self.config), "model": self.model.state_dict(), "steps": self.steps}

    @classmethod
    def from_state(cls, state: dict) -> "TextTrainer":
        trainer = cls(TextConfig(**state["config"]))
        trainer.model.load_state_dict(state["model"])
        trainer.steps = state["steps"]
        return trainer


def caption_share(trainer: TextTrainer, lang: str, n: int = 50, temperature: float = 1.0, seed: int = 0) -> float:
    """Share of n freshly written lines (no start) that are well-formed captions, 0..1."""
    return float(np.mean([is_caption(trainer.write(lang, "", temperature, seed + i), lang) for i in range(n)]))
