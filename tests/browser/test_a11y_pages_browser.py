"""Every page, as assistive technology meets it (issue 19), one test per page and language so
pytest-xdist spreads them over its workers:

- axe-core (bundled in axe-playwright-python) finds no serious or critical problem;
- a screen reader hears no English name Streamlit gives its own parts ("Sidebar", "App pages", "Link to
  heading", a progress bar's "progress", ...) on a Chinese page, and no Chinese one on an English page
  (ui/layout.py renames them; the lesson's own words, which name key terms in both languages, are not
  Streamlit's and are not checked here);
- no heading carries an anchor link (an extra Tab stop and an English name).

One browser page per worker (module scope) goes from page to page; one server (app_url)."""

from __future__ import annotations

import re

import pytest
from web import settle

PAGES = ("", "gan", "diffusion", "seeing", "matching", "words", "beyond", "glossary")
CASES = [(lang, path) for lang in ("zh", "en") for path in PAGES] + [("both", ""), ("both", "gan")]

# Every name Streamlit 1.67's own parts may carry (aria-label, title, or their words), from its
# frontend bundle: none of them may be heard on a Chinese page.
STREAMLIT_ENGLISH = {
    "Sidebar", "Collapse sidebar", "Expand sidebar", "App pages", "View more", "View less", "Link to heading",
    "progress", "Skip to main content", "Running...", "Stop script", "Main menu", "Close", "Fullscreen",
    "Exit fullscreen", "Clear value", "Clear all", "Open", "Increment", "Decrement", "Selected values",
    "Notifications", "Navigate to home page", "Markdown content", "Button action menu",
}

# The parts Streamlit draws and names itself: each must have a name in the page's language.
OWN_PARTS = """() => {
  const sel = ['[data-testid="stSkipToContent"]', '[data-testid="stSidebar"]', '[data-testid="stSidebarNav"]',
    '[data-testid="stSidebarCollapseButton"] button', '[data-testid="stExpandSidebarButton"]',
    '[role="progressbar"]', '[data-testid="stSidebarNavViewButton"]', '[data-testid="stStatusWidget"] [aria-label]'];
  return [...document.querySelectorAll(sel.join(','))].map((el) =>
    (el.getAttribute('data-testid') || el.getAttribute('role') || el.tagName) + ': ' +
    (el.getAttribute('aria-label') || el.textContent.trim()));
}"""

# Heading anchor links (Streamlit's "Link to heading") and any link inside a heading: Tab stops a child
# does not need.
ANCHORS = """() => [...document.querySelectorAll('[data-testid="stHeaderActionElements"] a, :is(h1,h2,h3,h4,h5,h6) a[href^="#"]')]
  .filter((a) => a.tabIndex >= 0).map((a) => a.closest(':is(h1,h2,h3,h4,h5,h6)')?.textContent.trim().slice(0, 30) || a.outerHTML.slice(0, 60))"""

CJK = re.compile(r"[\u4e00-\u9fff]")
NAMED = re.compile(r'^\s*- ([a-z]+) "((?:[^"\\]|\\.)*)"')          # aria snapshot: - role "name"


@pytest.fixture(scope="module")
def reader(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def goto(page, url: str, path: str, lang: str) -> None:
    page.goto(f"{url}/{path}?lang={lang}")
    page.wait_for_selector('[data-testid="stMain"] :is(h1, h2)', timeout=60_000)        # the page's script has begun
    page.wait_for_function("""() => !document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')""",
                           timeout=60_000)                                          # and every element has come
    settle(page)


def heard_names(page) -> list[tuple[str, str]]:
    """(role, name) of everything a screen reader names on the page (Playwright's aria snapshot)."""
    out = []
    for line in page.locator("body").aria_snapshot().splitlines():
        found = NAMED.match(line.lstrip("'"))
        if found:
            out.append((found.group(1), found.group(2).replace('\\"', '"')))
    return out


def streamlit_english_in(names: list[tuple[str, str]]) -> list[str]:
    return [f'{role} "{name}"' for role, name in names
            if name in STREAMLIT_ENGLISH or name.split(":")[0] in STREAMLIT_ENGLISH]


@pytest.mark.parametrize("lang,path", CASES, ids=[f"{lang}-{path or 'home'}" for lang, path in CASES])
def test_page_speaks_the_readers_language_and_axe_finds_nothing_serious(reader, app_url, lang, path):
    from axe_playwright_python.sync_playwright import Axe

    page, where = reader, f"{lang}/{path or 'home'}"
    goto(page, app_url, path, lang)
    problems = []

    # Streamlit's own parts, named in the page's language.
    own = page.evaluate(OWN_PARTS)
    assert any(o.startswith("stSidebarNav") for o in own), f"{where}: the sidebar's chapter list is missing: {own}"
    names = heard_names(page)
    if lang == "en":
        problems += [f"Chinese on an English page: {o}" for o in own if CJK.search(o)]
    else:
        problems += [f"not in Chinese: {o}" for o in own if not CJK.search(o)]
        problems += [f"English Streamlit name heard: {n}" for n in streamlit_english_in(names)]

    # No heading carries an anchor link.
    problems += [f"heading anchor link (a Tab stop): {a}" for a in page.evaluate(ANCHORS)]

    # axe-core: no serious or critical violation.
    result = Axe().run(page, options={"resultTypes": ["violations"], "runOnly": ["wcag2a", "wcag2aa", "best-practice"]})
    for v in result.response["violations"]:
        if v["impact"] in ("serious", "critical"):
            problems.append(f"axe {v['id']} ({v['impact']}) x{len(v['nodes'])}: " + v["nodes"][0]["html"][:120])
    assert problems == [], f"{where}:\n" + "\n".join(problems)


def test_streamlit_renaming_the_sidebar_again_is_answered_in_chinese(reader, app_url):
    """Streamlit draws its parts again (a rerun, the sidebar folded and unfolded): the names follow."""
    page = reader
    goto(page, app_url, "gan", "zh")
    page.locator('[data-testid="stSidebar"]').hover()                # the fold button shows on hover
    page.locator('[data-testid="stSidebarCollapseButton"] button').click()
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    expand.wait_for()
    page.wait_for_function("""() => /[\\u4e00-\\u9fff]/.test(document.querySelector('[data-testid="stExpandSidebarButton"]').getAttribute('aria-label'))""",
                           timeout=5_000)
    # Under a loaded machine one unfold tap was lost once (the clean-clone suite, 2026-12-03; 3 of 3 alone
    # passed): the reader taps again. What this test checks is the names, not Streamlit's fold.
    for _ in range(2):
        expand.click()
        try:
            page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=10_000)
            break
        except Exception:
            continue
    page.locator('[data-testid="stSidebarNav"]').wait_for()
    names = heard_names(page)
    assert streamlit_english_in(names) == [], names
    # Streamlit itself writes an English name again (as a React update does): it is renamed at once.
    page.evaluate("""() => document.querySelector('[data-testid="stSidebarNav"]').setAttribute('aria-label', 'App pages')""")
    page.wait_for_function("""() => document.querySelector('[data-testid="stSidebarNav"]').getAttribute('aria-label') === '章节'""",
                           timeout=5_000)
    goto(page, app_url, "gan", "en")                          # and back in English after a language change
    assert page.locator('[data-testid="stSidebarNav"]').get_attribute("aria-label") == "Chapters"
