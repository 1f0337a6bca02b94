"""The child's answer in a class duel's judge game: eight pictures, a box under each, and Send, drawn by
the child's own browser (a components v2 element: plain DOM, no Streamlit widget per box).

Why not st.checkbox in an st.form (as before): measured with CDP (Performance.getMetrics
TaskDuration: the page's main thread; one child's page of three, headless Chromium on this 2-core
machine, the teacher's duel training), a tick cost 0.14-0.25 s in the 1.5 s after it and Send 0.68-0.92 s
in the 2.5 s after it, where watching alone costs 0.01-0.03 s a second. This element: a tick 0.06 s,
Send 0.27-0.34 s (duel paused: 0.09-0.13 and 0.29-0.37 s before, 0.01-0.07 and 0.18-0.35 s now). In
bench classroom (31 browsers on the same 2 cores) the class's sends had raised the browsers from 0.86
to 1.36 cores. Here a tick changes one element, and Send reruns only the game's fragment.

Nothing a child ticks leaves the page until Send; then only eight yes/no answers do (rooms.vote)."""

from __future__ import annotations

import base64
import json

import streamlit as st

HTML = '<div class="duel-answer"></div>'

CSS = """
.duel-answer { font-family: var(--st-font); color: var(--st-text-color); }
.duel-grid { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 0.75rem; }
@media (max-width: 560px) { .duel-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.duel-cell { display: flex; flex-direction: column; align-items: stretch; gap: 0.3rem; cursor: pointer;
  border: 3px solid transparent; border-radius: 0.6rem; padding: 0.25rem; -webkit-tap-highlight-color: transparent; }
.duel-cell:has(input:checked) { border-color: var(--st-primary-color); }
.duel-cell img { width: 100%; height: auto; image-rendering: pixelated; border-radius: 0.3rem; display: block; }
.duel-pick { display: flex; align-items: center; gap: 0.5rem; min-height: 44px; font-size: 1.05rem; }
.duel-pick input { width: 1.6rem; height: 1.6rem; margin: 0; accent-color: var(--st-primary-color); cursor: pointer; }
.duel-truth { font-weight: 700; min-height: 1.4em; }
.duel-truth:empty { display: none; }
.duel-send { margin-top: 0.9rem; min-height: 48px; padding: 0.5rem 1.4rem; font: inherit; font-size: 1.1rem;
  color: #fff; background: var(--st-primary-color); border: 0; border-radius: 0.5rem; cursor: pointer; }
.duel-send:disabled { opacity: 0.45; cursor: default; }
.duel-answer[data-sent] .duel-cell { cursor: default; }
"""

# Built once per game (the pictures' <img> stay), then only updated: an answer sent shows each box as
# it was sent, closed (aria-disabled: a tap changes nothing), and what each picture really was; an
# answer the server turned down opens the boxes again. Send sends once: a double tap is one answer.
JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  const d = JSON.parse(data.json);
  const root = parentElement.querySelector(".duel-answer");
  // Sent: the boxes stay as sent, in full colour (a disabled box would be grey), and say they are closed.
  const lock = () => {
    root.dataset.sent = "1";
    root.querySelectorAll(".duel-pick input").forEach((b) => b.setAttribute("aria-disabled", "true"));
    root.querySelector(".duel-send").disabled = true;
  };
  if (root.dataset.game !== d.game) {
    root.dataset.game = d.game;
    delete root.dataset.sent;
    const grid = document.createElement("div");
    grid.className = "duel-grid";
    d.pictures.forEach((src, i) => {
      const cell = document.createElement("label");
      cell.className = "duel-cell";
      const img = document.createElement("img");
      img.src = src;
      img.alt = d.alts[i];
      const line = document.createElement("span");
      line.className = "duel-pick";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.addEventListener("click", (e) => { if (root.dataset.sent) e.preventDefault(); });   // sent: kept as sent
      line.append(box, document.createTextNode(d.pick));
      const truth = document.createElement("span");
      truth.className = "duel-truth";
      cell.append(img, line, truth);
      grid.append(cell);
    });
    const send = document.createElement("button");
    send.type = "button";
    send.className = "duel-send";
    send.textContent = d.send;
    send.addEventListener("click", () => {
      if (root.dataset.sent) return;
      lock();
      setTriggerValue("vote", [...root.querySelectorAll(".duel-pick input")].map((b) => b.checked));
    });
    root.replaceChildren(grid, send);
  }
  const boxes = [...root.querySelectorAll(".duel-pick input")];
  if (d.voted) {
    lock();
    boxes.forEach((b, i) => { b.checked = d.voted[i]; });
    root.querySelectorAll(".duel-truth").forEach((el, i) => { el.textContent = d.truth[i]; });
  } else if (d.open && root.dataset.sent) {
    delete root.dataset.sent;
    boxes.forEach((b) => b.removeAttribute("aria-disabled"));
    root.querySelector(".duel-send").disabled = false;
  }
}
"""


@st.cache_resource(show_spinner=False)
def _component():
    """Registered once per server (HTML, CSS and JS only: nothing of any visitor's)."""
    return st.components.v2.component("aidraw.duel_answer", html=HTML, css=CSS, js=JS, isolate_styles=True)


def sent(key: str, n: int) -> list[bool] | None:
    """The answer the child just sent from the boxes with this key (n bools: True = "drawn"), or None.
    Read at the start of the run that Send started, before the boxes are drawn again."""
    value = st.session_state.get(key)
    picks = value.get("vote") if hasattr(value, "get") else None
    if isinstance(picks, list) and len(picks) == n and all(isinstance(p, bool) for p in picks):
        return picks
    return None


def answer_boxes(key: str, game: str, pngs: list[bytes], alts: list[str], pick: str, send: str,
                 voted: list[bool] | None, truth: list[str] | None) -> None:
    """The judge game's pictures (PNG bytes, shown as they are: the same pixels, scaled to the column), a
    box labelled `pick` under each (a tap on the picture ticks it too) and a `send` button; four to a row,
    two on a phone. `game` names the game: a new name builds the pictures anew, the same name only
    updates them. voted: the answer already sent (shown, disabled, with `truth`: what each picture
    really was; both len(pngs)), or None: the boxes are open. Send starts a run in which `sent(key, n)`
    returns the answer."""
    pictures = ["data:image/png;base64," + base64.b64encode(p).decode() for p in pngs]
    # As JSON text: a dict or list among the data's values makes Streamlit check it for a dataframe,
    # which imports pandas (ui/canvas.py).
    data = {"json": json.dumps({"game": game, "pictures": pictures, "alts": alts, "pick": pick, "send": send,
                                "voted": voted, "truth": truth, "open": voted is None})}
    # on_vote_change names the "vote" trigger to Streamlit (components v2 registers a trigger only for an
    # on_<name>_change argument); the answer itself is read by sent() at the start of the next run.
    _component()(data=data, key=key, on_vote_change=lambda: None, width="stretch", height="content")
