"""The GAN page in AppTest: the duel takes steps, pauses and starts over; the child plays judge and sees
the answers; what the drawer learns and where it starts can be chosen; the recorded duel replays;
mode collapse is noticed. In Chinese and in English."""

import numpy as np
import pytest
import torch
from helpers import captions, no_exception, run_app, texts

from ui.i18n import t_in

PAGE = "pages/gan.py"


def live(at):
    return at.session_state["live:gan"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_duel_steps_pauses_resets_and_the_judge_game_in_each_language(lang):
    at = run_app(lang, PAGE)
    no_exception(at)
    shown = texts(at)
    for key in ("gan.now_title", "gan.lineup_title", "gan.film_title", "gan.score_title"):
        assert t_in(lang, key) in shown, key
    assert t_in(lang, "gan.game_level", n=1, round=at.session_state["gan:game"]["round"]) in shown
    assert t_in(lang, "train_status_new") in shown

    at.button(key="gan-step").click().run()
    no_exception(at)
    assert live(at).trainer.steps == 1
    at.button(key="gan-start").click().run()                    # one run = one tick of training
    no_exception(at)
    steps = live(at).trainer.steps
    assert steps > 1
    assert t_in(lang, "gan.now_caption", round=steps) in captions(at)
    # The film strip and the judge's line-up are one element each, every picture with its words in it (in a
    # ticking panel the browser draws every element again each tick: three a picture cost it a quarter core).
    film = [im.proto.imgs for im in at.image if im.proto.imgs[0].caption == t_in(lang, "gan.film_round", round=0)]
    lineup = [im.proto.imgs for im in at.image if len(im.proto.imgs) == 8]
    assert len(film) == 1 and len(film[0]) == len(live(at).trainer.film)
    assert len(lineup) == 1
    lineup = lineup[0]
    truths = (t_in(lang, "gan.truth_real"), t_in(lang, "gan.truth_drawn"))
    assert all(i.alt in truths and i.caption.split("  \n")[1].startswith(i.alt) for i in lineup)   # verdict, then truth
    at.button(key="gan-pause").click().run()
    assert t_in(lang, "train_status_paused", steps=steps) in texts(at)

    # You be the judge: tick two pictures, show the answers, and the counts add up.
    game = at.session_state["gan:game"]
    for i in (1, 6):
        at.checkbox(key=f"gan-game-0-{i}").check()
    at.button(key="gan-game-check").click().run()
    no_exception(at)
    drawn = ~np.asarray(game["is_real"], bool)
    found, wrong = int(drawn[[1, 6]].sum()), int((~drawn[[1, 6]]).sum())
    assert t_in(lang, "gan.game_you", found=found, total=int(drawn.sum()), wrong=wrong) in texts(at)
    judge = np.asarray(game["verdicts"]) < 0.5
    assert t_in(lang, "gan.game_judge", found=int((judge & drawn).sum()), total=int(drawn.sum()),
                wrong=int((judge & ~drawn).sum())) in texts(at)
    at.button(key="gan-game-next").click().run()                # the next game comes from later rounds
    no_exception(at)
    later = at.session_state["gan:game"]
    assert not game["own"] and not later["own"]                 # both from the recorded duel ...
    assert later["n"] == 1 and later["round"] > game["round"]      # ... the next from strictly later rounds

    at.button(key="gan-reset").click().run()
    no_exception(at)
    assert live(at).trainer.steps == 0 and t_in(lang, "train_status_new") in texts(at)


def test_choices_the_recorded_duel_and_who_learns():
    at = run_app("en", PAGE)
    # AppTest takes a segmented control's label as the browser sends it.
    at.segmented_control(key="gan-kind").set_value(t_in("en", "kinds.many.star")).run()
    no_exception(at)
    assert live(at).trainer.kind == "star"
    at.segmented_control(key="gan-who").set_value(t_in("en", "gan.learns_discriminator")).run()
    assert live(at).trainer.mode == "discriminator"

    at.segmented_control(key="gan-kind").set_value(t_in("en", "gan.everything")).run()
    assert live(at).trainer.kind is None and live(at).trainer.draw_fixed().shape[0] == 40   # 4 of each kind
    at.segmented_control(key="gan-from").set_value(t_in("en", "gan.start_trained")).run()
    no_exception(at)
    assert live(at).trainer.steps > 1000                      # the shipped drawer: an instant start

    at.segmented_control(key="gan-from").set_value(t_in("en", "gan.start_recorded")).run()
    no_exception(at)
    assert at.session_state["gan-replay-frame"] == 0 and "Recorded duel" in texts(at)
    at.button(key="gan-replay-step").click().run()
    assert at.session_state["gan-replay-frame"] == 1
    at.button(key="gan-replay-start").click().run()           # one run = one frame while playing
    no_exception(at)
    assert at.session_state["gan-replay-frame"] == 2
    at.button(key="gan-replay-reset").click().run()
    assert at.session_state["gan-replay-frame"] == 0


def test_mode_collapse_is_noticed_on_the_page():
    at = run_app("en", PAGE)
    trainer = live(at).trainer
    trainer.steps = 400                                       # late enough to judge the drawer's variety
    with torch.no_grad():                                     # a generator that ignores its noise
        trainer.drawing_generator.project[0].weight[:, : trainer.config.z_dim] = 0
    at.run()
    no_exception(at)
    assert t_in("en", "gan.collapse_warning").split(" ", 1)[1] in texts(at)   # st.warning shows the emoji as its icon


def test_the_line_up_and_scoreboard_change_only_every_few_seconds_while_the_duel_trains():
    """The drawer's pictures are new every tick; the judge's line-up and the scoreboard at most every
    LINEUP_EVERY / SCORE_EVERY seconds (each change costs the child's browser a redraw); paused, a step
    shows at once (fails when view_of_trainer ignores `slow`: checked)."""
    from models.gan import GANConfig
    from models.gan_train import GANTrainer
    from ui.gan_views import LINEUP_EVERY, SCORE_EVERY, view_of_trainer
    from ui.worker import Run

    torch.set_num_threads(1)
    import dataclasses

    small = dataclasses.replace(GANConfig.live(), data_size=64, batch=8)   # the page's model, fewer pictures
    run = Run(trainer=GANTrainer(small, kind="face"), running=True)
    clock = [100.0]

    def look():
        return view_of_trainer(run.trainer, slow=lambda name, make, every: run.picture(name, make, every, now=clock[0]))

    first = look()
    run.trainer.step()
    run.trained_cpu += 100.0                               # the budget allows drawing: only the clock decides
    clock[0] += min(LINEUP_EVERY, SCORE_EVERY) / 2
    second = look()
    assert second["round"] == 1 and not np.array_equal(second["fixed"], first["fixed"])
    assert second["lineup"] is first["lineup"] and second["history"] is first["history"]
    clock[0] += max(LINEUP_EVERY, SCORE_EVERY)
    third = look()
    assert third["lineup"] is not first["lineup"] and third["history"] is not first["history"]
    run.running = False                                    # paused: One step shows its line-up at once
    run.trainer.step()
    assert look()["lineup"] is not third["lineup"]
