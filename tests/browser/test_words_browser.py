"""The words page in a real browser: type words, see them drawn step by step; words it never learned get
a friendly, honest answer and no pictures; one word changed draws the same noise two ways."""

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
