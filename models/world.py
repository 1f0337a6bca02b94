"""The picture world: every picture the models learn from, drawn here, so nothing is downloaded.

Each thing is a few signed-distance shapes (negative inside, positive outside), evaluated on a pixel
grid for a whole batch at once with numpy broadcasting. Fill style paints the shapes in colour on a soft
background; line style strokes their outlines in pencil on paper, wobbly like a child's doodle.

    params (B,1,1)  ──►  local coords u, v (B,H,W)  ──►  distances d (B,H,W)  ──►  alpha  ──►  image (B,H,W,3)

The same seed gives the same pictures. Shapes follow Inigo Quilez's 2-D distance functions
(iquilezles.org/articles/distfunctions2d) for the star and the heart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# ── The vocabulary of the world ────────────────────────────────────────────────────────────────
KINDS = ("face", "cat", "fish", "flower", "tree", "house", "car", "star", "heart", "sun")
COLORS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown")
SIZES = ("small", "big")
MOODS = ("happy", "sad", "surprised")  # faces only


def kind_index(kind) -> int:
    """A kind's number: a name from KINDS ("fish" -> 2) or a number already (returned as an int).
    Raises ValueError for an unknown name (the one check every chapter uses)."""
    if isinstance(kind, str):
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        return KINDS.index(kind)
    return int(kind)


RGB = {
    "red": (222, 45, 45), "orange": (245, 128, 25), "yellow": (238, 196, 20), "green": (52, 160, 68),
    "blue": (36, 104, 220), "purple": (136, 64, 190), "pink": (236, 96, 168), "brown": (139, 87, 48),
}
INK = np.array((38, 34, 46), np.float32)        # eyes, wheels, pencil
TRUNK = np.array((120, 78, 44), np.float32)
STEM = np.array((60, 140, 60), np.float32)
LIGHT = np.array((250, 246, 232), np.float32)    # windows, highlights

# Captions: whole phrases per language, not word-for-word. Chinese needs the right measure word.
NAME_EN = {k: k for k in KINDS}
NAME_ZH = {"face": "脸", "cat": "猫", "fish": "鱼", "flower": "花", "tree": "树", "house": "房子",
           "car": "汽车", "star": "星星", "heart": "爱心", "sun": "太阳"}
MEASURE_ZH = {"face": "张", "cat": "只", "fish": "条", "flower": "朵", "tree": "棵", "house": "座",
              "car": "辆", "star": "颗", "heart": "颗", "sun": "个"}
COLOR_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "green": "绿色", "blue": "蓝色",
            "purple": "紫色", "pink": "粉色", "brown": "棕色"}
MOOD_ZH = {"happy": "开心", "sad": "难过", "surprised": "吃惊"}
SIZE_EN = {"small": ("small", "little"), "big": ("big", "large")}


@dataclass
class Pictures:
    """A batch of pictures with their attributes. images: (N, H, W, 3) uint8."""
    images: np.ndarray
    kinds: np.ndarray                  # (N,) index into KINDS
    colors: np.ndarray                 # (N,) index into COLORS
    sizes: np.ndarray                  # (N,) index into SIZES
    moods: np.ndarray                  # (N,) index into MOODS, -1 where it does not apply
    captions_en: list = field(default_factory=list)
    captions_zh: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.images)


# ── Distance functions (local units; the thing fits in a circle of radius 1) ───────────────────
def circle(u, v, cx, cy, r):
    return np.hypot(u - cx, v - cy) - r


def box(u, v, cx, cy, hw, hh, round_=0.0):
    qx = np.abs(u - cx) - hw + round_
    qy = np.abs(v - cy) - hh + round_
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return outside + np.minimum(np.maximum(qx, qy), 0) - round_


def ellipse(u, v, cx, cy, a, b):
    # Not exact, but close enough for a 32-pixel picture.
    return (np.hypot((u - cx) / a, (v - cy) / b) - 1.0) * min(a, b)


def segment(u, v, ax, ay, bx, by, half_width):
    pax, pay, bax, bay = u - ax, v - ay, bx - ax, by - ay
    h = np.clip((pax * bax + pay * bay) / (bax * bax + bay * bay), 0.0, 1.0)
    return np.hypot(pax - bax * h, pay - bay * h) - half_width


def polygon(u, v, points):
    """Convex polygon, counter-clockwise points: the largest distance to any edge's line."""
    d = None
    for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1]):
        nx, ny = by - ay, -(bx - ax)                      # outward normal of a CCW edge
        length = np.hypot(nx, ny)
        e = ((u - ax) * nx + (v - ay) * ny) / length
        d = e if d is None else np.maximum(d, e)
    return d


def arc(u, v, cx, cy, r, half_width, upper):
    """Half a ring: the upper or lower half of a circle, for mouths."""
    ring = np.abs(np.hypot(u - cx, v - cy) - r) - half_width
    cut = (cy - v) if upper else (v - cy)
    return np.maximum(ring, cut)


def star5(u, v, r=0.95, rf=0.45):
    k1x, k1y = 0.809016994375, -0.587785252292
    k2x, k2y = -k1x, k1y
    px, py = np.abs(u), v.copy()
    t = 2.0 * np.maximum(k1x * px + k1y * py, 0.0)
    px, py = px - t * k1x, py - t * k1y
    t = 2.0 * np.maximum(k2x * px + k2y * py, 0.0)
    px, py = np.abs(px - t * k2x), py - t * k2y - r
    bax, bay = rf * -k1y, rf * k1x - 1.0
    h = np.clip((px * bax + py * bay) / (bax * bax + bay * bay), 0.0, r)
    return np.hypot(px - bax * h, py - bay * h) * np.sign(py * bax - px * bay)


def heart(u, v):
    # iq's heart spans x in [-0.6, 0.6], y in [0, 1.1] with its tip at the origin; scale it to our unit.
    s = 1.6
    px, py = np.abs(u) / s, (v + 0.88) / s
    upper = np.hypot(px - 0.25, py - 0.75) - np.sqrt(2.0) / 4.0
    m = 0.5 * np.maximum(px + py, 0.0)
    lower = np.sqrt(np.minimum(px ** 2 + (py - 1.0) ** 2, (px - m) ** 2 + (py - m) ** 2)) * np.sign(px - py)
    return np.where(px + py > 1.0, upper, lower) * s


# ── Each kind as a list of parts: (distance, paint) where paint is "main", "dark", ... ─────────
def parts_for(kind, u, v, mood):
    """Return the parts of one kind, in painting order. mood: (B,1,1) ints for faces."""
    if kind == "face":
        mouth_happy = arc(u, v, 0.0, -0.05, 0.42, 0.075, upper=False)
        mouth_sad = arc(u, v, 0.0, -0.62, 0.36, 0.075, upper=True)
        mouth_o = np.abs(circle(u, v, 0.0, -0.38, 0.15)) - 0.07
        mouth = np.where(mood == 0, mouth_happy, np.where(mood == 1, mouth_sad, mouth_o))
        eyes = np.minimum(circle(u, v, -0.32, 0.22, 0.12), circle(u, v, 0.32, 0.22, 0.12))
        return [(circle(u, v, 0, 0, 0.9), "main"), (eyes, "dark"), (mouth, "dark")]
    if kind == "cat":
        ears = np.minimum(polygon(u, v, [(-0.78, 0.25), (-0.2, 0.5), (-0.62, 0.95)]),
                          polygon(u, v, [(0.2, 0.5), (0.78, 0.25), (0.62, 0.95)]))
        head = np.minimum(ellipse(u, v, 0, -0.1, 0.8, 0.68), ears)
        eyes = np.minimum(ellipse(u, v, -0.3, 0.02, 0.09, 0.14), ellipse(u, v, 0.3, 0.02, 0.09, 0.14))
        nose = circle(u, v, 0, -0.22, 0.07)
        au = np.abs(u)                                   # the whiskers are mirror images
        whiskers = np.minimum(segment(au, v, 0.18, -0.3, 0.95, -0.2, 0.03), segment(au, v, 0.18, -0.3, 0.95, -0.4, 0.03))
        return [(head, "main"), (eyes, "dark"), (nose, "dark"), (whiskers, "dark")]
    if kind == "fish":
        body = ellipse(u, v, -0.15, 0, 0.68, 0.42)
        tail = polygon(u, v, [(0.42, 0.0), (0.95, -0.42), (0.95, 0.42)])
        return [(np.minimum(body, tail), "main"), (circle(u, v, -0.5, 0.1, 0.09), "dark")]
    if kind == "flower":
        stem = segment(u, v, 0, 0.1, 0, -0.98, 0.065)
        leaf = ellipse(u, v, 0.2, -0.62, 0.2, 0.09)
        petals = np.minimum.reduce([circle(u, v, 0.4 * np.cos(a), 0.3 + 0.4 * np.sin(a), 0.27)
                                    for a in np.linspace(0, 2 * np.pi, 6)[:5] + np.pi / 2])
        return [(np.minimum(stem, leaf), "stem"), (petals, "main"), (circle(u, v, 0, 0.3, 0.2), "centre")]
    if kind == "tree":
        trunk = box(u, v, 0, -0.6, 0.14, 0.38)
        crown = np.minimum.reduce([circle(u, v, 0, 0.35, 0.5), circle(u, v, -0.36, 0.05, 0.4),
                                   circle(u, v, 0.36, 0.05, 0.4)])
        return [(trunk, "trunk"), (crown, "main")]
    if kind == "house":
        walls = box(u, v, 0, -0.35, 0.62, 0.5)
        roof = polygon(u, v, [(-0.85, 0.12), (0.85, 0.12), (0.0, 0.88)])
        door = box(u, v, -0.22, -0.58, 0.15, 0.27)
        window = box(u, v, 0.28, -0.25, 0.15, 0.13)
        return [(walls, "main"), (roof, "shade"), (door, "dark"), (window, "light")]
    if kind == "car":
        body = box(u, v, 0, -0.12, 0.95, 0.26, 0.1)
        cabin = box(u, v, -0.08, 0.28, 0.5, 0.24, 0.12)
        windows = np.minimum(box(u, v, -0.3, 0.3, 0.18, 0.14), box(u, v, 0.16, 0.3, 0.18, 0.14))
        wheels = np.minimum(circle(u, v, -0.55, -0.42, 0.22), circle(u, v, 0.55, -0.42, 0.22))
        return [(np.minimum(body, cabin), "main"), (windows, "light"), (wheels, "dark")]
    if kind == "star":
        return [(star5(u, v), "main")]
    if kind == "heart":
        return [(heart(u, v), "main")]
    if kind == "sun":
        # Fold every direction onto the nearest of 8 rays, then measure to that one ray.
        rho, theta = np.hypot(u, v), np.arctan2(v, u)
        theta = (theta + np.pi / 8) % (np.pi / 4) - np.pi / 8
        rays = segment(rho * np.cos(theta), rho * np.sin(theta), 0.66, 0.0, 0.95, 0.0, 0.075)
        return [(np.minimum(circle(u, v, 0, 0, 0.5), rays), "main")]
    raise ValueError(f"unknown kind {kind!r}")


# ── Rendering ───────────────────────────────────────────────────────────────────────────────────
def _grid(size):
    # Pixel centres in [-1, 1], y pointing up.
    c = (np.arange(size, dtype=np.float32) + 0.5) / size * 2.0 - 1.0
    return c[None, None, :], -c[None, :, None]          # x (1,1,W), y (1,H,1)


def _paint_colors(color_idx):
    main = np.array([RGB[COLORS[i]] for i in color_idx], np.float32)        # (B,3)
    shade = main * 0.62
    centre = np.where(np.isin(color_idx, [COLORS.index("yellow"), COLORS.index("orange")])[:, None],
                      np.array((200, 70, 40), np.float32), np.array((250, 205, 40), np.float32))
    return {"main": main, "shade": shade, "centre": centre, "dark": INK, "light": LIGHT,
            "trunk": TRUNK, "stem": STEM}


CHUNK = 256   # pictures painted at once: a 2,048-picture pool painted whole briefly took about 150 MB


def render(kind, rng, n, size=32, style="fill", colors=None, sizes=None, moods=None):
    """Draw n pictures of one kind. Returns (images uint8 (n,size,size,3), colors, sizes, moods).
    All the dice are thrown first, in one fixed order; then the pictures are painted CHUNK at a time,
    so a big pool needs little memory and the same seed still gives the same pictures."""
    colors = rng.integers(len(COLORS), size=n) if colors is None else np.asarray(colors)
    sizes = rng.integers(len(SIZES), size=n) if sizes is None else np.asarray(sizes)
    if kind == "face":
        moods = rng.integers(len(MOODS), size=n) if moods is None else np.asarray(moods)
    else:
        moods = np.full(n, -1)

    # 1. Where the thing sits: scale, centre, a little turn, and (for fish and cars) which way it faces.
    dice = {"colors": colors, "moods": moods}
    dice["scale"] = scale = np.where(sizes == 0, rng.uniform(0.42, 0.56, n), rng.uniform(0.68, 0.82, n))
    room = np.maximum(0.96 - scale, 0.0) * 0.8
    dice["cx"], dice["cy"] = rng.uniform(-1, 1, n) * room, rng.uniform(-1, 1, n) * room
    dice["angle"] = rng.uniform(-0.3, 0.3, n)
    dice["flip"] = np.where((rng.random(n) < 0.5) & np.isin(kind, ["fish", "car"]), -1.0, 1.0)
    if style == "line":   # a shaky hand: slow waves that bend the page a little
        waves = rng.uniform(0.01, 0.035, (3, n)), rng.uniform(2.0, 5.0, (3, n)), rng.uniform(0, 6.3, (3, n))
        dice["amp"], dice["freq"], dice["ph"] = (w.T for w in waves)                  # (n, 3): picture first
        dice["paper"] = rng.uniform(240, 255, (n, 1, 1, 1)).astype(np.float32)
        dice["width"] = rng.uniform(1.0, 2.4, n) * (2.0 / size) * max(size / 32, 1.0) ** 0.5   # stroke, global
        dice["pencil"] = rng.uniform(0, 70, (n, 1, 1, 1)).astype(np.float32)
    else:                 # a soft background, from a top colour to a bottom colour
        dice["top"] = rng.uniform(205, 250, (n, 3)).astype(np.float32)
        dice["bottom"] = np.clip(dice["top"] + rng.uniform(-25, 10, (n, 3)), 170, 255).astype(np.float32)

    images = np.empty((n, size, size, 3), np.uint8)
    for lo in range(0, n, CHUNK):
        images[lo:lo + CHUNK] = _paint(kind, {k: v[lo:lo + CHUNK] for k, v in dice.items()}, size, style)
    return images, colors, sizes, moods


def _paint(kind, d, size, style):
    """Paint the pictures whose dice are in d: (B, size, size, 3) uint8."""
    n = len(d["scale"])
    col = lambda a: a.astype(np.float32)[:, None, None]  # noqa: E731  (B,) -> (B,1,1)
    scale = d["scale"]
    x, y = _grid(size)
    px = 2.0 / size                                                   # one pixel, in global units
    if style == "line":
        amp, freq, ph = d["amp"].T, d["freq"].T, d["ph"].T                            # (3, B) each
        x = x + col(amp[0]) * np.sin(col(freq[0]) * y + col(ph[0]))
        y = y + col(amp[1]) * np.sin(col(freq[1]) * x + col(ph[1]))
    dx, dy = x - col(d["cx"]), y - col(d["cy"])
    ca, sa = np.cos(col(d["angle"])), np.sin(col(d["angle"]))
    u = (ca * dx + sa * dy) / col(scale) * col(d["flip"])             # (B,H,W) local coordinates
    v = (-sa * dx + ca * dy) / col(scale)

    # 2. The shapes of this kind, as distances in local units.
    parts = parts_for(kind, u, v, d["moods"][:, None, None])

    # 3. Paint: the background, then each part over it, anti-aliased over about one pixel.
    if style == "fill":
        t = (1.0 - y) / 2.0                                               # 0 at top, 1 at bottom
        img = d["top"][:, None, None, :] * (1 - t[..., None]) + d["bottom"][:, None, None, :] * t[..., None]
        img = np.broadcast_to(img, (n, size, size, 3)).copy()
        paints = _paint_colors(d["colors"])
        for dist, paint in parts:
            alpha = np.clip(0.5 - dist * col(scale) / px, 0.0, 1.0)[..., None]
            c = paints[paint]
            c = c[:, None, None, :] if c.ndim == 2 else c
            img += alpha * (c - img)
    else:
        img = np.broadcast_to(d["paper"], (n, size, size, 3)).copy()
        width, pencil = d["width"], d["pencil"]
        for dist, paint in parts:
            # Outlines for the big shapes; small dark details (eyes, mouths, whiskers) drawn solid.
            dist = dist * col(scale)
            dd = np.maximum(dist, -col(width) / 2) if paint == "dark" else np.abs(dist) - col(width) / 2
            alpha = np.clip(0.5 - dd / px, 0.0, 1.0)[..., None]
            img += alpha * (pencil - img)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def caption_en(kind, color, size, mood, variant=0):
    adjective = SIZE_EN[SIZES[size]][variant % 2]
    words = [adjective] + ([MOODS[mood]] if mood >= 0 else []) + [COLORS[color], NAME_EN[KINDS[kind]]]
    article = "an" if words[0][0] in "aeiou" else "a"
    return " ".join([article] + words)


def caption_zh(kind, color, size, mood, variant=0):
    k = KINDS[kind]
    mood_part = f"{MOOD_ZH[MOODS[mood]]}的" if mood >= 0 else ""
    if variant % 2 == 0:   # 一条小小的红色的鱼
        size_part = "小小的" if SIZES[size] == "small" else "大大的"
        return f"一{MEASURE_ZH[k]}{size_part}{mood_part}{COLOR_ZH[COLORS[color]]}的{NAME_ZH[k]}"
    size_part = "小" if SIZES[size] == "small" else "大"   # 一条红色的小鱼
    return f"一{MEASURE_ZH[k]}{mood_part}{COLOR_ZH[COLORS[color]]}的{size_part}{NAME_ZH[k]}"


def make_pictures(n, seed=0, style="fill", size=32, kinds=None, captions=True) -> Pictures:
    """n pictures of the world, shuffled. kinds: names to draw from (default: all)."""
    if n <= 0:
        raise ValueError("n must be at least 1")
    if style not in ("fill", "line"):
        raise ValueError("style must be 'fill' or 'line'")
    rng = np.random.default_rng(seed)
    allowed = [KINDS.index(k) for k in (kinds or KINDS)]
    kind_idx = np.asarray(allowed)[rng.integers(len(allowed), size=n)]
    images = np.empty((n, size, size, 3), np.uint8)
    colors, sizes, moods = (np.empty(n, np.int64) for _ in range(3))
    for k in np.unique(kind_idx):   # one vectorised batch per kind
        where = np.flatnonzero(kind_idx == k)
        images[where], colors[where], sizes[where], moods[where] = render(KINDS[k], rng, len(where), size, style)
    pics = Pictures(images, kind_idx.astype(np.int64), colors, sizes, moods)
    if captions:
        variants = rng.integers(2, size=n)
        pics.captions_en = [caption_en(*a) for a in zip(kind_idx, colors, sizes, moods, variants)]
        pics.captions_zh = [caption_zh(*a) for a in zip(kind_idx, colors, sizes, moods, variants)]
    return pics


def to_tensor_range(images: np.ndarray) -> np.ndarray:
    """uint8 (N,H,W,3) -> float32 (N,3,H,W) in [-1, 1], the range the models work in."""
    return images.astype(np.float32).transpose(0, 3, 1, 2) / 127.5 - 1.0


def from_tensor_range(x: np.ndarray) -> np.ndarray:
    """float (N,3,H,W) in [-1, 1] -> uint8 (N,H,W,3)."""
    return np.clip((np.asarray(x).transpose(0, 2, 3, 1) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


def grid(images: np.ndarray, cols: int = 8, pad: int = 2, scale: int = 1, fill: int = 255) -> np.ndarray:
    """Tile (N,H,W,3) uint8 pictures into one image, each upscaled crisply by an integer factor."""
    images = np.asarray(images)
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
    n, h, w, c = images.shape
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), fill, np.uint8)
    for i, im in enumerate(images):
        r, q = divmod(i, cols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + q * (w + pad): pad + q * (w + pad) + w] = im
    return out
