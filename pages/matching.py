"""How AI reads words and matches them to pictures: words become numbers, watch a matcher learn, search
pictures with words, find words for a picture, the meaning map, and an honest box.
UI only: the model is models/matcher.py, the words are lessons/*/matching.toml."""

import re

import numpy as np
import streamlit as st
import torch

from models import matcher as M
from models import world
from models.tokenizer import MAX_PIECES, UNK, full_captions, short_text
from ui.i18n import lang, t, t_in
from ui.layout import chapter, say
from ui.match_figures import bar_rows, grid_png, map_figure
from ui.pictures import show_row, upscale
from ui.training import LiveTraining

GALLERY = 48
MAP_PICTURES = (("cat", ("brown", "orange", "purple")), ("fish", ("red", "blue", "green")),   # two of each
                ("star", ("blue", "yellow", "pink")), ("sun", ("yellow", "orange", "red")), ("car", ("red", "green", "blue")))
MAP_WORDS = ["猫", "cat", "a drawing of a cat", "红色的鱼", "red fish", "蓝色的星星", "a blue star", "太阳", "sun", "汽车", "a car"]
ODD = {"emoji": "🐱🌟🚀", "unknown": "恐龙 dinosaur", "long": "星" * 2500 + "star " * 500, "empty": ""}


@st.cache_resource(show_spinner=False)
def shipped():
    """The shipped matcher and what it thinks of a fixed gallery and caption list (frozen, shared)."""
    model = M.load_shipped()
    pics = world.make_pictures(GALLERY, seed=2024)
    captions = {b: full_captions(b) for b in ("zh", "en")}
    with torch.no_grad():
        return model, pics, model.encode_image(pics.images), captions, {b: model.encode_text(c) for b, c in captions.items()}


# ── Words and figures (the figures themselves are drawn in ui/match_figures.py) ───────────────
def plain(words: str) -> str:
    """A child's own words shown as they are, not as Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", words)


def score(cos: float) -> int:
    """How well a picture and words match, 0..100 (the cosine of their two arrows, below 0 counted as 0)."""
    return int(round(100 * min(max(float(cos), 0.0), 1.0)))


@st.cache_data(scope="session", max_entries=8, show_spinner=False)   # a child's own words: this visitor only
def piece_bars(text: str, rows: int = 10) -> bytes:
    """Each piece's 32 numbers, and how much the model listens to it. (A child's own words: remembered
    in this visitor's session only, never in a cache shared with others; tests/browser/test_session_cache_browser.py.)"""
    model = shipped()[0]
    reading, vectors = model.piece_vectors(text)
    listens = model.piece_weights(text)
    n = min(len(reading.pieces), rows)
    return bar_rows(reading.pieces[:n], vectors[:n], [i != UNK for i in reading.ids[:n]],
                    [f"{round(100 * float(w))}%" for w in listens[:n]])


@st.cache_data(show_spinner=False)
def meet_png() -> bytes:
    """A blue star, "蓝色的星星" and "a blue star" as 64 numbers each: nearly the same bars. A red fish: not."""
    model, pics, *_ = shipped()
    star = pics.images[np.flatnonzero((pics.kinds == world.KINDS.index("star")) & (pics.colors == world.COLORS.index("blue")))[0]]
    words = ["蓝色的星星", "a blue star", "a red fish"]
    with torch.no_grad():
        emb = torch.cat([model.encode_image(star[None]), model.encode_text(words)])
    cos = (emb @ emb[0]).numpy()
    return bar_rows([""] + words, emb.numpy(), right=[""] + [f"{score(c)}" for c in cos[1:]],
                    pictures=[upscale(star, 2), None, None, None])


@st.cache_resource(show_spinner=False)
def map_layout(words: tuple):
    """Where the fixed pictures and words sit on the map (frozen, the same for everyone, so shared)."""
    model = shipped()[0]
    many = world.make_pictures(2000, seed=7)
    chosen = [i for kind, colours in MAP_PICTURES for c in colours
              for i in np.flatnonzero((many.kinds == world.KINDS.index(kind)) & (many.colors == world.COLORS.index(c)))[:2]]
    images = many.images[chosen]
    with torch.no_grad():
        img, txt = model.encode_image(images), model.encode_text(list(words))
        mean, axes = M.map_axes(torch.cat([img, txt]))
        return images, M.place(img, mean, axes), M.place(txt, mean, axes), mean, axes


@st.cache_data(show_spinner=False, max_entries=1)
def plain_map_png(words: tuple) -> bytes:
    """The map with no word of the child's own: the same for everyone, so shared."""
    return map_png(words, "")


@st.cache_data(scope="session", max_entries=8, show_spinner=False)   # a child's own words: this visitor only
def map_png(words: tuple, extra: str) -> bytes:
    """Pictures and words on one map: the two directions in which their numbers differ most (PCA).
    `extra`, a child's own word, is placed on the same map (remembered per visitor, never shared)."""
    images, p_img, p_txt, mean, axes = map_layout(words)
    p_extra = None
    if extra:
        with torch.no_grad():
            p_extra = M.place(shipped()[0].encode_text([extra]), mean, axes)[0]
    return map_figure(images, p_img, words, p_txt, extra, p_extra)


def example(key: str) -> str:
    return f"{t_in('zh', key)} {t_in('en', key)}" if lang() == "both" else t(key)


def heard(model, text: str) -> bool:
    """Say what the model made of the words; False when it knows none of them (nothing to search for)."""
    reading = model.tokenizer.read(text)
    if not text.strip():
        st.info(t("matching.empty"))
        return False
    if reading.unknown:
        shown = plain(", ".join(reading.unknown[:8]) + (" …" if len(reading.unknown) > 8 else ""))
        st.warning(t("matching.never_seen", words=shown))
    if reading.truncated:
        st.caption(t("matching.too_long", n=MAX_PIECES))
    if not reading.meaningful:    # only unknown words, or only words like 的, 色, a: nothing to look for
        filler = [p for p, i in zip(reading.pieces, reading.ids) if i != UNK]
        if filler:
            st.info(t("words_no_meaning", words=plain(", ".join(dict.fromkeys(filler[:8])))))
        else:
            st.info(t("matching.nothing_known"))
        return False
    return True


# ── Words become numbers ───────────────────────────────────────────────────────────────────────
def try_odd(which: str) -> None:
    st.session_state["matching-words"] = ODD[which]


def pieces() -> None:
    model = shipped()[0]
    st.session_state.setdefault("matching-words", example("matching.example_words"))
    text = st.text_input(t("matching.type_words"), key="matching-words")
    labels = {"emoji": t("matching.odd_emoji"), "unknown": t("matching.odd_unknown"), "long": t("matching.odd_long"),
              "empty": t("matching.odd_empty")}
    for column, which in zip(st.columns(len(ODD)), ODD):
        column.button(labels[which], key=f"matching-odd-{which}", on_click=try_odd, args=(which,), width="stretch")
    if not heard(model, text) and not model.tokenizer.read(text).pieces:
        return
    reading = model.tokenizer.read(text)
    chips = " ".join(f"`{p}`" if i != UNK else f"`{p} ?`" for p, i in zip(reading.pieces[:40], reading.ids))
    st.markdown(f"**{t('matching.pieces_label')}** {chips}")
    st.image(piece_bars(text), caption=t("matching.bars_caption"))


# ── Watch it learn to match ────────────────────────────────────────────────────────────────────
def learning(trainer, state) -> None:
    grid = trainer.batch_similarity()
    st.image(grid_png(grid["images"], grid["texts"], grid["probs"]), caption=t("matching.grid_caption"))
    if state.history:
        chart = {"steps": [h["steps"] for h in state.history], "right": [100 * h["accuracy"] for h in state.history]}
        st.line_chart(chart, x="steps", y="right", height=160, x_label=t("matching.chart_x"), y_label=t("matching.chart_y"))


def trained_grid() -> None:
    grid = M.similarity_grid(shipped()[0], *M.shown_batch())
    st.image(grid_png(grid["images"], grid["texts"], grid["probs"]), caption=t("matching.grid_trained"))


def learn() -> None:
    live = LiveTraining("matching", M.MatcherTrainer, max_steps=1200, max_memory_mb=100)
    live.controls()
    live.panel(learning, waiting=trained_grid)


# ── Search pictures with words ─────────────────────────────────────────────────────────────────
def found(model, pics, emb, text: str, top: int = 6) -> list:
    order, cos = M.search(model, emb, text, top)
    show_row(pics.images[order], [t("matching.score", score=score(c)) for c in cos], scale=3)
    return list(order)


def search() -> None:
    model, pics, emb, _, _ = shipped()
    st.session_state.setdefault("matching-query", t_in("zh" if lang() == "both" else lang(), "matching.example_query"))
    text = st.text_input(t("matching.type_query"), key="matching-query")
    with st.container(key="matching-results"):
        if heard(model, text):
            found(model, pics, emb, text)
    st.markdown("**" + t("matching.two_languages") + "**")
    pairs = [(short_text(k, c, "zh", 0), short_text(k, c, "en", 1)) for k, c in ((7, 4), (2, 0), (1, -1), (9, 2))]
    chosen = st.segmented_control(t("matching.pick_pair"), range(len(pairs)), default=0, key="matching-pair",
                                  format_func=lambda i: " / ".join(pairs[i])) or 0
    same = set(found(model, pics, emb, pairs[chosen][0], 5)) & set(found(model, pics, emb, pairs[chosen][1], 5))
    st.success(t("matching.same_pictures", n=len(same), total=5))


# ── Find words for a picture ───────────────────────────────────────────────────────────────────
def describe() -> None:
    model, pics, emb, captions, caption_emb = shipped()
    choices = list(range(8))
    show_row(pics.images[:8], [str(i + 1) for i in choices], scale=3)
    pick = st.segmented_control(t("matching.pick_picture"), choices, default=0, key="matching-pick",
                                format_func=lambda i: str(i + 1))
    pick = 0 if pick is None else pick
    left, right = st.columns([1, 3], gap="large")
    left.image(upscale(pics.images[pick], 6), width="stretch")
    with right:
        for base in ("zh", "en"):
            order, cos = M.rank(emb[pick], caption_emb[base], top=3)
            st.markdown("**" + (t("matching.best_zh") if base == "zh" else t("matching.best_en")) + "**")
            st.markdown("\n".join(f"{n}. {captions[base][i]} · {t('matching.score', score=score(c))}"
                                  for n, (i, c) in enumerate(zip(order, cos), start=1)))


# ── The meaning map ────────────────────────────────────────────────────────────────────────────
def meaning_map() -> None:
    word = st.text_input(t("matching.map_word"), key="matching-map-word", placeholder=t("matching.map_hint"))
    if word.strip():
        heard(shipped()[0], word)
    extra = word.strip()
    picture = (map_png(tuple(MAP_WORDS), extra) if extra
            else plain_map_png(tuple(MAP_WORDS)))
    st.image(picture, caption=t("matching.map_caption"))


def honest() -> None:
    with st.container(border=True, key="matching-honest"):
        say("matching", "ui", "honest")


def meet() -> None:
    st.image(meet_png(), caption=t("matching.meet_caption"))


chapter("matching", {"why": meet, "pieces": pieces, "learn": learn, "search": search, "describe": describe,
                     "map": meaning_map, "honest": honest})
