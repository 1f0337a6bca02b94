"""The live-training machinery every chapter shares: seats, workers, ticks, caps, and one visitor's state."""

import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from helpers import ROOT, another_thread_gets
from ui import worker
from ui.seats import SEAT_TIMEOUT, SEATS_PER_CORE, TURN_SECONDS, Seats, cpu_quota, seat_count, usable_cores
from ui.training import needs_drawing
from ui.worker import Pool, Run

DEMO = str(ROOT / "tests" / "apps" / "live_demo.py")


# ── Seats (a fake clock: every `now` is given) ──────────────────────────────────────────────────
def test_seats_give_places_in_line_and_free_up_when_someone_leaves():
    seats = Seats(2)
    assert seats.ask("a", now=0) == 0 and seats.ask("b", now=0) == 0
    assert seats.ask("c", now=0) == 1 and seats.ask("d", now=0) == 2
    assert seats.ask("c", now=1) == 1                       # asking again keeps your place
    seats.leave("a")
    assert seats.ask("d", now=1) == 2                       # no pushing in: c is first in line
    assert seats.ask("c", now=1) == 0 and seats.ask("d", now=1) == 1
    assert seats.counts(now=1) == (2, 1)


def test_a_closed_tab_gives_its_seat_back():
    seats = Seats(1)
    assert seats.ask("gone", now=0) == 0
    assert seats.ask("next", now=1) == 1
    assert seats.ask("next", now=SEAT_TIMEOUT - 0.5) == 1         # "gone" may still come back
    assert seats.ask("next", now=1 + SEAT_TIMEOUT + 0.1) == 0     # "gone" stopped ticking


def test_turns_end_only_when_someone_is_waiting():
    seats = Seats(1)
    for tick in range(int(TURN_SECONDS) + 2):                  # "a" ticks every second
        assert seats.ask("a", now=tick) == 0                   # nobody waits: keep going
    t = TURN_SECONDS + 2
    assert seats.ask("b", now=t) == 1
    assert seats.ask("a", now=t + 0.5) == -1                     # a friend waits: turn over
    assert seats.ask("b", now=t + 1) == 0


def test_seats_follow_the_cores_the_process_may_really_use(tmp_path):
    v2 = tmp_path / "cpu.max"
    v2.write_text("150000 100000\n")
    assert cpu_quota(str(v2)) == 1.5
    v2.write_text("max 100000\n")
    assert cpu_quota(str(v2)) is None
    q, p = tmp_path / "quota", tmp_path / "period"                # cgroup v1, when there is no cpu.max
    q.write_text("200000"), p.write_text("100000")
    assert cpu_quota(str(tmp_path / "none"), (str(q), str(p))) == 2.0
    q.write_text("-1")
    assert cpu_quota(str(tmp_path / "none"), (str(q), str(p))) is None
    assert usable_cores(affinity=8, quota=None) == 8               # no quota: the CPUs it may run on
    assert usable_cores(affinity=8, quota=2.0) == 2                # a container with 2 cores on a big host
    assert usable_cores(affinity=8, quota=1.5) == 1 and usable_cores(affinity=8, quota=0.5) == 1
    assert usable_cores(affinity=1, quota=4.0) == 1                # pinned to one CPU
    assert seat_count(2) == 2 * SEATS_PER_CORE and seat_count(3, env="") == 3 * SEATS_PER_CORE
    assert seat_count(2, env="7") == 7 and seat_count(2, env="lots") == seat_count(2, env="0") == 2 * SEATS_PER_CORE


# ── Workers ─────────────────────────────────────────────────────────────────────────────────────
class Counting:
    """Each step adds one; it fails loudly if two threads ever step it at once."""

    def __init__(self, pause=0.0, memory=0):
        self.steps, self.pause, self.memory, self.inside = 0, pause, memory, threading.Lock()

    def step(self):
        if not self.inside.acquire(blocking=False):
            raise RuntimeError("stepped from two threads at once")
        try:
            time.sleep(self.pause)
            self.steps += 1
            return {"loss": 1.0 / self.steps}
        finally:
            self.inside.release()

    def memory_bytes(self):
        return self.memory


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def seated(trainer, clock, **kw):
    left = []
    run = Run(trainer=trainer, running=True, seen=clock.now, on_leave=lambda: left.append(1), **kw)
    return run, left


def test_a_worker_steps_seated_runs_in_turns_and_stops_at_the_step_cap():
    clock = Clock()
    pool = Pool(0, chunk=0.002, clock=clock)
    a, _ = seated(Counting(), clock, max_steps=10 ** 9)
    b, b_left = seated(Counting(), clock, max_steps=25)
    pool.add(a), pool.add(b), pool.add(a)                          # adding twice changes nothing
    assert pool.size() == 2
    for _ in range(200):
        pool.run_once()
    assert a.steps > 25 and a.running and a.history               # both had turns
    assert b.steps == 25 and not b.running and b.notice == "train_cap" and b_left
    assert pool.size() == 1                                        # the finished one left the line


def test_a_worker_never_waits_for_a_drawn_run_while_another_run_could_train():
    """A run whose lock a drawing holds gives its turn to the next run in line at once; only a run alone
    in line is waited for (fails when the worker always waits 50 ms: checked)."""
    clock = Clock()
    pool = Pool(0, chunk=0.002, clock=clock)
    a, _ = seated(Counting(), clock, max_steps=10 ** 9)
    b, _ = seated(Counting(), clock, max_steps=10 ** 9)
    pool.add(a), pool.add(b)
    held, release = threading.Event(), threading.Event()

    def drawing():
        with a.lock:
            held.set()
            release.wait(5)

    threading.Thread(target=drawing, daemon=True).start()
    held.wait(5)
    try:
        t0 = time.perf_counter()
        assert pool._turn(a) is True and a.steps == 0            # come back later ...
        assert time.perf_counter() - t0 < 0.02                   # ... without waiting: b is in line
        pool._line.clear()
        t0 = time.perf_counter()
        assert pool._turn(a) is True and a.steps == 0            # alone in line: waited for a while
        assert time.perf_counter() - t0 >= 0.04
    finally:
        release.set()
    assert pool._turn(a) is True and a.steps > 0


def test_a_drawing_waiting_for_a_run_goes_before_the_worker():
    """Someone waiting in Run.held() (a page's drawing, the class duel's painter) gets the run before the
    worker trains it again (fails when the worker ignores `wanted`: checked)."""
    clock = Clock()
    pool = Pool(0, chunk=0.002, clock=clock)
    a, _ = seated(Counting(), clock, max_steps=10 ** 9)
    pool.add(a)
    assert pool._turn(a) is True and a.steps > 0
    before = a.steps
    a.wanted = 1                                                 # a drawing waits in held() ...
    assert pool._turn(a) is True and a.steps == before          # ... so the worker lets it in first
    a.wanted = 0
    with a.held(timeout=1.0) as got:
        assert got and a.wanted == 0
    assert pool._turn(a) is True and a.steps > before


def test_starting_workers_lets_them_take_the_global_lock_back_quickly():
    import sys

    from ui.worker import SWITCH_INTERVAL

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)                               # Python's default
        pool = Pool(1)
        assert sys.getswitchinterval() == 0.005                    # a pool alone changes nothing ...
        pool.add(Run())                                            # ... its first worker thread does
        assert abs(sys.getswitchinterval() - SWITCH_INTERVAL) < 1e-9 and SWITCH_INTERVAL <= 0.001
    finally:
        sys.setswitchinterval(before)


def test_a_run_over_its_memory_cap_stops_before_its_step_cap():
    clock = Clock()
    pool = Pool(0, chunk=0.002, clock=clock)
    run, left = seated(Counting(memory=200 * 2 ** 20), clock, max_steps=10 ** 9, max_memory_mb=100)
    pool.add(run)
    pool.run_once()
    assert not run.running and run.notice == "train_memory_cap" and left and 0 < run.steps < 10 ** 9


def test_no_heartbeat_for_a_while_pauses_the_run_and_gives_the_seat_back():
    clock = Clock()
    pool = Pool(0, chunk=0.002, clock=clock)
    run, left = seated(Counting(), clock)
    pool.add(run)
    pool.run_once()
    clock.now += SEAT_TIMEOUT - 0.5                                # the page still ticks now and then
    pool.run_once()
    steps = run.steps
    assert run.running and steps > 0 and not left
    clock.now += SEAT_TIMEOUT + 0.5                                # ... then stops (tab closed, page left)
    pool.run_once()
    assert not run.running and run.steps == steps and run.notice == "train_away" and left
    assert pool.size() == 0


def test_a_closed_tab_stops_its_run_at_once():
    clock = Clock()
    pool = Pool(0, chunk=0.002, clock=clock)
    open_tab = [True]
    run, left = seated(Counting(), clock)
    run.connected = lambda: open_tab[0]
    pool.add(run)
    pool.run_once()
    steps = run.steps
    open_tab[0] = False                                            # the heartbeat is still fresh
    pool.run_once()
    assert steps > 0 and run.steps == steps and not run.running and left


def test_pause_slow_speed_and_lost_seat_take_a_run_off_the_workers():
    clock = Clock()
    pool = Pool(0, chunk=0.002, clock=clock)
    for change in ({"running": False}, {"speed": "slow"}, {"seat": 2}):
        run, _ = seated(Counting(), clock)
        pool.add(run)
        for k, v in change.items():
            setattr(run, k, v)
        pool.run_once()
        assert run.steps == 0 and pool.size() == 0 and not run.queued


class Where(Counting):
    """Counting that notes the thread of every step."""

    def __init__(self):
        super().__init__(pause=0.0002)
        self.threads = []

    def step(self):
        self.threads.append(threading.get_ident())
        return super().step()


def test_a_run_alone_keeps_its_worker_thread_and_runs_in_line_still_take_turns():
    # Alone, a run is not handed from worker to worker after each turn: on a busy server the sleeping
    # worker, woken for it, often took it (a move to another thread, core and cache cost a lone music
    # run a fifth of its speed). The waking is what hands it over: after the first, none while it is alone.
    pool = Pool(2, chunk=0.005)
    alone = Run(trainer=Where(), running=True, seen=time.monotonic(), max_steps=10 ** 9)
    wakes = []
    pool.add(alone)
    notify = pool._cond.notify
    pool._cond.notify = lambda *a: wakes.append(1) or notify(*a)
    time.sleep(0.3)                              # ~60 turns of 5 ms
    alone.running = False
    with alone.lock:
        assert len(alone.trainer.threads) > 100 and len(set(alone.trainer.threads)) == 1
    assert wakes == []

    three = [Run(trainer=Where(), running=True, seen=time.monotonic(), max_steps=10 ** 9) for _ in range(3)]
    for run in three:
        pool.add(run)
    time.sleep(0.5)
    for run in three:
        run.running = False
    for run in three:
        with run.lock:
            assert run.error is None and run.steps > 100      # two workers, three runs: every run trains
    counts = sorted(run.steps for run in three)
    assert counts[0] > 0.4 * counts[-1], counts                  # round robin: nobody starves

    a, b, c = (Run(trainer=Counting(), running=True) for _ in range(3))
    quiet = Pool(0)
    with quiet._cond:                            # the choice after a turn, step by step
        assert quiet._next(a) is a and quiet.size() == 0
        quiet._line.extend([b, c])
        assert quiet._next(a) is b and list(quiet._line) == [c, a]
        assert quiet._next(b) is c and list(quiet._line) == [a, b]
        assert quiet._next(None) is a and list(quiet._line) == [b]


def test_a_button_step_while_a_worker_steps_never_overlaps_and_counts_exactly():
    clock = time.monotonic
    pool = Pool(1, chunk=0.01)
    trainer = Counting(pause=0.0005)
    calls = []
    real_step = trainer.step
    trainer.step = lambda: calls.append(1) or real_step()
    run = Run(trainer=trainer, running=True, seen=clock(), max_steps=10 ** 9)
    pool.add(run)
    clicks = 0
    for _ in range(40):                          # Pause then One step, again and again, and double clicks
        run.seen = clock()
        run.running = False
        with run.lock:
            run.step_once()
            clicks += 1
        with run.lock:
            run.step_once()
            clicks += 1
        run.running, run.seen = True, clock()
        pool.add(run)
        time.sleep(0.002)
    run.running = False
    with run.lock:                               # the worker's turn is over once we hold the lock
        final = run.steps
    assert run.error is None                     # Counting raises if two threads step it at once
    assert final == len(calls) and final > clicks   # every step counted once; the worker stepped too


def test_pause_stops_a_worker_after_the_step_it_is_in():
    pool = Pool(1, chunk=5.0)                    # a long turn: Pause must not wait for its end
    run = Run(trainer=Counting(pause=0.002), running=True, seen=time.monotonic(), max_steps=10 ** 9)
    pool.add(run)
    while run.steps < 5:
        time.sleep(0.001)
    run.running = False
    at_pause = run.steps
    with run.lock:
        assert run.steps - at_pause <= 1


def test_an_error_in_a_worker_reaches_the_page():
    class Broken:
        steps = 0

        def step(self):
            raise RuntimeError("boom")

    clock = Clock()
    pool = Pool(0, clock=clock)
    run, left = seated(Broken(), clock)
    pool.add(run)
    pool.run_once()
    assert isinstance(run.error, RuntimeError) and not run.running and left


# ── The page (AppTest; no worker threads: the test gives the turns) ────────────────────────────
@pytest.fixture
def turns():
    mine = Pool(0, chunk=0.01)
    old = worker.use_pool(mine)
    yield mine.run_once
    worker.use_pool(old)


def demo(cap=50, memory=1000):
    at = AppTest.from_file(DEMO, default_timeout=30)
    at.session_state["demo-cap"] = cap
    at.session_state["demo-memory"] = memory
    return at.run()


def steps_shown(at):
    return int(next(m.value for m in at.markdown if m.value.startswith("steps=")).split("=")[1])


def test_one_step_start_pause_and_reset(turns):
    at = demo(cap=10**9)
    assert steps_shown(at) == 0
    at.button(key="demo-step").click().run()
    at.button(key="demo-step").click().run()
    assert steps_shown(at) == 2
    at.button_group(key="demo-speed").set_value("slow").run()
    at.button(key="demo-start").click().run()                   # slow: one step per tick
    assert steps_shown(at) == 3
    at.run()
    assert steps_shown(at) == 4
    at.button_group(key="demo-speed").set_value("normal").run()   # normal: the workers train
    turns()
    at.run()
    assert steps_shown(at) > 100
    at.button(key="demo-pause").click().run()
    paused = steps_shown(at)
    turns()
    at.run()
    assert steps_shown(at) == paused and at.button(key="demo-start")
    at.button(key="demo-reset").click().run()
    assert steps_shown(at) == 0 and not at.exception


def test_pause_waits_for_the_step_under_way_so_the_paused_count_is_exact(turns):
    from ui.i18n import t_in

    at = demo(cap=10**9)
    at.button(key="demo-step").click().run()
    at.button(key="demo-start").click().run()
    run = at.session_state["live:demo"]
    finishing = threading.Event()

    def a_worker_mid_step():                # a worker's turn that ends its step 0.3 s after Pause
        with run.lock:
            finishing.set()
            time.sleep(0.3)
            run.trainer.steps += 1

    threading.Thread(target=a_worker_mid_step).start()
    finishing.wait()
    at.button(key="demo-pause").click().run()
    assert steps_shown(at) == 2                                     # not "paused at step 1", then 2
    assert [c.value for c in at.caption] == ["⏸ " + t_in("zh", "train_status_paused", steps=2)]


def test_training_stops_at_the_step_cap_with_a_word(turns):
    at = demo(cap=30)
    at.button(key="demo-start").click().run()
    turns()
    at.run()
    assert steps_shown(at) == 30
    assert at.button(key="demo-start").disabled
    assert any("30" in i.value for i in at.info)


def test_training_stops_at_the_memory_cap(turns):
    at = demo(cap=10 ** 9, memory=500 * 2 ** 20)                  # the step cap is far away
    at.button(key="demo-start").click().run()
    turns()
    at.run()
    from ui.i18n import t_in
    assert [i.value for i in at.info] == [t_in("zh", "train_memory_cap")]
    assert at.button(key="demo-start") and 0 < steps_shown(at) < 10 ** 9 and not at.exception


def test_slow_pictures_are_drawn_again_only_every_few_seconds_while_training():
    kept = (10, 100.0, "picture", 0.0, 0.0)                                          # cost nothing
    assert needs_drawing(None, 0, running=False, now=0.0, every=2.0)                   # nothing yet
    assert not needs_drawing(kept, 10, running=False, now=100.5, every=2.0)           # same steps: keep it
    assert not needs_drawing(kept, 14, running=True, now=101.0, every=2.0)            # training: wait a bit
    assert needs_drawing(kept, 14, running=True, now=102.5, every=2.0)                # ... then draw again
    assert needs_drawing(kept, 14, running=True, now=101.8, every=2.0)                # a tick a little early: too
    assert needs_drawing(kept, 11, running=False, now=100.1, every=2.0)               # paused or stepped: now


def test_slow_pictures_take_at_most_a_tenth_of_the_runs_cpu_time_while_it_trains():
    from ui.worker import DRAW_SHARE

    assert DRAW_SHARE == 0.1
    kept = (10, 100.0, "picture", 0.3, 5.0)                # drawing cost 0.3 CPU s, when 5 s were trained
    assert not needs_drawing(kept, 14, running=True, now=110.0, every=2.0, trained_cpu=7.6)   # 2.6 < 9 x 0.3
    assert needs_drawing(kept, 14, running=True, now=110.0, every=2.0, trained_cpu=7.8)       # 2.8 >= 2.7
    assert needs_drawing(kept, 14, running=False, now=100.1, every=2.0, trained_cpu=5.0)      # paused: now

    run = Run(trainer=Counting(), running=True)
    drawings = []

    def draw():
        drawings.append(run.steps)
        end = time.thread_time() + 0.02                     # a drawing that costs 20 ms of CPU
        while time.thread_time() < end:
            pass
        return run.steps

    assert run.picture("now", draw, every=0.0, now=0.0) == (0, 0)
    run.trainer.steps, run.trained_cpu = 5, 0.01           # trained less than 9 drawings' worth
    assert run.picture("now", draw, every=0.0, now=50.0) == (0, 0) and drawings == [0]
    run.trained_cpu = 1.0                                  # now it has
    assert run.picture("now", draw, every=0.0, now=50.0) == (5, 5) and drawings == [0, 5]
    cost = run.drawn["now"][3]
    assert 0.015 < cost < 1.0 and run.drawn["now"][4] == 1.0


def test_a_slow_picture_from_a_copy_is_drawn_without_the_runs_lock():
    """Run.picture(copy=...): copy() with the lock held, make(copied) without it, remembered at the
    copy's steps; a run started over meanwhile does not keep it (fails when make runs under the lock,
    or the picture is kept after Start over: checked)."""
    run = Run(trainer=Counting(), running=False)
    seen = []

    def copy():
        seen.append(("copy locked", not another_thread_gets(run.lock)))
        return run.trainer.steps

    def make(copied):
        seen.append(("make free", another_thread_gets(run.lock)))
        run.trainer.steps += 10                          # the run goes on learning meanwhile
        return f"picture of step {copied}"

    assert run.picture("now", make, every=2.0, now=0.0, copy=copy) == (0, "picture of step 0")
    assert seen == [("copy locked", True), ("make free", True)]
    assert run.drawn["now"][0] == 0                      # the copy's steps, not the 10 learned since

    def start_over(copied):
        run.trainer = Counting()                         # Start over while it draws
        return "old picture"

    assert run.picture("now", start_over, every=2.0, now=1.0, copy=copy) == (10, "old picture")
    assert run.drawn["now"][2] == "picture of step 0"     # not kept for the new run


def test_a_picture_from_a_copy_is_drawn_every_few_seconds_while_a_core_is_spare():
    """The DRAW_SHARE budget holds while every core trains; while a worker is free, a drawing off the
    lock costs no run anything (fails when spare is ignored: checked)."""
    run = Run(trainer=Counting(), running=True)
    make = lambda copied: copied                         # noqa: E731
    copy = lambda: run.trainer.steps                     # noqa: E731
    run.drawn["now"] = (0, 0.0, 0, 5.0, 0.0)            # the last drawing cost 5 CPU s; nothing trained since
    run.trainer.steps = 3
    assert run.picture("now", make, every=2.0, now=1.0, copy=copy, spare=True) == (0, 0)    # too soon
    assert run.picture("now", make, every=2.0, now=2.5, copy=copy) == (0, 0)                # budget: wait
    assert run.picture("now", make, every=2.0, now=2.5, copy=copy, spare=True) == (3, 3)    # a core is free

    pool = Pool(2)                                       # no run added: no worker started
    assert pool.spare()
    pool._line.append(run)
    assert pool.spare()                                  # one run, two workers
    pool._taken = 1
    assert not pool.spare()                              # two runs training
    assert not Pool(0).spare()                           # no workers (tests, AppTest): never spare


def test_a_panel_with_a_look_draws_without_the_trainers_lock(turns):
    at = AppTest.from_file(DEMO, default_timeout=30)
    at.session_state["demo-look"] = True
    at.run()
    at.button(key="demo-step").click().run()
    shown = [m.value for m in at.markdown]
    assert "steps=1" in shown and "look-locked=True" in shown and "draw-free=True" in shown, shown


# ── Memory: the GPU libraries' unused code pages are given back ───────────────────────────────
@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux only")
def test_only_unchanged_read_only_gpu_library_mappings_are_released(tmp_path):
    import ctypes
    import mmap

    from ui.worker import release_gpu_code

    def region(fill: bytes):
        m = mmap.mmap(-1, mmap.PAGESIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)   # dropped: zeros
        m.write(fill * mmap.PAGESIZE)
        return m, ctypes.addressof(ctypes.c_char.from_buffer(m))

    (gpu, a), (changed, b), (writable, c), (other, d) = (region(x) for x in (b"a", b"b", b"c", b"d"))
    size = mmap.PAGESIZE

    def entry(addr, perms, path, anonymous):
        return f"{addr:x}-{addr + size:x} {perms} 00000000 08:01 42 {path}\nRss: 4 kB\nAnonymous: {anonymous} kB\n"

    smaps = tmp_path / "smaps"
    smaps.write_text(entry(a, "r-xp", "/venv/nvidia/cublas/lib/libcublasLt.so.13", 0)     # released
                     + entry(b, "r--p", "/venv/torch/lib/libtorch_cuda.so", 4)           # changed: kept
                     + entry(c, "rw-p", "/venv/nvidia/cu13/lib/libnvrtc.so.13", 0)       # writable: kept
                     + entry(d, "r-xp", "/venv/torch/lib/libtorch_cpu.so", 0))           # not GPU: kept
    try:
        assert release_gpu_code(str(smaps)) == size
        # An anonymous page dropped reads back as zeros: only the first one was dropped.
        assert gpu[:4] == b"\0" * 4 and changed[:4] == b"bbbb" and writable[:4] == b"cccc" and other[:4] == b"dddd"
    finally:
        del a, b, c, d
        for m in (gpu, changed, writable, other):
            m.close()


# ── Pictures shown again are not encoded again (ui/render_once.py) ─────────────────
def test_the_same_picture_is_encoded_once_and_a_changed_one_again():
    import io

    import numpy as np
    from PIL import Image

    from ui import pictures, render_once

    picture = np.random.default_rng(0).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    misses = render_once.pngs.misses
    first = pictures.png(picture)
    again = pictures.png(picture.copy())                               # another array, same pixels
    assert again is first and render_once.pngs.misses == misses + 1
    assert (np.asarray(Image.open(io.BytesIO(first))) == picture).all()  # a lossless PNG of those pixels
    picture[0, 0, 0] ^= 1
    changed = pictures.png(picture)                                    # one pixel changed: encoded anew
    assert changed != first and render_once.pngs.misses == misses + 2
    assert pictures.png(changed) is not None and pictures.png(first) == first   # PNG bytes pass through


def _shown_gif_and_png():
    import numpy as np

    from models import video
    from ui.pictures import show

    frames = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    show(video.gif_bytes(frames, scale=2))
    show(frames[0], scale=4)


def test_a_film_reaches_the_browser_as_a_moving_gif_and_a_picture_as_a_png():
    # output_format="PNG" made Streamlit re-save the beyond chapter's films as still PNGs (CI, stop 24);
    # "auto" would re-save our PNGs as JPEGs.
    at = AppTest.from_function(_shown_gif_and_png, default_timeout=30).run()
    urls = [element.proto.imgs[0].url for element in at.main.children.values()]
    assert [url.rsplit(".", 1)[1] for url in urls] == ["gif", "png"]


def test_kept_pictures_are_bounded_by_count_and_by_bytes():
    from ui.render_once import LRU

    kept = LRU(3, max_bytes=10)
    for i in range(4):
        kept.get_or_make(i, lambda: b"ab")
    assert len(kept) == 3 and kept.bytes == 6                          # the oldest went
    kept.get_or_make("big", lambda: b"x" * 9)
    assert len(kept) == 1 and kept.bytes == 9                          # over 10 bytes: the old ones went
    made = []
    assert kept.get_or_make("big", lambda: made.append(1)) == b"x" * 9 and not made   # kept: not made again


# ── A chapter's choices and model survive a visit to another chapter ───────────────────────────
def test_gan_choices_and_duel_survive_a_visit_to_another_chapter():
    from helpers import no_exception, run_app

    at = run_app("en", "pages/gan.py")
    from ui.i18n import t_in

    at.segmented_control(key="gan-kind").set_value(t_in("en", "kinds.many.cat")).run()
    at.segmented_control(key="gan-who").set_value(t_in("en", "gan.learns_generator")).run()
    at.button(key="gan-step").click().run()
    at.button(key="gan-step").click().run()
    duel = at.session_state["live:gan"].trainer
    assert (duel.kind, duel.steps, duel.mode) == ("cat", 2, "generator")
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/gan.py").run()
    no_exception(at)
    assert at.session_state["gan-kind"] == "cat" and at.session_state["gan-who"] == "generator"
    assert at.session_state["live:gan"].trainer is duel and duel.steps == 2 and duel.mode == "generator"
    at.segmented_control(key="gan-from").set_value(t_in("en", "gan.start_recorded")).run()     # the recorded duel is a choice too
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/gan.py").run()
    no_exception(at)
    assert at.session_state["gan-from"] == "recorded" and at.button(key="gan-replay-start")


def test_the_diffusion_learn_kind_and_its_model_survive_a_visit_to_another_chapter():
    from helpers import no_exception, run_app

    at = run_app("en", "pages/diffusion.py")
    at.pills(key="diffusion-learn-kind").set_value("star").run()
    at.button(key="diffusion-step").click().run()
    model = at.session_state["live:diffusion"].trainer
    assert (model.kind, model.steps) == ("star", 1)
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/diffusion.py").run()
    no_exception(at)
    assert at.session_state["diffusion-learn-kind"] == "star"
    assert at.session_state["live:diffusion"].trainer is model and model.steps == 1


def test_the_gpu_code_is_released_once_per_process_whoever_asks_first(monkeypatch):
    from ui import training, worker

    calls = []
    monkeypatch.setattr(worker, "release_gpu_code", lambda: calls.append(1) or 7)
    monkeypatch.setattr(worker, "_gpu_released", False)
    assert worker.release_gpu_code_once() == 7                  # the first asker releases ...
    worker.Pool(threads=1)                                       # ... the pool,
    worker.trim_memory()                                         # the minute's trim
    training.limit_threads()                                     # and a page do not again
    assert worker.release_gpu_code_once() == 0 and calls == [1]
