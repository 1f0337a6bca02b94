"""From noise to picture: bury a picture in noise, clean noise away step by step, steer it to a kind,
clean a child's doodle, watch a model learn, and an honest box. UI only: the model is
models/diffusion.py (+ models/schedule.py), the words are lessons/*/diffusion.toml."""

import numpy as np
import streamlit as st
from PIL import Image

from models import world
from ui import canvas as C
from ui.i18n import t
from ui.layout import chapter, guard, say
from ui.pictures import show_grid, show_row, upscale
from ui.training import LiveTraining

STEPS = 20                                   # cleaning steps in the animation: enough to watch
STRIP = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)       # noise levels in the strip
COLOURS = {"🔴": "#de2d2d", "🟠": "#f58019", "🟡": "#eec414", "🟢": "#34a044", "🔵": "#2468dc",
           "🟣": "#8840be", "🟤": "#8b5730", "⚫": "#26222e"}
TICK = 0.3                                   # seconds between animation frames
LIVE_STEPS = 3000                            # practice cap for one live run (about 8 minutes)


@st.cache_resource(show_spinner=False)
def shipped():
    """The shipped all-kinds model: shared by every visitor, only ever used to draw."""
    from models.diffusion import load_shipped
    return load_shipped()


def kind_name(kind: str) -> str:
    return kind_name(kind)


def kind_names(extra: tuple = ()) -> dict:
    """Option -> label, made now: a widget keeps the labels of the language it was drawn in."""
    names = {k: kind_name(k) for k in world.KINDS}
    return {**({"any": t("diffusion.doodle_any")} if "any" in extra else {}), **names}


def kind_picker(key: str, label: str, default: str, extra: tuple = (), keep: bool = False) -> str:
    """`keep`: the choice survives a visit to another chapter (it holds the child's model)."""
    names = kind_names(extra)
    chosen = st.pills(label, list(names), default=default, key=key, format_func=names.get,
                      persist_state="session" if keep else None)
    return chosen or default


def noisy(picture: np.ndarray, level: float, seed: int) -> np.ndarray:
    """One (32,32,3) picture `level` of the way to pure noise (the model's own schedule, seeded)."""
    return shipped().schedule.bury(picture[None], level, seed)[0]


# ── 1. Bury a picture in noise ─────────────────────────────────────────────────────────────────
def bury() -> None:
    seed = st.session_state.setdefault("diffusion:pic", 3)
    kind = kind_picker("diffusion-pic-kind", t("diffusion.kind_pick"), "fish")
    left, right = st.columns([1, 1.4], gap="large")
    with right:
        if st.button(t("diffusion.new_picture"), key="diffusion-new-pic"):
            st.session_state["diffusion:pic"] = seed = seed + 1
        pct = st.slider(t("diffusion.level_slider"), 0, 100, 0, step=5, key="diffusion-level", format="%d%%")
        st.caption(f"0% = {t('diffusion.clean')} · 100% = {t('diffusion.pure_noise')}")
    picture = world.make_pictures(1, seed=seed, kinds=[kind], captions=False).images[0]
    with left:
        st.image(upscale(noisy(picture, pct / 100, seed), 8), caption=t("diffusion.level_caption", pct=pct))
    st.caption(t("diffusion.strip_caption"))
    show_row(np.stack([noisy(picture, lv, seed) for lv in STRIP]),
             [t("diffusion.level_caption", pct=round(100 * lv)) for lv in STRIP], scale=4)


GAME_START, GAME_HINT, GAME_LEAST = 0.6, 0.1, 0.2   # noise of a new puzzle, less per hint, the least


def guess_game() -> None:
    game = st.session_state.setdefault("diffusion:game", {"seed": 100, "level": GAME_START, "revealed": False})
    kind = world.KINDS[np.random.default_rng(game["seed"]).integers(len(world.KINDS))]
    picture = world.make_pictures(1, seed=game["seed"], kinds=[kind], captions=False).images[0]
    names = kind_names()
    pick = st.pills(t("diffusion.guess_prompt"), list(names), key=f"diffusion-guess-{game['seed']}",
                    format_func=names.get, disabled=game["revealed"])
    left, right = st.columns([1, 1.6], gap="large")
    with left:
        if game["revealed"]:
            st.image(upscale(picture, 8))
        else:
            st.image(upscale(noisy(picture, game["level"], game["seed"]), 8),
                     caption=t("diffusion.guess_noise", pct=round(100 * game["level"])))
    with right:
        if st.button(t("diffusion.guess_less_noise"), key="diffusion-less", width="stretch",
                     disabled=game["revealed"] or game["level"] <= GAME_LEAST + 1e-6):
            game["level"] = round(game["level"] - GAME_HINT, 2)
            st.rerun()
        if st.button(t("diffusion.guess_reveal"), key="diffusion-reveal", type="primary", width="stretch",
                     disabled=game["revealed"]):
            if pick is None:
                st.warning(t("diffusion.guess_pick_first"))
            else:
                game["revealed"], game["pick"] = True, pick
                st.rerun()
        if st.button(t("diffusion.guess_new"), key="diffusion-new-puzzle", width="stretch"):
            st.session_state["diffusion:game"] = {"seed": game["seed"] + 1, "level": GAME_START, "revealed": False}
            st.rerun()
        if game["revealed"]:
            right_answer = game.get("pick") == kind
            (st.success if right_answer else st.info)(
                t("diffusion.guess_right" if right_answer else "diffusion.guess_wrong", kind=kind_name(kind)))


# ── 2. Clean the noise away ────────────────────────────────────────────────────────────────────
@st.cache_data(show_spinner=False, max_entries=32)
def cleaning(seed: int, again: int = 0, steps: int = STEPS):
    """Every step of cleaning 4 noises (frames, guesses, levels): the same seed, the same run.
    `again` only makes the cache run it afresh: "same noise again" really cleans it again.
    Each picture is steered to a kind picked by the seed (steering is explained in the next part)."""
    kinds = list(np.random.default_rng(seed).choice(world.KINDS, 4, replace=False))
    run = shipped().sample(4, kind=kinds, steps=steps, seed=seed, return_all=True)
    return run.frames, run.guesses, run.levels


def denoise() -> None:
    seed = st.session_state.setdefault("diffusion:seed", 1)
    frames, guesses, levels = cleaning(seed, st.session_state.get("diffusion:again", 0))
    total = len(frames) - 1
    playing = st.session_state.get("diffusion:playing", False)
    step = st.session_state.get("diffusion-frame", 0)
    a, b, c = st.columns(3)
    a.button(t("diffusion.stop") if playing else t("diffusion.play"), key="diffusion-play", type="primary",
             width="stretch", on_click=_play, args=(total,))
    b.button(t("diffusion.one_step"), key="diffusion-one-step", width="stretch", disabled=playing or step >= total,
             on_click=_goto, args=(step + 1,))
    c.button(t("diffusion.back_to_start"), key="diffusion-rewind", width="stretch", disabled=step == 0,
             on_click=_goto, args=(0,))
    d, e, f = st.columns([1, 1, 1.2], vertical_alignment="center")
    d.button(t("diffusion.new_noise"), key="diffusion-new-noise", width="stretch", on_click=_new_noise, args=(seed + 1,))
    e.button(t("diffusion.same_noise"), key="diffusion-same-noise", width="stretch", on_click=_same_noise)
    f.caption(t("diffusion.noise_number", seed=seed))
    screen(frames, guesses, levels, playing)


def _play(total: int) -> None:
    playing = not st.session_state.get("diffusion:playing", False)
    st.session_state["diffusion:playing"] = playing
    if playing and st.session_state.get("diffusion-frame", 0) >= total:
        st.session_state["diffusion-frame"] = 0          # play again from the noise


def _goto(step: int) -> None:
    st.session_state["diffusion-frame"] = step
    st.session_state["diffusion:playing"] = False


def _new_noise(seed: int) -> None:
    st.session_state["diffusion:seed"] = seed
    _goto(0)


def _same_noise() -> None:
    st.session_state["diffusion:again"] = st.session_state.get("diffusion:again", 0) + 1
    _goto(0)


def screen(frames, guesses, levels, playing: bool) -> None:
    """The picture now and the model's guess; while playing, a fragment moves one step per tick."""

    @st.fragment(run_every=TICK if playing else None)
    def tick():
        with guard("diffusion-player"):
            total = len(frames) - 1
            step = min(st.session_state.get("diffusion-frame", 0), total)
            if st.session_state.get("diffusion:playing") and step >= total:
                # Stop one tick after the end is shown, not in the tick that shows it: a rerun of the
                # whole page then would take the slider's value from the browser, which has not yet
                # seen the last step (the end was lost: the page stopped at 19 of 20).
                st.session_state["diffusion:playing"] = False
                st.rerun(scope="app")
            if st.session_state.get("diffusion:playing"):
                step = min(step + 1, total)
            st.session_state["diffusion-frame"] = step
            st.slider(t("diffusion.step_slider"), 0, total, key="diffusion-frame")
            now, guess = st.columns(2, gap="large")
            with now:
                show_grid(frames[step], cols=2, scale=4,
                          caption=t("diffusion.now_caption", step=step, total=total, pct=round(100 * levels[step])))
            with guess:
                if step < total:
                    show_grid(guesses[step], cols=2, scale=4, caption=t("diffusion.guess_caption"))
                else:
                    show_grid(frames[total], cols=2, scale=4, caption=t("diffusion.finished_caption"))

    tick()


# ── 3. Ask for a kind ──────────────────────────────────────────────────────────────────────────
@st.cache_data(show_spinner=False, max_entries=32)
def steered(kind: str, seed: int) -> np.ndarray:
    return shipped().sample(8, kind=kind, seed=seed)


@st.cache_data(show_spinner=False, max_entries=8)
def one_noise_every_kind(seed: int) -> np.ndarray:
    return shipped().sample(len(world.KINDS), kind=list(world.KINDS), seed=seed, one_noise=True)


def steer() -> None:
    kind = kind_picker("diffusion-steer-kind", t("diffusion.steer_pick"), "star")
    seed = st.session_state.get("diffusion:seed", 1)
    show_grid(steered(kind, seed), cols=8, scale=3, caption=t("diffusion.steer_caption", kind=kind_name(kind)))
    show_row(one_noise_every_kind(seed), [kind_name(k) for k in world.KINDS], scale=3)
    st.caption(t("diffusion.steer_same_caption"))


# ── 4. Your own doodle ─────────────────────────────────────────────────────────────────────────
def shrink(rgba: np.ndarray | None) -> np.ndarray | None:
    """The canvas (H, W, 4) on white paper, shrunk to (32, 32, 3); None when there is no ink on it
    (nothing drawn, all undone or cleared, or an opaque white page)."""
    if rgba is None or C.blank(rgba):
        return None
    return np.asarray(Image.fromarray(C.on_paper(rgba)).resize((32, 32), Image.BOX))


def doodle() -> None:
    kind = kind_picker("diffusion-doodle-kind", t("diffusion.doodle_kind"), "any", extra=("any",))
    left, right = st.columns([1, 1.3], gap="large")
    with left, st.container(key="diffusion-draw"):
        colour = st.segmented_control(t("diffusion.doodle_colour"), list(COLOURS), default="🔵",
                                      key="diffusion-colour") or "🔵"
        drawn = C.draw("diffusion-canvas", size=256, pen=22, colour=COLOURS[colour], background="#ffffff",
                       undo=t("canvas_undo"), clear=t("canvas_clear"))
        st.caption(t("diffusion.doodle_tip"))
    with right:
        pct = st.slider(t("diffusion.doodle_level"), 20, 100, 70, step=10, key="diffusion-doodle-level", format="%d%%")
        go = st.button(t("diffusion.doodle_go"), key="diffusion-doodle-go", type="primary", width="stretch")
        picture = shrink(drawn)
        if go:
            st.session_state["diffusion:doodle"] = None if picture is None else (picture, kind, pct)
            st.session_state["diffusion:doodle-asked"] = True
        done = st.session_state.get("diffusion:doodle")
        if done is None:
            if st.session_state.get("diffusion:doodle-asked"):
                st.info(t("diffusion.doodle_empty"))
            return
        picture, kind, pct = done
        run = shipped().redraw(picture, pct / 100, kind=None if kind == "any" else kind, seed=pct)
        show_row(np.stack([picture, run.frames[0][0], run.images[0]]),
                 [t("diffusion.doodle_yours"), t("diffusion.doodle_noisy", pct=pct), t("diffusion.doodle_result")],
                 scale=4)
    st.caption(t("diffusion.doodle_steps"))
    show_grid(np.stack([f[0] for f in run.frames]), cols=len(run.frames), scale=3, pad=2)


# ── 5. Watch it learn ──────────────────────────────────────────────────────────────────────────
def new_trainer(kind: str):
    from models.diffusion import DiffusionConfig, DiffusionTrainer
    return DiffusionTrainer(DiffusionConfig.live(), kind=kind)


@st.cache_data(show_spinner=False, max_entries=16)
def finished(kind: str) -> np.ndarray:
    return shipped().sample(8, kind=kind, seed=0)


def learn() -> None:
    kind = kind_picker("diffusion-learn-kind", t("diffusion.learn_pick"), "face", keep=True)
    live = LiveTraining("diffusion", lambda: new_trainer(kind), max_steps=LIVE_STEPS, max_memory_mb=100)
    if live.state.trainer is not None and live.state.trainer.kind != kind:
        live.reset(lambda: new_trainer(kind))             # a new kind: a new model, from nothing
    live.controls()

    def draw(trainer, state) -> None:
        now, chart = st.columns([1.2, 1], gap="large")
        with now:
            if trainer.steps == 0:
                st.caption(t("diffusion.learn_fresh"))
            # The same noise every time (seed 0), so the pictures can be compared as it learns. Drawing
            # them (0.3 s) costs twice a tick's training: every tick, one child's run would keep most of a
            # core busy on a shared server. While it trains they are drawn every 2 s instead.
            steps, pictures = live.now_and_then("now", lambda: trainer.sample(8, seed=0, steps=10))
            show_grid(pictures, cols=4, scale=3, caption=t("diffusion.learn_now", steps=steps))
        with chart:
            if state.history:
                st.caption(t("diffusion.learn_loss"))
                st.line_chart([h["loss"] for h in state.history], height=180)

    def waiting() -> None:
        st.caption(t("diffusion.learn_waiting"))
        show_grid(finished(kind), cols=8, scale=3)

    live.panel(draw, waiting=waiting)
    show_grid(finished(kind), cols=8, scale=3, caption=t("diffusion.learn_finished", steps=f"{shipped().steps:,}"))


# ── What it cannot do ──────────────────────────────────────────────────────────────────────────
def honest() -> None:
    with st.container(border=True, key="diffusion-honest"):
        say("diffusion", "ui", "honest")


chapter("diffusion", {"noise": bury, "guess": guess_game, "denoise": denoise, "steer": steer, "doodle": doodle,
                      "learn": learn, "honest": honest})
