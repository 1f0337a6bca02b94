"""--weights given a bad file: every command that takes it says so in one line, exit code 2, never
torch's unpickling message or a traceback (models/commands/__init__.py read_weights)."""

import pickle
from pathlib import Path

import pytest

from models.__main__ import main

SHIPPED = Path(__file__).resolve().parents[1] / "models" / "weights"
# Each command, and a real weights file of ANOTHER model to give it.
FOREIGN = {"video": "gan.pt", "music": "gan.pt", "text": "words.pt", "gan": "words.pt",
           "diffusion": "gan.pt", "matcher": "gan.pt", "words": "gan.pt", "recognizer": "gan.pt"}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("bad-weights")
    (d / "notes.txt").write_text("these are not weights\n")
    (d / "empty.pt").write_bytes(b"")
    (d / "cut.pt").write_bytes((SHIPPED / "gan.pt").read_bytes()[:3000])      # a download cut short
    (d / "pickle.pt").write_bytes(pickle.dumps({"a": {1, 2}}, protocol=4))  # a pickle torch refuses
    return {"text": d / "notes.txt", "empty": d / "empty.pt", "cut": d / "cut.pt", "pickle": d / "pickle.pt",
            "folder": d, "missing": d / "nothing-here.pt"}


@pytest.mark.parametrize("model", sorted(FOREIGN))
def test_a_bad_weights_file_is_one_friendly_line(model, bad_files, capsys):
    files = dict(bad_files, foreign=SHIPPED / FOREIGN[model])
    for what, path in files.items():
        assert main(["evaluate", model, "--weights", str(path)]) == 2, (model, what)
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (model, what, err)
        assert f"python -m models train {model} --out" in err, (model, what, err)
        assert "Traceback" not in err and "Weights only" not in err and "Warning" not in err, (model, what, err)
        if what != "missing":                       # never suggests writing over the file given
            assert f"--out {path}`" not in err, (model, what, err)
    assert main(["evaluate", model, "--weights", str(bad_files["empty"])]) == 2
    assert "is empty" in capsys.readouterr().err


def test_sample_and_recognize_say_the_same(bad_files, tmp_path, capsys):
    for argv in (["sample", "video", "--n", "1", "--out", str(tmp_path), "--weights", str(SHIPPED / "gan.pt")],
                 ["sample", "text", "--n", "1", "--out", str(tmp_path), "--weights", str(bad_files["cut"])],
                 ["sample", "words", "--prompt", "a cat", "--n", "1", "--out", str(tmp_path),
                  "--weights", str(bad_files["pickle"])],
                 ["recognize", str(tmp_path / "x.png"), "--weights", str(bad_files["text"])]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "does not hold" in err, (argv, err)
