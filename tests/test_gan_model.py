"""The GAN duel's model: shapes, a duel that really moves, the same seed giving the same pictures, a
short run that measurably gets closer to real pictures, and the command line."""

import csv
import dataclasses

import numpy as np
import pytest
import torch

from models import world
from models.__main__ import main
from models.gan import GANConfig, Discriminator, Generator, PerKind, Smooth, draw, discriminator_loss, load_generator
from models.gan_train import GANTrainer, load_run

torch.set_num_threads(1)
SMALL = dict(data_size=300)


def colour_histogram(images: np.ndarray) -> np.ndarray:
    """A picture's colours in 8 bins per channel, averaged over a batch: (24,)."""
    h = [np.histogram(images[..., c], bins=8, range=(0, 256))[0] for c in range(3)]
    return np.concatenate(h) / images[..., 0].size


def test_shapes():
    config = GANConfig.live()
    g, d = Generator(config), Discriminator(config)
    z, kinds = torch.randn(5, config.z_dim), torch.tensor([0, 1, 2, 3, 9])
    x = g(z, kinds)
    assert x.shape == (5, 3, 32, 32) and x.min() >= -1 and x.max() <= 1
    assert d(x, kinds).shape == (5,)

    t = GANTrainer(kind="face", **SMALL)
    assert t.draw_fixed().shape == (config.n_fixed, 32, 32, 3) and t.draw_fixed().dtype == np.uint8
    assert t.sample(7, seed=3).shape == (7, 32, 32, 3)
    v = t.discriminator_verdicts(t.sample(4))
    assert v.shape == (4,) and ((v >= 0) & (v <= 1)).all()
    x = np.concatenate([t.sample(3), t.real_pictures(3)[0]])
    assert np.allclose(t.discriminator_verdicts(x[:1]), t.discriminator_verdicts(x)[:1], atol=1e-5)   # alone = in a crowd
    lineup = t.lineup(8, seed=1)
    assert lineup["images"].shape == (8, 32, 32, 3) and 0 < lineup["is_real"].sum() < 8
    assert 0 < t.memory_bytes() < 8e6                       # a few MB a visitor

    everything = GANTrainer(kind=None, **SMALL)
    assert everything.draw_fixed().shape == (10 * config.n_fixed, 32, 32, 3)   # a row per kind


def test_smooth_removes_a_checkerboard_and_keeps_flat_colour():
    flat = torch.full((1, 3, 8, 8), 0.7)
    assert torch.allclose(Smooth(3)(flat), flat)
    board = (torch.arange(8)[:, None] + torch.arange(8)[None]) % 2 * 2.0 - 1.0     # +1/-1 dots (8, 8)
    out = Smooth(3)(board.expand(1, 3, 8, 8))
    assert out[..., 1:-1, 1:-1].abs().max() < 1e-6                                  # inside: gone
    edge = torch.zeros(1, 1, 8, 8)
    edge[..., 4:] = 1.0
    assert 0 < Smooth(1)(edge)[0, 0, 0, 3] < Smooth(1)(edge)[0, 0, 0, 4] < 1       # an edge stays, softened
    live = [m for m in Generator(GANConfig.live()).modules() if isinstance(m, Smooth)]
    assert len(live) == 1 and live[0].kernel.requires_grad                           # live: it learns
    learned = Smooth(3, learns=True)
    assert torch.allclose(learned(board.expand(1, 3, 8, 8)), out)                     # ... from the blur
    assert not Smooth(3).kernel.requires_grad and "kernel" not in Smooth(3).state_dict()


def test_discriminator_loss_against_the_textbook_formula():
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    textbook = -(torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean())
    assert torch.allclose(discriminator_loss(real, fake), textbook)
    # Label smoothing: a discriminator that is 99.99% sure of a real picture is pushed back towards 90%.
    sure, fair = torch.tensor([9.0]), torch.tensor([2.2])
    assert discriminator_loss(sure, fake, 0.9) > discriminator_loss(fair, fake, 0.9)
    assert discriminator_loss(sure, fake) < discriminator_loss(fair, fake)


def test_r1_keeps_the_discriminator_gentle_around_real_pictures():
    # The same discriminator-only duel with and without the penalty: with it, D's score changes less
    # steeply around real pictures (what R1 measures and pushes down).
    steep = {}
    for r1 in (0.0, 10.0):
        t = GANTrainer(dataclasses.replace(GANConfig.live(), r1=r1, r1_every=4, data_size=300), kind="star", seed=1)
        t.mode = "discriminator"
        for _ in range(24):
            t.step()
        real, kinds = t._batch()
        steep[r1] = float(t._steepness(real, kinds).detach())
    assert 0 <= steep[10.0] < 0.5 * steep[0.0]


def test_rounds_move_both_players_and_modes_freeze_one():
    t = GANTrainer(kind="star", seed=1, **SMALL)
    g0 = [p.clone() for p in t.G.parameters()]
    d0 = [p.clone() for p in t.D.parameters()]
    losses = [t.step() for _ in range(6)]
    assert t.steps == 6
    assert len({round(m["d_loss"], 5) for m in losses}) > 1 and len({round(m["g_loss"], 5) for m in losses}) > 1
    assert all(0 <= m["real_right"] <= 1 and 0 <= m["drawn_right"] <= 1 for m in losses)
    assert any(not torch.equal(a, b) for a, b in zip(g0, t.G.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(d0, t.D.parameters()))

    for mode, moves, stays in (("generator", t.G, t.D), ("discriminator", t.D, t.G)):
        t.mode = mode
        before_m = [p.clone() for p in moves.parameters()]
        before_s = [p.clone() for p in stays.parameters()]
        t.step()
        assert any(not torch.equal(a, b) for a, b in zip(before_m, moves.parameters())), mode
        assert all(torch.equal(a, b) for a, b in zip(before_s, stays.parameters())), mode
    t.mode = "nobody"
    with pytest.raises(ValueError):
        t.step()


def test_same_seed_same_pictures():
    a, b, c = (GANTrainer(kind="fish", seed=s, **SMALL) for s in (4, 4, 5))
    for t in (a, b, c):
        for _ in range(3):
            t.step()
    assert np.array_equal(a.draw_fixed(), b.draw_fixed())
    assert np.array_equal(a.sample(6, seed=2), b.sample(6, seed=2))
    assert not np.array_equal(a.draw_fixed(), c.draw_fixed())
    assert not np.array_equal(a.sample(6, seed=2), a.sample(6, seed=3))


def test_short_run_gets_closer_to_real_pictures():
    t = GANTrainer(kind="face", seed=0, data_size=1000)
    real = colour_histogram(t.real_pictures(500)[0])
    before = np.abs(colour_histogram(t.sample(200, seed=9)) - real).sum()
    for _ in range(150):
        metrics = t.step()
    after = np.abs(colour_histogram(t.sample(200, seed=9)) - real).sum()
    assert after < 0.5 * before, (before, after)
    assert len(t.history["round"]) == 15 and t.film[-1][0] == 50   # scoreboard and film strip kept
    assert metrics["drawn_right"] < 1.0                               # G fools D sometimes
    real_verdicts = t.discriminator_verdicts(t.real_pictures(100, seed=5)[0])
    assert real_verdicts.mean() > t.discriminator_verdicts(t.sample(100, seed=6)).mean()   # D has learned


def test_mode_collapse_is_noticed():
    t = GANTrainer(kind="house", seed=0, **SMALL)
    for _ in range(30):
        t.step()
    healthy = t.mode_collapse_score()
    with torch.no_grad():          # a generator that ignores its noise makes one picture for every seed
        t.drawing_generator.project[0].weight[:, : t.config.z_dim] = 0
    assert t.mode_collapse_score() < 0.05 < healthy


def test_command_line_train_and_sample(tmp_path):
    weights = tmp_path / "face.pt"
    assert main(["train", "gan", "--kind", "face", "--seconds", "1.5", "--out", str(weights)]) == 0
    run = load_run(tmp_path / "face_run.npz")
    assert run["rounds"][0] == 0 and run["fixed"].shape[1:] == (16, 32, 32, 3)
    assert run["lineup"].shape[0] == len(run["rounds"]) == len(run["collapse"])

    out = tmp_path / "pics"
    assert main(["sample", "gan", "--n", "5", "--out", str(out), "--weights", str(weights),
                 "--kind", "face", "--seed", "3"]) == 0
    assert sorted(p.name for p in out.glob("*.png")) == [f"{i:05d}.png" for i in range(5)]
    with open(out / "labels.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["file", "kind"] and [r[1] for r in rows[1:]] == ["face"] * 5
    assert main(["sample", "gan", "--n", "2", "--out", str(out), "--weights", str(weights), "--kind", "cat"]) == 2


def test_shipped_generator_draws_every_kind():
    g = load_generator()
    images, kinds = draw(g, 20, seed=0, kinds=np.arange(20) % 10)
    assert images.shape == (20, 32, 32, 3) and list(kinds[:10]) == list(range(10))
    pics = world.make_pictures(200, seed=0, captions=False).images
    # Not grey mush: as colourful as real pictures, to within a factor of two.
    assert 0.5 < images.std(axis=(1, 2)).mean() / pics.std(axis=(1, 2)).mean() < 2


def test_a_pair_per_kind_sends_each_picture_to_its_own_kind_and_takes_turns():
    """The shipped shape: ten small pairs. A mixed batch gets the same answers as each kind's own network
    alone, in the same order; one round teaches only the pair whose turn it is."""
    config = GANConfig.shipped()
    g = PerKind(lambda: Generator(config), config).eval()
    z, kinds = torch.randn(6, config.z_dim), torch.tensor([3, 0, 3, 9, 0, 1])
    x = g(z, kinds)
    assert x.shape == (6, 3, 32, 32)
    for i in range(6):
        assert torch.allclose(x[i], g.nets[kinds[i]](z[i:i + 1], kinds[i:i + 1])[0], atol=1e-6)

    t = GANTrainer(config, data_size=400)
    before = [[p.clone() for p in net.parameters()] for net in t.G.nets]
    t.step()
    changed = [not all(torch.equal(a, b) for a, b in zip(old, net.parameters())) for old, net in zip(before, t.G.nets)]
    assert changed == [k == t._turn for k in range(10)]                # only the kind whose turn it was
    v = t.discriminator_verdicts(t.real_pictures(8)[0], t.real_pictures(8)[1])
    assert v.shape == (8,) and ((v >= 0) & (v <= 1)).all()
    saved = t.state_dict(half=True)
    assert "generator" not in saved and "generator_ema" in saved        # shipped: the smoothed generator only
    again = GANTrainer(config, kind="star", data_size=100)
    again.load_state_dict(saved)
    assert np.array_equal(again.sample(2, seed=1), draw(again.drawing_generator, 2, kind="star", seed=1)[0])


def test_the_lesson_says_how_many_pictures_a_round_really_uses():
    """The words a child reads about a round match the batch the live duel really trains with."""
    from helpers import ROOT

    b = GANConfig.live().batch
    assert f"{b} real pictures and {b} drawn ones" in (ROOT / "lessons/en/gan.toml").read_text("utf-8")
    assert f"{b}张真图和{b}张画的图" in (ROOT / "lessons/zh/gan.toml").read_text("utf-8")


# ── The shipped recipe's two rules: turns by need, a calmer duel later ─────────────────────────
def test_a_kind_whose_generator_keeps_getting_caught_gets_more_turns():
    """Per-kind pairs: the kind to train is drawn with weight 0.5 + (how often its discriminator catches
    fakes), so a kind caught every time gets three times the turns of one never caught; each round moves
    that kind's figure 2% of the way towards the round's catch rate."""
    t = GANTrainer(dataclasses.replace(GANConfig.shipped(), width=4, batch=8), data_size=400)
    t._caught = torch.tensor([1.0] + [0.0] * 9)
    turns = []
    for _ in range(1200):
        _, kinds = t._batch()
        assert bool((kinds == t._turn).all())                           # a batch of the turn's kind only
        turns.append(t._turn)
    counts = np.bincount(turns, minlength=10)
    expected_first = 1200 * 1.5 / (1.5 + 9 * 0.5)                       # 300 turns, the others 100 each
    assert abs(counts[0] - expected_first) < 60 and 2.2 < counts[0] / counts[1:].mean() < 4.0

    t._caught = torch.full((10,), 0.3)                                  # never a catch rate of 8 fakes
    before = t._caught.clone()
    metrics = t.step()
    moved = before.clone()
    moved[t._turn] += 0.02 * (metrics["drawn_right"] - 0.3)
    assert torch.allclose(t._caught, moved) and not torch.equal(t._caught, before)   # the turn's kind, 2% of the way


def test_slow_down_shrinks_both_learning_rates_by_round():
    config = dataclasses.replace(GANConfig.live(), width=4, batch=8, slow_down=100, lr_g=2e-3, lr_d=1e-3)
    t = GANTrainer(config, kind="sun", data_size=64)
    t.step()
    assert t.opt_g.param_groups[0]["lr"] == pytest.approx(2e-3)         # round 0: full speed
    t.steps = 300
    t.step()                                                            # round 300: 1 / (1 + 3)
    assert t.opt_g.param_groups[0]["lr"] == pytest.approx(2e-3 / 4)
    assert t.opt_d.param_groups[0]["lr"] == pytest.approx(1e-3 / 4)
    assert GANConfig.shipped().slow_down == 30000 and GANConfig.live().slow_down == 0


# ── The evaluate command, with a stand-in for the benchmark's judge ───────────────────────────
class StubJudge:
    """Says "on target" for 3 pictures in 4 and names a kind (or junk) in turn; checks what it is shown."""

    def __init__(self):
        self.asked = []

    def on_target(self, images, kinds):
        assert images.dtype == np.uint8 and images.shape[1:] == (32, 32, 3)
        self.asked.append(sorted(set(np.asarray(kinds).tolist())))
        return np.arange(len(images)) % 4 != 0

    def classify(self, images):
        labels = np.arange(len(images)) % 11                            # 10 = junk
        return labels, np.ones(len(images))


@pytest.fixture
def stub_judge(monkeypatch):
    import bench.judge

    judge = StubJudge()
    monkeypatch.setattr(bench.judge, "load_judge", lambda *a, **k: judge)
    return judge


def test_evaluate_prints_the_judges_figures_for_one_kind_and_for_all(tmp_path, stub_judge, capsys):
    from types import SimpleNamespace

    from models.commands.gan import evaluate_command

    one = GANTrainer(dataclasses.replace(GANConfig.live(), width=4), kind="star", data_size=64)
    torch.save(one.state_dict(half=True), tmp_path / "star.pt")
    evaluate_command(SimpleNamespace(weights=tmp_path / "star.pt", seed=1), one_kind=8)
    assert capsys.readouterr().out.strip() == "on target (star): 0.750  (target >= 0.90)"
    assert stub_judge.asked == [[world.KINDS.index("star")]]

    every = GANTrainer(dataclasses.replace(GANConfig.shipped(), width=4), data_size=200)
    torch.save(every.state_dict(half=True), tmp_path / "all.pt")
    evaluate_command(SimpleNamespace(weights=tmp_path / "all.pt", seed=1), per_kind=8)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:10] == [f"on target {k:7s} 0.750" for k in world.KINDS]
    assert lines[10] == "on target, all kinds: 0.750 (target >= 0.90); worst kind 0.750 (target >= 0.70)"
    assert lines[11] == "kinds seen when no kind is asked: 10 of 10 (target >= 8)"
    assert stub_judge.asked[1:] == [[k] for k in range(10)]             # each kind asked for in turn
