"""The diffusion model: the schedule's known values, learning, the sampler's steps, seeds, the command line."""

import csv
import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from models import world
from models.__main__ import main
from models.diffusion import Attention, DiffusionConfig, DiffusionTrainer, UNet, next_snapshot
from models.schedule import NoiseSchedule

torch.set_num_threads(1)
TINY = dict(width=8, batch=16, pool=256, warmup=5, lr=3e-3)      # seconds, not minutes


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    """A tiny fish-only model, trained a few steps and saved like the shipped file."""
    trainer = DiffusionTrainer(DiffusionConfig(**TINY), kind="fish", seed=0)
    for _ in range(5):
        trainer.step()
    path = tmp_path_factory.mktemp("weights") / "tiny.pt"
    trainer.save(path)
    return path


# ── The schedule ───────────────────────────────────────────────────────────────────────────────
def test_cosine_schedule_known_values():
    s = NoiseSchedule(100)
    # ᾱ(t) = cos²(((t+1)/T + 0.008)/1.008 · π/2) / cos²(0.008/1.008 · π/2), the last level pure noise.
    f0 = math.cos(0.008 / 1.008 * math.pi / 2) ** 2
    for t in (0, 24, 49, 74, 98):
        expected = math.cos(((t + 1) / 100 + 0.008) / 1.008 * math.pi / 2) ** 2 / f0
        assert s.alpha_bar[t].item() == pytest.approx(expected, abs=1e-6)
    assert s.alpha_bar[49].item() == pytest.approx(0.49384, abs=1e-4)    # half way: half picture, half noise
    assert s.alpha_bar[-1].item() == 0.0
    assert bool((s.alpha_bar[1:] < s.alpha_bar[:-1]).all())               # always noisier
    assert s.step_for_level(0.5) == 49 and s.step_for_level(1.0) == 99 and s.step_for_level(0.0) == 0


def test_add_noise_known_values_with_fixed_seed():
    s = NoiseSchedule(100)
    noise = torch.randn(1, 3, 2, 2, generator=torch.Generator().manual_seed(0))
    x_t = s.add_noise(torch.ones(1, 3, 2, 2), torch.tensor([49]), noise)
    assert x_t.flatten()[:4].tolist() == pytest.approx([1.79908, 0.49398, -0.84735, 1.10715], abs=1e-4)
    # The ends: step 0 is almost the picture, the last step is exactly the noise.
    g = torch.Generator().manual_seed(1)            # unseeded, one run in about 25 drew noise big enough to fail
    x = torch.rand(2, 3, 8, 8, generator=g) * 2 - 1
    e = torch.randn(2, 3, 8, 8, generator=g)
    assert torch.allclose(s.add_noise(x, torch.tensor([99, 99]), e), e)
    assert (s.add_noise(x, torch.tensor([0, 0]), e) - x).abs().max() < 0.1


def test_ddim_step_from_a_perfect_guess_lands_on_the_noisier_mix():
    s = NoiseSchedule(100)
    x0, eps = torch.rand(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    x_t = s.add_noise(x0, torch.tensor([80, 80]), eps)
    x_prev = s.ddim_step(x_t, x0, 80, 40)
    assert torch.allclose(x_prev, s.add_noise(x0, torch.tensor([40, 40]), eps), atol=1e-5)
    assert s.ddim_timesteps(5) == [99, 74, 50, 25, 0]


# ── The network and training ───────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("patch, attention", [(1, False), (2, False), (2, True)])
def test_unet_keeps_the_picture_shape(patch, attention):
    net = UNet(DiffusionConfig(width=8, patch=patch, attention=attention))
    out = net(torch.randn(3, 3, 32, 32), torch.tensor([0, 50, 99]), torch.tensor([0, 4, 10]))
    assert out.shape == (3, 3, 32, 32)


def test_attention_lets_one_corner_hear_the_far_corner():
    """With attention on the 4×4 grid, changing the top-left patch changes the guess at the bottom-right
    at once, through one block, as a child's sun needs its rays to agree all round."""
    torch.manual_seed(0)
    block = Attention(8, groups=4)
    torch.nn.init.normal_(block.proj.weight)               # as after some training (it starts as identity)
    x = torch.randn(1, 8, 4, 4)
    y = x.clone()
    y[..., 0, 0] += 1.0
    assert not torch.allclose(block(x)[..., 3, 3], block(y)[..., 3, 3])


def test_guidance_steers_only_inside_its_band():
    cfg = DiffusionConfig(**TINY, guidance=3.0, guidance_band=(0.2, 0.8))
    trainer = DiffusionTrainer(cfg, seed=0)
    for _ in range(3):
        trainer.step()
    labels = torch.tensor([world.KINDS.index("sun")] * 2)
    guess = trainer._guesser(labels, 3.0)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        plain = lambda t: trainer.ema(x, torch.full((2,), t), labels)      # noqa: E731
        assert torch.allclose(guess(x, 99), plain(99))                    # pure noise: not steered
        assert torch.allclose(guess(x, 5), plain(5))                      # nearly clean: not steered
        assert not torch.allclose(guess(x, 50), plain(50))                # the middle: steered


def test_a_live_model_keeps_a_younger_self_about_half_as_trained_and_steers_away_from_it():
    assert [next_snapshot(s) for s in (0, 100, 142)] == [100, 142, 201]
    cfg = DiffusionConfig(**{**TINY, "batch": 2}, self_guidance=1.0, guidance_band=(0.2, 1.0))   # 400 quick steps
    trainer = DiffusionTrainer(cfg, kind="star", seed=0)
    for _ in range(99):
        trainer.step()
    assert trainer.younger_self() is None and trainer.younger == {}       # too young to have a younger self
    for _ in range(301):
        trainer.step()
    assert sorted(trainer.younger) == [142, 201, 285]                     # the last three copies
    younger = trainer.younger_self()
    assert trainer._younger_net[0] == 201                                 # the one nearest half of 400 steps
    labels = torch.full((2,), world.KINDS.index("star"))
    x = torch.randn(2, 3, 32, 32)
    guess = trainer._guesser(labels, 1.0)
    with torch.no_grad():
        now, then = (lambda t: trainer.ema(x, torch.full((2,), t), labels)), \
            (lambda t: younger(x, torch.full((2,), t), labels))                # noqa: E731
        assert torch.allclose(guess(x, 80), 2 * now(80) - then(80), atol=1e-5)   # now + 1 · (now − then)
        assert torch.allclose(guess(x, 5), now(5))                        # nearly clean: not steered
    kept = trainer.drawing_state()                                        # what the benchmark keeps
    again = DiffusionTrainer(cfg, kind="star", seed=0)
    again.load_state_dict(kept)
    assert np.array_equal(again.sample(2, steps=4), trainer.sample(2, steps=4))
    trainer.step()                                                        # training on leaves the kept copy alone
    assert all(torch.equal(kept["ema"][k], v) for k, v in again.ema.state_dict().items())
    assert not all(torch.equal(kept["ema"][k], v) for k, v in trainer.ema.state_dict().items())
    plain = DiffusionTrainer(dataclasses.replace(cfg, self_guidance=0.0), kind="star", seed=0)
    plain.load_state_dict(trainer.drawing_state())
    assert not np.array_equal(plain.sample(2, steps=4), trainer.sample(2, steps=4))

    # A drawing copy (the page draws from one while the run goes on learning) draws what the trainer
    # draws, younger self included, and stays as it was while the trainer learns on.
    twin = trainer.drawing_copy()
    drawn = trainer.sample(2, steps=4)
    assert np.array_equal(twin.sample(2, steps=4), drawn)
    for _ in range(3):
        trainer.step()
    assert np.array_equal(twin.sample(2, steps=4), drawn)
    assert not np.array_equal(trainer.sample(2, steps=4), drawn)
    with pytest.raises(RuntimeError):
        twin.step()


def test_a_few_training_steps_lower_the_loss():
    trainer = DiffusionTrainer(DiffusionConfig(**TINY), kind="sun", seed=1)
    pics = world.make_pictures(64, seed=99, kinds=["sun"], captions=False)
    x0 = torch.from_numpy(world.to_tensor_range(pics.images))
    g = torch.Generator().manual_seed(0)
    t = torch.randint(0, 100, (64,), generator=g)
    x_t = trainer.schedule.add_noise(x0, t, torch.randn(x0.shape, generator=g))
    labels = torch.full((64,), world.KINDS.index("sun"))

    def held_out_loss():
        with torch.no_grad():
            return float(torch.nn.functional.mse_loss(trainer.model(x_t, t, labels), x0))

    before = held_out_loss()
    for _ in range(40):
        metrics = trainer.step()
    assert trainer.steps == 40 and set(metrics) == {"loss"}
    assert held_out_loss() < 0.7 * before


# ── The sampler ────────────────────────────────────────────────────────────────────────────────
def test_sampler_returns_every_step_and_every_guess():
    trainer = DiffusionTrainer(DiffusionConfig(**TINY), seed=0)
    run = trainer.sample(3, kind=["cat", "car", "sun"], steps=7, return_all=True)
    assert len(run.frames) == 8 and len(run.guesses) == 7 and len(run.timesteps) == 7 and len(run.levels) == 8
    for im in run.frames + run.guesses:
        assert im.shape == (3, 32, 32, 3) and im.dtype == np.uint8
    assert run.levels[0] == 1.0 and run.levels[-1] == 0.0 and run.levels == sorted(run.levels, reverse=True)
    assert np.array_equal(run.images, run.guesses[-1])      # the last step lands on the last guess
    assert trainer.sample(2, steps=4).shape == (2, 32, 32, 3)


def test_same_seed_same_pictures_new_seed_new_pictures():
    trainer = DiffusionTrainer(DiffusionConfig(**TINY), kind="fish", seed=0)
    trainer.step()
    a, b, c = (trainer.sample(4, steps=3, seed=s) for s in (7, 7, 8))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_redraw_starts_from_the_picture_and_more_noise_means_more_steps():
    trainer = DiffusionTrainer(DiffusionConfig(**TINY), seed=0)
    doodle = world.make_pictures(1, seed=3, style="line", kinds=["house"]).images[0]
    little, lots = trainer.redraw(doodle, 0.2, steps=20), trainer.redraw(doodle, 0.9, steps=20)
    assert len(little.guesses) < len(lots.guesses)
    start_diff = lambda run: np.abs(run.frames[0].astype(int) - doodle).mean()   # noqa: E731
    assert start_diff(little) < start_diff(lots)
    assert little.levels[0] == pytest.approx(0.2, abs=0.03)


def test_asking_a_one_kind_model_for_another_kind_is_an_error():
    trainer = DiffusionTrainer(DiffusionConfig(**TINY), kind="fish")
    with pytest.raises(ValueError, match="only fish"):
        trainer.sample(1, kind="cat", steps=2)


def test_state_dict_round_trip_carries_on_the_same_way():
    a = DiffusionTrainer(DiffusionConfig(**TINY), kind="tree", seed=2)
    for _ in range(3):
        a.step()
    b = DiffusionTrainer(DiffusionConfig(**TINY), kind="tree", seed=2)
    b.load_state_dict(a.state_dict())
    assert b.steps == 3 and np.array_equal(a.sample(2, steps=3), b.sample(2, steps=3))


# ── The command line ───────────────────────────────────────────────────────────────────────────
def test_cli_sample_writes_pngs_and_labels(tiny_weights, tmp_path, capsys):
    assert main(["sample", "diffusion", "--n", "3", "--out", str(tmp_path), "--weights", str(tiny_weights),
                 "--kind", "fish", "--steps", "2"]) == 0
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(pngs) == 3
    with open(tmp_path / "labels.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["file", "kind"] and sorted(r[0] for r in rows[1:]) == pngs
    assert {r[1] for r in rows[1:]} == {"fish"}
    # A fish-only model cannot be asked for a cat: one line, exit code 2.
    assert main(["sample", "diffusion", "--n", "1", "--out", str(tmp_path), "--weights", str(tiny_weights),
                 "--kind", "cat"]) == 2
    assert "only fish" in capsys.readouterr().err


def test_cli_train_saves_weights_that_sample(tmp_path):
    out = tmp_path / "w.pt"
    assert main(["train", "diffusion", "--seconds", "1", "--kind", "star", "--out", str(out)]) == 0
    trainer = DiffusionTrainer.load(out)
    assert trainer.kind == "star" and trainer.steps >= 1
    assert trainer.sample(1, steps=2).shape == (1, 32, 32, 3)


def test_cli_evaluate_prints_clean_picture_errors_and_the_judges_figures(tiny_weights, monkeypatch, capsys):
    """evaluate on tiny fish-only weights, with a stand-in for the benchmark's judge that says "on target"
    for 3 pictures in 4: the errors printed are the model's own, the kinds asked for only fish."""
    import bench.judge
    from models.commands.diffusion import clean_picture_errors, evaluate_command

    asked = []

    class Stub:
        def on_target(self, images, kinds):
            assert images.shape[1:] == (32, 32, 3) and images.dtype == np.uint8
            asked.append(set(kinds))
            return np.arange(len(images)) % 4 != 0

    monkeypatch.setattr(bench.judge, "load_judge", lambda *a, **k: Stub())
    evaluate_command(SimpleNamespace(weights=tiny_weights, seed=3), per_kind=4, n=16)
    lines = capsys.readouterr().out.splitlines()
    errors = clean_picture_errors(DiffusionTrainer.load(tiny_weights), seed=3, n=16)
    assert lines[:4] == [f"noise {lv:.2f}: clean-picture error {e:.4f}" for lv, e in errors.items()]
    assert list(errors) == [0.25, 0.5, 0.75, 0.95] and errors[0.25] < errors[0.95]   # more noise, worse guesses
    assert lines[4] == "fish      75.0% on target" and lines[5].startswith("overall   75.0%; lowest 75.0%")
    assert asked == [{"fish"}]


def test_bury_a_picture_keeps_it_at_zero_and_hides_it_at_one():
    s = NoiseSchedule(100)
    pic = world.make_pictures(2, seed=4, captions=False).images
    assert np.array_equal(s.bury(pic, 0.0), pic)
    a, b = s.bury(pic, 0.5, seed=1), s.bury(pic, 0.5, seed=1)
    assert np.array_equal(a, b) and a.shape == pic.shape and a.dtype == np.uint8
    far = lambda lv: np.abs(s.bury(pic, lv, seed=1).astype(int) - pic).mean()   # noqa: E731
    assert far(0.2) < far(0.5) < far(1.0)
