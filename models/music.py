"""A tiny tune maker: a next-note model learns children's tunes, then writes its own, note by note.

A tune is a list of notes (pitch, length). The model reads it as tokens, two per note, and learns to
guess the next token, like the text model guesses the next character (a language model over notes, as
in Google Magenta's Melody RNN, Waite 2016, or Music Transformer, Huang et al. 2018, only far smaller):

    BOS  E4  ♩  E4  ♪  ...        tokens: a pitch (or a rest), then its length in eighths
     │    │   │   │   │           + where in the bar the note starts (0..7): the model counts like a player
     ▼    ▼   ▼   ▼   ▼
    embedding(token) + embedding(place in bar)   (B, L, E)
     ──► GRU (B, L, H) ──► linear ──► scores for the next token (B, L, VOCAB)

Every tune here is in C major and in 4/4 time (eight eighths a bar). Sound is made with numpy (a sine
with two soft overtones and an attack-decay envelope) and written as 16-bit WAV bytes.
Why a GRU (43k parameters): measured this session on one thread of a busy machine (bench/beyond.py),
30 s of CPU time (518 steps of 32 × 64 tokens) already give tunes 100% in key with 99.9% of their notes
inside their bar (random notes: 61% and 62%), so nothing bigger is needed. A small transformer was
not tried.
"""

from __future__ import annotations

import io
import math
import re
import wave
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn

from . import engine, seeded, sequence
from .optim import Adam

# ── Notes and tokens ───────────────────────────────────────────────────────────────────────────
LOW, HIGH = 55, 84                    # MIDI pitches the model knows: G3 .. C6
LENGTHS = (1, 2, 3, 4, 6, 8)          # note lengths in eighths: ♪ ♩ ♩. 𝅗𝅥 𝅗𝅥. 𝅝
BAR = 8                               # eighths in a 4/4 bar
BOS, EOS, REST = 0, 1, 2              # start, end, a silence
PITCH0 = 3                            # token of pitch LOW
LENGTH0 = PITCH0 + HIGH - LOW + 1     # token of LENGTHS[0]
VOCAB = LENGTH0 + len(LENGTHS)        # 39 tokens
C_MAJOR = {0, 2, 4, 5, 7, 9, 11}      # pitch classes of the key every tune is in
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SOLFEGE = {"do": 0, "re": 2, "mi": 4, "fa": 5, "sol": 7, "so": 7, "la": 9, "si": 11, "ti": 11}
JIANPU = {"1": 0, "2": 2, "3": 4, "4": 5, "5": 7, "6": 9, "7": 11}    # 简谱 numbers, 1 = C

Note = tuple  # (pitch: int MIDI or None for a rest, length: int eighths)


def pitch_token(pitch: int | None) -> int:
    return REST if pitch is None else PITCH0 + int(pitch) - LOW


def length_token(length: int) -> int:
    return LENGTH0 + LENGTHS.index(length)


def note_name(pitch: int | None) -> str:
    """60 -> "C4"; None -> "rest"."""
    return "rest" if pitch is None else f"{NAMES[pitch % 12]}{pitch // 12 - 1}"


def parse_note(text: str) -> int:
    """"C4", "e5", "F#4" -> MIDI pitch. Raises ValueError."""
    m = re.fullmatch(r"([A-Ga-g])(#?)(\d)", text.strip())
    if not m:
        raise ValueError(f"not a note: {text!r}")
    return 12 * (int(m[3]) + 1) + NAMES.index(m[1].upper()) + (1 if m[2] else 0)


def tune(text: str) -> list[Note]:
    """Our own short notation: "E4/2 E4/1 G4/1 | R/2 ..." = pitch/length in eighths; R is a rest;
    "|" marks a bar line, and every bar is checked to be full (8 eighths). Raises ValueError."""
    notes, filled = [], 0
    for part in text.split():
        if part == "|":
            if filled % BAR:
                raise ValueError(f"a bar of {filled % BAR} eighths before note {len(notes)}")
            continue
        name, length = part.split("/")
        notes.append((None if name == "R" else parse_note(name), int(length)))
        filled += int(length)
    if filled % BAR:
        raise ValueError("the last bar is not full")
    return notes


# ── The training tunes ─────────────────────────────────────────────────────────────────────────
# Public-domain melodies, written down here from memory in C major and 4/4 (eighths as lengths):
# only the notes (no words) of the best-known part. Where each comes from is in SOURCES.
TUNES = {
    "twinkle": tune("C4/2 C4/2 G4/2 G4/2 | A4/2 A4/2 G4/4 | F4/2 F4/2 E4/2 E4/2 | D4/2 D4/2 C4/4 | "
                    "G4/2 G4/2 F4/2 F4/2 | E4/2 E4/2 D4/4 | G4/2 G4/2 F4/2 F4/2 | E4/2 E4/2 D4/4 | "
                    "C4/2 C4/2 G4/2 G4/2 | A4/2 A4/2 G4/4 | F4/2 F4/2 E4/2 E4/2 | D4/2 D4/2 C4/4"),
    "frere_jacques": tune("C4/2 D4/2 E4/2 C4/2 | C4/2 D4/2 E4/2 C4/2 | E4/2 F4/2 G4/4 | E4/2 F4/2 G4/4 | "
                          "G4/1 A4/1 G4/1 F4/1 E4/2 C4/2 | G4/1 A4/1 G4/1 F4/1 E4/2 C4/2 | "
                          "C4/2 G3/2 C4/4 | C4/2 G3/2 C4/4"),
    "ode_to_joy": tune("E4/2 E4/2 F4/2 G4/2 | G4/2 F4/2 E4/2 D4/2 | C4/2 C4/2 D4/2 E4/2 | E4/3 D4/1 D4/4 | "
                       "E4/2 E4/2 F4/2 G4/2 | G4/2 F4/2 E4/2 D4/2 | C4/2 C4/2 D4/2 E4/2 | D4/3 C4/1 C4/4 | "
                       "D4/2 D4/2 E4/2 C4/2 | D4/2 E4/1 F4/1 E4/2 C4/2 | D4/2 E4/1 F4/1 E4/2 D4/2 | "
                       "C4/2 D4/2 G3/4 | E4/2 E4/2 F4/2 G4/2 | G4/2 F4/2 E4/2 D4/2 | C4/2 C4/2 D4/2 E4/2 | "
                       "D4/3 C4/1 C4/4"),
    "mary_lamb": tune("E4/3 D4/1 C4/2 D4/2 | E4/2 E4/2 E4/4 | D4/2 D4/2 D4/4 | E4/2 G4/2 G4/4 | "
                      "E4/3 D4/1 C4/2 D4/2 | E4/2 E4/2 E4/2 E4/2 | D4/2 D4/2 E4/2 D4/2 | C4/8"),
    "london_bridge": tune("G4/3 A4/1 G4/2 F4/2 | E4/2 F4/2 G4/4 | D4/2 E4/2 F4/4 | E4/2 F4/2 G4/4 | "
                          "G4/3 A4/1 G4/2 F4/2 | E4/2 F4/2 G4/4 | D4/4 G4/4 | E4/2 C4/6"),
    "old_macdonald": tune("C4/2 C4/2 C4/2 G3/2 | A3/2 A3/2 G3/4 | E4/2 E4/2 D4/2 D4/2 | C4/6 G3/2 | "
                          "C4/2 C4/2 C4/2 G3/2 | A3/2 A3/2 G3/4 | E4/2 E4/2 D4/2 D4/2 | C4/8"),
    "jingle_bells": tune("E4/2 E4/2 E4/4 | E4/2 E4/2 E4/4 | E4/2 G4/2 C4/3 D4/1 | E4/8 | "
                         "F4/2 F4/2 F4/3 F4/1 | F4/2 E4/2 E4/2 E4/1 E4/1 | E4/2 D4/2 D4/2 E4/2 | D4/4 G4/4 | "
                         "E4/2 E4/2 E4/4 | E4/2 E4/2 E4/4 | E4/2 G4/2 C4/3 D4/1 | E4/8 | "
                         "F4/2 F4/2 F4/2 F4/2 | F4/2 E4/2 E4/2 E4/1 E4/1 | G4/2 G4/2 F4/2 D4/2 | C4/8"),
    "au_clair": tune("C4/2 C4/2 C4/2 D4/2 | E4/4 D4/4 | C4/2 E4/2 D4/2 D4/2 | C4/8 | "
                     "C4/2 C4/2 C4/2 D4/2 | E4/4 D4/4 | C4/2 E4/2 D4/2 D4/2 | C4/8 | "
                     "D4/2 D4/2 D4/2 D4/2 | A3/4 A3/4 | D4/2 C4/2 B3/2 A3/2 | G3/8 | "
                     "C4/2 C4/2 C4/2 D4/2 | E4/4 D4/4 | C4/2 E4/2 D4/2 D4/2 | C4/8"),
    "hot_cross_buns": tune("E4/2 D4/2 C4/4 | E4/2 D4/2 C4/4 | C4/1 C4/1 C4/1 C4/1 D4/1 D4/1 D4/1 D4/1 | "
                           "E4/2 D4/2 C4/4"),
    "mo_li_hua": tune("E4/2 E4/1 G4/1 A4/1 C5/1 C5/1 A4/1 | G4/2 G4/1 A4/1 G4/4 | "
                      "E4/2 E4/1 G4/1 A4/1 C5/1 C5/1 A4/1 | G4/2 G4/1 A4/1 G4/4 | "
                      "G4/2 G4/2 G4/2 E4/1 G4/1 | A4/2 A4/2 G4/4"),
}
SOURCES = {   # where each tune comes from (all long out of copyright); the page's names and origins for
              # children are in lessons/*/beyond.toml [ui.tunes], keyed like TUNES: keep the two in step
    "twinkle": "French folk tune 'Ah ! vous dirai-je, maman' (printed 1761); English words by Jane Taylor, 1806",
    "frere_jacques": "French round, 18th century; sung in Chinese as 两只老虎",
    "ode_to_joy": "Ludwig van Beethoven, Symphony No. 9, last movement (1824)",
    "mary_lamb": "American nursery song, tune as printed by Lowell Mason, 1830s",
    "london_bridge": "English nursery song, traditional (printed 18th century)",
    "old_macdonald": "American/English folk song, traditional (printed 1917, older tune)",
    "jingle_bells": "James Lord Pierpont, 1857 (the chorus)",
    "au_clair": "French folk song 'Au clair de la lune', 18th century",
    "hot_cross_buns": "English street cry, traditional (printed 1798)",
    "mo_li_hua": "茉莉花, Chinese folk song, 18th century (its first lines)",
}


def composed(n: int, seed: int = 0) -> list[list[Note]]:
    """n tunes made by simple rules (our own): 8 bars of 4/4 in C major. Each bar takes a rhythm from a
    small set; pitches walk up and down the scale by small steps; every 2nd bar ends on a long chord
    note; the tune ends on a long C. list of n note lists."""
    rng = np.random.default_rng(seed)
    rhythms = [(2, 2, 2, 2), (2, 2, 4), (4, 2, 2), (1, 1, 2, 2, 2), (3, 1, 2, 2), (2, 1, 1, 4), (4, 4), (2, 2, 1, 1, 2)]
    scale = [p for p in range(LOW, HIGH + 1) if p % 12 in C_MAJOR]
    chord = [p for p in scale if p % 12 in (0, 4, 7)]
    tunes = []
    for _ in range(n):
        at = scale.index(60) + int(rng.integers(0, 5))          # start between C4 and G4
        notes = []
        for bar in range(8):
            lengths = rhythms[rng.integers(len(rhythms))] if bar % 2 == 0 else rhythms[rng.integers(4)]
            for i, length in enumerate(lengths):
                at = int(np.clip(at + rng.choice([-2, -1, -1, 0, 1, 1, 2]), scale.index(55), scale.index(79)))
                pitch = scale[at]
                last = i == len(lengths) - 1
                if last and bar == 7:
                    pitch, length = 60, length   # home: C
                elif last and bar % 2 == 1:
                    pitch = min(chord, key=lambda c: abs(c - pitch))
                    at = scale.index(pitch)
                notes.append((pitch, length))
        tunes.append(notes)
    return tunes


def training_tunes(n_composed: int = 120, seed: int = 0) -> list[list[Note]]:
    return list(TUNES.values()) + composed(n_composed, seed)


def encode(notes: list[Note], end: bool = True) -> tuple[list[int], list[int]]:
    """Notes -> (tokens, place in bar of each token): BOS p1 l1 p2 l2 ... [EOS]."""
    tokens, places, t = [BOS], [0], 0
    for pitch, length in notes:
        tokens += [pitch_token(pitch), length_token(length)]
        places += [t % BAR, t % BAR]
        t += length
    if end:
        tokens.append(EOS)
        places.append(t % BAR)
    return tokens, places


def decode(tokens: list[int]) -> list[Note]:
    """Tokens (pitch, length pairs; BOS/EOS skipped) -> notes."""
    notes, pitch = [], "none"
    for tok in tokens:
        if REST <= tok < LENGTH0:
            pitch = None if tok == REST else LOW + tok - PITCH0
        elif tok >= LENGTH0 and pitch != "none":
            notes.append((pitch, LENGTHS[tok - LENGTH0]))
            pitch = "none"
    return notes


# ── The model ──────────────────────────────────────────────────────────────────────────────────
@dataclass
class MusicConfig:
    embed: int = 32            # E: numbers per token (and per place in the bar)
    hidden: int = 96           # H: the GRU's memory
    window: int = 64           # tokens per training example (32 notes)
    batch: int = 32
    lr: float = 3e-3
    n_composed: int = 120      # rule-made tunes added to the ten known ones

    @classmethod
    def live(cls) -> "MusicConfig":
        return cls()

    @classmethod
    def shipped(cls) -> "MusicConfig":
        return cls()


class NoteModel(nn.Module):
    def __init__(self, cfg: MusicConfig):
        super().__init__()
        self.token = nn.Embedding(VOCAB, cfg.embed)
        self.place = nn.Embedding(BAR, cfg.embed)
        self.gru = nn.GRU(cfg.embed, cfg.hidden, batch_first=True)
        self.out = nn.Linear(cfg.hidden, VOCAB)

    def forward(self, tokens, places, h=None):
        """tokens, places: (B, L) long -> scores (B, L, VOCAB), memory (1, B, H)."""
        x = self.token(tokens) + self.place(places)            # (B, L, E)
        y, h = self.gru(x, h)                                  # (B, L, H)
        return self.out(y), h


class MusicTrainer:
    """Owns the model, its optimiser and the token stream of the training tunes. One step() = one batch."""

    def __init__(self, config: MusicConfig | None = None, seed: int = 0):
        self.config = cfg = config or MusicConfig.live()
        self.gen = torch.Generator().manual_seed(seed)
        with seeded.untouched_global_rng():              # torch's global dice stay as they were (other visitors')
            torch.manual_seed(seed)      # parameter initialisation only; sampling uses self.gen or its own seed
            self.model = NoteModel(cfg)
        self.opt = Adam(self.model.parameters(), lr=cfg.lr)
        stream, places = [], []
        for notes in training_tunes(cfg.n_composed, seed):
            tok, pl = encode(notes)
            stream += tok
            places += pl
        self.stream = torch.tensor(stream)                     # (T,) every tune, one after another
        self.places = torch.tensor(places)                     # (T,)
        self.steps = 0

    def step(self) -> dict:
        cfg = self.config
        idx = sequence.windows(len(self.stream), cfg.window, cfg.batch, self.gen)   # (B, L+1)
        tok, pl = self.stream[idx], self.places[idx]
        scores, _ = self.model(tok[:, :-1], pl[:, :-1])         # (B, L, VOCAB)
        loss = sequence.learn(self.model, self.opt, scores, tok[:, 1:])
        self.steps += 1
        return {"loss": loss}

    def memory_bytes(self) -> int:
        return engine.parameter_bytes(self.model) * 4 + self.stream.numel() * 16

    @torch.no_grad()
    def generate(self, bars: int = 8, temperature: float = 1.0, start: list[Note] | None = None,
                 seed: int = 0) -> list[Note]:
        """A tune of about `bars` bars (4/4), continuing `start` (kept at its front).
        temperature > 0: below 1 careful (likelier notes), above 1 adventurous. Returns notes."""
        g = torch.Generator().manual_seed(seed)
        notes = list(start or [])
        tokens, places = encode(notes, end=False)
        t = sum(length for _, length in notes)
        was = self.model.training
        self.model.eval()
        scores, h = self.model(torch.tensor([tokens]), torch.tensor([places]))
        last = scores[0, -1]
        pitch = None
        while t < bars * BAR:
            want_pitch = len(tokens) % 2 == 1                 # BOS, then pitch/length pairs
            mask = torch.full((VOCAB,), -math.inf)
            if want_pitch:
                mask[REST:LENGTH0] = 0
                if t % BAR == 0 and t >= 4 * BAR:
                    mask[EOS] = 0
            else:
                mask[LENGTH0:] = 0
            probs = torch.softmax(last / max(temperature, 1e-3) + mask, -1)
            tok = int(torch.multinomial(probs, 1, generator=g))
            if tok == EOS:
                break
            if want_pitch:
                pitch = None if tok == REST else LOW + tok - PITCH0
            else:
                notes.append((pitch, LENGTHS[tok - LENGTH0]))
            place = t % BAR
            if not want_pitch:
                t += LENGTHS[tok - LENGTH0]
            tokens.append(tok)
            scores, h = self.model(torch.tensor([[tok]]), torch.tensor([[place]]), h)
            last = scores[0, -1]
        self.model.train(was)
        return notes

    def state_dict(self) -> dict:
        return {"config": asdict(self.config), "model": self.model.state_dict(), "steps": self.steps}

    @classmethod
    def from_state(cls, state: dict) -> "MusicTrainer":
        trainer = cls(MusicConfig(**state["config"]))
        trainer.model.load_state_dict(state["model"])
        trainer.steps = state["steps"]
        return trainer


def random_tune(bars: int = 8, seed: int = 0) -> list[Note]:
    """The baseline: any pitch the model knows, any length, uniformly at random."""
    rng = np.random.default_rng(seed)
    notes, t = [], 0
    while t < bars * BAR:
        length = int(rng.choice(LENGTHS))
        notes.append((int(rng.integers(LOW, HIGH + 1)), length))
        t += length
    return notes


# ── Measures ───────────────────────────────────────────────────────────────────────────────────
def in_key(notes: list[Note]) -> float:
    """Share of pitched notes in C major, 0..1 (nan without pitched notes)."""
    pitched = [p for p, _ in notes if p is not None]
    return float(np.mean([p % 12 in C_MAJOR for p in pitched])) if pitched else float("nan")


def fits_bars(notes: list[Note]) -> float:
    """Our rhythm measure: share of notes that end inside the bar they start in (none spills over a
    bar line, as in every training tune), 0..1 (nan for no notes)."""
    t, fits = 0, []
    for _, length in notes:
        fits.append(t % BAR + length <= BAR)
        t += length
    return float(np.mean(fits)) if fits else float("nan")


# ── Sound ──────────────────────────────────────────────────────────────────────────────────────
RATE = 22050                          # samples per second
MAX_START = 16                        # starting notes a child may give; the rest are dropped


def frequency(pitch: int) -> float:
    """MIDI pitch -> Hz (A4 = 69 = 440 Hz, equal temperament)."""
    return 440.0 * 2 ** ((pitch - 69) / 12)


def synth(notes: list[Note], bpm: float = 120, rate: int = RATE) -> np.ndarray:
    """Notes -> mono sound in [-1, 1], float32 (samples,). A quarter note lasts 60/bpm s. Each note:
    a sine with two soft overtones, a 10 ms attack and an exponential decay, so notes are heard apart."""
    eighth = 30.0 / bpm
    total = sum(length for _, length in notes) * eighth
    out = np.zeros(int(total * rate) + 1, np.float32)
    t0 = 0.0
    for pitch, length in notes:
        seconds = length * eighth
        n = int(seconds * rate)
        if pitch is not None and n > 0:
            t = np.arange(n) / rate
            f = frequency(pitch)
            wave_ = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) + 0.1 * np.sin(6 * np.pi * f * t)
            envelope = np.minimum(t / 0.01, 1.0) * np.exp(-3.0 * t / max(seconds, 0.05))
            envelope *= np.minimum((seconds - t) / 0.01, 1.0)            # no click at the end
            start = int(t0 * rate)
            out[start:start + n] += (0.3 * wave_ * envelope).astype(np.float32)
        t0 += seconds
    return np.clip(out, -1, 1)


def wav_bytes(sound: np.ndarray, rate: int = RATE) -> bytes:
    """Float sound in [-1, 1] -> a 16-bit mono WAV file's bytes."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(sound, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def parse_start(text: str, keep: int | None = MAX_START) -> list[Note]:
    """A child's starting notes, typed: letters "C D E" (or "CDE"), solfège "do re mi", or 简谱 numbers
    "1 2 3", each from C4 (middle C) up to B4; a trailing ' puts one an octave up ("1'", "do'", "C'").
    Capital and small letters are the same note ("c" = "C" = C4). A letter with a number names its
    octave ("C5", "g3", "F#4"). Each note is a quarter note, from G3 to C6 (the notes the model knows).
    Raises ValueError (with the bad word) for anything else; the first `keep` notes are kept (None: all)."""
    words = re.findall(r"[A-Ga-g]#?\d|[A-Za-z]+'?|\d'?|\S", text)
    notes = []
    for w in words:
        up = 12 if w.endswith("'") else 0
        base = w.rstrip("'")
        if re.fullmatch(r"[A-Ga-g]#?\d", base):
            pitch = parse_note(base)
        elif base.lower() in SOLFEGE:
            pitch = 60 + SOLFEGE[base.lower()] + up
        elif base in JIANPU:
            pitch = 60 + JIANPU[base] + up
        elif base and all(ch in "CDEFGABcdefgab" for ch in base):          # "CDEC": one note a letter
            notes += [(60 + NAMES.index(ch.upper()) + up, 2) for ch in base]
            continue
        else:
            raise ValueError(w)
        if not LOW <= pitch <= HIGH:
            raise ValueError(w)
        notes.append((pitch, 2))
    return notes[:keep]
