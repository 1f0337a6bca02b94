"""What every view of the GAN duel shows, live, recorded or in a class duel: the drawer's pictures now,
the scoreboard, the film strip and the judge's line-up. A view is a plain dict (`view_of_trainer`,
`view_of_run`), so a class duel can publish it to the children's screens. pages/gan.py decides when."""

from __future__ import annotations

import numpy as np
import streamlit as st

from models import world
from ui import charts
from ui.i18n import t
from ui.layout import presenting
from ui.pictures import show, show_figures, show_grid

COLLAPSED, COLLAPSE_AFTER = 0.35, 300       # variety below this (1 = as varied as real), after this many rounds


def story_row(real: np.ndarray, drawn: np.ndarray) -> None:
    """Dice -> the drawer -> a drawn picture (H, W, 3) <- the judge compares it with real pictures (3, H, W, 3)."""
    dice = np.random.default_rng(3).normal(0, 1, (8, 8))
    dice = np.clip(128 + 60 * dice, 0, 255).astype(np.uint8)[..., None].repeat(3, 2)
    cols = st.columns([1, 0.8, 1, 1.6, 1.2], vertical_alignment="center")
    show(dice, caption=t("gan.story_dice"), scale=12, width="stretch", where=cols[0])
    cols[1].markdown("### →\n" + t("gan.story_drawer"), anchors=False)
    show(drawn, caption=t("gan.story_drawn"), scale=3, width="stretch", where=cols[2])
    show(world.grid(real, cols=3, pad=2, scale=3), caption=t("gan.story_real"), width="stretch", where=cols[3])
    cols[4].markdown("### ←\n" + t("gan.story_judge"), anchors=False)


def fake_row(real: np.ndarray, drawn: np.ndarray) -> None:
    """Four real and four drawn pictures ((4, H, W, 3) each), shuffled, each labelled."""
    order = np.random.default_rng(2).permutation(8)
    images, labels = np.concatenate([real, drawn])[order], np.array(["real"] * 4 + ["drawn"] * 4)[order]
    for column, image, label in zip(st.columns(8), images, labels):
        show(image, caption=t(f"gan.label_{label}"), scale=3, width="stretch", where=column)
    st.caption(t("gan.fake_caption"))


def by_column(fixed: np.ndarray, kinds: int) -> np.ndarray:
    """Fixed pictures (N, H, W, 3) come a row per kind; show a column per kind instead (wide, not tall)."""
    return fixed if kinds == 1 else fixed.reshape(kinds, -1, *fixed.shape[1:]).swapaxes(0, 1).reshape(fixed.shape)


LINEUP_EVERY = 4.0    # seconds: while the duel trains, the judge's line-up is drawn again at most this often,
SCORE_EVERY = 2.0     # and the scoreboard: what changes costs the child's browser a redraw (measured in
                      # Chromium, one visitor, 30 s: with a line-up new every tick the browser took 0.62-0.65
                      # of a core, new every 5 s 0.50; on one machine, that is time the training waits)


def view_of_trainer(trainer, judged: bool = True, slow=None) -> dict:
    """What a GANTrainer (models/gan_train.py) shows now, as copies (drawn later without the trainer's
    lock, while it goes on learning); judged=False: without the judge's line-up and the variety score
    (a class duel's window, whose class judges on its own page). slow: a LiveTraining.now_and_then, so
    the line-up and the scoreboard change at most every LINEUP_EVERY and SCORE_EVERY seconds while
    it trains (None: all of it now)."""
    fixed = trainer.draw_fixed()
    kinds = 1 if trainer.kind else len(world.KINDS)
    now = (lambda name, make, every: (trainer.steps, make())) if slow is None else slow    # noqa: E731
    view = {"round": trainer.steps, "fixed": by_column(fixed, kinds), "cols": 4 if kinds == 1 else kinds,
            "film": [(r, by_column(f, kinds)[: 4 if kinds == 1 else kinds]) for r, f in trainer.film],
            "history": now("score", lambda: {k: list(v) for k, v in trainer.history.items()}, SCORE_EVERY)[1]}
    if judged:
        view.update(lineup=now("lineup", lambda: trainer.lineup(8, seed=trainer.steps), LINEUP_EVERY)[1],
                    collapse=trainer.mode_collapse_score(fixed))
    return view


def view_of_run(run: dict, i: int) -> dict:
    """What frame `i` of a recorded duel (models/gan_train.load_run) shows."""
    kinds = len(world.KINDS)
    upto = run["history_round"] <= run["rounds"][i]
    lineup = {"images": run["lineup"][i][:8], "is_real": run["lineup_real"][i][:8],
              "verdicts": run["lineup_verdicts"][i][:8].astype(float)}
    return {"round": int(run["rounds"][i]), "fixed": by_column(run["fixed"][i], kinds), "cols": kinds,
            "film": [(int(r), by_column(f, kinds)[:kinds]) for r, f in zip(run["rounds"][: i + 1], run["fixed"][: i + 1])],
            "lineup": lineup, "collapse": float(run["collapse"][i]),
            "history": {"round": run["history_round"][upto], "real_right": run["history_real_right"][upto],
                        "drawn_right": run["history_drawn_right"][upto]}}


def game_from_run(run: dict, target: int, seed: int) -> dict:
    """Eight line-up pictures of the recorded duel's frame nearest round `target`, 3 to 5 of them drawn
    (never all one side), shuffled by `seed`: images (8, H, W, 3), is_real (8,) bool, verdicts (8,) 0..1."""
    i = int(np.argmin(np.abs(run["rounds"].astype(float) - target)))
    rng = np.random.default_rng(seed)
    real, drawn = np.flatnonzero(run["lineup_real"][i]), np.flatnonzero(~run["lineup_real"][i])
    k = int(np.clip(rng.integers(3, 6), 8 - len(real), len(drawn)))
    pick = rng.permutation(np.r_[rng.choice(drawn, k, replace=False), rng.choice(real, 8 - k, replace=False)])
    return {"images": run["lineup"][i][pick], "is_real": run["lineup_real"][i][pick],
            "verdicts": run["lineup_verdicts"][i][pick].astype(float), "round": int(run["rounds"][i])}


def game_board(g: dict, shown: bool) -> list[bool]:
    """The judge game's eight pictures, two rows of four (classroom mode: one row of eight, so the
    answers fit the projector's screen), each with a "drawn?" box; once `shown`, the truth, the child's
    guess (g["picks"]) and the judge's under each. Returns the boxes ticked now."""
    picks = []
    for row in ((range(8),) if presenting() else (range(4), range(4, 8))):
        for column, i in zip(st.columns(len(row)), row):
            show(g["images"][i], scale=4, width="stretch", where=column)     # its alt says nothing of the answer
            picks.append(column.checkbox(t("gan.game_pick"), key=f"gan-game-{g['n']}-{i}"))
            if shown:
                you, judge = g["picks"][i], g["verdicts"][i] < 0.5
                column.caption(truth(g["is_real"][i]))
                column.caption(t("gan.game_you_label", guess=t("gan.guess_drawn" if you else "gan.guess_real")) + " · "
                               + t("gan.game_judge_label", guess=t("gan.guess_drawn" if judge else "gan.guess_real")))
    return picks


def game_score(g: dict) -> None:
    """How many drawn pictures the child found (and real ones taken for drawn), and the judge."""
    drawn = ~np.asarray(g["is_real"], bool)
    for key, guess in (("gan.game_you", np.asarray(g["picks"])), ("gan.game_judge", np.asarray(g["verdicts"]) < 0.5)):
        st.markdown(t(key, found=int((guess & drawn).sum()), total=int(drawn.sum()), wrong=int((guess & ~drawn).sum())))


def verdict(p: float) -> str:
    """The judge's word on one picture; p = its probability that the picture is real, 0..1."""
    return t("gan.verdict_real", pct=round(100 * p)) if p >= 0.5 else t("gan.verdict_drawn", pct=round(100 * (1 - p)))


def truth(is_real: bool) -> str:
    return t("gan.truth_real" if is_real else "gan.truth_drawn")


def scoreboard(history: dict, titled: bool = True) -> None:
    if titled:
        st.markdown("**" + t("gan.score_title") + "**")
    if len(history["round"]) < 2:
        st.caption(t("gan.score_none"))
        return
    charts.show_lines(np.asarray(history["round"]).tolist(),
                      {t("gan.score_real"): (100 * np.asarray(history["real_right"], float)).tolist(),
                       t("gan.score_drawn"): (100 * np.asarray(history["drawn_right"], float)).tolist()},
                      x_title=t("gan.score_x"), alt_text=t("gan.score_title"), colors=["#1f6f66", "#b4441f"])
    r, d = (float(np.mean(np.asarray(history[k][-5:], float))) for k in ("real_right", "drawn_right"))
    if (r + d) / 2 > 0.8:
        st.markdown(t("gan.judge_winning"))
    elif d < 0.4:
        st.markdown(t("gan.drawer_winning"))
    else:
        st.markdown(t("gan.neck_and_neck", pct=round(50 * (r + d))))


VIEWS = ("score", "film", "lineup")        # classroom mode: what the right-hand column shows


def show_view(v: dict, place: str = "duel") -> None:
    """The drawer's pictures now and the scoreboard, the film strip, the judge's line-up. `place` names
    this view among the page's others (the live duel, the recorded replay), for its widgets' keys.
    Classroom mode: the drawer's pictures beside one of the other three, chosen by the teacher, so the
    whole view fits the projector's screen."""
    left, right = st.columns([1.1, 1], gap="large")
    with left:
        st.markdown("**" + t("gan.now_title") + "**")
        show_grid(v["fixed"], cols=v["cols"], scale=3, caption=t("gan.now_caption", round=v["round"]))
    if presenting():
        with right:
            which = st.segmented_control(t("gan.view_pick"), VIEWS, default="score", key=f"gan-view-{place}",
                                         format_func=lambda w: t(f"gan.view_{w}"), persist_state="session",
                                         label_visibility="collapsed") or "score"    # its options name it: no title
            if which == "film":
                film_part(v, place, titled=False)
            elif which == "lineup":
                lineup_part(v, place, titled=False, n=4)     # four of them, with their words, fit the screen
            else:
                score_part(v, titled=False)
        return
    with right:
        score_part(v)
    film_part(v, place)
    lineup_part(v, place)


def score_part(v: dict, titled: bool = True) -> None:
    scoreboard(v["history"], titled)
    if v["round"] >= COLLAPSE_AFTER:
        if v["collapse"] < COLLAPSED:
            st.warning(t("gan.collapse_warning"))
        else:
            st.caption(t("gan.collapse_ok"))


def film_part(v: dict, place: str, titled: bool = True) -> None:
    if titled:
        st.markdown("**" + t("gan.film_title") + "**")
    film = v["film"][-8:]
    rounds = [t("gan.film_round", round=r) for r, _ in film]              # each frame's caption and alt text
    show_figures([world.grid(frame, cols=2 if len(frame) == 4 else 5, pad=1, scale=2) for _, frame in film],
                 [[words] for words in rounds], rounds, key=f"film-{place}", cols=max(len(film), 4))   # a few frames: not 3 wide slivers


def lineup_part(v: dict, place: str, titled: bool = True, n: int = 8) -> None:
    """The first `n` pictures of the judge's line-up, each with the judge's verdict and the truth."""
    line = v["lineup"]
    if len(line["images"]) == 0:        # a class duel's child: the line-up is the judge game below
        return
    if titled:
        st.markdown("**" + t("gan.lineup_title") + "**")
    captions = [[verdict(p), truth(real) + " · " + t("gan.judge_right" if (p >= 0.5) == bool(real) else "gan.judge_wrong")]
                for real, p in zip(line["is_real"][:n], line["verdicts"][:n])]
    show_figures(line["images"][:n], captions, [truth(real) for real in line["is_real"][:n]], key=f"lineup-{place}",
                 scale=3)


# ── A class duel's window (ui/class_duel.py): one picture the children's pages fetch ─────────────
SCORE_COLORS = ((31, 111, 102), (180, 68, 31))    # the scoreboard's two lines (charts.DEFAULT_COLORS)
WINDOW_GAP = 12


def class_look(trainer) -> dict:
    """What a class duel's window shows of a GANTrainer now (hold the trainer's lock): class_window() draws it."""
    return view_of_trainer(trainer, judged=False)


def class_window(v: dict) -> tuple[np.ndarray, dict]:
    """The duel as one picture: the drawer's pictures now beside the scoreboard (judge right on real
    pictures: a solid line; on drawn ones: a dashed line; 0-100 % bottom to top, a grey line at 50 %),
    and under them the film strip's latest frames, as many as fit. Returns the picture ((H, W, 3)
    uint8) and facts for the words under it: {"round": v["round"], "film": the rounds of the frames shown}."""
    now = world.grid(v["fixed"], cols=v["cols"], pad=3, scale=3)
    h = now.shape[0]
    board = scoreboard_picture(v["history"], h, int(h * 1.1))
    top = np.full((h, now.shape[1] + WINDOW_GAP + board.shape[1], 3), 255, np.uint8)
    top[:, : now.shape[1]], top[:, now.shape[1] + WINDOW_GAP:] = now, board
    frames = [(r, world.grid(f, cols=2 if len(f) == 4 else 5, pad=1, scale=2)) for r, f in v["film"][-8:]]
    fit = [] if not frames else frames[-max(1, (top.shape[1] + WINDOW_GAP) // (frames[0][1].shape[1] + WINDOW_GAP)):]
    if not fit:
        return top, {"round": int(v["round"]), "film": []}
    fh = max(f.shape[0] for _, f in fit)
    out = np.full((h + WINDOW_GAP + fh, top.shape[1], 3), 255, np.uint8)
    out[:h] = top
    x = 0
    for _, f in fit:
        out[h + WINDOW_GAP: h + WINDOW_GAP + f.shape[0], x: x + f.shape[1]] = f
        x += f.shape[1] + WINDOW_GAP
    return out, {"round": int(v["round"]), "film": [int(r) for r, _ in fit]}


def scoreboard_picture(history: dict, h: int, w: int) -> np.ndarray:
    """The scoreboard's two lines drawn on an (h, w, 3) uint8 picture (no words: they are under it)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (w, h), (255, 253, 247))
    d = ImageDraw.Draw(image)
    m = 8
    d.rectangle([m, m, w - m, h - m], outline=(200, 196, 190), width=2)
    d.line([m, h // 2, w - m, h // 2], fill=(200, 196, 190), width=2)
    rounds = np.asarray(history["round"], float)
    if len(rounds) >= 2 and rounds[-1] > rounds[0]:
        xs = m + (rounds - rounds[0]) / (rounds[-1] - rounds[0]) * (w - 2 * m)
        for (key, color), dashed in zip(zip(("real_right", "drawn_right"), SCORE_COLORS), (False, True)):
            ys = (h - m) - np.clip(np.asarray(history[key], float), 0, 1) * (h - 2 * m)
            points = list(zip(xs.tolist(), ys.tolist()))
            if not dashed:
                d.line(points, fill=color, width=4, joint="curve")
            else:                           # a dashed line: every other 10-pixel piece along its length
                for (x0, y0), (x1, y1) in zip(points, points[1:]):
                    n = max(1, int(np.hypot(x1 - x0, y1 - y0) // 10))
                    for k in range(0, n, 2):
                        a, b = k / n, min(k + 1, n) / n
                        d.line([x0 + a * (x1 - x0), y0 + a * (y1 - y0), x0 + b * (x1 - x0), y0 + b * (y1 - y0)],
                               fill=color, width=4)
    return np.asarray(image)


def class_window_words() -> str:
    """HTML under the class duel's picture, in the reader's language: the scoreboard's key and the film
    strip's rounds (filled in by the page's script: `data-film` is the words for one round)."""
    import html

    solid, dashed = (f"rgb{c}" for c in SCORE_COLORS)
    key = (f'<span style="color:{solid};font-weight:800">━━</span> {html.escape(t("gan.score_real"))} &nbsp; '
           f'<span style="color:{dashed};font-weight:800">╍╍</span> {html.escape(t("gan.score_drawn"))}')
    return (f'<p style="margin:0.3rem 0">{key}</p>'
            f'<p style="margin:0.3rem 0">{html.escape(t("gan.film_title"))}<br>'
            f'<span data-film="{html.escape(t("gan.film_round", round="__N__"))}"></span></p>')
