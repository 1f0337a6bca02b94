"""One player for every film the app plays: Play / Pause, One step, Back to start, an optional scrub
slider, and a fragment that moves one frame a tick while playing.

    player = Player("diffusion", tick=0.3)                   # state: diffusion-frame, diffusion:playing
    player.bar(last, Labels.of("diffusion"), extra=...)      # the buttons (outside the tick)
    player.screen(last, lambda frame: show(frame), scrub=t("diffusion.step_slider"))   # the ticking part

Used by the GAN's recorded duel, the diffusion cleaning and the words drawing. The bar alone
(`bar(...)`, with your own callbacks) suits a player whose frames are not a list, e.g. live training.

How it behaves (the tests in tests/test_diffusion_page.py, test_gan_page.py and test_words_page.py
hold it to this):
- Play at the last frame starts again from frame 0; One step is off while playing or at the end;
  Back to start stops and goes to frame 0.
- Each run of `screen` while playing shows the next frame (in AppTest one `run()` is one tick).
- It stops one tick AFTER the last frame is shown, not in the tick that shows it: a rerun of the whole
  page takes a slider's value from the browser, which had not yet seen the last frame (the film then
  stopped at 19 of 20 and never said it was finished).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Callable

import streamlit as st

from ui.i18n import t
from ui.layout import guard


@dataclass(frozen=True)
class Labels:
    """The bar's words, already in the reader's language."""
    play: str
    pause: str
    step: str
    reset: str

    @classmethod
    def training(cls) -> "Labels":
        """Start / Pause / One step / Start over, as on the live-training bar (lessons/*/ui.toml)."""
        return cls(t("train_start"), t("train_pause"), t("train_step"), t("train_reset"))

    @classmethod
    def of(cls, chapter: str) -> "Labels":
        """A chapter's own words: the [ui] keys play, stop, one_step and back_to_start of its lesson."""
        return cls(t(f"{chapter}.play"), t(f"{chapter}.stop"), t(f"{chapter}.one_step"), t(f"{chapter}.back_to_start"))


@dataclass(frozen=True)
class Keys:
    """Widget keys of the bar (browser tests find `.st-key-<key>`); play == pause makes one button."""
    play: str
    pause: str
    step: str
    reset: str

    @classmethod
    def of(cls, key: str) -> "Keys":
        return cls(f"{key}-play", f"{key}-play", f"{key}-one-step", f"{key}-rewind")

    @classmethod
    def training(cls, key: str) -> "Keys":
        """The live-training names: <key>-start, -pause, -step, -reset."""
        return cls(f"{key}-start", f"{key}-pause", f"{key}-step", f"{key}-reset")


# A double click on Play (Start) is one Play: the page reruns between the two clicks, so the second
# one would land on the Pause that took Play's place. In the browser, a click on a bar's first button
# within ONE_CLICK_MS of the last one that counted there is dropped before Streamlit sees it. One step
# and Start over are left alone (a double click on One step is two steps, one after the other).
ONE_CLICK_MS = 500           # longer than an operating system's double-click time (400-500 ms)
ONE_CLICK_SCRIPT = """<script>
(() => {
  const w = window, keys = %s, gap = %d;
  w.aidrawGo = w.aidrawGo || {};
  for (const k of keys) w.aidrawGo[k] = keys[0];        // Play and Pause are one place on the bar
  if (w.aidrawGoWatch) return;
  w.aidrawGoWatch = true;
  const last = {};
  w.addEventListener("click", (e) => {                  // capture: before Streamlit's own listener
    const box = e.target.closest?.("button")?.closest('[class*="st-key-"]');
    const key = box && [...box.classList].find((c) => c.startsWith("st-key-"))?.slice(7);
    const place = key && w.aidrawGo[key];
    if (!place) return;
    const now = performance.now();
    if (now - (last[place] ?? -Infinity) < (w.aidrawOneClickMs ?? gap)) {      // tests may set it
      e.stopImmediatePropagation(); e.preventDefault(); return;
    }
    last[place] = now;
  }, true);
})();
</script>"""


def bar(keys: Keys, labels: Labels, playing: bool, *, on_play: Callable, on_pause: Callable, on_step: Callable,
        on_reset: Callable, can_step: bool = True, can_reset: bool = True, can_play: bool = True,
        extra: Callable[[], None] | None = None, widths: list[float] | None = None) -> None:
    """Play (or Pause while playing), One step, Back to start in a row, and `extra()` drawn in a last
    column (a speed choice, a "new noise" button). Callbacks run before the page's next run.
    A double click on Play is one Play (ONE_CLICK_SCRIPT): its second click never reaches Pause."""
    n = 3 + (extra is not None)
    go, one, again, *more = st.columns(widths or [1] * n, vertical_alignment="bottom")
    if playing:
        go.button(labels.pause, key=keys.pause, on_click=on_pause, width="stretch",
                  type="primary" if keys.pause == keys.play else "secondary")
    else:
        go.button(labels.play, key=keys.play, on_click=on_play, type="primary", width="stretch", disabled=not can_play)
    one.button(labels.step, key=keys.step, on_click=on_step, width="stretch", disabled=playing or not can_step)
    again.button(labels.reset, key=keys.reset, on_click=on_reset, width="stretch", disabled=not can_reset)
    if extra is not None:
        with more[0]:
            extra()
    st.html(ONE_CLICK_SCRIPT % (json.dumps([keys.play, keys.pause]), ONE_CLICK_MS), unsafe_allow_javascript=True)


class Player:
    """A film of frames 0..last, one visitor's: the frame is `st.session_state[f"{key}-frame"]` (also
    the scrub slider's key), playing is `st.session_state[f"{key}:playing"]`."""

    def __init__(self, key: str, tick: float = 0.3, keys: Keys | None = None):
        self.key, self.tick = key, tick                  # tick: seconds between frames while playing
        self.keys = keys or Keys.of(key)
        self.frame_key, self.playing_key = f"{key}-frame", f"{key}:playing"

    @property
    def frame(self) -> int:
        return int(st.session_state.get(self.frame_key, 0))

    @property
    def playing(self) -> bool:
        return bool(st.session_state.get(self.playing_key, False))

    def goto(self, frame: int, playing: bool = False) -> None:
        """Show `frame` (and play on from it if `playing`): a callback for the page's own buttons too."""
        st.session_state[self.frame_key], st.session_state[self.playing_key] = frame, playing

    def pause(self) -> None:
        """Stop where the film is now (the tick may have moved on since the bar was drawn)."""
        st.session_state[self.playing_key] = False

    def _play(self, last: int) -> None:
        self.goto(0 if self.frame >= last else self.frame, playing=True)     # at the end: from the start

    def bar(self, last: int, labels: Labels, extra: Callable[[], None] | None = None,
            widths: list[float] | None = None) -> None:
        """The buttons, outside the ticking part. `last`: the last frame's number (frames - 1)."""
        frame = self.frame                                 # the callbacks' steps are fixed now, from this run
        bar(self.keys, labels, self.playing, on_play=partial(self._play, last), on_pause=self.pause,
            on_step=partial(self.goto, min(frame + 1, last)), on_reset=partial(self.goto, 0),
            can_step=frame < last, can_reset=frame > 0 or self.playing, extra=extra, widths=widths)

    def screen(self, last: int, draw: Callable[[int], None], scrub: str | None = None) -> None:
        """The ticking part: `draw(frame)` every tick, after a scrub slider labelled `scrub` (none if None)."""

        @st.fragment(run_every=self.tick if self.playing else None)
        def tick():
            with guard(f"{self.key}-player"):
                frame = min(self.frame, last)
                if self.playing and frame >= last:         # the end was shown a tick ago: stop now
                    st.session_state[self.playing_key] = False
                    st.rerun(scope="app")
                if self.playing:
                    frame = min(frame + 1, last)
                st.session_state[self.frame_key] = frame
                if scrub is not None:
                    st.slider(scrub, 0, last, key=self.frame_key)
                draw(frame)

        tick()
