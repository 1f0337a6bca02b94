"""Charts: Chinese in matplotlib figures even with a stale font cache, the map's words off its pictures,
and line charts that tell their lines apart without colour and keep their legend whole."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Draws the matching chapter's three figures with Chinese words and prints every warning and log line.
DRAW_ALL = r"""
import logging, sys, warnings
import numpy as np
sys.path.insert(0, sys.argv[1])
logging.basicConfig(level=logging.WARNING, stream=sys.stdout)
warnings.simplefilter("always")
from matplotlib import font_manager
from ui import match_figures as mf
rng = np.random.default_rng(0)
pics = rng.integers(0, 255, (6, 32, 32, 3), dtype=np.uint8)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    mf.bar_rows(["蓝色的星星", "一只猫"], rng.normal(size=(2, 16)))
    mf.grid_png(pics[:3], ["一只红色的猫", "蓝色的鱼", "黄色的太阳"], rng.random((3, 3)))
    mf.map_figure(pics, rng.normal(size=(6, 2)), ["星星", "小猫"], rng.normal(size=(2, 2)), "我的词", np.zeros(2))
for w in caught:
    print("WARNING", w.message)
print("CJK fonts:", sorted({f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name}))
"""


def stale_cache(into: Path) -> Path:
    """A matplotlib config dir whose font cache has no CJK font in it, as if written before
    fonts-noto-cjk was installed (a newcomer who installs the fonts after a first run)."""
    import matplotlib

    into.mkdir(parents=True, exist_ok=True)
    cached = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    if not cached:       # build one in the empty dir first
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env={**os.environ, "MPLCONFIGDIR": str(into)},
                       check=True, timeout=300)
        cached = sorted(into.glob("fontlist-*.json"))
    data = json.loads(cached[-1].read_text())
    data["ttflist"] = [f for f in data["ttflist"] if not any(k in (f["name"] + f["fname"]).lower() for k in ("cjk", "wqy", "han sans"))]
    (into / cached[-1].name).write_text(json.dumps(data))
    return into


def test_chinese_in_figures_draws_even_with_a_font_cache_from_before_the_cjk_font(tmp_path):
    from ui.charts import cjk_font_file

    if cjk_font_file() is None:
        pytest.skip("no CJK font installed here (apt-get install fonts-noto-cjk)")
    config = stale_cache(tmp_path / "mpl")
    done = subprocess.run([sys.executable, "-c", DRAW_ALL, str(ROOT)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLCONFIGDIR": str(config)})
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "Glyph" not in out and "missing" not in out, out[-3000:]
    assert "CJK" in out.split("CJK fonts:")[-1], out[-500:]        # the font was registered from its file


def test_the_stale_cache_really_hides_the_font(tmp_path):
    """The reproduction above is real: without registering the file, the stale cache has no CJK font."""
    config = stale_cache(tmp_path / "mpl")
    probe = ("from matplotlib import font_manager; "
             "print(sorted({f.name for f in font_manager.fontManager.ttflist if 'CJK' in f.name}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLCONFIGDIR": str(config)})
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_maps_words_do_not_sit_on_its_pictures():
    from ui import match_figures as mf

    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (24, 32, 32, 3), dtype=np.uint8)
    p_img = rng.normal(size=(24, 2))
    words = ["蓝色的星星", "red car", "一只猫", "鱼", "花", "树", "房子", "爱心", "太阳", "笑脸"]
    fig, labels, pictures = mf.map_fig(images, p_img, words, p_img[:10] + 0.01, "我的词", np.zeros(2))
    renderer = fig.canvas.get_renderer()
    on = [(label.get_text(), i) for label in labels for i, p in enumerate(pictures)
          if mf.label_box(label, renderer).overlaps(p.get_window_extent(renderer))]
    assert on == [], f"words on pictures: {on}"
    assert len(labels) == len(words) + 1


def test_line_charts_tell_lines_apart_without_colour_and_keep_long_names_whole():
    from ui import charts

    names = ["裁判认对真图（%） · Judge right on real pictures (%)", "裁判认出画的图（%） · Judge right on drawn pictures (%)"]
    spec = charts.lines([0, 10, 20], {names[0]: [50, 60, 70], names[1]: [40, 30, 20]}, x_title="回合 · Rounds")
    enc = spec["encoding"]
    assert enc["strokeDash"]["field"] == "line" and enc["shape"]["field"] == "line"      # dash + marker per line
    dashes = enc["strokeDash"]["scale"]["range"]
    assert dashes[0] != dashes[1]
    assert len(set(charts.MARKS)) == len(charts.SHAPES) and len(set(charts.STROKES)) == len(charts.DASHES)
    assert enc["x"]["title"] == ["回合", "Rounds"]
    assert enc["y"]["title"] is None                                                      # no tall axis title


def test_the_cjk_font_file_is_found_without_matplotlibs_cache():
    from ui import charts

    path = charts.cjk_font_file()
    if path is None:
        pytest.skip("no CJK font installed here")
    from matplotlib import ft2font

    font = ft2font.FT2Font(str(path))
    assert font.get_char_index(ord("画")) != 0


def test_the_lines_key_is_words_with_each_lines_marker_and_dash():
    from ui import charts

    names = ["裁判认对真图（%） · Judge right on real pictures (%)", "Judge right on drawn <pictures> (%)"]
    html = charts.line_key(names, ["#1f6f66", "#b4441f"])
    rows = html.split("<br>")
    assert len(rows) == 2
    assert "●━━" in rows[0] and "#1f6f66" in rows[0] and names[0] in rows[0]
    assert "■╍╍" in rows[1] and "&lt;pictures&gt;" in rows[1]                          # words, never markup
    enc = charts.lines([0, 1], {n: [1, 2] for n in names}, "Rounds")["encoding"]
    assert enc["color"]["legend"] is None                    # no legend to be cut inside the chart


def _texts_px(fig):
    from matplotlib.text import Text

    return [(t.get_text(), t.get_fontsize() * fig.dpi / 72) for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


@pytest.mark.parametrize("which", ["bars", "map"])
def test_classroom_figures_have_every_word_28_px_and_fit_the_projectors_column(which, monkeypatch):
    """Classroom mode (1920 px projector): a chapter part's right column is about 1,140 px wide; shown at
    its own size there, every word of a matching figure is at least 28 px tall (issue #19)."""
    from ui import match_figures as mf

    made = []
    monkeypatch.setattr(mf, "png", lambda fig: made.append(fig) or b"")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (6, 32, 32, 3), dtype=np.uint8)
    words = ["a big happy pink face", "一只小小的橙色的猫", "a red fish", "鱼", "花", "树"]
    for big in (False, True):
        if which == "bars":
            mf.bar_rows(words[:3], rng.normal(size=(3, 32)), [True] * 3, ["37%", "20%", "42%"], big=big)
        else:
            mf.map_figure(images, rng.normal(size=(6, 2)), words, rng.normal(size=(6, 2)), "我的词", np.zeros(2), big=big)
    small, big = made
    assert min(px for _, px in _texts_px(small)) < 20                 # the page's own size: small words
    sizes = _texts_px(big)
    assert len(sizes) >= 3 and min(px for _, px in sizes) >= 28, sorted(sizes, key=lambda s: s[1])[:3]
    assert big.get_figwidth() * big.dpi <= 1140


def test_the_grid_has_28_px_words_in_classroom_mode_and_fits_the_projectors_column():
    """The picture-by-words grid (drawn with Pillow, ui/match_figures.grid_png): classroom mode's words are
    at least 28 px tall and the picture within the ~1,140 px column; the page's own size has small words."""
    from PIL import Image

    from ui import match_figures as mf

    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (6, 32, 32, 3), dtype=np.uint8)
    words = ["a big happy pink face", "一只小小的橙色的猫", "a red fish", "鱼", "花", "树"]
    small, big = (mf.grid_layout(words, 6, 6, big=b) for b in (False, True))
    assert small.text_px < 20 <= 28 <= big.text_px
    picture = Image.open(io.BytesIO(mf.grid_png(images, words, rng.random((6, 6)), big=True)))
    assert (picture.width, picture.height) == (big.width, big.height) and picture.width <= 1140
    # The tallest Chinese word's glyphs really reach the size (a font without them draws empty boxes).
    ink = mf.grid_font(big.text_px).getmask("猫").getbbox()
    assert ink[3] - ink[1] >= 0.8 * big.text_px, ink


def test_the_grid_colours_each_square_by_its_match_and_frames_the_right_words():
    """Square (i, j) of the grid is coloured by probs[i, j] (pale for 0, dark red for 1), the diagonal
    framed in green, every word's label above the squares, inside the picture."""
    from PIL import Image

    from ui import match_figures as mf

    probs = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    images = np.zeros((3, 32, 32, 3), dtype=np.uint8)
    words = ["一只红色的猫", "a blue fish", "sun"]
    lay = mf.grid_layout(words, 3, 3)
    px = np.asarray(Image.open(io.BytesIO(mf.grid_png(images, words, probs))).convert("RGB")).astype(int)

    def inside(i, j):                      # a point inside square (i, j), off its number and its frame
        return px[lay.top + i * lay.cell + lay.cell // 5, lay.left + j * lay.cell + lay.cell // 2]

    def frame(i, j):
        return px[lay.top + i * lay.cell + 1, lay.left + j * lay.cell + lay.cell // 2]

    red, pale, middle = inside(1, 2), inside(0, 1), inside(2, 0)
    assert red[0] > 100 and red[1] < 60 and red[2] < 60, red               # dark red
    assert pale.min() > 200 and pale[2] < pale[0], pale                     # pale yellow
    assert pale.sum() > middle.sum() > red.sum()
    assert tuple(frame(1, 1)) == mf.GRID_MATCH and tuple(frame(1, 2)) != mf.GRID_MATCH
    above = px[: lay.top, lay.left:]                                        # the words' band
    assert (above.sum(axis=2) < 300).any()                                  # dark letters there
    assert (px[lay.top:, -3:] == mf.GRID_BACK).all()                        # nothing runs past the right edge


def test_classroom_line_charts_have_28_px_words():
    from ui import charts

    spec = charts.lines([0, 10], {"a": [1, 2], "b": [2, 1]}, "Rounds", big=True)
    enc = spec["encoding"]
    sizes = [enc["x"]["axis"]["labelFontSize"], enc["x"]["axis"]["titleFontSize"], enc["y"]["axis"]["labelFontSize"]]
    assert min(sizes) >= 28, sizes
    plain = charts.lines([0, 10], {"a": [1, 2]}, "Rounds")["encoding"]["x"]["axis"]["labelFontSize"]
    assert plain < 28


def test_a_figure_shows_each_emoji_as_one_question_mark_as_the_pieces_count_it():
    from ui.match_figures import drawable

    assert drawable("🇨🇳") == "?" and drawable("👨‍👩‍👧") == "?" and drawable("🇨🇳🇺🇸") == "??"
    assert drawable("👍🏽 red 猫") == "? red 猫"
