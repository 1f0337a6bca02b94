"""The promise pages/matching.py relies on, on a real server with two visitors: st.cache_data(scope=
"session", max_entries=N) keeps what one visitor's words make in that visitor's session only (a child's
words never enter a cache shared with other visitors), at most N entries each. (AppTest cannot check
this: every AppTest has the same session id.)"""

import re

import pytest

from conftest import _server


@pytest.fixture(scope="module")
def cache_url(_need_chromium, tmp_path_factory):
    try:
        with _server(tmp_path_factory.mktemp("cache") / "streamlit.log", script="tests/apps/session_cache.py") as s:
            yield s.url
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)


def say(page, words: str) -> dict:
    """Type `words` and return what the page then says: its session, the session that made the answer,
    and every text the cached function was really run for in this session."""
    box = page.get_by_label("words")
    box.fill(words)
    box.press("Enter")
    line = page.locator('[data-testid="stText"]')
    for _ in range(300):                                              # up to 30 s for the rerun
        settle(page)
        text = line.inner_text()
        found = re.fullmatch(r"session (\w+); answer made in session (\w+); made (.*); asked (.*)", text.strip(), re.S)
        if found is None:                                             # mid-rerun: the line is not drawn yet
            page.wait_for_timeout(100)
            continue
        me, maker, made, asked = found.groups()
        if asked == words:
            return {"me": me, "maker": maker, "made": made.split("|")}
        page.wait_for_timeout(100)
    raise AssertionError(f"the page never showed the answer for {words!r}: {text!r}")


def test_two_visitors_never_see_each_others_entries(browser, cache_url):
    one, other = browser.new_context().new_page(), browser.new_context().new_page()
    for page in (one, other):
        page.goto(cache_url)
        page.get_by_label("words").wait_for(timeout=60_000)
        settle(page)
    secret = "蓝色的 fish 秘密"
    first = say(one, secret)
    assert first["maker"] == first["me"] and first["made"] == ["", secret]
    say(one, "x")
    again = say(one, secret)
    assert again["made"] == ["", secret, "x"]                           # remembered within its session

    theirs = say(other, secret)                                         # the same words, another visitor
    assert theirs["maker"] == theirs["me"] != first["me"]
    assert theirs["made"] == ["", secret]                               # made afresh: nothing shared

    for words in ("a", "b"):                                            # at most 2 entries a session
        say(one, words)
    assert say(one, secret)["made"] == ["", secret, "x", "a", "b", secret]
