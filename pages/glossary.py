"""Key words: every term in Chinese and English, with a short explanation in the reader's language."""

import streamlit as st

from ui.i18n import bases, first_base, load, text
from ui.layout import presenting, present_bar, require_frame

require_frame()
if presenting():
    present_bar()

st.title("📖 " + text("glossary", "title"), anchor=False)
st.write(text("glossary", "intro"))

for term_id, term in load(first_base(), "glossary")["terms"].items():
    with st.container(border=True, key=f"term-{term_id}"):
        st.markdown(f"### {term['zh']} · {term['en']}", anchors=False)
        st.write(term["say"])
        for echo in bases()[1:]:                   # bilingual: the English explanation too
            with st.container(key=f"en-echo-term-{term_id}"):
                st.write(load(echo, "glossary")["terms"][term_id]["say"])
