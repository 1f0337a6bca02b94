"""Small pieces every part of the "beyond pictures" chapter uses: the honest box and the loss chart."""

from __future__ import annotations

import streamlit as st

from ui.charts import quick_line
from ui.i18n import t
from ui.layout import presenting, say


def honest(part: str) -> None:
    with st.container(border=True, key=f"beyond-honest-{part}"):
        say("beyond", "ui", f"{part}_honest")


def loss_chart(history: list[dict]) -> None:
    """The loss so far, a line over the steps (charts.quick_line: cheap enough to draw every tick).
    history: a copy of the run's history (ui/worker.py Run.history), {"steps": int, "loss": float} rows."""
    points = [{"step": h["steps"], "loss": round(float(h["loss"]), 4)} for h in history if "loss" in h]
    if len(points) > 1:                        # one point makes no line
        st.caption(t("beyond.loss"))
        quick_line([p["step"] for p in points], [p["loss"] for p in points], alt_text=t("beyond.loss"),
                   height=100 if presenting() else 150)          # classroom: a lower chart fits the screen
