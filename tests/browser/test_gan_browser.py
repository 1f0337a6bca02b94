"""The GAN page in a real browser: start the duel, watch it tick, pause it, then play one judge game."""

from web import open_page, settle, shot, steps_in, train_then_pause


def test_duel_starts_pauses_and_a_judge_game_is_played(page, app_url):
    open_page(page, app_url, "gan", lang="en")
    page.get_by_text("What the drawer draws now").first.wait_for()

    paused = train_then_pause(page, "gan", more_than=10)      # let the duel tick for a few rounds
    assert steps_in(paused.inner_text()) > 10, paused.inner_text()
    round_caption = page.get_by_text("Round ", exact=False).first
    assert round_caption.is_visible()

    # You be the judge: tap two pictures as "drawn", then ask for the answers.
    for i in (0, 5):
        box = page.locator(f".st-key-gan-game-0-{i} label")
        box.scroll_into_view_if_needed()
        box.click()
        settle(page)
    page.locator(".st-key-gan-game-check button").click()
    settle(page)
    page.get_by_text("You found", exact=False).first.wait_for()
    assert page.get_by_text("The AI judge found", exact=False).first.is_visible()
    assert page.locator(".st-key-gan-game-next button").is_visible()
    shot(page, "gan-en")
