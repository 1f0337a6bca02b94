"""Live training on a page: start, pause, one step, speed, start over — shared by every chapter.

    page ──► LiveTraining(key, make_trainer, max_steps=...) ──► controls()   (buttons, outside the tick)
                                                           └─► panel(draw)  (a fragment that ticks)
    tick (every 0.5 s slow / 1.5 s normal / 3 s fast): heartbeat + seat ──► pool().add(run) ──► look, draw
    worker threads (ui/worker.py): step seated runs round-robin, ~0.1 s each, with run.lock held

Rules it keeps, so 30 children can share one small server:
- Each visitor's trainer lives in their own st.session_state: nothing one child does reaches another.
- Training runs on worker threads, one per core the process may use (ui/seats.py), never on the page's
  script thread: the page only draws a snapshot now and then and answers clicks at once.
- A trainer is stepped by one thread at a time: workers, buttons, slow ticks and looks hold run.lock;
  a page draws what it looked at without it (panel's `look`).
- Speeds (ui/worker.py SPEEDS): slow = each tick takes one step and shows it; normal = the workers train
  without a break and the page draws every 1.5 s; fast = the same, drawing every 3 s (more time for learning).
- Seats (ui/seats.py): SEATS_PER_CORE per usable core, or AIDRAW_SEATS; beyond them a visitor waits in
  line, sees their place, and can watch a recorded run. While others wait, a turn lasts TURN_SECONDS.
  A seat is given back on Pause, Start over, at a cap, or when the page stops ticking for SEAT_TIMEOUT
  seconds (tab closed, page left); a tab hidden for HIDDEN_PAUSE seconds presses its own Pause.
- Hard caps: max_steps per run, and the trainer's memory_bytes() (if it has one) under max_memory_mb.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from contextlib import contextmanager
from typing import Callable

import streamlit as st

from ui import player, worker
from ui.i18n import t
from ui.layout import aside, guard, presenting
from ui.seats import SEAT_TIMEOUT, TURN_SECONDS, Seats, seat_count, usable_cores  # noqa: F401 (re-exported)
from ui.worker import DRAW_EVERY, HISTORY, SPEEDS, Run, needs_drawing  # noqa: F401 (re-exported)


log = logging.getLogger("aidraw.training")

RunState = Run            # the name pages and tests know
HIDDEN_PAUSE = 30         # seconds a browser tab may stay hidden before it pauses its own training
TICK_AT_LEAST = "live:tick-at-least"   # session key: seconds between two drawings at least (a class duel's
                                       # projector: its class sees the room's painter's picture instead)


@st.cache_resource
def seats() -> Seats:
    return Seats(seat_count(usable_cores(), os.environ.get("AIDRAW_SEATS")))


def visitor_id() -> str:
    return st.session_state.setdefault("visitor-id", uuid.uuid4().hex)


def limit_threads() -> None:
    import torch
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    worker.release_gpu_code_once()               # torch is imported by now (ui/worker.py)


# A hidden tab presses its own Pause after HIDDEN_PAUSE seconds (browsers keep ticking hidden tabs).
HIDE_SCRIPT = """<script>
(() => {
  const w = window, key = %r, wait = (w.aidrawHiddenPause ?? %d) * 1000;
  w.aidrawPauseKeys = w.aidrawPauseKeys || new Set();
  w.aidrawPauseKeys.add(key);
  if (w.aidrawHideWatch) return;
  w.aidrawHideWatch = true;
  let timer = null;
  document.addEventListener("visibilitychange", () => {
    clearTimeout(timer);
    if (!document.hidden) return;
    timer = setTimeout(() => {
      for (const k of w.aidrawPauseKeys) document.querySelector(`.st-key-${k}-pause button`)?.click();
    }, wait);
  });
})();
</script>"""


# ── One visitor's live run ──────────────────────────────────────────────────────────────────────
class LiveTraining:
    """The controls and the ticking panel for one trainer on one page (recreated every run; its
    state, a ui.worker.Run, lives in st.session_state[f"live:{key}"])."""

    def __init__(self, key: str, make_trainer: Callable[[], object], *, max_steps: int,
                 max_memory_mb: float = 100.0):
        self.key, self.make_trainer = key, make_trainer
        self.state: Run = st.session_state.setdefault(f"live:{key}", Run())
        self.state.max_steps, self.state.max_memory_mb = max_steps, max_memory_mb
        self.state.on_leave = _leaver(seats(), visitor_id())
        self.state.connected = tab_open()
        limit_threads()

    @property
    def max_steps(self) -> int:
        return self.state.max_steps

    @property
    def lock(self) -> threading.RLock:
        """Hold it to read or change the trainer while a worker might be stepping it."""
        return self.state.lock

    # The trainer is made on first use, so a page that is only read costs nothing.
    @property
    def trainer(self):
        if self.state.trainer is None:
            with self.lock:
                if self.state.trainer is None:
                    self.state.trainer = self.make_trainer()
        return self.state.trainer

    @property
    def steps(self) -> int:
        return self.state.steps

    def reset(self, make_trainer: Callable[[], object] | None = None) -> None:
        """Throw the trainer away (a new one is made on next use); keep the chosen speed."""
        if make_trainer is not None:
            self.make_trainer = make_trainer
        seats().leave(visitor_id())
        with self.state.held():                  # waits for a worker's turn (at most ~0.1 s)
            s = self.state
            s.trainer, s.running, s.notice, s.error = None, False, None, None
            s.history.clear()
            s.drawn.clear()

    def now_and_then(self, name: str, make: Callable[..., object], every: float = DRAW_EVERY,
                     copy: Callable[[], object] | None = None) -> tuple[int, object]:
        """(steps, picture) for a picture that is slow to draw, remembered for this run. While training
        runs it is drawn again at most every `every` seconds, and only once the run has trained nine
        times what the last drawing cost (ui/worker.py Run.picture), so drawing never costs a shared
        server more than a tenth of the learning; paused, stepped or waiting, it always shows the
        trainer as it is. picture = make() with the lock held, or, given `copy`, make(copy()) with the
        lock held only for the copy (from a panel's draw, which runs without it when the panel has a look);
        then, while a core is idle, it is drawn every `every` seconds whatever it costs (Pool.spare)."""
        return self.state.picture(name, make, every, copy=copy, spare=copy is not None and worker.pool().spare())

    # ── Buttons ────────────────────────────────────────────────────────────────────────────────
    def controls(self, beside_words: bool = True) -> None:
        """Start/Pause, One step, Start over and the speed. Classroom mode: under the part's words
        (`beside_words`), so the pictures start at the top of their column and the whole part fits the
        projector's screen; where the words are long, `beside_words=False` keeps them above the pictures."""
        s = self.state
        with aside() if beside_words else st.container(), st.container(key=f"live-{self.key}-controls"):
            def speed() -> None:
                chosen = st.segmented_control(t("train_speed"), list(SPEEDS), default=s.speed,
                                              key=f"{self.key}-speed", format_func=lambda v: t(f"speed_{v}"),
                                              persist_state="session")
                if chosen in SPEEDS:
                    s.speed = chosen

            full, narrow = self.steps >= self.max_steps, beside_words and presenting()   # speed on its own line
            player.bar(player.Keys.training(self.key), player.Labels.training(), s.running,
                       on_play=self._start, on_pause=self._pause, on_step=self._one_step, on_reset=self.reset,
                       can_play=not full, can_step=not full, extra=None if narrow else speed,
                       widths=None if narrow else [1.2, 1, 1, 2.2])
            if narrow:
                speed()

    def _start(self) -> None:
        s = self.state
        if s.steps < s.max_steps:
            s.running, s.notice, s.seen = True, None, time.monotonic()

    def _pause(self) -> None:
        self.state.running = False             # a worker stops after the step it is in ...
        with self.state.held():                # ... and the page waits for that step: "Paused at step N"
            pass                               # is then the trainer's own N (a step later, it said N-1)
        seats().leave(visitor_id())

    def _one_step(self) -> None:
        # A double click takes two steps, one after the other: the lock makes the second wait.
        with guard(f"{self.key}-step"):
            self.trainer
            with self.state.held():
                if not self.state.running:
                    self.state.step_once()

    # ── The ticking panel ──────────────────────────────────────────────────────────────────────
    def panel(self, draw: Callable[[object, Run], None],
              waiting: Callable[[], None] | None = None, look: Callable[[object], object] | None = None) -> None:
        """Draw now, and again every tick while training runs. Without `look`: `draw(trainer, state)`
        with the trainer's lock held (keep it short). With `look`: `look(trainer)` with the lock held
        (the model's part: pictures as arrays, copies of its numbers), then `draw(seen, state)` without
        it (Streamlit's part), so the workers go on training while the page is drawn. Measured on the
        GAN page in Chromium (one visitor, 45 s): a tick held the lock 109 ms, of which making the
        pictures took 17 ms; the rest was Streamlit's drawing."""
        s = self.state
        ticking = s.running

        every = max(SPEEDS.get(s.speed, SPEEDS["normal"]), st.session_state.get(TICK_AT_LEAST, 0.0))

        @st.fragment(run_every=every if ticking else None)
        def tick():
            with guard(f"{self.key}-tick"):
                if s.error is not None:              # a worker met an error: show the friendly card
                    error, s.error = s.error, None
                    raise error
                if ticking and not s.running:        # a worker stopped it (cap, memory, away)
                    st.rerun(scope="app")
                if s.running:
                    self._heartbeat()
                self._status()
                if s.running and s.seat > 0 and waiting is not None:
                    waiting()
                trainer = self.trainer
                if look is None:
                    with self.state.held():
                        draw(trainer, s)
                else:
                    with self.state.held():
                        seen = look(trainer)
                    draw(seen, s)
                if s.running:                        # a slow tick on a busy server is still a heartbeat
                    s.seen = time.monotonic()

        tick()
        if ticking:
            st.html(HIDE_SCRIPT % (self.key, HIDDEN_PAUSE), unsafe_allow_javascript=True)

    def _heartbeat(self) -> None:
        s = self.state
        s.seen = time.monotonic()
        s.seat = seats().ask(visitor_id())
        if s.seat == -1:
            self._stop("train_turn_over")
        if s.seat > 0:
            return
        self.trainer
        if s.speed == "slow":                    # one visible step per tick
            with self.lock:
                s.step_once()
            if not s.running:
                st.rerun(scope="app")
        else:
            worker.pool().add(s)

    def _stop(self, notice: str) -> None:
        with self.lock:
            self.state.stop(notice)
        st.rerun(scope="app")            # redraw the page so the fragment stops ticking

    def _status(self) -> None:
        s = self.state
        if s.notice:
            st.info(t(s.notice, steps=self.steps))
        if s.running and s.seat > 0:
            st.warning("🪑 " + t("train_seat_wait", place=s.seat))
            st.caption(t("train_seat_wait_tip"))
        elif s.running:
            st.caption("⏳ " + t("train_status_running", steps=self.steps))
        elif self.steps:
            st.caption("⏸ " + t("train_status_paused", steps=self.steps))
        else:
            st.caption(t("train_status_new"))
        # (Classroom mode: the bar alone, under the line that already says the step: a line more for pictures.)
        st.progress(min(self.steps / self.max_steps, 1.0), text=None if presenting() else t("train_progress"))


def tab_open() -> Callable[[], bool] | None:
    """Is this browser tab still connected? (A closed tab stops training at once, without waiting for
    SEAT_TIMEOUT.) None outside a real server (AppTest)."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        if ctx is None or not Runtime.exists():
            return None
        runtime, session = Runtime.instance(), ctx.session_id
        return lambda: runtime.is_active_session(session)
    except Exception:                      # Streamlit's internals moved: the heartbeat still works
        return None


def _leaver(where: Seats, visitor: str) -> Callable[[], None]:
    return lambda: where.leave(visitor)


@contextmanager
def held(live: LiveTraining | Run | None):
    """`with held(st.session_state.get("live:gan")):` read another section's trainer safely."""
    if live is None:
        yield
    else:
        with live.lock:
            yield
