"""Class duel rooms: one teacher's live run, watched by a whole class (no model maths, no Streamlit
widgets: plain Python, so it is tested with a fake clock).

    teacher ──create()──► Room(code "KXPM", secret token)
       │ every draw:  publish(code, token, view)      ──► room.snapshot (a frozen copy), room.version += 1
       │ every ~2 s:  beat(code, token)                ──► room.teacher_seen
       │ new_game(code, token)                         ──► room.game = the snapshot's lineup, tallies at 0
    child  ──look(code) / watch(code, anonymous token)──► the latest snapshot, the game, the tallies
           ──vote(code, game_no, picks)                ──► anonymous counts only (how many said "drawn")

What a room holds: the teacher's published snapshot, the current judge game, anonymous vote counts,
and for "how many are watching" random tokens with the time they were last seen. Nothing a child
types or draws, no names. A room ends when its teacher closes it, when the teacher's heartbeat stops
for TEACHER_GONE seconds (the tab was closed), or ROOM_LIFETIME after it opened. The registry lives
in one process: with several replicas, every member of a room must reach the replica that holds it
(see the README: route by room code).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

LETTERS = "CDFHJKMNPRTVWXY"   # no vowels (no words by chance), none that looks like a digit or another letter
CODE_LENGTH = 4               # 15**4 = 50,625 codes
ROOM_LIFETIME = 2 * 3600.0    # seconds: a lesson, with room to spare
TEACHER_GONE = 180.0          # seconds without a heartbeat from the teacher's page: the room ends
WATCHING = 10.0               # a child's page seen within this many seconds counts as watching
ENDED_KEPT = 6 * 3600.0       # an ended code is remembered this long, to say "ended" rather than "no such code"
MAX_ROOMS = 200               # per process; each room holds one snapshot (~0.2 MB)
PICTURES = 8                  # pictures in one judge game


class RoomsFull(RuntimeError):
    """Too many rooms are open in this process at once."""


class NotTeacher(PermissionError):
    """The code and token do not match an open room: only the teacher who opened it may change it."""


@dataclass
class Tally:
    """Anonymous counts for one judge game: how many voted, and per picture how many said "drawn"."""
    voters: int = 0
    said_drawn: list[int] = field(default_factory=lambda: [0] * PICTURES)


@dataclass
class Room:
    code: str
    token: str
    opened: float
    teacher_seen: float
    version: int = 0                          # goes up with every published snapshot
    snapshot: dict | None = None
    game_no: int = 0                          # 0: no game yet
    game: dict | None = None                  # {"images", "is_real", "verdicts", "round"}
    tally: Tally = field(default_factory=Tally)
    watchers: dict[str, tuple] = field(default_factory=dict)   # random token -> (last seen, is its tab open? or None)


@dataclass(frozen=True)
class View:
    """What a child's page reads: a copy of the room's public state at one moment."""
    code: str
    version: int
    snapshot: dict | None
    game_no: int
    game: dict | None
    voters: int
    said_drawn: tuple[int, ...]
    watching: int


def normalize(text: object) -> str | None:
    """A code as typed or passed in a link -> "KXPM", or None if it cannot be one.

    Case, spaces, dashes and full-width letters are forgiven; anything else (emoji, Chinese, digits,
    5,000 characters) gives None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    import unicodedata

    letters = [c for c in unicodedata.normalize("NFKC", text).upper() if not c.isspace() and c not in "-_·.,"]
    code = "".join(letters)
    if len(code) != CODE_LENGTH or any(c not in LETTERS for c in code):
        return None
    return code


def freeze(value):
    """A deep copy of a view (dicts, lists, tuples, numpy arrays, numbers), so the trainer may go on
    changing its own lists and arrays while children read the copy."""
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(freeze(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def score(game: dict, said_drawn, voters: int) -> dict:
    """How well the class and the AI judge caught the drawn pictures of one game.

    Returns percentages 0-100 (None when nobody has voted yet): class_pct = share of all the class's
    looks at drawn pictures that said "drawn"; judge_pct = share of drawn pictures the judge called
    drawn (verdict < 0.5 = "real" with less than even odds); also the counts behind them."""
    drawn = ~np.asarray(game["is_real"], bool)
    said = np.asarray(said_drawn, float)[: len(drawn)]
    judge = np.asarray(game["verdicts"], float) < 0.5
    n_drawn = int(drawn.sum())
    class_pct = None if voters == 0 or n_drawn == 0 else round(100 * said[drawn].sum() / (voters * n_drawn))
    judge_pct = round(100 * (judge & drawn).sum() / n_drawn) if n_drawn else 0
    return {"class_pct": class_pct, "judge_pct": judge_pct, "drawn": n_drawn, "voters": voters,
            "class_wrong": 0 if voters == 0 else round(float(said[~drawn].sum()) / voters, 1)}


class Rooms:
    """Every open room of this process, safe to use from many script threads at once.

    `clock` gives seconds (time.monotonic by default; tests pass a fake one)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_rooms: int = MAX_ROOMS):
        self.clock, self.max_rooms = clock, max_rooms
        self._lock = threading.Lock()
        self._rooms: dict[str, Room] = {}
        self._ended: dict[str, float] = {}

    # ── The teacher ──────────────────────────────────────────────────────────────────────────────
    def create(self) -> tuple[str, str]:
        """Open a room. Returns (code, token): the code is for the class, the token only for the
        teacher's session. Raises RoomsFull when MAX_ROOMS are open."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            if len(self._rooms) >= self.max_rooms:
                raise RoomsFull(f"{len(self._rooms)} rooms are open")
            while True:
                code = "".join(secrets.choice(LETTERS) for _ in range(CODE_LENGTH))
                if code not in self._rooms and code not in self._ended:
                    break
            token = secrets.token_hex(16)
            self._rooms[code] = Room(code, token, opened=now, teacher_seen=now)
            return code, token

    def beat(self, code: str, token: str) -> bool:
        """The teacher's page is still there. False if the room has ended (then open a new one)."""
        with self._lock:
            room = self._teachers(code, token, raise_if_gone=False)
            if room is None:
                return False
            room.teacher_seen = self.clock()
            return True

    def publish(self, code: str, token: str, view: dict) -> int:
        """Give the class a copy of the teacher's current view (for the GAN: fixed pictures, history,
        film strip, lineup with is_real and verdicts). The first lineup published starts game 1.
        Returns the new version. Raises NotTeacher if the room has ended or the token is wrong."""
        frozen = freeze(view)
        with self._lock:
            room = self._teachers(code, token)
            room.snapshot, room.version, room.teacher_seen = frozen, room.version + 1, self.clock()
            if room.game is None and frozen.get("lineup") is not None:
                self._start_game(room)
            return room.version

    def new_game(self, code: str, token: str) -> int:
        """New pictures to judge: the latest snapshot's lineup; the votes start again from zero.
        Returns the game number (0 if nothing has been published yet)."""
        with self._lock:
            room = self._teachers(code, token)
            if room.snapshot is not None and room.snapshot.get("lineup") is not None:
                self._start_game(room)
            return room.game_no

    def close(self, code: str, token: str) -> None:
        """The teacher ends the class duel. A wrong token or an ended room: nothing happens."""
        with self._lock:
            room = self._rooms.get(code)
            if room is not None and secrets.compare_digest(room.token, token):
                self._end(code, self.clock())

    # ── The children (and the projector) ────────────────────────────────────────────────────────
    def look(self, code: str | None, watcher: str | None = None,
             alive: Callable[[], bool] | None = None) -> View | str:
        """The room's public state, or a reason it cannot be shown: "unknown" (no such code: a typo)
        or "ended" (it was open, but the teacher closed it, left, or two hours passed).
        `watcher`: a random token of the child's page, counted as watching for WATCHING seconds, or for
        as long as `alive()` says its tab is open (a page that refreshes without asking the server)."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            room = self._rooms.get(code) if code else None
            if room is None:
                return "ended" if code in self._ended else "unknown"
            if watcher:
                room.watchers[watcher] = (now, alive)
            for w in [w for w, (seen, open_) in room.watchers.items()
                      if now - seen > WATCHING and not (open_ is not None and open_())]:
                del room.watchers[w]
            return View(room.code, room.version, room.snapshot, room.game_no, room.game,
                        room.tally.voters, tuple(room.tally.said_drawn), len(room.watchers))

    def vote(self, code: str, game_no: int, said_drawn: list[bool]) -> str:
        """One child's answer to game `game_no`: per picture, True = "I think it was drawn".
        Returns "ok", "old" (the teacher has shown new pictures since), "unknown" or "ended".
        Only the counts are kept. Raises ValueError if `said_drawn` has the wrong length."""
        if len(said_drawn) != PICTURES:
            raise ValueError(f"{len(said_drawn)} answers, expected {PICTURES}")
        with self._lock:
            self._expire(self.clock())
            room = self._rooms.get(code)
            if room is None:
                return "ended" if code in self._ended else "unknown"
            if game_no != room.game_no or room.game is None:
                return "old"
            room.tally.voters += 1
            for i, drawn in enumerate(said_drawn):
                room.tally.said_drawn[i] += bool(drawn)
            return "ok"

    def open_count(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._rooms)

    def open_codes(self) -> set[str]:
        with self._lock:
            self._expire(self.clock())
            return set(self._rooms)

    # ── Inside ──────────────────────────────────────────────────────────────────────────────────
    def _teachers(self, code: str, token: str, raise_if_gone: bool = True) -> Room | None:
        now = self.clock()
        self._expire(now)
        room = self._rooms.get(code)
        if room is None or not secrets.compare_digest(room.token, token):
            if raise_if_gone:
                raise NotTeacher(code)
            return None
        return room

    def _start_game(self, room: Room) -> None:
        line = room.snapshot["lineup"]
        room.game = {"images": line["images"][:PICTURES], "is_real": np.asarray(line["is_real"][:PICTURES], bool),
                     "verdicts": np.asarray(line["verdicts"][:PICTURES], float), "round": room.snapshot.get("round", 0)}
        room.game_no += 1
        room.tally = Tally()

    def _expire(self, now: float) -> None:
        for code, room in list(self._rooms.items()):
            if now - room.opened > ROOM_LIFETIME or now - room.teacher_seen > TEACHER_GONE:
                self._end(code, now)
        for code in [c for c, when in self._ended.items() if now - when > ENDED_KEPT]:
            del self._ended[code]

    def _end(self, code: str, now: float) -> None:
        self._rooms.pop(code, None)
        self._ended[code] = now
