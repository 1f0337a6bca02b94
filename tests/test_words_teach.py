"""Teaching the words model a new word (models/words_teach.py, ui/teach_word.py): the new word is read as
learned vectors, a few steps lower the loss, the new word changes the picture, bad names are refused;
the part in AppTest in Chinese, English and both, with every bad input getting a friendly word."""

import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import no_exception, texts

from models import doodles, world
from models import words_teach as WT
from models.words import load_shipped
from ui.i18n import t_in

APP = str(Path(__file__).resolve().parent / "apps" / "teach_word.py")
QUICK = dict(steps=20, pool=48, batch=8, init_batch=16)


@pytest.fixture(scope="module")
def words():
    return load_shipped()


def rockets(n=4, seed=0, size=140):
    """Rockets drawn with the page's canvas pen (ui/canvas.py: 12 px on a 280-px canvas); the doodle
    routine's own random pen (a pencil to a marker) makes some too thin and small to teach with."""
    rng = np.random.default_rng(seed)
    return [np.asarray(doodles.draw("rocket", rng, size=size, width=12)) for _ in range(n)]


def test_names_a_child_may_not_use_are_refused(words):
    reader = words.reader
    assert WT.check_name("rocket", reader) == ("rocket", "")
    assert WT.check_name(" 火箭 ", reader) == ("火箭", "")
    for name in ("猫", "Cat", "貓", "Ｃａｔ", "cats", "鱼"):
        assert WT.check_name(name, reader)[1] == "known_kind", name
    assert WT.check_name("blue", reader)[1] == "known_word"
    assert WT.check_name("", reader)[1] == "empty" and WT.check_name("   ", reader)[1] == "empty"
    assert WT.check_name("🚀🚀", reader)[1] == "no_letters"
    name, problem = WT.check_name("火" * 5000, reader)
    assert len(name) == WT.NAME_MAX and problem == ""


def test_the_new_word_is_read_as_its_vectors_and_nothing_else_changes(words):
    house = words.reader.encoder.embed.weight[words.reader.tokenizer.piece_id("house")].detach()
    reader = WT.TaughtReader(words.reader, "火箭", house[None])
    mine, theirs = reader(["一个蓝色的火箭", "a red fish"]), words.reader(["一个蓝色的house", "a red fish"])
    for a, b in zip(mine, theirs):
        assert torch.allclose(a.float(), b.float(), atol=1e-6)
    assert reader.has_word("蓝色的火箭!") and not reader.has_word("蓝色的火")


def test_painted_doodles_look_like_the_world_and_fill_what_lines_close(words):
    masks = [WT.ink_mask(d) for d in rockets(3)]
    images, colours, _ = WT.paint(masks, 12, np.random.default_rng(0), colours=[4] * 12)
    images = images.astype(int)
    assert images.shape == (12, 32, 32, 3)
    main = np.array(world.RGB["blue"])
    blue = np.minimum(np.abs(images - main).sum(-1), np.abs(images - 0.62 * main).sum(-1)) < 40
    assert (blue.mean((1, 2)) > 0.03).all()                    # the shape, filled, is painted blue (and its shade)
    with pytest.raises(ValueError):
        WT.ink_mask(np.zeros((50, 50, 4), np.uint8))
    with pytest.raises(ValueError):
        WT.WordTeacher(words, "rocket", rockets(2), WT.TeachConfig(**QUICK))


def test_a_few_steps_lower_the_loss_and_the_new_word_changes_the_picture(words):
    teacher = WT.WordTeacher(words, "rocket", rockets(), WT.TeachConfig(**QUICK, lr=0.05))
    before = teacher.held_loss()
    start = teacher.reader.vectors.detach().clone()
    for _ in range(QUICK["steps"]):
        teacher.step()
    assert teacher.done and teacher.held_loss() < before
    assert not torch.equal(start, teacher.reader.vectors)
    assert all(not p.requires_grad or p.grad is None for p in words.ema.parameters())   # the denoiser is frozen
    taught = teacher.sample("a blue rocket", 4, seed=1).astype(int)
    untaught = teacher.sample("a blue rocket", 4, seed=1, taught=False).astype(int)
    assert np.abs(taught - untaught).mean() > 3
    assert np.array_equal(teacher.sample("a blue rocket", 4, seed=1).astype(int), taught)   # same noise, same picture


def test_the_check_tells_the_doodles_from_the_known_kinds():
    masks = [WT.ink_mask(d) for d in rockets()]
    checker = WT.train_checker(masks)
    mine, _, _ = WT.paint(masks, 40, np.random.default_rng(5))
    assert WT.seen_share(checker, mine) > 0.6
    assert WT.seen_share(checker, world.make_pictures(60, seed=9, captions=False).images) < 0.2


# ── The part on a page, in AppTest ────────────────────────────────────────────────────────────
def start_app(lang, monkeypatch, doodled=0):
    from streamlit.testing.v1 import AppTest

    live = {**WT.TeachConfig.live().__dict__, **QUICK, "steps": 30}         # the page's recipe, shorter
    monkeypatch.setattr(WT.TeachConfig, "live", staticmethod(lambda: WT.TeachConfig(**live)))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    if doodled:
        at.session_state["teach:state"] = {"doodles": rockets(doodled, size=112), "teacher": None,
                                           "lock": threading.Lock(), "note": None, "drawn": {}}
    return at


def words_in(lang, key, **fields):
    return [t_in(b, f"words.{key}", **fields)[:12] for b in (("zh", "en") if lang == "both" else (lang,))]


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_bad_input_gets_a_friendly_word_in_each_language(lang, monkeypatch):
    at = start_app(lang, monkeypatch)
    no_exception(at)
    at.button(key="teach-add").click().run()                               # an empty canvas
    assert all(w in texts(at) for w in words_in(lang, "teach_empty"))
    at.button(key="teach-start").click().run()                             # no drawings
    assert all(w in texts(at) for w in words_in(lang, "teach_need_more", n=3, have=0))
    at = start_app(lang, monkeypatch, doodled=3)
    for name, key in (("", "teach_empty_name"), ("🚀🌟", "teach_no_letters"), ("猫", "teach_known_kind"),
                      ("Cat", "teach_known_kind"), ("貓", "teach_known_kind"), ("blue", "teach_known_word")):
        at.text_input(key="teach-name").set_value(name).run()
        at.button(key="teach-start").click().run()
        no_exception(at)
        assert all(w in texts(at) for w in words_in(lang, key, name=name)), (name, key)
    at.text_input(key="teach-name").set_value("火箭" * 2500).run()        # 5,000 characters: cut, and said
    assert at.text_input(key="teach-name").value == "火箭" * 12
    assert all(w in texts(at) for w in words_in(lang, "teach_name_cut", n=WT.NAME_MAX))
    no_exception(at)


def test_a_child_teaches_a_word_and_draws_with_it(monkeypatch):
    at = start_app("en", monkeypatch, doodled=4)
    at.text_input(key="teach-name").set_value("rocket").run()
    at.button(key="teach-start").click().run()
    at.button(key="teach-start").click().run()                             # a double click: it is busy
    assert t_in("en", "words.teach_busy") in texts(at)
    for _ in range(5):
        if "teach-prompt" in [w.key for w in at.text_input]:
            break
        at.run()
    no_exception(at)
    teacher = at.session_state["teach:state"]["teacher"]
    assert teacher.done and teacher.steps == 30
    assert teacher.config.kv and teacher.denoiser is not teacher.words.ema  # the page's own copy (Custom Diffusion)
    assert at.text_input(key="teach-prompt").value == "a blue rocket"
    assert t_in("en", "words.teach_after", name="rocket") in [c.caption for e in at.image for c in e.proto.imgs]
    at.text_input(key="teach-prompt").set_value("a red fish").run()       # no new word: say so, still draw
    assert t_in("en", "words.teach_no_word", name="rocket") in texts(at)
    at.button(key="teach-forget").click().run()
    assert at.session_state["teach:state"]["teacher"] is None
    no_exception(at)


def test_a_word_is_taught_to_the_fine_denoiser_too():
    """The finer network (WordsConfig.fine(): patch 1) is taught the same way: loss falls, the picture changes."""
    from models.words import WordsConfig, WordsTrainer

    words = WordsTrainer(WordsConfig(**{**WordsConfig.fine().__dict__, "width": 8}), seed=0)
    for _ in range(3):
        words.step()
    teacher = WT.WordTeacher(words, "rocket", rockets(3), WT.TeachConfig(**{**QUICK, "steps": 8}, lr=0.05))
    before = teacher.held_loss()
    for _ in range(8):
        teacher.step()
    assert teacher.done and teacher.held_loss() < before
    taught = teacher.sample("a blue rocket", 2, seed=1, steps=3)
    assert taught.shape == (2, 32, 32, 3)
    assert not np.array_equal(taught, teacher.sample("a blue rocket", 2, seed=1, steps=3, taught=False))


def test_custom_diffusion_learns_the_key_value_maps_in_the_visitors_own_copy(words):
    """TeachConfig(kv=True): the cross-attentions' key/value maps are learned too (Kumari et al. 2023),
    in a copy of the denoiser kept by this teacher; the shared model stays exactly as it was."""
    from models.words import CrossAttention

    shared = {k: v.clone() for k, v in words.ema.state_dict().items()}
    teacher = WT.WordTeacher(words, "rocket", rockets(), WT.TeachConfig(**QUICK, kv=True, kv_lr=3e-3, prior=4))
    assert teacher.denoiser is not words.ema
    for _ in range(QUICK["steps"]):
        teacher.step()
    mine = teacher.denoiser.state_dict()
    assert all(torch.equal(shared[k], v) for k, v in words.ema.state_dict().items())   # the shared model: untouched
    changed = {k for k in shared if not torch.equal(shared[k], mine[k])}
    kv = {f"{name}.kv.{p}" for name, m in teacher.denoiser.named_modules() if isinstance(m, CrossAttention)
          for p in ("weight", "bias")}
    assert changed and changed <= kv                                       # only the key/value maps moved
    before = teacher.sample("a blue rocket", 2, seed=1, taught=False)
    assert np.array_equal(before, WT.WordTeacher(words, "rocket", rockets(), WT.TeachConfig(**QUICK)).sample(
        "a blue rocket", 2, seed=1, taught=False))                         # "before" is the shared model's
    assert teacher.memory_bytes() > 4 * sum(p.numel() for p in words.ema.parameters())
