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


def test_middle_errors_and_film_measures_judge_the_middle_frames(gan_generator):
    real = np.zeros((5, 2, 2, 3), np.uint8)
    real[2], real[4] = 100, 200                    # keys 0, 100, 200; true middles 40 and 160
    real[1], real[3] = 40, 160
    film = real.copy()
    film[1], film[3] = 50, 150                     # the model's middles: 10 off each
    error, fade = video.middle_errors(film, real)
    assert error == pytest.approx(10) and fade == pytest.approx(10)     # the fade's middles: 50 and 150
    m = video.film_measures(video.InBetweenTrainer(gan_generator, seed=0), kinds=("face",))
    assert set(m) == {"change", "error", "gan_change", "fade_change", "fade_error"}
    assert m["error"] > 10 * m["fade_error"] > 0     # untrained: grey guesses, far worse than a cross-fade


# ── The command line (models/commands/video.py) ──────────────────────────────────────────────
@pytest.fixture(scope="module")
def video_weights(tmp_path_factory):
    from models.__main__ import main
    path = tmp_path_factory.mktemp("video") / "inbetween.pt"
    assert main(["train", "video", "--seconds", "0.3", "--kind", "cat", "--seed", "3", "--out", str(path)]) == 0
    return path


def test_train_video_saves_a_trainer_that_loads_again(video_weights, gan_generator):
    state = torch.load(video_weights, weights_only=True)
    trainer = video.InBetweenTrainer.from_state(state, gan_generator)
    assert trainer.steps >= 1 and trainer.config.kind == "cat" and trainer.generator is gan_generator
    assert all(torch.equal(a, b) for a, b in zip(trainer.model.state_dict().values(), state["model"].values()))


def test_sample_video_writes_strips_gifs_and_labels(video_weights, tmp_path):
    from models.__main__ import main
    out = tmp_path / "films"
    assert main(["sample", "video", "--n", "2", "--out", str(out), "--weights", str(video_weights), "--kind", "sun"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["film00000.gif", "film00000.png", "film00001.gif",
                                                   "film00001.png", "labels.csv"]
    assert (out / "film00000.gif").read_bytes()[:6] == b"GIF89a"
    rows = (out / "labels.csv").read_text().splitlines()
    assert rows[0] == "file,kind,change_per_frame" and rows[1].startswith("film00000.png,sun,")
    from PIL import Image
    assert Image.open(out / "film00000.png").size[0] > 13 * 32         # 13 frames side by side


def test_evaluate_video_compares_with_the_gan_and_a_cross_fade(video_weights, tmp_path, capsys):
    from models.__main__ import main
    assert main(["evaluate", "video", "--weights", str(video_weights)]) == 0
    out = capsys.readouterr().out
    assert "change per frame" in out and "cross-fade" in out and "training steps" in out
    assert main(["evaluate", "video", "--weights", str(tmp_path / "none.pt")]) == 2
    assert "python -m models train video" in capsys.readouterr().err


def test_gif_bytes_keeps_every_frame_crisp_and_its_colours():
    import io

    from PIL import Image
    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (200, 3), dtype=np.uint8)               # fewer than a GIF's 256
    frames = colours[rng.integers(0, 200, (5, 8, 8))]                        # (5, 8, 8, 3)
    gif = Image.open(io.BytesIO(video.gif_bytes(frames, scale=3, bounce=True)))
    shown = []
    for i in range(gif.n_frames):
        gif.seek(i)
        shown.append(np.asarray(gif.convert("RGB")))
    assert len(shown) == 5 + 3                                               # forwards, then back
    expected = [*frames, *frames[-2:0:-1]]
    for got, want in zip(shown, expected):
        assert got.shape == (24, 24, 3)
        assert np.array_equal(got, want.repeat(3, 0).repeat(3, 1))          # the same colours, crisp pixels
