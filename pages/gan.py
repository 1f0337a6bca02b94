"""The drawing duel: a drawer (generator) and a judge (discriminator) train live, a recorded duel
replays at once, the child plays judge, and mode collapse is noticed. UI only: the model is
models/gan.py + models/gan_train.py, the words are lessons/*/gan.toml."""

from dataclasses import replace

import numpy as np
import streamlit as st

from models import world
from models.gan import GANConfig, draw, load_generator, load_weights
from models.gan_train import GANTrainer, load_run, make_data
from ui import class_duel, gan_views
from ui.gan_views import fake_row, game_board, game_from_run, game_score, show_view, story_row, view_of_run, view_of_trainer
from ui.i18n import t
from ui.layout import aside, chapter, say
from ui.pictures import show_grid
from ui.player import Keys, Labels, Player
from ui.training import LiveTraining

CHOICES = world.KINDS + ("everything",)
STARTS = ("new", "trained", "recorded")
NEW_ROUNDS, MORE_ROUNDS = 6000, 3000        # step caps: from scratch, and on top of the trained drawer
GAME_ROUNDS = (200, 1000, 3000, 10000, 10 ** 9)   # the judge game gets harder: pictures from later rounds
REPLAY_TICK = {"slow": 2.0, "normal": 1.0, "fast": 0.5}   # seconds per frame of the recorded duel


# ── Frozen things shared by every visitor (never a model a child trains) ──────────────────────
@st.cache_resource(show_spinner=False)
def shipped():
    """The shipped weights (drawer, smoothed drawer, judge) and a ready drawer, or None if missing."""
    try:
        return load_weights(), load_generator()
    except FileNotFoundError:
        return None


@st.cache_resource(show_spinner=False)
def recorded():
    """The recorded duel (models/gan_train.load_run), or None if missing."""
    try:
        return load_run()
    except FileNotFoundError:
        return None


@st.cache_resource(show_spinner=False, max_entries=len(CHOICES))
def real_pictures(choice: str):
    return make_data(None if choice == "everything" else choice, n=GANConfig.live().data_size)


def chosen() -> tuple[str, str]:
    return st.session_state.get("gan-kind") or "face", st.session_state.get("gan-from") or "new"


def make_trainer(choice: str, start: str) -> GANTrainer:
    kind = None if choice == "everything" else choice
    saved = shipped()[0] if start == "trained" and shipped() else None
    cfg = GANConfig.from_dict(saved["config"]) if saved else GANConfig.live()
    trainer = GANTrainer(replace(cfg, n_fixed=16 if kind else 4), kind=kind, pictures=real_pictures(choice))
    if saved:
        trainer.load_state_dict(saved)
    trainer.mode = st.session_state.get("gan-who") or "both"
    return trainer


# ── Sections ────────────────────────────────────────────────────────────────────────────────────
def story() -> None:
    real = real_pictures("face").images[:3]
    story_row(real, draw(shipped()[1], 1, kind="face", seed=5)[0][0] if shipped() else real[0])   # (3,H,W,3), (H,W,3)


def choose() -> None:
    st.segmented_control(t("gan.kind_label"), CHOICES, default="face", key="gan-kind", persist_state="session",
                         format_func=lambda c: t("gan.everything") if c == "everything" else t(f"kinds.many.{c}"))
    st.segmented_control(t("gan.start_label"), STARTS, default="new", key="gan-from", persist_state="session",
                         format_func=lambda s: t(f"gan.start_{s}"))
    st.caption(t(f"gan.start_{chosen()[1]}_tip"))


def who_learns(live: LiveTraining) -> None:
    who = aside().segmented_control(t("gan.who_learns"), ("both", "generator", "discriminator"), default="both",
                                    key="gan-who", format_func=lambda w: t(f"gan.learns_{w}"), persist_state="session")
    if live.state.trainer is not None:
        with live.lock:                                  # a worker may be in the middle of a round
            live.state.trainer.mode = who or "both"


def duel() -> None:
    class_duel.corner("gan", aside(), gan_views.class_look, gan_views.class_window)   # classroom mode: start a class duel; otherwise: join one
    choice, start = chosen()
    if start == "recorded":
        replay()
        return
    base = int(shipped()[0].get("steps", 0)) if start == "trained" and shipped() else 0
    live = LiveTraining("gan", lambda: make_trainer(choice, start), max_steps=base + (MORE_ROUNDS if base else NEW_ROUNDS))
    if st.session_state.get("gan:made-for") != (choice, start):      # a new choice: a new duel
        live.reset()
        st.session_state["gan:made-for"] = (choice, start)
    live.controls()
    who_learns(live)
    live.panel(lambda view, state: show_view(class_duel.publish(view)), waiting=waiting,
               look=lambda trainer: view_of_trainer(trainer, slow=live.now_and_then))


def waiting() -> None:
    """All seats taken: the recorded duel plays by itself, one frame a tick."""
    if (run := recorded()) is None:
        return
    n = st.session_state["gan:waiting"] = st.session_state.get("gan:waiting", -1) + 1
    st.subheader(t("gan.waiting_title"), anchor=False)
    show_view(view_of_run(run, n % len(run["rounds"])), place="waiting")
    st.divider()


def replay() -> None:
    """The recorded duel, played like a film: one frame a tick at the chosen speed."""
    run = recorded()
    if run is None:
        st.info(t("gan.replay_missing"))
        return
    last, total = len(run["rounds"]) - 1, int(run["rounds"][-1])
    player = Player("gan-replay", tick=REPLAY_TICK[st.session_state.get("gan-replay-speed") or "normal"],
                    keys=Keys.training("gan-replay"))
    st.markdown("**" + t("gan.replay_title", total=total) + "**")
    player.bar(last, Labels.training(), widths=[1.2, 1, 1, 1.6], extra=lambda: st.segmented_control(
        t("train_speed"), list(REPLAY_TICK), default="normal", key="gan-replay-speed", persist_state="session",
        format_func=lambda v: t(f"speed_{v}")))

    def frame(i: int) -> None:
        st.progress(i / max(last, 1), text=t("gan.replay_at", round=int(run["rounds"][i]), total=total))
        show_view(view_of_run(run, i), place="replay")

    player.screen(last, frame)


def new_game(n: int, own: bool) -> dict:
    """Eight pictures, some real and some drawn: from the child's own drawer, or the recorded duel."""
    live = st.session_state.get("live:gan")
    trainer = live.trainer if live is not None else None
    if own and trainer is not None:
        with live.lock:                                  # a worker may be stepping it right now
            line = trainer.lineup(8, seed=1000 + n)
        return {**line, "round": trainer.steps, "own": True, "n": n}
    return {**game_from_run(recorded(), GAME_ROUNDS[min(n, len(GAME_ROUNDS) - 1)], seed=n), "own": False, "n": n}


def game() -> None:
    has_own = (live := st.session_state.get("live:gan")) is not None and live.trainer is not None and live.trainer.steps > 0
    own = has_own and aside().toggle(t("gan.game_use_mine"), key="gan-game-own")   # classroom: under the words
    g = st.session_state.get("gan:game")
    if recorded() is None and not own:
        st.info(t("gan.replay_missing"))
        return
    if g is None or g["own"] != own:
        g = st.session_state["gan:game"] = new_game(g["n"] if g else 0, own)
    shown = st.session_state.get("gan:game-shown", False)
    st.markdown("**" + t("gan.game_own" if g["own"] else "gan.game_level", n=g["n"] + 1, round=g["round"]) + "**")
    picks, side = game_board(g, shown), aside()
    if not shown:
        side.caption(t("gan.game_tip"))
        if side.button(t("gan.game_check"), key="gan-game-check", type="primary"):
            g["picks"] = picks
            st.session_state["gan:game-shown"] = True
            st.rerun()
        return
    with side:                                 # classroom mode: the score and Next under the words
        game_score(g)
    if side.button(t("gan.game_next"), key="gan-game-next"):
        st.session_state["gan:game"] = new_game(g["n"] + 1, own)
        st.session_state["gan:game-shown"] = False
        st.rerun()


def collapse() -> None:
    if not shipped():
        return
    g = shipped()[1]
    same_dice = np.random.default_rng(0).standard_normal((1, g.config.z_dim)).repeat(8, 0)   # (8, z), all equal
    one, _ = draw(g, 8, kinds=np.full(8, world.KINDS.index("face")), z=same_dice)
    many, _ = draw(g, 8, kind="face", seed=11)
    show_grid(one, cols=8, scale=3, caption=t("gan.collapse_caption"))
    show_grid(many, cols=8, scale=3, caption=t("gan.healthy_caption"))


def fake() -> None:
    if not shipped():
        return
    kinds, real = [world.KINDS.index(k) for k in ("face", "cat", "flower", "house")], world.make_pictures(40, seed=77, captions=False)
    fake_row(np.stack([real.images[np.flatnonzero(real.kinds == k)[0]] for k in kinds]),   # 4 real, 4 drawn
             draw(shipped()[1], 4, kinds=np.array(kinds), seed=21)[0])


def honest() -> None:
    with st.container(border=True, key="gan-honest"):
        say("gan", "ui", "honest")


if not class_duel.child_page("gan", gan_views.class_window_words):     # a child in a class duel: only the class's duel
    chapter("gan", {"story": story, "choose": choose, "duel": duel, "game": game, "collapse": collapse,
                    "fake": fake, "honest": honest})
