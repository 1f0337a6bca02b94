"""The in-betweener of the video part (models/video.py), the shared next-token step (models/sequence.py)
and the writer's transformer variant (models/text_gen.py)."""

import numpy as np
import pytest
import torch

from models import sequence, video
from models import text_gen as tg


@pytest.fixture(scope="module")
def gan_generator():
    from models.gan import load_shipped
    return load_shipped()


def test_in_betweener_shapes_and_walk_examples(gan_generator):
    cfg = video.InBetweenConfig.live()
    model = video.InBetweener(cfg)
    before, after = torch.zeros(2, 3, 32, 32), torch.ones(2, 3, 32, 32)
    guess = model(before, after)
    assert guess.shape == (2, 3, 32, 32) and guess.abs().max() <= 1
    trip = video.walk_triplets(gan_generator, 5, cfg.gap, torch.Generator().manual_seed(0))
    assert trip.shape == (3, 5, 3, 32, 32) and trip.min() >= -1 and trip.max() <= 1
    # Neighbours on a walk are close; the middle frame lies between them (closer than the two ends).
    ends = (trip[0] - trip[2]).abs().mean()
    assert (trip[1] - trip[0]).abs().mean() < ends and (trip[1] - trip[2]).abs().mean() < ends


def test_a_few_in_between_steps_lower_the_loss_and_smooth_the_film(gan_generator):
    trainer = video.InBetweenTrainer(gan_generator, seed=0)
    weights = {k: v.clone() for k, v in gan_generator.state_dict().items()}
    film, real = trainer.film("face", keys=4, seed=1)
    assert film.shape == real.shape == (7, 32, 32, 3) and film.dtype == np.uint8
    assert np.array_equal(film[::2], real[::2]) and not np.array_equal(film[1::2], real[1::2])
    first_change = video.smoothness(film)
    losses = [trainer.step()["loss"] for _ in range(25)]
    assert np.mean(losses[-5:]) < 0.7 * losses[0]
    assert video.smoothness(trainer.film("face", keys=4, seed=1)[0]) < 0.7 * first_change
    assert all(torch.equal(v, gan_generator.state_dict()[k]) for k, v in weights.items())   # shared GAN untouched
    assert trainer.steps == 25 and 0 < trainer.memory_bytes() < 20 * 2 ** 20


def test_windows_are_consecutive_and_learn_takes_a_step():
    idx = sequence.windows(100, 8, 4, torch.Generator().manual_seed(0))
    assert idx.shape == (4, 9) and (idx.diff(dim=1) == 1).all() and idx.min() >= 0 and idx.max() < 100
    with pytest.raises(ValueError):
        sequence.windows(9, 8, 4, torch.Generator())
    model = torch.nn.Linear(3, 5)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x, y = torch.randn(2, 4, 3), torch.randint(5, (2, 4))
    first = sequence.learn(model, opt, model(x), y)
    assert sequence.learn(model, opt, model(x), y) < first


def test_transformer_writer_shapes_steps_and_writing():
    trainer = tg.TextTrainer(tg.TextConfig(kind="transformer"), seed=0)
    v = trainer.vocab
    scores, seen = trainer.model(torch.tensor([v.encode("en", "a cat")]))
    assert scores.shape == (1, 7, len(v)) and seen.shape == (1, 7)
    more, seen = trainer.model(torch.tensor([[v.index["s"]]]), seen)
    assert more.shape == (1, 1, len(v)) and seen.shape == (1, 8)
    first = trainer.step()["loss"]
    for _ in range(30):
        last = trainer.step()["loss"]
    assert last < first - 1.0
    line = trainer.write("en", "a big", 1.0, seed=0)
    assert line.startswith("a big") and all(w in v.words for w in line.split())
