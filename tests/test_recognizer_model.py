"""The recogniser: shapes, `prepare` on any picture, empty canvases, a short training run that gets
better (its learning rate counts steps, its random numbers are its own), the shipped weights on doodles
and on drawings the way children make them, learning a new kind on a copy, finding things in a scene,
and the `recognize` command's output."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from models import recognizer as R
from models import scenes
from models import world
from models.doodles import draw
from models.__main__ import main

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def shipped():
    return R.load()


def canvas(kind="house", seed=0, **kw):
    return draw(kind, np.random.default_rng(seed), **kw)


# ── Shapes ───────────────────────────────────────────────────────────────────────────────────
def test_network_gives_one_score_per_kind_from_unit_embeddings():
    model = R.Recognizer(R.SMALL).eval()
    x = torch.rand(4, 1, 32, 32)
    assert model(x).shape == (4, len(world.KINDS))
    e = model.embed(x)
    assert e.shape == (4, R.SMALL.embed) and torch.allclose(e.norm(dim=1), torch.ones(4), atol=1e-5)
    assert model(x).abs().max() <= R.SMALL.scale + 1e-4          # scaled cosines
    assert R.augment(x).shape == x.shape


# ── prepare and is_empty ─────────────────────────────────────────────────────────────────────
def test_prepare_crops_and_centres_the_drawing_whatever_the_picture():
    rgba = canvas(seed=1)                                          # 280x280, transparent paper
    on_paper = Image.new("RGB", rgba.size, "white")
    on_paper.paste(rgba, mask=rgba.split()[3])
    small_jpeg_like = on_paper.convert("L").resize((50, 120))     # another size, grey, squashed
    for picture in (rgba, np.asarray(rgba), on_paper, np.asarray(on_paper) / 255.0, small_jpeg_like):
        x = R.prepare(picture)
        assert x.shape == (32, 32) and x.dtype == np.float32 and 0 <= x.min() and x.max() == pytest.approx(1)
        rows, cols = np.nonzero(x > 0.25)
        assert max(rows.max() - rows.min(), cols.max() - cols.min()) in range(22, 28)   # fits 26 px
        assert abs((rows.max() + rows.min()) / 2 - 15.5) <= 1.5 and abs((cols.max() + cols.min()) / 2 - 15.5) <= 1.5
    # Transparent paper and white paper are the same drawing.
    assert np.abs(R.prepare(rgba) - R.prepare(on_paper)).max() < 0.05
    # Light strokes on dark paper and a coloured pen work too.
    assert np.abs(R.prepare(255 - np.asarray(on_paper)) - R.prepare(on_paper)).max() < 0.05
    red = canvas(seed=1, color=(220, 30, 30))
    assert np.abs(R.prepare(red) - R.prepare(rgba)).mean() < 0.05


def test_empty_and_nearly_empty_pictures_are_reported_empty(shipped):
    blank = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    speck = blank.copy()
    ImageDraw.Draw(speck).ellipse((100, 100, 110, 110), fill=(0, 0, 0, 255))   # a tap, not a drawing
    for picture in (blank, speck, Image.new("RGB", (64, 64), "white"), np.zeros((10, 10, 4), np.uint8)):
        assert R.is_empty(picture)
        guess = R.predict(shipped, picture)
        assert guess.empty and guess.probs.sum() == 0
    assert not R.is_empty(canvas()) and not R.is_empty(world.make_pictures(1, seed=3, style="line").images[0])
    with pytest.raises(ValueError):
        R.prepare(np.zeros((5, 5, 2)))


# ── Training ─────────────────────────────────────────────────────────────────────────────────
def test_a_few_training_steps_raise_accuracy():
    config = R.RecognizerConfig(width=8, embed=32, batch=64, lr=5e-3, steps=1000)
    data = R.training_pictures(400, seed=5, config=config)
    test_x, test_y = R.training_pictures(200, seed=6, config=config)
    trainer = R.RecognizerTrainer(config, seed=0, data=data)
    before = R.accuracy(trainer.model, test_x, test_y)
    metrics = [trainer.step() for _ in range(60)]
    after = R.accuracy(trainer.model, test_x, test_y)
    assert trainer.steps == 60 and set(metrics[-1]) == {"loss", "accuracy"}
    assert np.mean([m["loss"] for m in metrics[-10:]]) < np.mean([m["loss"] for m in metrics[:10]])
    assert after > before + 0.3 and after > 0.5, (before, after)


def test_training_counts_steps_and_owns_its_random_numbers():
    config = R.RecognizerConfig(width=8, embed=32, batch=16, lr=1e-2, steps=4)
    data = R.training_pictures(40, seed=5, config=config)
    torch.manual_seed(123)
    outside = torch.get_rng_state()
    runs = []
    for _ in range(2):
        trainer = R.RecognizerTrainer(config, seed=3, data=data)
        rates = []
        for _ in range(6):
            trainer.step()
            rates.append(trainer.optimizer.param_groups[0]["lr"])
        runs.append(([round(v, 6) for v in trainer.model.head.flatten()[:5].tolist()], rates))
    assert runs[0] == runs[1]                                       # the same seed, the same run
    assert torch.equal(torch.get_rng_state(), outside)              # nothing global was drawn or seeded
    rates = runs[0][1]
    assert rates[0] == pytest.approx(1e-2) and rates[2] == pytest.approx(1e-2 * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi / 2))))
    assert rates[4] == rates[5] == pytest.approx(1e-2 * 0.05)      # after the planned steps: the floor


# ── The shipped recogniser ───────────────────────────────────────────────────────────────────
def test_shipped_model_knows_doodles_and_says_what_mattered(shipped):
    kinds = ["face", "house", "star", "fish", "sun"]
    guesses = [R.predict(shipped, canvas(kind, seed=i)) for i, kind in enumerate(kinds)]
    assert sum(g.best[0] == k for g, k in zip(guesses, kinds)) >= 4
    g = guesses[0]
    assert g.probs.shape == (10,) and g.probs.sum() == pytest.approx(1, abs=1e-5)
    assert g.saliency.shape == (32, 32) and g.saliency.max() == pytest.approx(1) and g.saliency.min() >= 0
    assert (g.saliency[g.seen < 0.05] == 0).all()                  # it points at ink, not at paper
    assert g.ranked()[0][0] == g.best[0]


def test_learning_a_new_kind_changes_only_a_copy(shipped):
    rockets = [canvas("rocket", seed=s) for s in range(6)]
    head = shipped.head.clone()
    taught = R.learn_new_kind(shipped, "  rocket 🚀 ", rockets[:5] + [Image.new("RGB", (9, 9), "white")], steps=150)
    assert taught.kinds == list(world.KINDS) + ["rocket 🚀"]
    assert shipped.kinds == list(world.KINDS) and torch.equal(shipped.head, head) and not shipped.examples
    assert R.predict(taught, rockets[5]).best[0] == "rocket 🚀"
    assert R.predict(taught, canvas("house", seed=1)).best[0] == "house"
    again = R.learn_new_kind(taught, "x" * 5000, [canvas("ladder", seed=s) for s in range(5)], steps=60)
    assert len(again.kinds) == 12 and len(taught.kinds) == 11
    for name, drawings in (("", rockets), ("   ", rockets), ("boat", [Image.new("RGB", (9, 9), "white")])):
        with pytest.raises(ValueError):
            R.learn_new_kind(shipped, name, drawings)


def test_learning_a_new_kind_counts_steps_not_seconds(shipped):
    boats = [canvas("boat", seed=s) for s in range(5)]
    seen = []
    short = R.learn_new_kind(shipped, "boat", boats, steps=7, callback=lambda p: seen.append(p.steps))
    assert seen[-1] == 7 and short.kinds[-1] == "boat"
    again = R.learn_new_kind(shipped, "boat", boats, steps=7)          # no clock in it: the same row
    assert torch.equal(short.head, again.head)


# ── Drawings the way children make them (issue 18): drawn here by hand, not by any doodle routine ──
def by_hand(strokes, width=12, shift=(0, 0)):
    """Strokes as a finger draws them on the 280-pixel canvas: dark, round ends, transparent paper."""
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        xy = [(x + shift[0], y + shift[1]) for x, y in stroke]
        pen.line(xy, fill=(34, 34, 34, 255), width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(34, 34, 34, 255))
    return image


def ring(cx, cy, r, n=40):
    return [(cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n)) for k in range(n + 1)]


def childs_house(left=80, top=120, side=120, roof=80):
    """A square, a triangle roof sitting on it (no line under the roof), a door, no window."""
    walls = [(left, top), (left, top + side), (left + side, top + side), (left + side, top)]
    over = [(left, top), (left + side / 2, top - roof), (left + side, top)]
    mid, bottom = left + side / 2, top + side
    door = [(mid - 20, bottom), (mid - 20, bottom - 0.6 * side), (mid + 20, bottom - 0.6 * side), (mid + 20, bottom)]
    return [walls, over, door]


def side_car(outline=True):
    """A long body with a cabin on top and two wheels under it, seen from the side."""
    wheels = [ring(80, 210, 24), ring(200, 210, 24)]
    if outline:   # body and cabin in one line round the car
        return [[(30, 205), (30, 150), (75, 150), (100, 100), (185, 100), (210, 150), (250, 150), (250, 205), (30, 205)]] + wheels
    return [[(30, 150), (30, 205), (250, 205), (250, 150), (30, 150)], [(75, 150), (100, 100), (185, 100), (210, 150)]] + wheels


def sun(rays):
    s = [ring(140, 140, 50)]
    for k in range(rays):
        a = 2 * math.pi * k / rays + 0.3
        s.append([(140 + 64 * math.cos(a), 140 + 64 * math.sin(a)), (140 + 115 * math.cos(a), 140 + 115 * math.sin(a))])
    return s


# The second house is big: shifted down 10 px, its floor and the door's foot run off the canvas's bottom
# edge (a roof on four upright lines: in a thin pen it read as a fir tree, until the training doodles
# ran off the canvas too and thin strokes were widened before the model sees them).
CHILDREN = [("house", childs_house()), ("house", childs_house(60, 130, 160, 90)), ("car", side_car()),
            ("car", side_car(outline=False)), ("sun", sun(7)), ("sun", sun(5)), ("sun", sun(11))]


@pytest.mark.parametrize("kind, strokes, width", [
    (kind, strokes, width) for kind, strokes in CHILDREN for width in (4, 6, 12, 22)])
def test_drawings_the_way_children_make_them_are_recognised(shipped, kind, strokes, width):
    assert R.predict(shipped, by_hand(strokes, width, shift=(-15, 10))).best[0] == kind


def test_a_thin_pencil_and_a_fat_marker_look_alike_to_the_model():
    """prepare widens thin strokes to config.pen of the model's pixels before it shrinks the drawing."""
    bar = np.zeros((40, 200), np.float32)
    bar[10:16, 20:180] = 1.0
    assert R.pen_width(bar) == pytest.approx(6, abs=0.3) and R.pen_width(np.zeros((5, 5))) == 0
    strokes = childs_house(60, 60, 160, 60)
    thin, fat = (R.prepare(by_hand(strokes, w)) for w in (3, 14))
    assert R.pen_width(thin) >= R.RecognizerConfig.pen and R.pen_width(fat) >= R.RecognizerConfig.pen
    area = lambda x: int((x > 0.25).sum())                                     # noqa: E731  pixels of ink
    assert 0.8 * area(fat) <= area(thin) <= 1.2 * area(fat), (area(thin), area(fat))
    as_drawn = R.prepare(by_hand(strokes, 3), R.RecognizerConfig(pen=0))      # no widening: a hairline
    assert area(as_drawn) < 0.6 * area(fat), (area(as_drawn), area(fat))


def test_training_doodles_come_wide_and_low_tall_and_narrow_and_running_off_the_canvas():
    rng = np.random.default_rng(0)
    shapes, off = [], 0
    for _ in range(300):
        ink = np.asarray(draw("house", rng, size=112))[..., 3] > 100
        rows, cols = np.nonzero(ink)
        shapes.append((cols.max() - cols.min() + 1) / (rows.max() - rows.min() + 1))
        off += bool(ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any())
    assert min(shapes) < 0.85 and max(shapes) > 1.6, (min(shapes), max(shapes))
    assert 0.05 < off / 300 < 0.3, off


def test_things_in_a_scene_are_found_and_named(shipped):
    right = total = 0
    for seed, style in ((0, "line"), (1, "fill"), (2, "fill")):
        scene, truth = scenes.make_scene(seed, style)
        assert scene.shape == (96, 128, 3) and len(truth) >= 2
        found = scenes.find_things(shipped, scene)
        total += len(truth)
        for (x0, y0, x1, y1), kind in truth:
            right += any(b[0] <= (x0 + x1) / 2 <= b[2] and b[1] <= (y0 + y1) / 2 <= b[3] and k == kind
                         for b, k, _ in found)
    assert right >= total - 1


def test_weights_survive_saving_in_half_precision(shipped, tmp_path):
    R.save(shipped, tmp_path / "r.pt")
    again = R.load(tmp_path / "r.pt")
    x = torch.from_numpy(R.prepare(canvas()))[None, None]
    assert torch.allclose(shipped(x).softmax(1), again(x).softmax(1), atol=1e-3)
    with pytest.raises(FileNotFoundError):
        R.load(tmp_path / "missing.pt")


# ── The recognize command ────────────────────────────────────────────────────────────────────
def test_recognize_prints_file_kind_confidence_one_line_a_file(tmp_path, capsys):
    canvas("star", seed=2).save(tmp_path / "star.png")
    canvas("house", seed=3, rgba=False).convert("RGB").resize((500, 300)).save(tmp_path / "house.jpg", quality=70)
    Image.new("RGB", (200, 100), "white").save(tmp_path / "blank.png")
    assert main(["recognize", str(tmp_path / "star.png"), str(tmp_path / "house.jpg"), str(tmp_path / "blank.png")]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(f.rsplit("/", 1)[-1], k) for f, k, _ in lines] == [("star.png", "star"), ("house.jpg", "house"),
                                                               ("blank.png", "empty")]
    assert all(0 <= float(c) <= 1 for _, _, c in lines)


def test_recognize_a_file_it_cannot_read_is_one_line_and_a_failing_exit(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    canvas("heart", seed=4).save(tmp_path / "heart.png")
    run = subprocess.run([sys.executable, "-m", "models", "recognize", str(tmp_path / "broken.png"),
                          str(tmp_path / "missing.jpg"), str(tmp_path / "heart.png")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 2 and "broken.png" in run.stderr and "missing.jpg" in run.stderr
    assert run.stdout.splitlines()[0].split("\t")[:2] == [str(tmp_path / "heart.png"), "heart"]
