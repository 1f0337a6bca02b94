"""A tiny page for testing the shared live-training machinery without any chapter's model."""

import streamlit as st

from helpers import another_thread_gets
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


def draw_seen(seen, state):
    st.write(f"steps={seen['steps']}")
    st.write(f"look-locked={seen['locked']}")
    st.write(f"draw-free={another_thread_gets(state.lock)}")


if st.session_state.get("demo-look"):      # look with the lock held, draw without it
    live.panel(draw_seen, look=lambda trainer: {"steps": trainer.steps, "locked": not another_thread_gets(live.lock)})
else:
    live.panel(lambda trainer, state: st.write(f"steps={trainer.steps}"))
