"""Pictures for the "beyond pictures" chapter: a tune as a piano roll, made with numpy only, so a child
who cannot hear it (or a classroom without speakers) still sees it. No model maths here."""

from __future__ import annotations

import numpy as np

# One colour per note of the scale, as on children's xylophones and boomwhackers: C red ... B purple.
NOTE_COLOURS = {0: (226, 60, 60), 2: (245, 140, 30), 4: (236, 200, 30), 5: (70, 170, 70), 7: (40, 170, 190),
                9: (50, 100, 220), 11: (150, 80, 200)}
OFF_KEY = (120, 120, 120)          # a note outside C major: grey
BLACK_KEYS = {1, 3, 6, 8, 10}


def piano_roll(notes, start_notes: int = 0, cell: int = 12, row: int = 9, bars: int = 8) -> np.ndarray:
    """Notes [(MIDI pitch or None, eighths), ...] -> (H, W, 3) uint8. Time runs left to right (one
    cell per eighth, a dark line every bar), higher notes higher up, a small keyboard on the left.
    The first `start_notes` notes (the child's) sit on a pale yellow background."""
    pitched = [p for p, _ in notes if p is not None] or [60, 72]
    low, high = min(min(pitched), 60) - 1, max(max(pitched), 72) + 1
    total = max(sum(n for _, n in notes), bars * 8)
    rows, key_w = high - low + 1, 3 * cell
    img = np.full((rows * row, key_w + total * cell, 3), 255, np.uint8)
    for i, pitch in enumerate(range(high, low - 1, -1)):               # background rows and keys
        y = slice(i * row, (i + 1) * row)
        black = pitch % 12 in BLACK_KEYS
        img[y, key_w:] = (238, 238, 242) if black else (250, 250, 252)
        img[y, :key_w] = (40, 40, 48) if black else (255, 255, 255)
        img[(i + 1) * row - 1, :key_w] = (180, 180, 190)
    t = 0
    for k, (pitch, length) in enumerate(notes):
        x0, x1 = key_w + t * cell, key_w + (t + length) * cell
        if k < start_notes:
            img[:, x0:x1] = np.minimum(img[:, x0:x1], np.array((255, 246, 200), np.uint8))
        if pitch is not None:
            y = (high - pitch) * row
            colour = NOTE_COLOURS.get(pitch % 12, OFF_KEY)
            img[y + 1:y + row - 1, x0 + 1:x1 - 1] = colour
        t += length
    for bar in range(0, total + 1, 8):                                 # bar lines
        x = min(key_w + bar * cell, img.shape[1] - 1)
        img[:, x] = (90, 90, 100)
    img[:, key_w - 1] = (90, 90, 100)
    return img
