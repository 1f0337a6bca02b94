"""The live-training machinery every chapter shares: seats, ticks, caps, and one visitor's state."""

from streamlit.testing.v1 import AppTest

from helpers import ROOT
from ui.training import SEAT_TIMEOUT, TURN_SECONDS, Seats, needs_drawing

DEMO = str(ROOT / "tests" / "apps" / "live_demo.py")


def test_seats_give_places_in_line_and_free_up_when_someone_leaves():
    seats = Seats(2)
    assert seats.ask("a", now=0) == 0 and seats.ask("b", now=0) == 0
    assert seats.ask("c", now=0) == 1 and seats.ask("d", now=0) == 2
    assert seats.ask("c", now=1) == 1                       # asking again keeps your place
    seats.leave("a")
    assert seats.ask("d", now=1) == 2                       # no pushing in: c is first in line
    assert seats.ask("c", now=1) == 0 and seats.ask("d", now=1) == 1


def test_a_closed_tab_gives_its_seat_back():
    seats = Seats(1)
    assert seats.ask("gone", now=0) == 0
    assert seats.ask("next", now=1) == 1
    assert seats.ask("next", now=1 + SEAT_TIMEOUT + 0.1) == 0     # "gone" stopped ticking


def test_turns_end_only_when_someone_is_waiting():
    seats = Seats(1)
    for tick in range(int(TURN_SECONDS) + 2):                  # "a" ticks every second
        assert seats.ask("a", now=tick) == 0                   # nobody waits: keep going
    t = TURN_SECONDS + 2
    assert seats.ask("b", now=t) == 1
    assert seats.ask("a", now=t + 0.5) == -1                     # a friend waits: turn over
    assert seats.ask("b", now=t + 1) == 0


def demo(cap=50, memory=1000):
    at = AppTest.from_file(DEMO, default_timeout=30)
    at.session_state["demo-cap"] = cap
    at.session_state["demo-memory"] = memory
    return at.run()


def steps_shown(at):
    return int(next(m.value for m in at.markdown if m.value.startswith("steps=")).split("=")[1])


def test_one_step_start_pause_and_reset():
    at = demo(cap=10**9)
    assert steps_shown(at) == 0
    at.button(key="demo-step").click().run()
    at.button(key="demo-step").click().run()
    assert steps_shown(at) == 2
    at.button_group(key="demo-speed").set_value("slow").run()
    at.button(key="demo-start").click().run()                   # slow: one step per tick
    assert steps_shown(at) == 3
    at.run()
    assert steps_shown(at) == 4
    at.button(key="demo-pause").click().run()
    paused = steps_shown(at)
    at.run()
    assert steps_shown(at) == paused and at.button(key="demo-start")
    at.button(key="demo-reset").click().run()
    assert steps_shown(at) == 0 and not at.exception


def test_training_stops_at_the_step_cap_with_a_word():
    at = demo(cap=30)
    at.button(key="demo-start").click().run()
    assert steps_shown(at) == 30
    assert at.button(key="demo-start").disabled
    assert any("30" in i.value for i in at.info)


def test_training_stops_at_the_memory_cap():
    at = demo(memory=500 * 2 ** 20)
    at.button(key="demo-start").click().run()
    assert at.info and at.button(key="demo-start") and not at.exception


def test_slow_pictures_are_drawn_again_only_every_few_seconds_while_training():
    kept = (10, 100.0, "picture")
    assert needs_drawing(None, 0, running=False, now=0.0, every=2.0)                   # nothing yet
    assert not needs_drawing(kept, 10, running=False, now=100.5, every=2.0)           # same steps: keep it
    assert not needs_drawing(kept, 14, running=True, now=101.0, every=2.0)            # training: wait a bit
    assert needs_drawing(kept, 14, running=True, now=102.5, every=2.0)                # ... then draw again
    assert needs_drawing(kept, 11, running=False, now=100.1, every=2.0)               # paused or stepped: now
