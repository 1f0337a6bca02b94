"""The "beyond pictures" page in AppTest: each part in Chinese and English (and both), a step of live
training, play a tune (from tapped notes and from typed ones), films smooth and jumpy, careful and
adventurous writing, finishing a sentence, and friendly words for bad input."""

import re

import pytest
from helpers import captions, no_exception, run_app, texts

from ui.i18n import load, t_in

PAGE = "pages/beyond.py"


def audio(at) -> list:
    return [e for e in at.get("audio")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_part_in_each_language(lang):
    at = run_app(lang, PAGE)
    no_exception(at)
    shown = texts(at)
    for heading in ("1.", "2.", "3."):
        assert any(h.value.startswith(heading) for h in at.header)
    for part in ("music", "video", "text"):
        assert at.container(key=f"beyond-honest-{part}") is not None
    assert t_in(lang, "beyond.strip") in captions(at)
    # Music: a step of training, then tap two notes and play.
    at.button(key="beyond-music-step").click().run()
    assert at.session_state["live:beyond-music"].trainer.steps == 1
    at.button(key="beyond-key-C4").click().run()
    at.button(key="beyond-key-G4").click().run()
    assert at.text_input(key="beyond-notes").value == "C4 G4"
    at.button(key="beyond-play").click().run()
    no_exception(at)
    notes, own, bpm, steps = at.session_state["beyond:tune"]
    assert notes[:2] == [(60, 2), (67, 2)] and own == 2 and steps == 1
    assert len(audio(at)) == 1
    assert t_in(lang, "beyond.roll_played", steps=1, n=len(notes)) in captions(at)
    # The clear button says what it does in words; under the music, where the real tunes come from.
    clear = at.button(key="beyond-clear").label
    assert clear == t_in(lang, "beyond.clear") and any(ch.isalpha() for ch in clear)
    sources = next(e for e in at.expander if e.label == t_in(lang, "beyond.tunes_title"))
    listed = "\n".join(m.value for m in sources.markdown)
    for tune in ("old_macdonald", "mo_li_hua"):
        assert t_in(lang, "beyond.tune_line", name=t_in(lang, f"beyond.tunes.{tune}.name"),
                    origin=t_in(lang, f"beyond.tunes.{tune}.origin")) in listed
    assert t_in(lang, "beyond.tunes_rest", n=120) in listed
    # Video: one step of the in-betweener; its film and the film's change per frame are shown.
    at.button(key="beyond-video-step").click().run()
    no_exception(at)
    assert at.session_state["live:beyond-video"].trainer.steps == 1
    assert t_in(lang, "beyond.inbetween_strip", steps=1) in captions(at)
    assert any(m.label == t_in(lang, "beyond.inbetween_change") for m in at.metric)
    # ... and, honestly, how far its middle frames are against a plain cross-fade's.
    film, change, real, gif, error, fade = at.session_state["live:beyond-video"].drawn["film-face"][2]
    assert error > fade > 0
    assert t_in(lang, "beyond.inbetween_note", real=f"{real:.1f}", error=f"{error:.1f}", fade=f"{fade:.1f}") in texts(at)
    # Text: finish a sentence in the page's language.
    at.text_input(key="beyond-start").input("一只" if lang == "zh" else "a big").run()
    at.button(key="beyond-finish").click().run()
    no_exception(at)
    finished = at.success[0].value.split(" · ")
    assert len(finished) == 3 and all(x.startswith("一只" if lang == "zh" else "a big") for x in finished)
    assert shown


def test_bad_input_gets_a_friendly_word_and_the_rest_works():
    at = run_app("en", PAGE)
    # Notes: an emoji and a made-up note are friendly warnings, no tune.
    at.text_input(key="beyond-notes").input("do re 😀").run()
    at.button(key="beyond-play").click().run()
    no_exception(at)
    assert t_in("en", "beyond.notes_unknown", word="😀") in texts(at) and "beyond:tune" not in at.session_state
    at.text_input(key="beyond-notes").input("C " * 2500).run()       # 5,000 characters: the first 16 notes
    at.button(key="beyond-play").click().run()
    no_exception(at)
    assert at.session_state["beyond:tune"][1] == 16
    at.button(key="beyond-clear").click().run()
    at.pills(key="beyond-mood").set_value(t_in("en", "beyond.moods.sleepy")).run()   # AppTest: by label
    at.button(key="beyond-play").click().run()                  # no notes: the mood's own start
    assert at.session_state["beyond:tune"][2] == 72 and at.session_state["beyond:tune"][1] == 0
    # Text: empty, emoji and traditional characters, 5,000 characters, a double click.
    for typed, key in (("", "beyond.finish_empty"), ("   ", "beyond.finish_empty")):
        at.text_input(key="beyond-start").input(typed).run()
        at.button(key="beyond-finish").click().run()
        assert t_in("en", key) in texts(at)
    at.text_input(key="beyond-start").input("a cat 🐱 一隻").run()
    at.button(key="beyond-finish").click().run()
    assert t_in("en", "beyond.finish_unknown", chars="🐱 隻") in texts(at)
    at.text_input(key="beyond-start").input("a big " * 900).run()
    at.button(key="beyond-finish").click().click().run()
    no_exception(at)
    assert t_in("en", "beyond.finish_long", n=40) in texts(at) and at.success
    # Careful and adventurous writing, side by side.
    at.button(key="beyond-temps").click().run()
    assert set(at.session_state["beyond:temps"]) == {0.4, 1.0, 1.8}
    # Video: the jumpy film changes much more per frame; playing shows the animation.
    smooth = float(at.metric[0].value)
    at.segmented_control(key="beyond-how").set_value(t_in("en", "beyond.jumpy")).run()
    assert float(at.metric[0].value) > 3 * smooth
    at.toggle(key="beyond-film-play").set_value(True).run()
    no_exception(at)


def test_both_languages_together():
    at = run_app("both", PAGE)
    no_exception(at)
    at.button(key="beyond-text-step").click().run()
    assert t_in("zh", "beyond.writes_now", steps=1) + " · " in texts(at)
    at.button(key="beyond-play").click().run()
    no_exception(at)
    assert "beyond:tune" in at.session_state


def test_classroom_mode_shows_each_part_as_screens():
    """Classroom mode: music and text are two screens each (learn, then play) and video three, so each
    fits a projector (ui.layout.chapter); a later screen has the section's heading but not its words, and
    a choice made on one screen is still there on the next (persist_state)."""
    at = run_app("en", PAGE, query={"present": "1"})
    no_exception(at)
    assert any("Part 1 of 9" in c.value for c in at.caption)
    words = load("en", "beyond")["sections"][1]["body"].strip()[:40]     # the music section's words begin so
    at.session_state["present-part:beyond"] = 1                   # music, learn: the training buttons
    at.run()
    assert at.button(key="beyond-music-start") is not None and not at.get("pills")
    assert any(m.value.startswith(words) for m in at.markdown)
    at.session_state["present-part:beyond"] = 2                   # music, play: the moods and keys
    at.run()
    no_exception(at)
    assert at.header[0].value.startswith("1.") and at.pills(key="beyond-mood") is not None
    assert not any(m.value.startswith(words) for m in at.markdown)
    assert not [b for b in at.button if b.key == "beyond-music-start"]
    at.session_state["present-part:beyond"] = 3                   # video, the walk: choose cat -> fish
    at.run()
    at.pills(key="beyond-walk").set_value(t_in("en", "beyond.walks.cat_fish")).run()   # AppTest: by label
    at.session_state["present-part:beyond"] = 4                   # video, the in-betweener: a cat's film
    at.run()
    no_exception(at)
    assert at.session_state["beyond-walk"] == "cat_fish"
    assert at.button(key="beyond-video-start") is not None


# ── The chapter's words (lessons/*/beyond.toml) ───────────────────────────────────────────────
def _strings(value, where=""):
    """Every string in a lesson table, with where it is."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _strings(inner, f"{where}[{i}]")
    elif isinstance(value, str):
        yield where, value


def _section(lang: str, part: str) -> str:
    return next(s["body"] for s in load(lang, "beyond")["sections"] if s["id"] == part)


def sentences(text: str) -> list[str]:
    """A text cut into sentences (at . ! ? : ; and their Chinese forms, and line breaks), no markup."""
    text = re.sub(r"\*\*|\{[a-z_]+\}", "", text)
    return [p.strip() for p in re.split(r"(?<=[。！？；：])|(?<=[.!?:;])\s+|\n+", text) if p and p.strip()]


def too_long(lang: str) -> list[str]:
    """Children's sentences of more than 12 English words or 22 Chinese characters (the grown-ups' part left out)."""
    words = {k: v for k, v in load(lang, "beyond").items() if k != "parents"}
    size = ((lambda s: len(re.findall(r"[A-Za-z0-9']+", s))) if lang == "en"
            else (lambda s: len(re.findall(r"[\u4e00-\u9fff0-9]", s))))
    return [f"{where}: {s}" for where, value in _strings(words) for s in sentences(value)
            if size(s) > (12 if lang == "en" else 22)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_childrens_sentences_are_short(lang):
    assert not too_long(lang), "\n".join(too_long(lang))
    assert len(sentences("One. Two, three: four\n\n五。六，七！")) == 5       # the cutting itself


def test_the_writers_example_sentences_are_real_captions():
    """The text part shows what the writer learns to write: its examples pass the project's own parser."""
    from models import text_gen as tg

    for lang in ("zh", "en"):
        examples = re.findall(r"(?:like|比如)\s*[“\"]([^”\"]+)[”\"]", _section(lang, "text"))
        assert examples and all(tg.is_caption(e, lang) for e in examples), (lang, examples)


def test_steps_read_well_for_any_number():
    """No "after 1 steps": every English line with a step count reads right for one step too."""
    class Blank(dict):
        def __missing__(self, key):
            return "x"

    lines = [v for _, v in _strings(load("en", "beyond")["ui"]) if "{steps}" in v]
    assert len(lines) >= 4
    for line in lines:
        one = line.format_map(Blank(steps=1))
        assert not re.search(r"\b1 steps\b", one), one


def test_the_stories_say_what_the_models_really_learn():
    from models import music as mu

    n = str(mu.MusicConfig().n_composed)
    for lang, ten in (("en", "ten"), ("zh", "十首")):
        music = _section(lang, "music")
        assert ten in music and n in music, (lang, music)          # ten songs and the tunes made by rule
        assert "GAN" in _section(lang, "video")                      # the GAN's walk strip is explained
        assert "0" in _section(lang, "closing") and ("points" if lang == "en" else "分") in _section(lang, "closing")
    assert "两样" not in _section("zh", "closing")                    # it says which two things


def years(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"\b\d{4}\b", text)}


def centuries(text: str) -> set[int]:
    """18 for "18th century", "18 世纪", "the 1700s" or "1761"."""
    return ({int(c) for c in re.findall(r"(\d{2})(?:th century| 世纪)", text)}
            | {int(c) + 1 for c in re.findall(r"\b(\d{2})\d0s\b", text)} | {y // 100 + 1 for y in years(text)})


def test_the_tunes_table_names_each_real_tune_and_where_it_comes_from():
    """One table per language, keyed by the tune ids of models/music.py; the years agree with SOURCES, and
    the parents' words name the same songs."""
    from models import music as mu

    for lang in ("zh", "en"):
        lesson = load(lang, "beyond")
        tunes = lesson["ui"]["tunes"]
        assert list(tunes) == list(mu.TUNES) == list(mu.SOURCES), lang
        for tune, words in tunes.items():
            assert words["name"] in lesson["parents"]["teaches"], (lang, tune)
            for dates in (years, centuries):
                assert dates(words["origin"]) <= dates(mu.SOURCES[tune]), (lang, tune, words["origin"])
    zh = load("zh", "beyond")["ui"]["tunes"]
    assert zh["old_macdonald"]["name"] == "王老先生有块地" and zh["au_clair"]["name"] == "在月光下"
    assert "Hot Cross Buns" in zh["hot_cross_buns"]["name"]
    assert centuries("the 1700s, 18 世纪, 18th century, 1761") == {18} and centuries("1830s, 1917") == {19, 20}


def test_the_live_parts_are_drawn_without_the_runs_lock(monkeypatch):
    """Music, text and video make their pictures with the run's lock held, then Streamlit draws them (the
    roll, the lines, the film, the loss) with every run's lock free, so a worker goes on training meanwhile."""
    import streamlit as st

    from helpers import another_thread_gets
    from ui import beyond_parts, beyond_video

    at = run_app("en", "pages/beyond.py")
    free = []
    real = beyond_parts.loss_chart

    def chart(history):
        locks = [v.lock for k, v in st.session_state.items() if str(k).startswith("live:beyond-")]
        free.append(len(locks) == 3 and all(another_thread_gets(lock) for lock in locks))
        return real(history)

    monkeypatch.setattr(beyond_parts, "loss_chart", chart)
    monkeypatch.setattr(beyond_video, "loss_chart", chart)
    for part in ("music", "text", "video"):
        at.button(key=f"beyond-{part}-step").click().run()
        no_exception(at)
    assert len(free) >= 3 and all(free), free
