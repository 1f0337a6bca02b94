"""Languages: which one the reader chose, and the words for it.

All words live in lessons/<lang>/*.toml; this file only finds them. The reader's language comes from
`?lang=zh|en|both`, else their earlier choice in this session, else the browser's language, else
Chinese. It is written back into the URL on every run, so it survives page switches and reloads and a
link can be shared. In "both" (双语), every paragraph comes in Chinese, then in English, and every
button says both.
"""

from __future__ import annotations

import functools
from typing import Callable
import string
import tomllib
from pathlib import Path

import streamlit as st

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
LANGS = ("zh", "en", "both")
BASE = ("zh", "en")           # the languages that have their own files
JOIN = " · "                  # between the Chinese and English in "both" mode, for short strings


@functools.lru_cache(maxsize=None)
def load(lang: str, name: str) -> dict:
    """One lesson file as a dict (files are read once per process: they never change at run time)."""
    with open(LESSONS / lang / f"{name}.toml", "rb") as f:
        return tomllib.load(f)


def resolve_lang() -> str:
    """Pick the language for this run and write it back to the URL and the session."""
    asked = st.query_params.get("lang")
    if asked in LANGS:
        lang = asked
    elif st.session_state.get("lang") in LANGS:
        lang = st.session_state["lang"]
    else:
        locale = (st.context.locale or "").lower()
        lang = "en" if locale.startswith("en") else "zh"
    st.session_state["lang"] = lang
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


def lang() -> str:
    return st.session_state.get("lang", "zh")


def set_lang(new: str) -> None:
    if new in LANGS:
        st.session_state["lang"] = new
        st.query_params["lang"] = new


def _lookup(base: str, key: str) -> str:
    """'train_start' -> lessons/<base>/ui.toml; 'gan.start' -> the [ui] table of lessons/<base>/gan.toml."""
    if "." in key:
        chapter, name = key.split(".", 1)
        table = load(base, chapter).get("ui", {})
    else:
        table, name = load(base, "ui"), key
    value = table
    for part in name.split("."):
        value = value[part]
    return value


def bases() -> tuple[str, ...]:
    """The languages the page is written in: ("zh", "en") in bilingual mode, else the reader's one."""
    current = lang()
    return BASE if current == "both" else (current,)


def first_base() -> str:
    """The page's first language: Chinese in bilingual mode (for one example, one explanation)."""
    return bases()[0]


def in_each(make: Callable[[str], str], sep: str = JOIN) -> str:
    """`make(base)` in every language the page is written in, joined by `sep` (" · "); one text when
    both languages say the same. For a sentence whose parts must share its language, e.g.
    `in_each(lambda b: t_in(b, "seeing.guess", kind=t_in(b, "kinds.cat")))`."""
    texts = [make(b) for b in bases()]
    return texts[0] if len(set(texts)) == 1 else sep.join(texts)


def t(key: str, **fields) -> str:
    """The words for `key` in the reader's language, with {placeholders} filled in; in bilingual mode
    "中文 · English" (one text when the two are the same). Raises KeyError for an unknown key."""
    return in_each(lambda b: t_in(b, key, **fields))


def kind_name(kind: str, base: str | None = None) -> str:
    """The name of one of the picture world's kinds (models/world.py KINDS) from lessons/*/kinds.toml,
    in `base` or in the reader's language(s). KeyError for a kind the world has not."""
    return t_in(base, f"kinds.{kind}") if base else t(f"kinds.{kind}")


def t_in(base: str, key: str, **fields) -> str:
    """The words for `key` in one given language, whatever the reader chose."""
    return _lookup(base, key).format(**fields)


def field(chapter: str, *path: str):
    """A value from a lesson file in the reader's language; in 'both', a (zh, en) pair."""
    def get(base):
        value = load(base, chapter)
        for p in path:
            value = value[p]
        return value
    values = tuple(get(b) for b in bases())
    return values if len(values) > 1 else values[0]


def text(chapter: str, *path: str) -> str:
    """Like field() but for short strings: in 'both' the two are joined on one line."""
    value = field(chapter, *path)
    if isinstance(value, tuple):
        return value[0] if value[0] == value[1] else f"{value[0]}{JOIN}{value[1]}"
    return value


def sections(chapter: str) -> list[dict]:
    """The chapter's sections in the reader's language: dicts with id, heading, body (and body_en in 'both')."""
    current = lang()
    if current != "both":
        return load(current, chapter)["sections"]
    merged = []
    for zh, en in zip(load("zh", chapter)["sections"], load("en", chapter)["sections"]):
        merged.append({**zh, "heading": f"{zh['heading']}{JOIN}{en['heading']}", "body_en": en.get("body", "")})
    return merged


def placeholders(s: str) -> set[str]:
    """The {names} a string expects (used by the test that keeps the languages in step)."""
    return {name for _, name, _, _ in string.Formatter().parse(s) if name}
