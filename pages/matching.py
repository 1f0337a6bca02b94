"""How AI reads words and matches them to pictures: words become numbers, watch a matcher learn, search
pictures with words, find words for a picture, the meaning map, and an honest box.
UI only: the model (and its maths: scores, the map) is models/matcher.py, the widgets ui/match_views.py,
the figures ui/match_figures.py, the words lessons/*/matching.toml."""

import numpy as np
import streamlit as st
import torch

from models import matcher as M
from models import world
from models.tokenizer import UNK, full_captions, short_text
from ui.i18n import first_base, in_each, t, t_in
from ui.layout import aside, chapter, presenting, say
from ui.match_figures import bar_rows, map_figure
from ui.match_views import best_words, chips, grid, heard, learning, look, odd_buttons
from ui.pictures import described, show, show_row, upscale
from ui.training import LiveTraining

GALLERY = 48
MAP_PICTURES = (("cat", ("brown", "orange", "purple")), ("fish", ("red", "blue", "green")),   # two of each
                ("star", ("blue", "yellow", "pink")), ("sun", ("yellow", "orange", "red")), ("car", ("red", "green", "blue")))
MAP_WORDS = ("猫", "cat", "a drawing of a cat", "红色的鱼", "red fish", "蓝色的星星", "a blue star", "太阳", "sun", "汽车", "a car")


@st.cache_resource(show_spinner=False)
def shipped():
    """The shipped matcher and what it thinks of a fixed gallery and caption list (frozen, shared)."""
    model = M.load_shipped()
    pics = world.make_pictures(GALLERY, seed=2024)
    captions = {b: full_captions(b) for b in ("zh", "en")}
    with torch.no_grad():
        return model, pics, model.encode_image(pics.images), captions, {b: model.encode_text(c) for b, c in captions.items()}


# ── Figures, remembered (drawn by ui/match_figures.py) ────────────────────────────────────────
@st.cache_data(scope="session", max_entries=8, show_spinner=False)   # a child's own words: this visitor only
def piece_bars(text: str, rows: int = 10, big: bool = False) -> bytes:
    """Each piece's 32 numbers, and how much the model listens to it. (A child's own words: remembered
    in this visitor's session only, never in a cache shared with others; tests/browser/test_session_cache_browser.py.)"""
    model = shipped()[0]
    reading, vectors = model.piece_vectors(text)
    listens = model.piece_weights(text)
    n = min(len(reading.pieces), rows)
    return bar_rows(reading.pieces[:n], vectors[:n], [i != UNK for i in reading.ids[:n]],
                    [f"{round(100 * float(w))}%" for w in listens[:n]], big=big)


@st.cache_data(show_spinner=False, max_entries=2)
def meet_png(big: bool = False) -> bytes:
    """A blue star, "蓝色的星星" and "a blue star" as 64 numbers each: nearly the same bars. A red fish: not."""
    model, pics, *_ = shipped()
    star = pics.images[np.flatnonzero((pics.kinds == world.KINDS.index("star")) & (pics.colors == world.COLORS.index("blue")))[0]]
    words = ["蓝色的星星", "a blue star", "a red fish"]
    vectors, cos = M.picture_and_words(model, star, words)
    return bar_rows([""] + words, vectors, right=[""] + [f"{M.match_score(c)}" for c in cos],
                    pictures=[upscale(star, 2), None, None, None], big=big)


@st.cache_resource(show_spinner=False)
def map_layout(words: tuple):
    """The fixed pictures and words on the meaning map (frozen, the same for everyone, so shared)."""
    many = world.make_pictures(2000, seed=7)
    chosen = [i for kind, colours in MAP_PICTURES for c in colours
              for i in np.flatnonzero((many.kinds == world.KINDS.index(kind)) & (many.colors == world.COLORS.index(c)))[:2]]
    return many.images[chosen], M.meaning_map(shipped()[0], many.images[chosen], list(words))


@st.cache_data(show_spinner=False, max_entries=2)
def plain_map_png(words: tuple, big: bool = False) -> bytes:
    """The map with no word of the child's own: the same for everyone, so shared."""
    return map_png(words, "", big)


@st.cache_data(scope="session", max_entries=8, show_spinner=False)   # a child's own words: this visitor only
def map_png(words: tuple, extra: str, big: bool = False) -> bytes:
    """Pictures and words on one map; `extra`, a child's own word, placed on the same map (remembered
    per visitor, never shared)."""
    images, layout = map_layout(words)
    p_extra = layout.place(shipped()[0], [extra])[0] if extra else None
    return map_figure(images, layout.images_xy, words, layout.words_xy, extra, p_extra, big)


# ── Words become numbers ───────────────────────────────────────────────────────────────────────
def pieces() -> None:
    model = shipped()[0]
    st.session_state.setdefault("matching-words", in_each(lambda b: t_in(b, "matching.example_words"), sep=" "))
    text = st.text_input(t("matching.type_words"), key="matching-words")
    odd_buttons("matching-words")
    if not heard(model, text) and not model.tokenizer.read(text).pieces:
        return
    st.markdown(f"**{t('matching.pieces_label')}** {chips(model.tokenizer.read(text))}")
    show(piece_bars(text, big=presenting()), caption=t("matching.bars_caption"))


# ── Watch it learn to match ────────────────────────────────────────────────────────────────────
def learn() -> None:
    live = LiveTraining("matching", M.MatcherTrainer, max_steps=1200, max_memory_mb=100)
    live.controls()
    live.panel(learning, look=look,
               waiting=lambda: grid(M.similarity_grid(shipped()[0], *M.shown_batch()), t("matching.grid_trained")))


# ── Search pictures with words ─────────────────────────────────────────────────────────────────
def found(text: str, top: int = 6) -> list:
    """The `top` gallery pictures nearest the words, shown with their scores, six to a row; their indices."""
    model, pics, emb, _, _ = shipped()
    order, cos = M.search(model, emb, text, top)
    show_row(pics.images[order], [t("matching.score", score=M.match_score(c)) for c in cos], scale=3,
             cols=6, alts=described(pics, order))
    return list(order)


def search() -> None:
    st.session_state.setdefault("matching-query", t_in(first_base(), "matching.example_query"))
    text = aside().text_input(t("matching.type_query"), key="matching-query")   # classroom: under the words
    with st.container(key="matching-results"):
        if heard(shipped()[0], text):
            found(text)
    pairs = [(short_text(k, c, "zh", 0), short_text(k, c, "en", 1)) for k, c in ((7, 4), (2, 0), (1, -1), (9, 2))]
    with aside():
        st.markdown("**" + t("matching.two_languages") + "**")
        chosen = st.segmented_control(t("matching.pick_pair"), range(len(pairs)), default=0, key="matching-pair",
                                      format_func=lambda i: " / ".join(pairs[i])) or 0
    same = set(found(pairs[chosen][0], 5)) & set(found(pairs[chosen][1], 5))
    aside().success(t("matching.same_pictures", n=len(same), total=5))


# ── Find words for a picture ───────────────────────────────────────────────────────────────────
def describe() -> None:
    model, pics, emb, captions, caption_emb = shipped()
    choices = list(range(8))
    show_row(pics.images[:8], [str(i + 1) for i in choices], scale=3, alts=described(pics, choices))
    pick = st.segmented_control(t("matching.pick_picture"), choices, default=0, key="matching-pick",
                                format_func=lambda i: str(i + 1))
    pick = 0 if pick is None else pick
    left, right = st.columns([1, 3], gap="large")
    show(pics.images[pick], scale=6, width="stretch", where=left, alt=described(pics, [pick])[0])
    with right:
        best_words(captions, caption_emb, emb[pick])


# ── The meaning map ────────────────────────────────────────────────────────────────────────────
def meaning_map() -> None:
    word = st.text_input(t("matching.map_word"), key="matching-map-word", placeholder=t("matching.map_hint"))
    if word.strip():
        heard(shipped()[0], word)
    extra = word.strip()
    big = presenting()
    show(map_png(MAP_WORDS, extra, big) if extra else plain_map_png(MAP_WORDS, big), caption=t("matching.map_caption"))


def honest() -> None:
    with st.container(border=True, key="matching-honest"):
        say("matching", "ui", "honest")


def meet() -> None:
    show(meet_png(presenting()), caption=t("matching.meet_caption"))


chapter("matching", {"why": meet, "pieces": pieces, "learn": learn, "search": search, "describe": describe,
                     "map": meaning_map, "honest": honest})
