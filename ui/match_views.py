"""The matching chapter's widgets: what the model made of a child's words, the odd-words buttons, the
learning grid. The figures themselves are drawn in ui/match_figures.py; the maths is models/matcher.py."""

from __future__ import annotations

import re
import weakref

import streamlit as st

from models import matcher as M
from models.tokenizer import MAX_PIECES, UNK
from ui.charts import quick_line
from ui.i18n import lang, t
from ui.layout import presenting
from ui.match_figures import grid_png
from ui.pictures import show

ODD = {"emoji": "🐱🌟🚀", "unknown": "恐龙 dinosaur", "long": "星" * 2500 + "star " * 500, "empty": ""}


def plain(words: str) -> str:
    """A child's own words shown as they are, not as Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", words)


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


def odd_buttons(key: str) -> None:
    """A button for each odd input (emoji, unknown words, 5,000 characters, nothing) that puts it into
    the text box `key`."""
    labels = {"emoji": t("matching.odd_emoji"), "unknown": t("matching.odd_unknown"), "long": t("matching.odd_long"),
              "empty": t("matching.odd_empty")}
    for column, which in zip(st.columns(len(ODD)), ODD):
        column.button(labels[which], key=f"matching-odd-{which}", width="stretch",
                      on_click=lambda w: st.session_state.update({key: ODD[w]}), args=(which,))


def chips(reading) -> str:
    """The pieces the model reads, as `code` chips, "?" on the ones it never learned."""
    return " ".join(f"`{p}`" if i != UNK else f"`{p} ?`" for p, i in zip(reading.pieces[:40], reading.ids))


GRID_DRAWN = "matching:grid-drawn"      # this visitor's live grid: (its trainer, (steps, classroom, language), PNG)


def grid(similarity: dict, caption: str) -> None:
    """A picture-by-words grid (models.matcher.similarity_grid or MatcherTrainer.batch_similarity)."""
    show(grid_png(similarity["images"], similarity["texts"], similarity["probs"], big=presenting()), caption=caption)


def look(trainer) -> tuple:
    """With the run's lock held (LiveTraining.panel's `look`): (trainer, what the grid is drawn for,
    the shown batch's similarity, or None when the grid on screen is still the model as it is)."""
    drawn, now = st.session_state.get(GRID_DRAWN), (trainer.steps, presenting(), lang())
    fresh = drawn is None or drawn[0]() is not trainer or drawn[1] != now
    return trainer, now, trainer.batch_similarity() if fresh else None


def learning(seen: tuple, state) -> None:
    """The live matcher's grid now, and how often it matched right so far (classroom mode: side by side,
    so both fit the projector's screen). `seen`: look()'s, drawn without the run's lock."""
    trainer, now, similarity = seen
    left, right = st.columns([2, 1]) if presenting() else (st.container(), st.container())
    with left:
        # The grid (Pillow, ~50 ms; matplotlib's was 0.25 s, ui/match_figures.py) is drawn again only when
        # the model has learned since, not on every click elsewhere on the page (a warm rerun was 0.43 s,
        # then 0.16 s), and without the run's lock, so the worker goes on training meanwhile (with it held,
        # in Chromium: the app trained at 0.81 of the command line's steps, bench live_browser).
        if similarity is not None:
            st.session_state[GRID_DRAWN] = (weakref.ref(trainer), now, grid_png(
                similarity["images"], similarity["texts"], similarity["probs"], big=presenting()))
        show(st.session_state[GRID_DRAWN][2], caption=t("matching.grid_caption"))
    if state.history:
        with right:
            quick_line([h["steps"] for h in state.history], [100 * h["accuracy"] for h in state.history],
                       alt_text=t("matching.chart_y"), height=300 if presenting() else 160, x_title=t("matching.chart_x"), y_title=t("matching.chart_y"))


def best_words(captions: dict, caption_emb: dict, picture_emb) -> None:
    """The three captions nearest one picture's vector (D,), in each language, with their scores."""
    for base in ("zh", "en"):
        order, cos = M.rank(picture_emb, caption_emb[base], top=3)
        st.markdown("**" + (t("matching.best_zh") if base == "zh" else t("matching.best_en")) + "**")
        st.markdown("\n".join(f"{n}. {captions[base][i]} · {t('matching.score', score=M.match_score(c))}"
                              for n, (i, c) in enumerate(zip(order, cos), start=1)))
