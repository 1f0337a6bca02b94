"""The models of the "beyond pictures" chapter: the tune maker, the writer and the film walks."""

import io
import random
import wave

import numpy as np
import pytest
import torch

from models import music as mu
from models import text_gen as tg
from models import video, world


# ── Music ──────────────────────────────────────────────────────────────────────────────────────
def test_training_tunes_are_full_bars_in_c_major():
    tunes = mu.training_tunes()
    assert len(tunes) == 10 + mu.MusicConfig().n_composed and set(mu.TUNES) == set(mu.SOURCES)
    for notes in tunes:
        assert mu.in_key(notes) == 1.0 and mu.fits_bars(notes) == 1.0
        assert all(mu.LOW <= p <= mu.HIGH for p, _ in notes if p is not None)
    with pytest.raises(ValueError):
        mu.tune("C4/2 D4/2 E4/2 | C4/2")          # a bar of 6 eighths
    assert mu.TUNES["twinkle"][:4] == [(60, 2), (60, 2), (67, 2), (67, 2)]


def test_tokens_round_trip_and_model_shapes():
    notes = mu.TUNES["ode_to_joy"]
    tokens, places = mu.encode(notes)
    assert len(tokens) == len(places) == 2 * len(notes) + 2 and tokens[0] == mu.BOS and tokens[-1] == mu.EOS
    assert mu.decode(tokens) == notes
    assert places[1:5] == [0, 0, 2, 2]                     # E4 at beat 0, E4 at the 2nd eighth...
    model = mu.NoteModel(mu.MusicConfig())
    scores, h = model(torch.tensor([tokens]), torch.tensor([places]))
    assert scores.shape == (1, len(tokens), mu.VOCAB) and h.shape == (1, 1, mu.MusicConfig().hidden)


def fixed_loss(trainer, step_fn_batch):
    tok, pl = step_fn_batch
    with torch.no_grad():
        scores, _ = trainer.model(tok[:, :-1], pl[:, :-1])
        return torch.nn.functional.cross_entropy(scores.reshape(-1, scores.shape[-1]), tok[:, 1:].reshape(-1)).item()


def test_a_few_music_steps_lower_the_loss():
    trainer = mu.MusicTrainer(seed=1)
    idx = torch.arange(0, 33 * 8).view(8, 33)
    batch = (trainer.stream[idx], trainer.places[idx])
    before = fixed_loss(trainer, batch)
    for _ in range(25):
        trainer.step()
    assert trainer.steps == 25 and fixed_loss(trainer, batch) < before - 0.5


def test_generate_keeps_the_start_and_the_length():
    trainer = mu.MusicTrainer(seed=0)
    start = mu.parse_start("C D E")
    notes = trainer.generate(4, 1.0, start=start, seed=3)
    assert notes[:3] == [(60, 2), (62, 2), (64, 2)]
    total = sum(n for _, n in notes)
    assert 4 * mu.BAR <= total < 4 * mu.BAR + 8
    assert trainer.generate(4, 1.0, seed=3) == trainer.generate(4, 1.0, seed=3)     # seeded


def peak_hz(sound, rate=mu.RATE):
    spectrum = np.abs(np.fft.rfft(sound * np.hanning(len(sound))))
    return np.fft.rfftfreq(len(sound), 1 / rate)[spectrum.argmax()]


def test_synthesised_sound_has_the_notes_frequencies():
    assert mu.frequency(69) == 440.0 and abs(mu.frequency(60) - 261.63) < 0.01
    sound = mu.synth([(69, 4), (60, 4), (None, 2)], bpm=120)      # A4 for 1 s, C4 for 1 s, 0.5 s rest
    assert sound.dtype == np.float32 and len(sound) == int(2.5 * mu.RATE) + 1 and np.abs(sound).max() <= 1
    first, second = sound[: mu.RATE], sound[mu.RATE: 2 * mu.RATE]
    assert abs(peak_hz(first) - 440) < 3 and abs(peak_hz(second) - 261.63) < 3
    assert np.abs(sound[int(2.1 * mu.RATE):]).max() < 1e-6                # the rest is silent
    with wave.open(io.BytesIO(mu.wav_bytes(sound))) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) == (mu.RATE, 1, 2, len(sound))


def test_children_type_notes_many_ways():
    assert mu.parse_start("do re mi") == mu.parse_start("1 2 3") == mu.parse_start("C D E") == mu.parse_start("CDE")
    assert mu.parse_start("1' C5 g4")[:2] == [(72, 2), (72, 2)] and mu.parse_start("g4") == [(67, 2)]
    assert mu.parse_start("") == [] and len(mu.parse_start("C " * 2500)) == 16
    assert len(mu.parse_start("C " * 2500, keep=None)) == 2500
    # As the docstring says: capital and small letters are the same note; a trailing ' is an octave up.
    assert mu.parse_start("c d") == mu.parse_start("C D") == [(60, 2), (62, 2)]
    assert mu.parse_start("C' do' 1'") == [(72, 2)] * 3 and mu.parse_start("g3 C6") == [(55, 2), (84, 2)]
    for bad in ("😀", "x y", "C9", "8"):
        with pytest.raises(ValueError):
            mu.parse_start(bad)


def test_measures():
    assert mu.in_key([(61, 2), (60, 2)]) == 0.5 and np.isnan(mu.in_key([(None, 8)]))
    assert mu.fits_bars([(60, 6), (60, 4), (60, 6)]) == pytest.approx(2 / 3)   # the 2nd crosses a bar line
    rand = [mu.random_tune(8, s) for s in range(30)]
    assert 0.4 < np.mean([mu.in_key(t) for t in rand]) < 0.8


# ── Text ───────────────────────────────────────────────────────────────────────────────────────
def test_parser_accepts_real_captions():
    for lang in tg.LANGS:
        caps = tg.all_captions(lang)
        assert len(caps) == 384 and all(tg.is_caption(c, lang) for c in caps)
    pics = world.make_pictures(50, seed=9)
    assert all(tg.is_caption(c, "en") for c in pics.captions_en)
    assert all(tg.is_caption(c, "zh") for c in pics.captions_zh)


@pytest.mark.parametrize("bad,lang", [
    ("a big red", "en"), ("big a red cat", "en"), ("an big red cat", "en"), ("a large happy red cat", "en"),
    ("a small red cat cat", "en"), ("the sun is warm and the sky is blue", "en"),
    ("一只红色的小鱼", "zh"), ("一只难过的红色的小猫", "zh"), ("一条大大的红色的", "zh"), ("小鱼小鱼游呀游", "zh"),
    ("一只大大的红色的猫猫", "zh"),
])
def test_parser_rejects_scrambled_captions(bad, lang):
    assert not tg.is_caption(bad, lang)


def test_parser_rejects_shuffled_words():
    rng = random.Random(0)
    for caption in tg.all_captions("en")[::10]:
        words = caption.split()
        shuffled = words[:]
        while shuffled == words:
            rng.shuffle(shuffled)
        assert not tg.is_caption(" ".join(shuffled), "en")
    for caption in tg.all_captions("zh")[::10]:
        chars = list(caption)
        rng.shuffle(chars)
        assert "".join(chars) == caption or not tg.is_caption("".join(chars), "zh")


def test_writer_shapes_and_a_few_steps_lower_the_loss():
    trainer = tg.TextTrainer(seed=0)
    v = trainer.vocab
    assert v.encode("zh", "一只猫")[0] == v.MARK["zh"] and v.encode("zh", "一只猫")[-1] == v.END
    scores, _ = trainer.model(torch.tensor([v.encode("en", "a cat")]))
    assert scores.shape == (1, 7, len(v))
    first = trainer.step()["loss"]
    for _ in range(30):
        last = trainer.step()["loss"]
    assert last < first - 1.0


def test_writer_uses_only_known_words_and_characters():
    trainer = tg.TextTrainer(seed=0)     # untrained: the wildest writer there is
    for i in range(15):
        for temperature in (1.0, 3.0):
            en = trainer.write("en", "", temperature, seed=i)
            assert en and all(w in trainer.vocab.words for w in en.split()), en
            zh = trainer.write("zh", "", temperature, seed=i)
            assert zh and not any(ch.isascii() for ch in zh) and not trainer.vocab.unknown(zh), zh
    assert trainer.write("en", "a big bl", 1.0, seed=1).split()[2].startswith("bl")   # finishes the word
    assert trainer.write("zh", "一只", 1.0, seed=1).startswith("一只")


def test_a_childs_start_is_tidied_and_checked():
    v = tg.TextTrainer(seed=0).vocab
    assert tg.clean_start("  A  BIG   ") == "a big " and tg.clean_start("ａ ｂｉｇ") == "a big"
    assert len(tg.clean_start("a" * 5000)) == tg.MAX_PROMPT and tg.clean_start(None) == ""
    assert v.unknown("a cat 😀🐱 x") == ["😀", "🐱", "x"] and v.unknown("一隻猫") == ["隻"]
    assert tg.guess_lang("一只") == "zh" and tg.guess_lang("a cat") == "en" and tg.guess_lang("!!", "zh") == "zh"


# ── Video ──────────────────────────────────────────────────────────────────────────────────────
def test_slerp_walks_from_one_to_the_other():
    a, b = torch.randn(64, generator=torch.Generator().manual_seed(0)), torch.randn(64, generator=torch.Generator().manual_seed(1))
    path = video.slerp(a, b, torch.linspace(0, 1, 9))
    assert path.shape == (9, 64) and torch.allclose(path[0], a, atol=1e-5) and torch.allclose(path[-1], b, atol=1e-5)
    assert (path.norm(dim=1) > 0.8 * min(a.norm(), b.norm())).all()        # no dip towards zero midway


def test_slerp_rows_walks_each_row_on_its_own():
    g = torch.Generator().manual_seed(2)
    a, b, t = torch.randn(5, 16, generator=g), torch.randn(5, 16, generator=g), torch.rand(5, generator=g)
    b[3] = 2 * a[3]                                              # one walk along a straight line
    rows = video.slerp_rows(a, b, t)
    for i in (0, 1, 2, 4):                                       # Shoemake's formula, one row at a time
        x, y, s = a[i].double().numpy(), b[i].double().numpy(), float(t[i])
        om = np.arccos(x @ y / np.linalg.norm(x) / np.linalg.norm(y))
        want = (np.sin((1 - s) * om) * x + np.sin(s * om) * y) / np.sin(om)
        assert np.allclose(rows[i].numpy(), want, atol=1e-4)
    assert torch.allclose(rows[3], (1 - t[3]) * a[3] + t[3] * b[3], atol=1e-5) and torch.isfinite(rows).all()


@pytest.fixture(scope="module")
def gan_generator():
    from models.gan import load_shipped
    return load_shipped()


def test_dice_walk_is_smooth_and_jumpy_noise_flickers(gan_generator):
    smooth = video.dice_walk(gan_generator, "face", frames=8, seed=5)
    jumpy = video.dice_walk(gan_generator, "face", frames=8, seed=5, jumpy=0.8)
    assert smooth.shape == (8, 32, 32, 3) and smooth.dtype == np.uint8
    assert video.smoothness(smooth) * 2 < video.smoothness(jumpy)
    assert video.smoothness(np.repeat(smooth[:1], 3, 0)) == 0.0
    gif = video.gif_bytes(smooth, scale=2)
    from PIL import Image
    im = Image.open(io.BytesIO(gif))
    assert gif[:6] == b"GIF89a" and im.n_frames == 8 + 6 and im.size == (64, 64)   # bounce: there and back


def test_wish_walk_leaves_the_shared_model_alone():
    from models.diffusion import load_shipped
    trainer = load_shipped()
    before = trainer.ema.kind.weight.clone()
    frames = video.wish_walk(trainer, "face", "sun", frames=3, steps=3, seed=0)
    assert frames.shape == (3, 32, 32, 3)
    assert torch.equal(trainer.ema.kind.weight, before) and trainer.ema.kind.num_embeddings == len(world.KINDS) + 1
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 5      # a face is not a sun


# ── The command line (models/commands/music.py, text.py) ─────────────────────────────────────
def test_music_and_text_commands_train_save_sample_and_evaluate(tmp_path, capsys):
    from models.__main__ import main

    for model in ("music", "text"):
        weights = tmp_path / f"{model}.pt"
        assert main(["train", model, "--seconds", "0.5", "--out", str(weights)]) == 0 and weights.exists()
        assert main(["sample", model, "--n", "2", "--out", str(tmp_path / model), "--weights", str(weights)]) == 0
        assert main(["evaluate", model, "--weights", str(weights)]) == 0
        assert main(["sample", model, "--n", "1", "--out", str(tmp_path), "--weights", str(tmp_path / "none.pt")]) == 2
    written = sorted(p.name for p in (tmp_path / "music").iterdir())
    assert written == ["tune000.json", "tune000.wav", "tune001.json", "tune001.wav"]
    assert len((tmp_path / "text" / "lines.txt").read_text(encoding="utf-8").splitlines()) == 2
    out = capsys.readouterr()
    assert "model_in_key" in out.out and "en:" in out.out and "zh:" in out.out
    assert out.err.count("no weights at") == 2


@pytest.fixture(scope="module")
def writer_weights(tmp_path_factory) -> dict:
    from models.__main__ import main

    d = tmp_path_factory.mktemp("writers")
    for model in ("music", "text"):
        assert main(["train", model, "--seconds", "0.3", "--out", str(d / f"{model}.pt")]) == 0
    return {model: d / f"{model}.pt" for model in ("music", "text")}


def test_a_long_prompt_is_cut_with_one_note_saying_what_was_kept(writer_weights, tmp_path, capsys):
    from models.__main__ import main

    def sample(model, prompt):
        capsys.readouterr()
        out = tmp_path / model
        assert main(["sample", model, "--n", "2", "--out", str(out), "--weights", str(writer_weights[model]),
                     "--prompt", prompt]) == 0
        return [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")], out

    notes, out = sample("music", "do re mi " * 556)            # 5,004 characters, 1,668 notes
    assert notes == ["note: --prompt has 1668 notes; the tune maker keeps the first 16: "
                     + " ".join(["C4 D4 E4"] * 5 + ["C4"])]
    import json
    tune = json.loads((out / "tune000.json").read_text())["notes"]
    assert [n["name"] for n in tune[:16]] == ["C4", "D4", "E4"] * 5 + ["C4"]
    assert sample("music", "do re mi")[0] == []                 # a short start: no note

    start = ("a big " * 7)[:40]
    notes, out = sample("text", "a big " * 834)                 # 5,004 characters
    assert notes == [f"note: --prompt has 5004 characters; the writer keeps the first 40: {start!r}"]
    assert all(line.startswith(start) for line in (out / "lines.txt").read_text(encoding="utf-8").splitlines())
    assert sample("text", "一只")[0] == []


def test_writer_help_says_what_happens_without_weights(capsys):
    """No music or text weights are shipped: the help says each trains first, for as long as it really does."""
    from models.__main__ import main
    from models.commands import music as music_cmd
    from models.commands import text as text_cmd

    def help_of(*argv) -> str:
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        return " ".join(capsys.readouterr().out.split())

    seconds = {"music": music_cmd.DEFAULT_SECONDS, "text": text_cmd.DEFAULT_SECONDS}
    for model, s in seconds.items():
        shown = help_of("sample", model)
        assert f"none are shipped, so it trains {s:.0f} s first" in shown and "shipped ones" not in shown, shown
    shown = help_of("evaluate")
    assert f"music {seconds['music']:.0f} s, text {seconds['text']:.0f} s" in shown, shown
