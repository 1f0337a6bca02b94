"""Live training as a child meets it: the app's steps per second against the command line's, per chapter,
alone and with 2, 4 and 8 visitors, driving the real machinery (ui/seats.py, ui/worker.py: the worker
pool, seats, heartbeats, each run's lock and the page's drawing under it); and whether threads of one
process really share the cores (Python's global lock) against separate processes.

A simulated visitor is a thread doing what the page's ticking fragment does: every tick (1.5 s, the
normal speed: ui/worker.py SPEEDS) a heartbeat and a seat, `pool().add(run)`, and the chapter's drawing with the run's lock
held (GAN: the fixed pictures and a line-up; diffusion: 8 pictures in 10 steps every tick at most, from a copy
without the lock; matching: the similarity grid; words, music, text, video: their page's picture, tune or
lines through LiveTraining.now_and_then). Streamlit's own cost (websocket, script reruns) is not in these
figures: `python -m bench live_browser` measures one child in Chromium. `AIDRAW_BENCH_CHAPTERS` (default
every live training: gan,diffusion,matching,words,music,text,video) names the trainings.

The command line runs just before and just after each app measurement; the app is read against the
mean of the two, as this shared machine's speed drifts within minutes. Each chapter's app figures are
measured in a fresh process (fresh()), as a server runs one app.

Every figure comes twice: per wall-clock second, and per CPU-second of this process (time.process_time),
because the machine may be shared: on a busy machine the wall-clock figures fall with the load, the
CPU-time ones do not. With 2 visitors or more, the cores' worth of command lines also run side by side,
each its own process (command_lines_at_once): what the machine gives that many cores right now, and
the app is read against it too; and each window says how much CPU time the host took (steal: on this
machine's host 0 idle, up to a fifth with both cores busy, so "2 x one thread" can be out of reach).
`AIDRAW_BENCH_SECONDS` (default 5) is how long each window lasts, `AIDRAW_BENCH_ROUNDS` (default 3) how many
windows each figure pools (sharing()).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import threading
import time

from bench.memory import cap_malloc_arenas, machine_ticks, steal_share

SECONDS = float(os.environ.get("AIDRAW_BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("AIDRAW_BENCH_ROUNDS", "3"))
VISITORS = (1, 2, 4, 8)
CHAPTERS = tuple(os.environ.get("AIDRAW_BENCH_CHAPTERS", "gan,diffusion,matching,words,music,text,video").split(","))


# ── The chapters' live trainers and what their page draws each tick ───────────────────────────
def make(chapter: str, pictures=None):
    """A chapter's live trainer. pictures: the GAN's real pictures, shared as the page shares them
    (st.cache_resource); None: its own."""
    if chapter == "gan":
        from models.gan import GANConfig
        from models.gan_train import GANTrainer
        return GANTrainer(GANConfig.live(), kind="face", pictures=pictures)
    if chapter == "diffusion":
        from models.diffusion import DiffusionConfig, DiffusionTrainer
        return DiffusionTrainer(DiffusionConfig.live(), kind="face")
    if chapter == "matching":
        from models.matcher import MatcherTrainer
        return MatcherTrainer()
    if chapter == "words":                   # pages/words.py learn()
        from models.words import WordsConfig, WordsTrainer, load_shipped
        return WordsTrainer(WordsConfig.live(), reader=load_shipped().reader)
    if chapter == "music":                   # pages/beyond.py music_live()
        from models.music import MusicConfig, MusicTrainer
        return MusicTrainer(MusicConfig.live())
    if chapter == "text":                    # pages/beyond.py text_live()
        from models.text_gen import TextConfig, TextTrainer
        return TextTrainer(TextConfig.live())
    if chapter == "video":                   # ui/beyond_video.py inbetween_part()
        from models.gan import load_shipped
        from models.video import InBetweenTrainer
        return InBetweenTrainer(load_shipped())
    raise ValueError(f"no live training in chapter {chapter!r}")


def _film(trainer):                          # ui/beyond_video.py make_film(), the "face" walk
    from models import video
    film, real = trainer.film("face", keys=7, seed=11)
    return video.middle_errors(film, real), video.gif_bytes(film, scale=5, bounce=False)


def drawing(chapter: str):
    """(seconds between drawings, draw(trainer), how) as the chapter's page does it while training runs.
    how: "tick": every tick with the run's lock held; "copy": through LiveTraining.now_and_then from the
    trainer's drawing_copy, without the run's lock; "now_and_then": through it with the lock held (both:
    Run.picture, at most every DRAW_EVERY s and at most a tenth of the run's CPU time, "copy" unless a
    core is spare)."""
    from ui.worker import DRAW_EVERY, SPEEDS
    if chapter == "gan":
        return SPEEDS["normal"], lambda tr: (tr.draw_fixed(), tr.lineup(8, seed=tr.steps)), "tick"
    if chapter == "diffusion":
        return DRAW_EVERY, lambda tr: tr.sample(8, seed=0, steps=10), "copy"
    if chapter == "matching":
        return SPEEDS["normal"], lambda tr: tr.batch_similarity(), "tick"
    if chapter == "words":
        prompts = ["red fish", "blue heart", "yellow sun"]      # pages/words.py LIVE_PROMPTS
        return DRAW_EVERY, lambda tr: (tr.sample(prompts, 3, seed=0), tr.sample(prompts, 3, seed=0, guidance=0)), "copy"
    draw = {"music": lambda tr: tr.generate(8, 1.0, seed=0),
            "text": lambda tr: [tr.write("en", "", 1.0, seed=i) for i in range(3)],
            "video": _film}[chapter]
    return DRAW_EVERY, draw, "now_and_then"


def ready(chapter: str):
    trainer = make(chapter)
    trainer.step()                       # the first step makes the optimiser and the pictures
    return trainer


# ── The command line: one trainer, one thread, nothing else ───────────────────────────────────
def command_line(chapter: str, seconds: float = SECONDS) -> dict:
    return command_line_of(ready(chapter), seconds)


def command_line_of(trainer, seconds: float) -> dict:
    """`trainer` stepped for `seconds` in this thread: steps, wall seconds, this process's CPU seconds."""
    from models import engine
    c0, w0, s0 = time.process_time(), time.perf_counter(), trainer.steps
    engine.train(trainer, seconds=seconds)
    return {"steps": trainer.steps - s0, "wall": time.perf_counter() - w0, "cpu": time.process_time() - c0}


# ── The app's machinery with n simulated visitors ─────────────────────────────────────────────
def app(chapter: str, n: int, seconds: float = SECONDS) -> dict:
    from ui import seats as S
    from ui.worker import SPEEDS, Pool, Run

    cores = S.usable_cores()
    pool, seats = Pool(cores), S.Seats(S.seat_count(cores, os.environ.get("AIDRAW_SEATS")))
    every, draw, how = drawing(chapter)
    runs = [Run(trainer=ready(chapter), running=True, max_steps=10 ** 9, max_memory_mb=10 ** 6) for _ in range(n)]

    def now_and_then(run: Run, spare: bool = False) -> None:          # LiveTraining.now_and_then
        if how == "copy":
            run.picture("now", draw, every, copy=run.trainer.drawing_copy, spare=spare)
        else:
            run.picture("now", lambda: draw(run.trainer), every)

    if how != "tick":                    # the page drew once when it opened, before Start was pressed
        for r in runs:
            r.running = False
            now_and_then(r)
            r.running = True
    start_steps = [r.steps for r in runs]
    stop = threading.Event()
    seated_ever = [False] * n

    def visitor(i: int) -> None:
        run, me, drawn = runs[i], f"visitor-{i}", 0.0
        run.on_leave = lambda: seats.leave(me)
        while not stop.is_set():
            run.seen = time.monotonic()
            run.seat = seats.ask(me)
            if run.seat == 0:
                seated_ever[i] = True
                pool.add(run)
            if run.seat == 0 and how != "tick":                       # seated: a slow picture now and then
                now_and_then(run, spare=pool.spare())
            elif run.seat == 0 and time.monotonic() - drawn >= every:
                with run.lock:
                    draw(run.trainer)
                drawn = time.monotonic()
            stop.wait(SPEEDS["normal"])

    c0, w0 = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=visitor, args=(i,), daemon=True) for i in range(n)]
    for th in threads:
        th.start()
    time.sleep(seconds)
    for r in runs:
        r.running = False                # Pause: the workers stop after the step they are in
    stop.set()
    for th in threads:
        th.join()
    for r in runs:
        with r.lock:
            pass
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    per = [r.steps - s for r, s in zip(runs, start_steps)]
    seated = [p for p, s in zip(per, seated_ever) if s]
    return {"steps": sum(per), "wall": wall, "cpu": cpu, "per": per, "seated": seated, "cores": cores,
            "seats": seats.limit}


# ── Threads against processes: does a second worker thread really add a core? ────────────────
def _at_once(chapter: str, seconds: float, barrier, out) -> None:
    import torch
    torch.set_num_threads(1)
    trainer = ready(chapter)
    barrier.wait()                       # all start together, each after its own start-up
    out.put(command_line_of(trainer, seconds))


def command_lines_at_once(chapter: str, n: int, seconds: float = SECONDS) -> dict:
    """n command lines side by side, each its own process (no lock shared, as n separate servers):
    steps per second in all, and the host's steal share meanwhile. What this machine gives n cores'
    worth of training right now, the ceiling the app's n visitors are read against beside n x one."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(n + 1), ctx.Queue()
    procs = [ctx.Process(target=_at_once, args=(chapter, seconds, barrier, out)) for _ in range(n)]
    for pr in procs:
        pr.start()
    barrier.wait(timeout=300)
    ticks = machine_ticks()
    got = [out.get(timeout=seconds + 300) for _ in procs]
    steal = steal_share(ticks)
    for pr in procs:
        pr.join()
    return {"rate": sum(g["steps"] / g["wall"] for g in got), "steal": steal}


def _steps_in(chapter: str, seconds: float, out) -> None:
    from models import engine
    import torch
    torch.set_num_threads(1)
    trainer = ready(chapter)
    s0, c0 = trainer.steps, time.thread_time()
    engine.train(trainer, seconds=seconds)
    out.put((trainer.steps - s0, time.thread_time() - c0))


def threads_vs_processes(chapter: str, seconds: float = SECONDS) -> dict:
    import queue
    result = {}
    for how in ("thread", "process"):
        for n in (1, 2):
            if how == "thread":
                out = queue.Queue()
                workers = [threading.Thread(target=_steps_in, args=(chapter, seconds, out)) for _ in range(n)]
            else:
                ctx = mp.get_context("fork")
                out = ctx.Queue()
                workers = [ctx.Process(target=_steps_in, args=(chapter, seconds, out)) for _ in range(n)]
            for w in workers:
                w.start()
            got = [out.get() for _ in range(n)]
            for w in workers:
                w.join()
            result[how, n] = (sum(s for s, _ in got), sum(c for _, c in got))
    return result


def gil_free_share(chapter: str, steps: int = 15) -> float:
    """Share of a training step's CPU time spent inside torch functions, which release Python's global
    lock (a lower bound: operators such as `a + b` and the profiler's own cost count as holding it).
    Measured in this thread's CPU time, so a busy machine does not change it. Two threads of one
    process can reach at most min(2, 1 / (1 - share)) times one thread's steps."""
    import sys
    trainer = ready(chapter)
    inside, started, fn = 0.0, 0.0, None

    def torch_call(f) -> bool:
        owner = getattr(f, "__self__", None)
        return (getattr(f, "__module__", None) or "").startswith("torch") or type(owner).__module__.startswith("torch")

    def profile(frame, event, arg):
        nonlocal inside, started, fn
        if event == "c_call" and fn is None and torch_call(arg):
            fn, started = arg, time.thread_time()
        elif event in ("c_return", "c_exception") and arg is fn:
            inside += time.thread_time() - started
            fn = None

    c0 = time.thread_time()
    sys.setprofile(profile)
    try:
        for _ in range(steps):
            trainer.step()
    finally:
        sys.setprofile(None)
    return inside / max(time.thread_time() - c0, 1e-9)


def memory(report, visitors: int = 10, steps: int = 5) -> None:
    """This process's memory (RSS) with the shipped models every chapter loads, then `visitors` runs
    (chapters in turn, `steps` steps each on the worker pool), after they leave, and after malloc_trim.
    Streamlit itself and each visitor's pages are not in it: `python -m bench app` measures those."""
    from bench.memory import rss_mb
    from models import diffusion, gan, gan_train, matcher, recognizer
    from ui.worker import Pool, Run, trim_memory

    me = os.getpid()
    report("memory: torch imported", rss_mb(me), "MB")
    shared = [gan.load_weights(), gan.load_generator(), gan_train.load_run(), diffusion.load_shipped(),
              matcher.load_shipped(), recognizer.load_shipped()]
    report("memory: + every chapter's shipped model", rss_mb(me), "MB")
    from models.gan import GANConfig
    pictures = gan_train.make_data("face", n=GANConfig.live().data_size)    # shared, as pages/gan.py does
    report("memory: + the real pictures the GAN page shares", rss_mb(me), "MB")
    pool = Pool(2)                           # gives back the CUDA libraries' pages (ui/worker.py)
    report("memory: + worker pool started", rss_mb(me), "MB")
    runs = [Run(trainer=make(CHAPTERS[i % len(CHAPTERS)], pictures), running=True, seen=time.monotonic(),
                max_steps=steps, max_memory_mb=10 ** 6) for i in range(visitors)]
    for r in runs:
        pool.add(r)
    while any(r.running for r in runs):
        for r in runs:
            r.seen = time.monotonic()
        time.sleep(0.2)
    report(f"memory: + {visitors} visitors' runs ({', '.join(CHAPTERS)} in turn)", rss_mb(me), "MB", "< 1000 with the server")
    del runs, r
    gc.collect()
    report("memory: after they left", rss_mb(me), "MB")
    trim_memory()
    report("memory: after malloc_trim (the workers do it every minute)", rss_mb(me), "MB")
    del shared


def per_second(measured: dict) -> float:
    """Steps per wall-clock second of a command_line() or app() measurement."""
    return measured["steps"] / measured["wall"]


def sharing(report, chapter: str) -> None:
    """One chapter's live training in the app's machinery with 1, 2, 4 and 8 visitors, against the
    command line (report's rows: issue #16 parts 1 and 2).

    ROUNDS rounds, each measuring every number of visitors once, with a command-line window between any
    two app windows; each app window is read against the mean of the command-line windows just before
    and after it, and a figure pools its ROUNDS windows (all their steps over all their seconds). Why:
    this shared host's speed swings within seconds. Measured here (2026-12-02, an Intel host), the
    command line alone, 15 windows of 2 s in a row: 18.8 to 30.5 steps per CPU-second of the GAN; one
    8-s app window against one command line before and one after read the same app 0.80 or 1.0."""
    cli = command_line(chapter)
    got: dict[int, list] = {n: [] for n in VISITORS}
    for _ in range(ROUNDS):
        for n in VISITORS:
            ticks = machine_ticks()
            a = app(chapter, n)
            a["steal"] = steal_share(ticks)
            after = command_line(chapter)
            a["cli"], cli = [cli, after], after
            got[n].append(a)
            gc.collect()
    for n in VISITORS:
        runs = got[n]
        clis = [c for a in runs for c in a["cli"]]
        k = min(runs[0]["cores"], n)
        cli_rate = sum(map(per_second, clis)) / len(clis)
        cli_cpu = sum(c["steps"] / max(c["cpu"], 1e-9) for c in clis) / len(clis)
        steps, wall, cpu = (sum(a[key] for a in runs) for key in ("steps", "wall", "cpu"))
        rate, per_cpu = steps / wall, steps / max(cpu, 1e-9)
        each = [per_second(a) / (k * sum(map(per_second, a["cli"])) / 2) for a in runs]
        report(f"{chapter}: command line, one thread, around {n} visitor(s) ({len(clis)} windows)",
               f"{min(map(per_second, clis)):.1f}-{max(map(per_second, clis)):.1f}", "steps/s")
        if n == 1:
            report(f"{chapter}: command line, per CPU-second", cli_cpu, "steps/cpu-s")
            report(f"{chapter}: app, 1 visitor / command line ({ROUNDS} windows pooled)", rate / cli_rate, "x", ">= 0.85")
        else:
            report(f"{chapter}: app, {n} visitors, total / (cores x command line) ({ROUNDS} windows pooled)",
                   rate / (k * cli_rate), "x", ">= 0.80")
        report(f"{chapter}: app, {n} visitor(s), each window against its own command lines",
               " / ".join(f"{e:.2f}" for e in each), "x", "the host's swing")
        if n > 1 and n == k:
            side = command_lines_at_once(chapter, k)
            report(f"{chapter}: {k} command lines at once (processes) / ({k} x one)", side["rate"] / (k * cli_rate),
                   "x", f"the machine's own ceiling now (host's steal {side['steal']:.0%})")
            report(f"{chapter}: app, {n} visitors / {k} command lines at once", rate / side["rate"], "x",
                   "time lost to the app's threads and drawing")
        report(f"{chapter}: app, {n} visitor(s): the host's steal, share of all CPU time",
               max(a["steal"] for a in runs), "", "0 on an idle host; CPU it took from this machine (worst window)")
        report(f"{chapter}: app, {n} visitors, steps per CPU-second / command line's", per_cpu / cli_cpu, "x",
               ">= 0.85 (no time lost to locks)")
        report(f"{chapter}: app, {n} visitors, process CPU use", cpu / wall, "cores", f"up to {k}")
        if len(runs[0]["seated"]) > 1:            # per window: who is seated can change between windows
            report(f"{chapter}: app, {n} visitors, fewest / most steps among the seated (worst window)",
                   min(min(a["seated"]) / max(max(a["seated"]), 1) for a in runs), "", "fair: near 1")
        if n > runs[0]["seats"]:
            report(f"{chapter}: app, {n} visitors, waiting in line (trained nothing), per window",
                   " / ".join(str(sum(1 for p in a["per"] if p == 0)) for a in runs), "visitors")


def _child(measure, args: tuple, out) -> None:
    import torch
    torch.set_num_threads(1)
    measure(lambda *row: out.put(row), *args)
    out.put(None)


def fresh(report, measure, *args) -> None:
    """`measure(report, *args)` (a function of this module) in a fresh (spawned) process, so nothing another measurement
    left behind counts: measured here, words with 2 visitors read 0.82 and 0.86 of 2 x the command line in
    a fresh process, 0.76 and 0.80 after the threads-against-processes section, and text 0.94 alone
    against 0.65 after three other chapters in one process (worker pools, trainers, their memory)."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_child, args=(measure, args, out))
    child.start()
    while (row := out.get(timeout=900)) is not None:
        report(*row)
    child.join()


def run(report):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch
    torch.set_num_threads(1)
    load = os.getloadavg()[0]
    from ui.seats import seat_count, usable_cores
    from bench.server import server_arenas
    arenas = server_arenas()
    cap_malloc_arenas(arenas)                      # as the server runs (bench/server.py): the same allocator
    report("malloc arenas at most (MALLOC_ARENA_MAX)", arenas, "")
    report("machine load (1-minute average) at the start", load, "", f"< {os.cpu_count()} for wall-clock figures to mean much")
    report("cores this process may use (affinity, CPU quota)", usable_cores(), "")
    report("seats (AIDRAW_SEATS or 2 per core)", seat_count(usable_cores(), os.environ.get("AIDRAW_SEATS")), "")
    for chapter in CHAPTERS:
        share = gil_free_share(chapter)
        report(f"{chapter}: share of a step without the global lock (CPU time)", share, "",
               "near 1: threads scale")
        report(f"{chapter}: so 2 threads reach at most", min(2.0, 1 / max(1 - share, 1e-9)), "x one thread")
    for chapter in CHAPTERS:                 # first, while this process has no other threads (fork)
        r = threads_vs_processes(chapter)
        for how in ("thread", "process"):
            (s1, c1), (s2, c2) = r[how, 1], r[how, 2]
            report(f"{chapter}: 2 {how}s / 1 {how}, steps", s2 / max(s1, 1), "x", "2 on an idle 2-core machine")
            report(f"{chapter}: 2 {how}s / 1 {how}, CPU time", c2 / max(c1, 1e-9), "x", "")
    for chapter in CHAPTERS:                 # each in its own process, as a server runs one app
        fresh(report, sharing, chapter)
    fresh(report, memory)
    report("machine load (1-minute average) at the end", os.getloadavg()[0], "")
