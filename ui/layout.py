"""How every page looks: the style, classroom (presentation) mode, chapters in sections, and the
friendly word a child sees instead of a traceback.

A chapter page calls `chapter("gan", {"story": draw_story, "duel": draw_duel, ...})`. Each section's
heading and words come from the lesson file; the function draws the section's pictures and buttons.
Normally every section is shown, top to bottom. In classroom mode (`?present=1`) one section fills
the screen, with big Back / Next buttons, and Next at the end opens the next chapter.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Callable

import streamlit as st

from ui import chapters
from ui.i18n import field, sections, t, text

log = logging.getLogger("aidraw")

BASE_CSS = """
<style>
/* Pictures are tiny (32x32): keep their pixels crisp when the browser scales them. */
img { image-rendering: pixelated; }
/* Big, friendly buttons for small fingers. */
.stButton button, .stDownloadButton button { min-height: 2.8rem; font-size: 1.05rem; border-radius: 0.8rem; }
/* In bilingual mode, the English echo of each paragraph is quieter. */
[class*="st-key-en-echo"] p { color: #55556a; font-style: italic; }
</style>
"""

PRESENT_CSS = """
<style>
/* Classroom mode: no sidebar, no Streamlit chrome, letters readable from the back of the room. */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], footer
{ display: none !important; }
html { font-size: 26px; }
[data-testid="stMainBlockContainer"] { max-width: 94vw; padding-top: 1.2rem; }
.stMarkdown p, .stMarkdown li { font-size: 1.35rem; line-height: 1.5; }
.st-key-present-nav button, .st-key-present-exit button { min-height: 3.6rem; font-size: 1.3rem; }
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
    st.html(BASE_CSS + (PRESENT_CSS if presenting() else ""))


def present_bar() -> None:
    """The obvious way out of classroom mode, top right."""
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
            st.markdown(body)
        return
    zh_parts = [p for p in body.strip().split("\n\n") if p.strip()]
    en_parts = [p for p in body_en.strip().split("\n\n") if p.strip()]
    for i, zh in enumerate(zh_parts):
        st.markdown(zh)
        if i < len(en_parts):
            with st.container(key=f"en-echo-{key}-{i}"):
                st.markdown(en_parts[i])
    for j, en in enumerate(en_parts[len(zh_parts):]):   # the test keeps counts equal; this is a safety net
        with st.container(key=f"en-echo-{key}-x{j}"):
            st.markdown(en)


def say(chapter_id: str, *path: str) -> None:
    """Show a passage from a lesson file (e.g. say("gan", "ui", "fake_note")), bilingual-aware."""
    value = field(chapter_id, *path)
    if isinstance(value, tuple):
        paragraphs(value[0], value[1], key="-".join((chapter_id,) + path))
    else:
        paragraphs(value)


def chapter(chapter_id: str, renderers: dict[str, Callable[[], None]]) -> None:
    """Draw a chapter: its title, then its sections (all of them, or one at a time in classroom mode)."""
    require_frame()
    parts = sections(chapter_id)
    known = {s["id"] for s in parts}
    for missing in set(renderers) - known:
        log.warning("chapter %s has no lesson section %r", chapter_id, missing)
    if presenting():
        present_bar()
        _present_one(chapter_id, parts, renderers)
        return
    st.title(text(chapter_id, "title"))
    for s in parts:
        _section(chapter_id, s, renderers)


def _section(chapter_id: str, s: dict, renderers) -> None:
    st.header(s["heading"], anchor=s["id"], divider="gray")
    paragraphs(s.get("body", ""), s.get("body_en"), key=f"{chapter_id}-{s['id']}")
    draw = renderers.get(s["id"])
    if draw is not None:
        draw()


def _present_one(chapter_id: str, parts: list[dict], renderers) -> None:
    key = f"present-part:{chapter_id}"
    n = min(max(st.session_state.get(key, 0), 0), len(parts) - 1)
    st.caption(f"{text(chapter_id, 'title')} — {t('present_part', n=n + 1, total=len(parts))}")
    _section(chapter_id, parts[n], renderers)
    st.write("")
    with st.container(key="present-nav"):
        back, _, forward = st.columns([1, 1, 1.4])
        with back:
            if n > 0 and st.button(t("present_prev"), key="present-prev", width="stretch"):
                st.session_state[key] = n - 1
                st.rerun()
        with forward:
            if n + 1 < len(parts):
                if st.button(t("present_next"), key="present-next", type="primary", width="stretch"):
                    st.session_state[key] = n + 1
                    st.rerun()
            else:
                after = chapters.next_after(chapter_id)
                if after is not None and st.button(t("present_next_chapter", title=text(after.id, "nav")),
                                                   key="present-next", type="primary", width="stretch"):
                    st.session_state[f"present-part:{after.id}"] = 0
                    st.switch_page(after.page, query_params=dict(st.query_params))


# ── When something goes wrong ───────────────────────────────────────────────────────────────────
def friendly_error(where: str) -> None:
    """Log the details for the grown-ups running the server; show the child a kind word and a way back."""
    log.exception("unexpected error in %s", where)
    with st.container(border=True, key=f"oops-{where}"):
        st.subheader("🙈 " + t("oops_title"))
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
