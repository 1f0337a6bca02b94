"""Words in every form children type them (models/textnorm.py, models/tokenizer.py): traditional reads as
simplified, full width and marks on letters as plain letters, one piece per visible character, a name
cut at whole characters, and the shipped matcher still reads its own vocabulary."""

import numpy as np
import pytest

from models import matcher as M
from models import textnorm, world
from models.tokenizer import MAX_CHARS, UNK, Tokenizer, world_texts

FAMILY, FLAG = "👨‍👩‍👧", "🇨🇳"


@pytest.fixture(scope="module")
def model():
    return M.load_shipped()


@pytest.mark.parametrize("typed, read", [("藍色的魚", "蓝色的鱼"), ("一條紅色的魚", "一条红色的鱼"), ("貓", "猫"),
                                         ("Ｃａｔ", "cat"), ("ＲＥＤ　ＦＩＳＨ", "red fish"), ("r̲e̲d̲", "red"),
                                         ("BLUE Star", "blue star"), ("café", "cafe")])
def test_every_form_is_made_one_form(typed, read):
    assert textnorm.normalise(typed) == read


def test_other_scripts_keep_their_marks_and_simplified_stays_simplified():
    for text in ("한국어", "नमस्ते", "蓝色的星星🌟", FAMILY + FLAG):
        assert textnorm.normalise(text) == text
    assert all(textnorm.normalise(t) == t.lower() for t in world_texts())


@pytest.mark.parametrize("typed, pieces", [
    ("藍色的魚", ["蓝色", "的", "鱼"]), ("一條紅色的魚", ["一", "条", "红色", "的", "鱼"]), ("貓", ["猫"]),
    ("r̲e̲d̲ fish", ["red", "fish"]), ("Ｂｌｕｅ ｓｔａｒ", ["blue", "star"]),
    (FLAG + FAMILY + "🐱", [FLAG, FAMILY, "🐱"]), ("👍🏽", ["👍🏽"]),
])
def test_one_piece_per_visible_character_or_word(typed, pieces):
    assert Tokenizer.split(typed) == pieces


def test_traditional_words_are_known_and_meaningful(model):
    for typed in ("藍色的魚", "一條紅色的魚", "貓", "Ｒｅｄ ｆｉｓｈ", "r̲e̲d̲ fish"):
        reading = model.tokenizer.read(typed)
        assert reading.unknown == [] and UNK not in reading.ids and reading.meaningful, typed


def test_pieces_that_say_nothing_alone_are_known_but_not_meaningful(model):
    for typed in ("的的色", "a", "a drawing of", "一条", "的 the"):
        assert model.tokenizer.read(typed).meaningful == [], typed
    assert model.tokenizer.read("蓝色的").meaningful == ["蓝色"]
    assert model.tokenizer.read("蓝的星星").meaningful == ["蓝", "星星"]


def test_the_shipped_vocabulary_still_applies(model):
    """Normalising comes before the tokenizer: the vocabulary it would build is the shipped one."""
    assert Tokenizer().vocab == model.tokenizer.vocab


def test_search_finds_blue_fish_for_traditional_words_and_ranks_nothing_for_filler(model):
    pics = world.make_pictures(48, seed=2024)      # the matching page's gallery
    emb = model.encode_image(pics.images)
    blue_fish = int(((pics.kinds == world.KINDS.index("fish")) & (pics.colors == world.COLORS.index("blue"))).sum())
    assert blue_fish >= 2
    order, cos = M.search(model, emb, "藍色的魚", 6)
    assert all(world.KINDS[pics.kinds[i]] == "fish" and world.COLORS[pics.colors[i]] == "blue" for i in order[:blue_fish])
    assert np.allclose(cos, M.search(model, emb, "蓝色的鱼", 6)[1])
    for filler in ("的的色", "a", "🇨🇳", ""):
        order, cos = M.search(model, emb, filler, 6)
        assert len(order) == len(cos) == 0, filler


def test_cut_keeps_whole_characters():
    name = "our family " + FAMILY * 3                 # 14 visible characters, 26 code points, 32 UTF-16 units
    assert textnorm.length(name) == 14
    assert textnorm.cut(name, 24) == (name, False)
    assert textnorm.cut(name, 13) == ("our family " + FAMILY * 2, True)
    assert textnorm.cut("x" * 200, 24) == ("x" * 24, True)
    assert textnorm.cut("", 24) == ("", False)


def test_a_very_long_paste_is_cut_and_read_as_too_long(model):
    reading = model.tokenizer.read(FAMILY * 5000)
    assert reading.truncated and len(reading.pieces) == 32 and set(reading.pieces) == {FAMILY}
    assert model.tokenizer.read("猫" * MAX_CHARS).truncated        # 2,000 characters: more than 32 pieces


@pytest.mark.parametrize("name, same", [("Ｃａｔ", "cat"), ("貓", "猫"), ("  CAT ", "cat"), ("Rocket  🚀", "rocket 🚀")])
def test_names_are_compared_in_one_form(name, same):
    assert textnorm.name_key(name) == textnorm.name_key(same)
    assert textnorm.same_name(name, ["dog", same]) == same
    assert textnorm.same_name(name, ["dog"]) is None and textnorm.same_name("  ", [""]) is None
