"""Teach the words model a new word: 3-5 doodles on a canvas, a name, learning in short chunks (a progress
bar), then drawing with the new word beside the same words before it was learned.

UI only: the learning is models/words_teach.py (textual inversion, and Custom Diffusion's key/value maps in
the visitor's own copy of the denoiser; the shared model stays frozen); the words are
the [ui] table of lessons/*/words.toml (keys teach_*). Everything a child draws or names lives in this
visitor's st.session_state (keys "teach:*" and "teach-*"), never shared, never stored.
"""

from __future__ import annotations

import dataclasses
import os
import threading

import numpy as np
import streamlit as st
from PIL import Image

from models import textnorm, world
from models import words_teach as WT
from ui import canvas as C
from ui.charts import quick_line
from ui.i18n import first_base, kind_name, t, t_in
from ui.pictures import show, show_grid

CHUNK = 10            # optimiser steps per tick of the progress bar (one rerun of the fragment)
TICK = 0.3            # seconds between ticks while it learns
N = 4                 # pictures drawn before and after


def teach_config() -> WT.TeachConfig:
    """The page's teaching: TeachConfig.live(); AIDRAW_TEACH_STEPS=N (an environment variable) sets its
    steps (the browser tests' 40: the flow, not the learning, which bench words measures)."""
    cfg = WT.TeachConfig.live()
    steps = os.environ.get("AIDRAW_TEACH_STEPS", "").strip()
    return dataclasses.replace(cfg, steps=int(steps)) if steps.isdigit() and int(steps) > 0 else cfg


@st.cache_resource(show_spinner=False)
def _shipped():
    from models.words import load_shipped

    return load_shipped()


def _state() -> dict:
    return st.session_state.setdefault("teach:state", {"doodles": [], "teacher": None, "lock": threading.Lock(),
                                                      "note": None, "drawn": {}})


def _base() -> str:
    return first_base()


def _cut_name() -> None:
    """The name box keeps NAME_MAX whole characters; a longer paste is cut, and said."""
    name, cut = textnorm.cut(st.session_state.get("teach-name", ""), WT.NAME_MAX)
    if cut:
        st.session_state["teach-name"] = name
        _state()["note"] = ("info", t("words.teach_name_cut", n=WT.NAME_MAX))


def _add(image) -> None:
    s = _state()
    if image is None:
        s["note"] = ("warning", t("words.teach_empty"))
    elif len(s["doodles"]) >= WT.AT_MOST:
        s["note"] = ("info", t("words.teach_full", n=WT.AT_MOST))
    else:                                   # a small copy: enough to learn from, light on memory
        s["doodles"].append(np.asarray(Image.fromarray(image).resize((112, 112), Image.BOX)))
        s["note"] = ("success", t("words.teach_added", n=len(s["doodles"]), most=WT.AT_MOST))
        C.restart("teach-canvas", [], rerun=False)


def _start(model) -> None:
    """Teach! pressed: check the drawings and the name, then make a teacher (it learns in the fragment)."""
    s = _state()
    teacher = s["teacher"]
    if teacher is not None and not teacher.done:
        s["note"] = ("info", t("words.teach_busy"))
        return
    name, problem = WT.check_name(st.session_state.get("teach-name", ""), model.reader)
    if len(s["doodles"]) < WT.AT_LEAST:
        s["note"] = ("warning", t("words.teach_need_more", n=WT.AT_LEAST, have=len(s["doodles"])))
    elif problem:
        s["note"] = ("warning", t(f"words.teach_{'empty_name' if problem == 'empty' else problem}", name=name))
    else:
        s["teacher"] = WT.WordTeacher(model, name, list(s["doodles"]), teach_config(), seed=len(name))
        s["drawn"] = {}
        st.session_state["teach-prompt"] = t_in(_base(), "words.teach_prompt_default", name=name)
        s["note"] = None


def _forget() -> None:
    s = _state()
    s.update(doodles=[], teacher=None, note=None, drawn={})
    C.restart("teach-canvas", [], rerun=False)


def _learning(s) -> None:
    """One tick: CHUNK steps (one thread steps a teacher at a time: the lock), then the bar."""
    teacher = s["teacher"]
    if s["lock"].acquire(blocking=False):
        try:
            for _ in range(min(CHUNK, teacher.config.steps - teacher.steps)):
                teacher.step()
        finally:
            s["lock"].release()
    st.progress(teacher.steps / teacher.config.steps,
                text=t("words.teach_learning", step=teacher.steps, total=teacher.config.steps))
    if teacher.history:
        st.caption(t("words.teach_loss"))
        quick_line(list(range(1, len(teacher.history) + 1)), teacher.history, alt_text=t("words.teach_loss"), height=140)


def _drawings(s, model) -> None:
    teacher = s["teacher"]
    st.success(t("words.teach_learned", name=teacher.name, steps=teacher.steps))
    start = kind_name(teacher.start_word)
    st.markdown(t("words.teach_started", word=start))
    show_grid(teacher.examples(8), cols=8, scale=3, caption=t("words.teach_examples"))
    prompt = st.text_input(t("words.teach_prompt"), key="teach-prompt", max_chars=200)
    if not teacher.reader.has_word(prompt):
        st.info(t("words.teach_no_word", name=teacher.name))
    seed = s.get("seed", 1)
    if st.button(t("words.teach_draw"), key="teach-draw", type="primary"):
        s["seed"] = seed = seed + 1
    key = (prompt, seed)
    if key not in s["drawn"]:
        s["drawn"] = {key: (teacher.sample(prompt, N, seed=seed, taught=False), teacher.sample(prompt, N, seed=seed))}
    before, after = s["drawn"][key]
    left, right = st.columns(2, gap="large")
    show(world.grid(before, cols=2, scale=4), caption=t("words.teach_before"), where=left)
    show(world.grid(after, cols=2, scale=4), caption=t("words.teach_after", name=teacher.name), where=right)
    st.caption(t("words.teach_honest"))


def section(model=None) -> None:
    """The "teach it a new word" part of the words chapter. model: the shipped WordsTrainer (frozen, shared)."""
    model = model or _shipped()
    s = _state()
    left, right = st.columns(2, gap="large")
    with left, st.container(key="teach-draw-box"):
        st.markdown(t("words.teach_canvas"))
        image = C.draw("teach-canvas", size=240, undo=t("words.teach_undo"), clear=t("words.teach_clear"))
        st.button(t("words.teach_add"), key="teach-add", width="stretch", on_click=_add, args=(image,))
    with right:
        st.text_input(t("words.teach_name"), key="teach-name", on_change=_cut_name,
                      placeholder=t("words.teach_name_hint"))
        st.caption(t("words.teach_count", n=len(s["doodles"]), most=WT.AT_MOST, need=WT.AT_LEAST))
        if s["doodles"]:
            ink = [np.stack([255 - (200 * WT.ink_mask(d, 32)).astype(np.uint8)] * 3, -1) for d in s["doodles"]]
            show(world.grid(np.stack(ink), cols=WT.AT_MOST, scale=2, fill=200),
                 alt=t("words.teach_count", n=len(s["doodles"]), most=WT.AT_MOST, need=WT.AT_LEAST))
        a, b = st.columns(2)
        a.button(t("words.teach_button"), key="teach-start", type="primary", width="stretch", on_click=_start,
                 args=(model,))
        b.button(t("words.teach_forget"), key="teach-forget", width="stretch", on_click=_forget,
                 disabled=not s["doodles"] and s["teacher"] is None)
        note = s.pop("note", None)
        s["note"] = None
        if note:
            getattr(st, note[0])(note[1])
    teacher = s["teacher"]
    if teacher is None:
        return
    learning = not teacher.done

    @st.fragment(run_every=TICK if learning else None)
    def progress():
        if s["teacher"] is None:
            return
        if not s["teacher"].done:
            _learning(s)
            if s["teacher"].done:
                st.rerun(scope="app")
        else:
            _drawings(s, model)

    progress()
