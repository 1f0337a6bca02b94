"""The shared player (ui/player.py) in AppTest, on a film of four frames: one run is one tick. It plays
one frame a tick, stops one tick AFTER the last frame is shown (commit 41a2a95: a whole-page rerun in
the tick that shows the end lost the end in the browser), starts again from the first frame when
played at the end, and steps and rewinds."""

from streamlit.testing.v1 import AppTest


def film():
    import streamlit as st

    from ui.player import Labels, Player

    st.session_state["lang"] = "en"
    player = Player("film", tick=0.1)
    player.bar(3, Labels.training(), extra=lambda: st.caption("extra column"))
    player.screen(3, lambda frame: st.markdown(f"frame {frame}"), scrub="Frame")


def shown(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("frame ")]


def test_the_player_plays_to_the_end_stops_a_tick_later_and_starts_again():
    at = AppTest.from_function(film, default_timeout=30).run()
    assert shown(at) == ["frame 0"] and "extra column" in [c.value for c in at.caption]
    assert at.button(key="film-rewind").disabled                        # nothing to rewind at the start
    at.button(key="film-one-step").click().run()
    assert shown(at) == ["frame 1"] and not at.session_state["film:playing"]
    at.button(key="film-play").click().run()                            # play: the next frame, this tick
    assert shown(at) == ["frame 2"] and at.session_state["film:playing"]
    assert at.button(key="film-one-step").disabled                      # no stepping while it plays
    at.run()
    assert shown(at) == ["frame 3"] and at.session_state["film:playing"]    # the end is shown, still playing
    at.run()                                                            # one tick later it stops
    assert shown(at) == ["frame 3"] and not at.session_state["film:playing"]
    assert at.button(key="film-one-step").disabled and at.slider(key="film-frame").value == 3
    at.button(key="film-play").click().run()                            # play at the end: from the start
    assert shown(at) == ["frame 1"] and at.session_state["film:playing"]
    at.button(key="film-play").click().run()                            # pause where it is
    assert not at.session_state["film:playing"] and at.session_state["film-frame"] == 1
    at.slider(key="film-frame").set_value(2).run()                      # scrub
    assert shown(at) == ["frame 2"]
    at.button(key="film-rewind").click().run()
    assert shown(at) == ["frame 0"] and not at.session_state["film:playing"]


def test_the_bar_brings_the_one_click_rule_for_its_first_button():
    """A double click on Play (Start) must stay Play: the bar brings the browser script that drops a
    second click on its first button within ONE_CLICK_MS (tests/browser/test_live_browser.py clicks it)."""
    from ui.player import ONE_CLICK_MS

    at = AppTest.from_function(film, default_timeout=30).run()
    scripts = [h.proto.body for h in at.get("html") if "aidrawGo" in h.proto.body]
    assert len(scripts) == 1 and '["film-play", "film-play"]' in scripts[0]
    assert f"gap = {ONE_CLICK_MS}" in scripts[0] and 400 <= ONE_CLICK_MS <= 600
    at.button(key="film-play").click().run()
    at.button(key="film-play").click().run()                            # a later click still pauses
    assert not at.session_state["film:playing"]
