"""The frame in a real browser: the home page in Chinese and English, switching language, and
classroom mode hiding the sidebar."""

from web import open_page, settle, shot


def test_home_in_chinese_from_the_browser_language(page, app_url):
    open_page(page, app_url)                                   # the context's locale is zh-CN
    page.get_by_text("电脑能学会画画吗？").wait_for()
    assert "lang=zh" in page.url
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    shot(page, "home-zh")


def test_home_in_english_and_switching_to_bilingual(page, app_url):
    open_page(page, app_url, lang="en")
    page.get_by_text("Can a computer learn to draw?").wait_for()
    shot(page, "home-en")
    page.locator(".st-key-lang-picker button", has_text="中文 + English").click()
    settle(page)
    page.get_by_text("Yes, it can! But nobody gives it a pencil.").wait_for()
    page.get_by_text("能！可是没有人给它一支铅笔。").wait_for()
    assert "lang=both" in page.url
    page.reload()
    settle(page)
    page.get_by_text("能！可是没有人给它一支铅笔。").wait_for()     # the choice survives a reload


def test_language_survives_moving_to_another_page(page, app_url):
    open_page(page, app_url, lang="en")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Key words").click()
    settle(page)
    page.get_by_text("Words you will meet on the journey.").wait_for()
    assert "lang=en" in page.url


def test_classroom_mode_hides_the_sidebar_and_steps_through_parts(page, app_url):
    open_page(page, app_url, lang="zh", present="1")
    page.get_by_text("电脑能学会画画吗？").wait_for()
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.stMarkdown p')).fontSize)")
    assert size >= 28, f"text too small for a projector: {size}px"
    shot(page, "home-present-zh")
    page.locator(".st-key-present-next button").click()
    settle(page)
    page.get_by_text("你的旅程").wait_for()
    page.locator(".st-key-present-exit button").click()
    settle(page)
    page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=30_000)
    assert "present" not in page.url


def test_a_deep_link_on_a_cold_server_opens_in_its_language_and_mode(page, fresh_app_url):
    """The first visit after a cold start is a teacher's link straight into classroom mode."""
    open_page(page, fresh_app_url, "glossary", lang="en", present="1")
    page.get_by_text("Words you will meet on the journey.").wait_for()
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
