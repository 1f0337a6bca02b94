"""Held-out doodles: a second drawing routine, written apart from models/doodles.py, to check the
recogniser on drawings made a different way from the ones it learned from.

Nothing is shared with the training routine: shapes are key points in a 100 x 100 box with y pointing
DOWN, smoothed by Catmull-Rom splines; circles are lumpy "potatoes" (a few random harmonics on the
radius); a stroke is stamped with a round brush whose width swells and thins like a pressed felt pen;
the page is turned around a random pivot and skewed; the pen is black, blue, red or pencil grey, and
the paper is white (RGB) or transparent (RGBA, as the canvas sends it).

    kind ──► key points (0..100, y down) ──► splines ──► skew, turn, place ──► brush stamps ──► image
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

PENS = ((20, 20, 20), (30, 60, 170), (190, 30, 40), (90, 90, 90))


# ── Primitives in the 100 x 100 box ────────────────────────────────────────────────────────────
def spline(keys, closed=False, per=8):
    """A smooth curve through key points (Catmull-Rom); closed curves come back to the start."""
    p = np.asarray(keys, np.float64)
    if len(p) < 3:
        return p
    if closed:
        p = np.vstack([p[-1], p, p[0], p[1]])
    else:
        p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    t = np.linspace(0, 1, per, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        a, b, c, d = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t ** 2 + (3 * b - a - 3 * c + d) * t ** 3))
    out.append(p[-2][None])
    return np.vstack(out)


def potato(cx, cy, rx, ry, rng, lump=0.06, close=1.0, n=40):
    """A hand-drawn round shape: the radius wanders with two slow harmonics; `close` < 1 leaves a gap."""
    t0 = rng.uniform(0, 2 * np.pi)
    t = t0 + np.linspace(0, 2 * np.pi * close, n)
    k = 1 + lump * (np.sin(2 * t + rng.uniform(0, 6)) * rng.uniform(-1, 1) + np.sin(3 * t + rng.uniform(0, 6)) * rng.uniform(-1, 1))
    return np.stack([cx + rx * k * np.cos(t), cy + ry * k * np.sin(t)], 1)


def line(*pts):
    return np.asarray(pts, np.float64)


def bow(x0, y0, x1, y1, sag, n=12):
    """A curved line from (x0, y0) to (x1, y1) sagging by `sag` (positive: down, in a y-down box)."""
    t = np.linspace(0, 1, n)
    return np.stack([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + sag * 4 * t * (1 - t)], 1)


def polar(cx, cy, r, a):
    return cx + r * math.cos(a), cy - r * math.sin(a)


# ── The kinds, each several ways ──────────────────────────────────────────────────────────────
def face(rng):
    s = [potato(50, 52, rng.uniform(36, 44), rng.uniform(38, 46), rng, close=rng.uniform(0.92, 1.03))]
    ey, ex = rng.uniform(38, 46), rng.uniform(13, 18)
    for x in (50 - ex, 50 + ex):
        if rng.random() < 0.5:
            s.append(potato(x, ey, 6, 5, rng))
            s.append(potato(x, ey + 1, 1.5, 1.5, rng, n=8))
        else:
            s.append(line((x, ey - 4), (x, ey + 3)))
        if rng.random() < 0.3:
            s.append(bow(x - 6, ey - 10, x + 6, ey - 11, -3))                         # eyebrows
    my = rng.uniform(64, 72)
    way = rng.integers(3)
    if way == 0:
        s.append(spline([(32, my - 4), (50, my + 10), (68, my - 4)]))
    elif way == 1:
        s.append(spline([(35, my), (50, my + 9), (65, my)]))
        s.append(line((35, my), (65, my)))                                           # a grin, open
    else:
        s.append(spline([(38, my + 6), (50, my - 3), (62, my + 6)]))                # sad
    if rng.random() < 0.3:
        s += [potato(27, 60, 4, 3, rng, n=10), potato(73, 60, 4, 3, rng, n=10)]       # cheeks
    return s


def cat(rng):
    whisk = rng.integers(0, 4)
    if rng.random() < 0.5:   # just the head: one stroke for the head and both ears
        s = [spline([(18, 45), (20, 10), (38, 28), (62, 28), (80, 10), (82, 45), (70, 78), (30, 78), (18, 45)], per=6)]
        cy = 50
    else:                    # head on a pear-shaped body, a curly tail
        s = [spline([(30, 32), (30, 6), (42, 17), (58, 17), (70, 6), (70, 32), (62, 44), (38, 44), (30, 32)], per=5)]
        s.append(spline([(38, 44), (26, 70), (30, 94), (70, 94), (74, 70), (62, 44)]))
        side = rng.choice([-1, 1])
        s.append(spline([(50 + side * 22, 90), (50 + side * 42, 80), (50 + side * 44, 58), (50 + side * 36, 52)]))
        cy = 27
        s.append(potato(44, cy, 2.5, 2.5, rng, n=8))
        s.append(potato(56, cy, 2.5, 2.5, rng, n=8))
        s.append(line((48, cy + 7), (52, cy + 7), (50, cy + 9), (48, cy + 7)))
        for k in range(whisk):
            for side in (-1, 1):
                s.append(line((50 + side * 6, cy + 8 + 2 * k), (50 + side * 24, cy + 4 + 5 * k)))
        return s
    s.append(potato(38, cy - 2, 4, 5, rng, n=10))
    s.append(potato(62, cy - 2, 4, 5, rng, n=10))
    s.append(line((46, cy + 10), (54, cy + 10), (50, cy + 15), (46, cy + 10)))
    s.append(spline([(40, cy + 20), (45, cy + 24), (50, cy + 17), (55, cy + 24), (60, cy + 20)], per=4))
    for k in range(whisk):
        for side in (-1, 1):
            s.append(line((50 + side * 12, cy + 14 + 3 * k), (50 + side * 46, cy + 6 + 8 * k)))
    return s


def fish(rng):
    h = rng.uniform(18, 28)
    if rng.random() < 0.3:   # the "ichthys": two crossing curves
        s = [spline([(5, 50), (40, 50 - h * 1.3), (75, 50 + h * 0.6), (95, 70)]),
             spline([(5, 50), (40, 50 + h * 1.3), (75, 50 - h * 0.6), (95, 30)])]
        s.append(potato(25, 46, 2.5, 2.5, rng, n=8))
    else:
        nose = rng.uniform(4, 10)
        s = [spline([(nose, 50), (30, 50 - h), (60, 50 - h * 0.8), (76, 50), (60, 50 + h * 0.8), (30, 50 + h), (nose, 50)], per=6)]
        fan = rng.uniform(15, 25)
        if rng.random() < 0.5:
            s.append(line((76, 50), (97, 50 - fan), (92, 50), (97, 50 + fan), (76, 50)))
        else:
            s.append(spline([(76, 50), (96, 50 - fan), (90, 50), (96, 50 + fan), (76, 50)], per=4))
        s.append(potato(nose + 14, 45, 3.5, 3.5, rng, n=10))
        if rng.random() < 0.5:
            s.append(spline([(nose + 22, 50 - h * 0.55), (nose + 28, 50), (nose + 22, 50 + h * 0.55)]))   # a gill
        if rng.random() < 0.3:
            s.append(spline([(38, 50 - h * 0.95), (48, 50 - h * 1.6), (58, 50 - h * 0.85)]))  # top fin
    if rng.random() < 0.5:
        s = [p * [-1, 1] + [100, 0] for p in s]
    return s


def flower(rng):
    n = rng.integers(4, 9)
    cx, cy, c = 50, rng.uniform(28, 36), rng.uniform(6, 10)
    L = rng.uniform(14, 22)
    s = [potato(cx, cy, c, c, rng, n=16)]
    way = rng.integers(3)
    a0 = rng.uniform(0, 2 * np.pi)
    if way == 2:   # one wavy outline of bumps around the middle
        t = np.linspace(0, 2 * np.pi, 12 * n)
        r = c + L * (0.55 + 0.45 * np.abs(np.sin(n * t / 2)))
        s.append(np.stack([cx + r * np.cos(t + a0), cy + r * np.sin(t + a0)], 1))
    else:
        for k in range(n):
            a = a0 + 2 * np.pi * k / n
            w = (np.pi / n) * (0.8 if way == 0 else 0.55)
            base1, tip, base2 = polar(cx, cy, c, a - w), polar(cx, cy, c + L, a), polar(cx, cy, c, a + w)
            side1, side2 = polar(cx, cy, c + L * 0.7, a - w * 1.1), polar(cx, cy, c + L * 0.7, a + w * 1.1)
            s.append(spline([base1, side1, tip, side2, base2], per=5))
    bottom = cy + c + (L if way == 2 or rng.random() < 0.5 else 0)
    sway = rng.uniform(-8, 8)
    s.append(spline([(cx, bottom), (cx + sway, (bottom + 97) / 2), (cx, 97)]))
    if rng.random() < 0.6:
        side = rng.choice([-1, 1])
        y = rng.uniform(72, 86)
        s.append(spline([(cx, y), (cx + side * 10, y - 9), (cx + side * 20, y - 8), (cx + side * 10, y - 2), (cx, y)], per=4))
    return s


def tree(rng):
    way = rng.integers(3)
    if way == 0:   # a cloud crown of scallops on a trunk with roots
        bumps = rng.integers(6, 10)
        cx, cy, rx, ry = 50, 36, rng.uniform(28, 40), rng.uniform(24, 32)
        pts = []
        for k in range(bumps):
            a0 = np.pi * 0.6 + 2 * np.pi * k / bumps
            a1 = np.pi * 0.6 + 2 * np.pi * (k + 1) / bumps
            mid = (a0 + a1) / 2
            bx, by = cx + rx * np.cos(mid), cy + ry * np.sin(mid)
            r = 0.55 * rx * 2 * np.pi / bumps
            t = np.linspace(mid - 1.6, mid + 1.6, 8)
            pts.append(np.stack([bx + r * 0.6 * np.cos(t), by + r * 0.6 * np.sin(t)], 1))
        s = [np.vstack(pts)]
        tw = rng.uniform(5, 10)
        s.append(line((50 - tw, cy + ry * 0.8), (50 - tw, 90), (50 - tw - 8, 97)))
        s.append(line((50 + tw, cy + ry * 0.8), (50 + tw, 90), (50 + tw + 8, 97)))
        return s
    if way == 1:   # a pointed tree: one zigzag stroke down each side
        steps = rng.integers(2, 5)
        ys = np.linspace(5, 75, steps + 1)
        left, right = [(50, 5)], [(50, 5)]
        for k in range(1, steps + 1):
            w = 12 + 32 * k / steps
            left += [(50 - w, ys[k]), (50 - w * 0.45, ys[k])] if k < steps else [(50 - w, ys[k])]
            right += [(50 + w, ys[k]), (50 + w * 0.45, ys[k])] if k < steps else [(50 + w, ys[k])]
        s = [line(*left), line(*right), line(left[-1], right[-1])]
        s.append(line((45, 75), (45, 96), (55, 96), (55, 75)))
        return s
    # A bare tree: a trunk that splits twice or three times.
    s = []

    def branch(x, y, a, length, depth):
        x2, y2 = x + length * math.cos(a), y - length * math.sin(a)
        s.append(line((x, y), (x2, y2)))
        if depth:
            for turn in (-rng.uniform(0.3, 0.6), rng.uniform(0.3, 0.6)):
                branch(x2, y2, a + turn, length * rng.uniform(0.6, 0.75), depth - 1)

    branch(50, 97, np.pi / 2 + rng.uniform(-0.1, 0.1), rng.uniform(30, 36), rng.integers(2, 4))
    s.append(line((46, 97), (47, 65)))                                            # a thicker trunk
    return s


def house(rng):
    top, w = rng.uniform(40, 55), rng.uniform(30, 40)
    left, r = 50 - w, 50 + w
    peak = rng.uniform(5, 16)
    if rng.random() < 0.4:   # one stroke round the whole outline
        s = [line((left, 96), (left, top), (50, peak), (r, top), (r, 96), (left, 96))]
    else:
        s = [line((left, top), (left, 96), (r, 96), (r, top), (left, top))]
        eave = rng.uniform(0, 8)
        s.append(line((left - eave, top + 1), (50, peak), (r + eave, top + 1)))
    if rng.random() < 0.8:
        dx, dw, dh = rng.uniform(-w * 0.5, w * 0.5), rng.uniform(7, 11), rng.uniform(20, 30)
        s.append(line((50 + dx - dw, 96), (50 + dx - dw, 96 - dh), (50 + dx + dw, 96 - dh), (50 + dx + dw, 96)))
        free = [x for x in (left + w * 0.35, r - w * 0.35) if abs(x - 50 - dx) > dw + 9]
    else:
        free = [left + w * 0.35, r - w * 0.35]
    for x in free[:rng.integers(0, 3)]:
        y = top + rng.uniform(12, 18)
        s.append(potato(x, y, 7, 7, rng, n=12) if rng.random() < 0.3 else line((x - 7, y - 7), (x + 7, y - 7), (x + 7, y + 7), (x - 7, y + 7), (x - 7, y - 7)))
    if rng.random() < 0.3:
        cx = rng.choice([left + w * 0.4, r - w * 0.4])
        y = top - (top - peak) * (1 - abs(cx - 50) / w)
        s.append(line((cx - 5, y + 2), (cx - 5, y - 14), (cx + 5, y - 14), (cx + 5, y - 4)))
    return s


def car(rng):
    if rng.random() < 0.7:   # from the side
        low, belt = rng.uniform(70, 78), rng.uniform(50, 58)
        roof = belt - rng.uniform(18, 26)
        a, b = rng.uniform(22, 34), rng.uniform(60, 74)
        s = [spline([(6, low), (4, belt + 2), (a - 4, belt), (a + 6, roof), (b - 6, roof), (b + 6, belt), (94, belt + 4), (96, low)], per=4)]
        r = rng.uniform(8, 12)
        x1, x2 = rng.uniform(20, 30), rng.uniform(70, 80)
        s.append(line((6, low), (x1 - r - 2, low)))
        s.append(line((x1 + r + 2, low), (x2 - r - 2, low)))
        s.append(line((x2 + r + 2, low), (96, low)))
        for x in (x1, x2):
            s.append(potato(x, low, r, r, rng, n=18))
            if rng.random() < 0.5:
                s.append(potato(x, low, r * 0.35, r * 0.35, rng, n=8))
        if rng.random() < 0.7:
            m = (a + b) / 2
            s.append(line((a + 8, belt - 2), (a + 12, roof + 4), (m - 2, roof + 4), (m - 2, belt - 2), (a + 8, belt - 2)))
            s.append(line((m + 2, belt - 2), (m + 2, roof + 4), (b - 8, roof + 4), (b - 4, belt - 2), (m + 2, belt - 2)))
        if rng.random() < 0.5:
            s = [p * [-1, 1] + [100, 0] for p in s]
        return s
    # From the front.
    w = rng.uniform(34, 44)
    s = [line((50 - w, 50), (50 - w, 78), (50 + w, 78), (50 + w, 50), (50 - w, 50)),
         line((50 - w + 6, 50), (50 - w * 0.6, 22), (50 + w * 0.6, 22), (50 + w - 6, 50))]
    s += [potato(50 - w * 0.6, 63, 6, 6, rng, n=12), potato(50 + w * 0.6, 63, 6, 6, rng, n=12)]
    s += [line((50 - w + 4, 78), (50 - w + 4, 92), (50 - w + 16, 92), (50 - w + 16, 78)),
          line((50 + w - 16, 78), (50 + w - 16, 92), (50 + w - 4, 92), (50 + w - 4, 78))]
    if rng.random() < 0.6:
        s.append(line((38, 70), (62, 70)))
    return s


def star(rng):
    r = rng.uniform(44, 48)
    a0 = np.pi / 2 + rng.uniform(-0.25, 0.25)
    way = rng.integers(3)
    if way == 0:   # the pentagram, one stroke
        return [line(*[polar(50, 52, r, a0 + k * 4 * np.pi / 5) for k in range(6)])]
    inner = r * rng.uniform(0.36, 0.52)
    arms = [r * rng.uniform(0.85, 1.05) for _ in range(5)]
    pts = []
    for k in range(5):
        pts.append(polar(50, 52, arms[k], a0 + k * 2 * np.pi / 5))
        pts.append(polar(50, 52, inner, a0 + k * 2 * np.pi / 5 + np.pi / 5))
    pts.append(pts[0])
    if way == 1:
        return [line(*pts)]
    return [spline(pts[:-1], closed=True, per=3)]          # soft, rounded tips


def heart(rng):
    dip, tip = rng.uniform(22, 30), rng.uniform(88, 96)
    lob = rng.uniform(24, 30)
    tilt = rng.uniform(-6, 6)
    left = spline([(50, dip), (50 - lob * 0.6, 6), (50 - lob * 1.7, 22), (50 - lob * 1.2, 55), (50 + tilt, tip)], per=7)
    right = spline([(50, dip), (50 + lob * 0.6, 6), (50 + lob * 1.7, 22), (50 + lob * 1.2, 55), (50 + tilt, tip)], per=7)
    if rng.random() < 0.5:
        return [left, right]
    return [np.vstack([left[::-1], right])]


def sun(rng):
    r = rng.uniform(16, 26)
    s = [potato(50, 50, r, r, rng, close=rng.uniform(0.93, 1.04))]
    n = rng.integers(5, 13)
    a0 = rng.uniform(0, 2 * np.pi)
    way = rng.integers(3) if n >= 8 else rng.integers(2)
    if way == 2:   # a zigzag ring of rays in one stroke (with few rays it would be a star)
        pts = []
        for k in range(n):
            a = a0 + 2 * np.pi * k / n
            pts += [polar(50, 50, r + 3, a), polar(50, 50, rng.uniform(40, 48), a + np.pi / n)]
        pts.append(pts[0])
        s.append(line(*pts))
    else:
        for k in range(n):
            a = a0 + 2 * np.pi * k / n + rng.uniform(-0.08, 0.08)
            out = rng.uniform(38, 48)
            if way == 0:
                s.append(line(polar(50, 50, r + rng.uniform(2, 7), a), polar(50, 50, out, a)))
            else:   # thin triangles
                s.append(line(polar(50, 50, r + 3, a - 0.12), polar(50, 50, out, a), polar(50, 50, r + 3, a + 0.12)))
    if rng.random() < 0.4:
        s += [potato(50 - r * 0.35, 50 - r * 0.25, 2, 2, rng, n=8), potato(50 + r * 0.35, 50 - r * 0.25, 2, 2, rng, n=8),
              spline([(50 - r * 0.45, 50 + r * 0.2), (50, 50 + r * 0.55), (50 + r * 0.45, 50 + r * 0.2)])]
    return s


WAYS = {"face": face, "cat": cat, "fish": fish, "flower": flower, "tree": tree, "house": house, "car": car,
        "star": star, "heart": heart, "sun": sun}
KINDS = tuple(WAYS)


# ── Onto the page with a felt pen ───────────────────────────────────────────────────────────────
def _resample(p, spacing):
    """Points every `spacing` units along a polyline (the brush is stamped at each)."""
    seg = np.hypot(*np.diff(p, axis=0).T)
    if seg.sum() == 0:
        return p[:1]
    d = np.concatenate([[0], np.cumsum(seg)])
    t = np.arange(0, d[-1] + spacing / 2, spacing)
    return np.stack([np.interp(t, d, p[:, 0]), np.interp(t, d, p[:, 1])], 1)


def draw(kind, rng, size=280, pen=None, rgba=None):
    """One held-out doodle of `kind`: a PIL image (RGBA on transparent or RGB on white), size x size."""
    strokes = WAYS[kind](rng)
    # The page: squash or stretch, skew, turn about a random pivot, then shrink and place anywhere.
    fill = rng.uniform(0.3, 0.95) * size / 100
    skew = rng.uniform(-0.15, 0.15)
    turn = rng.uniform(-0.3, 0.3)
    stretch = rng.uniform(0.85, 1.15)
    a = np.array([[stretch, skew], [0.0, 1 / stretch]]) * fill
    c, s_ = math.cos(turn), math.sin(turn)
    a = np.array([[c, -s_], [s_, c]]) @ a
    pen_w = (pen if pen is not None else rng.choice([rng.uniform(2, 6), rng.uniform(6, 13), rng.uniform(13, 22)])) * size / 280
    pen_w = max(1.0, min(pen_w, 0.07 * fill * 100))
    pts_all = [(np.asarray(p, np.float64) - 50) @ a.T for p in strokes]
    lo = np.min([p.min(0) for p in pts_all], 0) - pen_w
    hi = np.max([p.max(0) for p in pts_all], 0) + pen_w
    room_lo, room_hi = -lo, size - hi
    shift = np.array([rng.uniform(min(room_lo[i], room_hi[i]), max(room_lo[i], room_hi[i])) for i in (0, 1)])
    rgba = rng.random() < 0.5 if rgba is None else rgba
    ink = PENS[rng.integers(len(PENS))]
    image = Image.new("RGBA" if rgba else "RGB", (size, size), (255, 255, 255, 0) if rgba else (255, 255, 255))
    brush = ImageDraw.Draw(image)
    colour = ink + ((255,) if rgba else ())
    for p in pts_all:
        p = p + shift
        p = p + rng.normal(0, 0.003 * size, 2)                   # each stroke lands a little off
        dots = _resample(p, max(1.0, pen_w / 3))
        press = pen_w * (0.75 + 0.5 * np.clip(np.sin(np.linspace(0, np.pi, len(dots))) + rng.normal(0, 0.08, len(dots)), 0, 1))
        for (x, y), w in zip(dots, press):
            brush.ellipse((x - w / 2, y - w / 2, x + w / 2, y + w / 2), fill=colour)
    return image


def make_doodles(per_kind, seed=0, kinds=None, size=280):
    """per_kind held-out doodles of each kind: (list of PIL images, list of kind names)."""
    rng = np.random.default_rng(seed)
    images, names = [], []
    for kind in (kinds or KINDS):
        for _ in range(per_kind):
            images.append(draw(kind, rng, size=size))
            names.append(kind)
    return images, names
