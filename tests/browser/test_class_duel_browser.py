"""A class duel in a real browser: a teacher in classroom mode opens a room and starts the duel; two
children open the link on their own devices (browser contexts of their own), see the teacher's
pictures move on without any training button, and one child's vote shows on the teacher's screen."""

import re

from web import WORD_BROKEN, open_page, settle, shot

DUEL = re.compile(r"Round (\d+)\. New pictures")


def child_round(page) -> int:
    text = page.locator(".st-key-gan-duel-live").inner_text()
    found = DUEL.search(text)
    return int(found.group(1)) if found else -1


def test_a_teacher_and_two_children(page, browser, app_url):
    open_page(page, app_url, "gan", lang="en", present="1")
    for _ in range(2):                                           # classroom mode: on to the duel section
        page.locator(".st-key-present-next button").click()
        settle(page)
    page.locator(".st-key-gan-duel-open button").click()
    code_box = page.locator(".duel-code").first
    code_box.wait_for(timeout=30_000)
    code = code_box.inner_text().strip()
    assert re.fullmatch(r"[A-Z]{4}", code), code
    page.locator(".st-key-gan-duel-room img").first.wait_for(timeout=30_000)   # the QR code
    assert page.locator(".st-key-gan-duel-room img").count() == 1
    children = []
    for n in range(2):
        context = browser.new_context(locale="en-US", viewport={"width": 900, "height": 1000})
        child = context.new_page()
        child.goto(f"{app_url}/gan?room={code}&lang=en", timeout=120_000, wait_until="commit")   # then wait for words
        child.get_by_text(f"You are watching class duel {code}").wait_for(timeout=180_000)
        children.append((context, child))
    for _, child in children:                                   # the paused duel, as the teacher sees it
        child.locator(".st-key-gan-duel-live canvas.duel-window").wait_for(timeout=90_000)
    page.locator(".st-key-gan-start button").click()
    page.locator(".st-key-gan-pause button").wait_for(timeout=30_000)
    # On a 1280 px laptop the buttons under the part's words wrap as whole words ("Start", not "Star / t").
    assert page.evaluate(WORD_BROKEN) == [], page.evaluate(WORD_BROKEN)

    # The second child is on a slow network (each picture arrives 0.4 s late): checked below, while the
    # first child votes.
    slow = children[1][1]
    slow.evaluate("""() => {
        const fetch = window.fetch, shown = window.__shown = [], asked = window.__asked = [];
        window.fetch = async (url, options) => {
            const path = String(url).split('?')[0];
            asked.push(path.endsWith('-latest.png') ? 'latest' : path.endsWith('.json') ? 'json' : 'picture');
            if (path.endsWith('.png')) await new Promise((r) => setTimeout(r, 400));
            return fetch(url, options);
        };
        setInterval(() => {
            const p = document.querySelector('.st-key-gan-duel-live canvas.duel-window')?.dataset.picture;
            if (p && (!shown.length || shown[shown.length - 1][1] !== p)) shown.push([Date.now(), p]);
        }, 50);
    }""")

    firsts = []
    for _, child in children:
        child.locator(".st-key-gan-duel-live canvas.duel-window").wait_for(timeout=60_000)   # the teacher's pictures
        firsts.append(child_round(child))
        for key in ("gan-start", "gan-pause", "gan-step", "gan-reset"):
            assert child.locator(f".st-key-{key}").count() == 0
    for _ in range(120):                                         # ...and they move on on both devices
        if all(child_round(child) > first for (_, child), first in zip(children, firsts)):
            break
        children[0][1].wait_for_timeout(250)
    assert all(child_round(child) > first >= 0 for (_, child), first in zip(children, firsts))

    _, child = children[0]
    cells = child.locator(".st-key-gan-duel-game .duel-cell")   # the boxes live in the child's own page
    assert cells.count() == 8
    for i in (0, 3):                                             # a tap on the box, or on the picture
        cells.nth(i).locator("input").click()
        cells.nth(i).locator("input:checked").wait_for(state="attached", timeout=10_000)
    cells.nth(6).locator("img").click()
    cells.nth(6).locator("input:checked").wait_for(state="attached", timeout=10_000)
    cells.nth(6).locator("img").dblclick()                      # a double tap: ticked, then not, then ticked
    cells.nth(6).locator("input:checked").wait_for(state="attached", timeout=10_000)
    child.locator(".st-key-gan-duel-game .duel-send").dblclick()   # a double tap on Send: one answer
    child.get_by_text("You found", exact=False).first.wait_for(timeout=60_000)
    assert child.locator(".st-key-gan-duel-game .duel-send:disabled").count() == 1   # one answer per game
    assert child.locator(".st-key-gan-duel-game .duel-cell input:checked").count() == 3   # the answer stays shown
    assert child.locator(".st-key-gan-duel-game .duel-cell input[aria-disabled=true]").count() == 8
    cells.nth(1).locator("img").click(force=True)               # a tap after Send changes nothing
    cells.nth(2).locator("input").click(force=True)
    assert child.locator(".st-key-gan-duel-game .duel-cell input:checked").count() == 3
    truth = child.locator(".st-key-gan-duel-game .duel-truth").all_inner_texts()
    assert len(truth) == 8 and all(w in ("✅ real", "🎨 drawn") for w in truth), truth
    page.get_by_text(re.compile(r"Votes so far: 1\. The class caught \d+% of the drawn pictures")).wait_for(timeout=60_000)
    assert page.get_by_text(re.compile(r"2 watching")).count() == 1

    # The child's page moved on without a single script run on the server: its own script fetched the
    # room's window (picture and round). The picture is whole and fits the child's 900 px window.
    size = child.evaluate("""() => { const c = document.querySelector('.st-key-gan-duel-live canvas.duel-window');
        return [c.width, c.getBoundingClientRect().right, document.documentElement.clientWidth, +c.dataset.picture]; }""")
    assert size[0] > 0 and size[1] <= size[2] and size[3] >= 1, f"window picture {size}"
    assert "Film strip" in child.locator(".st-key-gan-duel-live").inner_text()

    # The slow child still got a new picture every 2 s, not every 3 (the page's looks are timed from
    # when they began, not from the drawing).
    for _ in range(48):                                          # four new pictures (at most 12 s)
        slow.wait_for_timeout(250)
        if len(shown := slow.evaluate("window.__shown")) >= 5:
            break
    gaps = sorted((b[0] - a[0]) / 1000 for a, b in zip(shown[1:], shown[2:]))   # shown[0]: already there
    assert len(gaps) >= 2 and gaps[len(gaps) // 2] < 2.6, f"seconds between new pictures: {gaps}"
    # While the duel trains, a look is one request: the newest picture, its round inside it.
    asked = slow.evaluate("window.__asked")
    assert asked.count("latest") > asked.count("json") + asked.count("picture"), asked

    page.locator(".st-key-gan-pause button").click()
    settle(page)
    shot(page, "class-duel-teacher-en")
    shot(child, "class-duel-child-en")
    shot(children[1][1], "class-duel-child2-en", full=False)
    for context, _ in children:
        context.close()
