"""Everything can be reached with the keyboard (issue 19): on every page, pressing Tab again and again
brings each button, slider, radio group, switch, text box and chapter link to focus, and a focused one shows it
(its pixels change: a ring, a border, a shadow), and no Tab stop is spent on a heading's anchor link.
One language (Chinese); one server (app_url).

A radio group is one Tab stop (the arrow keys move inside it, as in every browser), so a group counts
as reached when one of its radios gets focus. The canvas is drawn with a finger or a mouse; its
page's Undo and Clear buttons are ordinary buttons (disabled, so not in the Tab order, while empty)."""

from __future__ import annotations

import pytest
from web import settle

PAGES = ("", "gan", "diffusion", "seeing", "matching", "words", "beyond", "glossary")

# Every control a child can use, in the sidebar and the page: visible, enabled. Each gets a name
# (its st-key, its role, its text) and is kept in window.__controls for ACTIVE below.
CONTROLS = """() => {
  const sel = 'button, input:not([type=hidden]), textarea, select, [role=slider], [role=radio], [role=switch], [role=checkbox], [role=combobox], [role=tab], [data-testid="stSidebarNav"] a';
  const out = [], seen = new Set();
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (!el.matches(sel) || el.disabled || el.getAttribute('aria-disabled') === 'true' || !el.checkVisibility({visibilityProperty: true})) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2) continue;
      // A radio group (or the radios of st.radio) is one Tab stop: name it by its group.
      const group = el.closest('[role=radiogroup]');
      const isRadio = el.matches('[role=radio], input[type=radio]');
      const at = isRadio && group ? group : el;
      if (seen.has(at)) continue;
      seen.add(at);
      const key = el.closest('[class*="st-key-"]');
      out.push({at, name: (key ? [...key.classList].find((c) => c.startsWith('st-key-')) : '') + ' ' +
        (el.getAttribute('role') || el.tagName.toLowerCase()) + ' "' + (el.innerText || el.getAttribute('aria-label') || el.placeholder || '').trim().slice(0, 30) + '"'});
    }
  };
  for (const part of document.querySelectorAll('[data-testid="stSidebar"], [data-testid="stMain"]')) walk(part);
  window.__controls = out;
  return out.map((c) => c.name);
}"""

# The control that has focus now (looking into shadow roots): its index in window.__controls, or -1,
# and the box of its whole widget on the screen (to compare its pixels with and without focus: a
# checkbox's input is hidden, its drawn box beside it shows the focus).
ACTIVE = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body) return null;
  const heading = el.closest('h1, h2, h3, h4, h5, h6, [data-testid="stHeaderActionElements"]');
  if (heading) return {i: -1, anchor: (heading.closest('h1, h2, h3, h4, h5, h6') || heading).textContent.trim().slice(0, 30)};
  const i = window.__controls.findIndex((c) => c.at === el || (c.at.getAttribute('role') === 'radiogroup' && c.at.contains(el)));
  const widget = el.closest('[data-testid="stElementContainer"]') || el;
  if (i >= 0) widget.scrollIntoView({block: 'center', inline: 'nearest'});   // all of it on the screen
  const r = widget.getBoundingClientRect();
  return {i, box: {x: r.x, y: r.y, width: r.width, height: r.height}};
}"""

# Focus rings drawn at once (no fading in), so a picture of the control can be taken straight away.
NO_MOTION = "*, *::before, *::after { transition: none !important; animation: none !important; }"

BLUR = """() => { let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  window.__blurred = el; el && el.blur(); }"""


def goto(page, url: str, path: str) -> None:
    page.goto(f"{url}/{path}?lang=zh")
    page.wait_for_selector('[data-testid="stMain"] :is(h1, h2)', timeout=120_000)
    page.wait_for_function("""() => !document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')""",
                           timeout=120_000)
    settle(page, timeout=120_000)
    page.add_style_tag(content=NO_MOTION)


def ring_shows(page, box) -> bool:
    """The focused control's surroundings (6 px round it) look different with focus and without."""
    clip = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0), "width": box["width"] + 12, "height": box["height"] + 12}
    size = page.viewport_size
    clip["width"] = min(clip["width"], size["width"] - clip["x"])
    clip["height"] = min(clip["height"], size["height"] - clip["y"])
    if clip["width"] < 2 or clip["height"] < 2:
        return False
    focused = page.screenshot(clip=clip, animations="disabled")
    page.evaluate(BLUR)
    plain = page.screenshot(clip=clip, animations="disabled")
    page.evaluate("() => window.__blurred && window.__blurred.focus({focusVisible: true})")
    return focused != plain


@pytest.mark.parametrize("path", PAGES)
def test_every_control_is_reached_with_tab_and_shows_its_focus(browser, app_url, path):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        goto(page, app_url, path)
        names = page.evaluate(CONTROLS)
        assert names, f"{path or 'home'}: no controls found"
        reached, no_ring, anchors = set(), [], []
        for _ in range(2 * len(names) + 20):                      # a few links take Tab stops too
            page.keyboard.press("Tab")
            now = page.evaluate(ACTIVE)
            if now is not None and "anchor" in now:               # a heading's anchor link: a stop for nothing
                anchors.append(now["anchor"])
            if now is None or now["i"] < 0 or now["i"] in reached:
                continue
            reached.add(now["i"])
            if not ring_shows(page, now["box"]):
                no_ring.append(names[now["i"]])
            if len(reached) == len(names):
                break
        assert anchors == [], f"{path or 'home'}: Tab stops on headings' anchor links: {anchors}"
        missed = [n for i, n in enumerate(names) if i not in reached]
        assert missed == [], f"{path or 'home'}: never reached with Tab: {missed}"
        assert no_ring == [], f"{path or 'home'}: focus not visible on: {no_ring}"
    finally:
        context.close()
