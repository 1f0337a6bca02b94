"""The "beyond pictures" page in a real browser: press play on each part (a tune, a film, a finished
sentence) and keep a screenshot of the whole page."""

import re

from web import settle, settle_rerun, shot


def test_play_each_part(page, app_url):
    # The first run loads the shipped GAN and diffusion model and makes two films: about 11 s of CPU,
    # which took 25-50 s of wall clock at load 14-18 on two cores. So it may take longer than open_page's 60 s.
    page.goto(f"{app_url}/beyond?lang=en")
    settle(page, timeout=180_000)
    page.get_by_text("The film strip: one frame after another").wait_for(timeout=90_000)

    # Music: one step of learning, two tapped notes, then play: a sound player and its piano roll.
    page.locator(".st-key-beyond-music-step button").click()
    settle(page)
    page.locator(".st-key-beyond-key-C4 button").click()
    settle(page)
    page.locator(".st-key-beyond-key-E4 button").click()
    settle(page)
    page.locator(".st-key-beyond-play button").click()
    settle(page)
    player = page.locator("audio")
    player.wait_for(timeout=30_000)
    assert player.get_attribute("src")
    page.get_by_text("The tune you heard (practice step 1)").wait_for()

    # Video: play the film (an animated GIF), then the jumpy walk flickers more.
    page.locator(".st-key-beyond-film-play label").click()
    settle(page)
    gif = page.locator('[data-testid="stImage"] img[src*="gif"], [data-testid="stImage"] img[src^="data:image/gif"]')
    gif.first.wait_for(timeout=30_000)

    # Video: the in-betweener takes a step and shows its film, with the honest cross-fade figure.
    # (One step, not Start: the ticking machinery has its own browser test, tests/browser/test_live_browser.py.)
    page.locator(".st-key-beyond-video-step button").click()
    settle(page)
    page.get_by_text("The film at practice step 1:").first.wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"Mixing the two neighbours is \d+\.\d points off")).first.wait_for()

    # Text: a step of learning, then finish a sentence.
    page.locator(".st-key-beyond-text-step button").click()
    settle(page)
    box = page.locator(".st-key-beyond-start input")
    box.fill("a happy")
    box.press("Enter")
    settle_rerun(page)
    page.locator(".st-key-beyond-finish button").click()
    settle(page)
    page.locator('[data-testid="stAlertContentSuccess"]').get_by_text("a happy").first.wait_for(timeout=30_000)
    shot(page, "beyond-en")
    page.set_viewport_size({"width": 390, "height": 844})
    settle(page)
    shot(page, "beyond-en-phone")
