"""Doodles drawn the way a child's finger draws on a tablet: strokes, in the many ways children draw.

The recogniser learns from these (beside the world's own line drawings), and the seeing page draws
its "never seen" umbrella with them. Each kind has several ways of being drawn, because children do
not agree on one: a house with or without a door, windows, a chimney; a car from the side (a cabin on
a long body, two wheels) or from the front; a sun with 5 to 12 rays, or with a face; a fish facing
either way; flowers with 4 to 8 petals; trees round, pointed, or bare with branches; cats as a face
or a whole body, with or without whiskers. Then the hand: thick or thin, shaky, circles that do not
close, off-centre, small or filling the canvas or running off its edge, wide and low or tall and
narrow, slanted a little.

    kind ──► strokes in unit space [-1, 1], y up ──► place, size, slant ──► wobble ──► PIL lines (RGBA)

A doodle is RGBA, dark strokes on a transparent background: exactly what the drawing canvas hands the
page. The benchmark checks the recogniser on drawings made by a different routine (bench/doodles.py).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

KINDS = ("face", "cat", "fish", "flower", "tree", "house", "car", "star", "heart", "sun")   # = world.KINDS
NEW_KINDS = ("rocket", "umbrella", "boat", "ladder")   # things the recogniser was never taught
CANVAS = 280                                           # the canvas's size in pixels that pen widths refer to


# ── Strokes (lists of (x, y) points, y pointing up) ───────────────────────────────────────────────
def ellipse(cx, cy, rx, ry, rng, start=None, turns=1.0, n=28):
    """An oval drawn in one go; a child's circle rarely closes exactly: it over- or undershoots."""
    a0 = rng.uniform(0, 2 * math.pi) if start is None else start
    sweep = 2 * math.pi * turns * rng.uniform(0.88, 1.1)
    t = a0 + np.linspace(0, sweep, n)
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


def arc(cx, cy, r, a0, a1, n=14, ry=None):
    t = np.linspace(a0, a1, n)
    return list(zip(cx + r * np.cos(t), cy + (r if ry is None else ry) * np.sin(t)))


def dot(x, y, r=0.05):
    return [(x - r, y), (x + r, y)]


def rect(x0, y0, x1, y1):
    return [(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)]


def mirror(strokes, side):
    return [[(side * x, y) for x, y in s] for s in strokes]


def eyes(rng, y, dx, r):
    style = rng.integers(4)
    if style == 0:
        return [dot(-dx, y, r), dot(dx, y, r)]
    if style == 1:
        return [ellipse(-dx, y, r * 1.5, r * 1.5, rng, n=10), ellipse(dx, y, r * 1.5, r * 1.5, rng, n=10)]
    if style == 2:
        return [[(-dx, y - r * 1.5), (-dx, y + r * 1.5)], [(dx, y - r * 1.5), (dx, y + r * 1.5)]]
    return [arc(-dx, y - r, r * 1.6, 0.4, math.pi - 0.4, n=6), arc(dx, y - r, r * 1.6, 0.4, math.pi - 0.4, n=6)]


def mouth(rng, y, w):
    mood = rng.integers(4)
    if mood == 0:
        return arc(0, y + w * 0.6, w, -2.6, -0.55)                  # smile
    if mood == 1:
        return arc(0, y - w * 0.9, w * 0.8, 0.6, 2.5)                # frown
    if mood == 2:
        return ellipse(0, y, w * 0.35, w * 0.4, rng, n=12)           # "oh"
    return [(-w * 0.7, y), (w * 0.7, y + rng.uniform(-0.05, 0.05))]  # straight


def _face(rng):
    u = rng.uniform
    rx, ry = u(0.75, 0.95), u(0.8, 1.0)
    s = [ellipse(0, 0, rx, ry, rng)] + eyes(rng, u(0.15, 0.35), u(0.25, 0.4), 0.07) + [mouth(rng, u(-0.5, -0.3), u(0.3, 0.45))]
    if rng.random() < 0.4:
        s.append([(0, 0.1), (-0.06, -0.12), (0.05, -0.12)])                                 # a nose
    if rng.random() < 0.25:                                                                   # ears
        s += [arc(-rx, 0, 0.14, math.pi / 2, 3 * math.pi / 2, n=8), arc(rx, 0, 0.14, -math.pi / 2, math.pi / 2, n=8)]
    if rng.random() < 0.3:                                                                    # hair
        for k in range(rng.integers(3, 7)):
            x = u(-0.5, 0.5)
            s.append([(x, ry * 0.93), (x + u(-0.15, 0.15), ry * 0.93 + u(0.15, 0.3))])
    return s


def _cat_head(rng, cx, cy, r, whiskers=True):
    u = rng.uniform
    head = ellipse(cx, cy, r * u(1.0, 1.2), r * u(0.8, 1.0), rng, start=math.pi / 2)
    ear_h = r * u(0.5, 0.9)
    ears = [[(cx - 0.9 * r, cy + 0.35 * r), (cx - 0.8 * r + u(-0.1, 0.1) * r, cy + 0.55 * r + ear_h), (cx - 0.3 * r, cy + 0.75 * r)],
            [(cx + 0.3 * r, cy + 0.75 * r), (cx + 0.8 * r + u(-0.1, 0.1) * r, cy + 0.55 * r + ear_h), (cx + 0.9 * r, cy + 0.35 * r)]]
    s = [head] + ears + eyes(rng, cy + 0.2 * r, 0.38 * r, 0.08 * r)
    s.append([(cx - 0.08 * r, cy - 0.1 * r), (cx + 0.08 * r, cy - 0.1 * r), (cx, cy - 0.22 * r), (cx - 0.08 * r, cy - 0.1 * r)])
    if rng.random() < 0.6:                                                                    # a "w" mouth
        s.append([(cx - 0.25 * r, cy - 0.35 * r), (cx - 0.12 * r, cy - 0.42 * r), (cx, cy - 0.25 * r),
                  (cx + 0.12 * r, cy - 0.42 * r), (cx + 0.25 * r, cy - 0.35 * r)])
    if whiskers:
        for side in (-1, 1):
            for k in range(rng.integers(2, 4)):
                s.append([(cx + side * 0.25 * r, cy - (0.2 + 0.1 * k) * r),
                          (cx + side * u(1.1, 1.5) * r, cy - (0.05 + 0.22 * k) * r + u(-0.05, 0.05) * r)])
    return s


def _cat(rng):
    u = rng.uniform
    whiskers = rng.random() < 0.75
    if rng.random() < 0.55:                                                                   # face only
        return _cat_head(rng, 0, -0.15, u(0.6, 0.7), whiskers)
    if rng.random() < 0.5:                                                                    # sitting, from the front
        s = _cat_head(rng, 0, 0.45, 0.38, whiskers)
        s.append(ellipse(0, -0.45, u(0.4, 0.55), u(0.45, 0.55), rng, start=math.pi / 2))
        side = rng.choice([-1, 1])
        s.append([(side * 0.4, -0.75), (side * 0.8, -0.55), (side * 0.9, -0.1), (side * u(0.7, 0.95), 0.15)])
        return s
    side = rng.choice([-1, 1])                                                                # standing, from the side
    s = _cat_head(rng, -0.55, 0.3, 0.33, whiskers)
    s.append(ellipse(0.15, -0.15, u(0.5, 0.6), u(0.25, 0.32), rng, start=math.pi))
    for x in (-0.2, -0.05, 0.35, 0.5):
        s.append([(x, -0.35), (x + u(-0.05, 0.05), -0.8)])
    s.append([(0.65, -0.05), (0.85, 0.2), (0.9, 0.55) if rng.random() < 0.5 else (0.98, 0.05)])
    return mirror(s, side)


def _fish(rng):
    u = rng.uniform
    if rng.random() < 0.6:
        body = ellipse(-0.1, 0, u(0.55, 0.72), u(0.3, 0.45), rng)
    else:   # a lemon: two curves that cross at the tail
        h, t = u(0.35, 0.5), np.linspace(0, 1, 14)
        x = -0.8 + 1.35 * t
        body = list(zip(x, h * np.sin(math.pi * t))) + list(zip(x[::-1], -h * np.sin(math.pi * t[::-1])))
    tip = max(x for x, _ in body) - 0.02
    spread = u(0.25, 0.5)
    if rng.random() < 0.6:
        tail = [(tip, 0.0), (0.97, spread), (0.97, -spread), (tip, 0.0)]
    else:
        tail = [(0.97, spread), (tip, 0.0), (0.97, -spread)]
    s = [body, tail]
    eye = rng.integers(3)
    s.append(dot(-0.45, 0.1, 0.05) if eye == 0 else ellipse(-0.45, 0.1, 0.07, 0.07, rng, n=8) if eye == 1 else dot(-0.5, 0.12, 0.03))
    if rng.random() < 0.4:
        s.append(arc(-0.25, 0, 0.25, -0.8, 0.8, n=6))                                        # a gill
    if rng.random() < 0.3:
        s.append([(-0.25, 0.32), (0.05, 0.6), (0.2, 0.3)])                                   # a fin
    if rng.random() < 0.2:
        s += [arc(x, 0, 0.1, -1.2, 1.2, n=5) for x in (0.0, 0.15)]                           # scales
    if rng.random() < 0.2:
        s += [ellipse(-0.9, 0.35 + 0.2 * k, 0.05, 0.05, rng, n=8) for k in range(2)]         # bubbles
    return mirror(s, rng.choice([-1, 1]))


def _flower(rng):
    u = rng.uniform
    n = rng.integers(4, 9)
    cy = u(0.2, 0.4)
    c = u(0.12, 0.2)
    s = [ellipse(0, cy, c, c, rng, n=12)]
    style = rng.integers(3)
    length = u(0.3, 0.45)
    for k in range(n):
        a = 2 * math.pi * k / n + u(-0.15, 0.15)
        if style == 0:                                                                        # round petals
            d = c + length * 0.5
            s.append(ellipse(d * math.cos(a), cy + d * math.sin(a), length * 0.5, length * 0.5, rng, n=14))
        else:                                                                                 # loops / pointed petals
            w = 0.5 * math.pi / n * (1.4 if style == 1 else 0.9)
            p0 = (c * math.cos(a - w), cy + c * math.sin(a - w))
            p1 = ((c + length) * math.cos(a), cy + (c + length) * math.sin(a))
            p2 = (c * math.cos(a + w), cy + c * math.sin(a + w))
            if style == 1:
                mid = [((c + length * 0.8) * math.cos(a - w * 0.8), cy + (c + length * 0.8) * math.sin(a - w * 0.8)), p1,
                       ((c + length * 0.8) * math.cos(a + w * 0.8), cy + (c + length * 0.8) * math.sin(a + w * 0.8))]
                s.append([p0] + mid + [p2])
            else:
                s.append([p0, p1, p2])
    bottom = cy - c - (length if rng.random() < 0.3 else 0)
    s.append([(0, bottom), (u(-0.08, 0.08), (bottom - 0.98) / 2), (0, -0.98)])
    for side in rng.choice([-1, 1], size=rng.integers(0, 3), replace=False):
        y = u(-0.75, -0.45)
        s.append([(0, y - 0.05), (side * 0.2, y + 0.08), (side * 0.38, y + 0.12), (side * 0.2, y - 0.06), (0, y - 0.05)])
    return s


def _tree(rng):
    u = rng.uniform
    style = rng.integers(4)
    tw = u(0.1, 0.2)
    if style == 0:                                                                            # a bumpy cloud crown
        bumps = rng.integers(5, 9)
        t = np.linspace(-0.3, math.pi + 0.3, 60)
        r = u(0.5, 0.65) + 0.08 * np.abs(np.sin(t * bumps / 2))
        crown = list(zip(r * np.cos(t) * u(1.0, 1.3), 0.3 + r * np.sin(t)))
        crown.append(crown[0])
        trunk = [(-tw, 0.0), (-tw, -0.95), (tw, -0.95), (tw, 0.0)]
        return [crown, trunk]
    if style == 1:                                                                            # a lollipop tree
        r = u(0.45, 0.65)
        crown = ellipse(0, 0.95 - r, r * u(0.9, 1.2), r, rng)
        trunk = [(-tw, 0.95 - 2 * r + 0.05), (-tw, -0.95), (tw, -0.95), (tw, 0.95 - 2 * r + 0.05)]
        if rng.random() < 0.4:
            trunk = [(0, 0.95 - 2 * r), (0, -0.95)]                                           # a stick
        s = [crown, trunk]
        if rng.random() < 0.3:
            s += [ellipse(u(-0.3, 0.3), u(0.3, 0.6), 0.06, 0.06, rng, n=8) for _ in range(3)]  # apples
        return s
    if style == 2:                                                                            # a pointed fir
        layers = rng.integers(1, 4)
        h = 1.4 / (0.6 * layers + 0.4)                     # each layer's height; together 0.95 down to -0.45
        step = (1.4 - h) / max(layers - 1, 1)
        s = []
        for k in range(layers):
            top, w = 0.95 - k * step, 0.3 + 0.45 * (k + 1) / layers
            base = top - h
            s.append([(-w, base), (0, top), (w, base)] + ([(-w, base)] if layers == 1 or rng.random() < 0.7 else []))
        s.append([(-tw * 0.8, base), (-tw * 0.8, -0.95), (tw * 0.8, -0.95), (tw * 0.8, base)])
        return s
    # A bare tree: a trunk that forks into branches, and twigs.
    s = [[(-tw, -0.95), (-tw * 0.6, -0.1), (-0.45, 0.5)], [(tw, -0.95), (tw * 0.6, -0.1), (0.45, 0.5)]]
    for side in (-1, 1):
        x, y = side * u(0.2, 0.4), u(0.25, 0.55)
        s.append([(side * 0.05, u(-0.3, 0.0)), (x, y), (x + side * u(0.1, 0.35), y + u(0.2, 0.4))])
        s.append([(x, y), (x - side * u(0.0, 0.15), u(0.75, 0.95))])
    s.append([(0, -0.1), (u(-0.1, 0.1), 0.95)])
    return s


def _house(rng):
    u = rng.uniform
    w, top = u(0.55, 0.8), u(-0.1, 0.25)
    walls = [(-w, top), (-w, -0.9), (w, -0.9), (w, top)]
    if rng.random() < 0.5:
        walls.append((-w, top))                                                               # a closed square
    over = u(0.0, 0.2)
    peak = u(0.75, 0.95)
    if rng.random() < 0.7:
        roof = [(-w - over, top), (0, peak), (w + over, top)] + ([(-w - over, top)] if over > 0.05 else [])
    else:   # a flat-topped roof: a trapezium
        roof = [(-w - over, top), (-w * 0.5, peak), (w * 0.5, peak), (w + over, top), (-w - over, top)]
    s = [walls, roof]
    door = rng.random() < 0.8
    dx = u(-0.35, 0.1) if rng.random() < 0.6 else u(-0.15, 0.15)
    dh = u(0.4, 0.65) * (top + 0.9)
    dw = u(0.15, 0.25)
    if door:
        if rng.random() < 0.3:   # a round-topped door
            s.append([(dx - dw, -0.9), (dx - dw, -0.9 + dh - dw)] + arc(dx, -0.9 + dh - dw, dw, math.pi, 0, n=8) + [(dx + dw, -0.9)])
        else:
            s.append([(dx - dw, -0.9), (dx - dw, -0.9 + dh), (dx + dw, -0.9 + dh), (dx + dw, -0.9)])
        if rng.random() < 0.4:
            s.append(dot(dx + dw * 0.5, -0.9 + dh * 0.45, 0.03))                            # a knob
    windows = rng.choice([0, 1, 2], p=[0.25, 0.45, 0.3]) if door else rng.choice([1, 2])
    spots = [(0.4 * w + 0.1, top - 0.3), (-0.55 * w, top - 0.3)] if door and dx < 0 else [(-0.55 * w, top - 0.3), (0.55 * w, top - 0.3)]
    for (x, y) in spots[:windows]:
        r = u(0.1, 0.17)
        s.append(rect(x - r, y - r, x + r, y + r))
        if rng.random() < 0.5:
            s += [[(x, y - r), (x, y + r)], [(x - r, y), (x + r, y)]]                          # panes
    if rng.random() < 0.35:                                                                   # a chimney
        cx = u(0.25, 0.45) * w * rng.choice([-1, 1])
        y0 = top + (peak - top) * (1 - abs(cx) / (w + over)) - 0.05
        s.append([(cx - 0.07, y0), (cx - 0.07, y0 + u(0.15, 0.3)), (cx + 0.08, y0 + u(0.15, 0.3)), (cx + 0.08, y0 - 0.08)])
        if rng.random() < 0.4:
            s.append(arc(cx + 0.1, y0 + 0.45, 0.08, -math.pi, math.pi, n=10))               # smoke
    return s


def _car(rng):
    u = rng.uniform
    if rng.random() < 0.75:                                                                   # from the side
        lo, mid = u(-0.45, -0.25), u(-0.05, 0.15)
        roof = mid + u(0.3, 0.5)
        front, back = u(0.2, 0.5), u(-0.65, -0.35)
        if rng.random() < 0.5:   # one outline: body and cabin together
            body = [(-0.95, lo), (-0.95, mid), (back - 0.05, mid), (back + 0.1, roof), (front - 0.1, roof), (front + 0.1, mid),
                    (0.95, mid - u(0.0, 0.1)), (0.95, lo), (-0.95, lo)]
            s = [body]
        else:                    # a long box with a smaller box (or a dome) on top
            s = [rect(-0.95, lo, 0.95, mid)]
            if rng.random() < 0.5:
                s.append([(back, mid), (back, roof), (front, roof), (front, mid)])
            else:
                s.append(arc((front + back) / 2, mid, (front - back) / 2, 0, math.pi, n=12, ry=roof - mid))
        r = u(0.15, 0.25)
        for x in (u(-0.7, -0.45), u(0.45, 0.7)):
            s.append(ellipse(x, lo, r, r, rng, n=14))
            if rng.random() < 0.3:
                s.append(dot(x, lo, 0.03))
        if rng.random() < 0.6:                                                                # windows
            m = (front + back) / 2
            s.append(rect(back + 0.12, mid + 0.07, m - 0.03, roof - 0.08))
            if rng.random() < 0.6:
                s.append(rect(m + 0.03, mid + 0.07, front - 0.12, roof - 0.08))
        if rng.random() < 0.3:
            s.append(dot(0.88, mid - 0.1, 0.04))                                               # a light
        return mirror(s, rng.choice([-1, 1]))
    # From the front: a wide body, a windscreen, two lights, wheels peeping out below.
    w, lo, mid = u(0.75, 0.95), u(-0.5, -0.35), u(0.0, 0.15)
    roof = mid + u(0.35, 0.55)
    s = [rect(-w, lo, w, mid), [(-w * 0.8, mid), (-w * 0.6, roof), (w * 0.6, roof), (w * 0.8, mid)]]
    if rng.random() < 0.7:
        s.append([(-w * 0.6, mid + 0.06), (-w * 0.48, roof - 0.08), (w * 0.48, roof - 0.08), (w * 0.6, mid + 0.06), (-w * 0.6, mid + 0.06)])
    for side in (-1, 1):
        s.append(ellipse(side * w * 0.65, (lo + mid) / 2, 0.1, 0.09, rng, n=10))
        s.append(rect(side * w * 0.85 - 0.1, lo - 0.3, side * w * 0.85 + 0.1, lo))
    if rng.random() < 0.5:
        s.append([(-w * 0.3, lo + 0.1), (w * 0.3, lo + 0.1)])                                   # a grille
    return s


def _star(rng):
    u = rng.uniform
    r = u(0.85, 0.97)
    turn = u(-0.2, 0.2)
    style = rng.random()
    if style < 0.3:   # one stroke of crossing lines
        return [[(r * math.cos(math.pi / 2 + turn + k * 4 * math.pi / 5), r * math.sin(math.pi / 2 + turn + k * 4 * math.pi / 5))
                 for k in range(6)]]
    if style < 0.38:  # two triangles
        return [[(r * math.cos(math.pi / 2 + turn + k * 2 * math.pi / 3 + half), r * math.sin(math.pi / 2 + turn + k * 2 * math.pi / 3 + half))
                 for k in range(4)] for half in (0, math.pi / 3)]
    inner = r * u(0.32, 0.55)
    pts = [((r if k % 2 == 0 else inner) * math.cos(math.pi / 2 + turn + k * math.pi / 5),
            (r if k % 2 == 0 else inner) * math.sin(math.pi / 2 + turn + k * math.pi / 5)) for k in range(11)]
    if rng.random() < 0.3:
        pts = pts[:-1] + [(pts[-1][0] * 0.9 + pts[-2][0] * 0.1, pts[-1][1] * 0.9 + pts[-2][1] * 0.1)]   # not quite closed
    s = [pts]
    if rng.random() < 0.15:
        s += eyes(rng, 0.1, 0.15, 0.04) + [arc(0, 0.0, 0.15, -2.6, -0.5, n=8)]
    return s


def _heart(rng):
    u = rng.uniform
    r = u(0.35, 0.48)
    dip, tip = u(0.25, 0.5), u(-0.95, -0.75)
    left = arc(-r, dip, r, 0.0, math.pi + u(0.4, 0.8))
    right = arc(r, dip, r, math.pi, -u(0.4, 0.8))
    if rng.random() < 0.5:
        s = [left + [(0, tip)], right + [(0, tip)]]                                             # two strokes
    else:
        s = [right + [(0, tip)] + left[::-1]]                                                   # one stroke
    if rng.random() < 0.15:
        s.append([(-0.9, -0.6), (0.9, 0.6)])                                                   # an arrow through it
    return s


def _sun(rng):
    u = rng.uniform
    r = u(0.3, 0.55)
    s = [ellipse(0, 0, r, r, rng)]
    n = rng.integers(5, 13)
    gap = u(0.0, 0.15)
    long = u(0.75, 0.98)
    style = rng.integers(4)
    a0 = u(0, 2 * math.pi)
    for k in range(n):
        a = a0 + 2 * math.pi * k / n + u(-0.1, 0.1)
        end = long * (u(0.85, 1.0) if style != 3 or k % 2 == 0 else 0.8)
        c, sn = math.cos(a), math.sin(a)
        if style == 1:   # triangle rays
            w = u(0.08, 0.14)
            s.append([((r + gap) * math.cos(a - w * 2), (r + gap) * math.sin(a - w * 2)), (end * c, end * sn),
                      ((r + gap) * math.cos(a + w * 2), (r + gap) * math.sin(a + w * 2))])
        elif style == 2:  # wavy rays
            t = np.linspace(0, 1, 8)
            d = r + gap + t * (end - r - gap)
            off = 0.04 * np.sin(t * 3 * math.pi)
            s.append(list(zip(d * c - off * sn, d * sn + off * c)))
        else:
            s.append([((r + gap) * c, (r + gap) * sn), (end * c, end * sn)])
    if rng.random() < 0.35:   # a face
        s += eyes(rng, 0.3 * r, 0.35 * r, 0.08 * r) + [arc(0, 0.1 * r, 0.5 * r, -2.6, -0.55, n=8)]
    return s


def _new_kind(kind, rng):
    if kind == "rocket":
        body = [(-0.25, -0.6), (-0.25, 0.4), (0, 0.95), (0.25, 0.4), (0.25, -0.6), (-0.25, -0.6)]
        fins = [[(-0.25, -0.2), (-0.55, -0.7), (-0.25, -0.6)], [(0.25, -0.2), (0.55, -0.7), (0.25, -0.6)]]
        window = ellipse(0, 0.15, 0.12, 0.12, rng, n=10)
        s = [body, window] + fins
        if rng.random() < 0.6:
            s.append([(-0.15, -0.65), (0, -0.95), (0.15, -0.65)])                               # flame
        return s
    if kind == "umbrella":
        canopy = arc(0, 0, 0.9, 0, math.pi, n=20)
        scallops = [arc(x, 0, 0.15, math.pi, 2 * math.pi, n=6) for x in np.linspace(-0.75, 0.75, 6)]
        edge = [p for sc in scallops for p in sc]
        return [canopy, edge, [(0, 0.9), (0, -0.7)], arc(-0.15, -0.7, 0.15, 0, -math.pi, n=8)]
    if kind == "boat":
        hull = [(-0.95, 0), (-0.6, -0.45), (0.6, -0.45), (0.95, 0), (-0.95, 0)]
        mast = [(0, 0), (0, 0.95)]
        sail = [(0.05, 0.9), (0.6, 0.1), (0.05, 0.1)]
        return [hull, mast, sail]
    if kind == "ladder":
        rungs = [[(-0.35, y), (0.35, y)] for y in np.linspace(-0.7, 0.7, rng.integers(4, 7))]
        return [[(-0.35, -0.95), (-0.35, 0.95)], [(0.35, -0.95), (0.35, 0.95)]] + rungs
    raise ValueError(f"no doodle for {kind!r}")


WAYS = {"face": _face, "cat": _cat, "fish": _fish, "flower": _flower, "tree": _tree, "house": _house,
        "car": _car, "star": _star, "heart": _heart, "sun": _sun}


def strokes_for(kind: str, rng: np.random.Generator) -> list:
    """One way of drawing `kind`, picked at random: a list of strokes, each a list of (x, y) in [-1, 1],
    y up. Raises ValueError for a kind it cannot draw."""
    way = WAYS.get(kind)
    return way(rng) if way else _new_kind(kind, rng)


# ── Onto the canvas, with a shaky finger ───────────────────────────────────────────────────────
def densify(points, step=0.04):
    """More points along each line, so the wobble bends lines instead of only moving corners."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.arange(1, n + 1) / n]
    return out


def draw(kind, rng, size=CANVAS, width=None, rgba=True, color=(0, 0, 0)):
    """One doodle of `kind` as a PIL image, size x size pixels (RGBA on transparent, or RGB on white).

    width: the pen in pixels of a 280-pixel canvas (scaled with `size`); default a random pen from a
    thin pencil to a fat marker. rng: a numpy Generator (the same state gives the same doodle)."""
    strokes = strokes_for(kind, rng)
    k = size / CANVAS
    # Where it goes: small (a quarter of the canvas) to filling it, anywhere (even partly off the canvas),
    # slanted, squashed or stretched.
    extent = rng.uniform(0.25, 0.95) * CANVAS / 2
    if width is None:   # a thin pencil to a fat marker, but not so fat that a person could not tell
        width = min(rng.choice([rng.uniform(3, 8), rng.uniform(8, 16), rng.uniform(16, 26)]), 0.16 * extent)
    width = max(1, int(round(width * k)))
    extent *= k
    # Wide and low, or tall and narrow: up to 1.6 times wider than tall, or the other way round.
    aspect = math.exp(rng.uniform(-0.47, 0.47))
    sx, sy = extent * math.sqrt(aspect), extent / math.sqrt(aspect)
    room_x, room_y = max(size / 2 - sx - width, 0), max(size / 2 - sy - width, 0)
    cx, cy = size / 2 + rng.uniform(-1, 1) * room_x, size / 2 + rng.uniform(-1, 1) * room_y
    if rng.random() < 0.12:   # drawn so big that one side runs off the canvas (by up to a sixth of it)
        side, past = rng.integers(4), rng.uniform(0.05, 0.35)
        if side < 2:
            cx = size / 2 + (1 if side else -1) * (size / 2 - sx + past * sx)
        else:
            cy = size / 2 + (1 if side == 3 else -1) * (size / 2 - sy + past * sy)
    angle = rng.uniform(-0.3, 0.3)
    ca, sa = math.cos(angle), math.sin(angle)
    shaky = rng.uniform(0.0, 0.02)
    wob = rng.uniform(0.01, 0.05, 2), rng.uniform(2, 6, 2), rng.uniform(0, 6.3, 2)

    image = Image.new("RGBA" if rgba else "RGB", (size, size), (255, 255, 255, 0) if rgba else (255, 255, 255))
    pen = ImageDraw.Draw(image)
    ink = tuple(color) + ((255,) if rgba else ())
    for stroke in strokes:
        pts = np.array(densify(stroke), np.float64)
        # A slow wobble of the whole hand plus a tremble at every point (smoothed a little: a hand, not noise).
        pts[:, 0] += wob[0][0] * np.sin(wob[1][0] * pts[:, 1] + wob[2][0])
        pts[:, 1] += wob[0][1] * np.sin(wob[1][1] * pts[:, 0] + wob[2][1])
        tremble = rng.normal(0, 0.006 + shaky, pts.shape)
        pts += (tremble + np.roll(tremble, 1, 0) + np.roll(tremble, -1, 0)) / 2
        x = cx + sx * (ca * pts[:, 0] - sa * pts[:, 1])
        y = cy - sy * (sa * pts[:, 0] + ca * pts[:, 1])
        xy = list(zip(x.tolist(), y.tolist()))
        pen.line(xy, fill=ink, width=width, joint="curve")
        r = width / 2 - 0.5   # round pen ends
        for px, py in (xy[0], xy[-1]):
            pen.ellipse((px - r, py - r, px + r, py + r), fill=ink)
    return image


def make_doodles(per_kind, seed=0, kinds=None, size=CANVAS):
    """per_kind doodles of each kind: (list of PIL images, list of kind names)."""
    rng = np.random.default_rng(seed)
    images, names = [], []
    for kind in (kinds or KINDS):
        for _ in range(per_kind):
            images.append(draw(kind, rng, size=size))
            names.append(kind)
    return images, names
