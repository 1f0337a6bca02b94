"""From noise to picture: bury a picture in noise, clean noise away step by step, steer it to a kind,
clean a child's doodle, watch a model learn, and an honest box. UI only: the model is
models/diffusion.py (+ models/schedule.py), the words are lessons/*/diffusion.toml."""

import numpy as np
import streamlit as st

from models import world
from ui.diffusion_views import cleaning_screen, doodle_pad, kind_names, kind_picker, learning
from ui.i18n import kind_name, t
from ui.layout import aside, chapter, say
from ui.pictures import show, show_grid, show_row
from ui.player import Labels, Player
from ui.training import LiveTraining

STEPS = 20                                   # cleaning steps in the animation: enough to watch
STRIP = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)       # noise levels in the strip
TICK = 0.3                                   # seconds between animation frames
LIVE_STEPS = 3000                            # practice cap for one live run (about 8 minutes)


@st.cache_resource(show_spinner=False)
def shipped():
    """The shipped all-kinds model: shared by every visitor, only ever used to draw."""
    from models.diffusion import load_shipped
    return load_shipped()


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
        show(noisy(picture, pct / 100, seed), caption=t("diffusion.level_caption", pct=pct), scale=8)
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
            show(picture, scale=8, alt=kind_name(kind))
        else:
            show(noisy(picture, game["level"], game["seed"]), scale=8,
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
    again = st.session_state.get("diffusion:again", 0)
    frames, guesses, levels = cleaning(seed, again)
    player = Player("diffusion", tick=TICK)
    player.bar(len(frames) - 1, Labels.of("diffusion"))
    d, e, f = st.columns([1, 1, 1.2], vertical_alignment="center")
    d.button(t("diffusion.new_noise"), key="diffusion-new-noise", width="stretch", on_click=_noise, args=(seed + 1, 0))
    e.button(t("diffusion.same_noise"), key="diffusion-same-noise", width="stretch", on_click=_noise, args=(seed, again + 1))
    f.caption(t("diffusion.noise_number", seed=seed))
    player.screen(len(frames) - 1, lambda step: cleaning_screen(frames, guesses, levels, step),
                  scrub=t("diffusion.step_slider"))


def _noise(seed: int, again: int) -> None:
    """A new noise (or the same one cleaned again: `again` only makes the cache run it afresh)."""
    st.session_state["diffusion:seed"], st.session_state["diffusion:again"] = seed, again
    Player("diffusion").goto(0)


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
def doodle() -> None:
    kind = kind_picker("diffusion-doodle-kind", t("diffusion.doodle_kind"), "any", extra=("any",))
    left, right = st.columns([1, 1.3], gap="large")
    with left:
        picture = doodle_pad()
    with right:
        pct = st.slider(t("diffusion.doodle_level"), 20, 100, 70, step=10, key="diffusion-doodle-level", format="%d%%")
        if st.button(t("diffusion.doodle_go"), key="diffusion-doodle-go", type="primary", width="stretch"):
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
    show_grid(np.stack([f[0] for f in run.frames]), cols=len(run.frames), scale=3, pad=2,
              alt=t("diffusion.doodle_steps"))


# ── 5. Watch it learn ──────────────────────────────────────────────────────────────────────────
def new_trainer(kind: str):
    from models.diffusion import DiffusionConfig, DiffusionTrainer
    return DiffusionTrainer(DiffusionConfig.live(), kind=kind)


@st.cache_data(show_spinner=False, max_entries=16)
def finished(kind: str) -> np.ndarray:
    return shipped().sample(8, kind=kind, seed=0)


def learn() -> None:
    with aside():
        kind = kind_picker("diffusion-learn-kind", t("diffusion.learn_pick"), "face", keep=True)
    live = LiveTraining("diffusion", lambda: new_trainer(kind), max_steps=LIVE_STEPS, max_memory_mb=100)
    if live.state.trainer is not None and live.state.trainer.kind != kind:
        live.reset(lambda: new_trainer(kind))             # a new kind: a new model, from nothing
    live.controls(beside_words=False)                     # four paragraphs and the kinds fill that column

    def waiting() -> None:
        st.caption(t("diffusion.learn_waiting"))
        show_grid(finished(kind), cols=8, scale=3, alt=t("diffusion.learn_waiting"))

    live.panel(lambda seen, state: learning(live, seen), waiting=waiting,
               look=lambda trainer: {"fresh": trainer.steps == 0, "copy": trainer.drawing_copy,
                                     "history": list(live.state.history)})
    show_grid(finished(kind), cols=8, scale=3, caption=t("diffusion.learn_finished", steps=f"{shipped().steps:,}"))


# ── What it cannot do ──────────────────────────────────────────────────────────────────────────
def honest() -> None:
    with st.container(border=True, key="diffusion-honest"):
        say("diffusion", "ui", "honest")


chapter("diffusion", {"noise": bury, "guess": guess_game, "denoise": denoise, "steer": steer, "doodle": doodle,
                      "learn": learn, "honest": honest})
