"""The class duel in AppTest: a teacher in classroom mode opens a room and the class sees the very
same duel; a child in the room has no Start, Pause, One step or Start over, cannot change the
teacher's run, plays judge on the duel's pictures, and the vote reaches the teacher's screen. A wrong
or ended code gets a friendly word."""

import json

import numpy as np
import pytest
from PIL import Image
from helpers import no_exception, run_app, texts

from ui.i18n import t_in

PAGE = "pages/gan.py"
DUEL_PART = 2                        # the duel is the third section of the GAN chapter in classroom mode
CONTROLS = ("gan-start", "gan-pause", "gan-step", "gan-reset", "gan-speed")


def keys(at) -> set[str]:
    return {w.key for kind in ("button", "segmented_control", "checkbox", "toggle") for w in getattr(at, kind)}


def answer(at) -> dict:
    """What the child's answer boxes (ui/duel_answer.py, drawn by the browser) were given in the last run."""
    found = [e for e in at.get("bidi_component") if "duel-answer" in e.proto.id]
    assert len(found) == 1, [e.proto.id for e in at.get("bidi_component")]
    return json.loads(json.loads(found[0].proto.json)["json"])


def teacher_with_room(lang="en"):
    at = run_app(lang, PAGE, query={"present": "1"})
    at.session_state["present-part:gan"] = DUEL_PART
    at.run()
    no_exception(at)
    assert "gan-start" in keys(at) and t_in(lang, "duel_open") in texts(at)
    at.button(key="gan-duel-open").click().run()
    no_exception(at)
    code, _ = at.session_state["duel:room"]
    assert code in "\n".join(str(h.proto.body) for h in at.get("html"))      # the code, big, on the projector
    return at, code


@pytest.mark.parametrize("lang", ["zh"])
def test_a_teacher_opens_a_room_and_a_child_watches_without_any_control(lang, tmp_path, monkeypatch):
    import time

    from ui import class_duel
    from ui.class_duel import registry

    monkeypatch.setattr(class_duel, "WINDOWS", tmp_path)
    teacher, code = teacher_with_room(lang)

    teacher.button(key="gan-start").click().run()                 # one run = one tick of training
    teacher.button(key="gan-pause").click().run()
    no_exception(teacher)
    steps = teacher.session_state["live:gan"].trainer.steps
    assert steps > 0 and registry().look(code).snapshot["round"] == steps   # published to the room

    child = run_app(lang, PAGE, query={"room": code.lower()})     # a link, or a code typed in small letters
    no_exception(child)
    assert t_in(lang, "duel_banner", code=code) in texts(child)
    name = class_duel.window_name(code)                           # the room's window: picture and round,
    for _ in range(100):                                          # painted by the room's own thread
        facts = json.loads((tmp_path / f"{name}.json").read_text()) if (tmp_path / f"{name}.json").exists() else {}
        if facts.get("round") == steps:
            break
        time.sleep(0.1)
    assert facts["round"] == steps and facts["game"] == 1
    assert (tmp_path / f"{name}-{facts['picture']}.png").read_bytes()[:4] == b"\x89PNG"
    latest = tmp_path / f"{name}-latest.png"                      # the newest picture, its facts inside
    assert latest.resolve().name == f"{name}-{facts['picture']}.png"
    painted = json.loads(Image.open(latest).text["aidraw"])
    assert {k: painted[k] for k in ("picture", "round", "game")} == {k: facts[k] for k in ("picture", "round", "game")}
    assert len((tmp_path / f"{name}.json").read_bytes()) == class_duel.JSON_BYTES   # replaced: same size
    page = "\n".join(str(h.proto.body) for h in child.get("html"))
    assert f"{class_duel.WINDOW_URL}/{name}" in page and t_in(lang, "gan.score_real") in page
    assert code not in name
    assert not set(CONTROLS) & keys(child)                        # nothing to start, pause, step or reset
    assert "live:gan" not in child.session_state                  # and no run of its own
    game = registry().look(code).game                             # the judge game's answers are not shown
    truth = {t_in(lang, k) for k in ("gan.truth_real", "gan.truth_drawn", "duel_truth_real", "duel_truth_drawn")}
    assert not any(c.value.startswith(tuple(truth)) for c in child.caption)
    assert "**" + t_in(lang, "gan.lineup_title") + "**" not in texts(child)   # no empty line-up: the game is below

    # The child plays judge on the duel's own lineup; the vote reaches the teacher's screen.
    drawn = ~np.asarray(game["is_real"], bool)
    shown = answer(child)                                         # the boxes: the child's browser's own,
    assert shown["game"] == f"{code}-1" and len(shown["pictures"]) == 8   # open, no answer in the page
    assert shown["open"] and shown["voted"] is None and shown["truth"] is None
    assert shown["pictures"][0].startswith("data:image/png;base64,")
    key = f"duel-answer-{code}-1"
    child.session_state[key] = {"vote": [bool(d) for d in drawn]}   # Send: the answer comes with a run
    child.run()
    no_exception(child)
    assert t_in(lang, "duel_you", found=int(drawn.sum()), total=int(drawn.sum()), wrong=0) in texts(child)
    shown = answer(child)                                         # the answer stays shown, closed, with
    assert not shown["open"] and shown["voted"] == list(drawn)    # what each picture really was
    assert shown["truth"] == [t_in(lang, "duel_truth_drawn" if d else "duel_truth_real") for d in drawn]
    child.session_state[key] = {"vote": [True] * 8}               # a second Send (a double tap): not counted
    child.run()
    assert answer(child)["voted"] == list(drawn) and registry().look(code).voters == 1
    judge = round(100 * ((np.asarray(game["verdicts"]) < 0.5) & drawn).sum() / drawn.sum())
    for _ in range(100):                                          # the projector's page reads the class's
        facts = json.loads((tmp_path / f"{name}.json").read_text())   # counts in the room's .json
        if facts.get("voters") == 1:
            break
        time.sleep(0.1)
    assert (facts["voters"], facts["class_pct"], facts["judge_pct"], facts["watching"]) == (1, 100, judge, 1)
    teacher.run()                                                 # and a drawing of the page shows them
    page = "\n".join(str(h.proto.body) for h in teacher.get("html"))
    assert t_in(lang, "duel_score", voters=1, class_pct=100, judge_pct=judge) in page
    assert t_in(lang, "duel_watching", n=1) in page

    child.run()                                                   # a child's reruns never move the teacher's run
    assert teacher.session_state["live:gan"].trainer.steps == steps

    teacher.button(key="gan-duel-close").click().run()            # the teacher ends it: the child is told
    no_exception(teacher)
    for _ in range(30):                                           # and its window is gone
        if not list(tmp_path.iterdir()):
            break
        time.sleep(0.1)
    assert not list(tmp_path.iterdir())
    child.run()
    no_exception(child)
    assert t_in(lang, "duel_ended") in texts(child) and not set(CONTROLS) & keys(child)


def test_a_wrong_code_in_the_link_gets_a_friendly_word():
    child = run_app("en", PAGE, query={"room": "CDFH"})
    for asked in ("CDFH", "🙂🙂", "教室口令", "x" * 5000):
        child.query_params["room"] = asked
        child.run()
        no_exception(child)
        shown = texts(child)
        assert t_in("en", "duel_unknown" if asked == "CDFH" else "duel_bad_code") in shown, asked
        assert not set(CONTROLS) & keys(child)
    child.button(key="gan-duel-leave").click().run()              # back to the ordinary chapter
    no_exception(child)
    assert "gan-start" in keys(child)


def test_the_code_box_on_the_chapter_joins_a_room_or_says_why_not():
    teacher, code = teacher_with_room()
    child = run_app("en", PAGE)
    assert t_in("en", "duel_join") in [e.label for e in child.expander]
    for typed, word in (("🙂", "duel_bad_code"), ("", "duel_bad_code"), ("CDFH" if code != "CDFH" else "CDFJ", "duel_unknown")):
        child.text_input(key="gan-duel-code").input(typed).run()
        child.button(key="gan-duel-join").click().run()
        no_exception(child)
        assert t_in("en", word) in texts(child)
    child.text_input(key="gan-duel-code").input(f" {code[:2].lower()} {code[2:]} ").run()
    child.button(key="gan-duel-join").click().run()
    no_exception(child)
    assert child.query_params["room"] == [code] or child.query_params["room"] == code
    assert t_in("en", "duel_banner", code=code) in texts(child) and "gan-start" not in keys(child)


def test_the_qr_code_is_a_png_of_the_link():
    from ui.class_duel import qr_png

    a, b = qr_png("http://school.example/gan?room=KXPM&lang=zh"), qr_png("http://school.example/gan?room=KXPN&lang=zh")
    assert a.startswith(b"\x89PNG") and a != b


def test_the_server_runs_no_full_garbage_collection_after_every_refresh():
    """30 children refresh every 2 s, each refresh a script run: Streamlit's default full collection
    after every run costs ~0.2 CPU-s with torch loaded, more than the class's refreshes themselves."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_duel_pictures_are_sent_as_the_pngs_they_are(monkeypatch):
    """st.image's "auto" format turns PNG bytes into a JPEG (a decode and an encode every refresh)."""
    from ui import class_duel, pictures

    seen = []
    monkeypatch.setattr(pictures.st, "image", lambda png, **how: seen.append((png, how["output_format"])))
    qr = class_duel.qr_png("http://x/gan?room=ABCD")
    class_duel.show(qr, width=260, alt="qr")
    assert seen == [(qr, "PNG")]


def test_a_page_seconds_behind_still_finds_the_picture_it_was_told_of(tmp_path, monkeypatch):
    """A room's window keeps its last pictures for a page that read the .json a few seconds before it
    asks for the picture (30 children on a busy machine: 2 s was not enough); older ones are removed."""
    from ui import class_duel

    monkeypatch.setattr(class_duel, "WINDOWS", tmp_path)
    picture = np.zeros((8, 8, 3), np.uint8)
    name = class_duel.window_name("TEST")
    for _ in range(30):
        class_duel.write_window("TEST", picture, round=1)
    painted_per_s = 1 / class_duel.WINDOW_PAINT
    assert (tmp_path / f"{name}-{30 - int(8 * painted_per_s)}.png").exists()       # 8 s behind: still there
    assert not (tmp_path / f"{name}-1.png").exists()                                # old ones go
    class_duel.close_window("TEST")


def test_a_picture_carries_its_facts_and_keeps_its_pixels():
    import io

    from ui.class_duel import with_facts
    from ui.pictures import png

    pixels = np.random.default_rng(0).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    facts = {"picture": 7, "round": 120, "film": [0, 10, 50], "game": 2}
    out = Image.open(io.BytesIO(with_facts(png(pixels), facts)))
    out.load()                                                    # Pillow checks each chunk's CRC
    assert json.loads(out.text["aidraw"]) == facts
    assert np.array_equal(np.asarray(out), pixels)
    with pytest.raises(ValueError):
        with_facts(b"GIF89a" + bytes(40), facts)
