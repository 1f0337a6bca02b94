"""The picture world: the same seed gives the same pictures, every kind and colour is drawn, captions
read naturally in both languages, and the command line writes what it promises."""

import csv
import subprocess
import sys

import numpy as np
import pytest

from models import world


def test_same_seed_same_pictures_and_a_new_seed_new_ones():
    a, b, c = (world.make_pictures(64, seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.images, b.images) and a.captions_zh == b.captions_zh
    assert not np.array_equal(a.images, c.images)


@pytest.mark.parametrize("style", ["fill", "line"])
def test_every_kind_and_colour_is_drawn_at_the_right_size(style):
    pics = world.make_pictures(800, seed=1, style=style)
    assert pics.images.shape == (800, 32, 32, 3) and pics.images.dtype == np.uint8
    assert set(pics.kinds) == set(range(len(world.KINDS))) and len(world.KINDS) >= 10
    assert set(pics.colors) == set(range(len(world.COLORS))) and len(world.COLORS) >= 6
    assert set(pics.moods[pics.kinds == world.KINDS.index("face")]) == {0, 1, 2}   # happy, sad, surprised
    assert (pics.moods[pics.kinds != world.KINDS.index("face")] == -1).all()


def test_each_picture_shows_its_thing_not_just_background():
    pics = world.make_pictures(200, seed=2)
    # The thing covers a fair part of the picture and differs clearly from the corners' background.
    corner = pics.images[:, :2, :2].reshape(200, -1, 3).mean(1)[:, None, None, :]
    changed = (np.abs(pics.images.astype(int) - corner).sum(-1) > 60).mean((1, 2))
    assert changed.min() > 0.04, "some picture is (nearly) empty"


def test_line_style_is_dark_strokes_on_light_paper():
    pics = world.make_pictures(100, seed=5, style="line")
    grey = pics.images.mean(-1)
    assert np.median(grey) > 230                       # mostly paper
    assert (grey < 100).mean((1, 2)).min() > 0.01      # every doodle has ink


def test_attributes_change_the_picture():
    rng = lambda: np.random.default_rng(0)  # noqa: E731
    red, _, _, _ = world.render("fish", rng(), 1, colors=[world.COLORS.index("red")])
    blue, _, _, _ = world.render("fish", rng(), 1, colors=[world.COLORS.index("blue")])
    assert red[0, ..., 0].mean() > blue[0, ..., 0].mean() and blue[0, ..., 2].mean() > red[0, ..., 2].mean()
    happy, _, _, _ = world.render("face", rng(), 1, moods=[0])
    sad, _, _, _ = world.render("face", rng(), 1, moods=[1])
    assert not np.array_equal(happy, sad)


def test_captions_are_natural_in_both_languages():
    fish, red, small = world.KINDS.index("fish"), world.COLORS.index("red"), world.SIZES.index("small")
    assert world.caption_en(fish, red, small, -1) == "a small red fish"
    assert world.caption_zh(fish, red, small, -1) == "一条小小的红色的鱼"
    assert world.caption_zh(fish, red, small, -1, variant=1) == "一条红色的小鱼"
    orange_star = world.caption_en(world.KINDS.index("star"), world.COLORS.index("orange"), 1, -1, variant=1)
    assert orange_star == "a large orange star"
    face = world.caption_zh(world.KINDS.index("face"), red, small, world.MOODS.index("happy"))
    assert face.startswith("一张") and "开心" in face
    pics = world.make_pictures(300, seed=9)
    for k, c, en, zh in zip(pics.kinds, pics.colors, pics.captions_en, pics.captions_zh):
        assert world.KINDS[k] in en and world.COLORS[c] in en
        assert world.NAME_ZH[world.KINDS[k]] in zh and world.COLOR_ZH[world.COLORS[c]] in zh
        assert zh.startswith("一" + world.MEASURE_ZH[world.KINDS[k]])
    article_an = [en for en in pics.captions_en if en.split()[1][0] in "aeiou"]
    assert all(en.startswith("an ") for en in article_an)


def test_bigger_pictures_for_cards_and_canvas_sizes():
    pics = world.make_pictures(3, seed=1, size=128)
    assert pics.images.shape == (3, 128, 128, 3)


def test_grid_upscales_crisply():
    pics = world.make_pictures(5, seed=1)
    g = world.grid(pics.images, cols=3, pad=2, scale=4)
    assert g.shape == (2 * (128 + 2) + 2, 3 * (128 + 2) + 2, 3)
    assert np.array_equal(g[2:6, 2:6], np.broadcast_to(pics.images[0, 0, 0], (4, 4, 3)))


def test_tensor_range_round_trip():
    pics = world.make_pictures(4, seed=1)
    x = world.to_tensor_range(pics.images)
    assert x.shape == (4, 3, 32, 32) and -1 <= x.min() and x.max() <= 1
    assert np.array_equal(world.from_tensor_range(x), pics.images)


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "models", *args], capture_output=True, text=True, cwd=cwd,
                          env={"PYTHONPATH": str(world.__file__).rsplit("/models/", 1)[0], "PATH": "/usr/bin:/bin"})


def test_cli_writes_pngs_and_labels(tmp_path):
    from PIL import Image

    out = tmp_path / "pics"
    r = cli("pictures", "--n", "12", "--out", str(out), "--seed", "7", "--style", "line", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(out / "labels.csv", encoding="utf-8")))
    assert len(rows) == 12 and list(rows[0]) == ["file", "kind", "color", "caption_en", "caption_zh"]
    for row in rows:
        assert Image.open(out / row["file"]).size == (32, 32)
        assert row["kind"] in world.KINDS and row["color"] in world.COLORS


@pytest.mark.parametrize("args", [["--n", "0"], ["--n", "-3"], ["--n", "many"], ["--n", "2", "--style", "oil"]])
def test_cli_bad_arguments_give_one_line_and_nonzero_exit(tmp_path, args):
    r = cli("pictures", *args, "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error:")


def test_cli_unwritable_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = cli("pictures", "--n", "2", "--out", str(blocker / "sub"), cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_help_explains_each_option(tmp_path):
    r = cli("pictures", "--help", cwd=tmp_path)
    assert r.returncode == 0
    for option in ("--n", "--out", "--seed", "--style"):
        assert option in r.stdout
