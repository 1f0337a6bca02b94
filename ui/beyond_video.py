"""The video part of "beyond pictures": walks through the shipped picture models played as films, and
a tiny in-betweener (models/video.py) that learns live to make the missing frames of a film. UI only."""

from __future__ import annotations

import streamlit as st

from ui.beyond_parts import honest, loss_chart
from ui.i18n import t
from ui.layout import aside, say
from ui.pictures import show, show_grid, upscale
from ui.training import LiveTraining

WALKS = {"face_sun": ("face", "sun"), "cat_fish": ("cat", "fish"), "flower_star": ("flower", "star")}
VIDEO_STEPS = 1500


@st.cache_resource(show_spinner=False)
def shipped_models():
    """The shipped GAN drawer and diffusion model: shared by every visitor, only used to draw."""
    from models.diffusion import load_shipped
    from models.gan import load_shipped as load_gan
    return load_gan(), load_shipped()


@st.cache_data(show_spinner=False, max_entries=16)
def wish_frames(a: str, b: str, jumpy: bool):
    from models import video
    frames = video.wish_walk(shipped_models()[1], a, b, frames=12, seed=0, jumpy=jumpy)
    return frames, video.smoothness(frames), video.gif_bytes(frames)


@st.cache_data(show_spinner=False, max_entries=16)
def dice_frames(kind: str, jumpy: bool):
    from models import video
    frames = video.dice_walk(shipped_models()[0], kind, frames=12, seed=5, jumpy=0.8 if jumpy else 0.0)
    return frames, video.smoothness(frames)


def walk_part() -> None:
    """A walk from one picture to another as a film, smooth or jumpy, and the GAN's dice walked the same way."""
    with aside():                                              # classroom mode: under the words
        walk = st.pills(t("beyond.walk_pick"), list(WALKS), default="face_sun", key="beyond-walk",
                        persist_state="session", format_func=lambda w: t(f"beyond.walks.{w}")) or "face_sun"
        how = st.segmented_control(t("beyond.walk_how"), ["smooth", "jumpy"], default="smooth", key="beyond-how",
                                   persist_state="session", format_func=lambda h: t(f"beyond.{h}")) or "smooth"
    with st.spinner(t("beyond.making_film")):
        frames, change, gif = wish_frames(*WALKS[walk], how == "jumpy")
    show_grid(frames, cols=len(frames), scale=2, pad=3, caption=t("beyond.strip"))
    left, right = st.columns([1, 1.3], gap="large")
    with right:
        playing = st.toggle(t("beyond.film_play"), key="beyond-film-play")
        if not playing:
            i = st.slider(t("beyond.frame"), 1, len(frames), 1, key="beyond-frame")
        st.metric(t("beyond.change"), f"{change:.1f}")
        st.caption(t("beyond.change_note"))
    with left:
        i = len(frames) if playing else i
        show(gif if playing else upscale(frames[i - 1], 6), width=200,
             alt=t("beyond.film_alt", walk=t(f"beyond.walks.{walk}"), i=i, n=len(frames)))
    a, b = WALKS[walk]
    g_frames, g_change = dice_frames(a, how == "jumpy")
    show_grid(g_frames, cols=len(g_frames), scale=2, pad=3,
              caption=t("beyond.dice_strip", kind=t(f"beyond.kinds.{a}"), change=f"{g_change:.1f}"))


def learn_part() -> None:
    """The in-betweener learning live on the chosen walk's first kind."""
    inbetween_part(WALKS[st.session_state.get("beyond-walk") or "face_sun"][0])


video_part = (walk_part, learn_part, lambda: honest("video"))    # classroom mode: three screens (ui.layout.chapter)


# ── The in-betweener learns live ───────────────────────────────────────────────────────────────
def make_film(trainer, kind: str):
    """(film, change per frame of the film, change per frame of the GAN's own film, GIF bytes,
    error of its middle frames, error of a plain cross-fade's), all 0-255 (models/video.py)."""
    from models import video
    film, real = trainer.film(kind, keys=7, seed=11)
    error, fade_error = video.middle_errors(film, real)
    return (film, video.smoothness(film), video.smoothness(real), video.gif_bytes(film, scale=5, bounce=False),
            error, fade_error)


def inbetween_part(kind: str) -> None:
    from models import video
    with aside():
        st.subheader(t("beyond.inbetween_title"), anchor=False)
        say("beyond", "ui", "inbetween_story")
    live = LiveTraining("beyond-video", lambda: video.InBetweenTrainer(shipped_models()[0]),
                        max_steps=VIDEO_STEPS, max_memory_mb=20)
    live.controls()

    def look(trainer) -> tuple:              # with the run's lock held: the film; Streamlit draws without it
        return live.now_and_then(f"film-{kind}", lambda: make_film(trainer, kind)), list(live.state.history)

    def draw(seen, state) -> None:
        (steps, (film, change, real_change, gif, error, fade)), history = seen
        show_grid(film, cols=len(film), scale=2, pad=3, caption=t("beyond.inbetween_strip", steps=steps))
        left, right = st.columns([1, 1.3], gap="large")
        with left:
            show(gif, width=200, alt=t("beyond.inbetween_alt", steps=steps))
        with right:
            st.metric(t("beyond.inbetween_change"), f"{change:.1f}",
                      delta=f"{change - real_change:+.1f}", delta_color="inverse")
            st.caption(t("beyond.inbetween_note", real=f"{real_change:.1f}", error=f"{error:.1f}", fade=f"{fade:.1f}"))
        loss_chart(history)

    live.panel(draw, look=look)
