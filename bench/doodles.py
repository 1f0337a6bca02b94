"""Doodles drawn the way a finger draws on a tablet: strokes, not the world's distance shapes.

The recogniser never trains on these. They are a test of drawings made a different way: polylines
drawn with PIL at canvas size (280x280 by default), thick or thin, anywhere on the canvas, every point
jittered and every line wobbling, with the variations children draw (a star in one crossing stroke,
rays touching the sun, four to seven petals). Each doodle is RGBA, black strokes on a transparent
background, exactly what the drawing canvas hands the page.

    kind ──► strokes in unit space [-1, 1] ──► random place, size, slant ──► jitter ──► ImageDraw lines
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

NEW_KINDS = ("rocket", "umbrella", "boat", "ladder")   # things the recogniser was never taught


# ── Shapes as strokes (lists of (x, y) points, y pointing up) ──────────────────────────────────
def ellipse(cx, cy, rx, ry, rng, start=None, turns=1.0, n=28):
    """An oval drawn in one go; a child's circle rarely closes exactly, so it may over- or undershoot."""
    a0 = rng.uniform(0, 2 * math.pi) if start is None else start
    sweep = 2 * math.pi * turns * rng.uniform(0.95, 1.08)
    t = a0 + np.linspace(0, sweep, n)
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


def arc(cx, cy, r, a0, a1, n=14):
    t = np.linspace(a0, a1, n)
    return list(zip(cx + r * np.cos(t), cy + r * np.sin(t)))


def dot(x, y, r=0.05):
    return [(x - r, y), (x + r, y)]


def eyes(rng, y, dx, r):
    style = rng.integers(3)
    if style == 0:
        return [dot(-dx, y, r), dot(dx, y, r)]
    if style == 1:
        return [ellipse(-dx, y, r * 1.5, r * 1.5, rng, n=10), ellipse(dx, y, r * 1.5, r * 1.5, rng, n=10)]
    return [[(-dx, y - r * 1.5), (-dx, y + r * 1.5)], [(dx, y - r * 1.5), (dx, y + r * 1.5)]]


def strokes_for(kind, rng):
    u = rng.uniform
    if kind == "face":
        s = [ellipse(0, 0, u(0.8, 0.95), u(0.8, 1.0), rng)] + eyes(rng, u(0.15, 0.35), u(0.25, 0.4), 0.07)
        mood = rng.integers(3)
        if mood == 0:
            s.append(arc(0, u(-0.05, 0.1), u(0.35, 0.5), -2.6, -0.5))          # smile
        elif mood == 1:
            s.append(arc(0, u(-0.75, -0.6), u(0.3, 0.45), 0.6, 2.5))           # frown
        else:
            s.append(ellipse(0, -0.4, u(0.1, 0.2), u(0.12, 0.22), rng, n=12))  # "oh"
        if rng.random() < 0.4:
            s.append([(0, 0.1), (-0.06, -0.12), (0.05, -0.12)])                  # a nose
        return s
    if kind == "cat":
        rx, ry = u(0.7, 0.85), u(0.55, 0.7)
        head = ellipse(0, -0.15, rx, ry, rng, start=math.pi / 2)
        ears = [[(-0.65, 0.25), (-0.6, 0.9 + u(-0.1, 0.05)), (-0.2, 0.45)],
                [(0.2, 0.45), (0.6, 0.9 + u(-0.1, 0.05)), (0.65, 0.25)]]
        face = eyes(rng, 0.0, u(0.25, 0.35), 0.06) + [ellipse(0, -0.25, 0.07, 0.05, rng, n=8)]
        whiskers = []
        for side in (-1, 1):
            for k in range(rng.integers(2, 4)):
                whiskers.append([(side * 0.2, -0.3 - 0.06 * k), (side * u(0.85, 1.0), -0.15 - 0.13 * k)])
        return [head] + ears + face + whiskers
    if kind == "fish":
        face = rng.choice([-1, 1])
        body = ellipse(-0.1, 0, u(0.6, 0.72), u(0.32, 0.45), rng)
        tail = [(0.5, 0.0), (0.95, u(0.3, 0.45)), (0.95, -u(0.3, 0.45)), (0.5, 0.0)]
        s = [body, tail, dot(-0.45, 0.1, 0.05)]
        if rng.random() < 0.5:
            s.append(arc(-0.25, 0, 0.25, -0.8, 0.8, n=6))                          # a gill
        return [[(face * x, y) for x, y in st] for st in s]
    if kind == "flower":
        n = rng.integers(4, 8)
        r = u(0.3, 0.4)
        s = [ellipse(0, 0.3, 0.15, 0.15, rng, n=12)]
        for k in range(n):
            a = 2 * math.pi * k / n + u(-0.2, 0.2)
            s.append(ellipse(0.3 * math.cos(a) * 1.2, 0.3 + 0.3 * math.sin(a) * 1.2, r * 0.8, r * 0.8, rng, n=14))
        s.append([(0, -0.1), (u(-0.08, 0.08), -0.55), (0, -0.98)])
        for side in rng.choice([-1, 1], size=rng.integers(0, 3), replace=False):
            s.append(ellipse(side * 0.2, -0.6, 0.2, 0.08, rng, n=10))
        return s
    if kind == "tree":
        bumps = rng.integers(5, 9)
        t = np.linspace(-0.3, math.pi + 0.3, 60)
        crown_r = 0.55 + 0.08 * np.abs(np.sin(t * bumps / 2))
        crown = list(zip(crown_r * np.cos(t) * 1.2, 0.25 + crown_r * np.sin(t)))
        crown.append(crown[0])
        trunk = [(-0.15, -0.05), (-0.15, -0.95), (0.15, -0.95), (0.15, -0.05)]
        if rng.random() < 0.4:   # a lollipop tree: a round crown on a stick
            crown = ellipse(0, 0.3, 0.7, 0.6, rng)
        return [crown, trunk]
    if kind == "house":
        w, top = u(0.6, 0.75), u(0.05, 0.2)
        walls = [(-w, top), (-w, -0.9), (w, -0.9), (w, top)]
        roof = [(-w - 0.15, top), (0, u(0.8, 0.95)), (w + 0.15, top), (-w - 0.15, top)]
        door = [(-0.3, -0.9), (-0.3, -0.45), (-0.05, -0.45), (-0.05, -0.9)]
        win = [(0.15, -0.15), (0.45, -0.15), (0.45, -0.45), (0.15, -0.45), (0.15, -0.15)]
        s = [walls, roof, door, win]
        if rng.random() < 0.5:
            s.append([(0.3, -0.15), (0.3, -0.45)])                                  # window cross
        if rng.random() < 0.3:
            s.append([(0.35, 0.55), (0.35, 0.8), (0.5, 0.8), (0.5, 0.4)])           # chimney
        return s
    if kind == "car":
        face = rng.choice([-1, 1])
        body = [(-0.95, -0.35), (-0.95, 0.05), (-0.55, 0.1), (-0.35, 0.5), (0.3, 0.5), (0.5, 0.1),
                (0.95, 0.05), (0.95, -0.35), (-0.95, -0.35)]
        wheels = [ellipse(-0.5, -0.4, 0.2, 0.2, rng, n=14), ellipse(0.5, -0.4, 0.2, 0.2, rng, n=14)]
        window = [(-0.3, 0.15), (-0.2, 0.4), (0.2, 0.4), (0.3, 0.15), (-0.3, 0.15)]
        s = [body, window] + wheels
        return [[(face * x, y) for x, y in st] for st in s]
    if kind == "star":
        r = u(0.85, 0.95)
        if rng.random() < 0.35:   # the one-stroke star with crossing lines
            pts = [(r * math.cos(math.pi / 2 + k * 4 * math.pi / 5), r * math.sin(math.pi / 2 + k * 4 * math.pi / 5))
                   for k in range(6)]
            return [pts]
        inner = r * u(0.38, 0.5)
        pts = [((r if k % 2 == 0 else inner) * math.cos(math.pi / 2 + k * math.pi / 5),
                (r if k % 2 == 0 else inner) * math.sin(math.pi / 2 + k * math.pi / 5)) for k in range(11)]
        return [pts]
    if kind == "heart":
        left = arc(-0.4, 0.35, 0.42, 0.0, math.pi + 0.6)
        right = arc(0.4, 0.35, 0.42, math.pi, -0.6)
        if rng.random() < 0.5:
            return [left + [(0, -0.85)], right + [(0, -0.85)]]                     # two strokes
        return [right + [(0, -0.85)] + left[::-1]]                                    # one stroke
    if kind == "sun":
        r = u(0.35, 0.5)
        s = [ellipse(0, 0, r, r, rng)]
        n = rng.integers(6, 13)
        gap = u(0.0, 0.15)
        for k in range(n):
            a = 2 * math.pi * k / n + u(-0.1, 0.1)
            s.append([((r + gap) * math.cos(a), (r + gap) * math.sin(a)), (0.95 * math.cos(a), 0.95 * math.sin(a))])
        if rng.random() < 0.3:
            s += [dot(-0.15, 0.1, 0.04), dot(0.15, 0.1, 0.04), arc(0, 0.05, 0.2, -2.5, -0.6, n=8)]
        return s
    # New kinds, for teaching: never in the world.
    if kind == "rocket":
        body = [(-0.25, -0.6), (-0.25, 0.4), (0, 0.95), (0.25, 0.4), (0.25, -0.6), (-0.25, -0.6)]
        fins = [[(-0.25, -0.2), (-0.55, -0.7), (-0.25, -0.6)], [(0.25, -0.2), (0.55, -0.7), (0.25, -0.6)]]
        window = ellipse(0, 0.15, 0.12, 0.12, rng, n=10)
        s = [body, window] + fins
        if rng.random() < 0.6:
            s.append([(-0.15, -0.65), (0, -0.95), (0.15, -0.65)])                    # flame
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


# ── Onto the canvas, with a shaky finger ───────────────────────────────────────────────────────
def densify(points, step=0.04):
    """More points along each line, so the wobble bends lines instead of only moving corners."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.arange(1, n + 1) / n]
    return out


def draw(kind, rng, size=280, width=None, rgba=True, color=(0, 0, 0)):
    """One doodle of `kind` as a PIL image, size x size pixels."""
    strokes = strokes_for(kind, rng)
    # Where it goes: 40-90% of the canvas, off-centre, slanted a little, a bit squashed or stretched.
    extent = rng.uniform(0.4, 0.9) * size / 2
    if width is None:   # a thin pencil to a fat marker, but not so fat that a person could not tell
        width = int(min(rng.choice([rng.integers(3, 8), rng.integers(8, 16), rng.integers(16, 26)]), 0.18 * extent))
    sx, sy = extent * rng.uniform(0.85, 1.15), extent * rng.uniform(0.85, 1.15)
    room = size / 2 - extent - width
    cx, cy = size / 2 + rng.uniform(-1, 1) * max(room, 0), size / 2 + rng.uniform(-1, 1) * max(room, 0)
    angle = rng.uniform(-0.25, 0.25)
    ca, sa = math.cos(angle), math.sin(angle)
    wob = rng.uniform(0.01, 0.04, 2), rng.uniform(2, 6, 2), rng.uniform(0, 6.3, 2)

    image = Image.new("RGBA" if rgba else "RGB", (size, size), (255, 255, 255, 0) if rgba else (255, 255, 255))
    pen = ImageDraw.Draw(image)
    ink = tuple(color) + ((255,) if rgba else ())
    for stroke in strokes:
        pts = np.array(densify(stroke), np.float64)
        # A slow wobble of the whole hand plus a little tremble at every point.
        pts[:, 0] += wob[0][0] * np.sin(wob[1][0] * pts[:, 1] + wob[2][0])
        pts[:, 1] += wob[0][1] * np.sin(wob[1][1] * pts[:, 0] + wob[2][1])
        pts += rng.normal(0, 0.008, pts.shape)
        x = cx + sx * (ca * pts[:, 0] - sa * pts[:, 1])
        y = cy - sy * (sa * pts[:, 0] + ca * pts[:, 1])
        xy = list(zip(x.tolist(), y.tolist()))
        pen.line(xy, fill=ink, width=width, joint="curve")
        r = width / 2 - 0.5   # round pen ends
        for px, py in (xy[0], xy[-1]):
            pen.ellipse((px - r, py - r, px + r, py + r), fill=ink)
    return image


def make_doodles(per_kind, seed=0, kinds=None, size=280):
    """per_kind doodles of each kind: (list of PIL images, list of kind names)."""
    from models.world import KINDS

    rng = np.random.default_rng(seed)
    images, names = [], []
    for kind in (kinds or KINDS):
        for _ in range(per_kind):
            images.append(draw(kind, rng, size=size))
            names.append(kind)
    return images, names
