"""Bad input on the "beyond pictures" page, in Chinese, English and both: the music part's starting
notes box and the text part's sentence box get empty text, emoji, traditional characters (繁體) and
5,000 characters, and Play / Finish / One step / Start are clicked twice. Each gets a friendly word in
the child's language (both languages in "both"), never the error card, and the part keeps working."""

import pytest
from helpers import no_exception, run_app, texts

from ui.i18n import t_in

PAGE = "pages/beyond.py"


def bases(lang: str) -> tuple[str, ...]:
    return ("zh", "en") if lang == "both" else (lang,)


def says(at, lang: str, key: str, **fields) -> bool:
    """The friendly word `key` is on the page in each of the reader's languages."""
    shown = texts(at)
    return all(t_in(base, key, **fields) in shown for base in bases(lang))


def play(at, notes: str):
    at.text_input(key="beyond-notes").input(notes).run()
    at.button(key="beyond-play").click().run()
    no_exception(at)
    return at.session_state["beyond:tune"] if "beyond:tune" in at.session_state else None


def finish(at, typed: str):
    at.text_input(key="beyond-start").input(typed).run()
    at.button(key="beyond-finish").click().run()
    no_exception(at)


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_music_and_text_boxes_answer_bad_input_kindly(lang):
    at = run_app(lang, PAGE)
    no_exception(at)

    # ── Music: the starting notes box ──
    assert play(at, "😀🎵") is None and says(at, lang, "beyond.notes_unknown", word="😀")
    assert play(at, "繁體") is None and says(at, lang, "beyond.notes_unknown", word="繁")
    assert play(at, "😀" * 5000) is None and says(at, lang, "beyond.notes_unknown", word="😀")
    tune = play(at, "do re mi " * 556)                          # 5,004 characters: the first 16 notes
    assert tune is not None and tune[1] == 16 and [p for p, _ in tune[0][:3]] == [60, 62, 64]
    tune = play(at, "")                                          # empty: the mood's own start
    assert tune is not None and tune[1] == 0
    at.button(key="beyond-play").click().run()                   # a double click: just another tune
    at.button(key="beyond-play").click().run()
    no_exception(at)
    assert len(at.get("audio")) == 1
    # One step, twice in a row: two steps, one after the other.
    at.button(key="beyond-music-step").click().run()
    at.button(key="beyond-music-step").click().run()
    no_exception(at)
    assert at.session_state["live:beyond-music"].trainer.steps == 2

    # ── Text: the sentence box ──
    finish(at, "")
    assert says(at, lang, "beyond.finish_empty") and not at.success
    finish(at, "   ")
    assert says(at, lang, "beyond.finish_empty")
    finish(at, "🐱🐶")
    assert says(at, lang, "beyond.finish_unknown", chars="🐱 🐶")
    finish(at, "一隻貓")                                        # traditional: 隻 and 貓 were never read
    assert says(at, lang, "beyond.finish_unknown", chars="隻 貓")
    finish(at, "繁" * 5000)
    assert says(at, lang, "beyond.finish_unknown", chars="繁")
    start = "一只" if lang == "zh" else "a big"
    finish(at, (start + " ") * (5000 // (len(start) + 1) + 1))  # 5,000 characters of known ones
    assert says(at, lang, "beyond.finish_long", n=40) and at.success
    at.button(key="beyond-finish").click().run()                 # a double click: the same kind answer
    at.button(key="beyond-finish").click().run()
    no_exception(at)
    assert all(line.startswith(start) for line in at.success[0].value.split(" · "))
    at.button(key="beyond-text-step").click().run()
    at.button(key="beyond-text-step").click().run()
    no_exception(at)
    assert at.session_state["live:beyond-text"].trainer.steps == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_start_clicked_twice_trains_once_and_pauses(lang):
    """Start twice (the second click lands on whatever button is there now), then Pause: one run, no error."""
    at = run_app(lang, PAGE)
    for part in ("music", "text"):
        at.button(key=f"beyond-{part}-start").click().run()
        no_exception(at)
        state = at.session_state[f"live:beyond-{part}"]
        assert state.running
        again = [b for b in at.button if b.key in (f"beyond-{part}-start", f"beyond-{part}-pause")]
        again[0].click().run()                                   # the same place, clicked again
        no_exception(at)
        if state.running:
            at.button(key=f"beyond-{part}-pause").click().run()
        no_exception(at)
        assert not state.running and state.trainer is not None
