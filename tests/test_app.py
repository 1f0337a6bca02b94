"""The app's frame in AppTest: every page in every language, the language choice, classroom mode, and
the friendly word instead of a traceback."""

import tomllib

import pytest
from helpers import ROOT, no_exception, run_app, texts

from ui import chapters

PAGES = ["pages/home.py", "pages/glossary.py"] + [c.page for c in chapters.built()]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_every_page_renders_in_every_language(page, lang):
    at = run_app(lang, page if page != "pages/home.py" else None)
    no_exception(at)
    shown = texts(at)
    assert len(shown) > 50
    has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in shown)
    english_words = sum(w.isascii() and w.isalpha() for w in shown.split())
    name = page.split("/")[1][:-3]
    name = "home" if name == "home" else name
    titles = {base: tomllib.load(open(ROOT / "lessons" / base / f"{name}.toml", "rb"))["title"] for base in ("zh", "en")}
    if lang in ("zh", "both"):
        assert has_chinese and titles["zh"] in shown
    if lang in ("en", "both"):
        assert english_words > 20 and titles["en"] in shown
    if lang == "zh":
        assert titles["en"] not in shown


def test_home_page_words_follow_the_language():
    assert "电脑能学会画画吗" in texts(run_app("zh"))
    assert "Can a computer learn to draw?" in texts(run_app("en"))
    both = texts(run_app("both"))
    assert both.index("能！可是没有人给它一支铅笔。") < both.index("Yes, it can! But nobody gives it a pencil.")


def test_language_comes_from_the_browser_when_the_url_does_not_say():
    from streamlit.testing.v1 import AppTest

    from helpers import ROOT
    for locale, expected in (("en-US", "en"), ("zh-CN", "zh"), ("fr-FR", "zh")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.context["locale"] = locale
        at.run()
        assert at.query_params["lang"] == [expected] or at.query_params["lang"] == expected


def test_language_survives_a_page_switch_and_is_in_the_url():
    at = run_app("en")
    at.switch_page("pages/glossary.py").run()
    no_exception(at)
    assert "Key words" in texts(at)
    lang = at.query_params["lang"]
    assert lang in ("en", ["en"])


def test_picking_a_language_in_the_sidebar():
    at = run_app("zh")
    at.sidebar.button_group[0].set_value("en").run() if at.sidebar.button_group else None
    no_exception(at)
    assert "Can a computer learn to draw?" in texts(at)
    assert at.query_params["lang"] in ("en", ["en"])


def test_classroom_mode_shows_one_part_at_a_time_with_big_buttons():
    at = run_app("zh", query={"present": "1"})
    no_exception(at)
    assert len(at.sidebar.button) == 0, "no sidebar in classroom mode"
    first = [h.value for h in at.header]
    assert len(first) == 1
    at.button(key="present-next").click().run()
    second = [h.value for h in at.header]
    assert second != first and len(second) == 1
    at.button(key="present-prev").click().run()
    assert [h.value for h in at.header] == first
    at.button(key="present-exit").click().run()
    no_exception(at)
    assert len(at.header) > 1 and "present" not in at.query_params


def test_an_unexpected_error_shows_a_friendly_word_not_a_traceback(monkeypatch):
    import ui.layout

    def broken(*_):
        raise RuntimeError("a bug the child must not see")

    monkeypatch.setattr(ui.layout, "sections", broken)
    for lang, words in (("zh", "哎呀"), ("en", "Oops")):
        at = run_app(lang)
        assert not at.exception
        assert words in texts(at) and "a bug the child must not see" not in texts(at)


ALT_PAGES = ["pages/home.py", "pages/gan.py", "pages/diffusion.py", "pages/seeing.py", "pages/matching.py"]


@pytest.mark.parametrize("page", ALT_PAGES)
def test_every_picture_says_what_it_is_in_the_readers_language(page):
    """Pages pass an alt text to every picture (ui/pictures.show, show_grid, show_row): none is nameless
    to a screen reader, and a Chinese page names its pictures in Chinese, an English page in English."""
    for lang in ("zh", "en"):
        at = run_app(lang, page if page != "pages/home.py" else None)
        alts = [img.alt if img.HasField("alt") else None for element in at.image for img in element.proto.imgs]
        assert alts and all(a and a.strip() for a in alts), (lang, alts)
        cjk = [any("\u4e00" <= ch <= "\u9fff" for ch in a) for a in alts]
        assert all(cjk) if lang == "zh" else not any(cjk), (lang, alts)


def test_charts_and_the_canvas_leave_pandas_unimported():
    """The app's line charts and its canvas, drawn in a fresh process, leave pandas (and pyarrow)
    unimported: 79 MB of every server's memory for nothing the app shows (issue #16's memory). Streamlit
    imports them for a Vega-Lite spec's top-level data (ui.charts.inline keeps it in a layer) and to check
    a component's dict values for dataframes (the canvas's starting drawing: sent as JSON text). Fails
    with either back (checked). The pages draw their charts with these two; the words page's loss chart,
    once `st.line_chart`, is checked in tests/test_words_page.py."""
    import subprocess
    import sys

    code = r"""
import sys
from streamlit.testing.v1 import AppTest

at = AppTest.from_string(
    "from ui import canvas\n"
    "from ui.charts import quick_line, show_lines\n"
    "quick_line([0, 1, 2], [3.0, 2.0, 1.0], alt_text='a line')\n"
    "show_lines([0, 1], {'a': [1, 2], 'b': [2, 1]}, 'Rounds', alt_text='two lines')\n"
    "canvas.restart('c', [{'type': 'path', 'path': [['M', 1, 1], ['L', 9, 9]]}], rerun=False)\n"
    "canvas.draw('c')\n", default_timeout=60)
at.run()
assert not at.exception, at.exception
assert len(at.get("vega_lite_chart")) == 2, at
print(sorted(m for m in sys.modules if m.split(".")[0] in ("pandas", "pyarrow", "altair"))[:5])
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
