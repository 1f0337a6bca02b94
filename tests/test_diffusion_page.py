"""The diffusion page in AppTest, in Chinese and in English: every section is there; the cleaning plays,
steps and rewinds; the guessing game; an empty canvas gets a friendly word and an injected doodle is
cleaned; the live model takes steps and a new kind means a new model."""

import numpy as np
import pytest
from helpers import captions, no_exception, run_app, texts
from PIL import Image, ImageDraw

from ui.i18n import t_in
from ui.pictures import png_data_url

PAGE = "pages/diffusion.py"


def canvas(rgba):
    return {"drawing": {"raw": {"objects": []}, "data": png_data_url(rgba)}}


def blob():
    """A filled blue blob with a tail on a transparent 256x256 canvas, like a child's fish."""
    im = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    pen = ImageDraw.Draw(im)
    pen.ellipse((50, 80, 170, 170), fill=(36, 104, 220, 255))
    pen.polygon([(165, 125), (220, 85), (220, 165)], fill=(36, 104, 220, 255))
    return np.asarray(im)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_in_each_language_plays_and_steps(lang):
    at = run_app(lang, PAGE)
    no_exception(at)
    shown = texts(at)
    for heading in ("1.", "2.", "3.", "4.", "5."):
        assert any(h.value.startswith(heading) for h in at.header)
    assert t_in(lang, "diffusion.now_caption", step=0, total=20, pct=100) in captions(at)
    assert t_in(lang, "diffusion.noise_number", seed=1) in shown
    assert t_in(lang, "diffusion.steer_caption", kind=t_in(lang, "kinds.star")) in captions(at)
    assert t_in(lang, "diffusion.learn_fresh") in shown
    # Play: one tick of the animation is one step (AppTest runs a ticking fragment once per run).
    at.button(key="diffusion-play").click().run()
    no_exception(at)
    assert at.session_state["diffusion:playing"] and at.session_state["diffusion-frame"] == 1
    assert t_in(lang, "diffusion.stop") in texts(at)
    at.button(key="diffusion-play").click().run()               # Stop
    assert not at.session_state["diffusion:playing"] and at.session_state["diffusion-frame"] == 1
    at.button(key="diffusion-one-step").click().run()
    assert at.session_state["diffusion-frame"] == 2
    at.slider(key="diffusion-frame").set_value(20).run()         # scrub to the end
    assert t_in(lang, "diffusion.finished_caption") in captions(at)
    at.button(key="diffusion-rewind").click().run()
    assert at.session_state["diffusion-frame"] == 0
    at.button(key="diffusion-new-noise").click().run()
    assert t_in(lang, "diffusion.noise_number", seed=2) in texts(at)
    no_exception(at)


def test_guess_game_doodle_and_live_training():
    at = run_app("en", PAGE)
    # The guessing game: reveal needs a pick; a hint takes away some noise.
    at.button(key="diffusion-reveal").click().run()
    assert t_in("en", "diffusion.guess_pick_first") in texts(at)
    at.button(key="diffusion-less").click().run()
    assert at.session_state["diffusion:game"]["level"] == pytest.approx(0.5)
    game = at.session_state["diffusion:game"]
    answer = ["face", "cat", "fish", "flower", "tree", "house", "car", "star", "heart", "sun"][
        np.random.default_rng(game["seed"]).integers(10)]
    at.pills(key=f"diffusion-guess-{game['seed']}").set_value(answer).run()
    at.button(key="diffusion-reveal").click().run()
    assert t_in("en", "diffusion.guess_right", kind=t_in("en", f"kinds.{answer}")) in texts(at)

    # An empty canvas gets a friendly word; a drawn blob is cleaned into a picture.
    at.button(key="diffusion-doodle-go").click().run()
    assert t_in("en", "diffusion.doodle_empty") in texts(at)
    at.session_state["diffusion-canvas-0"] = canvas(np.zeros((256, 256, 4), np.uint8))
    at.run()
    at.button(key="diffusion-doodle-go").click().run()
    assert t_in("en", "diffusion.doodle_empty") in texts(at)
    at.session_state["diffusion-canvas-0"] = canvas(blob())
    at.run()
    at.button(key="diffusion-doodle-go").click().run()
    no_exception(at)
    assert t_in("en", "diffusion.doodle_result") in captions(at)
    assert t_in("en", "diffusion.doodle_noisy", pct=70) in captions(at)

    # An opaque white page (what the canvas sends after its strokes are cleared) is empty too.
    at.session_state["diffusion-canvas-0"] = canvas(np.full((256, 256, 4), 255, np.uint8))
    at.run()
    at.button(key="diffusion-doodle-go").click().run()
    no_exception(at)
    assert t_in("en", "diffusion.doodle_empty") in texts(at)
    assert t_in("en", "diffusion.doodle_result") not in captions(at)

    # Live training: one step, then one tick of Start; a new kind throws the model away.
    at.button(key="diffusion-step").click().run()
    assert at.session_state["live:diffusion"].trainer.steps == 1
    at.button(key="diffusion-start").click().run()
    no_exception(at)
    trainer = at.session_state["live:diffusion"].trainer
    assert trainer.kind == "face" and trainer.steps > 1
    # While it trains, the pictures are drawn at most every 2 s: either those drawn after the one step
    # (less than 2 s ago), or fresh ones after this tick's training. Never from any other step.
    drawn = {t_in("en", "diffusion.learn_now", steps=n) for n in (1, trainer.steps)} & set(captions(at))
    assert len(drawn) == 1 and trainer.steps > 1
    at.button(key="diffusion-pause").click().run()
    assert t_in("en", "diffusion.learn_now", steps=trainer.steps) in captions(at)   # paused: as it is now
    at.pills(key="diffusion-learn-kind").set_value("star").run()
    no_exception(at)
    trainer = at.session_state["live:diffusion"].trainer
    assert trainer.kind == "star" and trainer.steps == 0
