"""A class duel: one teacher's live run, watched and judged by the whole class.

    teacher (classroom mode, ?present=1)                      child (?room=KXPM, or the code box)
    corner(): "start a class duel" ──► rooms.create()          child_page(): the room's latest snapshot,
              code + QR code + the class's votes (every 2 s)        drawn by the page's own show_view,
    publish(view) inside the live panel's draw callback              every REFRESH seconds; the judge game
              ──► rooms.publish(code, token, frozen copy)             on the room's lineup ──► rooms.vote()

The teacher's session owns the training (ui/training.py, as for any visitor); this module never touches
a trainer. Children only read snapshots, so thirty children cost about what one costs, and a child's
page has no Start, Pause, One step or Start over at all. Shared between sessions: only the room
(ui/rooms.py): the teacher's snapshot and anonymous vote counts.
"""

from __future__ import annotations

import functools
import hashlib
import io
import secrets
import threading
from typing import Callable

import numpy as np
import streamlit as st

from ui.i18n import lang, t, text
from ui.layout import guard, presenting, require_frame
from ui.pictures import show, upscale
from ui.rooms import PICTURES, NotTeacher, Rooms, RoomsFull, View, normalize, score


QR_WIDTH = 260            # pixels: the QR code on the projector
REFRESH = 2.0             # seconds between refreshes of a child's page and of the teacher's room box
TEACHER = "duel:room"     # the teacher's session: (code, token)
VOTED = "duel:voted"      # a child's session: (code, game number, own answers) of the last answer sent
WATCHER = "duel:watcher"  # a child's session: a random token, only to count who is watching


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
    copy of it. Returns the view unchanged, so a draw callback reads `show_view(publish(view))`."""
    mine = teacher_room()
    if mine is not None:
        try:
            registry().publish(*mine, view)
        except NotTeacher:                  # the room ended (two hours, or closed in another tab)
            st.session_state.pop(TEACHER, None)
    return view


def corner(chapter_id: str, where=None) -> None:
    """On a live chapter's duel section: in classroom mode, the teacher's "start a class duel" and the
    open room; otherwise a small box where a child can type a class code. In `where` (a container;
    default: here)."""
    with where or st.container():
        if presenting():
            _teacher(chapter_id)
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

    @st.fragment(run_every=REFRESH)
    def room_box():
        with guard(f"{chapter_id}-duel-room"):
            mine = teacher_room()
            rooms = registry()
            if mine is None or not rooms.beat(*mine):
                st.session_state.pop(TEACHER, None)
                st.session_state["duel:ended"] = True
                st.rerun(scope="app")
            code = mine[0]
            seen = rooms.look(code)
            link = link_for(code)
            with st.container(border=True, key=f"{chapter_id}-duel-room"):
                left, right = st.columns([2, 1], vertical_alignment="center")
                with left:
                    st.caption(t("duel_code_label"))
                    st.html(f'<div class="duel-code" style="font-size:4.5rem;font-weight:800;letter-spacing:0.35em;'
                            f'font-family:monospace;line-height:1.1">{code}</div>')
                    st.caption(t("duel_scan"))
                    if link:
                        st.caption(t("duel_link", link=link))
                    st.markdown(t("duel_watching", n=seen.watching if isinstance(seen, View) else 0))
                    _class_score(seen)
                    new, end = st.columns(2)
                    new.button(t("duel_new_game"), key=f"{chapter_id}-duel-new-game", width="stretch",
                               on_click=lambda: _safely(lambda: rooms.new_game(*mine)))
                    if end.button(t("duel_close"), key=f"{chapter_id}-duel-close", width="stretch"):
                        rooms.close(*mine)
                        st.session_state.pop(TEACHER, None)
                        st.rerun(scope="app")
                if link:
                    show(qr_png(link), width=QR_WIDTH, alt=t("duel_qr_alt", link=link), where=right)

    room_box()


def _safely(action: Callable[[], object]) -> None:
    try:
        action()
    except NotTeacher:
        st.session_state.pop(TEACHER, None)


def _class_score(seen) -> None:
    if not isinstance(seen, View) or seen.game is None or seen.voters == 0:
        st.markdown(t("duel_no_votes"))
        return
    s = score(seen.game, seen.said_drawn, seen.voters)
    st.markdown("### " + t("duel_score", voters=s["voters"], class_pct=s["class_pct"], judge_pct=s["judge_pct"]))


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


def child_page(chapter_id: str, show_view: Callable[[dict], None]) -> bool:
    """If this visit belongs to a class duel (?room=CODE), draw the child's page and return True;
    otherwise draw nothing and return False (the chapter is drawn as usual).

    The child's page: the room's latest snapshot through the chapter's own `show_view`, refreshed every
    REFRESH seconds, and the judge game on the room's lineup. No training controls exist here."""
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

    @st.fragment(run_every=REFRESH)
    def watch():
        with guard(f"{chapter_id}-duel-watch"):
            now = registry().look(code, watcher=watcher)
            if isinstance(now, str):        # the room ended while watching: the page says so, and stops
                st.rerun(scope="app")
            with st.container(key=f"{chapter_id}-duel-live"):
                if now.snapshot is None:
                    st.caption(t("duel_waiting"))
                else:
                    st.caption(t("duel_round", round=now.snapshot.get("round", 0)))
                    show_view(without_answers(now.snapshot))
            _child_game(chapter_id, code, now)

    watch()
    return True


def _vote(code: str, n: int) -> None:
    """The child's answer (read from the checkboxes) as anonymous counts; a double click counts once."""
    if st.session_state.get(VOTED, (None, None))[:2] == (code, n):
        return
    picks = [bool(st.session_state.get(f"duel-pick-{code}-{n}-{i}")) for i in range(PICTURES)]
    answer = registry().vote(code, n, picks)
    if answer == "ok":
        st.session_state[VOTED] = (code, n, picks)
    else:
        st.session_state["duel:old"] = True


def without_answers(snapshot: dict) -> dict:
    """The snapshot minus its lineup's pictures, truth and verdicts: on a paused duel they are the very
    pictures of the class's judge game, drawn just below it."""
    if "lineup" not in snapshot:
        return snapshot
    empty = {"images": [], "is_real": [], "verdicts": []}
    return {**snapshot, "lineup": {**snapshot["lineup"], **empty}}


def _child_game(chapter_id: str, code: str, seen: View) -> None:
    st.subheader(t("duel_game_title"), anchor=False)
    if seen.game is None:
        st.caption(t("duel_game_wait"))
        return
    g, n = seen.game, seen.game_no
    mine = st.session_state.get(VOTED, (None, None, None))
    voted = mine[:2] == (code, n)
    pngs = game_pngs(code, n, g["images"])
    with st.container(key=f"{chapter_id}-duel-game"):
        for row in (range(0, 4), range(4, PICTURES)):
            for column, i in zip(st.columns(4), row):
                show(pngs[i], width="stretch", alt=t("duel_picture_alt", i=i + 1), where=column)
                column.checkbox(t("duel_pick"), key=f"duel-pick-{code}-{n}-{i}", disabled=voted)
                if voted:
                    column.caption(t("duel_truth_real" if g["is_real"][i] else "duel_truth_drawn"))
    if not voted:
        if st.session_state.pop("duel:old", False):
            st.info(t("duel_vote_old"))
        st.button(t("duel_vote"), key=f"{chapter_id}-duel-vote", type="primary", on_click=_vote, args=(code, n))
        return
    drawn, said = ~np.asarray(g["is_real"], bool), np.asarray(mine[2], bool)
    st.success(t("duel_voted"))
    st.markdown(t("duel_you", found=int((said & drawn).sum()), total=int(drawn.sum()), wrong=int((said & ~drawn).sum())))
