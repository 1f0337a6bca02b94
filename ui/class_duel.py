"""A class duel: one teacher's live run, watched and judged by the whole class.

    teacher (classroom mode, ?present=1)                      child (?room=KXPM, or the code box)
    corner(): "start a class duel" ──► rooms.create()          child_page(): the room's window, a picture
              code + QR code + the class's counts (read from        and a few numbers its own browser fetches
              the room's .json by the page: every 0.5 s)            (no script run): every WINDOW_LOOK s
    publish(view) inside the live panel's draw callback              a look, every WINDOW_EVERY s a picture;
              ──► rooms.publish(code, token, frozen copy)             the judge game on the room's lineup
    keep_painting(): a thread paints the room's window every 0.5 s       ──► rooms.vote(), and the class's
              ──► static/rooms/NAME-N.png (its facts inside it),         counts at once into NAME.json
                  NAME-latest.png (a link to the newest) + NAME.json

The teacher's session owns the training (ui/training.py, as for any visitor); this module never touches
a trainer. Children only read the room's window, so thirty children cost about what one costs, and a
child's page has no Start, Pause, One step or Start over at all. Shared between sessions: only the room
(ui/rooms.py: the teacher's snapshot and anonymous vote counts) and its window (the teacher's pictures
and round number, and the class's anonymous counts: how many watch and vote, the class's score).

Why a window and not a Streamlit fragment that reruns every 2 s: measured here (10 headless Chromium
pages on this 2-core machine, 30 s), a page that reruns a fragment costs the browser 0.13-0.18 CPU-s a
refresh whatever the fragment holds (one picture or twenty elements) and the server 0.04-0.16; thirty
children need more than the machine's two cores. A page whose own script fetches a picture and a few
numbers costs the browser about 0.06 CPU-s a refresh and the server almost nothing (a file).
While the duel trains that is one file a look (NAME-latest.png): with a .json then a picture, two
requests in a row, a loaded machine (bench classroom: 31 browsers on its 2 cores) answered each in up
to 1.4 s while the class voted, and some pictures came 3.8-4.3 s apart; with one request, 2.3-2.7 s.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import logging
import os
import secrets
import shutil
import struct
import threading
import time
import zlib
from pathlib import Path
from typing import Callable

import numpy as np
import streamlit as st

from ui import duel_answer
from ui.i18n import lang, t, text
from ui.layout import guard, presenting, require_frame
from ui.pictures import png, show, upscale
from ui.rooms import ENDED_KEPT, PICTURES, NotTeacher, Rooms, RoomsFull, View, normalize, score
from ui.training import TICK_AT_LEAST, tab_open
from ui.worker import Run

log = logging.getLogger("aidraw.class_duel")


QR_WIDTH = 260            # pixels: the QR code on the projector
BEAT = 5.0                # seconds between two heartbeats of the teacher's page (a room ends after
                          # rooms.TEACHER_GONE s without one)
COUNTS_LOOK = 0.5         # seconds between two looks of the projector's page at the class's counts
TEACHER = "duel:room"     # the teacher's session: (code, token)
VOTED = "duel:voted"      # a child's session: (code, game number, own answers) of the last answer sent
WATCHER = "duel:watcher"  # a child's session: a random token, only to count who is watching
# A room's window: files Streamlit serves at app/static/rooms/ (server.enableStaticServing), named by a
# hash of the code with this process's secret, so a code cannot be turned into a file name from outside.
# Each server process writes in a folder of its own (replicas may share a disk) and sweeps only that one,
# and other processes' folders left for ENDED_KEPT (a server that stopped).
WINDOW_KEY = secrets.token_bytes(16)
WINDOWS_ALL = Path(os.environ.get("AIDRAW_ROOM_WINDOWS") or Path(__file__).resolve().parent.parent / "static" / "rooms")
WINDOWS = WINDOWS_ALL / hashlib.sha256(WINDOW_KEY).hexdigest()[:12]
WINDOW_URL = f"app/static/rooms/{WINDOWS.name}"
SWEEP_EVERY = 60.0        # seconds between two removals of ended rooms' windows
WINDOW_EVERY = 2.0        # seconds: a child's page draws its room's picture at most this often (a new one
WINDOW_LOOK = 2.0         # when there is one), and looks at the room's .json every WINDOW_LOOK s; a look
WINDOW_RETRY = 1.0        # that failed, or found no new picture after one was drawn, is followed WINDOW_RETRY
                          # s later (then every WINDOW_LOOK s: a paused duel). Looks every 1 s cost
                          # 31 pages on one 2-core machine a third more (measured: see WINDOW_SCRIPT)
WINDOW_PAINT = 0.5        # seconds between two paintings of a room's window (while its duel trains)
ROOM_TICK = 2.0           # seconds between two drawings of the teacher's duel while a room is open
PICTURES_KEPT = 20        # a room's latest pictures kept on disk (10 s of painting): with 4 (2 s), a child's
                          # page that read the .json on a busy machine asked for a picture removed meanwhile,
                          # and Streamlit's file server logged a traceback (bench classroom, 30 children)
JSON_BYTES = 512          # the size of every room's .json (its facts fit in far less)


@st.cache_resource(show_spinner=False)
def registry() -> Rooms:
    """The rooms of this server process (one Rooms object shared by every session; it holds no model)."""
    return Rooms()


@functools.lru_cache(maxsize=64)
def qr_png(link: str) -> bytes:
    """The link as a QR code, a PNG drawn here on the server (the `qrcode` package; nothing fetched)."""
    import qrcode

    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(link)
    qr.make(fit=True)
    qr.box_size = max(2, min(8, QR_WIDTH // (qr.modules_count + 4)))   # no wider than shown: never resized
    image = qr.make_image()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


_GAME_PNGS: dict[tuple[str, int, str], list[bytes]] = {}
_GAME_PNGS_LOCK = threading.Lock()


def game_pngs(code: str, game_no: int, images) -> list[bytes]:
    """The game's pictures as PNGs, made once per game for the whole class (30 children refresh every
    2 s: encoding once saves the shared server ~15 small encodes a second). Bounded to 64 games."""
    images = np.asarray(images, np.uint8)
    key = (code, game_no, hashlib.md5(images.tobytes()).hexdigest())     # a code may come back hours later
    with _GAME_PNGS_LOCK:
        if key in _GAME_PNGS:
            return _GAME_PNGS[key]
    from PIL import Image

    out = []
    for image in images:
        buf = io.BytesIO()
        Image.fromarray(upscale(image, 4)).save(buf, format="PNG")
        out.append(buf.getvalue())
    with _GAME_PNGS_LOCK:
        if len(_GAME_PNGS) >= 64:
            _GAME_PNGS.pop(next(iter(_GAME_PNGS)))
        _GAME_PNGS[key] = out
    return out


# ── A room's window: what the class sees, as files ─────────────────────────────────────────────
_facts: dict[str, dict] = {}            # code -> the facts last written to its .json
_facts_lock = threading.Lock()
_swept = [0.0]


def window_name(code: str) -> str:
    return hashlib.sha256(WINDOW_KEY + code.encode()).hexdigest()[:24]


def _replace(path: Path, data: bytes) -> None:
    """Write a file whole: a child's browser never reads half of one."""
    tmp = path.with_name(path.name + f".{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def with_facts(data: bytes, facts: dict) -> bytes:
    """PNG bytes with `facts` (JSON, ASCII) in a tEXt chunk keyed "aidraw", put right after the IHDR
    chunk (the PNG specification, 11.3.4.3 tEXt: keyword, a zero byte, Latin-1 text; the CRC covers the
    chunk's type and data). The pixels are untouched. Raises ValueError if `data` is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    body = b"tEXt" + b"aidraw\0" + json.dumps(facts).encode("ascii")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    end = 8 + 12 + struct.unpack(">I", data[8:12])[0]                 # the end of IHDR
    return data[:end] + chunk + data[end:]


def _point(link: Path, target: str) -> None:
    """Make `link` a symbolic link to `target` (a name in the same folder), replacing it whole."""
    tmp = link.with_name(link.name + f".{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def write_window(code: str, picture: np.ndarray | None = None, **facts) -> None:
    """Update room `code`'s window: its picture (an (H, W, 3) uint8 array, if given) and its facts (a
    few numbers: round, game, ...; the .json is written only when they change). A disk that cannot be
    written is logged: the children's pages then say nothing new, and the teacher's duel goes on.

    The server sends a file by its size first, then its bytes: a file replaced in between broke the
    answer ("Too much data for declared Content-Length", 42 times with 30 children). So every picture
    gets a name of its own (NAME-N.png; the last PICTURES_KEPT stay for pages a moment behind) and the
    .json, the one file replaced in place, always has the same size (JSON_BYTES, padded with spaces).
    Each picture carries the facts it was painted with (with_facts), and NAME-latest.png is a link to
    the newest: while the duel trains a page asks for that alone, one request a look, not two (the
    server resolves the link before it reads the size, so the size and the bytes are of one file)."""
    data = None if picture is None else png(picture)       # encoded before the lock: a vote never waits on it
    with _facts_lock:                   # the painter and a child's vote both write: one at a time, so
        now = {**_facts.get(code, {}), **facts}             # the file on disk is always the newest facts
        if data is not None:
            now["picture"] = now.get("picture", 0) + 1
        if now != _facts.get(code):
            _facts[code] = now
            try:
                WINDOWS.mkdir(parents=True, exist_ok=True)
                name = window_name(code)
                if data is not None:
                    _replace(WINDOWS / f"{name}-{now['picture']}.png", with_facts(data, now))
                    _latest(WINDOWS / f"{name}-latest.png", f"{name}-{now['picture']}.png")
                    (WINDOWS / f"{name}-{now['picture'] - PICTURES_KEPT}.png").unlink(missing_ok=True)
                _replace(WINDOWS / f"{name}.json", json.dumps(now).ljust(JSON_BYTES).encode()[:JSON_BYTES])
            except OSError:
                log.warning("cannot write the class duel's window in %s", WINDOWS, exc_info=True)
    _sweep()


def _latest(link: Path, target: str) -> None:
    """Point NAME-latest.png at the newest picture; where the disk has no symbolic links, say so once:
    the pages then look at the .json every time (two requests a look, as before)."""
    if _no_links:
        return
    try:
        _point(link, target)
    except OSError:
        _no_links.append(True)
        log.warning("no symbolic links in %s: the class's pages look at the .json every time", WINDOWS, exc_info=True)


_no_links: list[bool] = []


def close_window(code: str) -> None:
    with _facts_lock:
        _facts.pop(code, None)
    name = window_name(code)
    for path in WINDOWS.glob(f"{name}*"):
        path.unlink(missing_ok=True)


def _sweep(now: float | None = None) -> None:
    """Remove the windows of rooms that ended (teacher gone, two hours) at most every SWEEP_EVERY s,
    and any left from an earlier server (their names came from another secret)."""
    now = time.monotonic() if now is None else now
    if now - _swept[0] < SWEEP_EVERY:
        return
    _swept[0] = now
    keep = {window_name(c) for c in registry().open_codes()}
    try:
        for path in WINDOWS.iterdir():
            if path.name.split(".")[0].split("-")[0] not in keep:
                path.unlink(missing_ok=True)
        for folder in WINDOWS_ALL.iterdir():          # another server's, untouched for ENDED_KEPT
            if folder != WINDOWS and folder.is_dir() and time.time() - folder.stat().st_mtime > ENDED_KEPT:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass
    with _facts_lock:
        for code in [c for c in _facts if window_name(c) not in keep]:
            del _facts[code]


def link_for(code: str) -> str | None:
    """The link children open: this page's address (st.context.url, without its query) + ?room=CODE,
    in the teacher's language. None when the address is not known (AppTest)."""
    try:
        url = st.context.url
    except Exception:                       # outside a browser session
        url = None
    return f"{url.rstrip('/')}?room={code}&lang={lang()}" if url else None


# ── The teacher ─────────────────────────────────────────────────────────────────────────────────
def teacher_room() -> tuple[str, str] | None:
    return st.session_state.get(TEACHER)


def publish(view: dict) -> dict:
    """Call with the view the teacher's page is about to draw; while a room is open the class gets a
    copy of it (for the judge game). Returns the view unchanged, so a draw callback reads
    `show_view(publish(view))`."""
    mine = teacher_room()
    if mine is not None:
        try:
            registry().publish(*mine, view)
        except NotTeacher:                  # the room ended (two hours, or closed in another tab)
            st.session_state.pop(TEACHER, None)
    return view


# ── The room's painter: the class's picture, made on the server every WINDOW_PAINT seconds ─────────
_painters: dict[str, threading.Thread] = {}
_painters_lock = threading.Lock()


def keep_painting(code: str, run: Run, look: Callable[[object], object],
                  paint: Callable[[object], tuple[np.ndarray, dict]]) -> None:
    """While room `code` is open, a thread paints the teacher's run into the room's window whenever the
    run has new steps (at most every WINDOW_PAINT s): `paint(look(trainer))` -> (picture, facts), with
    the run's lock held only for `look` (its copies of the model's pictures and numbers). Apart from the
    teacher's page: a projector's browser busy drawing never holds the class's pictures back."""
    with _painters_lock:
        if code in _painters and _painters[code].is_alive():
            return
        _painters[code] = threading.Thread(target=_paint_while_open, args=(code, run, look, paint), daemon=True,
                                           name=f"aidraw-room-{code}")
        _painters[code].start()


def class_counts(seen) -> dict:
    """What the projector shows of the class, for the room's .json: the game number, how many watch,
    and once someone voted, the class's and the AI judge's percentages (ui/rooms.py `score`): anonymous
    counts only. {} for a room that ended."""
    if not isinstance(seen, View):
        return {}
    counts = {"game": seen.game_no, "watching": seen.watching, "voters": 0}
    if seen.game is not None and seen.voters:
        s = score(seen.game, seen.said_drawn, seen.voters)
        counts.update(voters=s["voters"], class_pct=s["class_pct"], judge_pct=s["judge_pct"])
    return counts


def _paint_while_open(code: str, run: Run, look, paint) -> None:
    last = None
    while code in registry().open_codes():
        trainer = run.trainer
        picture, facts = None, {}
        if trainer is not None and (id(trainer), trainer.steps) != last:
            try:
                with run.held(timeout=2.0) as got:
                    if got:
                        last, seen = (id(trainer), trainer.steps), look(trainer)
                if got:
                    picture, facts = paint(seen)
            except Exception:                 # logged; the teacher's page shows its own errors
                log.exception("painting the class duel's window failed")
        # The class's counts too (the .json is written only when something changed): the projector's
        # page shows a vote within COUNTS_LOOK s of this, and "new game" reaches the children's pages.
        write_window(code, picture, **facts, **class_counts(registry().look(code)))
        time.sleep(WINDOW_PAINT)
    close_window(code)


def corner(chapter_id: str, where=None, look: Callable[[object], object] | None = None,
           paint: Callable[[object], tuple[np.ndarray, dict]] | None = None) -> None:
    """On a live chapter's duel section: in classroom mode, the teacher's "start a class duel" and the
    open room (whose window `paint(look(trainer))` makes: see keep_painting); otherwise a small box where
    a child can type a class code. In `where` (a container; default: here)."""
    with where or st.container():
        if presenting():
            _teacher(chapter_id)
            if (mine := teacher_room()) is not None and look is not None and paint is not None:
                keep_painting(mine[0], st.session_state.setdefault(f"live:{chapter_id}", Run()), look, paint)
                st.session_state[TICK_AT_LEAST] = ROOM_TICK     # the projector draws less often: the
            else:                                               # class's thirty pages need the cores
                st.session_state.pop(TICK_AT_LEAST, None)
        else:
            with st.expander(t("duel_join")):
                _join_box(chapter_id)


def _open_room() -> None:
    try:
        st.session_state[TEACHER] = registry().create()
        st.session_state.pop("duel:full", None)
    except RoomsFull:
        st.session_state["duel:full"] = True


def _teacher(chapter_id: str) -> None:
    if teacher_room() is None:
        st.button(t("duel_open"), key=f"{chapter_id}-duel-open", on_click=_open_room)
        st.caption(t("duel_open_tip"))
        if st.session_state.get("duel:full"):
            st.warning(t("duel_full"))
        if st.session_state.pop("duel:ended", False):
            st.info(t("duel_teacher_ended"))
        return

    # The box is drawn once: the class's counts change on the projector through the page's own script,
    # which reads the room's .json (written by the room's painter) every COUNTS_LOOK s. A fragment that
    # drew them every second cost the projector's browser a Streamlit rerun each time, and a vote waited
    # up to that second. A fragment with nothing to draw keeps the teacher's heartbeat.
    mine, rooms = teacher_room(), registry()
    code, link = mine[0], link_for(mine[0])

    @st.fragment(run_every=BEAT)
    def heartbeat():
        with guard(f"{chapter_id}-duel-beat"):
            if teacher_room() != mine or not rooms.beat(*mine):
                st.session_state.pop(TEACHER, None)
                st.session_state["duel:ended"] = True
                st.rerun(scope="app")

    with st.container(border=True, key=f"{chapter_id}-duel-room"):
        left, right = st.columns([2, 1], vertical_alignment="center")
        with left:
            st.caption(t("duel_code_label"))
            st.html(f'<div class="duel-code" style="font-size:4.5rem;font-weight:800;letter-spacing:0.35em;'
                    f'font-family:monospace;line-height:1.1">{code}</div>')
            st.caption(t("duel_scan"))
            if link:
                st.caption(t("duel_link", link=link))
            heartbeat()
            st.html(counts_html(code, class_counts(rooms.look(code))), unsafe_allow_javascript=True)
            new, end = st.columns(2)
            new.button(t("duel_new_game"), key=f"{chapter_id}-duel-new-game", width="stretch",
                       on_click=lambda: _safely(lambda: rooms.new_game(*mine)))
            if end.button(t("duel_close"), key=f"{chapter_id}-duel-close", width="stretch"):
                rooms.close(*mine)
                close_window(code)
                st.session_state.pop(TEACHER, None)
                st.rerun()
        if link:
            show(qr_png(link), width=QR_WIDTH, alt=t("duel_qr_alt", link=link), where=right)


def _safely(action: Callable[[], object]) -> None:
    try:
        action()
    except NotTeacher:
        st.session_state.pop(TEACHER, None)


COUNTS_SCRIPT = """<script>
(() => {
  const w = window, url = %(url)s, every = %(every)d, words = %(words)s;
  clearTimeout(w.aidrawCountsTimer);
  const me = w.aidrawCountsLoop = {};  // a box drawn again starts a new loop: the old one stops
  const fill = (box, s) => {
    box.querySelector(".duel-watching").textContent = words.watching.replaceAll("__N__", s.watching ?? 0);
    box.querySelector(".duel-score").textContent = !s.voters ? words.none : words.score
      .replaceAll("__V__", s.voters).replaceAll("__C__", s.class_pct).replaceAll("__J__", s.judge_pct);
  };
  const loop = async () => {
    const box = document.querySelector(".duel-counts");
    if (!box || w.aidrawCountsLoop !== me) return;       // the room was closed: the box is gone
    const began = Date.now();
    try {
      const r = await fetch(`${url}.json?t=${began}`, {cache: "no-store"});
      if (r.ok) fill(box, await r.json());
    } catch (e) {}                      // the next look, COUNTS_LOOK s later
    w.aidrawCountsTimer = setTimeout(loop, Math.max(0, every - (Date.now() - began)));
  };
  loop();
})();
</script>"""


def counts_words(counts: dict) -> tuple[str, str]:
    """The projector's two lines for `counts` (class_counts): who watches, and the class's score (or
    "no votes yet"), in the reader's language."""
    watching = t("duel_watching", n=counts.get("watching", 0))
    if not counts.get("voters"):
        return watching, t("duel_no_votes")
    return watching, t("duel_score", voters=counts["voters"], class_pct=counts["class_pct"], judge_pct=counts["judge_pct"])


def counts_html(code: str, counts: dict) -> str:
    """The class's counts on the projector as they are now, and the script that keeps them current."""
    watching, said = counts_words(counts)
    words = {"watching": t("duel_watching", n="__N__"), "none": t("duel_no_votes"),
             "score": t("duel_score", voters="__V__", class_pct="__C__", judge_pct="__J__")}
    script = COUNTS_SCRIPT % {"url": json.dumps(f"{WINDOW_URL}/{window_name(code)}"),
                              "every": int(COUNTS_LOOK * 1000), "words": json.dumps(words)}
    return (f'<div class="duel-counts" aria-live="polite"><p class="duel-watching">{html.escape(watching)}</p>'
            f'<p class="duel-score" style="font-size:1.6rem;font-weight:700;line-height:1.3">{html.escape(said)}</p>'
            f'</div>{script}')


# ── A child ─────────────────────────────────────────────────────────────────────────────────────
def _join_box(chapter_id: str) -> None:
    typed = st.text_input(t("duel_join_label"), key=f"{chapter_id}-duel-code", max_chars=40)
    if st.button(t("duel_join_go"), key=f"{chapter_id}-duel-join"):
        code = normalize(typed)
        if code is None:
            st.warning(t("duel_bad_code"))
            return
        seen = registry().look(code)
        if isinstance(seen, str):
            st.warning(t("duel_ended" if seen == "ended" else "duel_unknown"))
            return
        st.query_params["room"] = code
        st.rerun()


def _leave() -> None:
    st.query_params.pop("room", None)


def child_page(chapter_id: str, words: Callable[[], str] | None = None) -> bool:
    """If this visit belongs to a class duel (?room=CODE), draw the child's page and return True;
    otherwise draw nothing and return False (the chapter is drawn as usual).

    The child's page: the room's window (its picture and round, which the page's own script fetches:
    a new picture at most every WINDOW_EVERY seconds, no script run on the server), `words()` (HTML in the reader's language
    under the picture: the chapter's key to it), and the judge game on the room's lineup, which the
    page asks the server for again when the teacher starts a new game. No training controls exist here."""
    asked = st.query_params.get("room")
    if asked is None:
        return False
    require_frame()
    st.title(text(chapter_id, "title"), anchor=False)
    code = normalize(asked)
    seen = registry().look(code) if code else "unknown"
    if isinstance(seen, str):
        with st.container(key=f"{chapter_id}-duel-gone"):
            st.info(t("duel_ended") if seen == "ended" else t("duel_unknown") if code else t("duel_bad_code"))
            _join_box(chapter_id)
            st.button(t("duel_leave"), key=f"{chapter_id}-duel-leave", on_click=_leave)
        return True
    watcher = st.session_state.setdefault(WATCHER, secrets.token_hex(8))
    top, back = st.columns([3, 1], vertical_alignment="center")
    top.info(t("duel_banner", code=code))
    back.button(t("duel_leave"), key=f"{chapter_id}-duel-leave", on_click=_leave, width="stretch")
    with st.container(key=f"{chapter_id}-duel-live"):
        st.html(window_html(chapter_id, code, words() if words else ""), unsafe_allow_javascript=True)

    @st.fragment
    def game():
        with guard(f"{chapter_id}-duel-watch"):
            now = registry().look(code, watcher=watcher, alive=tab_open())
            if isinstance(now, str):        # the room ended: the page says so
                st.rerun(scope="app")
            # The window's script presses this (hidden) button when the game or the room changed.
            st.button(t("duel_refresh"), key=f"{chapter_id}-duel-refresh")
            with st.container(key=f"duel-at-game-{now.game_no}"):
                _child_game(chapter_id, code, now)

    game()
    return True


# The picture is drawn on a canvas, not put in an <img>: measured with 30 headless Chromium pages on this
# 2-core machine (20 s each), each showing a new 849x542 picture every 2 s: an <img> whose src changes
# took the browser 1.17-1.22 cores, a canvas drawn from the fetched picture 0.60-0.66 (a page that only
# changes a line of text: 0.21). The round and film lines change in the same task, so one frame a look.
# Looks: 10 plain headless pages (one Chromium, 30 s), each drawing that picture every 2 s, took 0.42
# cores looking at the .json every 1 s, 0.25 every 2 s (a look every 1 s, no picture: 0.18; idle: 0.05).
WINDOW_SCRIPT = """<script>
(() => {
  const w = window, url = %(url)s, every = %(every)d, retry = %(retry)d, draw = %(draw)d, live = %(live)s;
  const refresh = %(refresh)s;
  const roundText = %(round_text)s;
  clearTimeout(w.aidrawDuelTimer);
  const me = w.aidrawDuelLoop = {};    // a page drawn again starts a new loop: the old one stops
  let shown = null, drawn = 0, misses = 0, asked = 0, stale = 0, direct = false;
  const ask = () => {                  // one script run on the server: a new game, or the room ended
    if (Date.now() - asked < 3 * draw) return;
    asked = Date.now();
    document.querySelector(`.st-key-${refresh} button`)?.click();
  };
  const decode = async (blob) => {     // a bitmap where the browser can (Chromium, Firefox, Safari 15+)
    if (w.createImageBitmap) return createImageBitmap(blob);
    const img = new Image();
    img.src = URL.createObjectURL(blob);
    try { await img.decode(); } finally { URL.revokeObjectURL(img.src); }
    return img;
  };
  const facts = (bytes) => {           // the facts painted with a picture: its "aidraw" tEXt chunk (with_facts)
    const v = new DataView(bytes), key = "aidraw" + String.fromCharCode(0);
    for (let at = 8; at + 8 <= bytes.byteLength;) {
      const n = v.getUint32(at), type = String.fromCharCode(...new Uint8Array(bytes, at + 4, 4));
      if (type === "IDAT") break;
      const text = new TextDecoder("latin1").decode(new Uint8Array(bytes, at + 8, n));
      if (type === "tEXt" && text.startsWith(key)) return JSON.parse(text.slice(key.length));
      at += 12 + n;
    }
    return null;
  };
  const game = (s) => {                // the teacher started a new game: the page asks for it
    const now = /st-key-duel-at-game-(\\d+)/.exec(document.querySelector('[class*="st-key-duel-at-game-"]')?.className);
    if (now && +now[1] !== s.game) ask();
  };
  const paint = async (box, blob, s, began) => {
    const picture = await decode(blob);
    const canvas = box.querySelector("canvas.duel-window");
    if (canvas.width !== picture.width || canvas.height !== picture.height) {
      canvas.width = picture.width;
      canvas.height = picture.height;
    }
    canvas.getContext("2d").drawImage(picture, 0, 0);
    picture.close?.();
    canvas.hidden = false;
    canvas.dataset.picture = s.picture;
    shown = s.picture;
    drawn = began;                     // only once drawn: a picture that failed to come is asked again at the next look
    box.querySelector(".duel-round").textContent = roundText.replaceAll("__N__", s.round);
    box.querySelectorAll("[data-film]").forEach((el) => {
      el.textContent = (s.film || []).map((n) => el.dataset.film.replaceAll("__N__", n)).join(" · ");
    });
    misses = stale = 0;
    direct = true;
  };
  const look = async (box, began) => {  // returns the wait before the next look, in ms
    // After a new picture, one request a look: the newest picture itself (NAME-latest.png), its facts
    // inside it. The same picture again (a paused duel), or none: back to the small .json.
    if (direct && began - drawn >= 0.9 * draw) {
      direct = false;
      try {
        const p = await fetch(`${url}-latest.png?t=${Date.now()}`, {cache: "no-store"});
        const bytes = p.ok ? await p.arrayBuffer() : null, s = bytes && facts(bytes);
        if (s && s.picture !== shown) {
          game(s);
          await paint(box, new Blob([bytes], {type: "image/png"}), s, began);
          return every;
        }
      } catch (e) {}
      return retry;
    }
    try {
      const r = await fetch(`${url}.json?t=${Date.now()}`, {cache: "no-store"});
      if (!r.ok) throw new Error(r.status);
      const s = await r.json();
      game(s);
      // A new picture, and the look that drew the last one began `draw` ms ago (a tenth early: a look
      // may come early). Timed from the looks' beginnings, not from the drawing: a fetch and decode
      // that took over a tenth of `draw` made every other picture wait a look more (3 s, not 2).
      if (s.picture !== undefined && s.picture !== shown && began - drawn >= 0.9 * draw) {
        const p = await fetch(`${url}-${s.picture}.png`);
        if (!p.ok) throw new Error(p.status);
        await paint(box, await p.blob(), s, began);
        return every;
      }
      misses = 0;
      return ++stale === 1 ? retry : every;   // a picture a little late is looked for again soon
    } catch (e) {
      if (++misses >= 2) ask();
      return retry;
    }
  };
  // One look at a time, the next `every` (or `retry`) ms after the last began (at once if it took
  // longer): on a busy machine a look that takes 2.1 s is followed at once, not skipped until the next beat.
  const loop = async () => {
    const box = document.querySelector(`.st-key-${live}`);
    if (!box || w.aidrawDuelLoop !== me) return;
    const began = Date.now();
    const wait = await look(box, began);
    w.aidrawDuelTimer = setTimeout(loop, Math.max(0, wait - (Date.now() - began)));
  };
  loop();
})();
</script>"""


def window_html(chapter_id: str, code: str, words: str) -> str:
    """The child's view of room `code`: the room's picture and round, refreshed by the page itself."""
    url = f"{WINDOW_URL}/{window_name(code)}"
    script = WINDOW_SCRIPT % {
        "url": json.dumps(url), "every": int(WINDOW_LOOK * 1000), "retry": int(WINDOW_RETRY * 1000), "draw": int(WINDOW_EVERY * 1000), "live": json.dumps(f"{chapter_id}-duel-live"),
        "refresh": json.dumps(f"{chapter_id}-duel-refresh"), "round_text": json.dumps(t("duel_round", round="__N__"))}
    return (f'<div class="duel-window-box"><p class="duel-round">{html.escape(t("duel_waiting"))}</p>'
            f'<canvas class="duel-window" hidden role="img" aria-label="{html.escape(t("duel_window_alt"))}" '
            f'style="width:100%;max-width:900px;height:auto;image-rendering:pixelated"></canvas>{words}</div>'
            f'<style>.st-key-{chapter_id}-duel-refresh {{display: none}}</style>{script}')


def _vote(code: str, n: int, picks: list[bool]) -> None:
    """The child's answer as anonymous counts; a double click counts once."""
    if st.session_state.get(VOTED, (None, None))[:2] == (code, n):
        return
    if registry().vote(code, n, picks) == "ok":
        write_window(code, **class_counts(registry().look(code)))   # on the projector within COUNTS_LOOK s
        st.session_state[VOTED] = (code, n, picks)
    else:
        st.session_state["duel:old"] = True


def _child_game(chapter_id: str, code: str, seen: View) -> None:
    st.subheader(t("duel_game_title"), anchor=False)
    if seen.game is None:
        st.caption(t("duel_game_wait"))
        return
    g, n = seen.game, seen.game_no
    key = f"duel-answer-{code}-{n}"
    if (picks := duel_answer.sent(key, PICTURES)) is not None:
        _vote(code, n, picks)
    mine = st.session_state.get(VOTED, (None, None, None))
    voted = mine[:2] == (code, n)
    # The boxes are the child's browser's own (ui/duel_answer.py): a tick changes the child's page only,
    # and the server hears of the answer once, at Send, in a run of this fragment alone.
    with st.container(key=f"{chapter_id}-duel-game"):
        duel_answer.answer_boxes(key, f"{code}-{n}", game_pngs(code, n, g["images"]),
                                 [t("duel_picture_alt", i=i + 1) for i in range(PICTURES)], t("duel_pick"), t("duel_vote"),
                                 list(mine[2]) if voted else None,
                                 [t("duel_truth_real" if real else "duel_truth_drawn") for real in g["is_real"]] if voted else None)
    if st.session_state.pop("duel:old", False):
        st.info(t("duel_vote_old"))
    if not voted:
        return
    drawn, said = ~np.asarray(g["is_real"], bool), np.asarray(mine[2], bool)
    st.success(t("duel_voted"))
    st.markdown(t("duel_you", found=int((said & drawn).sum()), total=int(drawn.sum()), wrong=int((said & ~drawn).sum())))
