"""The two languages stay in step: every file, key, section, paragraph and {placeholder} in one
language exists in the other, and every word the code asks for exists."""

import re
import tomllib
from pathlib import Path

import pytest

from ui import chapters
from ui.i18n import placeholders

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
FILES = sorted(p.name for p in (LESSONS / "zh").glob("*.toml"))


def load(base, name):
    with open(LESSONS / base / name, "rb") as f:
        return tomllib.load(f)


def paragraphs(text):
    return [p for p in text.strip().split("\n\n") if p.strip()]


def compare(zh, en, where):
    """Yield a message for every place where the two languages differ in shape."""
    if isinstance(zh, dict) and isinstance(en, dict):
        for key in sorted(set(zh) ^ set(en)):
            yield f"{where}.{key}: only in {'zh' if key in zh else 'en'}"
        for key in sorted(set(zh) & set(en)):
            yield from compare(zh[key], en[key], f"{where}.{key}")
    elif isinstance(zh, list) and isinstance(en, list):
        if len(zh) != len(en):
            yield f"{where}: {len(zh)} items in zh, {len(en)} in en"
        for i, (a, b) in enumerate(zip(zh, en)):
            name = a.get("id", i) if isinstance(a, dict) else i
            if isinstance(a, dict) and a.get("id") != b.get("id"):
                yield f"{where}[{i}]: section id {a.get('id')!r} in zh but {b.get('id')!r} in en"
            yield from compare(a, b, f"{where}[{name}]")
    elif isinstance(zh, str) and isinstance(en, str):
        if placeholders(zh) != placeholders(en):
            yield f"{where}: placeholders {sorted(placeholders(zh))} in zh, {sorted(placeholders(en))} in en"
        if len(paragraphs(zh)) != len(paragraphs(en)):
            yield f"{where}: {len(paragraphs(zh))} paragraphs in zh, {len(paragraphs(en))} in en"
    elif type(zh) is not type(en):
        yield f"{where}: {type(zh).__name__} in zh, {type(en).__name__} in en"


def test_the_same_files_exist_in_both_languages():
    assert FILES and FILES == sorted(p.name for p in (LESSONS / "en").glob("*.toml"))


@pytest.mark.parametrize("name", FILES)
def test_keys_sections_paragraphs_and_placeholders_match(name):
    problems = list(compare(load("zh", name), load("en", name), name))
    assert not problems, "\n".join(problems)


def test_the_checker_catches_differences():
    """The comparison itself must be able to fail."""
    assert list(compare({"a": "x {n}"}, {"a": "x"}, "t"))
    assert list(compare({"a": "one\n\ntwo"}, {"a": "one"}, "t"))
    assert list(compare({"s": [{"id": "a"}]}, {"s": [{"id": "b"}]}, "t"))
    assert list(compare({"a": 1}, {"b": 1}, "t"))


@pytest.mark.parametrize("chapter", [c.id for c in chapters.built()])
def test_a_chapter_has_what_the_home_page_and_classroom_mode_need(chapter):
    for base in ("zh", "en"):
        lesson = load(base, f"{chapter}.toml")
        for key in ("title", "nav", "teaser", "minutes"):
            assert key in lesson, f"{base}/{chapter}.toml has no {key}"
        assert lesson["parents"]["teaches"] and len(lesson["parents"]["questions"]) >= 2
        assert len(lesson["sections"]) >= 2
        for s in lesson["sections"]:
            assert s["id"] and s["heading"]


def test_glossary_has_the_key_terms_in_both_languages():
    for base in ("zh", "en"):
        terms = load(base, "glossary.toml")["terms"]
        for needed in ("generator", "discriminator", "noise", "modality"):
            assert needed in terms and terms[needed]["zh"] and terms[needed]["en"] and terms[needed]["say"]
    assert load("zh", "glossary.toml")["terms"]["generator"]["zh"] == "生成器"


CALL = re.compile(r"""\bt\(\s*(?:f?)["']([a-z_][a-z0-9_.]*)["']""")


def test_every_word_the_code_asks_for_exists():
    from ui.i18n import _lookup

    missing = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        for key in CALL.findall(path.read_text(encoding="utf-8")):
            for base in ("zh", "en"):
                try:
                    _lookup(base, key)
                except (KeyError, FileNotFoundError):
                    missing.append(f"{path.name}: {key} ({base})")
    assert not missing, "\n".join(missing)


def _tables(value, where=""):
    """Every table (dict) inside a lesson file, with where it is."""
    if isinstance(value, dict):
        yield where, value
        for key, inner in value.items():
            yield from _tables(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _tables(inner, f"{where}[{i}]")


def test_the_ten_kinds_are_named_once_in_kinds_toml():
    """lessons/<lang>/kinds.toml names every kind of the picture world (a name, and a label for a choice
    of what to draw), and no other lesson file keeps a table of its own naming all of them."""
    from models import world

    for base in ("zh", "en"):
        kinds = load(base, "kinds.toml")["ui"]
        assert set(kinds) - {"many"} == set(world.KINDS) == set(kinds["many"]), base
        assert all(isinstance(kinds[k], str) and kinds[k].strip() for k in world.KINDS)
        assert len({kinds[k] for k in world.KINDS}) == len(world.KINDS), "two kinds share a name"
        for name in FILES:
            if name == "kinds.toml":
                continue
            for where, table in _tables(load(base, name)):
                assert not set(world.KINDS) <= set(table), f"{base}/{name}{where} names the kinds again: use kinds.toml"
    assert load("zh", "kinds.toml")["ui"]["cat"] == "猫" and load("en", "kinds.toml")["ui"]["cat"] == "cat"
