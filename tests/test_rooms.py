"""Class duel rooms with a fake clock: open, join, publish, vote, leave, expire, a wrong code."""

import numpy as np
import pytest

from ui import rooms
from ui.rooms import NotTeacher, Rooms, RoomsFull, normalize, score


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def view(round_=10, is_real=(1, 0, 1, 0, 0, 1, 1, 0), verdicts=(0.9, 0.2, 0.8, 0.7, 0.1, 0.6, 0.4, 0.3)):
    return {"round": round_, "fixed": np.zeros((16, 32, 32, 3), np.uint8), "history": {"round": [1, 2]},
            "lineup": {"images": np.zeros((8, 32, 32, 3), np.uint8), "is_real": np.array(is_real, bool),
                       "verdicts": np.array(verdicts)}}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def reg(clock):
    return Rooms(clock=clock)


def test_a_code_is_short_without_look_alikes_and_typing_is_forgiven(reg):
    code, token = reg.create()
    assert len(code) == 4 and set(code) <= set(rooms.LETTERS)
    assert not set("AEIOU01258BSZGQL") & set(rooms.LETTERS)
    assert normalize(code.lower()) == code
    assert normalize(" " + code[:2] + "-" + code[2:] + " ") == code
    assert normalize("ＫＸＰＭ") == "KXPM"                       # full-width letters from a Chinese keyboard
    for bad in ("", "🙂🙂🙂🙂", "教室", "AB12", "KXPMK", "X" * 5000, None, 42):
        assert normalize(bad) is None


def test_join_publish_and_watch(reg, clock):
    code, token = reg.create()
    seen = reg.look(code, watcher="a")
    assert seen.snapshot is None and seen.game is None and seen.watching == 1
    v = view()
    assert reg.publish(code, token, v) == 1
    v["history"]["round"].append(3)                             # the trainer goes on changing its lists
    v["fixed"][:] = 255
    seen = reg.look(code, watcher="b")
    assert seen.version == 1 and seen.snapshot["history"]["round"] == [1, 2]   # the room kept a copy
    assert seen.snapshot["fixed"].max() == 0
    assert seen.game_no == 1 and seen.game["round"] == 10 and seen.watching == 2
    clock.now += rooms.WATCHING + 1                             # a child's tab closed: it stops counting
    assert reg.look(code, watcher="b").watching == 1


def test_votes_are_anonymous_counts_and_score_against_the_judge(reg):
    code, token = reg.create()
    reg.publish(code, token, view())
    game = reg.look(code).game_no
    truth = [False, True, False, True, True, False, False, True]   # drawn ones: 1, 3, 4, 7
    assert reg.vote(code, game, truth) == "ok"
    assert reg.vote(code, game, [False] * 8) == "ok"               # a child who caught none
    seen = reg.look(code)
    assert seen.voters == 2 and seen.said_drawn == (0, 1, 0, 1, 1, 0, 0, 1)
    s = score(seen.game, seen.said_drawn, seen.voters)
    assert s["class_pct"] == 50                                   # 4 of 8 looks at drawn pictures
    assert s["judge_pct"] == 75                                   # verdicts < 0.5 on 1, 4, 7 but not 3 (0.7)
    assert score(seen.game, (0,) * 8, 0)["class_pct"] is None
    with pytest.raises(ValueError):
        reg.vote(code, game, [True] * 3)

    reg.publish(code, token, view(round_=50))                     # later snapshots do not change the game...
    assert reg.look(code).game_no == game
    assert reg.new_game(code, token) == game + 1                  # ...until the teacher asks for new pictures
    seen = reg.look(code)
    assert seen.voters == 0 and seen.game["round"] == 50
    assert reg.vote(code, game, truth) == "old"                   # an answer to the old pictures


def test_only_the_teacher_changes_a_room(reg):
    code, token = reg.create()
    with pytest.raises(NotTeacher):
        reg.publish(code, "not-the-token", view())
    with pytest.raises(NotTeacher):
        reg.new_game(code, "not-the-token")
    reg.close(code, "not-the-token")
    assert not isinstance(reg.look(code), str)                    # still open


def test_a_wrong_code_and_an_ended_room_get_different_words(reg, clock):
    code, token = reg.create()
    other = "CDFH" if code != "CDFH" else "CDFJ"
    assert reg.look(other) == "unknown" and reg.look(None) == "unknown"
    assert reg.vote(other, 1, [False] * 8) == "unknown"
    reg.close(code, token)                                        # the teacher ends it
    assert reg.look(code) == "ended" and reg.vote(code, 1, [False] * 8) == "ended"
    with pytest.raises(NotTeacher):
        reg.publish(code, token, view())
    assert not reg.beat(code, token)


def test_a_room_ends_when_the_teacher_leaves(reg, clock):
    code, token = reg.create()
    for _ in range(10):                                           # the teacher's page beats: the room lives on
        clock.now += rooms.TEACHER_GONE / 2
        assert reg.beat(code, token)
    assert not isinstance(reg.look(code), str)
    clock.now += rooms.TEACHER_GONE + 1                           # the teacher's tab closed
    assert reg.look(code) == "ended"
    assert reg.open_count() == 0


def test_a_room_ends_after_two_hours_even_with_a_teacher(reg, clock):
    code, token = reg.create()
    while clock.now < 1000 + rooms.ROOM_LIFETIME - 60:
        clock.now += 60
        reg.beat(code, token)
    assert not isinstance(reg.look(code), str)
    clock.now += 120
    reg.beat(code, token)
    assert reg.look(code) == "ended"
    clock.now += rooms.ENDED_KEPT + 1                             # much later the code is simply unknown
    assert reg.look(code) == "unknown"


def test_many_rooms_then_full(clock):
    reg = Rooms(clock=clock, max_rooms=3)
    codes = {reg.create()[0] for _ in range(3)}
    assert len(codes) == 3
    with pytest.raises(RoomsFull):
        reg.create()
    clock.now += rooms.TEACHER_GONE + 1                           # their teachers left: room for new ones
    reg.create()
