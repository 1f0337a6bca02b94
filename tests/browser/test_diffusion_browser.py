"""The diffusion page in a real browser: play the cleaning as an animation, then draw a doodle with the
mouse and let the model clean it back."""

from web import open_page, settle, shot, stroke


def test_play_the_cleaning_and_clean_a_doodle(page, app_url):
    open_page(page, app_url, "diffusion", lang="en")
    page.get_by_text("Step 0 of 20: 100% noise").wait_for()

    # Play: the fragment moves one step per tick until the picture is finished, then stops by itself.
    page.locator(".st-key-diffusion-play button").click()
    # (No wait for a middle step: on a quick machine each lasts one tick and may be gone before it is seen.
    # It started at step 0, so reaching the end means it moved.)
    page.get_by_text("Finished! No noise left.").wait_for(timeout=150_000)   # 20 ticks: slow on a busy machine
    # It stops by itself one tick after the end is shown: the button turns back into Play.
    page.locator(".st-key-diffusion-play button", has_text="Play").wait_for(timeout=30_000)
    settle(page)
    page.get_by_text("Finished! No noise left.").wait_for()             # and the end is still shown
    # One step at a time from the start.
    page.locator(".st-key-diffusion-rewind button").click()
    settle(page)
    page.locator(".st-key-diffusion-one-step button").click()
    settle(page)
    page.get_by_text("Step 1 of 20").wait_for()

    # An empty canvas gets a friendly word, not an error.
    page.locator(".st-key-diffusion-doodle-go button").click()
    settle(page)
    page.get_by_text("Your canvas is empty!").wait_for()

    # A filled blob with a tail: the model cleans it into a picture of its own.
    canvas = page.locator(".st-key-diffusion-draw canvas.upper-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for y in (0.35, 0.42, 0.5, 0.58, 0.65):
        stroke(page, box, [(0.25, y), (0.65, y)])
    stroke(page, box, [(0.65, 0.5), (0.85, 0.3), (0.85, 0.7), (0.65, 0.5)])
    settle(page)
    page.locator(".st-key-diffusion-doodle-go button").click()
    settle(page)
    page.get_by_text("Cleaned by the model").wait_for(timeout=30_000)
    settle(page)
    assert page.get_by_text("The cleaning, step by step").is_visible()
    shot(page, "diffusion-en")
