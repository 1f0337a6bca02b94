"""Small pieces every part of the "beyond pictures" chapter uses: the honest box and the loss chart."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.layout import say


def honest(part: str) -> None:
    with st.container(border=True, key=f"beyond-honest-{part}"):
        say("beyond", "ui", f"{part}_honest")


def loss_chart(state) -> None:
    if len(state.history) > 1:                 # one point makes no line
        st.caption(t("beyond.loss"))
        st.line_chart([h["loss"] for h in state.history], height=150)
