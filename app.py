"""How does AI draw? / AI到底是怎么画画的?  —  run with:  streamlit run app.py

The frame around every page: the language, the chapters in the reader's language, classroom mode, and
a safety net so a child never sees a traceback.
"""

import os

# Thirty visitors share two cores: each visitor's model trains on one thread. Set before torch loads.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import logging  # noqa: E402

import streamlit as st  # noqa: E402

from ui import chapters, layout, warmup  # noqa: E402
from ui.i18n import LANGS, resolve_lang, set_lang, t, text  # noqa: E402

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

lang = resolve_lang()
present = layout.resolve_present()
# The sidebar stays "expanded" underneath classroom mode (CSS hides it), so leaving the mode brings it back.
st.set_page_config(page_title=t("app_title"), page_icon="🎨", layout="wide")

home = st.Page("pages/home.py", title=text("home", "nav"), icon="🗺️", default=True)
pages = [home] + [st.Page(c.page, title=text(c.id, "nav"), icon=c.icon, url_path=c.id) for c in chapters.built()]
pages.append(st.Page("pages/glossary.py", title=text("glossary", "nav"), icon="📖", url_path="glossary"))
page = st.navigation(pages, position="hidden" if present else "sidebar")

layout.style()
warmup.start()


def _language_picked() -> None:
    choice = st.session_state.get("lang-picker")
    set_lang(choice if choice in LANGS else lang)


if not present:
    with st.sidebar:
        st.session_state["lang-picker"] = lang      # follows the URL, e.g. after a shared link
        st.segmented_control(t("language"), LANGS, key="lang-picker", on_change=_language_picked,
                             format_func=lambda code: t(f"lang_{code}"))
        st.divider()
        if st.button("🧑‍🏫 " + t("present_open"), key="present-open", help=t("present_help"), width="stretch"):
            st.session_state["present"] = True
            st.query_params["present"] = "1"
            st.rerun()

try:
    page.run()
except Exception:  # st.rerun / st.stop are BaseExceptions and pass straight through
    layout.friendly_error("page")
