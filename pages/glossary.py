"""Key words: every term in Chinese and English, with a short explanation in the reader's language."""

import streamlit as st

from ui.i18n import lang, load, text
from ui.layout import presenting, present_bar, require_frame

require_frame()
if presenting():
    present_bar()

st.title("📖 " + text("glossary", "title"))
st.write(text("glossary", "intro"))

explain_lang = "zh" if lang() == "both" else lang()
for term_id, term in load(explain_lang, "glossary")["terms"].items():
    with st.container(border=True, key=f"term-{term_id}"):
        st.markdown(f"### {term['zh']} · {term['en']}")
        st.write(term["say"])
        if lang() == "both":
            with st.container(key=f"en-echo-term-{term_id}"):
                st.write(load("en", "glossary")["terms"][term_id]["say"])
