"""The words model: shapes, learning, words change the picture, guidance 0 ignores them, the frozen
reader, saving, the command line, and the benchmark's colour check."""

import csv

import numpy as np
import pytest
import torch

from models import world
from models.__main__ import main
from models.words import WordReader, WordsConfig, WordsTrainer, WordsUNet, say_it

torch.set_num_threads(1)
TINY = dict(width=8, batch=16, pool=256, warmup=5, lr=3e-3, attention=False)


@pytest.fixture(scope="module")
def reader():
    return WordReader()


@pytest.fixture(scope="module")
def trained(reader):
    """A tiny model after a few steps: its words already change its guesses (the cross-attention and
    FiLM start at zero-ish, so a few steps are needed before words make any difference)."""
    trainer = WordsTrainer(WordsConfig(**TINY), seed=0, reader=reader)
    for _ in range(8):
        trainer.step()
    return trainer


@pytest.fixture(scope="module")
def tiny_weights(trained, tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / "tiny.pt"
    trained.save(path)
    return path


def test_shapes(reader):
    pieces, known, meaning = reader(["a blue fish", "一条红色的鱼", "dragon", ""])
    assert pieces.shape[:2] == known.shape and pieces.shape[0] == 4 and pieces.shape[2] == 32
    assert meaning.shape == (4, 64)
    assert known[0, :3].all() and not known[2].any() and not known[3].any()     # unknown and empty: nothing known
    assert meaning[2].abs().sum() == 0 and meaning[0].norm() == pytest.approx(1.0, abs=1e-5)
    net = WordsUNet(WordsConfig(**TINY))
    x = torch.randn(4, 3, 32, 32)
    out = net(x, torch.tensor([0, 10, 50, 99]), pieces, known, meaning, torch.ones(4, dtype=torch.bool))
    assert out.shape == (4, 3, 32, 32)


def test_the_text_encoder_is_frozen(reader):
    trainer = WordsTrainer(WordsConfig(**TINY), seed=0, reader=reader)
    before = {k: v.clone() for k, v in reader.state_dict().items()}
    for _ in range(3):
        trainer.step()
    assert all(torch.equal(before[k], v) for k, v in reader.state_dict().items())
    assert not any(p.requires_grad for p in reader.parameters())


def test_a_few_steps_lower_the_loss(reader):
    trainer = WordsTrainer(WordsConfig(**TINY), seed=1, reader=reader)
    losses = [trainer.step()["loss"] for _ in range(30)]
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])


def test_words_change_the_picture_and_one_prompt_is_repeatable(trained):
    red = trained.sample("a red cat", 2, seed=3)
    blue = trained.sample("a blue cat", 2, seed=3)
    assert red.shape == (2, 32, 32, 3) and red.dtype == np.uint8
    assert np.array_equal(red, trained.sample("a red cat", 2, seed=3))     # same words, same noise: same picture
    assert np.abs(red.astype(int) - blue.astype(int)).mean() > 0.5          # one word changed: a different picture
    assert not np.array_equal(red, trained.sample("a red cat", 2, seed=4))  # new noise: new picture


def test_guidance_zero_ignores_the_words(trained):
    a = trained.sample("a red cat", 2, seed=3, guidance=0)
    b = trained.sample("一条蓝色的鱼", 2, seed=3, guidance=0)
    c = trained.sample("", 2, seed=3)                                          # no words at all
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert not np.array_equal(trained.sample("a red cat", 2, seed=3, guidance=1), a)


def test_unknown_words_are_not_heard(trained):
    assert not trained.knows_any("dragon 🐉") and trained.knows_any("a blue dragon")
    assert np.array_equal(trained.sample("draw me a red cat", 1, seed=2), trained.sample("a red cat", 1, seed=2))
    assert np.array_equal(trained.sample("🐉" * 5000, 1, seed=2), trained.sample("", 1, seed=2))


def test_training_texts_name_what_is_in_the_picture():
    rng = np.random.default_rng(0)
    texts = [say_it(world.KINDS.index("fish"), world.COLORS.index("blue"), 1, -1, rng) for _ in range(200)]
    assert all(any(w in s for w in ("fish", "鱼", "blue", "蓝")) for s in texts)
    assert not any(w in s for s in texts for w in ("red", "红", "cat", "猫"))
    assert any(s == "蓝鱼" for s in texts) and any("big" in s or "large" in s or "大" in s for s in texts)


def test_small_live_set_and_bad_config(reader):
    trainer = WordsTrainer(WordsConfig(**{**TINY, "kinds": ("fish", "sun"), "colors": ("red",)}), reader=reader)
    pics = trainer._pictures(50, seed=0)
    assert set(pics.kinds) <= {world.KINDS.index("fish"), world.KINDS.index("sun")}
    assert set(pics.colors) == {world.COLORS.index("red")}
    with pytest.raises(ValueError, match="dragon"):
        WordsTrainer(WordsConfig(kinds=("dragon",)), reader=reader)


def test_kind_weights_set_how_often_each_kind_is_learned(reader):
    weights = [0.0] * len(world.KINDS)
    weights[world.KINDS.index("sun")], weights[world.KINDS.index("star")] = 3.0, 1.0
    trainer = WordsTrainer(WordsConfig(**{**TINY, "kind_weights": tuple(weights)}), reader=reader)
    kinds = trainer._pictures(400, seed=0).kinds
    suns, stars = (kinds == world.KINDS.index("sun")).sum(), (kinds == world.KINDS.index("star")).sum()
    assert suns + stars == 400 and 2.2 < suns / stars < 4.0
    with pytest.raises(ValueError, match="kind_weights"):
        WordsTrainer(WordsConfig(**{**TINY, "kind_weights": (1.0, 2.0)}), reader=reader)


def test_learning_rate_warms_up_then_falls_to_its_end(reader):
    cfg = WordsConfig(**{**TINY, "warmup": 10, "total_steps": 110, "lr_end": 1e-4})
    trainer = WordsTrainer(cfg, reader=reader)
    rates = []
    for s in range(130):
        trainer.steps = s
        rates.append(trainer.learning_rate())
    assert rates[0] == pytest.approx(cfg.lr / 10) and rates[10] == pytest.approx(cfg.lr)
    assert all(a >= b for a, b in zip(rates[10:], rates[11:]))                  # never rises after warm-up
    assert rates[110] == pytest.approx(1e-4) and rates[129] == pytest.approx(1e-4)
    assert WordsTrainer(WordsConfig(**TINY), reader=reader).learning_rate() == pytest.approx(TINY["lr"] / 5)


def test_save_and_load_draw_the_same(trained, tiny_weights):
    again = WordsTrainer.load(tiny_weights)
    # Saved in half precision: the same pictures, give or take a rounding step.
    diff = np.abs(again.sample("a red cat", 2, seed=3).astype(int) - trained.sample("a red cat", 2, seed=3).astype(int))
    assert diff.mean() < 2
    assert again.reader.tokenizer.vocab == trained.reader.tokenizer.vocab


def test_command_line_sample(tiny_weights, tmp_path, capsys):
    out = tmp_path / "pics"
    assert main(["sample", "words", "--prompt", "a blue dragon", "--n", "3", "--out", str(out),
                 "--weights", str(tiny_weights)]) == 0
    assert "dragon" in capsys.readouterr().err                    # a note about the word it never learned
    rows = list(csv.reader(open(out / "labels.csv", encoding="utf-8")))
    assert rows[0] == ["file", "prompt"] and len(rows) == 4 and rows[1][1] == "a blue dragon"
    assert all((out / r[0]).exists() for r in rows[1:])
    for bad in ("", "dragon 🐉"):
        assert main(["sample", "words", "--prompt", bad, "--n", "2", "--out", str(tmp_path / "x"),
                     "--weights", str(tiny_weights)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error:")
    assert not (tmp_path / "x").exists()                          # nothing written for a bad prompt


def test_command_line_train(tmp_path, capsys):
    out = tmp_path / "w.pt"
    assert main(["train", "words", "--seconds", "0.5", "--out", str(out)]) == 0
    assert out.exists() and "saved" in capsys.readouterr().out


def test_command_line_train_by_steps_and_on_from_weights(tmp_path, capsys):
    first, second = tmp_path / "a.pt", tmp_path / "b.pt"
    assert main(["train", "words", "--steps", "3", "--out", str(first)]) == 0
    assert torch.load(first, weights_only=True)["steps"] == 3
    assert main(["train", "words", "--steps", "2", "--init", str(first), "--out", str(second)]) == 0
    saved = torch.load(second, weights_only=True)
    assert saved["steps"] == 5 and saved["config"]["total_steps"] == 2
    assert "on from" in capsys.readouterr().out
    assert main(["train", "words", "--steps", "2", "--init", str(tmp_path / "none.pt"), "--out", str(second)]) == 2


def test_colour_check_reads_the_world():
    from bench.words import colour_of
    pics = world.make_pictures(300, seed=99, captions=False)
    assert (colour_of(pics.images) == pics.colors).mean() > 0.98
    blank = np.full((2, 32, 32, 3), 230, np.uint8)
    assert (colour_of(blank) == -1).all()


def test_fine_preset_works_on_every_pixel_and_hears_words_there(reader):
    """The fine preset (patch 1): the first level is the 32×32 picture itself; cross_top lets that level
    hear the word pieces too, so with only that cross-attention open the words still change the guess."""
    assert WordsConfig.fine().patch == 1 and WordsConfig.shipped().patch == 2
    seen = {}
    for patch in (1, 2):
        net = WordsUNet(WordsConfig(**{**TINY, "patch": patch}))
        net.down1.register_forward_hook(lambda m, i, o, p=patch: seen.__setitem__(p, tuple(o.shape[-2:])))
        pieces, known, meaning = reader(["a red star", "a blue sun"])
        out = net(torch.randn(2, 3, 32, 32), torch.tensor([5, 50]), pieces, known, meaning, torch.ones(2, dtype=torch.bool))
        assert out.shape == (2, 3, 32, 32)
    assert seen == {1: (32, 32), 2: (16, 16)}
    torch.manual_seed(0)
    net = WordsUNet(WordsConfig(**{**TINY, "patch": 1, "cross": False, "cross_top": True}))
    assert net.cross2 is None and net.cross1 is not None
    torch.nn.init.normal_(net.cross1.proj.weight, std=0.5)                     # open the one door (it starts shut)
    torch.nn.init.normal_(net.up1.conv2.weight, std=0.5)
    pieces, known, meaning = reader(["a red star", "a blue sun"])
    x, t = torch.randn(1, 3, 32, 32).repeat(2, 1, 1, 1), torch.tensor([50, 50])
    said = torch.ones(2, dtype=torch.bool)
    meaning = torch.zeros_like(meaning)                                        # no FiLM: only the pieces differ
    out = net(x, t, pieces, known, meaning, said)
    assert (out[0] - out[1]).abs().mean() > 1e-3


def test_command_line_trains_the_fine_preset(tmp_path):
    out = tmp_path / "fine.pt"
    assert main(["train", "words", "--preset", "fine", "--steps", "2", "--out", str(out)]) == 0
    assert torch.load(out, weights_only=True)["config"]["patch"] == 1
    assert WordsTrainer.load(out).config.patch == 1


def test_the_shipped_preset_starts_as_the_diffusion_chapters_denoiser(reader):
    """start_from_diffusion: before its first step the words model guesses exactly what the shipped
    diffusion model guesses when given no kind, whatever the words; after a step it can learn them."""
    from models import weights_io
    from models.diffusion import WEIGHTS as DIFFUSION, DiffusionTrainer
    state = weights_io.load(DIFFUSION)
    diffusion = DiffusionTrainer.load(DIFFUSION)
    trainer = WordsTrainer(WordsConfig(**{**WordsConfig.shipped().__dict__, "pool": 64}), seed=0, reader=reader)
    assert trainer.start_from_diffusion(state) > 50
    gen = torch.Generator().manual_seed(3)
    x, t = torch.randn(4, 3, 32, 32, generator=gen), torch.tensor([10, 40, 70, 95])
    pieces, known, meaning = reader(["a red star", "一条蓝色的鱼", "sun", "big happy face"])
    with torch.no_grad():
        words = trainer.ema(x, t, pieces, known, meaning, torch.tensor([True, True, False, True]))
        alone = diffusion.ema(x, t, torch.full((4,), diffusion.ema.null_kind))
    assert torch.allclose(words, alone, atol=1e-4)
    with pytest.raises(ValueError, match="another network shape"):
        WordsTrainer(WordsConfig(**TINY), reader=reader).start_from_diffusion(state)


def test_command_line_starts_from_the_diffusion_weights(tmp_path, capsys):
    from models.diffusion import WEIGHTS as DIFFUSION
    out = tmp_path / "shipped.pt"
    assert main(["train", "words", "--steps", "1", "--out", str(out)]) == 0           # the shipped recipe
    assert f"from the diffusion denoiser in {DIFFUSION}" in capsys.readouterr().out
    assert WordsTrainer.load(out).config.width == 32
    assert main(["train", "words", "--preset", "fine", "--from-diffusion", str(DIFFUSION), "--steps", "1",
                 "--out", str(out)]) == 2
    assert "another network shape" in capsys.readouterr().err
    assert main(["train", "words", "--from-diffusion", str(tmp_path / "none.pt"), "--steps", "1", "--out", str(out)]) == 2


def test_a_drawing_copy_draws_what_the_trainer_draws_and_stays_while_it_learns(reader):
    """The words page draws from a drawing copy while the run goes on learning (issue #16)."""
    trainer = WordsTrainer(WordsConfig(**TINY), seed=2, reader=reader)
    for _ in range(3):
        trainer.step()
    twin = trainer.drawing_copy()
    drawn = trainer.sample(["red fish", "blue sun"], 2, seed=0, steps=3)
    assert np.array_equal(twin.sample(["red fish", "blue sun"], 2, seed=0, steps=3), drawn)
    for _ in range(3):
        trainer.step()
    assert np.array_equal(twin.sample(["red fish", "blue sun"], 2, seed=0, steps=3), drawn)
    assert not np.array_equal(trainer.sample(["red fish", "blue sun"], 2, seed=0, steps=3), drawn)
    with pytest.raises(RuntimeError):
        twin.step()
    assert trainer.step()["loss"] > 0                  # the trainer itself still learns
