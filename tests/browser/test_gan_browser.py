"""The GAN page in a real browser: start the duel, watch it tick, pause it, then play one judge game."""

from web import open_page, settle, shot


def steps_in(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()) or 0)


def test_duel_starts_pauses_and_a_judge_game_is_played(page, app_url):
    open_page(page, app_url, lang="en")            # home first: on a fresh server a deep link can beat app.py
    open_page(page, app_url, "gan", lang="en")
    page.get_by_text("What the drawer draws now").first.wait_for()

    page.locator(".st-key-gan-start button").click()
    running = page.get_by_text("Learning… step", exact=False).first
    for _ in range(120):                           # let the duel tick for a few rounds
        if running.is_visible() and steps_in(running.inner_text()) > 10:
            break
        page.wait_for_timeout(500)
    page.locator(".st-key-gan-pause button").click()
    settle(page)
    paused = page.get_by_text("Paused at step", exact=False).first
    paused.wait_for()
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
