"""The matching page in AppTest: words become bars, odd input gets a friendly word (never an error),
searching finds pictures in both languages, a picture gets captions in both languages, the map takes a
word, and live training takes a step, in Chinese and in English."""

import pytest
from helpers import no_exception, run_app, texts

from models.tokenizer import Tokenizer
from ui.i18n import t_in

PAGE = "pages/matching.py"


def results(at):
    """How many pictures the search box found (each picture has a 'match NN' caption)."""
    return sum(1 for im in at.image for c in im.proto.imgs if c.caption.startswith(("match", "配对分")))


def map_url(at, lang):
    return next(c.url for im in at.image for c in im.proto.imgs if c.caption == t_in(lang, "matching.map_caption"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_searches_describes_and_maps_in_each_language(lang):
    at = run_app(lang, PAGE)
    no_exception(at)
    shown = texts(at)
    assert t_in(lang, "matching.bars_caption") in [c.caption for im in at.image for c in im.proto.imgs]
    assert results(at) == 6 + 5 + 5                                  # the query, then the pair of languages
    assert t_in(lang, "matching.same_pictures", n=5, total=5) in shown   # 蓝色的星星 and a blue star agree
    # A picture gets words in both languages, whatever the page's language.
    at.segmented_control(key="matching-pick").set_value(2).run()
    shown = texts(at)
    assert "一张" in shown and "a " in shown and "face" in shown      # picture 3 is a face
    # A word on the map: the map is drawn again with the word on it.
    before = map_url(at, lang)
    at.text_input(key="matching-map-word").input("花").run()
    no_exception(at)
    assert map_url(at, lang) != before

    # Odd words in the first box: a friendly word each time, never an error.
    never = t_in(lang, "matching.never_seen", words="@").split("@")[0]
    for button, expected in (("emoji", never), ("unknown", never), ("empty", t_in(lang, "matching.empty")),
                             ("long", t_in(lang, "matching.too_long", n=32))):
        at.button(key=f"matching-odd-{button}").click().run()
        no_exception(at)
        assert expected in texts(at), button


def test_odd_searches_get_a_friendly_answer_never_an_error():
    at = run_app("zh", PAGE)
    never = t_in("zh", "matching.never_seen", words="@").split("@")[0]
    tokenizer = Tokenizer()
    for odd in ["", "   ", "🦖🦖", "x" * 5000, "恐龙 dinosaur", "**[a](http://x)** {score}", "a\nblue\tstar",
                "🇨🇳👨‍👩‍👧", "藍" * 5000]:
        at.text_input(key="matching-query").input(odd).run()
        no_exception(at)
        reading = tokenizer.read(odd)
        assert results(at) == (6 if reading.meaningful else 0) + 10, repr(odd)   # the pair below always shows
        assert (never in texts(at)) == bool(reading.unknown), repr(odd)
    at.text_input(key="matching-map-word").input("🦖 " * 3000).run()
    no_exception(at)


def test_live_training_takes_steps_and_draws_the_grid():
    at = run_app("en", PAGE)
    assert t_in("en", "train_status_new") in texts(at)
    at.button(key="matching-step").click().run()
    no_exception(at)
    assert at.session_state["live:matching"].trainer.steps == 1
    at.button(key="matching-start").click().run()                  # one run = one tick of about 0.15 s
    no_exception(at)
    assert at.session_state["live:matching"].trainer.steps > 1
    assert t_in("en", "matching.grid_caption") in [c.caption for im in at.image for c in im.proto.imgs]
    at.button(key="matching-pause").click().run()
    assert t_in("en", "train_status_paused", steps=at.session_state["live:matching"].trainer.steps) in texts(at)


def test_a_click_elsewhere_draws_the_live_grid_again_only_after_the_model_learned(monkeypatch):
    """The live grid (a picture, ~50 ms) is drawn again when the model took a step, not on a
    click elsewhere on the page (it was drawn on every rerun: 0.43 s a click)."""
    from ui import match_views

    at = run_app("en", PAGE)
    drawn = []
    real = match_views.grid_png
    monkeypatch.setattr(match_views, "grid_png", lambda *a, **k: drawn.append(1) or real(*a, **k))
    at.button(key="matching-odd-emoji").click().run()             # a search: the model did not learn
    no_exception(at)
    assert drawn == []
    at.button(key="matching-step").click().run()                  # it learned: a new grid
    no_exception(at)
    assert drawn == [1]
    at.button(key="matching-odd-long").click().run()
    assert drawn == [1]


def test_the_live_grid_is_drawn_without_the_runs_lock(monkeypatch):
    """The grid's picture is made with the run's lock free, so a worker trains
    meanwhile; only the similarity it shows is read with the lock held."""
    import streamlit as st

    from helpers import another_thread_gets
    from ui import match_views

    at = run_app("en", PAGE)
    free = []
    real = match_views.grid_png
    monkeypatch.setattr(match_views, "grid_png", lambda *a, **k: free.append(
        another_thread_gets(st.session_state["live:matching"].lock)) or real(*a, **k))
    at.button(key="matching-step").click().run()
    no_exception(at)
    assert free == [True]
    assert t_in("en", "matching.grid_caption") in [c.caption for im in at.image for c in im.proto.imgs]


def cached(scope: str) -> int:
    """How many st.cache_data entries the process holds, in the shared caches ("global") or in the
    per-session ones ("session")."""
    from streamlit.runtime.caching.cache_data_api import _data_caches

    return sum(len(stats) for owner, caches in _data_caches._function_caches.items()
               if (owner is None) == (scope == "global")
               for cache in caches.values() for stats in cache.get_stats().values())


def test_a_childs_words_stay_in_their_own_session():
    """What one child types is remembered in that child's session only (st.cache_data(scope="session")):
    it adds nothing to the caches every visitor shares. (Two real visitors never seeing each other's
    entries: tests/browser/test_session_cache_browser.py; AppTest gives every session the same id.)"""
    secret = "蓝色的 fish 秘密"
    one = run_app("en", PAGE)
    shared, own = cached("global"), cached("session")
    one.text_input(key="matching-words").input(secret).run()
    one.text_input(key="matching-map-word").input(secret).run()
    no_exception(one)
    assert cached("global") == shared                 # nothing from the child's words in a shared cache
    assert cached("session") == own + 2               # the bars and the map, in the child's session


def found_pictures(at):
    """The search box's pictures (the first six with a 'match' caption) and their captions."""
    shown = [(c.url, c.caption) for im in at.image for c in im.proto.imgs if c.caption.startswith(("match", "配对分"))]
    return shown[:6]


def test_traditional_characters_find_the_same_pictures_as_simplified():
    """藍色的魚 reads as 蓝色的鱼: no "never seen", the very same pictures with the same scores (blue fish
    first: see test_tokenizer.py), and likewise 一條紅色的魚 and 貓."""
    at = run_app("zh", PAGE)
    never = t_in("zh", "matching.never_seen", words="@").split("@")[0]
    for traditional, simplified in (("藍色的魚", "蓝色的鱼"), ("一條紅色的魚", "一条红色的鱼"), ("貓", "猫")):
        at.text_input(key="matching-query").input(simplified).run()
        expected = found_pictures(at)
        at.text_input(key="matching-query").input(traditional).run()
        no_exception(at)
        assert never not in texts(at), traditional
        assert len(expected) == 6 and found_pictures(at) == expected, traditional


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_words_that_name_nothing_are_not_ranked_and_the_page_says_so(lang):
    """的的色 (or "a of the"): known pieces that say nothing alone. No confident-looking matches: the page
    says what it did not understand instead."""
    at = run_app(lang, PAGE)
    for query, shown in (("的的色", "的, 色"), ("a of the", "a, of")):
        at.text_input(key="matching-query").input(query).run()
        no_exception(at)
        assert results(at) == 10, query                                # only the fixed pair below
        assert t_in(lang, "words_no_meaning", words=shown) in texts(at), query


def test_a_flag_and_a_family_are_one_piece_each():
    at = run_app("en", PAGE)
    at.text_input(key="matching-words").input("🇨🇳👨‍👩‍👧 r̲e̲d̲ fish").run()
    no_exception(at)
    assert t_in("en", "matching.never_seen", words="🇨🇳, 👨‍👩‍👧") in texts(at)
    assert "`🇨🇳 ?` `👨‍👩‍👧 ?` `red` `fish`" in texts(at)
