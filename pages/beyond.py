"""Beyond pictures: the same ideas make music, video and text. Three parts, each a story, a small model
learning live with the shared training controls, and an honest box. UI only: models/music.py,
models/text_gen.py; the video part in ui/beyond_video.py (models/video.py); pictures in
ui/beyond_figures.py; words in lessons/*/beyond.toml."""

import streamlit as st

from models import music as mu
from models import text_gen as tg
from ui.beyond_figures import piano_roll
from ui.beyond_parts import honest, loss_chart
from ui.beyond_video import video_part
from ui.i18n import bases, in_each, lang, t, t_in
from ui.layout import aside, chapter, presenting
from ui.pictures import show
from ui.training import LiveTraining

MOODS = {"happy": (132, "C4 E4 G4", 0.9), "sleepy": (72, "G4 E4", 0.6), "silly": (160, "", 1.4)}  # bpm, start, temperature
KEYS = ["C4", "D4", "E4", "F4", "G4", "A4", "B4", "C5"]
TEMPS = {0.4: "careful", 1.0: "middle", 1.8: "adventurous"}
MUSIC_STEPS, TEXT_STEPS = 3000, 4000


# ── 1. Music ───────────────────────────────────────────────────────────────────────────────────
def _tap(name: str) -> None:
    st.session_state["beyond-notes"] = (st.session_state.get("beyond-notes", "") + " " + name).strip()


def _clear() -> None:
    st.session_state["beyond-notes"] = ""


def start_notes(mood: str):
    """The child's notes (typed or tapped), else the mood's; None (and a friendly word) if unreadable."""
    typed = st.session_state.get("beyond-notes", "")
    try:
        return mu.parse_start(typed or MOODS[mood][1]), bool(typed.strip())
    except ValueError as e:
        st.warning(t("beyond.notes_unknown", word=str(e)[:12]))
        return None, True


def music_live() -> LiveTraining:
    return LiveTraining("beyond-music", lambda: mu.MusicTrainer(mu.MusicConfig.live()), max_steps=MUSIC_STEPS,
                        max_memory_mb=20)


def music_learn() -> None:
    live = music_live()
    live.controls()

    def look(trainer) -> tuple:              # with the run's lock held: the model's part only
        return live.now_and_then("tune", lambda: trainer.generate(8, 1.0, seed=0)), list(live.state.history)

    def draw(seen, state) -> None:           # without it: Streamlit's part, while the run learns on
        (steps, notes), history = seen
        show(piano_roll(notes), caption=t("beyond.roll_now", steps=steps))
        loss_chart(history)

    live.panel(draw, look=look)


def music_play() -> None:
    live = music_live()
    mood = aside().pills(t("beyond.mood"), list(MOODS), default="happy", key="beyond-mood",
                         persist_state="session", format_func=lambda m: t(f"beyond.moods.{m}")) or "happy"
    st.caption(t("beyond.tap"))
    *keys, bin_ = st.columns([1] * len(KEYS) + [1.2])
    for column, name in zip(keys, KEYS):
        column.button(t(f"beyond.keys.{name}"), key=f"beyond-key-{name}", on_click=_tap, args=(name,), width="stretch")
    bin_.button(t("beyond.clear"), key="beyond-clear", on_click=_clear, width="stretch")
    st.text_input(t("beyond.notes_label"), key="beyond-notes", placeholder="C D E C · do re mi · 1 2 3")
    if st.button(t("beyond.play"), key="beyond-play", type="primary"):
        start, own = start_notes(mood)
        if start is not None:
            bpm, _, temperature = MOODS[mood]
            notes = live.trainer.generate(8, temperature, start=start, seed=live.steps)
            st.session_state["beyond:tune"] = (notes, len(start) if own else 0, bpm, live.steps)
    if "beyond:tune" in st.session_state:
        notes, own, bpm, steps = st.session_state["beyond:tune"]
        st.audio(mu.wav_bytes(mu.synth(notes, bpm)), format="audio/wav")
        show(piano_roll(notes, start_notes=own), caption=t("beyond.roll_played", steps=steps, n=len(notes)))
        keyed = mu.in_key(notes)
        st.caption(t("beyond.measures", keyed=0 if keyed != keyed else round(100 * keyed), bars=round(100 * mu.fits_bars(notes))))
    with aside():                          # classroom mode: under the mood, so a tune played still fits
        honest("music")
    if not presenting():                   # a list to read, not to project: the screen stays one screen
        tune_sources()


def tune_sources() -> None:
    """Where the ten real tunes come from: their names and origins from the lessons' [ui.tunes] table
    (keyed by models/music.py TUNES; SOURCES there says it for grown-ups), then the rule-made rest."""
    def line(base: str, tune: str) -> str:
        return t_in(base, "beyond.tune_line", name=t_in(base, f"beyond.tunes.{tune}.name"),
                    origin=t_in(base, f"beyond.tunes.{tune}.origin"))

    with st.expander(t("beyond.tunes_title")):
        st.markdown(t("beyond.tunes_intro"))
        st.markdown("\n".join("- " + in_each(lambda b, tune=tune: line(b, tune)) for tune in mu.TUNES))
        st.markdown(t("beyond.tunes_rest", n=mu.MusicConfig().n_composed))


# ── 3. Text ────────────────────────────────────────────────────────────────────────────────────
def writing(trainer, temperature: float, n: int = 3, seed: int = 0) -> list[str]:
    return [trainer.write(lg, "", temperature, seed=seed + i) for lg in bases() for i in range(n)]


def text_live() -> LiveTraining:
    return LiveTraining("beyond-text", lambda: tg.TextTrainer(tg.TextConfig.live()), max_steps=TEXT_STEPS,
                        max_memory_mb=20)


def text_learn() -> None:
    live = text_live()
    live.controls()

    def look(trainer) -> tuple:
        return live.now_and_then("lines", lambda: writing(trainer, 1.0)), list(live.state.history)

    def draw(seen, state) -> None:
        (steps, lines), history = seen
        st.caption(t("beyond.writes_now", steps=steps))
        st.markdown("\n".join(f"- {line}" for line in lines))
        loss_chart(history)

    live.panel(draw, look=look)


def text_play() -> None:
    live = text_live()
    st.caption(t("beyond.temp_note"))
    if st.button(t("beyond.temp_show"), key="beyond-temps"):
        st.session_state["beyond:temps"] = {temp: writing(live.trainer, temp, 2, seed=7) for temp in TEMPS}
    for column, (temp, lines) in zip(st.columns(len(TEMPS)), st.session_state.get("beyond:temps", {}).items()):
        column.markdown(f"**{t(f'beyond.temps.{TEMPS[temp]}')}**\n\n" + "\n".join(f"- {x}" for x in lines))
    typed = st.text_input(t("beyond.finish_label"), key="beyond-start", placeholder=t("beyond.finish_hint"))
    if st.button(t("beyond.finish"), key="beyond-finish", type="primary"):
        finish(live.trainer, typed)
    with aside():
        honest("text")


def finish(trainer, typed: str) -> None:
    start = tg.clean_start(typed)
    unknown = trainer.vocab.unknown(start)
    if not start.strip():
        st.info(t("beyond.finish_empty"))
    elif unknown:
        st.info(t("beyond.finish_unknown", chars=" ".join(unknown[:8])))
    else:
        if len(tg.clean_start(typed, keep=None)) > len(start):        # the same cut as the command line
            st.caption(t("beyond.finish_long", n=tg.MAX_PROMPT))
        lg = tg.guess_lang(start, "zh" if lang() == "zh" else "en")
        st.success(" · ".join(trainer.write(lg, start, 0.8, seed=i) for i in range(3)))


# Each part: a screen of learning, then a screen of playing with it (classroom mode: one part each).
chapter("beyond", {"music": (music_learn, music_play), "video": video_part, "text": (text_learn, text_play)})
