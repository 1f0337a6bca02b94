"""Live training on a page: start, pause, one step, speed, start over — shared by every chapter.

    page ──► LiveTraining(key, make_trainer, max_steps=...) ──► controls()        (buttons, outside the tick)
                                                           └─► panel(draw)       (a fragment that ticks)
    tick (every 0.5 s while running): ask for a seat ──► engine.train(trainer, ~0.15 s) ──► draw(trainer, state)
                                      (slow pictures: LiveTraining.now_and_then, at most every 2 s)

Rules it keeps, so 30 children can share one small server:
- Each visitor's trainer lives in their own st.session_state: nothing one child does reaches another.
- A tick trains for a fraction of a second, so the page never freezes and Pause acts at once.
- torch uses one thread per process-wide call (app.py sets OMP_NUM_THREADS=1 before torch loads).
- A process-wide number of seats (AIDRAW_SEATS, default 4) limits how many visitors train at once;
  the others wait in line, see their place, and can watch a recorded run. While others wait, a turn
  lasts TURN_SECONDS. A seat is given back on Pause, Start over, at the step cap, or when its holder
  stops ticking for SEAT_TIMEOUT seconds (tab closed, page left): training stops when the visitor leaves.
- Hard caps: max_steps per run, and the trainer's memory_bytes() (if it has one) under max_memory_mb.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

import streamlit as st

from models import engine
from ui.i18n import t
from ui.layout import guard

log = logging.getLogger("aidraw.training")

TICK_EVERY = 0.5          # seconds between ticks while training
SEAT_TIMEOUT = 4.0        # a seat (or a place in line) not used for this long is given back
TURN_SECONDS = 120.0      # while someone is waiting, one visitor trains at most this long in a row
SPEEDS = {"slow": None, "normal": 0.15, "fast": 0.3}   # seconds of training per tick; slow = one step a tick
HISTORY = 300             # metrics kept per run, for charts (thinned out when full)
DRAW_EVERY = 2.0          # while training runs, a slow picture is drawn again at most this often


# ── Seats: the only thing shared between visitors, and it holds no model ──────────────────────
class Seats:
    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self._lock = threading.Lock()
        self._holders: dict[str, list[float]] = {}   # visitor -> [since, last seen]
        self._line: dict[str, float] = {}            # visitor -> last seen, in order of arrival

    def ask(self, visitor: str, now: float | None = None) -> int:
        """0: you have a seat. n > 0: you are n-th in line. -1: your turn is over (others are waiting)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            if visitor in self._holders:
                since, _ = self._holders[visitor]
                if self._line and now - since > TURN_SECONDS:
                    del self._holders[visitor]
                    return -1
                self._holders[visitor][1] = now
                return 0
            first = next(iter(self._line), visitor)
            if len(self._holders) < self.limit and first == visitor:
                self._line.pop(visitor, None)
                self._holders[visitor] = [now, now]
                return 0
            self._line[visitor] = now
            return list(self._line).index(visitor) + 1

    def leave(self, visitor: str) -> None:
        with self._lock:
            self._holders.pop(visitor, None)
            self._line.pop(visitor, None)

    def counts(self) -> tuple[int, int]:
        with self._lock:
            self._expire(time.monotonic())
            return len(self._holders), len(self._line)

    def _expire(self, now: float) -> None:
        for v in [v for v, (_, seen) in self._holders.items() if now - seen > SEAT_TIMEOUT]:
            del self._holders[v]
        for v in [v for v, seen in self._line.items() if now - seen > SEAT_TIMEOUT]:
            del self._line[v]


@st.cache_resource
def seats() -> Seats:
    return Seats(int(os.environ.get("AIDRAW_SEATS", "4")))


def visitor_id() -> str:
    return st.session_state.setdefault("visitor-id", uuid.uuid4().hex)


def limit_threads() -> None:
    import torch
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def needs_drawing(kept: tuple | None, steps: int, running: bool, now: float, every: float) -> bool:
    """Draw again? Not if the kept picture shows these very steps, nor while training runs if it is
    younger than `every` seconds."""
    if kept is None:
        return True
    drawn_steps, when, _ = kept
    return drawn_steps != steps and not (running and now - when < every)


# ── One visitor's live run ──────────────────────────────────────────────────────────────────────
@dataclass
class RunState:
    trainer: object | None = None
    running: bool = False
    speed: str = "normal"
    notice: str | None = None                 # a ui.toml key to show (step cap, memory cap, turn over)
    history: list = field(default_factory=list)   # [{"steps": n, **metrics}, ...] for charts
    seat: int = 0                             # last answer from the seats (0 = training)
    drawn: dict = field(default_factory=dict)  # name -> (steps, when, picture): see LiveTraining.now_and_then


class LiveTraining:
    """The controls and the ticking panel for one trainer on one page (recreated every run; its
    state lives in st.session_state[f"live:{key}"])."""

    def __init__(self, key: str, make_trainer: Callable[[], object], *, max_steps: int,
                 max_memory_mb: float = 100.0):
        self.key, self.make_trainer = key, make_trainer
        self.max_steps, self.max_memory_mb = max_steps, max_memory_mb
        self.state: RunState = st.session_state.setdefault(f"live:{key}", RunState())
        limit_threads()

    # The trainer is made on first use, so a page that is only read costs nothing.
    @property
    def trainer(self):
        if self.state.trainer is None:
            self.state.trainer = self.make_trainer()
        return self.state.trainer

    @property
    def steps(self) -> int:
        return 0 if self.state.trainer is None else self.state.trainer.steps

    def reset(self, make_trainer: Callable[[], object] | None = None) -> None:
        """Throw the trainer away (a new one is made on next use); keep the chosen speed."""
        if make_trainer is not None:
            self.make_trainer = make_trainer
        seats().leave(visitor_id())
        self.state.trainer, self.state.running, self.state.notice = None, False, None
        self.state.history.clear()
        self.state.drawn.clear()

    def now_and_then(self, name: str, make: Callable[[], object], every: float = DRAW_EVERY) -> tuple[int, object]:
        """(steps, make()) for a picture that is slow to draw, remembered for this run. While training
        runs it is drawn again at most every `every` seconds, so drawing does not cost the shared server
        more than the learning does; paused, stepped or waiting, it always shows the trainer as it is."""
        kept, now = self.state.drawn.get(name), time.monotonic()
        if needs_drawing(kept, self.steps, self.state.running, now, every):
            kept = self.state.drawn[name] = (self.steps, now, make())
        return kept[0], kept[2]

    # ── Buttons ────────────────────────────────────────────────────────────────────────────────
    def controls(self, extra: Callable[[], None] | None = None) -> None:
        s = self.state
        with st.container(key=f"live-{self.key}-controls"):
            go, one, again, speed = st.columns([1.2, 1, 1, 2.2], vertical_alignment="bottom")
            if s.running:
                go.button(t("train_pause"), key=f"{self.key}-pause", on_click=self._pause, width="stretch")
            else:
                go.button(t("train_start"), key=f"{self.key}-start", on_click=self._start, type="primary",
                          width="stretch", disabled=self.steps >= self.max_steps)
            one.button(t("train_step"), key=f"{self.key}-step", on_click=self._one_step, width="stretch",
                       disabled=s.running or self.steps >= self.max_steps)
            again.button(t("train_reset"), key=f"{self.key}-reset", on_click=self.reset, width="stretch")
            chosen = speed.segmented_control(t("train_speed"), list(SPEEDS), default=s.speed,
                                             key=f"{self.key}-speed", format_func=lambda v: t(f"speed_{v}"))
            if chosen in SPEEDS:
                s.speed = chosen
            if extra is not None:
                extra()

    def _start(self) -> None:
        self.state.running, self.state.notice = True, None

    def _pause(self) -> None:
        self.state.running = False
        seats().leave(visitor_id())

    def _one_step(self) -> None:
        # One step is short; it needs no seat. A double click simply takes two steps.
        with guard(f"{self.key}-step"):
            if self.steps < self.max_steps:
                self._record(engine.train(self.trainer, max_steps=self.steps + 1).metrics)

    # ── The ticking panel ──────────────────────────────────────────────────────────────────────
    def panel(self, draw: Callable[[object, RunState], None],
              waiting: Callable[[], None] | None = None) -> None:
        """Draw `draw(trainer, state)` now, and again after every tick while training runs."""
        s = self.state

        @st.fragment(run_every=TICK_EVERY if s.running else None)
        def tick():
            with guard(f"{self.key}-tick"):
                if s.running:
                    self._tick()
                self._status()
                if s.running and s.seat > 0 and waiting is not None:
                    waiting()
                draw(self.trainer, s)

        tick()

    def _tick(self) -> None:
        s, me = self.state, visitor_id()
        s.seat = seats().ask(me)
        if s.seat == -1:
            self._stop("train_turn_over")
            return
        if s.seat > 0:
            return
        budget = SPEEDS.get(s.speed)
        if budget is None:
            progress = engine.train(self.trainer, max_steps=min(self.steps + 1, self.max_steps))
        else:
            progress = engine.train(self.trainer, seconds=budget, max_steps=self.max_steps)
        self._record(progress.metrics)
        memory = getattr(self.trainer, "memory_bytes", None)
        if memory is not None and memory() > self.max_memory_mb * 2 ** 20:
            log.warning("%s: trainer over its memory cap (%.0f MB)", self.key, memory() / 2 ** 20)
            self._stop("train_memory_cap")
        elif self.steps >= self.max_steps:
            self._stop("train_cap")

    def _stop(self, notice: str) -> None:
        self.state.running, self.state.notice = False, notice
        seats().leave(visitor_id())
        st.rerun(scope="app")            # redraw the page so the fragment stops ticking

    def _record(self, metrics: dict) -> None:
        h = self.state.history
        h.append({"steps": self.steps, **{k: v for k, v in metrics.items() if isinstance(v, (int, float))}})
        if len(h) > HISTORY:             # keep the chart light: drop every other old point
            del h[: HISTORY // 2: 2]

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
        st.progress(min(self.steps / self.max_steps, 1.0), text=t("train_progress"))
