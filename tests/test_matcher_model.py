"""The matcher: tokenizer on odd input, encoder shapes and lengths, a short training run that gets better,
the shipped weights finding the right pictures in both languages, and the `match` command's output."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from models import matcher, world
from models.__main__ import main, save_pngs
from models.tokenizer import MAX_PIECES, UNK, Tokenizer

torch.set_num_threads(1)


# ── Tokenizer ────────────────────────────────────────────────────────────────────────────────
def test_tokenizer_reads_chinese_words_english_words_and_marks_the_unknown():
    tok = Tokenizer()
    r = tok.read("Two BLUE stars, 蓝色的星星🌟 和恐龙!")
    assert r.pieces == ["two", "blue", "stars", "蓝色", "的", "星星", "🌟", "和", "恐", "龙"]
    assert r.ids[2] == tok.index["star"] and r.ids[3] == tok.index["蓝色"]       # "stars" reads as "star"
    assert r.unknown == ["two", "🌟", "和", "恐", "龙"] and not r.truncated
    assert tok.read("蓝的星星").pieces == ["蓝", "的", "星星"] and UNK not in tok.read("蓝的星星").ids


@pytest.mark.parametrize("text", ["", "   ", "!!!", "👨‍👩‍👧👍🏽", "x" * 5000, "猫" * 5000, "café Привет 123\n\t"])
def test_odd_text_never_breaks_the_text_encoder(text):
    model = matcher.Matcher()
    r = model.tokenizer.read(text)
    assert len(r.pieces) <= MAX_PIECES and all(len(p) <= 25 for p in r.pieces)
    assert r.truncated == (len(text) >= 5000)
    emb = model.encode_text([text])
    assert emb.shape == (1, model.config.dim) and torch.isfinite(emb).all()
    assert torch.allclose(emb.norm(dim=-1), torch.ones(1), atol=1e-5)


# ── Encoders and the similarity matrix ───────────────────────────────────────────────────────
def test_encoders_give_unit_vectors_and_the_similarity_is_scaled_cosine():
    model = matcher.Matcher()
    pics = world.make_pictures(5, seed=1)
    img, txt = model.encode_image(pics.images), model.encode_text(pics.captions_zh[:3])
    assert img.shape == (5, 64) and txt.shape == (3, 64)
    assert torch.allclose(img.norm(dim=-1), torch.ones(5), atol=1e-5)
    assert torch.allclose(txt.norm(dim=-1), torch.ones(3), atol=1e-5)
    logits = model.similarity(img, txt)
    assert logits.shape == (5, 3)
    assert torch.allclose(logits, (1 / 0.07) * img @ txt.T, atol=1e-4)
    reading, vectors = model.piece_vectors("a red fish 🐟")
    assert vectors.shape == (4, model.config.piece_dim) and reading.unknown == ["🐟"]


def test_two_red_fish_are_both_right_for_red_fish_but_only_the_big_one_for_a_big_red_fish():
    fish, red, big, small = world.KINDS.index("fish"), world.COLORS.index("red"), 1, 0
    attrs = np.array([[fish, red, big, -1], [fish, red, small, -1], [fish, 0 + 4, big, -1]])
    named = np.array([[fish, red, -1, -1], [fish, red, big, -1], [fish, -1, -1, -1]])
    assert matcher.fits(attrs, named).tolist() == [[True, True, True], [True, False, True], [False, False, True]]


def test_a_few_training_steps_raise_the_batch_matching_accuracy():
    trainer = matcher.MatcherTrainer(seed=0)
    before = matcher.evaluate(trainer.model, n=400)
    first = [trainer.step()["accuracy"] for _ in range(5)]
    for _ in range(70):
        last = trainer.step()
    after = matcher.evaluate(trainer.model, n=400)
    assert trainer.steps == 75 and np.isfinite(last["loss"])
    assert last["accuracy"] > np.mean(first) + 0.15, (first, last)
    assert after["en"] > before["en"] + 0.1 and after["zh"] > before["zh"] + 0.1, (before, after)
    grid = trainer.batch_similarity()
    assert grid["cosine"].shape == (6, 6) and np.allclose(grid["probs"].sum(1), 1, atol=1e-5)
    assert np.trace(grid["probs"]) > 1.5     # chance would put 1/6 on each diagonal cell: 1.0 in all


def small_config(**changes):
    import dataclasses
    return dataclasses.replace(matcher.MatcherConfig.live(), batch=16, pool=64, bank=96, refresh=8, refresh_every=2,
                               width=4, **changes)


def test_the_pictures_are_drawn_once_not_again_while_training(monkeypatch):
    calls = []
    render = world.render
    monkeypatch.setattr(world, "render", lambda *a, **k: calls.append(a[0]) or render(*a, **k))
    matcher._bank.cache_clear()                     # a bank another test drew would hide the first drawing
    trainer = matcher.MatcherTrainer(small_config(), seed=3)
    calls.clear()                                   # (the page's six shown pictures are drawn when it is made)
    trainer.step()
    first, pool = len(calls), trainer.order[:64].copy()
    for _ in range(19):
        trainer.step()
    assert first > 0 and len(calls) == first, f"{len(calls) - first} kinds redrawn in 19 steps"
    # The pool still changes: pictures of the bank that waited come in, and every picture is one of the bank's.
    assert len(set(trainer.order[:64]) - set(pool)) >= 8
    assert sorted(trainer.order) == list(range(96))
    # A second trainer with the same seed shares the drawn pictures: nothing drawn again.
    second = matcher.MatcherTrainer(small_config(), seed=3)
    calls.clear()
    second.step()
    assert calls == []


def test_the_training_texts_are_the_ones_the_world_writes_and_read_alike_by_number():
    from models import tokenizer as T
    pics = world.make_pictures(300, seed=4, captions=False)
    texts, named = T.sample_texts(pics.kinds, pics.colors, pics.sizes, pics.moods, np.random.default_rng(5))
    codes, named2 = T.draw_texts(pics.kinds, pics.colors, pics.sizes, pics.moods, np.random.default_rng(5))
    assert texts == [T.training_text_of(c) for c in codes] and (named == named2).all()
    assert set(texts) <= set(T.world_texts())       # every training text is one the vocabulary was made from
    assert len(set(texts) & set(T.full_captions("en") + T.full_captions("zh"))) > 50    # captions among them
    tok = Tokenizer()
    split = np.random.default_rng(6).random(300) < 0.3
    for words in (None, split):
        ids, mask = tok.batch_codes(codes, words)
        ids2, mask2 = tok.batch(texts, words)
        assert torch.equal(ids, ids2) and torch.equal(mask, mask2)


# ── The shipped model ────────────────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def shipped():
    return matcher.load_shipped()


def test_shipped_model_finds_the_same_blue_stars_in_both_languages(shipped):
    gallery = world.make_pictures(300, seed=77)
    emb = shipped.encode_image(gallery.images)
    star, blue = world.KINDS.index("star"), world.COLORS.index("blue")
    blue_stars = set(np.flatnonzero((gallery.kinds == star) & (gallery.colors == blue)))
    zh, _ = matcher.search(shipped, emb, "蓝色的星星", top=3)
    en, _ = matcher.search(shipped, emb, "a blue star", top=3)
    assert set(zh) <= blue_stars and set(en) <= blue_stars, (zh, en, blue_stars)
    scores = matcher.evaluate(shipped, seed=5, n=400)
    assert min(scores.values()) >= 0.9, scores


# ── What the matching chapter shows: scores and the meaning map ─────────────────────────────────
def test_match_score_is_a_whole_number_from_0_to_100():
    assert [matcher.match_score(c) for c in (-0.7, 0.0, 0.424, 0.5, 1.0, 1.3)] == [0, 0, 42, 50, 100, 100]
    assert matcher.match_score(torch.tensor(0.87)) == 87 and matcher.match_score(np.float32(0.33)) == 33


def test_a_picture_is_closer_to_its_own_words_than_to_other_words(shipped):
    pics = world.make_pictures(300, seed=77)
    star = pics.images[np.flatnonzero((pics.kinds == world.KINDS.index("star")) & (pics.colors == world.COLORS.index("blue")))[0]]
    vectors, cos = matcher.picture_and_words(shipped, star, ["蓝色的星星", "a blue star", "a red fish"])
    assert vectors.shape == (4, shipped.config.dim) and cos.shape == (3,)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert np.allclose(cos, vectors[1:] @ vectors[0], atol=1e-5)
    assert min(cos[0], cos[1]) > cos[2] + 0.2, cos


def test_the_meaning_map_spreads_most_along_its_first_axis_and_places_words_where_they_were(shipped):
    pics = world.make_pictures(60, seed=7)
    words = ["猫", "cat", "红色的鱼", "red fish", "太阳", "sun"]
    layout = matcher.meaning_map(shipped, pics.images, words)
    assert layout.images_xy.shape == (60, 2) and layout.words_xy.shape == (6, 2)
    every = np.concatenate([layout.images_xy, layout.words_xy])
    assert np.allclose(every.mean(0), 0, atol=1e-4)                 # centred on the points' mean
    assert every[:, 0].var() >= every[:, 1].var() > 0               # the first direction spreads them most
    assert np.allclose(layout.place(shipped, ["cat", "sun"]), layout.words_xy[[1, 5]], atol=1e-4)
    cat, fish = layout.words_xy[1], layout.words_xy[3]
    assert np.linalg.norm(layout.words_xy[0] - cat) < np.linalg.norm(fish - cat)   # 猫 sits nearer cat than red fish
    with pytest.raises(ValueError):
        matcher.meaning_map(shipped, pics.images[:0], words)


# ── The command line ─────────────────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    pics = world.make_pictures(40, seed=27)          # holds two red fish (and other fish, other red things)
    names = save_pngs(pics.images, out)
    (out / "notes.txt").write_text("not a picture")
    return out, names, pics


def test_match_prints_the_best_file_names_one_a_line(folder, capsys):
    out, names, pics = folder
    assert main(["match", "--images", str(out), "--query", "红色的鱼", "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and set(lines) <= set(names)
    red_fish = (pics.kinds == world.KINDS.index("fish")) & (pics.colors == world.COLORS.index("red"))
    assert red_fish.sum() == 2                                           # the folder really holds red fish
    assert {names.index(line) for line in lines[:2]} == set(np.flatnonzero(red_fish))   # both, first


def test_match_json_maps_each_query_to_its_names(folder, capsys):
    out, names, _ = folder
    assert main(["match", "--images", str(out), "--query", "a blue star", "--query", "🌟 ??", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert list(result) == ["a blue star", "🌟 ??"] and len(result["a blue star"]) == 5
    assert result["🌟 ??"] == []                        # it names nothing known: nothing is ranked
    assert "never seen" in captured.err                 # the emoji is reported, not an error
    assert "names nothing" in captured.err


def test_match_on_words_that_name_nothing_says_so(folder, capsys):
    out, _, _ = folder
    assert main(["match", "--images", str(out), "--query", "的的色"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "" and "names nothing the matcher knows" in captured.err


def test_match_with_several_queries_prints_a_heading_for_each(folder, capsys):
    out, _, _ = folder
    main(["match", "--images", str(out), "--query", "cat", "--query", "猫", "--top", "2"])
    blocks = capsys.readouterr().out.strip().split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == ["# cat", "# 猫"] and all(len(b.splitlines()) == 3 for b in blocks)


def test_match_on_an_empty_folder_is_a_one_line_error(tmp_path):
    run = subprocess.run([sys.executable, "-m", "models", "match", "--images", str(tmp_path), "--query", "cat"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1 and "no readable pictures" in run.stderr


def test_evaluate_prints_recall_at_1_of_the_weights_given(tmp_path, capsys):
    """On a small untrained matcher saved like the shipped one: the printed figures are its own."""
    from types import SimpleNamespace

    from models.commands.matcher import evaluate_command

    trainer = matcher.MatcherTrainer(seed=4)
    matcher.save(trainer.model, tmp_path / "m.pt")
    evaluate_command(SimpleNamespace(weights=tmp_path / "m.pt", seed=9), n=200)
    lines = capsys.readouterr().out.splitlines()
    scores = matcher.evaluate(matcher.load(tmp_path / "m.pt"), seed=9, n=200)
    assert lines[:4] == [f"recall@1 {k:9s} {v:.3f}" for k, v in scores.items()]
    assert list(scores) == ["en", "zh", "short_en", "short_zh"] and max(scores.values()) < 0.5   # untrained
    evaluate_command(SimpleNamespace(weights=None, seed=9), n=200)                              # the shipped one
    shipped = [float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()[:4]]
    assert min(shipped) >= 0.9
