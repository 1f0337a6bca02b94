"""Words become a picture: does it draw the kind and the colour the words ask for, in both languages and
in wordings it was not taught; do size and mood words do what they say; is drawing quick; how much memory.

Kind: the independent judge (bench/judge.py) calls the picture the kind asked for, confidence above 0.9.
Colour: colour_of() below, the main colour of the foreground (pixels unlike the picture's own background
at its left and right edges), by the nearest of world.RGB; measured on the world's own pictures first.
Size: the share of the picture the foreground covers, "big" against "small" from the same noise.
Mood (faces only): a small classifier trained here on the world's faces by mood (happy, sad, surprised).

BENCH_WORDS_WEIGHTS=PATH scores those weights instead of the shipped ones (a new run before it ships).
first_picture() times the page in a real browser; teach() teaches a new word (both run on their own:
python -c "from bench.words import first_picture; first_picture(print)").
"""

from __future__ import annotations

import time

import numpy as np
import torch

from models import world
from models.tokenizer import short_text

PER_KIND = 20                 # pictures per kind per wording per language
SEED = 5

# Wordings. "caption" and "short" are the world's own; "compact" is also in training (say_it); the
# "held-out" templates are in no training text: their extra words are unknown to the reader, or used
# in an order it never saw.
HELD_OUT_EN = ("draw me a {c} {k}", "can you draw a {c} {k} please", "I want a {k} that is {c}")
HELD_OUT_ZH = ("画一{m}{c}的{k}", "我想要一{m}{c}{k}", "请画{c}的{k}")


def wordings(lang: str, k: int, c: int, rng: np.random.Generator) -> dict[str, str]:
    """A prompt per wording for kind k, colour c, in one language."""
    kind, colour = world.KINDS[k], world.COLORS[c]
    s, m = int(rng.integers(2)), (int(rng.integers(3)) if kind == "face" else -1)
    v = int(rng.integers(2))
    if lang == "en":
        return {"caption": world.caption_en(k, c, s, m, v), "short": short_text(k, c, "en", v),
                "compact": f"{colour} {kind}",
                "held-out": HELD_OUT_EN[int(rng.integers(len(HELD_OUT_EN)))].format(c=colour, k=kind)}
    zc, zk = world.COLOR_ZH[colour], world.NAME_ZH[kind]
    return {"caption": world.caption_zh(k, c, s, m, v), "short": short_text(k, c, "zh", v),
            "compact": f"{zc[0]}{zk}",
            "held-out": HELD_OUT_ZH[int(rng.integers(len(HELD_OUT_ZH)))].format(m=world.MEASURE_ZH[kind], c=zc, k=zk)}


# ── The colour check ────────────────────────────────────────────────────────────────────────────
PALETTE = np.array([world.RGB[c] for c in world.COLORS], np.float32)                    # (8, 3)
OTHERS = np.array([world.INK, world.LIGHT, world.TRUNK, world.STEM], np.float32)       # not "the colour"


def foreground(images: np.ndarray, margin: float = 40.0) -> np.ndarray:
    """(N,32,32) bool: pixels far from the background, which is read off each row's two edge pixels."""
    x = images.astype(np.float32)
    background = (x[:, :, :1] + x[:, :, -1:]) / 2                                       # (N, 32, 1, 3)
    return np.linalg.norm(x - background, axis=-1) > margin


def colour_of(images: np.ndarray) -> np.ndarray:
    """(N,) index into world.COLORS of each picture's main foreground colour, -1 when there is none.
    Each foreground pixel votes for its nearest colour; ink, windows, trunks and stems vote for nothing."""
    x = images.astype(np.float32)
    fg = foreground(images)
    every = np.concatenate([PALETTE, OTHERS])                                           # (12, 3)
    nearest = np.linalg.norm(x[..., None, :] - every, axis=-1).argmin(-1)               # (N, 32, 32)
    out = np.full(len(images), -1)
    for i in range(len(images)):
        votes = np.bincount(nearest[i][fg[i]], minlength=len(every))[: len(PALETTE)]
        if votes.sum() >= 8:
            out[i] = int(votes.argmax())
    return out


def area(images: np.ndarray) -> np.ndarray:
    """(N,) share of the picture the foreground covers."""
    return foreground(images).mean((1, 2))


# ── The mood check (faces) ──────────────────────────────────────────────────────────────────────
def mood_reader(steps: int = 300, seed: int = 0):
    """A small classifier of face moods, trained on the world's faces: images -> (N,) mood index 0..2."""
    from bench.judge import JudgeNet

    faces = world.make_pictures(4000, seed=30_000_000 + seed, kinds=["face"], captions=False)
    x, y = torch.from_numpy(world.to_tensor_range(faces.images)), torch.from_numpy(faces.moods)
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = JudgeNet(4)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for _ in range(steps):
        idx = torch.randint(len(x), (128,), generator=g)
        loss = torch.nn.functional.cross_entropy(net(x[idx])[:, :3], y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()

    @torch.no_grad()
    def read(images: np.ndarray) -> np.ndarray:
        return net(torch.from_numpy(world.to_tensor_range(images)))[:, :3].argmax(1).numpy()
    return read


# ── Scoring a model ─────────────────────────────────────────────────────────────────────────────
def on_target(trainer, judge, per_kind: int = PER_KIND, seed: int = SEED, langs=("en", "zh")) -> dict:
    """For every language and wording: the share of pictures with the kind (judge) and the colour asked
    for. Returns {(lang, wording): {"kind", "colour", "both", "per_kind": {kind: both}}}."""
    rng = np.random.default_rng(seed)
    kinds = np.repeat(np.arange(len(world.KINDS)), per_kind)
    colours = rng.integers(len(world.COLORS), size=len(kinds))
    out = {}
    for lang in langs:
        prompts = [wordings(lang, k, c, rng) for k, c in zip(kinds, colours)]
        for wording in prompts[0]:
            texts = [p[wording] for p in prompts]
            pics = np.concatenate([trainer.sample(texts[i:i + 50], n=len(texts[i:i + 50]), seed=seed + i)
                                   for i in range(0, len(texts), 50)])
            kind_ok = judge.on_target(pics, kinds)
            colour_ok = colour_of(pics) == colours
            both = kind_ok & colour_ok
            out[(lang, wording)] = {"kind": float(kind_ok.mean()), "colour": float(colour_ok.mean()),
                                    "both": float(both.mean()),
                                    "per_kind": {world.KINDS[k]: float(both[kinds == k].mean()) for k in range(len(world.KINDS))},
                                    "example": texts[0]}
    return out


def size_and_mood(trainer, n: int = 40, seed: int = SEED) -> dict:
    """Size: the same noise drawn as "big" and "small": how often big covers more. Mood: faces asked
    happy / sad / surprised, how often the mood reader agrees."""
    rng = np.random.default_rng(seed)
    ks, cs = rng.integers(len(world.KINDS), size=n), rng.integers(len(world.COLORS), size=n)
    out = {}
    for lang in ("en", "zh"):
        def say(k, c, s):
            if lang == "en":
                return f"a {s} {world.COLORS[c]} {world.KINDS[k]}"
            return f"{'大大的' if s == 'big' else '小小的'}{world.COLOR_ZH[world.COLORS[c]]}的{world.NAME_ZH[world.KINDS[k]]}"
        big = trainer.sample([say(k, c, "big") for k, c in zip(ks, cs)], n=n, seed=seed)
        small = trainer.sample([say(k, c, "small") for k, c in zip(ks, cs)], n=n, seed=seed)
        a, b = area(big), area(small)
        out[f"size_{lang}"] = {"bigger": float((a > b).mean()), "ratio": float(a.mean() / max(b.mean(), 1e-6))}
    read = mood_reader()
    real = world.make_pictures(300, seed=31_000_000, kinds=["face"], captions=False)
    out["mood_reader_on_real"] = float((read(real.images) == real.moods).mean())
    for lang in ("en", "zh"):
        moods = np.arange(n) % 3
        texts = [f"a {world.MOODS[m]} {world.COLORS[c]} face" if lang == "en"
                 else f"一张{world.MOOD_ZH[world.MOODS[m]]}的{world.COLOR_ZH[world.COLORS[c]]}的脸" for m, c in zip(moods, cs)]
        out[f"mood_{lang}"] = float((read(trainer.sample(texts, n=n, seed=seed)) == moods).mean())
    return out


def redraw(trainer, judge, levels=(0.3, 0.5, 1.0), per_kind: int = 20, seed: int = SEED) -> dict:
    """Where drawing a kind fails: real pictures of the world buried `level` of the way to noise, then
    cleaned with the words "a <colour> <kind>" (guided, DDIM). At 0.3 the shape is still there, so a kind
    that fails here fails in the denoiser's fine detail, not in the words or the layout; at 1.0 it is
    plain drawing from noise. {level: {kind: share on target (judge)}}."""
    from models.schedule import ddim_sample, to_uint8

    out = {level: {} for level in levels}
    for k, kind in enumerate(world.KINDS):
        rng = np.random.default_rng(seed + k)
        images, colours, _, _ = world.render(kind, rng, per_kind)
        x0 = torch.from_numpy(world.to_tensor_range(images))
        guess = trainer._guesser([f"a {world.COLORS[c]} {kind}" for c in colours], trainer.config.guidance)
        gen = torch.Generator().manual_seed(seed + k)
        for level in levels:
            t = trainer.schedule.step_for_level(level)
            x = trainer.schedule.add_noise(x0, torch.full((per_kind,), t), torch.randn(x0.shape, generator=gen))
            steps = max(2, round(trainer.config.sample_steps * level))
            pics = to_uint8(ddim_sample(guess, trainer.schedule, x, steps, start=t))
            out[level][kind] = float(judge.on_target(pics, np.full(per_kind, k)).mean())
    return out


def fastest(fn, repeats: int = 5) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run(report) -> None:
    from bench.judge import load_judge
    from bench.memory import rss_bytes
    from models.words import WEIGHTS, load_shipped

    import os

    torch.set_num_threads(1)
    weights = os.environ.get("BENCH_WORDS_WEIGHTS")
    if weights:
        from pathlib import Path

        from models.words import WordsTrainer

        WEIGHTS = Path(weights)                                             # noqa: N806
        load_shipped = lambda: WordsTrainer.load(WEIGHTS)                   # noqa: E731
        report("weights scored", weights, "", "")
    report("machine load (1-min load average, cores)", f"{os.getloadavg()[0]:.1f} / {os.cpu_count()}", "", "")
    judge = load_judge()
    real = world.make_pictures(2000, seed=32_000_000, captions=False)
    report("colour check on the world's own pictures", float((colour_of(real.images) == real.colors).mean()),
           "fraction", ">= 0.98")

    before = rss_bytes()
    start = time.perf_counter()
    trainer = load_shipped()
    report(f"network: patch {trainer.config.patch}, width {trainer.config.width}, {trainer.steps} steps", "", "", "")
    report("load shipped words model (cold)", round(time.perf_counter() - start, 3), "s", "< 1")
    report("shipped weights size", round(WEIGHTS.stat().st_size / 1e6, 2), "MB", "< 2")
    steps = trainer.config.sample_steps
    report(f"sample 16 pictures, {steps} steps, guided, one thread",
           round(fastest(lambda: trainer.sample("a red fish", 16)), 3), "s", "< 1")
    start = time.process_time()
    trainer.sample("a red fish", 16)
    report("the same, CPU time (the machine may be shared: wall time waits for others)",
           round(time.process_time() - start, 3), "CPU-s", "< 1")
    report("memory the words model adds to this process (load + draw 16)", round((rss_bytes() - before) / 2**20, 1), "MB", "")

    scores = on_target(trainer, judge)
    for (lang, wording), s in scores.items():
        report(f"{lang} {wording} ('{s['example']}'): kind and colour", s["both"], "fraction", ">= 0.90")
        report(f"{lang} {wording}: kind (judge) / colour", f"{s['kind']:.3f} / {s['colour']:.3f}", "", "")
    for lang in ("en", "zh"):
        mean = np.mean([s["both"] for (la, _), s in scores.items() if la == lang])
        report(f"{lang}, every wording: kind and colour", float(mean), "fraction", ">= 0.90")
    per_kind = {k: float(np.mean([s["per_kind"][k] for s in scores.values()])) for k in world.KINDS}
    for k, v in per_kind.items():
        report(f"kind {k}: kind and colour, every wording and language", v, "fraction", ">= 0.75")
    for level, per in redraw(trainer, judge).items():
        report(f"redraw real pictures buried {level:.0%} (judge): " + " ".join(f"{k} {v:.2f}" for k, v in per.items()),
               float(np.mean(list(per.values()))), "fraction", "")
    sm = size_and_mood(trainer)
    for lang in ("en", "zh"):
        report(f"{lang} 'big' covers more than 'small' (same noise)", sm[f"size_{lang}"]["bigger"], "fraction", ">= 0.9")
        report(f"{lang} area big / small", round(sm[f"size_{lang}"]["ratio"], 2), "x", "")
        report(f"{lang} face mood as asked (mood reader)", sm[f"mood_{lang}"], "fraction", "")
    report("mood reader on the world's faces", sm["mood_reader_on_real"], "fraction", "")


# ── Teach it a new word (models/words_teach.py) ────────────────────────────────────────────────
def teach(report, children=(("火箭", 0), ("rocket", 1)), n: int = 32) -> None:
    """Teach the shipped model "rocket" from 4 doodles drawn by code (models/doodles.py with the canvas's 12-px pen, a 240-pixel canvas
    kept at 112 pixels, as the page keeps them), once per child (name, seed), on one thread. Reports the
    CPU-seconds and wall-seconds to learn (with the machine's load), and how often the judge-free check
    (words_teach.train_checker: a classifier of the child's painted doodles against the ten known kinds)
    sees the new thing in pictures drawn with the new word, beside its false alarms: the same words before
    learning, and known words ("a blue heart", "a blue house"). Colour: colour_of() above."""
    import os

    from PIL import Image

    from models import doodles
    from models import words_teach as WT
    from models.words import load_shipped

    torch.set_num_threads(1)
    words = load_shipped()
    blue = world.COLORS.index("blue")
    report("teach: machine load (1-min load average, cores)", f"{os.getloadavg()[0]:.1f} / {os.cpu_count()}", "", "")
    for name, seed in children:
        rng = np.random.default_rng(seed)
        drawn = [np.asarray(Image.fromarray(np.asarray(doodles.draw("rocket", rng, size=240, width=12))).resize((112, 112), Image.BOX))
                 for _ in range(4)]
        cpu, wall = time.process_time(), time.perf_counter()
        teacher = WT.WordTeacher(words, name, drawn, WT.TeachConfig.live(), seed=seed)
        while not teacher.done:
            teacher.step()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        tag = f"teach '{name}' (child {seed})"
        report(f"{tag}: {teacher.steps} steps, CPU time, one thread", round(cpu, 1), "CPU-s", "< 60")
        report(f"{tag}: the same, wall time on this machine now", round(wall, 1), "s", "")
        report(f"{tag}: started from the known word", teacher.start_word, "", "")
        checker = WT.train_checker(teacher.masks, seed=seed)
        mine, _, _ = WT.paint(teacher.masks, 200, np.random.default_rng(seed + 9))
        report(f"{tag}: check on the painted doodles themselves", WT.seen_share(checker, mine), "fraction", "")
        report(f"{tag}: check's false alarms on the world's pictures",
               WT.seen_share(checker, world.make_pictures(400, seed=seed + 77, captions=False).images), "fraction", "")
        for prompt in (f"a blue {name}", f"一个蓝色的{name}"):
            after = np.concatenate([teacher.sample(prompt, n // 2, seed=s) for s in (1, 2)])
            before = np.concatenate([teacher.sample(prompt, n // 2, seed=s, taught=False) for s in (1, 2)])
            report(f"{tag}: '{prompt}' seen as the new thing (check)", WT.seen_share(checker, after), "fraction", "")
            report(f"{tag}: '{prompt}' in blue", float((colour_of(after) == blue).mean()), "fraction", "")
            report(f"{tag}: '{prompt}' before learning, seen (false alarm)", WT.seen_share(checker, before), "fraction", "")
        for prompt in ("a blue heart", "a blue house"):
            known = np.concatenate([teacher.sample(prompt, n // 2, seed=s) for s in (1, 2)])
            report(f"{tag}: '{prompt}' seen as the new thing (false alarm)", WT.seen_share(checker, known), "fraction", "")


# ── The page in a real browser: pressing draw to the first picture ──────────────────────────────
NEW_PICTURE = """(old) => {
    const imgs = [...document.querySelectorAll("[data-testid='stImage'] img")];
    return imgs.some(i => !old.includes(i.src) && i.complete && i.naturalWidth > 0);
}"""


def first_picture(report, prompts=("a big red heart", "一条蓝色的鱼", "a green cat"), lang: str = "en") -> None:
    """The words page served by `streamlit run app.py` (bench/server.py) in headless Chromium: type a
    prompt, press Enter (the page draws at once, as with its draw button), and time until a picture
    that was not on the page before has loaded. The first prompt is typed after the page has been shown
    once (the model is loaded then); each later prompt is a fresh drawing. Wall time: the machine's load
    is reported beside it."""
    import os

    from bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    if not os.path.exists(CHROMIUM):
        report("words page: first picture", "skipped: no Chromium", "", "")
        return
    from playwright.sync_api import sync_playwright

    def settle(page, timeout=300_000):
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)

    with streamlit_server(deadline=180) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(locale="zh-CN" if lang == "zh" else "en-US")
        start = time.perf_counter()
        page.goto(f"{server.url}/words?lang={lang}")
        settle(page)
        page.locator("[data-testid='stImage'] img").first.wait_for(timeout=300_000)
        report("words page: open to first picture (cold server, model loaded)", round(time.perf_counter() - start, 2), "s", "")
        times = []
        for text in prompts:
            old = page.evaluate("() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")].map(i => i.src)")
            box = page.locator(".st-key-words-prompt input")
            box.fill(text)
            start = time.perf_counter()
            box.press("Enter")
            page.wait_for_function(NEW_PICTURE, arg=old, timeout=120_000)
            times.append(time.perf_counter() - start)
            settle(page)
            page.wait_for_timeout(500)
        for text, s in zip(prompts, times):
            report(f"words page: Enter to first picture, '{text}'", round(s, 2), "s", "< 2")
        report("machine load then (1-min load average, cores)", f"{os.getloadavg()[0]:.1f} / {os.cpu_count()}", "", "")
        browser.close()
