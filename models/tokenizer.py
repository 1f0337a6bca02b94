"""Words into pieces into numbers, for Chinese and English alike, with nothing downloaded.

    "a blue star!"   ──►  ["a", "blue", "star"]          English: lower-case words, punctuation dropped
    "蓝色的星星🌟"    ──►  ["蓝色", "的", "星星", "🌟"]    Chinese: known words first, else one character
                                                          anything else (emoji, other scripts): its own piece
    "藍色的魚", "Ｒｅｄ", "r̲e̲d̲", "🇨🇳"                        first made one form (models/textnorm.py): "蓝色的鱼",
                                                          "red", "red"; one piece per visible character
    pieces  ──►  ids (vocabulary index, 1 = <unk>)  ──►  padded (N, L) tensor + mask

The vocabulary is every word of the picture world (models.world's captions and names in both
languages) plus each character of its Chinese words, so "蓝的星星" still reads "蓝" and "星星".
Every text is first normalised (models/textnorm.py: width, marks on Latin letters, traditional ->
simplified, case), so the shipped vocabulary reads "藍色的魚" and "Ｒｅｄ" without retraining.
Some known pieces say nothing alone ("的", "色", "a", "of"): NO_MEANING_ALONE. A text made only of
them names nothing to look for (Reading.meaningful is empty).
This file also writes the texts the matcher trains on: full captions, short queries ("红色的鱼",
"red fish") and a few templates ("a drawing of a cat"), each with the attributes it names. Training
draws them as numbers (draw_texts) and finds their ids in a table read once (Tokenizer.batch_codes):
a step writes no string and reads no text.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import numpy as np
import torch

from . import textnorm, world

PAD, UNK = 0, 1
MAX_PIECES = 32          # longer texts are cut: the world's longest caption has 9 pieces
MAX_CHARS = 2000         # a 5,000-character paste is cut before it is read
MAX_WORD = 24            # a longer run of letters is shown cut, with an ellipsis

# Chinese words the tokenizer keeps whole (longest match first); other characters stand alone.
ZH_WORDS = sorted({*world.NAME_ZH.values(), *world.COLOR_ZH.values(), *world.MOOD_ZH.values(),
                   "小小", "大大", "图片", "东西"}, key=len, reverse=True)
TEMPLATES_EN = ("a drawing of {}", "a picture of {}")
# Known pieces that carry no meaning alone: articles, templates' words, measure words, the "色" of every
# colour, the halves of words ("东西" -> "东", "西"). With a kind or a colour they help; alone they name nothing.
NO_MEANING_ALONE = frozenset({"a", "an", "the", "of", "drawing", "picture", "something", "一", "的", "色", "画",
                              "图", "片", "图片", "东", "西", "东西", "子", "幅", *world.MEASURE_ZH.values()})
TEMPLATES_ZH = ("一幅{}的画", "{}的图片")


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


# ── Texts about the world, each with what it names: (kind, colour, size, mood), -1 = not said ──
def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def short_text(kind: int, color: int, lang: str, form: int) -> str:
    """A short query naming a kind, a colour or both (-1 = not named). form picks a wording (0..3)."""
    if kind < 0:                                   # colour alone: "red", "something red", "红色的东西"
        name = world.COLORS[color] if lang == "en" else world.COLOR_ZH[world.COLORS[color]]
        return [name, f"something {name}" if lang == "en" else f"{name}的东西"][form % 2]
    k = world.KINDS[kind]
    if lang == "en":
        words = f"{world.COLORS[color]} {k}" if color >= 0 else k
        return [words, f"{article(words)} {words}", *(t.format(f"{article(words)} {words}") for t in TEMPLATES_EN)][form % 4]
    words = f"{world.COLOR_ZH[world.COLORS[color]]}的{world.NAME_ZH[k]}" if color >= 0 else world.NAME_ZH[k]
    return [words, f"一{world.MEASURE_ZH[k]}{words}", *(t.format(words) for t in TEMPLATES_ZH)][form % 4]


# What a training text says, by how it was drawn (0..3): a full caption (55%), kind and colour (30%:
# "red fish", "一条红色的鱼", "a drawing of a red fish"), kind alone (10%: "fish", "鱼"), colour alone (5%:
# "red", "红色的东西"). NAMES[what] marks which of (kind, colour, size, mood) the text names.
WHAT_SHARES = np.array([0.55, 0.85, 0.95])          # cumulative: a random number below 0.55 is a caption ...
NAMES = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]], bool)
# Every training text has a number: mixed radix over (what, english, form, kind, colour, size, mood + 1).
TEXT_RADIX = (4, 2, 4, len(world.KINDS), len(world.COLORS), len(world.SIZES), len(world.MOODS) + 1)


def training_text(what: int, english: bool, form: int, k: int, c: int, s: int, m: int) -> str:
    """The training text of one draw (see WHAT_SHARES): a caption or a short query (-1 = mood not said)."""
    lang = "en" if english else "zh"
    if what == 0:                # a full caption, as the world writes it
        return (world.caption_en if english else world.caption_zh)(k, c, s, m, form)
    return short_text(k if what < 3 else -1, c if what in (1, 3) else -1, lang, form)


def draw_texts(kinds, colors, sizes, moods, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One training text per picture, in a random language and form, as numbers (no strings made).

    kinds, colors, sizes, moods: (N,) ints (mood -1 where none). Returns (codes (N,) int64, each text's
    number (see TEXT_RADIX, `training_text_of`), named (N, 4) int64: what the text says about kind,
    colour, size and mood, -1 = says nothing), so a picture "fits" a text when every named attribute
    matches. Uses rng exactly as sample_texts does: the same dice give the same texts.
    """
    n = len(kinds)
    choice, english, form = rng.random(n), rng.random(n) < 0.5, rng.integers(4, size=n)
    what = np.searchsorted(WHAT_SHARES, choice, side="right")                      # (N,) 0..3
    attrs = np.stack([kinds, colors, sizes, moods], 1).astype(np.int64)           # (N, 4)
    named = np.where(NAMES[what], attrs, -1)                                      # (N, 4)
    digits = (what, english, form, attrs[:, 0], attrs[:, 1], attrs[:, 2], attrs[:, 3] + 1)
    codes = np.zeros(n, np.int64)
    for digit, base in zip(digits, TEXT_RADIX):
        codes = codes * base + np.asarray(digit, np.int64)
    return codes, named


def training_text_of(code: int) -> str:
    """The text a number from draw_texts stands for."""
    digits = []
    for base in reversed(TEXT_RADIX):
        code, d = divmod(int(code), base)
        digits.append(d)
    what, english, form, k, c, s, m1 = reversed(digits)
    return training_text(what, bool(english), form, k, c, s, m1 - 1)


def sample_texts(kinds, colors, sizes, moods, rng: np.random.Generator):
    """One training text per picture, in a random language and form.

    Returns (texts, named) where named is (N, 4) ints: what the text says about kind, colour, size
    and mood (-1 = says nothing), so a picture "fits" a text when every named attribute matches.
    The same as draw_texts, with the texts written out.
    """
    codes, named = draw_texts(kinds, colors, sizes, moods, rng)
    return [training_text_of(code) for code in codes], named


def full_captions(lang: str) -> list[str]:
    """Every caption the world writes in one language ("a small happy red face", "一条红色的小鱼")."""
    caption = world.caption_en if lang == "en" else world.caption_zh
    return list(dict.fromkeys(caption(k, c, s, m, v) for k in range(len(world.KINDS))
                              for m in (range(len(world.MOODS)) if world.KINDS[k] == "face" else [-1])
                              for c in range(len(world.COLORS)) for s in range(len(world.SIZES)) for v in range(2)))


def world_texts() -> list[str]:
    """Every text the world can say: the source of the vocabulary."""
    out = full_captions("en") + full_captions("zh")
    for lang in ("en", "zh"):
        for f in range(4):
            out += [short_text(k, c, lang, f) for k in range(len(world.KINDS)) for c in range(-1, len(world.COLORS))]
            out += [short_text(-1, c, lang, f) for c in range(len(world.COLORS))]
    return out


@dataclass
class Reading:
    """What the tokenizer made of one text, for a page to show."""
    pieces: list          # ["a", "blue", "star"]
    ids: list             # [5, 17, 40]
    unknown: list         # pieces it has never seen, in order, without repeats
    truncated: bool       # True when the text was too long and its end was not read
    meaningful: list = None   # known pieces that name something alone ("blue", "鱼"; not "的", "a"), no repeats


class Tokenizer:
    def __init__(self, vocab: list[str] | None = None):
        if vocab is None:
            pieces = {p for text in world_texts() for p in self.split(text)}
            pieces |= {ch for w in ZH_WORDS for ch in w}          # characters of words, for "蓝的星星"
            vocab = ["<pad>", "<unk>", *sorted(pieces)]
        self.vocab = list(vocab)
        self.index = {p: i for i, p in enumerate(self.vocab)}
        # Training reads the world's few thousand texts again and again: remember their ids (only
        # theirs, so nothing a visitor types is kept).
        self._memo: dict = {}
        self._world = frozenset(world_texts())
        self._table = None

    # 1. Text -> pieces
    @staticmethod
    def split(text: str, max_pieces: int = MAX_PIECES) -> list[str]:
        """A text (any str) -> at most max_pieces pieces, after textnorm.normalise (one form) and cut to
        MAX_CHARS visible characters. One piece per visible character (grapheme cluster) or word."""
        text = textnorm.normalise(textnorm.cut(str(text), MAX_CHARS)[0])
        chars = list(text) if text.isascii() else textnorm.graphemes(text)
        pieces, i = [], 0
        while i < len(chars) and len(pieces) < max_pieces:
            ch = chars[i]
            if is_cjk(ch[0]):
                word = next((w for w in ZH_WORDS if "".join(chars[i:i + len(w)]) == w), ch)
                pieces.append(word)
                i += len(word)
            elif ch[0].isalnum():                                  # a run of letters/digits: a word
                j = i + 1
                while j < len(chars) and chars[j][0].isalnum() and not is_cjk(chars[j][0]):
                    j += 1
                pieces.append("".join(chars[i:j]) if j - i <= MAX_WORD else "".join(chars[i:i + MAX_WORD]) + "…")
                i = j
            else:
                # Spaces and punctuation are skipped; a symbol (an emoji, a flag, a family) is one piece.
                if unicodedata.category(ch[0]) in ("So", "Co"):
                    pieces.append(ch)
                i += 1
        return pieces

    def tokenize(self, text: str) -> list[str]:
        return self.split(text)

    # 2. Pieces -> ids ("stars" reads as "star")
    def piece_id(self, piece: str) -> int:
        plural = len(piece) > 3 and piece.endswith("s")
        for p in (piece, piece[:-1] if plural else None, piece[:-2] if plural and piece.endswith("es") else None):
            if p and p in self.index and p not in ("<pad>", "<unk>"):
                return self.index[p]
        return UNK

    def read(self, text: str) -> Reading:
        pieces = self.split(text)
        ids = [self.piece_id(p) for p in pieces]
        unknown = list(dict.fromkeys(p for p, i in zip(pieces, ids) if i == UNK))
        truncated = textnorm.cut(str(text), MAX_CHARS)[1] or len(self.split(text, MAX_PIECES + 1)) > MAX_PIECES
        meaningful = list(dict.fromkeys(p for p, i in zip(pieces, ids) if i != UNK and self.vocab[i] not in NO_MEANING_ALONE))
        return Reading(pieces, ids, unknown, truncated, meaningful)

    def ids(self, text: str, split_words: bool = False) -> list[int]:
        key = (text, split_words)
        if key in self._memo:
            return self._memo[key]
        ids = self.piece_ids(self.split(text), split_words)
        if text in self._world:
            self._memo[key] = ids
        return ids

    def piece_ids(self, pieces: list[str], split_words: bool = False) -> list[int]:
        """Pieces (from split) -> at most MAX_PIECES ids. split_words (training only): read Chinese
        words as single characters too."""
        if split_words:
            pieces = [ch for p in pieces for ch in (p if len(p) > 1 and is_cjk(p[0]) else [p])]
        return [self.piece_id(p) for p in pieces[:MAX_PIECES]]

    # 3. Every training text at once: ids found by number, for training (draw_texts), no strings per step
    def training_table(self) -> "TextTable":
        """The ids of every text draw_texts can name: read once per vocabulary (about 0.4 s of CPU) and
        shared, read-only, by every tokenizer with that vocabulary."""
        if self._table is None:
            self._table = _training_table(tuple(self.vocab))
        return self._table

    def batch_codes(self, codes, split_words=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Like batch, for texts given by number (codes (N,) from draw_texts): ids (N, L) long, mask (N, L)
        bool, equal to batch([training_text_of(c) for c in codes], split_words). Torch indexing only."""
        table = self.training_table()
        codes = torch.as_tensor(codes, dtype=torch.long)
        ids, lengths = table.ids.index_select(0, codes), table.lengths.index_select(0, codes)  # (N, Lmax), (N,)
        if split_words is not None:
            split = torch.as_tensor(np.asarray(split_words, bool))
            ids = torch.where(split[:, None], table.split_ids.index_select(0, codes), ids)
            lengths = torch.where(split, table.split_lengths.index_select(0, codes), lengths)
        ids = ids[:, :max(int(lengths.max()), 1) if len(codes) else 1]
        return ids, ids != PAD

    # 4. Many texts -> one padded tensor
    def batch(self, texts: list[str], split_words=None) -> tuple[torch.Tensor, torch.Tensor]:
        """ids (N, L) long, mask (N, L) bool. An empty text becomes one <unk> so it still has a vector."""
        rows = [self.ids(t, bool(split_words is not None and split_words[i])) or [UNK] for i, t in enumerate(texts)]
        width = max(len(r) for r in rows) if rows else 1
        ids = torch.tensor([r + [PAD] * (width - len(r)) for r in rows], dtype=torch.long).reshape(len(rows), width)
        return ids, ids != PAD


@dataclass(frozen=True)
class TextTable:
    """Every training text (by draw_texts' number) read into ids: (T, Lmax) long rows padded with PAD, as
    read whole and with Chinese words split into characters; each row's length (T,)."""
    ids: torch.Tensor
    lengths: torch.Tensor
    split_ids: torch.Tensor
    split_lengths: torch.Tensor


@functools.lru_cache(maxsize=4)
def _training_table(vocab: tuple) -> TextTable:
    # About 20,000 numbers (some never drawn: a fish has no mood) but about 2,000 different texts: each
    # different text is read once, then every number points at its row.
    tok = Tokenizer(list(vocab))
    texts = [training_text_of(code) for code in range(int(np.prod(TEXT_RADIX)))]
    row = {}
    for text in texts:
        row.setdefault(text, len(row))
    which = torch.tensor([row[text] for text in texts], dtype=torch.long)          # (T,) number -> text
    pieces = [tok.split(text) for text in row]
    tables = []
    for split in (False, True):
        ids = [tok.piece_ids(p, split) or [UNK] for p in pieces]
        tables.append([[r + [PAD] * (MAX_PIECES - len(r)) for r in ids], [len(r) for r in ids]])
    width = max(max(lengths) for _, lengths in tables)
    (ids, lengths), (split_ids, split_lengths) = [
        (torch.tensor(rows, dtype=torch.long)[:, :width][which], torch.tensor(lengths, dtype=torch.long)[which])
        for rows, lengths in tables]
    return TextTable(ids, lengths, split_ids, split_lengths)
