"""Words become a picture: say what to draw, see which words it knows, watch it draw, change one word,
set how strictly it listens, words it never learned, watch it learn, an honest box, the grown-ups' part.
UI only: the model is models/words.py, the words are lessons/*/words.toml."""

import numpy as np
import streamlit as st

from models.words import WordsConfig, WordsTrainer, load_shipped
from ui.charts import quick_line
from ui.i18n import bases, load, t
from ui.layout import chapter, say
from ui.match_figures import bar_rows
from ui.pictures import show, show_grid, show_row
from ui.player import Labels, Player
from ui.training import LiveTraining
from ui import teach_word

N = 4                                       # pictures drawn at once, each from its own noise
TICK = 0.4                                  # seconds between animation frames
STRICT = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0)     # guidance strengths on the slider
LONG = "星" * 2500 + "star " * 500          # the 5,000-character example
LIVE_PROMPTS = ["red fish", "blue heart", "yellow sun"]
PLAYER = Player("words", tick=TICK)        # the drawing, step by step: words-frame, words:playing


@st.cache_resource(show_spinner=False)
def shipped():
    """The shipped words model: shared by every visitor, only ever used to draw."""
    return load_shipped()


def ideas(name: str) -> list:                             # a list from the lesson; bilingual: both lists
    return list(dict.fromkeys(idea for b in bases() for idea in load(b, "words")["ui"][name]))


def quoted(words: list) -> str:
    return "、".join(w if len(w) <= 20 else w[:19] + "…" for w in words[:8]) + (" …" if len(words) > 8 else "")


# A child's own words: this visitor only. One visit draws 10 (the words, each side of a changed word, the
# strictness picture and its row of six): with 8 kept, every click evicted what the next run needed and the
# page drew all of them again (2.2 s a rerun, measured in AppTest; 0.1 s with all kept).
@st.cache_data(scope="session", max_entries=24, show_spinner=False)
def drawing(prompt: str, seed: int, guidance=None, n: int = N, steps: bool = False):
    """The child's own words drawn: remembered in their session only, never in a cache others share."""
    return shipped().sample(prompt, n, seed=seed, guidance=guidance, return_all=steps)


@st.cache_data(scope="session", max_entries=8, show_spinner=False)   # a child's own words: this visitor only
def bars(text: str):
    """Each of the first ten pieces' numbers as a row of bars, grey where the model never learned it."""
    reading = shipped().reader.reading(text)
    ids, embed = reading.ids[:10], shipped().reader.encoder.embed.weight
    return bar_rows(reading.pieces[:10], embed[ids].detach().numpy(), [i != 1 for i in ids])


@st.cache_data(show_spinner=False, max_entries=1)
def finished_pictures():
    """What the ready-trained model makes of the live prompts (the same for every visitor)."""
    return shipped().sample(LIVE_PROMPTS, 3, seed=0)


def verdict(text: str) -> bool:
    """A friendly word about what the model can read in `text`; True when it knows at least one word."""
    reading, known = shipped().reader.reading(text), shipped().knows_any(text)
    if reading.truncated:
        st.caption(t("words.too_long"))
    if not text.strip():
        st.info(t("words.empty"))
    elif not known:
        st.warning(t("words.knows_none", words=quoted(reading.unknown)))
    elif reading.unknown:
        st.info(t("words.knows_some", words=quoted(reading.unknown)))
    return known


def prompt() -> str:
    return st.session_state.get("words-prompt", ideas("ready_prompts")[0])


def _copy(source: str, *targets: str) -> None:          # a tapped idea into the box(es): "a cat | a fish" fills two
    if st.session_state.get(source):
        for key, words in zip(targets, st.session_state[source].split("|")):
            st.session_state[key] = words.strip()
        PLAYER.goto(0, playing=True)


# ── 1. Say what to draw ────────────────────────────────────────────────────────────────────────
def ask() -> None:
    st.session_state.setdefault("words-prompt", prompt())
    st.text_input(t("words.prompt_label"), key="words-prompt", placeholder=t("words.prompt_placeholder"),
                  on_change=PLAYER.goto, args=(0, True))
    st.pills(t("words.ready"), ideas("ready_prompts"), key="words-ready", on_change=_copy, args=("words-ready", "words-prompt"))
    st.button(t("words.draw_button"), key="words-draw", type="primary", on_click=PLAYER.goto, args=(0, True))
    text, reading = prompt(), shipped().reader.reading(prompt())
    if verdict(text) or reading.pieces:        # each piece's numbers as bars, grey where it never learned it
        show(bars(text), caption=t("words.pieces_caption"))


# ── 2. Watch it draw ───────────────────────────────────────────────────────────────────────────
def watch() -> None:
    text, seed = prompt(), st.session_state.get("words:seed", 1)
    if not verdict(text):
        return
    run = drawing(text, seed, steps=True)
    total = len(run.frames) - 1
    PLAYER.bar(total, Labels.of("words"), extra=lambda: st.button(
        t("words.new_noise"), key="words-new-noise", width="stretch",
        on_click=lambda: st.session_state.update({"words:seed": seed + 1}) or PLAYER.goto(0, playing=True)))
    st.caption(t("words.noise_number", seed=seed))

    def screen(step: int) -> None:
        now, guess = st.columns(2, gap="large")
        with now:
            show_grid(run.frames[step], cols=2, scale=4,
                      caption=t("words.now_caption", step=step, total=total, pct=round(100 * run.levels[step])))
        with guess:
            done = step >= total
            show_grid(run.frames[total] if done else run.guesses[step], cols=2, scale=4,
                      caption=t("words.finished_caption", prompt=text[:40]) if done else t("words.guess_caption"))

    PLAYER.screen(total, screen, scrub=t("words.step_slider"))


# ── 3. Change one word ─────────────────────────────────────────────────────────────────────────
def change() -> None:
    for key, words in zip(("words-left", "words-right"), ideas("change_pairs")[0].split("|")):
        st.session_state.setdefault(key, words.strip())
    st.pills(t("words.change_pick"), ideas("change_pairs"), key="words-pair", on_change=_copy,
             args=("words-pair", "words-left", "words-right"))
    seed = st.session_state.get("words:seed", 1)
    for column, key, label in zip(st.columns(2, gap="large"), ("words-left", "words-right"), ("left", "right")):
        with column:
            text = st.text_input(t(f"words.change_{label}"), key=key)
            if verdict(text):
                show_grid(drawing(text, seed), cols=2, scale=4, alt=t("words.finished_caption", prompt=text[:40]))


# ── 4. How strictly to follow the words ────────────────────────────────────────────────────────
def strict() -> None:
    names = {STRICT[0]: t("words.strict_own"), STRICT[-1]: t("words.strict_exact")}
    w = st.select_slider(t("words.strict_slider"), STRICT, value=3.0, key="words-strict",
                         format_func=lambda v: names.get(v, f"{v:g}"))
    text, seed = prompt(), st.session_state.get("words:seed", 1)
    if verdict(text):
        show_grid(drawing(text, seed, guidance=w), cols=4, scale=4,
                  caption=t("words.strict_caption", w=f"{w:g}", prompt=text[:40]))
        show_row(np.stack([drawing(text, seed, guidance=v, n=1)[0] for v in STRICT]),
                 [names.get(v, f"{v:g}") for v in STRICT], scale=3)


# ── 5. Words it never learned ──────────────────────────────────────────────────────────────────
def unknown() -> None:
    examples = ideas("unknown_examples") + [LONG]
    pick = st.pills(t("words.unknown_try"), range(len(examples)), key="words-unknown",
                    format_func=lambda i: examples[i] if i < len(examples) - 1 else t("words.long_button"))
    if pick is not None and verdict(examples[pick]):
        reading = shipped().reader.reading(examples[pick])
        known = list(dict.fromkeys(p for p, i in zip(reading.pieces, reading.ids) if i != 1))
        show_grid(drawing(examples[pick], 1), cols=4, scale=3, caption=t("words.unknown_drew", words=quoted(known)))


# ── 6. Watch it learn ──────────────────────────────────────────────────────────────────────────
def learn() -> None:
    live = LiveTraining("words", lambda: WordsTrainer(WordsConfig.live(), reader=shipped().reader), max_steps=4000)
    live.controls()

    def draw(seen: dict, state) -> None:
        now, chart = st.columns([1.2, 1], gap="large")
        with now:
            # Drawn from a copy of the model (its drawing_copy), so the run goes on learning meanwhile.
            steps, pictures = live.now_and_then("now", lambda twin: np.concatenate(
                [twin.sample(LIVE_PROMPTS, 3, seed=0), twin.sample(LIVE_PROMPTS, 3, seed=0, guidance=0)]),
                copy=seen["copy"])
            show_grid(pictures, cols=3, scale=4, caption=t("words.learn_now", steps=steps))
            st.caption(t("words.learn_rows"))
        with chart:
            if seen["history"]:
                st.caption(t("words.learn_loss"))
                quick_line([h["steps"] for h in seen["history"]], [h["loss"] for h in seen["history"]],
                           alt_text=t("words.learn_loss"), height=180)

    def waiting() -> None:
        st.caption(t("words.learn_waiting"))
        show_grid(finished_pictures(), cols=3, scale=4, alt=t("words.learn_waiting"))

    live.panel(draw, waiting=waiting,
               look=lambda trainer: {"copy": trainer.drawing_copy, "history": list(live.state.history)})


def honest() -> None:
    with st.container(border=True, key="words-honest"):
        say("words", "ui", "honest")


chapter("words", {"say": ask, "draw": watch, "change": change, "strict": strict, "unknown": unknown,
                  "learn": learn, "teach": lambda: teach_word.section(shipped()), "honest": honest})
