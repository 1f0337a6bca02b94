"""How every page looks: the style, classroom (presentation) mode, chapters in sections, and the
friendly word a child sees instead of a traceback.

A chapter page calls `chapter("gan", {"story": draw_story, "duel": draw_duel, ...})`. Each section's
heading and words come from the lesson file; the function draws the section's pictures and buttons.
Normally every section is shown, top to bottom. In classroom mode (`?present=1`) one section fills
the screen, with big Back / Next buttons, and Next at the end opens the next chapter.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
import threading
from typing import Callable

import streamlit as st

from ui import chapters
from ui.i18n import bases, field, lang, load, sections, t, t_in, text

log = logging.getLogger("aidraw")

BASE_CSS = """
<style>
/* Pictures are tiny (32x32): keep their pixels crisp when the browser scales them. */
img { image-rendering: pixelated; }
/* Big, friendly buttons for small fingers; a long label wraps instead of being cut ("走一步 · …"). */
.stButton button, .stDownloadButton button { min-height: 2.8rem; font-size: 1.05rem; border-radius: 0.8rem;
  height: auto; max-width: 100%; }
.stButton button p, .stDownloadButton button p, [data-testid="stButtonGroup"] button p
{ white-space: normal; overflow-wrap: anywhere; word-break: keep-all; line-height: 1.25; }
/* A widget's label wraps instead of being cut with "…" (Streamlit 1.67 keeps it on one line: "画的？ · dr…"). */
[data-testid="stWidgetLabel"] .stMarkdownEllipsis, [data-testid="stWidgetLabel"] .stMarkdownEllipsis p
{ white-space: normal !important; overflow: visible !important; text-overflow: clip !important; overflow-wrap: anywhere; }
/* A choice of several (the speed control) wraps onto a second line rather than running off the edge. */
[data-testid="stButtonGroup"], [data-testid="stButtonGroup"] > div { flex-wrap: wrap; max-width: 100%; }
[data-testid="stButtonGroup"] button { min-width: 0; height: auto; flex: 1 1 auto; }
/* The chosen option's words, dark enough on its light tint (contrast >= 4.5). */
[data-testid="stBaseButton-segmented_controlActive"], [data-testid="stBaseButton-segmented_controlActive"] p,
[data-testid="stButtonGroup"] button[aria-checked="true"], [data-testid="stButtonGroup"] button[aria-checked="true"] p
{ color: #7c2d12 !important; }
/* One picture made of many (a grid) scales down to its column. */
[data-testid="stImage"] img { max-width: 100%; height: auto; }
/* In bilingual mode, the English echo of each paragraph is quieter (and still readable: contrast >= 4.5). */
[class*="st-key-en-echo"] p { color: #4a4760; font-style: italic; }
/* Small grey words (captions) dark enough to read. */
[data-testid="stCaptionContainer"], [data-testid="stImageCaption"], [data-testid="stCaptionContainer"] p
{ color: #55526a; opacity: 1; }
/* Read aloud: hidden until the browser says it has a voice for that language. */
.aidraw-say { display: none; margin: 0 0 0.2rem 0; padding: 0.15rem 0.7rem; font-size: 1.1rem; border-radius: 0.8rem;
  border: 1px solid #c9c3b5; background: #fff; color: #2b2838; cursor: pointer; }
.aidraw-say:focus-visible { outline: 3px solid #b43c00; outline-offset: 2px; }
/* Streamlit's sidebar chapter links show no focus at all (outline and shadow none, 1.67): a child who
   moves with the keyboard must see where they are. */
[data-testid="stSidebarNav"] a:focus-visible { outline: 3px solid #b43c00; outline-offset: -3px; }
html.aidraw-can-say-zh .aidraw-say[data-lang^="zh"], html.aidraw-can-say-en .aidraw-say[data-lang^="en"]
{ display: inline-block; }
.st-key-aidraw-say-script, [data-testid="stElementContainer"]:has(.aidraw-say-row) { display: none; }
html.aidraw-can-say-zh [data-testid="stElementContainer"]:has(.aidraw-say[data-lang^="zh"]),
html.aidraw-can-say-en [data-testid="stElementContainer"]:has(.aidraw-say[data-lang^="en"]) { display: block; }
/* Streamlit's own words on the screen (the skip link), shown in the reader's language (see NAMES_SCRIPT). */
[data-aidraw-text] { font-size: 0 !important; }
[data-aidraw-text]::after { content: attr(data-aidraw-text); font-size: 1rem; }
/* Tablets: the chapter cards two to a row, so no card shows one word per line. */
@media (max-width: 1100px) {
  [data-testid="stHorizontalBlock"]:has([class*="st-key-card-"]):not(:has([data-testid="stHorizontalBlock"]))
  { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has([class*="st-key-card-"]):not(:has([data-testid="stHorizontalBlock"])) > [data-testid="stColumn"]
  { min-width: calc(50% - 1rem) !important; }
}
/* Tablets: a long row of buttons (the music chapter's nine keys) wraps, five to a line, instead of
   squeezing each button until its label is cut ("🗑" in a 16 px slot). */
@media (max-width: 1100px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(7) .stButton) { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(7) .stButton) > [data-testid="stColumn"]
  { min-width: calc(20% - 1rem) !important; }
}
/* A row of pictures with captions as one element (ui/pictures.py show_figures: st.image given a list;
   its key says how many to a line, picrowN): four where the row is narrow (its own width, a container
   query; 900 px with captions in both languages). Tiny pictures stay sharp when stretched. (Layout
   containment: the picture's toolbar, whose full screen would be held inside the row, is hidden.) */
[class*="st-key-picrow"] { container-type: inline-size; }
[class*="st-key-picrow"] [data-testid="stElementToolbar"] { display: none !important; }
[class*="st-key-picrow"] [data-testid="stImage"] { display: grid !important; gap: 0.75rem 0.6rem;
  grid-template-columns: repeat(4, minmax(0, 1fr)); }
[class*="st-key-picrow5"] [data-testid="stImage"] { grid-template-columns: repeat(5, minmax(0, 1fr)); }
[class*="st-key-picrow6"] [data-testid="stImage"] { grid-template-columns: repeat(6, minmax(0, 1fr)); }
[class*="st-key-picrow7"] [data-testid="stImage"] { grid-template-columns: repeat(7, minmax(0, 1fr)); }
[class*="st-key-picrow8"] [data-testid="stImage"] { grid-template-columns: repeat(8, minmax(0, 1fr)); }
[class*="st-key-picrow"] [data-testid="stImageContainer"] { width: auto !important; min-width: 0; }
[class*="st-key-picrow"] [data-testid="stImageContainer"] img { width: 100% !important; image-rendering: pixelated;
  border-radius: 2px; }
@container (max-width: 640px) {
  [class*="st-key-picrow"] [data-testid="stImage"] { grid-template-columns: repeat(4, minmax(0, 1fr)); }
}
@container (max-width: 900px) {
  [class*="st-key-picrow"][class*="-both-"] [data-testid="stImage"] { grid-template-columns: repeat(4, minmax(0, 1fr)); }
}
/* Phones: rows of pictures stay a grid (four to a row, the last row's as small as the others) instead of
   one picture per line, and a row of
   buttons stays near its pictures (three to a row). Streamlit stacks every column below 640 px. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.8rem; padding-right: 0.8rem; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(4) [data-testid="stImage"]):not(:has(.stButton))
  > [data-testid="stColumn"] { min-width: calc(25% - 1rem) !important; max-width: calc(25% - 0.75rem); }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .stButton):not(:has([class*="st-key-card-"]))
  > [data-testid="stColumn"]:has(.stButton)
  { min-width: calc(33% - 1rem) !important; }
  [data-testid="stHorizontalBlock"]:has([class*="st-key-card-"]):not(:has([data-testid="stHorizontalBlock"])) > [data-testid="stColumn"]
  { min-width: 100% !important; }
  .stButton button { padding-left: 0.4rem; padding-right: 0.4rem; font-size: 1rem; }
}
</style>
"""

# Words drawn by Streamlit's widgets themselves, which Streamlit does not translate: hidden when the
# reader did not choose English ("Press Enter to apply", the picture toolbar's "Fullscreen").
NOT_ENGLISH_CSS = """
<style>
[data-testid="InputInstructions"], [data-testid="stElementToolbar"] { display: none !important; }
</style>
"""

PRESENT_CSS = """
<style>
/* Classroom mode: no sidebar, no Streamlit chrome, letters readable from the back of the room
   (every text at least 28 px on a 1920x1080 projector). */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer
{ display: none !important; }
html { font-size: 28px; }
[data-testid="stMainBlockContainer"] { max-width: 100vw; padding: 0.6rem 1.6rem 2rem 1.6rem; }
[data-testid="stMain"] *:not(h1, h2, h3, h4, h5, h6, svg, svg *) { font-size: max(1rem, 1em) !important; }
.stMarkdown p, .stMarkdown li { line-height: 1.4; }
[data-testid="stMain"] h1 { font-size: 1.9rem !important; padding: 0.2rem 0; }
[data-testid="stMain"] h2 { font-size: 1.5rem !important; padding: 0.1rem 0 0.35rem 0; line-height: 1.35; }
[data-testid="stMain"] h3 { font-size: 1.2rem !important; }
.st-key-present-nav button, .st-key-present-exit button { min-height: 2.2rem; }
/* A row of buttons under the part's words (a narrow column on a 1280 px laptop) wraps instead of
   breaking "Start" into "Star / t": each button keeps room for a word or two. */
.st-key-present-words [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
.st-key-present-words [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]
{ min-width: min(100%, 7.5rem) !important; flex: 1 1 auto; }
/* Streamlit's 1rem between elements is 28 px here: closer, so each part fits the projector's one screen. */
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.6rem; }
.st-key-present-nav { position: sticky; top: 0; z-index: 5; background: #fffdf7; }
/* The class duel's code, big enough to copy from the back of the room (the rule above had made it 1rem). */
[data-testid="stMain"] .duel-code { font-size: 2.6rem !important; }
</style>
"""


# ── The frame (app.py) runs around every page ──────────────────────────────────────────────────
def require_frame() -> None:
    """Make sure app.py runs around this page.

    Streamlit keeps an old habit for apps with a `pages/` folder: until the first `st.navigation`
    call in a process, a deep link (say /gan?lang=en, the first visit after a cold start) runs the
    page script alone, without app.py: no language, no classroom mode, raw page names. Here the page
    notices that habit, turns it off, and reruns, so app.py takes over."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# ── Classroom mode ──────────────────────────────────────────────────────────────────────────────
def resolve_present() -> bool:
    """`?present=1` turns classroom mode on; it is kept in the URL so a reload keeps it."""
    on = st.query_params.get("present") == "1" or st.session_state.get("present", False)
    st.session_state["present"] = on
    if on and st.query_params.get("present") != "1":
        st.query_params["present"] = "1"
    return on


def presenting() -> bool:
    return bool(st.session_state.get("present", False))


def leave_present() -> None:
    st.session_state["present"] = False
    st.query_params.pop("present", None)


def style() -> None:
    """The page's style, the classroom style when presenting, and the read-aloud script."""
    css = BASE_CSS + ("" if lang() == "en" else NOT_ENGLISH_CSS) + (PRESENT_CSS if presenting() else "")
    st.html(css)
    with st.container(key="aidraw-say-script"):
        st.html(SAY_SCRIPT % {"page_lang": "en" if lang() == "en" else "zh-CN"}, unsafe_allow_javascript=True)
        st.html(NAMES_SCRIPT % {"names": json.dumps(streamlit_names(), ensure_ascii=False)},
                unsafe_allow_javascript=True)


def present_bar() -> None:
    """The obvious way out of classroom mode, top right (pages without parts, e.g. the glossary)."""
    _, right = st.columns([3, 2])
    with right:
        if st.button(t("present_exit"), key="present-exit", width="stretch"):
            leave_present()
            st.rerun()


# ── Sections ────────────────────────────────────────────────────────────────────────────────────
def paragraphs(body: str, body_en: str | None = None, key: str = "p") -> None:
    """Lesson words. In bilingual mode each Chinese paragraph is followed by its English one."""
    if body_en is None:
        if body.strip():
            st.markdown(body, anchors=False)
        return
    zh_parts = [p for p in body.strip().split("\n\n") if p.strip()]
    en_parts = [p for p in body_en.strip().split("\n\n") if p.strip()]
    for i, zh in enumerate(zh_parts):
        st.markdown(zh, anchors=False)
        if i < len(en_parts):
            with st.container(key=f"en-echo-{key}-{i}"):
                st.markdown(en_parts[i], anchors=False)
    for j, en in enumerate(en_parts[len(zh_parts):]):   # the test keeps counts equal; this is a safety net
        with st.container(key=f"en-echo-{key}-x{j}"):
            st.markdown(en, anchors=False)


def say(chapter_id: str, *path: str) -> None:
    """Show a passage from a lesson file (e.g. say("gan", "ui", "fake_note")), bilingual-aware."""
    value = field(chapter_id, *path)
    if isinstance(value, tuple):
        paragraphs(value[0], value[1], key="-".join((chapter_id,) + path))
    else:
        paragraphs(value)


Draw = Callable[[], None]


def chapter(chapter_id: str, renderers: dict[str, Draw | tuple[Draw, ...]]) -> None:
    """Draw a chapter: its title, then its sections (all of them, or one at a time in classroom mode).
    A section drawn by a tuple of functions is one section on a screen that scrolls and, in classroom
    mode, that many parts, one screenful each (the section's words beside the first)."""
    require_frame()
    parts = sections(chapter_id)
    known = {s["id"] for s in parts}
    for missing in set(renderers) - known:
        log.warning("chapter %s has no lesson section %r", chapter_id, missing)
    if presenting():
        screens = [(s, i) for s in parts for i in range(len(_screens(renderers.get(s["id"]))) or 1)]
        _present_one(chapter_id, screens, renderers)
        return
    st.title(text(chapter_id, "title"), anchor=False)
    for s in parts:
        _section(chapter_id, s, renderers)


def _screens(draw) -> tuple:
    """A section's drawing functions, in order: () for none."""
    return () if draw is None else tuple(draw) if isinstance(draw, (tuple, list)) else (draw,)


_columns = threading.local()        # each visitor's script runs in its own thread: the part's words column


def aside():
    """Where a part puts what sits beside its pictures (a choice, the class duel's room): in classroom
    mode, the left column under the part's words, so the pictures below the controls stay on the
    projector's first screen; otherwise right here, in the page's flow. Use: `with aside(): ...`."""
    words = getattr(_columns, "words", None)
    return words.container() if words is not None and presenting() else st.container()


def _section(chapter_id: str, s: dict, renderers, screen: int | None = None) -> None:
    """One section: its heading, words and drawing; `screen` (classroom mode): only that screen of its
    drawing, the words on the left and the pictures on the right (no words beside a later screen)."""
    draws = _screens(renderers.get(s["id"]))
    st.header(s["heading"], anchor=False, divider="gray")
    if screen is None or screen == 0:
        read_aloud(chapter_id, s["id"])
    if screen is not None and draws:
        # Classroom mode: the words on the left (none beside a later screen: what it puts aside()), the
        # pictures on the right, both on the first screen.
        words, pictures = st.columns([1, 1.9], gap="large")
        words = words.container(key="present-words")          # its rows of buttons wrap (PRESENT_CSS)
        if screen == 0:
            with words:
                paragraphs(s.get("body", ""), s.get("body_en"), key=f"{chapter_id}-{s['id']}")
        _columns.words = words
        try:
            with pictures:
                draws[screen]()
        finally:
            _columns.words = None
        return
    paragraphs(s.get("body", ""), s.get("body_en"), key=f"{chapter_id}-{s['id']}")
    for draw in draws:
        draw()


def _present_one(chapter_id: str, parts: list[tuple[dict, int]], renderers) -> None:
    """Classroom mode: one part of the chapter (a section's screen: (section, screen number)), with
    Back / Next / Leave at the top, so the buttons and the part's pictures share the first screen.
    After the home page's last part comes chapter 1."""
    key = f"present-part:{chapter_id}"
    n = min(max(st.session_state.get(key, 0), 0), len(parts) - 1)
    if n + 1 < len(parts):
        after = None
    elif chapter_id == "home":
        after = next(iter(chapters.built()), None)
    else:
        after = chapters.next_after(chapter_id)
    with st.container(key="present-nav"):
        where, back, forward, leave = st.columns([2.2, 1.2, 1.8, 1.3], vertical_alignment="center")
        where.caption(f"{text(chapter_id, 'title')} — {t('present_part', n=n + 1, total=len(parts))}")
        with back:
            if n > 0 and st.button(t("present_prev"), key="present-prev", width="stretch"):
                st.session_state[key] = n - 1
                st.rerun()
        with forward:
            if n + 1 < len(parts):
                if st.button(t("present_next"), key="present-next", type="primary", width="stretch"):
                    st.session_state[key] = n + 1
                    st.rerun()
            elif after is not None and st.button(t("present_next_chapter", title=text(after.id, "nav")),
                                                 key="present-next-chapter", type="primary", width="stretch"):
                # Its own key: a click on "present-next" would still count on the next page's first run.
                st.session_state[f"present-part:{after.id}"] = 0
                st.switch_page(after.page, query_params=dict(st.query_params))
        with leave:
            if st.button(t("present_exit"), key="present-exit", width="stretch"):
                leave_present()
                st.rerun()
    _section(chapter_id, parts[n][0], renderers, screen=parts[n][1])


# ── What a screen reader hears for Streamlit's own parts ──────────────────────────────────────────
# Streamlit 1.67 names its own parts in English only ("Sidebar", "Collapse sidebar", "App pages",
# "Link to heading", a progress bar's "progress", "Skip to main content") and has no setting for it.
# A small script gives each the name in the reader's language, and keeps doing so while Streamlit
# draws them again (a MutationObserver). Streamlit's words -> ui.toml keys:
def streamlit_names() -> dict[str, str]:
    """Streamlit's own English names (aria-label, title, or the skip link's words) -> the reader's words."""
    return {
        "Sidebar": t("sr_sidebar"),
        "Collapse sidebar": t("sr_sidebar_collapse"),
        "Expand sidebar": t("sr_sidebar_expand"),
        "App pages": t("sr_pages"),
        "View more": t("sr_view_more"),
        "View less": t("sr_view_less"),
        "Link to heading": t("sr_heading_link"),
        "progress": t("sr_progress"),
        "Skip to main content": t("sr_skip"),
        "Running...": t("sr_running"),
        "Stop script": t("sr_stop"),
        "Main menu": t("sr_main_menu"),
        "Close": t("sr_close"),
        "Fullscreen": t("sr_fullscreen"),
        "Exit fullscreen": t("sr_exit_fullscreen"),
        "Clear value": t("sr_clear"),
        "Clear all": t("sr_clear"),
    }


NAMES_SCRIPT = """<script>
(function () {
  window.__aidrawNames = %(names)s;
  if (window.__aidrawNamer) { window.__aidrawNamer(); return; }
  const ATTRS = ["aria-label", "title"];
  /* Streamlit's word for an attribute: what it set last (kept in data-aidraw-was-*), unless it is ours. */
  function rename(el, attr) {
    const now = el.getAttribute(attr);
    if (now === null) return;
    const was = el.getAttribute("data-aidraw-was-" + attr), ours = el.getAttribute("data-aidraw-put-" + attr);
    const theirs = (ours !== null && now === ours && was !== null) ? was : now;
    const names = window.__aidrawNames;
    let want = names[theirs];
    if (want === undefined && theirs.startsWith("Fullscreen: ")) want = names["Fullscreen"] + ": " + theirs.slice(12);
    if (want === undefined || want === now) return;
    el.setAttribute("data-aidraw-was-" + attr, theirs);
    el.setAttribute("data-aidraw-put-" + attr, want);
    el.setAttribute(attr, want);
  }
  function named(el) {
    /* Words on the screen that Streamlit draws itself (the skip link, "View more"): the name and the
       words shown (CSS shows data-aidraw-text in their place). */
    const words = el.getAttribute("data-aidraw-was-text") || el.textContent.trim();
    const want = window.__aidrawNames[words];
    if (want === undefined) return;
    if (el.getAttribute("data-aidraw-text") !== want) {
      el.setAttribute("data-aidraw-was-text", words);
      el.setAttribute("data-aidraw-text", want);
      el.setAttribute("aria-label", want);
    }
  }
  /* The language switch: each language's name is read in its own language. */
  function voices(el) {
    const words = el.textContent.trim();
    const want = /[\u4e00-\u9fff]/.test(words) ? (/[A-Za-z]/.test(words) ? "" : "zh-CN") : "en";
    if (want && el.getAttribute("lang") !== want) el.setAttribute("lang", want);
  }
  function fix(root) {
    const all = root.querySelectorAll ? root.querySelectorAll("[aria-label], [title]") : [];
    for (const el of all) for (const attr of ATTRS) rename(el, attr);
    if (root.getAttribute) for (const attr of ATTRS) rename(root, attr);
    for (const el of document.querySelectorAll('[data-testid="stSkipToContent"], [data-testid="stSidebarNavViewButton"]')) named(el);
    for (const el of document.querySelectorAll('.st-key-lang-picker button')) voices(el);
  }
  let queued = false;
  const later = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; fix(document.body); }); } };
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "attributes") { rename(c.target, c.attributeName); continue; }
      later();
      return;
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ATTRS});
  window.__aidrawNamer = () => fix(document.body);
  fix(document.body);
})();
</script>"""


# ── Read aloud ──────────────────────────────────────────────────────────────────────────────────
# The browser's own speech (speechSynthesis): nothing is sent anywhere, the server does nothing. A 🔊
# button stays hidden until the browser lists a voice for its language (headless browsers have none).
SAY_SCRIPT = """<script>
(function () {
  document.documentElement.lang = "%(page_lang)s";      /* screen readers read the page in its language */
  if (window.__aidrawSay) { window.__aidrawSay.refresh(); return; }
  const synth = window.speechSynthesis;
  const root = document.documentElement;
  const voiceFor = (code) => (synth ? synth.getVoices() : []).find(
    (v) => (v.lang || "").toLowerCase().replace("_", "-").startsWith(code));
  function refresh() {
    for (const code of ["zh", "en"]) root.classList.toggle("aidraw-can-say-" + code, !!voiceFor(code));
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".aidraw-say");
    if (!button || !synth) return;
    synth.cancel();
    const words = new SpeechSynthesisUtterance(button.dataset.say);
    words.lang = button.dataset.lang;
    const voice = voiceFor(button.dataset.lang.slice(0, 2));
    try { if (voice) words.voice = voice; } catch (e) { /* a voice from another list */ }
    words.rate = 0.9;
    synth.speak(words);
  });
  if (synth && synth.addEventListener) synth.addEventListener("voiceschanged", refresh);
  window.__aidrawSay = { refresh: refresh };
  refresh();
  setTimeout(refresh, 500);
})();
</script>"""

SPEECH_LANG = {"zh": "zh-CN", "en": "en-US"}


def plain(markdown: str) -> str:
    """Lesson markdown as words to speak: no **, *, `, #, and [links](...) keep only their words."""
    words = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    words = re.sub(r"[*_`#>|]+", "", words)
    return re.sub(r"\s+", " ", words).strip()


def read_aloud(chapter_id: str, section_id: str) -> None:
    """A 🔊 button per language shown (two in bilingual mode) that reads the section's heading and words."""
    buttons = []
    for base in bases():
        part = next((s for s in load(base, chapter_id)["sections"] if s["id"] == section_id), None)
        if part is None:
            continue
        words = plain(part["heading"] + "。 " if base == "zh" else part["heading"] + ". ") + plain(part.get("body", ""))
        label = t_in(base, "read_aloud")
        buttons.append(f'<button type="button" class="aidraw-say" data-lang="{SPEECH_LANG[base]}" lang="{SPEECH_LANG[base]}" '
                       f'aria-label="{html.escape(label)}" title="{html.escape(label)}" '
                       f'data-say="{html.escape(words)}">🔊 {html.escape(label)}</button>')
    if buttons:
        st.html('<div class="aidraw-say-row">' + " ".join(buttons) + "</div>")


# ── When something goes wrong ───────────────────────────────────────────────────────────────────
def friendly_error(where: str) -> None:
    """Log the details for the grown-ups running the server; show the child a kind word and a way back."""
    log.exception("unexpected error in %s", where)
    with st.container(border=True, key=f"oops-{where}"):
        st.subheader("🙈 " + t("oops_title"), anchor=False)
        st.write(t("oops_body"))
        retry, home = st.columns(2)
        if retry.button(t("oops_retry"), key=f"oops-retry-{where}", width="stretch"):
            st.rerun()
        if home.button(t("oops_home"), key=f"oops-home-{where}", width="stretch"):
            st.switch_page("pages/home.py", query_params=dict(st.query_params))


@contextlib.contextmanager
def guard(where: str):
    """Use inside fragments (they rerun on their own, outside app.py's safety net)."""
    try:
        yield
    except Exception:  # Streamlit's rerun/stop signals are BaseException and pass through
        friendly_error(where)
