"""What every model shares: each trainer's own dice (no global seeding), one EMA with a warm-up, one
weights format (fp16 on disk, float32 in memory)."""

import copy
import dataclasses

import pytest
import torch

from models import ema, seeded, weights_io
from models.diffusion import DiffusionConfig, DiffusionTrainer
from models.gan import GANConfig
from models.gan_train import GANTrainer
from models.matcher import MatcherConfig, MatcherTrainer

torch.set_num_threads(1)

TINY = {
    "gan": lambda seed: GANTrainer(dataclasses.replace(GANConfig.live(), width=4, batch=8, data_size=64),
                                   kind="cat", seed=seed),
    "diffusion": lambda seed: DiffusionTrainer(dataclasses.replace(DiffusionConfig.live(), width=8, batch=4, pool=32),
                                               kind="fish", seed=seed),
    "matcher": lambda seed: MatcherTrainer(dataclasses.replace(MatcherConfig.live(), batch=16, pool=64, width=4),
                                           seed=seed),
}


def weights(trainer) -> list[torch.Tensor]:
    nets = [trainer.G, trainer.D] if isinstance(trainer, GANTrainer) else [trainer.model]
    return [p.detach().clone() for net in nets for p in net.parameters()]


@pytest.mark.parametrize("name", sorted(TINY))
def test_a_trainer_never_moves_another_trainers_dice_or_torchs_global_ones(name):
    one = TINY[name](0)
    one_state = one.rng.get_state()
    global_state = torch.random.get_rng_state()
    for other_name, make in TINY.items():            # other visitors start and train, of every chapter
        other = make(1)
        other.step()
    assert torch.equal(one.rng.get_state(), one_state)
    assert torch.equal(torch.random.get_rng_state(), global_state)


@pytest.mark.parametrize("name", sorted(TINY))
def test_the_same_seed_gives_the_same_first_weights_whatever_the_global_generator_says(name):
    torch.manual_seed(1)
    a = TINY[name](5)
    torch.manual_seed(2)
    b = TINY[name](5)
    c = TINY[name](6)
    assert all(torch.equal(x, y) for x, y in zip(weights(a), weights(b)))
    assert not all(torch.equal(x, y) for x, y in zip(weights(a), weights(c)))
    a.step(), b.step()                               # and the same first step
    assert all(torch.equal(x, y) for x, y in zip(weights(a), weights(b)))


def test_seeded_init_keeps_the_marks_and_the_padding_row():
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Embedding(5, 2, padding_idx=0),
                              torch.nn.Embedding(5, 2), torch.nn.Conv2d(2, 3, 3))
    net[0].init_zero, net[2].init_value = True, 1.0
    seeded.init_parameters(net, torch.Generator().manual_seed(0))
    assert net[0].weight.abs().sum() == 0 and net[0].bias.abs().sum() == 0
    assert net[1].weight[0].abs().sum() == 0 and net[1].weight[1:].abs().sum() > 0
    assert bool((net[2].weight == 1.0).all())
    bound = 1 / (2 * 9) ** 0.5                       # PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert net[3].weight.abs().max() <= bound and net[3].bias.abs().max() <= bound


# ── The smoothed copy, with its warm-up ───────────────────────────────────────────────────────
def test_the_ema_warm_up_starts_fast_and_settles_at_the_decay():
    assert ema.warm_decay(0.999, 0) == pytest.approx(0.1)
    assert ema.warm_decay(0.999, 90) == pytest.approx(0.91)
    assert ema.warm_decay(0.999, 8991) == pytest.approx(0.999)         # (1 + s) / (10 + s) reaches 0.999 here
    assert ema.warm_decay(0.999, 100_000) == 0.999
    assert ema.warm_decay(0.99, 5000) == 0.99

    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    copy_ = copy.deepcopy(net)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
        net[1].running_mean.fill_(3.0)
    before = [p.clone() for p in copy_.parameters()]
    ema.update(copy_, net, decay=0.999, steps=0)                         # first step: 90% of the way
    for old, new, target in zip(before, copy_.parameters(), net.parameters()):
        assert torch.allclose(new, 0.1 * old + 0.9 * target)
    assert bool((copy_[1].running_mean == 3.0).all())                    # buffers: copied as they are


@pytest.mark.parametrize("name", ["gan", "diffusion"])
def test_both_trainers_smoothed_copies_follow_the_warm_up(name):
    trainer = TINY[name](0)
    if name == "gan":
        trainer.mode = "generator"
        net, smoothed = trainer.G, trainer.G_ema
    else:
        net, smoothed = trainer.model, trainer.ema
    for _ in range(3):                                # a few steps in: decay (1 + s) / (10 + s)
        trainer.step()
    before = [p.detach().clone() for p in smoothed.parameters()]
    steps = trainer.steps
    trainer.step()
    decay = (1 + steps) / (10 + steps)
    for old, new, target in zip(before, smoothed.parameters(), net.parameters()):
        assert torch.allclose(new, decay * old + (1 - decay) * target, atol=1e-6)


# ── One weights format ────────────────────────────────────────────────────────────────────────
def test_weights_are_half_on_disk_and_float_in_memory(tmp_path):
    payload = {"config": {"width": 4, "mults": [1, 2]}, "kind": "", "steps": 7,
               "state": {"w": torch.randn(3, 3), "n": torch.tensor(5)}, "younger": {"10": {"w": torch.ones(2)}}}
    path = weights_io.save(tmp_path / "w.pt", payload)
    raw = torch.load(path, weights_only=True)
    assert raw["state"]["w"].dtype == torch.float16 and raw["state"]["n"].dtype == torch.int64
    assert raw["younger"]["10"]["w"].dtype == torch.float16
    back = weights_io.load(path)
    assert back["state"]["w"].dtype == torch.float32 and back["config"] == payload["config"] and back["steps"] == 7
    assert torch.allclose(back["state"]["w"], payload["state"]["w"], atol=2e-3)
    with pytest.raises(FileNotFoundError, match="python -m models train x"):
        weights_io.load(tmp_path / "missing.pt", make_hint="python -m models train x --out PATH")


def test_the_shipped_weights_load_unchanged():
    """The three shipped files, made before the one weights helper existed, load and draw."""
    from models import diffusion, gan, matcher

    assert gan.load_shipped().config.per_kind
    assert diffusion.load_shipped().steps > 1000
    assert len(matcher.load_shipped().tokenizer.vocab) > 50


def test_model_files_never_import_the_command_line_bench_or_streamlit():
    """The layers: the command line (models/commands) may import the models, never the other way; the
    GAN's network file does not import its trainer (no circle)."""
    import subprocess
    import sys

    from helpers import ROOT

    code = ("import sys; import models.gan, models.diffusion, models.matcher, models.gan_train, models.warmup; "
            "print(sorted(m for m in sys.modules if m.startswith(('bench', 'models.cli', 'models.__main__', "
            "'models.commands', 'streamlit')))); "
            "print('models.gan_train' in sys.modules)")
    gan_only = "import sys, models.gan; print('models.gan_train' in sys.modules)"
    run = lambda c: subprocess.run([sys.executable, "-c", c], cwd=ROOT, capture_output=True, text=True, timeout=300)  # noqa: E731
    out = run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "[]"
    assert run(gan_only).stdout.strip() == "False"


def _later_trainers():
    """The beyond chapter's trainers and the words one, tiny: made after the first three, each may seed only itself."""
    from models import gan
    from models.music import MusicConfig, MusicTrainer
    from models.text_gen import TextConfig, TextTrainer
    from models.video import InBetweenConfig, InBetweenTrainer
    from models.words import WordReader, WordsConfig, WordsTrainer
    return {
        "music": lambda seed: MusicTrainer(dataclasses.replace(MusicConfig.live(), batch=4), seed=seed),
        "text": lambda seed: TextTrainer(dataclasses.replace(TextConfig.live(), batch=4), seed=seed),
        "video": lambda seed: InBetweenTrainer(gan.load_shipped(), dataclasses.replace(InBetweenConfig.live(), batch=2,
                                                                                       channels=4), seed=seed),
        "words": lambda seed: WordsTrainer(WordsConfig(width=8, batch=4, pool=16), seed=seed, reader=WordReader()),
    }


@pytest.mark.parametrize("name", ["music", "text", "video", "words"])
def test_the_later_chapters_trainers_leave_torchs_global_dice_alone(name):
    """A visitor starting a tune, a writer, an in-betweener or a words model never reseeds the process's
    generator, which every other visitor's page shares (fails with a bare torch.manual_seed(seed))."""
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    trainer = _later_trainers()[name](7)
    trainer.step()
    assert torch.equal(torch.random.get_rng_state(), before)


def test_no_live_trainer_imports_torchs_compiler():
    """Every chapter's live trainer, made and stepped once, leaves torch._dynamo (and sympy) unimported:
    torch.optim's first use imports them, ~150 MB of every server's memory (models/optim.py). Fails when
    a trainer uses torch.optim.Adam (the beyond trainers did: checked)."""
    import subprocess
    import sys

    from helpers import ROOT

    code = """
import sys, dataclasses, torch
from models import gan, diffusion, gan_train, matcher, recognizer
from models.gan import GANConfig
from models.diffusion import DiffusionConfig, DiffusionTrainer
from models.music import MusicConfig, MusicTrainer
from models.text_gen import TextConfig, TextTrainer
from models.video import InBetweenConfig, InBetweenTrainer
from models.words import WordReader, WordsConfig, WordsTrainer
small = dataclasses.replace
for make in (lambda: gan_train.GANTrainer(small(GANConfig.live(), data_size=64, batch=8), kind="face"),
             lambda: DiffusionTrainer(small(DiffusionConfig.live(), batch=4), kind="face"),
             lambda: matcher.MatcherTrainer(),
             lambda: MusicTrainer(small(MusicConfig.live(), batch=4)),
             lambda: TextTrainer(small(TextConfig.live(), batch=4)),
             lambda: InBetweenTrainer(gan.load_shipped(), small(InBetweenConfig.live(), batch=2, channels=4)),
             lambda: WordsTrainer(WordsConfig(width=8, batch=4, pool=16), reader=WordReader())):
    make().step()
print(sorted(m for m in sys.modules if m.startswith(("torch._dynamo", "sympy"))))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
