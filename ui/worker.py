"""Training off the page's thread: one visitor's run, and a per-process pool of worker threads.

    page tick (every 0.5-2 s) ──► heartbeat + seat ──► pool.add(run)
    worker thread i:  take the next run ──► with run.lock: train ~CHUNK s ──► caps ──► put it back
    page tick: with run.lock: draw(trainer)          button: with run.lock: one step / pause / reset

Rules it keeps:
- A trainer is stepped by one thread at a time: everything that steps it, reads it for a picture or
  swaps it holds `run.lock` (a worker, the One step button, a slow tick, a drawing, Start over).
- Seated runs take turns round-robin in chunks of CHUNK seconds, so each gets a fair share of the cores.
- A run whose page stopped ticking (tab closed or hidden, another page) for SEAT_TIMEOUT seconds is
  paused by the worker and gives its seat back.
- Caps are exact: never more than max_steps steps; over max_memory_mb the run stops after its chunk;
  Pause stops the worker after the step it is in.

No Streamlit here: the pool and runs are driven by ui/training.py, by tests and by bench/live.py alike.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from models import engine
from ui.seats import SEAT_TIMEOUT, usable_cores

log = logging.getLogger("aidraw.worker")

CHUNK = 0.1               # seconds a worker trains one run before taking the next one's turn
HISTORY = 300             # metrics kept per run, for charts (thinned out when full)
RECORD_EVERY = 0.25       # seconds between two history points while a worker trains
TRIM_EVERY = 60.0         # seconds between two malloc_trim calls (memory of finished runs back to the OS)
# How long a Python thread may keep the global lock while another waits for it (Python's default: 5 ms).
# A training step is hundreds of torch calls, each giving the lock up and taking it back; with page
# threads running Python (30 children's refreshes) each take-back waited up to 5 ms. Measured here, a
# GAN worker beside 3 threads busy in Python half the time: 0.28 of its speed alone at 5 ms, 0.49 at
# 0.5 ms (the same run, interleaved, on a loaded machine).
SWITCH_INTERVAL = 0.0005
# Seconds between two drawings of a page while training runs. Normal is 1.5 s, not 1 s: in Chromium each
# tick of the GAN page costs the browser ~0.5 CPU-s a second at 1 s (React redraws every element of the
# ticking fragment, changed or not), taken from the worker on the same cores: one visitor reached 0.78 of
# the command line's steps with 1-s ticks (bench live_browser, twice), 0.83 and 0.83 with 1.5-s ticks
# (3 windows of 30 s each). 2-s ticks would draw less still, but a late tick would pass the 2 s a child
# may wait for new pictures (issue #16).
SPEEDS = {"slow": 0.5, "normal": 1.5, "fast": 3.0}
DRAW_EVERY = SPEEDS["normal"]   # while training runs, a slow picture is drawn again at most this often
                                # (each normal tick: with 2 s, a 1.5-s tick drew every 3 s)
EARLY = 0.25              # seconds: a page's tick may come this much early (a timer in the browser)
DRAW_SHARE = 0.1          # while a run trains, its slow pictures take at most this share of its CPU time


def trim_memory() -> bool:
    """Give freed memory back to the operating system (glibc's malloc_trim), and the GPU libraries' code
    pages (release_gpu_code). Without it a server keeps the memory of children who left: glibc holds
    freed blocks in its per-thread arenas. False where there is no glibc."""
    release_gpu_code_once()
    try:
        import ctypes
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


# The pinned torch from PyPI is a CUDA build: importing it reads ~140 MB of the CUDA libraries' code and
# read-only data into this process (cuBLASLt, nvJitLink, NVRTC, ...), which a CPU server never runs.
GPU_LIBRARIES = re.compile(r"/(nvidia/|libtorch_cuda|libc10_cuda|libcu|libnv|libcudnn|libnccl|libtriton)")
MADV_DONTNEED = 4


def release_gpu_code(smaps: str = "/proc/self/smaps") -> int:
    """Drop the GPU libraries' pages from this process (madvise MADV_DONTNEED): only mappings of those
    files that are read-only and hold no page this process changed (smaps "Anonymous: 0 kB"), so every
    byte comes back unchanged from the file if it is ever read again, exactly as when the kernel evicts
    them under memory pressure. Measured here: resident memory after importing torch 507 -> 370 MB.
    Returns the bytes of the mappings released (0 off Linux, or with a CPU-only torch)."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open(smaps) as f:
            lines = f.read().splitlines()
    except (OSError, AttributeError):
        return 0
    released, mapping = 0, None
    for line in lines + ["0-0 ---- end"]:
        head = line.split()
        if head and "-" in head[0] and not head[0].endswith(":"):     # a new mapping starts
            if mapping is not None and mapping[3] == 0:
                start, end = mapping[0]
                if libc.madvise(start, end - start, MADV_DONTNEED) == 0:
                    released += end - start
            mapping = None
            if len(head) >= 6 and "w" not in head[1] and GPU_LIBRARIES.search(head[5]):
                start, end = (int(x, 16) for x in head[0].split("-"))
                mapping = [(start, end), head[1], head[5], None]
        elif mapping is not None and line.startswith("Anonymous:"):
            mapping[3] = int(line.split()[1])
    return released


_gpu_released = False
_gpu_lock = threading.Lock()


def release_gpu_code_once() -> int:
    """release_gpu_code() the first time it is asked in this process, then nothing (returns 0): the
    one door for the pool, the pages (ui/training.py) and the minute's trim. Call it once torch is
    imported (its libraries are mapped by then); a CPU never reads those pages again."""
    global _gpu_released
    with _gpu_lock:
        if _gpu_released:
            return 0
        _gpu_released = True
    return release_gpu_code()


@dataclass
class Run:
    """One visitor's live run on one page (kept in st.session_state; a worker holds it while seated)."""

    trainer: object | None = None
    running: bool = False
    speed: str = "normal"
    notice: str | None = None                 # a ui.toml key to show (step cap, memory cap, turn over, away)
    history: list = field(default_factory=list)   # [{"steps": n, **metrics}, ...] for charts
    seat: int = 0                             # last answer from the seats (0 = training)
    drawn: dict = field(default_factory=dict)  # name -> (steps, when, picture): see LiveTraining.now_and_then
    max_steps: int = 10 ** 9
    max_memory_mb: float = 100.0
    seen: float = 0.0                         # last heartbeat from the page (time.monotonic())
    error: BaseException | None = None        # what a worker met, raised again on the page (friendly card)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    on_leave: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    connected: Callable[[], bool] | None = field(default=None, repr=False, compare=False)   # is the tab open?
    queued: bool = False                      # in a pool's line (owned by the pool)
    wanted: int = 0                           # threads waiting in held() for the lock: workers let them in
    recorded_at: float = 0.0
    trained_cpu: float = 0.0                  # CPU seconds spent stepping this trainer (all threads)

    @property
    def steps(self) -> int:
        return 0 if self.trainer is None else self.trainer.steps

    @contextmanager
    def held(self, timeout: float = -1):
        """`with run.held() as got:` the lock, ahead of the workers: a worker does not take the run again
        while someone waits here (Python's lock is not fair: a worker that releases it and asks again
        at once won it back nearly every time on a busy machine, and the class duel's pictures waited
        seconds). `got` is False if `timeout` seconds passed first."""
        self.wanted += 1
        try:
            got = self.lock.acquire(timeout=timeout)
        finally:
            self.wanted -= 1
        try:
            yield got
        finally:
            if got:
                self.lock.release()

    # Everything below runs with self.lock held.
    def work(self, seconds: float, now: float) -> bool:
        """A worker's turn: train up to `seconds`. Returns whether the run wants another turn."""
        if self.trainer is None or not self.running or self.speed == "slow" or self.seat != 0:
            return False
        gone = self.connected is not None and not self.connected()
        if gone or now - self.seen > SEAT_TIMEOUT:    # tab closed, or nobody watching: pause, seat back
            self.stop("train_away")
            return False
        before = self.trainer.steps
        progress = self._train(seconds=seconds, max_steps=self.max_steps,
                               callback=lambda p: self.running, every=0.0)   # Pause: after this step
        if self.trainer.steps > before:
            if now - self.recorded_at >= RECORD_EVERY or not self.running:
                self.record(progress.metrics)
                self.recorded_at = now
        self.check_caps()
        return self.running

    def step_once(self) -> None:
        """One step (the One step button, a slow tick), never past the step cap."""
        if self.trainer is not None and self.steps < self.max_steps:
            self.record(self._train(max_steps=self.steps + 1).metrics)
            self.check_caps()

    def _train(self, **how):
        """engine.train(self.trainer, **how), its CPU time (this thread's) added to trained_cpu."""
        cpu = time.thread_time()
        try:
            return engine.train(self.trainer, **how)
        finally:
            self.trained_cpu += time.thread_time() - cpu

    def picture(self, name: str, make: Callable[..., object], every: float,
                now: float | None = None, copy: Callable[[], object] | None = None,
                spare: bool = False) -> tuple[int, object]:
        """(steps, picture) for a picture that is slow to draw, remembered in self.drawn. While training
        runs it is drawn again only when both `every` seconds have passed and the run has trained for
        (1 - DRAW_SHARE) / DRAW_SHARE times what the last drawing cost (CPU time): so drawing never
        takes more than DRAW_SHARE of a run's CPU, alone or on a crowded server, and on a busy machine
        it slows down with the learning. Paused, stepped or waiting, it shows the trainer as it is.

        Without `copy`: picture = make(), run with self.lock held. With `copy`: the lock is held only
        while `copy()` freezes what the drawing needs (e.g. DiffusionTrainer.drawing_copy: 13 ms), and
        picture = make(copied) runs without it, so the run goes on learning meanwhile (on another core,
        if there is one). The caller must not hold the lock then, or the run waits all the same. And if
        a core is `spare` (Pool.spare: fewer runs training than workers), such a drawing costs no run
        anything: it is made every `every` seconds, whatever it costs."""
        now = time.monotonic() if now is None else now
        budget = float("inf") if spare and copy is not None else self.trained_cpu
        with self.held():
            if not needs_drawing(self.drawn.get(name), self.steps, self.running, now, every, budget):
                kept = self.drawn[name]
                return kept[0], kept[2]
            steps, trained, owner, cpu = self.steps, self.trained_cpu, self.trainer, time.thread_time()
            if copy is None:
                made = make()
            else:
                frozen = copy()
        if copy is not None:
            cpu = time.thread_time()
            made = make(frozen)
            if self.trainer is not owner:             # Start over meanwhile: not this run's picture any more
                return steps, made
        self.drawn[name] = (steps, now, made, time.thread_time() - cpu, trained)
        return steps, made

    def check_caps(self) -> None:
        memory = getattr(self.trainer, "memory_bytes", None)
        if memory is not None and memory() > self.max_memory_mb * 2 ** 20:
            log.warning("trainer over its memory cap (%.0f MB)", memory() / 2 ** 20)
            self.stop("train_memory_cap")
        elif self.steps >= self.max_steps:
            self.stop("train_cap")

    def stop(self, notice: str | None) -> None:
        self.running, self.notice = False, notice
        if self.on_leave is not None:
            self.on_leave()

    def record(self, metrics: dict) -> None:
        h = self.history
        h.append({"steps": self.steps, **{k: v for k, v in metrics.items() if isinstance(v, (int, float))}})
        if len(h) > HISTORY:             # keep the chart light: drop every other old point
            del h[: HISTORY // 2: 2]


def needs_drawing(kept: tuple | None, steps: int, running: bool, now: float, every: float,
                  trained_cpu: float = 0.0) -> bool:
    """Draw a slow picture again? kept = (steps, when, picture, cost in CPU s, trained_cpu then) or None.
    Not if it shows these very steps; while training runs, not before `every` seconds (less EARLY: a
    tick that comes a little early still draws, or the picture would wait a whole tick more) nor before
    the run trained (1 - DRAW_SHARE) / DRAW_SHARE times the drawing's cost since."""
    if kept is None:
        return True
    drawn_steps, when, _, cost, trained_then = kept
    if drawn_steps == steps:
        return False
    if not running:
        return True
    return now - when >= every - EARLY and trained_cpu - trained_then >= cost * (1 - DRAW_SHARE) / DRAW_SHARE


class Pool:
    """Worker threads that step seated runs round-robin. threads=0: nothing runs by itself, and
    `run_once()` does one round in the caller's thread (tests); with inline=True, `add` itself gives
    the run one turn in the caller's thread (AppTest: one page tick = one turn, as before workers)."""

    def __init__(self, threads: int, chunk: float = CHUNK, clock: Callable[[], float] = time.monotonic,
                 inline: bool = False):
        self.threads, self.chunk, self.clock, self.inline = threads, chunk, clock, inline
        self._line: deque[Run] = deque()
        self._taken = 0                 # runs a worker is giving a turn to now
        self._cond = threading.Condition()
        self._workers: list[threading.Thread] = []
        self._trimmed = time.monotonic()
        if threads:
            release_gpu_code_once()     # torch is imported by now: its CUDA code is never run here

    def add(self, run: Run) -> None:
        """Put a run in line for turns (no-op if it is already there)."""
        if self.inline:
            self._turn(run)
            return
        with self._cond:
            if not run.queued:
                run.queued = True
                self._line.append(run)
                self._cond.notify()
            if len(self._workers) < self.threads:
                self._start()

    def size(self) -> int:
        with self._cond:
            return len(self._line)

    def spare(self) -> bool:
        """Is a worker free (fewer runs in line or in a turn than worker threads)? Then a core is idle,
        and a drawing made off a run's lock (Run.picture's copy) costs no child's learning."""
        with self._cond:
            return self.threads > 0 and len(self._line) + self._taken < self.threads

    def run_once(self) -> None:
        """One turn for every run in line, in this thread."""
        with self._cond:
            runs = list(self._line)
            self._line.clear()
        for run in runs:
            self._give_back(run, self._turn(run))

    def _start(self) -> None:
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        while len(self._workers) < self.threads:
            w = threading.Thread(target=self._loop, name=f"aidraw-worker-{len(self._workers)}", daemon=True)
            self._workers.append(w)
            w.start()

    def _loop(self) -> None:
        run: Run | None = None                  # the run of this thread's last turn, if it wants another
        while True:
            with self._cond:
                run = self._next(run)
                self._taken += 1
            try:
                again = self._turn(run)
            finally:
                with self._cond:
                    self._taken -= 1
            if not again:
                self._give_back(run, False)
                run = None
            self._trim()

    def _next(self, last: Run | None) -> Run:
        """The run for a worker's next turn, `last` the one it just gave a turn and that wants another
        (None: none). Called with self._cond held; waits for a run if the line is empty.

        Round robin: with others in line, `last` goes to the back and the first one has the turn. Alone,
        `last` keeps its thread. Handed to the other worker after each turn, a lone music run moved
        between threads (and cores, and caches) and woke the other worker every 0.1 s: in the app beside
        a browser it trained 12.5-15.3 steps a second, kept on its thread 15.4-19.4 (three pairs, each
        pair one after the other; 2 cores, busy host, 2026-12-03)."""
        if last is not None and not self._line:
            return last
        if last is not None:
            self._line.append(last)
        while not self._line:
            self._cond.wait(timeout=TRIM_EVERY)
            self._trim()
        run = self._line.popleft()
        if last is not None and self._line:
            self._cond.notify()                 # another run still waits: a sleeping worker may take it
        return run

    def _trim(self) -> None:
        now = time.monotonic()
        if now - self._trimmed > TRIM_EVERY:
            self._trimmed = now
            trim_memory()

    def _turn(self, run: Run) -> bool:
        # A button or a drawing has the run: come back to it later. Another run waiting in line gets
        # this turn at once; only a run alone in line is waited for (up to 50 ms), so a drawing
        # never leaves a core idle while another child's run could train.
        if run.wanted:                              # a drawing asks for it (Run.held): let it in first
            time.sleep(0.002)
            return True
        if not run.lock.acquire(blocking=False) and (self.size() > 0 or not run.lock.acquire(timeout=0.05)):
            return True
        try:
            return run.work(self.chunk, self.clock())
        except Exception as e:                      # shown on the page as the friendly card
            log.exception("a worker's training step failed")
            run.error = e
            run.stop(None)
            return False
        finally:
            run.lock.release()

    def _give_back(self, run: Run, again: bool) -> None:
        with self._cond:
            if again:
                self._line.append(run)
                self._cond.notify()
            else:
                run.queued = False


def worker_count(env: str | None = None) -> int:
    """Worker threads: AIDRAW_WORKERS if set (0 = none, for tests), else one per usable core."""
    try:
        if env is not None and int(env) >= 0:
            return int(env)
    except ValueError:
        pass
    return usable_cores()


_pool: Pool | None = None
_pool_lock = threading.Lock()


def pool() -> Pool:
    """The process's pool (made on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = Pool(worker_count(os.environ.get("AIDRAW_WORKERS")))
        return _pool


def use_pool(new: Pool | None) -> Pool | None:
    """Swap the process's pool (tests, the benchmark); returns the old one."""
    global _pool
    with _pool_lock:
        old, _pool = _pool, new
        return old
