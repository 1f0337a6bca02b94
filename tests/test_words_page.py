"""The words page in AppTest, in Chinese, English and both: it draws the ready words, plays and steps;
every bad input (empty, emoji, unknown words, traditional characters, 5,000 characters, a double click)
gets a friendly word and never an error; one word changed; the guidance slider; the live model steps."""

import json

import pytest
from helpers import captions, no_exception, run_app, texts

from ui.i18n import t_in

PAGE = "pages/words.py"
SLOW = 300          # seconds a run may take on the shared, busy test machine (AppTest's default is 90)
BAD = ["", "   ", "🐉🦄", "恐龙", "a dragon", "藍色的魚", "星" * 2500 + "star " * 500, "<b>*_`$x$`_*</b>"]


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_page_draws_and_plays_in_each_language(lang):
    at = run_app(lang, PAGE, timeout=SLOW)
    no_exception(at)
    for heading in ("1.", "2.", "3.", "4.", "5.", "6."):
        assert any(h.value.startswith(heading) for h in at.header)
    base = "zh" if lang == "both" else lang
    assert any(c.startswith(t_in(base, "words.now_caption", step=0, total=10, pct=100)) for c in captions(at))
    assert t_in(base, "words.pieces_caption") in " ".join(captions(at))
    at.button(key="words-play").click().run()                     # one run = one tick of the player
    no_exception(at)
    assert at.session_state["words:playing"] and at.session_state["words-frame"] == 1
    at.button(key="words-play").click().run()                     # stop
    at.button(key="words-one-step").click().run()
    assert at.session_state["words-frame"] == 2
    at.slider(key="words-frame").set_value(10).run()
    assert any(t_in(base, "words.finished_caption", prompt="")[:4] in c for c in captions(at))
    no_exception(at)


def test_every_bad_input_gets_a_friendly_word():
    at = run_app("en", PAGE, timeout=SLOW)
    for bad in BAD:
        at.text_input(key="words-prompt").set_value(bad).run()
        no_exception(at)
        shown = texts(at)
        if not bad.strip():
            assert t_in("en", "words.empty") in shown
        else:
            assert "never learned" in shown or t_in("en", "words.too_long") in shown, bad[:20]
    # Double click on draw, then words it knows again: pictures, no error.
    at.text_input(key="words-prompt").set_value("a big red heart").run()
    at.button(key="words-draw").click().run()
    at.button(key="words-draw").click().run()
    no_exception(at)
    assert any(c.startswith("Step 0 of 10") or c.startswith("Step 1 of 10") for c in captions(at))


def test_unknown_words_in_chinese_are_named_and_it_draws_from_the_rest():
    at = run_app("zh", PAGE, timeout=SLOW)
    at.text_input(key="words-prompt").set_value("一条蓝色的龙").run()
    no_exception(at)
    assert t_in("zh", "words.knows_some", words="龙") in texts(at)
    at.text_input(key="words-prompt").set_value("🐉").run()
    assert t_in("zh", "words.knows_none", words="🐉") in texts(at)
    assert not any(c.startswith("第 0 步") for c in captions(at))    # it does not pretend to draw
    for i in range(5):                                                 # the examples, the long one last
        at.pills(key="words-unknown").set_value(i).run()
        no_exception(at)


def test_change_one_word_strictness_and_live_training():
    at = run_app("en", PAGE, timeout=SLOW)
    at.pills(key="words-pair").set_value("a cat | a fish").run()
    assert at.text_input(key="words-left").value == "a cat" and at.text_input(key="words-right").value == "a fish"
    at.text_input(key="words-right").set_value("").run()
    assert t_in("en", "words.empty") in texts(at)
    at.select_slider(key="words-strict").set_value(0.0).run()
    no_exception(at)
    assert t_in("en", "words.strict_caption", w="0", prompt="a blue fish") in captions(at)
    at.pills(key="words-ready").set_value("a big red heart").run()
    assert at.text_input(key="words-prompt").value == "a big red heart"
    at.button(key="words-step").click().run()                     # the live model: one step
    no_exception(at)
    assert at.session_state["live:words"].trainer.steps >= 1
    at.button(key="words-step").click().run()                     # two points: its loss chart, whose
    charts = at.get("vega_lite_chart")                            # data is in its spec, not Arrow data
    assert len(charts) == 1 and not charts[0].proto.data.data and not charts[0].proto.datasets   # (pandas)
    x = json.loads(charts[0].proto.spec)["layer"][0]["encoding"]["x"]
    assert x["field"] == "x" and x["axis"]["format"] == "d"       # steps: no "1.2" under the line


def test_a_click_elsewhere_on_the_page_draws_nothing_again(monkeypatch):
    """Every picture of one visit stays remembered for the visitor: a click that changes none of the words
    (here: one step of the player) draws nothing again (with too few kept, each rerun redrew them all: 2 s)."""
    from models.words import WordsTrainer

    at = run_app("en", PAGE, timeout=SLOW)
    no_exception(at)
    drawn = []
    real = WordsTrainer.sample
    monkeypatch.setattr(WordsTrainer, "sample", lambda self, *a, **k: drawn.append(a[0]) or real(self, *a, **k))
    at.button(key="words-one-step").click().run()
    no_exception(at)
    assert drawn == [], f"drew again: {drawn}"


def test_the_live_pictures_are_drawn_without_the_runs_lock(monkeypatch):
    """The live model's pictures (~0.2 s of sampling) come from a drawing copy, made with the run's
    lock free, so a worker trains the run meanwhile (issue #16)."""
    import streamlit as st
    from helpers import another_thread_gets

    from models.words import WordsTrainer

    at = run_app("en", PAGE, timeout=SLOW)
    free = []
    real = WordsTrainer.sample
    monkeypatch.setattr(WordsTrainer, "sample", lambda self, *a, **k: free.append(
        (self.frozen, another_thread_gets(st.session_state["live:words"].lock))) or real(self, *a, **k))
    at.button(key="words-step").click().run()
    no_exception(at)
    assert at.session_state["live:words"].trainer.steps == 1
    assert free and all(copy and unlocked for copy, unlocked in free)
