"""The seeing page in AppTest: an empty canvas asks for a drawing, an injected drawing gets a guess with
bars and the AI's-eye view, teaching a new kind works (and odd names do not break it), and the scene and
the honest box are there, in Chinese and in English."""

import numpy as np
import pytest
from PIL import Image, ImageDraw
from helpers import run_app, texts, no_exception

from models import textnorm
from models.doodles import draw
from ui.i18n import t_in
from ui.pictures import png_data_url

PAGE = "pages/seeing.py"


def drawing(kind, seed=0):
    return {"drawing": {"raw": {"objects": []}, "data": png_data_url(np.asarray(draw(kind, np.random.default_rng(seed))))}}


def blank():
    return {"drawing": {"raw": {"objects": []}, "data": png_data_url(np.zeros((280, 280, 4), np.uint8))}}


def white_page():
    return {"drawing": {"raw": {"objects": []}, "data": png_data_url(np.full((280, 280, 4), 255, np.uint8))}}


def key(at, base="seeing-canvas"):
    """The canvas's current key: Undo, Clear and Add give it a fresh one."""
    version = f"canvas:{base}-v"
    return f"{base}-{at.session_state[version] if version in at.session_state else 0}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_canvas_asks_for_a_drawing_and_a_drawing_gets_a_guess(lang):
    at = run_app(lang, PAGE)
    no_exception(at)
    shown = texts(at)
    assert t_in(lang, "seeing.draw_first") in shown and t_in(lang, "seeing.looks_empty") in shown
    assert not at.progress                                          # no bars without a drawing
    at.session_state[key(at)] = blank()
    at.run()
    assert t_in(lang, "seeing.draw_first") in texts(at) and not at.progress
    at.session_state[key(at)] = white_page()                         # opaque white: no ink, still empty
    at.run()
    assert t_in(lang, "seeing.draw_first") in texts(at) and not at.progress
    at.session_state[key(at)] = drawing("house", seed=1)
    at.run()
    no_exception(at)
    house = t_in(lang, "kinds.house")
    assert t_in(lang, "seeing.guess", kind=house) in texts(at)
    assert len(at.progress) == 10 and at.progress[0].value >= 50     # best first, sure enough
    assert house in at.progress[0].proto.text
    captions = [c for im in at.image for c in im.proto.imgs for c in [c.caption]]
    assert t_in(lang, "seeing.seen_caption") in captions and t_in(lang, "seeing.saliency_caption") in captions


def add_drawings(at, kind, n):
    for seed in range(n):
        at.session_state[key(at, "seeing-teach")] = drawing(kind, seed)
        at.run()
        at.button(key="seeing-add").click().run()


def test_teaching_a_rocket_then_it_knows_the_next_one():
    at = run_app("en", PAGE)
    at.button(key="seeing-learn").click().run()
    assert t_in("en", "seeing.teach_need_name") in texts(at)        # no name yet
    at.button(key="seeing-add").click().run()
    assert t_in("en", "seeing.teach_empty") in texts(at)            # nothing drawn yet
    add_drawings(at, "rocket", 5)
    assert t_in("en", "seeing.teach_count", n=5, need=5) in texts(at)
    at.text_input(key="seeing-name").input("  rocket  🚀 ").run()
    at.button(key="seeing-learn").click().run()
    no_exception(at)
    assert "rocket 🚀" in texts(at) and at.session_state["seeing:taught"] == ["rocket 🚀"]
    at.session_state[key(at)] = drawing("rocket", seed=11)
    at.run()
    assert "rocket 🚀" in at.progress[0].proto.text                  # the big canvas knows it now
    # Forgetting brings back the shipped recogniser, and the shipped one never learned anything.
    at.button(key="seeing-forget").click().run()
    assert "seeing:model" not in at.session_state and len(at.progress) == 10


def test_odd_names_are_handled_gracefully():
    at = run_app("zh", PAGE)
    add_drawings(at, "boat", 3)
    for name in ["", "   ", "x" * 5000, "🚀👩‍🚀 **[link](http://a)** {pct}"]:
        at.text_input(key="seeing-name").set_value(name).run()
        at.button(key="seeing-learn").click().run()
        no_exception(at)
        if not name.strip():
            assert t_in("zh", "seeing.teach_need_name") in texts(at)
        else:
            assert 0 < textnorm.length(at.session_state["seeing:taught"][-1]) <= 24   # visible characters
            add_drawings(at, "boat", 3)
    assert at.session_state["seeing:taught"][0] == "x" * 24 and len(at.session_state["seeing:taught"]) == 2


def test_the_scene_changes_and_things_are_named_and_the_honest_box_is_there():
    at = run_app("zh", PAGE)
    first = [m.value for m in at.markdown if "把握" in m.value]
    assert len(first) >= 2
    at.button(key="seeing-scene").click().run()
    no_exception(at)
    assert [m.value for m in at.markdown if "把握" in m.value] != first
    assert "雨伞" in texts(at) and "不会说“我不知道”" in texts(at)


def test_bilingual_sentences_name_the_kind_in_their_own_language():
    at = run_app("both", PAGE)
    at.session_state[key(at)] = drawing("house", seed=1)
    at.run()
    no_exception(at)
    heading = t_in("zh", "seeing.guess", kind="房子") + " · " + t_in("en", "seeing.guess", kind="house")
    assert heading in texts(at) and "房子 · house" in at.progress[0].proto.text


def test_undo_takes_back_the_last_stroke_and_clear_empties_the_canvas():
    walls = [["M", 70, 130], ["L", 70, 240], ["L", 210, 240], ["L", 210, 130], ["L", 70, 130]]
    roof = [["M", 50, 135], ["L", 140, 50], ["L", 230, 135]]
    door = [["M", 95, 240], ["L", 95, 185], ["L", 125, 185], ["L", 125, 240]]
    window = [["M", 150, 160], ["L", 185, 160], ["L", 185, 195], ["L", 150, 195], ["L", 150, 160]]
    scribble = [["M", 20, 20], ["L", 260, 260], ["L", 20, 260]]
    objects = [{"type": "path", "path": p, "strokeWidth": 12} for p in (walls, roof, door, window, scribble)]
    pixels = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    for o in objects:
        ImageDraw.Draw(pixels).line([tuple(c[1:]) for c in o["path"]], fill=(34, 34, 34, 255), width=12)
    at = run_app("en", PAGE)
    assert at.button(key="seeing-canvas-undo").disabled                 # nothing to undo yet
    at.session_state[key(at)] = {"drawing": {"raw": {"objects": objects}, "data": png_data_url(np.asarray(pixels))}}
    at.run()
    assert not at.button(key="seeing-canvas-undo").disabled
    at.button(key="seeing-canvas-undo").click().run()
    no_exception(at)
    assert key(at) == "seeing-canvas-1" and len(at.session_state["canvas:seeing-canvas-start"]["objects"]) == 4
    assert t_in("en", "seeing.guess", kind="house") in texts(at)      # guessed from the strokes left
    at.button(key="seeing-canvas-clear").click().run()
    assert t_in("en", "seeing.draw_first") in texts(at) and at.session_state["canvas:seeing-canvas-start"] is None
