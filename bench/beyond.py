"""Beyond pictures: the tune maker, the writer and the film walks, on one thread.

Training budgets are CPU seconds of this process (time.process_time), not wall-clock seconds, so the
figures mean the same on a busy machine; wall-clock step times are reported beside them.
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def train_cpu(trainer, seconds: float, worst: dict) -> None:
    """Step until `seconds` of CPU time have passed; keep the slowest step (CPU and wall)."""
    start = time.process_time()
    while time.process_time() - start < seconds:
        c, w = time.process_time(), time.perf_counter()
        trainer.step()
        worst["cpu"] = max(worst.get("cpu", 0.0), time.process_time() - c)
        worst["wall"] = max(worst.get("wall", 0.0), time.perf_counter() - w)


def music_section(report) -> None:
    from models import music as mu
    from models.commands.music import measures
    from ui.beyond_figures import piano_roll

    mu.MusicTrainer(seed=9).step()          # torch's first use costs the process ~180 MB: not the visitor's
    before = rss_mb()
    trainer = mu.MusicTrainer(mu.MusicConfig.live(), seed=0)
    worst: dict = {}
    train_cpu(trainer, 30.0, worst)
    report("music: memory per visitor (weights, Adam, tunes)", trainer.memory_bytes() / 2 ** 20, "MB", "< 20")
    report("music: process memory grew by (after 30 s)", rss_mb() - before, "MB")
    report("music: steps in 30 s CPU", trainer.steps, "steps")
    for name, value in measures(trainer, n=40).items():
        target = "> random" if name.startswith("model") else ""
        report(f"music 30 s: {name.replace('_', ' ')}", value, "share", target)
    report("music: slowest training step (CPU)", worst["cpu"], "s", "< 0.5")
    report("music: slowest training step (wall, machine busy)", worst["wall"], "s", "< 0.5")
    c = time.process_time()
    notes = trainer.generate(8, 1.0, seed=1)
    piano_roll(notes)
    sound = mu.wav_bytes(mu.synth(notes))
    report("music: make a tune + piano roll + WAV (CPU)", time.process_time() - c, "s", "< 0.2")
    report("music: WAV size of an 8-bar tune", len(sound) / 2 ** 10, "KB")


def text_section(report, kinds=("gru", "transformer")) -> None:
    """The writer after 30 s and 2 min of CPU time on one thread, a GRU and a small transformer with the
    same training (batch 32 of 64 characters, Adam 3e-3), judged by the caption parser."""
    from models import text_gen as tg

    for kind in kinds:
        before = rss_mb()
        trainer = tg.TextTrainer(tg.TextConfig(kind=kind), seed=0)
        worst: dict = {}
        done = 0.0
        params = sum(p.numel() for p in trainer.model.parameters())
        report(f"text {kind}: parameters", params, "")
        for mark in (30.0, 120.0):
            train_cpu(trainer, mark - done, worst)
            done = mark
            for lang in tg.LANGS:
                share = tg.caption_share(trainer, lang, n=100)
                report(f"text {kind} {mark:.0f} s CPU ({trainer.steps} steps): {lang} well-formed", share, "share",
                       "> 0.5" if mark == 30 else "> 0.8")
        report(f"text {kind}: memory per visitor (weights, Adam, text)", trainer.memory_bytes() / 2 ** 20, "MB", "< 20")
        report(f"text {kind}: process memory grew by", rss_mb() - before, "MB")
        report(f"text {kind}: slowest training step (CPU)", worst["cpu"], "s", "< 0.5")
        report(f"text {kind}: slowest training step (wall, machine busy)", worst["wall"], "s", "< 0.5")
        c = time.process_time()
        for i in range(3):
            trainer.write("en", "", 1.0, seed=i)
        report(f"text {kind}: write 3 lines (CPU)", time.process_time() - c, "s", "< 0.2")
    training = [tg.is_caption(line, lang) for lang, line in tg.training_lines()]
    report("text: training lines that are captions (for comparison)", float(np.mean(training)), "share")


def video_section(report) -> None:
    from models import video
    from models.diffusion import load_shipped
    from models.gan import load_shipped as load_gan

    gen, diff = load_gan(), load_shipped()
    c = time.process_time()
    smooth = video.dice_walk(gen, "face", frames=24, seed=5)
    report("video: GAN dice walk, frames per second (CPU)", 24 / (time.process_time() - c), "frames/s")
    jumpy = video.dice_walk(gen, "face", frames=24, seed=5, jumpy=0.8)
    report("video: GAN walk change per frame, smooth", video.smoothness(smooth), "0-255", "small")
    report("video: GAN walk change per frame, jumpy", video.smoothness(jumpy), "0-255", "> smooth")
    c = time.process_time()
    smooth = video.wish_walk(diff, "face", "sun", frames=12, seed=0)
    report("video: diffusion wish walk (10 steps), frames per second (CPU)", 12 / (time.process_time() - c), "frames/s")
    jumpy = video.wish_walk(diff, "face", "sun", frames=12, seed=0, jumpy=True)
    report("video: face to sun change per frame, smooth", video.smoothness(smooth), "0-255", "small")
    report("video: face to sun change per frame, jumpy", video.smoothness(jumpy), "0-255", "> smooth")
    report("video: GIF of 12 frames", len(video.gif_bytes(smooth)) / 2 ** 10, "KB")
    report("video: walks' memory per visitor (shared models, cached films)", 0.0, "MB")
    inbetween_section(report, gen)


def inbetween_section(report, gen) -> None:
    """The in-betweener learning live: its film's change per frame (every second frame its guess) after
    10 s and 30 s of CPU time, against the GAN's own film and a plain cross-fade of the two neighbours."""
    from models import video
    from ui.beyond_video import make_film

    trainer = video.InBetweenTrainer(gen, seed=0)
    films = [trainer.film(kind, keys=7, seed=11 + i) for i, kind in enumerate(("face", "cat", "flower", "star"))]
    real = [r for _, r in films]
    report("video in-betweener: parameters", sum(p.numel() for p in trainer.model.parameters()), "")
    report("video: the GAN's own film, change per frame", float(np.mean([video.smoothness(r) for r in real])), "0-255")
    fade = [r.astype(np.float32) for r in real]
    for f in fade:
        f[1::2] = (f[0:-1:2] + f[2::2]) / 2
    report("video: cross-fade in-betweens, change per frame", float(np.mean([video.smoothness(f) for f in fade])), "0-255")
    report("video: cross-fade in-betweens, error to the real frame",
           float(np.mean([np.abs(f[1::2] - r[1::2]).mean() for f, r in zip(fade, real)])), "0-255")
    worst: dict = {}
    done = 0.0
    for mark in (0.0, 10.0, 30.0):
        train_cpu(trainer, mark - done, worst)
        done = mark
        made = [trainer.film(kind, keys=7, seed=11 + i)[0] for i, kind in enumerate(("face", "cat", "flower", "star"))]
        report(f"video in-betweener {mark:.0f} s CPU ({trainer.steps} steps): film change per frame",
               float(np.mean([video.smoothness(m) for m in made])), "0-255", "-> GAN's own film")
        report(f"video in-betweener {mark:.0f} s CPU: error to the real frame",
               float(np.mean([np.abs(m[1::2].astype(np.float32) - r[1::2]).mean() for m, r in zip(made, real)])), "0-255")
    report("video in-betweener: memory per visitor (weights, Adam; GAN shared)", trainer.memory_bytes() / 2 ** 20, "MB", "< 20")
    report("video in-betweener: slowest training step (CPU)", worst["cpu"], "s", "< 0.5")
    report("video in-betweener: slowest training step (wall, machine busy)", worst["wall"], "s", "< 0.5")
    c = time.process_time()
    for _ in range(5):
        trainer.film("face", keys=7, seed=11)
    report("video in-betweener: frames per second made (13-frame films, CPU)", 5 * 13 / (time.process_time() - c), "frames/s")
    c = time.process_time()
    make_film(trainer, "face")
    report("video: one tick's drawing (film + GIF, CPU)", time.process_time() - c, "s", "< 0.5")


# ── Live on the page: how often a child sees something new, and learning speed against the CLI ──
LIVE_CPU = float(os.environ.get("AIDRAW_BENCH_SECONDS", "10"))     # CPU seconds per part and way


def live_parts():
    """(name, make a trainer, what the page's ticking panel draws with now_and_then) for each part."""
    from models import music as mu
    from models import text_gen as tg
    from models import video
    from models.gan import load_shipped as load_gan
    from ui.beyond_video import make_film

    generator = load_gan()
    return [("music", lambda: mu.MusicTrainer(mu.MusicConfig.live(), seed=0),
             lambda tr: tr.generate(8, 1.0, seed=0)),
            ("text", lambda: tg.TextTrainer(tg.TextConfig.live(), seed=0),
             lambda tr: [tr.write("zh", "", 1.0, seed=i) for i in range(3)]),
            ("video", lambda: video.InBetweenTrainer(generator, seed=0),
             lambda tr: make_film(tr, "face"))]


def live_section(report, cpu_seconds: float = LIVE_CPU, wall_cap: float = 600.0) -> None:
    """Each part's trainer for `cpu_seconds` of this process's CPU time (at most `wall_cap` s of wall
    clock), twice: on the command line (steps in a loop, one thread) and as on the page at normal speed
    (ui/worker.py's Pool steps the visitor's Run in a worker thread; a simulated tick every second of
    wall clock gives a heartbeat and asks for the drawing through Run.picture: at most every 2 s, and
    at most a tenth of the run's CPU). Streamlit's own cost (reruns, websocket) is not in it."""
    import threading

    from ui.training import DRAW_EVERY
    from ui.worker import Pool, Run

    for name, make, draw in live_parts():
        trainer = make()
        trainer.step()                                           # the first step makes the optimiser
        c0, s0 = time.process_time(), trainer.steps
        while time.process_time() - c0 < cpu_seconds:
            trainer.step()
        cli = (trainer.steps - s0) / (time.process_time() - c0)
        report(f"live {name}: command line, steps per CPU second", cli, "steps/s")

        run = Run(trainer=make(), running=True, max_steps=10 ** 9, max_memory_mb=10 ** 6)
        run.trainer.step()
        pool, stop, seen = Pool(1), threading.Event(), []        # seen: (steps, CPU s, wall s) of each new drawing
        c0, w0, s0 = time.process_time(), time.perf_counter(), run.steps
        while time.process_time() - c0 < cpu_seconds and time.perf_counter() - w0 < wall_cap:
            run.seen = time.monotonic()
            pool.add(run)
            steps, _ = run.picture("now", lambda: draw(run.trainer), DRAW_EVERY)
            if not seen or steps != seen[-1][0]:
                seen.append((steps, time.process_time() - c0, time.perf_counter() - w0))
            stop.wait(1.0)
        run.running = False
        with run.lock:
            cpu, wall, steps = time.process_time() - c0, time.perf_counter() - w0, run.steps - s0
        app = steps / cpu
        report(f"live {name}: page (worker + drawings), steps per CPU second", app, "steps/s", "~ command line")
        report(f"live {name}: page against command line", app / cli, "x", "> 0.85")
        report(f"live {name}: page run took (wall)", wall, "s")
        report(f"live {name}: CPU share this process got (1 = a whole core)", cpu / wall, "share")
        new = np.diff(np.array(seen, float), axis=0)             # between two new drawings
        if len(new):
            report(f"live {name}: new drawings", len(new), "")
            report(f"live {name}: steps between two new drawings", float(new[:, 0].mean()), "steps")
            report(f"live {name}: CPU seconds between two new drawings", float(new[:, 1].mean()), "s")
            report(f"live {name}: wall seconds between two new drawings", float(new[:, 2].mean()), "s", ">= 2")


def run(report) -> None:
    torch.set_num_threads(1)
    print("  (budgets and step times in CPU seconds of this process, time.process_time; one thread)", flush=True)
    music_section(report)
    text_section(report)
    video_section(report)
    live_section(report)
