"""Words in every form children type them, made one form before anything reads them.

    "Ｃａｔ"  "r̲e̲d̲"  "藍色的魚"  "🇨🇳"  ──►  normalise()  ──►  "cat"  "red"  "蓝色的鱼"  "🇨🇳"

Used by the tokenizer (models/tokenizer.py: every text is normalised before it is cut into pieces), by
the matcher's search (through the tokenizer) and by the pages (a kind's name is compared with
name_key(); a name box is cut with cut()). Plain Python: no torch, no streamlit.

What normalise() does, in this order:
  1. Width and compatibility forms: Unicode NFKC (UAX #15). Full-width "Ｃａｔ" -> "Cat", "①" -> "1",
     the ideographic space -> a space. Chinese characters are left as they are.
  2. Marks on Latin letters: the text is decomposed (NFD), the combining marks (\p{M}) that follow
     a Latin letter are dropped, and it is composed again (NFC): "r̲e̲d̲" -> "red", "café" -> "cafe". Only Latin: marks that
     are part of other scripts' letters (Devanagari, Thai, Korean jamo...) are kept.
  3. Traditional -> simplified Chinese: OpenCC (https://github.com/BYVoid/OpenCC, the PyPI package
     `opencc`, its own compiled library and dictionaries, nothing downloaded at run time) with the
     "tw2s" configuration: Taiwan variant characters, then traditional -> simplified, character by
     character and phrase by phrase. "藍色的魚" -> "蓝色的鱼", "一條紅色的魚" -> "一条红色的鱼",
     "貓" -> "猫". Simplified text is left as it is.
  4. Case: str.casefold() ("CAT" -> "cat", "ß" -> "ss").

Visible characters are extended grapheme clusters (Unicode UAX #29), found with the `regex` package's
\\X: a flag 🇨🇳 (two regional indicators), a family 👨‍👩‍👧 (three people joined by zero-width joiners),
a letter with its marks, are each one character.
"""

from __future__ import annotations

import functools
import unicodedata

import regex

_GRAPHEME = regex.compile(r"\X")


# ── Visible characters ─────────────────────────────────────────────────────────────────────────
def graphemes(text: str) -> list[str]:
    """The visible characters of a text: extended grapheme clusters (UAX #29) via regex's \\X.

    "a🇨🇳👨‍👩‍👧" -> ["a", "🇨🇳", "👨‍👩‍👧"]. An empty text gives [].
    """
    return _GRAPHEME.findall(str(text))


def cut(text: str, limit: int) -> tuple[str, bool]:
    """The first `limit` visible characters (grapheme clusters) of a text, and whether anything was cut.

    Never cuts inside a character: three family emoji stay three whole families. Reads only as far as
    it keeps (a 1 MB paste costs no more than `limit` characters). limit >= 0.
    """
    text = str(text)
    head = regex.match(rf"\X{{0,{int(limit)}}}", text).group()
    return head, len(head) < len(text)


def length(text: str) -> int:
    """How many visible characters a text has (grapheme clusters, not code points or UTF-16 units)."""
    return len(graphemes(text))


# ── One form ───────────────────────────────────────────────────────────────────────────────────
_LATIN_MARKS = regex.compile(r"(\p{Latin})\p{M}+")


def drop_latin_marks(text: str) -> str:
    """Latin letters without their combining marks ("r̲e̲d̲" -> "red", "é" -> "e"); other scripts untouched.

    Decomposes (NFD), drops the marks (\p{M}) that follow a Latin letter (\p{Latin}), composes again (NFC).
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub(r"\1", unicodedata.normalize("NFD", text)))


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc    # imported on first use: pages that never read words do not load its dictionaries

    return opencc.OpenCC("tw2s")


def has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"
               for ch in text)


def to_simplified(text: str) -> str:
    """Traditional Chinese as simplified (OpenCC "tw2s"); text without Chinese characters is returned as is."""
    return _converter().convert(text) if has_han(text) else text


def normalise(text: str) -> str:
    """One form for every way of typing the same words: NFKC (width), Latin marks dropped, traditional ->
    simplified (OpenCC), casefold. See the module's docstring. Any str in, a str out; never raises."""
    text = str(text)
    if text.isascii():                      # the common case, and every text of the picture world in English
        return text.lower()
    text = unicodedata.normalize("NFKC", text)
    return to_simplified(drop_latin_marks(text)).casefold()


def name_key(name: str) -> str:
    """What two names must share to be the same name: normalise(), spaces collapsed and trimmed.

    name_key("Ｃａｔ") == name_key(" cat ") == "cat"; name_key("貓") == name_key("猫") == "猫".
    """
    return " ".join(normalise(name).split())


def same_name(name: str, names) -> str | None:
    """The first of `names` that is the same name as `name` (by name_key), else None."""
    key = name_key(name)
    return next((n for n in names if name_key(n) == key), None) if key else None
