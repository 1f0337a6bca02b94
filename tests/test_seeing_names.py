"""The seeing page's name box (teach a new kind) in AppTest: names in every form children type them.
"Ｃａｔ" and "貓" are the world's cat, not a second and third cat; the box keeps whole characters (three
family emoji stay three families) and a 200-character paste is cut, and the child is told.
(Drawings are put straight into the page's list of examples: the canvases are tested in test_seeing_page.py.)"""

import numpy as np
from PIL import Image, ImageDraw
from helpers import no_exception, run_app, texts

from ui.i18n import t_in

PAGE = "pages/seeing.py"
FAMILY = "👨‍👩‍👧"


def example(seed: int) -> np.ndarray:
    """A small RGBA drawing like the ones the page keeps (112 x 112, dark strokes on transparent)."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGBA", (112, 112), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    x, y = rng.integers(30, 50, 2)
    pen.ellipse((x, y, x + 45, y + 40), outline=(34, 34, 34, 255), width=5)              # a head
    pen.line([(x + 5, y + 8), (x + 10, y - 12), (x + 20, y + 3)], fill=(34, 34, 34, 255), width=5)   # ears
    pen.line([(x + 25, y + 3), (x + 35, y - 12), (x + 40, y + 8)], fill=(34, 34, 34, 255), width=5)
    return np.asarray(image)


def teach(at, name: str):
    at.session_state["seeing:examples"] = [example(s) for s in range(3)]
    at.text_input(key="seeing-name").input(name).run()
    at.button(key="seeing-learn").click().run()
    no_exception(at)


def test_names_in_other_forms_are_the_kind_it_knows():
    at = run_app("en", PAGE)
    for name in ("Ｃａｔ", "貓", " CAT "):
        teach(at, name)
        assert at.session_state["seeing:taught"] == ["cat"], name           # no second or third cat
        assert len(at.session_state["seeing:model"].kinds) == 10, name
    teach(at, "Rocket")
    teach(at, "ＲＯＣＫＥＴ")
    assert at.session_state["seeing:taught"] == ["cat", "Rocket"]
    assert len(at.session_state["seeing:model"].kinds) == 11


def test_the_name_box_keeps_whole_characters_and_says_when_it_cuts():
    at = run_app("zh", PAGE)
    families = "our family " + FAMILY * 3                    # 14 characters, but 32 UTF-16 units
    teach(at, families)
    assert at.session_state["seeing:taught"] == [families]
    assert t_in("zh", "words_name_cut", n=24) not in texts(at)
    at.text_input(key="seeing-name").input("x" * 200).run()   # a long paste: cut, and the child is told
    no_exception(at)
    assert at.text_input(key="seeing-name").value == "x" * 24
    assert t_in("zh", "words_name_cut", n=24) in texts(at)
