"""How AI sees: draw and it guesses, what it looks at, teach it a new kind, find things in a scene,
and an honest box. UI only: the recogniser is models/recognizer.py, the words are lessons/*/seeing.toml."""

import time

import numpy as np
import streamlit as st
from PIL import Image

from models import recognizer as R
from models import scenes
from models import textnorm
from models import world
from models.doodles import draw as doodle
from ui import canvas as C
from ui.i18n import bases, kind_name, t, t_in
from ui.layout import chapter, paragraphs
from ui.pictures import show
from ui.seeing_views import bars, boxed, cut_to, known_kind, label, overlay, t_kind

PENS = {"thin": 6, "medium": 12, "thick": 22}   # stroke widths on a 280-pixel canvas
NEED, AT_LEAST, MAX_NEW = 5, 3, 5               # drawings asked for, drawings needed, new kinds per visitor
NAME_MAX = 24                                   # visible characters in a new kind's name (graphemes)
FOOL_SEED = 4                                   # the umbrella in the honest box


@st.cache_resource(show_spinner=False)
def shipped():
    """The shipped recogniser, shared by every visitor and never changed (new kinds go to a copy)."""
    return R.load_shipped()


def recognizer():
    """This visitor's recogniser: the shipped one, or their own copy that learned new kinds."""
    mine = st.session_state.get("seeing:model")
    return shipped() if mine is None else mine


def canvas(base: str, size: int = 280):
    """A freehand canvas (ui/canvas.py) with the page's big Undo and Clear. Returns RGBA pixels with ink, or None."""
    pen = st.session_state.get("seeing-pen") or "medium"
    return C.draw(base, size=size, pen=PENS[pen], undo=t("seeing.undo"), clear=t("seeing.clear"))


def restart(base: str, objects: list) -> None:
    C.restart(base, objects)


# ── Draw, and it guesses ───────────────────────────────────────────────────────────────────────
def draw_and_guess() -> None:
    left, right = st.columns([1, 1.3], gap="large")
    with left, st.container(key="seeing-draw"):
        image = canvas("seeing-canvas")
        st.caption(t("seeing.canvas_tip"))
        st.segmented_control(t("seeing.pen"), list(PENS), default="medium", key="seeing-pen",
                             format_func=lambda p: t(f"seeing.pen_{p}"))
    guess = None if image is None else R.predict(recognizer(), image)
    guess = None if guess is None or guess.empty else guess
    st.session_state["seeing:guess"] = guess
    with right, st.container(key="seeing-guess"):
        if guess is None:
            st.info(t("seeing.draw_first"))
            return
        kind, p = guess.best
        st.markdown("### " + t_kind("seeing.guess" if p >= 0.5 else "seeing.not_sure", kind), anchors=False)
        bars(guess)


# ── What the AI looks at ───────────────────────────────────────────────────────────────────────
def what_it_sees() -> None:
    guess = st.session_state.get("seeing:guess")
    if guess is None:
        st.caption(t("seeing.looks_empty"))
        return
    seen = R.ink_to_picture(guess.seen)[..., None].repeat(3, axis=2)
    a, b, _ = st.columns([1, 1, 1])
    show(seen, caption=t("seeing.seen_caption"), scale=6, where=a)
    show(overlay(guess.seen, guess.saliency), caption=t("seeing.saliency_caption"), scale=6, where=b)


# ── Teach it something new ─────────────────────────────────────────────────────────────────────
def cut_name() -> None:
    """The name box keeps NAME_MAX whole characters (a family emoji is one); a longer paste is cut, and said."""
    st.session_state["seeing:name-cut"] = cut_to(NAME_MAX, "seeing-name")


def learn(name: str, examples: list) -> None:
    taught = st.session_state.setdefault("seeing:taught", [])
    name = known_kind(textnorm.cut(" ".join(name.split()), NAME_MAX)[0])
    if not name:
        st.warning(t("seeing.teach_need_name"))
    elif len(examples) < AT_LEAST:
        st.warning(t("seeing.teach_need_more", n=AT_LEAST))
    elif len(taught) >= MAX_NEW and name not in taught:
        st.warning(t("seeing.teach_full", n=len(taught)))
    else:
        with st.spinner(t("seeing.teach_learning")):
            start = time.perf_counter()
            st.session_state["seeing:model"] = R.learn_new_kind(recognizer(), name, examples, seconds=2.0)
            seconds = time.perf_counter() - start
        if name not in taught:
            taught.append(name)
        st.session_state.setdefault("seeing:icons", {})[name] = np.stack([R.ink_to_picture(R.prepare(examples[0]))] * 3, -1)
        examples.clear()
        st.session_state["seeing:note"] = t_kind("seeing.teach_learned", name, slot="name", seconds=f"{seconds:.1f}")
        restart("seeing-teach", [])


def teach() -> None:
    examples = st.session_state.setdefault("seeing:examples", [])
    taught = st.session_state.get("seeing:taught", [])
    left, right = st.columns(2, gap="large")
    with left, st.container(key="seeing-teach"):
        st.markdown(t("seeing.teach_canvas"))
        image = canvas("seeing-teach", size=240)
        if st.button(t("seeing.teach_add"), key="seeing-add", width="stretch"):
            if image is None or R.is_empty(image):
                st.warning(t("seeing.teach_empty"))
            else:   # keep a small copy: enough to learn from, light on memory
                examples.append(np.asarray(Image.fromarray(image).resize((112, 112), Image.BOX)))
                del examples[:-2 * NEED]
                st.session_state["seeing:note"] = t("seeing.teach_added")
                restart("seeing-teach", [])
        if taught and image is not None and not R.is_empty(image):
            kind, p = R.predict(recognizer(), image).best
            st.markdown(t_kind("seeing.teach_test", kind, pct=round(100 * p)))
    with right:
        name = st.text_input(t("seeing.teach_name"), key="seeing-name", on_change=cut_name, placeholder=t("seeing.teach_name_hint"))
        if st.session_state.pop("seeing:name-cut", False):
            st.info(t("words_name_cut", n=NAME_MAX))
        st.caption(t("seeing.teach_count", n=len(examples), need=NEED))
        if examples:
            small = [np.stack([R.ink_to_picture(R.prepare(e))] * 3, -1) for e in examples]
            show(world.grid(np.stack(small), cols=NEED, scale=2, fill=200), alt=t("pictures_alt", n=len(small)))
        if st.button(t("seeing.teach_learn"), key="seeing-learn", type="primary", width="stretch"):
            learn(name, examples)
        note = st.session_state.pop("seeing:note", None)
        if note:
            st.success(note)
        if examples and st.button(t("seeing.teach_restart"), key="seeing-restart"):
            examples.clear()
            st.rerun()
        if taught:
            st.caption(t("seeing.teach_knows", names=", ".join(label(n) for n in taught)))
            if st.button(t("seeing.teach_forget"), key="seeing-forget"):
                for key in ("seeing:model", "seeing:taught", "seeing:icons"):
                    st.session_state.pop(key, None)
                st.rerun()


# ── Where it helps ─────────────────────────────────────────────────────────────────────────────
@st.cache_data(show_spinner=False, max_entries=64)
def scene(seed: int):
    image, _ = scenes.make_scene(seed, "fill", size=(144, 96), count=4)
    return image, scenes.find_things(shipped(), image)


def where_it_helps() -> None:
    seed = st.session_state.setdefault("seeing:scene", 1)
    image, found = scene(seed)
    left, right = st.columns([1.6, 1], gap="large")
    show(boxed(image, found), caption=t("seeing.scene_caption", n=len(found)), where=left)
    with right:
        for n, (_, kind, p) in enumerate(found, start=1):
            st.markdown(f"{n}. " + t_kind("seeing.scene_item", kind, pct=round(100 * p)))
        if st.button(t("seeing.scene_new"), key="seeing-scene", width="stretch"):
            st.session_state["seeing:scene"] = seed + 1
            st.rerun()


# ── What it cannot do ──────────────────────────────────────────────────────────────────────────
@st.cache_data(show_spinner=False)
def fooled():
    """An umbrella (a kind it never saw), drawn with strokes, and what the shipped model says."""
    image = doodle("umbrella", np.random.default_rng(FOOL_SEED), width=10)
    kind, p = R.predict(shipped(), image).best
    on_paper = Image.new("RGB", image.size, "white")
    on_paper.paste(image, mask=image.split()[3])
    return np.asarray(on_paper), kind, round(100 * p)


def honest() -> None:
    picture, kind, pct = fooled()
    with st.container(border=True, key="seeing-honest"):
        words, pic = st.columns([3, 1], gap="large")
        with words:
            paragraphs(*(t_in(b, "seeing.honest", kind=kind_name(kind, b), pct=pct) for b in bases()), key="seeing-honest")
        show(picture, caption=t_kind("seeing.fool_caption", kind, pct=pct), width="stretch", where=pic)


chapter("seeing", {"draw": draw_and_guess, "looks": what_it_sees, "teach": teach, "helps": where_it_helps,
                   "honest": honest})
