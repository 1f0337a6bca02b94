"""The seeing page in a real browser: draw a house on the canvas with the mouse and see the AI's guess."""

from playwright.sync_api import expect
from web import open_page, settle, shot, stroke


def test_drawing_a_house_with_the_mouse_gets_a_guess(page, app_url):
    open_page(page, app_url, "seeing", lang="en")
    page.get_by_text("Draw something first!").wait_for()
    canvas = page.locator(".st-key-seeing-draw canvas.upper-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    stroke(page, box, [(0.25, 0.45), (0.25, 0.85), (0.75, 0.85), (0.75, 0.45)])      # walls
    stroke(page, box, [(0.18, 0.47), (0.5, 0.15), (0.82, 0.47), (0.18, 0.47)])       # roof
    stroke(page, box, [(0.33, 0.85), (0.33, 0.62), (0.45, 0.62), (0.45, 0.85)])      # door
    stroke(page, box, [(0.55, 0.55), (0.68, 0.55), (0.68, 0.68), (0.55, 0.68), (0.55, 0.55)])   # window
    settle(page)
    guess = page.locator(".st-key-seeing-guess")
    guess.get_by_text("I think it is").or_(guess.get_by_text("I am not sure")).first.wait_for()
    assert "house" in guess.locator('[data-testid="stProgress"]').first.inner_text()
    assert page.get_by_text("What the AI sees: 32 × 32 dots").is_visible()
    shot(page, "seeing-en")
    # A wild stroke across it changes the guess; the big Undo takes it back, and the house returns.
    before = guess.locator('[data-testid="stProgress"]').first.inner_text()
    box = canvas.bounding_box()
    stroke(page, box, [(0.05, 0.05), (0.95, 0.95), (0.05, 0.95), (0.95, 0.05)])
    first_bar = guess.locator('[data-testid="stProgress"]').first
    expect(first_bar).not_to_have_text(before, timeout=30_000)
    page.locator(".st-key-seeing-canvas-undo button").click()
    settle(page)
    expect(first_bar).to_contain_text("house", timeout=30_000)
    shot(page, "seeing-en-undo")
    page.locator(".st-key-seeing-canvas-clear button").click()
    settle(page)
    page.get_by_text("Draw something first!").wait_for()
