"""A tiny page for testing the shared live-training machinery without any chapter's model."""

import streamlit as st

from ui.training import LiveTraining


class CountingTrainer:
    """Learns nothing: each step adds one, so the test can see exactly how many steps ran."""

    def __init__(self, memory: int):
        self.steps, self.memory = 0, memory       # read now: a worker thread has no session state

    def step(self):
        self.steps += 1
        return {"loss": 1.0 / self.steps}

    def memory_bytes(self):
        return self.memory


live = LiveTraining("demo", lambda: CountingTrainer(st.session_state.get("demo-memory", 1000)), max_steps=st.session_state.get("demo-cap", 50))
live.controls()
live.panel(lambda trainer, state: st.write(f"steps={trainer.steps}"))
