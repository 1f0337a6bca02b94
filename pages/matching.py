"""How AI reads words and matches them to pictures: words become numbers, watch a matcher learn, search
pictures with words, find words for a picture, the meaning map, and an honest box.
UI only: the model is models/matcher.py, the words are lessons/*/matching.toml."""

import io
import re
import unicodedata

import numpy as np
import streamlit as st
import torch
from matplotlib.patches import Rectangle

from models import matcher as M
from models import world
from models.tokenizer import MAX_PIECES, UNK, full_captions, short_text
from ui.charts import figure
from ui.i18n import lang, t, t_in
from ui.layout import chapter, say
from ui.memo import per_visitor
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


# ── Drawing (matplotlib figures become PNGs: cached, and quick to send) ─────────────────────────
def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def plain(words: str) -> str:
    """A child's own words shown as they are, not as Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", words)


def drawable(words: str, most: int = 12) -> str:
    """Words for a figure: symbols its font cannot draw (emoji) become "?", and long words are cut."""
    words = "".join("?" if unicodedata.category(ch) in ("So", "Co", "Cs") else ch for ch in words)
    return words if len(words) <= most else words[: most - 1] + "…"


def score(cos: float) -> int:
    """How well a picture and words match, 0..100 (the cosine of their two arrows, below 0 counted as 0)."""
    return int(round(100 * min(max(float(cos), 0.0), 1.0)))


def bar_rows(labels, vectors, known=None, right=None, pictures=None) -> bytes:
    """Each row's numbers as coloured bars (orange up, blue down), a label or a picture on the left."""
    n = len(vectors)
    fig = figure(7.5, 0.55 * n + 0.3)
    top = max(float(np.abs(vectors).max()), 1e-6)
    for i in range(n):
        ax = fig.add_subplot(n, 1, i + 1)
        v, ok = vectors[i], known is None or known[i]
        colours = np.where(v > 0, "#f08a24", "#3b78d8") if ok else "#c8c8c8"
        ax.bar(np.arange(len(v)), v if ok else np.full(len(v), 0.15 * top), color=colours, width=0.8)
        ax.set(xticks=[], yticks=[], ylim=(-top, top), xlim=(-0.5, len(v) - 0.5))
        ax.axhline(0, color="#999999", lw=0.5)
        for side in ax.spines.values():
            side.set_visible(False)
        if pictures is not None and pictures[i] is not None:
            ax.imshow(pictures[i], extent=(-len(v) * 0.09, -len(v) * 0.01, -top, top), aspect="auto")
            ax.set_xlim(-len(v) * 0.1, len(v) - 0.5)
        else:
            ax.set_ylabel(drawable(labels[i], 12) + ("" if ok else " ?"), rotation=0, ha="right", va="center",
                          fontsize=12, color="#222222" if ok else "#999999")
        if right is not None:
            ax.text(1.01, 0.5, right[i], transform=ax.transAxes, va="center", fontsize=10)
    return png(fig)


def piece_bars(text: str, rows: int = 10) -> bytes:
    """Each piece's 32 numbers, and how much the model listens to it. (A child's own words: remembered
    per visitor with ui.memo, never in the shared cache.)"""
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


def grid_png(images, texts, probs) -> bytes:
    """Pictures down the side, words along the top; the brighter a square, the better the model says they match."""
    n, m = probs.shape
    fig = figure(6.4, 5.2)
    ax = fig.add_subplot()
    ax.imshow(probs, cmap="YlOrRd", vmin=0, vmax=1, extent=(0, m, n, 0))
    for i, im in enumerate(images):
        ax.imshow(im, extent=(-1.05, -0.05, i + 0.95, i + 0.05))
    for i in range(n):
        ax.add_patch(Rectangle((i, i), 1, 1, fill=False, ec="#2a9d3a", lw=2.5))
        for j in range(m):
            ax.text(j + 0.5, i + 0.5, f"{round(100 * probs[i, j])}", ha="center", va="center", fontsize=9,
                    color="white" if probs[i, j] > 0.6 else "#333333")
    ax.set(xlim=(-1.1, m), ylim=(n, 0))
    ax.set_xticks(np.arange(m) + 0.5, [x if len(x) <= 22 else x[:21] + "…" for x in texts], rotation=35,
                  ha="left", fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    return png(fig)


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


def map_png(words: tuple, extra: str) -> bytes:
    """Pictures and words on one map: the two directions in which their numbers differ most (PCA).
    `extra`, a child's own word, is placed on the same map (remembered per visitor, never shared)."""
    images, p_img, p_txt, mean, axes = map_layout(words)
    p_extra = None
    if extra:
        with torch.no_grad():
            p_extra = M.place(shipped()[0].encode_text([extra]), mean, axes)[0]
    fig = figure(7.5, 6)
    ax = fig.add_subplot()
    half = 0.04 * (p_img.max() - p_img.min())
    for (x, y), im in zip(p_img, images):
        ax.imshow(im, extent=(x - half, x + half, y - half, y + half), zorder=1)
    groups: list = []        # words that land in (nearly) the same place share one label
    for w, p in zip(words, p_txt):
        near = next((g for g in groups if np.hypot(*(g[0] - p)) < half), None)
        if near is None:
            groups.append((p, [w]))
        else:
            near[1].append(w)
    for p, ws in groups:
        ax.text(*p, "\n".join(ws), fontsize=10, ha="center", va="center", zorder=3,
                bbox=dict(boxstyle="round", fc="white", ec="#888888", alpha=0.9))
    if p_extra is not None:
        ax.text(*p_extra, drawable(extra, 20), fontsize=12, ha="center", va="center",
                zorder=4, color="white", bbox=dict(boxstyle="round", fc="#d6336c", ec="none"))
    every = np.concatenate([p_img, p_txt] + ([p_extra[None]] if p_extra is not None else []))
    ax.set_xlim(every[:, 0].min() - 3 * half, every[:, 0].max() + 3 * half)
    ax.set_ylim(every[:, 1].min() - 2 * half, every[:, 1].max() + 2 * half)
    ax.set(xticks=[], yticks=[])
    return png(fig)


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
    if len(reading.unknown) == len(set(reading.pieces)):
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
    st.image(per_visitor("matching-bars", text, lambda: piece_bars(text)), caption=t("matching.bars_caption"))


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
    picture = (per_visitor("matching-map", extra, lambda: map_png(tuple(MAP_WORDS), extra)) if extra
            else plain_map_png(tuple(MAP_WORDS)))
    st.image(picture, caption=t("matching.map_caption"))


def honest() -> None:
    with st.container(border=True, key="matching-honest"):
        say("matching", "ui", "honest")


def meet() -> None:
    st.image(meet_png(), caption=t("matching.meet_caption"))


chapter("matching", {"why": meet, "pieces": pieces, "learn": learn, "search": search, "describe": describe,
                     "map": meaning_map, "honest": honest})
