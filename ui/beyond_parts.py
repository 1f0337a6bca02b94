"""Small pieces every part of the "beyond pictures" chapter uses: the honest box and the loss chart."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.layout import say


def honest(part: str) -> None:
    with st.container(border=True, key=f"beyond-honest-{part}"):
        say("beyond", "ui", f"{part}_honest")


def loss_chart(state) -> None:
    """The loss so far, a line over the steps. A Vega-Lite spec written out (1-2 ms of CPU a tick):
    st.line_chart builds it with Altair and pandas, about 90 ms a tick, more than drawing the film."""
    points = [{"step": h["steps"], "loss": round(float(h["loss"]), 4)} for h in state.history if "loss" in h]
    if len(points) > 1:                        # one point makes no line
        st.caption(t("beyond.loss"))
        st.vega_lite_chart(spec={
            "data": {"values": points}, "mark": {"type": "line"},
            "encoding": {"x": {"field": "step", "type": "quantitative", "title": None},
                         "y": {"field": "loss", "type": "quantitative", "title": None}}},
            height=150, width="stretch", alt=t("beyond.loss"))
