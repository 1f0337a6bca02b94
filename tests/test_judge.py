"""The benchmark's judge: a quickly trained one must already tell kinds apart and call noise junk."""

import numpy as np
import pytest
import torch

torch.set_num_threads(1)

from bench import judge as J  # noqa: E402
from models.world import KINDS, make_pictures  # noqa: E402


@pytest.fixture(scope="module")
def quick_judge():
    return J.load_judge(quick=True)


def test_junk_is_varied_and_deterministic():
    a, which = J.make_junk(70, seed=5)
    b, _ = J.make_junk(70, seed=5)
    assert a.shape == (70, 32, 32, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert set(which) == set(range(len(J.JUNK_KINDS)))
    assert not np.array_equal(a, J.make_junk(70, seed=6)[0])


def test_quick_judge_knows_kinds_and_junk(quick_judge):
    real = make_pictures(500, seed=J.HELD_OUT_SEED, captions=False)
    labels, conf = quick_judge.classify(real.images)
    assert labels.dtype == np.int64 and labels.shape == (500,) and conf.shape == (500,)
    assert ((conf > 0) & (conf <= 1)).all()
    accuracy = (labels == real.kinds).mean()
    assert accuracy > 0.7, accuracy                       # chance is 1 in 10; measured 0.9

    noise = np.random.default_rng(0).normal(128, 60, (200, 32, 32, 3)).clip(0, 255).astype(np.uint8)
    noise_labels, _ = quick_judge.classify(noise)
    assert (noise_labels == J.JUNK).mean() > 0.9


def test_on_target_and_score_agree(quick_judge):
    real = make_pictures(200, seed=J.HELD_OUT_SEED + 7, captions=False)
    labels, conf = quick_judge.classify(real.images)
    ok = quick_judge.on_target(real.images, real.kinds)
    assert np.array_equal(ok, (labels == real.kinds) & (conf > J.THRESHOLD))
    wrong = quick_judge.on_target(real.images, (real.kinds + 1) % len(KINDS))
    assert wrong.mean() < ok.mean()
    rates = quick_judge.score(real.images, real.kinds)
    assert rates["on_target"] == pytest.approx(ok.mean())
    assert set(rates["per_kind"]) <= set(KINDS)
    face = real.kinds == KINDS.index("face")
    assert rates["per_kind"]["face"] == pytest.approx(ok[face].mean())
    # names work as well as indices
    assert np.array_equal(quick_judge.on_target(real.images, [KINDS[k] for k in real.kinds]), ok)


def test_same_seed_same_judge():
    a = J.train_judge(J.JudgeConfig(**{**J.QUICK, "steps": 5, "real": 200, "junk": 70}))
    b = J.train_judge(J.JudgeConfig(**{**J.QUICK, "steps": 5, "real": 200, "junk": 70}))
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


def test_rejects_wrong_input(quick_judge):
    with pytest.raises(ValueError):
        quick_judge.classify(np.zeros((2, 32, 32, 3), np.float32))
    with pytest.raises(ValueError):
        quick_judge.on_target(np.zeros((2, 32, 32, 3), np.uint8), [0, 10])


def test_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(J, "CACHE", tmp_path)
    tiny = dict(width=2, real=100, junk=70, steps=3)
    trained = J.load_judge(seed=3, log=None, **tiny)
    files = list(tmp_path.glob(f"judge-{J.VERSION}-seed3-*.pt"))
    assert len(files) == 1
    loaded = J.load_judge(seed=3, log=None, **tiny)                 # from the file this time
    assert loaded is not trained and loaded.config == trained.config
    pictures = make_pictures(20, seed=1, captions=False).images
    assert np.allclose(loaded.probabilities(pictures), trained.probabilities(pictures), atol=1e-6)
    files[0].write_bytes(b"not a judge")                           # a damaged cache is retrained, not fatal
    assert J.load_judge(seed=3, log=None, **tiny).config == trained.config
