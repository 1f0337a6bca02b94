"""The matching page in a real browser: type words, see the pictures they find; watch the grid train."""

from web import open_page, settle, shot


def result_pictures(page):
    return page.locator(".st-key-matching-results [data-testid='stImage']")


def test_typing_words_finds_pictures_in_both_languages(page, app_url):
    open_page(page, app_url, lang="en")        # home first: on a fresh server a deep link can beat app.py
    open_page(page, app_url, "matching", lang="en")
    page.get_by_text("Search pictures with words").first.wait_for()
    box = page.locator(".st-key-matching-query input")
    box.fill("red fish")
    box.press("Enter")
    settle(page)
    page.get_by_text("match", exact=False).first.wait_for()
    assert result_pictures(page).count() == 6
    page.wait_for_function("""() => {
        const imgs = [...document.querySelectorAll(".st-key-matching-results img")];
        return imgs.length === 6 && imgs.every(i => i.complete && i.naturalWidth > 0);
    }""", timeout=30_000)                                          # six real pictures, drawn
    shot(page, "matching-en")
    box.fill("恐龙 🦖")                                        # words it has never seen: a friendly word
    box.press("Enter")
    settle(page)
    page.get_by_text("I have never seen these words", exact=False).first.wait_for()
    assert result_pictures(page).count() == 0


def test_live_training_runs_and_pauses(page, app_url):
    open_page(page, app_url, lang="zh")
    open_page(page, app_url, "matching", lang="zh")
    page.locator(".st-key-matching-start button").click()
    page.locator(".st-key-matching-pause button").wait_for(timeout=30_000)
    running = page.get_by_text("正在学习……第", exact=False).first
    for _ in range(120):                                          # let it tick until it has learned a little
        if running.is_visible() and int("".join(ch for ch in running.inner_text() if ch.isdigit()) or 0) > 20:
            break
        page.wait_for_timeout(500)
    page.locator(".st-key-matching-pause button").click()
    settle(page)
    paused = page.get_by_text("停在第", exact=False).first
    paused.wait_for()
    steps = int("".join(ch for ch in paused.inner_text() if ch.isdigit()))
    assert steps > 5, paused.inner_text()
    shot(page, "matching-zh")
