"""The words page in a real browser: type words, see them drawn step by step; words it never learned get
a friendly, honest answer and no pictures; one word changed draws the same noise two ways."""

import re

from web import settle, settle_rerun, shot

DRAWN = """() => {
    const imgs = [...document.querySelectorAll("[data-testid='stImage'] img")];
    return imgs.length >= 3 && imgs.every(i => i.complete && i.naturalWidth > 0);
}"""


def type_words(page, words: str) -> None:
    box = page.locator(".st-key-words-prompt input")
    box.fill(words)
    box.press("Enter")
    settle_rerun(page, timeout=120_000)


def test_typing_words_draws_pictures(page, app_url):
    page.goto(f"{app_url}/words?lang=en")
    settle(page, timeout=300_000)          # the first visit warms the server up: slow on a busy machine
    type_words(page, "a big red heart")
    page.wait_for_function(DRAWN, timeout=60_000)
    page.get_by_text("Step", exact=False).first.wait_for(timeout=60_000)      # the player, step by step
    page.locator(".st-key-words-play button").click()                         # stop where it is
    settle_rerun(page, timeout=120_000)
    shot(page, "words-en")
    type_words(page, "dragon 🦖")
    page.get_by_text("never learned any of these words", exact=False).first.wait_for(timeout=60_000)
    assert page.get_by_text("Step 0 of 10", exact=False).count() == 0        # it does not pretend to draw
    type_words(page, "蓝色的鱼")
    page.get_by_text("Step", exact=False).first.wait_for(timeout=60_000)
    shot(page, "words-zh-prompt", full=False)


# A rocket in one stroke (body, nose and both fins, pen down throughout): each stroke is a rerun of the page
# (streamlit-drawable-canvas sends the drawing on every pen-up), so four strokes a rocket took 24 s of this test.
ROCKET = [(0.3, 0.85), (0.42, 0.55), (0.42, 0.35), (0.5, 0.12), (0.58, 0.35), (0.58, 0.55), (0.7, 0.85),
          (0.58, 0.8), (0.42, 0.8), (0.3, 0.85)]


def test_teaching_a_new_word_with_drawn_rockets(page, app_url):
    """Three rockets drawn with the mouse (each a little shifted), a name, Teach: the bar, then pictures
    of "a blue rocket" before and after. Learning is 20 real steps here (AIDRAW_TEACH_STEPS, tests/browser/conftest.py)."""
    from web import stroke

    page.goto(f"{app_url}/words?lang=en")
    settle(page, timeout=300_000)
    canvas = page.locator(".st-key-teach-draw-box canvas.upper-canvas")
    for n, shift in enumerate((-0.08, 0.0, 0.08), start=1):
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(500)                  # the fresh canvas after an Add is ready for a stroke
        box = canvas.bounding_box()
        stroke(page, box, [(x + shift, y) for x, y in ROCKET])
        settle_rerun(page, timeout=60_000)          # the pen-up sends the drawing: a rerun
        page.locator(".st-key-teach-add button").click()
        settle_rerun(page, timeout=60_000)
        page.get_by_text(f"Drawings: {n} of 5", exact=False).first.wait_for(timeout=30_000)
    name = page.locator(".st-key-teach-name input")
    name.fill("rocket")
    name.press("Enter")
    settle_rerun(page, timeout=60_000)
    page.locator(".st-key-teach-start button").click()
    # The bar while it learns, or already done: 20 steps can end before the page first shows the bar
    # (a clean-clone run missed it and waited 60 s for a bar that had come and gone).
    page.get_by_text(re.compile("Learning your word|Done! It learned")).first.wait_for(timeout=60_000)
    page.get_by_text("Done! It learned", exact=False).first.wait_for(timeout=900_000)
    assert page.get_by_text("in 20 steps", exact=False).count() > 0
    settle(page, timeout=120_000)
    page.get_by_text("After: it knows", exact=False).first.wait_for(timeout=60_000)
    assert page.locator(".st-key-teach-prompt input").input_value() == "a blue rocket"
    page.get_by_text("After: it knows", exact=False).first.scroll_into_view_if_needed()
    shot(page, "words-teach-en", full=False)
