"""A tiny page for testing st.cache_data(scope="session"): what one visitor's words make is remembered
for that visitor only. Each answer carries the session's own token (read inside, not part of the key),
so an entry shared between sessions would show another session's token."""

import uuid

import streamlit as st

st.session_state.setdefault("token", uuid.uuid4().hex[:8])
st.session_state.setdefault("made", [])


@st.cache_data(scope="session", max_entries=2, show_spinner=False)
def made_from(words: str) -> dict:
    st.session_state["made"].append(words)                  # how often it really ran in this session
    return {"words": words, "token": st.session_state["token"]}


words = st.text_input("words", key="words")
answer = made_from(words)
st.text(f"session {st.session_state['token']}; answer made in session {answer['token']}; "
        f"made {'|'.join(st.session_state['made'])}; asked {answer['words']}")
