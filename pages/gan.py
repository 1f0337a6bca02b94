"""The drawing duel: a drawer (generator) and a judge (discriminator) train live, a recorded duel
replays at once, the child plays judge, and mode collapse is noticed. UI only: the model is
models/gan.py + models/gan_train.py, the words are lessons/*/gan.toml."""

from dataclasses import replace

import numpy as np
import streamlit as st

from models import world
from models.gan import GANConfig, draw, load_generator, load_weights
from models.gan_train import GANTrainer, load_run, make_data
from ui import charts, class_duel
from ui.i18n import t
from ui.layout import chapter, guard, say
from ui.pictures import show_grid, upscale
from ui.training import LiveTraining

CHOICES = world.KINDS + ("everything",)
STARTS = ("new", "trained", "recorded")
NEW_ROUNDS, MORE_ROUNDS = 6000, 3000        # step caps: from scratch, and on top of the trained drawer
GAME_ROUNDS = (200, 1000, 3000, 10000, 10 ** 9)   # the judge game gets harder: pictures from later rounds
COLLAPSED, COLLAPSE_AFTER = 0.35, 300       # variety below this (1 = as varied as real), after this many rounds
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


# ── What every view of the duel shows (live or recorded) ──────────────────────────────────────
def by_column(fixed: np.ndarray, kinds: int) -> np.ndarray:
    """Fixed pictures come a row per kind; show a column per kind instead (wide, not tall)."""
    return fixed if kinds == 1 else fixed.reshape(kinds, -1, *fixed.shape[1:]).swapaxes(0, 1).reshape(fixed.shape)


def view_of_trainer(trainer: GANTrainer) -> dict:
    fixed = trainer.draw_fixed()
    kinds = 1 if trainer.kind else len(world.KINDS)
    return {"round": trainer.steps, "fixed": by_column(fixed, kinds), "cols": 4 if kinds == 1 else kinds,
            "film": [(r, by_column(f, kinds)[: 4 if kinds == 1 else kinds]) for r, f in trainer.film],
            "lineup": trainer.lineup(8, seed=trainer.steps), "history": trainer.history,
            "collapse": trainer.mode_collapse_score(fixed)}


def view_of_run(run: dict, i: int) -> dict:
    kinds = len(world.KINDS)
    upto = run["history_round"] <= run["rounds"][i]
    lineup = {"images": run["lineup"][i][:8], "is_real": run["lineup_real"][i][:8],
              "verdicts": run["lineup_verdicts"][i][:8].astype(float)}
    return {"round": int(run["rounds"][i]), "fixed": by_column(run["fixed"][i], kinds), "cols": kinds,
            "film": [(int(r), by_column(f, kinds)[:kinds]) for r, f in zip(run["rounds"][: i + 1], run["fixed"][: i + 1])],
            "lineup": lineup, "collapse": float(run["collapse"][i]),
            "history": {"round": run["history_round"][upto], "real_right": run["history_real_right"][upto],
                        "drawn_right": run["history_drawn_right"][upto]}}


def verdict(p: float) -> str:
    return t("gan.verdict_real", pct=round(100 * p)) if p >= 0.5 else t("gan.verdict_drawn", pct=round(100 * (1 - p)))


def scoreboard(history: dict) -> None:
    st.markdown("**" + t("gan.score_title") + "**")
    if len(history["round"]) < 2:
        st.caption(t("gan.score_none"))
        return
    charts.show_lines(np.asarray(history["round"]).tolist(),
                      {t("gan.score_real"): (100 * np.asarray(history["real_right"], float)).tolist(),
                       t("gan.score_drawn"): (100 * np.asarray(history["drawn_right"], float)).tolist()},
                      x_title=t("gan.score_x"), alt_text=t("gan.score_title"), colors=["#1f6f66", "#b4441f"])
    r, d = (float(np.mean(np.asarray(history[k][-5:], float))) for k in ("real_right", "drawn_right"))
    if (r + d) / 2 > 0.8:
        st.markdown(t("gan.judge_winning"))
    elif d < 0.4:
        st.markdown(t("gan.drawer_winning"))
    else:
        st.markdown(t("gan.neck_and_neck", pct=round(50 * (r + d))))


def show_view(v: dict) -> None:
    left, right = st.columns([1.1, 1], gap="large")
    with left:
        st.markdown("**" + t("gan.now_title") + "**")
        show_grid(v["fixed"], cols=v["cols"], scale=3, caption=t("gan.now_caption", round=v["round"]))
    with right:
        scoreboard(v["history"])
        if v["round"] >= COLLAPSE_AFTER:
            if v["collapse"] < COLLAPSED:
                st.warning(t("gan.collapse_warning"))
            else:
                st.caption(t("gan.collapse_ok"))
    st.markdown("**" + t("gan.film_title") + "**")
    film = v["film"][-8:]
    for column, (r, frame) in zip(st.columns(8), film):
        column.image(world.grid(frame, cols=2 if len(frame) == 4 else 5, pad=1, scale=2), caption=t("gan.film_round", round=r))
    st.markdown("**" + t("gan.lineup_title") + "**")
    line = v["lineup"]
    for column, image, real, p in zip(st.columns(8), line["images"], line["is_real"], line["verdicts"]):
        column.image(upscale(image, 3), width="stretch")
        column.caption(verdict(p))
        right = (p >= 0.5) == bool(real)
        column.caption(t("gan.truth_real" if real else "gan.truth_drawn") + " · "
                       + t("gan.judge_right" if right else "gan.judge_wrong"))


# ── Sections ────────────────────────────────────────────────────────────────────────────────────
def story() -> None:
    dice = np.random.default_rng(3).normal(0, 1, (8, 8))
    dice = np.clip(128 + 60 * dice, 0, 255).astype(np.uint8)[..., None].repeat(3, 2)
    real = real_pictures("face").images[:3]
    drawn = draw(shipped()[1], 1, kind="face", seed=5)[0][0] if shipped() else real[0]
    cols = st.columns([1, 0.8, 1, 1.6, 1.2], vertical_alignment="center")
    cols[0].image(upscale(dice, 12), caption=t("gan.story_dice"), width="stretch")
    cols[1].markdown("### →\n" + t("gan.story_drawer"))
    cols[2].image(upscale(drawn, 3), caption=t("gan.story_drawn"), width="stretch")
    cols[3].image(world.grid(real, cols=3, pad=2, scale=3), caption=t("gan.story_real"), width="stretch")
    cols[4].markdown("### ←\n" + t("gan.story_judge"))


def choose() -> None:
    st.segmented_control(t("gan.kind_label"), CHOICES, default="face", key="gan-kind", persist_state="session",
                         format_func=lambda c: t("gan.everything") if c == "everything" else t(f"gan.kinds.{c}"))
    st.segmented_control(t("gan.start_label"), STARTS, default="new", key="gan-from", persist_state="session",
                         format_func=lambda s: t(f"gan.start_{s}"))
    st.caption(t(f"gan.start_{chosen()[1]}_tip"))


def who_learns(live: LiveTraining) -> None:
    who = st.segmented_control(t("gan.who_learns"), ("both", "generator", "discriminator"), default="both", key="gan-who",
                               format_func=lambda w: t(f"gan.learns_{w}"), persist_state="session")
    if live.state.trainer is not None:
        with live.lock:                                  # a worker may be in the middle of a round
            live.state.trainer.mode = who or "both"


def duel() -> None:
    class_duel.corner("gan")                 # classroom mode: start a class duel; otherwise: join one
    choice, start = chosen()
    if start == "recorded":
        replay()
        return
    base = int(shipped()[0].get("steps", 0)) if start == "trained" and shipped() else 0
    live = LiveTraining("gan", lambda: make_trainer(choice, start), max_steps=base + (MORE_ROUNDS if base else NEW_ROUNDS))
    if st.session_state.get("gan:made-for") != (choice, start):      # a new choice: a new duel
        live.reset()
        st.session_state["gan:made-for"] = (choice, start)
    live.controls(extra=lambda: who_learns(live))
    live.panel(lambda trainer, state: show_view(class_duel.publish(view_of_trainer(trainer))), waiting=waiting)


def waiting() -> None:
    """All seats taken: the recorded duel plays by itself, one frame a tick."""
    run = recorded()
    if run is None:
        return
    n = st.session_state["gan:waiting"] = st.session_state.get("gan:waiting", -1) + 1
    st.subheader(t("gan.waiting_title"))
    show_view(view_of_run(run, n % len(run["rounds"])))
    st.divider()


def replay() -> None:
    run = recorded()
    if run is None:
        st.info(t("gan.replay_missing"))
        return
    last = len(run["rounds"]) - 1
    s = st.session_state.setdefault("gan:replay", {"frame": 0, "playing": False})
    speed = st.session_state.get("gan-replay-speed") or "normal"
    st.markdown("**" + t("gan.replay_title", total=int(run["rounds"][-1])) + "**")
    go, one, again, pace = st.columns([1.2, 1, 1, 1.6], vertical_alignment="bottom")
    if s["playing"]:
        go.button(t("train_pause"), key="gan-replay-pause", on_click=lambda: s.update(playing=False), width="stretch")
    else:
        go.button(t("train_start"), key="gan-replay-start", type="primary", width="stretch", disabled=s["frame"] >= last,
                  on_click=lambda: s.update(playing=True))
    one.button(t("train_step"), key="gan-replay-step", width="stretch", disabled=s["playing"] or s["frame"] >= last,
               on_click=lambda: s.update(frame=min(s["frame"] + 1, last)))
    again.button(t("train_reset"), key="gan-replay-reset", width="stretch", on_click=lambda: s.update(frame=0, playing=False))
    pace.segmented_control(t("train_speed"), list(REPLAY_TICK), default="normal", key="gan-replay-speed", persist_state="session",
                           format_func=lambda v: t(f"speed_{v}"))

    @st.fragment(run_every=REPLAY_TICK[speed] if s["playing"] else None)
    def frame():
        with guard("gan-replay"):
            if s["playing"]:
                s["frame"] = min(s["frame"] + 1, last)
                if s["frame"] >= last:
                    s["playing"] = False
                    st.rerun(scope="app")
            st.progress(s["frame"] / max(last, 1), text=t("gan.replay_at", round=int(run["rounds"][s["frame"]]),
                                                          total=int(run["rounds"][-1])))
            show_view(view_of_run(run, s["frame"]))

    frame()


def new_game(n: int, own: bool) -> dict:
    """Eight pictures, some real and some drawn: from the child's own drawer, or the recorded duel."""
    live = st.session_state.get("live:gan")
    trainer = live.trainer if live is not None else None
    if own and trainer is not None:
        with live.lock:                                  # a worker may be stepping it right now
            line = trainer.lineup(8, seed=1000 + n)
        return {**line, "round": trainer.steps, "own": True, "n": n}
    run = recorded()
    target = GAME_ROUNDS[min(n, len(GAME_ROUNDS) - 1)]
    i = int(np.argmin(np.abs(run["rounds"].astype(float) - target)))
    rng = np.random.default_rng(n)
    real, drawn = np.flatnonzero(run["lineup_real"][i]), np.flatnonzero(~run["lineup_real"][i])
    k = int(np.clip(rng.integers(3, 6), 8 - len(real), len(drawn)))   # 3 to 5 drawn: never all one side
    pick = rng.permutation(np.r_[rng.choice(drawn, k, replace=False), rng.choice(real, 8 - k, replace=False)])
    return {"images": run["lineup"][i][pick], "is_real": run["lineup_real"][i][pick],
            "verdicts": run["lineup_verdicts"][i][pick].astype(float), "round": int(run["rounds"][i]), "own": False, "n": n}


def game() -> None:
    live = st.session_state.get("live:gan")
    has_own = live is not None and live.trainer is not None and live.trainer.steps > 0
    own = has_own and st.toggle(t("gan.game_use_mine"), key="gan-game-own")
    g = st.session_state.get("gan:game")
    if recorded() is None and not own:
        st.info(t("gan.replay_missing"))
        return
    if g is None or g["own"] != own:
        g = st.session_state["gan:game"] = new_game(g["n"] if g else 0, own)
    shown = st.session_state.get("gan:game-shown", False)
    st.markdown("**" + t("gan.game_own" if g["own"] else "gan.game_level", n=g["n"] + 1, round=g["round"]) + "**")
    picks = []
    for row in (range(0, 4), range(4, 8)):
        for column, i in zip(st.columns(4), row):
            column.image(upscale(g["images"][i], 4), width="stretch")
            picks.append(column.checkbox(t("gan.game_pick"), key=f"gan-game-{g['n']}-{i}"))
            if shown:                                       # the answers given when the child asked
                you, judge = g["picks"][i], g["verdicts"][i] < 0.5
                column.caption(t("gan.truth_real" if g["is_real"][i] else "gan.truth_drawn"))
                column.caption(t("gan.game_you_label", guess=t("gan.guess_drawn" if you else "gan.guess_real")) + " · "
                               + t("gan.game_judge_label", guess=t("gan.guess_drawn" if judge else "gan.guess_real")))
    drawn = ~np.asarray(g["is_real"], bool)
    if not shown:
        st.caption(t("gan.game_tip"))
        if st.button(t("gan.game_check"), key="gan-game-check", type="primary"):
            g["picks"] = picks
            st.session_state["gan:game-shown"] = True
            st.rerun()
        return
    for key, guess in (("gan.game_you", np.asarray(g["picks"])), ("gan.game_judge", np.asarray(g["verdicts"]) < 0.5)):
        st.markdown(t(key, found=int((guess & drawn).sum()), total=int(drawn.sum()), wrong=int((guess & ~drawn).sum())))
    if st.button(t("gan.game_next"), key="gan-game-next"):
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
    kinds = np.array([world.KINDS.index(k) for k in ("face", "cat", "flower", "house")])
    drawn, _ = draw(shipped()[1], 4, kinds=kinds, seed=21)
    real = world.make_pictures(40, seed=77, captions=False)
    real = np.stack([real.images[np.flatnonzero(real.kinds == k)[0]] for k in kinds])
    order = np.random.default_rng(2).permutation(8)
    images, labels = np.concatenate([real, drawn])[order], np.array(["real"] * 4 + ["drawn"] * 4)[order]
    for column, image, label in zip(st.columns(8), images, labels):
        column.image(upscale(image, 3), caption=t(f"gan.label_{label}"), width="stretch")
    st.caption(t("gan.fake_caption"))


def honest() -> None:
    with st.container(border=True, key="gan-honest"):
        say("gan", "ui", "honest")


if not class_duel.child_page("gan", show_view):     # a child in a class duel: only the class's duel
    chapter("gan", {"story": story, "choose": choose, "duel": duel, "game": game, "collapse": collapse,
                    "fake": fake, "honest": honest})
