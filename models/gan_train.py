"""Training the GAN duel: the trainer (one round = one `step()`) and the recorded run of a long duel.

    real pictures (uint8, kept small) ──► batch ─┐
    noise z + the same kinds ──► generator ──► fake ┴─► discriminator ──► 1. D learns (d_loss)  2. G learns (g_loss)

A page, the command line and the tests all drive `GANTrainer` through `engine.train` or by calling
`step()` themselves. Every random number comes from the trainer's own generator, so two visitors (or
two tests) in one process never disturb each other and the same seed gives the same duel.
"""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path

import numpy as np
import torch

from . import ema, engine, seeded, weights_io, world
from .gan import (N_KINDS, WEIGHTS, GANConfig, discriminator_loss, draw, generator_loss, make_discriminator,
                  make_generator)
from .optim import Adam
from .world import kind_index

MODES = ("both", "generator", "discriminator")   # who learns in a round: both, or only one of the two
FILM_ROUNDS = (0, 10, 50, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)   # the film strip's frames
HISTORY_EVERY = 10            # the scoreboard keeps one averaged point per this many rounds


def make_data(kind=None, n=2000, seed=0) -> world.Pictures:
    """The real pictures the discriminator sees. Kept as uint8: a float copy would be four times bigger."""
    return world.make_pictures(n, seed=10_000 + seed, kinds=[kind] if kind else None, captions=False)


@contextlib.contextmanager
def batch_norm_momentum(module: torch.nn.Module, momentum: float):
    """Set how fast batch norm's running averages follow each batch (0: not at all, 1: at once)."""
    norms = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.momentum = momentum
    try:
        yield
    finally:
        for m, old in zip(norms, saved):
            m.momentum = old


class GANTrainer:
    """One duel. `kind`: a name from world.KINDS, or None for all ten kinds at once.

    `pictures` lets a server share one frozen set of real pictures between visitors (it is only read).
    """

    def __init__(self, config: GANConfig | None = None, kind: str | None = None, seed: int = 0,
                 data_size: int | None = None, pictures: world.Pictures | None = None):
        self.config = config = config or GANConfig.live()
        self.kind = kind
        self.seed = seed
        self.steps = 0
        self.mode = "both"                     # one of MODES: who learns in the next rounds
        self.rng = torch.Generator().manual_seed(seed)    # every random number of this duel, and no other

        # 1. The two players, and a smoothed copy of the generator if asked for.
        self.G = seeded.build(lambda: make_generator(config), self.rng)     # models/seeded.py
        self.D = seeded.build(lambda: make_discriminator(config), self.rng)
        self.G_ema = copy.deepcopy(self.G).eval() if config.ema > 0 else None
        self.opt_g = Adam(self.G.parameters(), lr=config.lr_g, betas=tuple(config.betas))
        self.opt_d = Adam(self.D.parameters(), lr=config.lr_d, betas=tuple(config.betas))

        # 2. Real pictures: a view of the uint8 array, no copy.                # (N, 3, 32, 32) uint8
        pics = pictures if pictures is not None else make_data(kind, data_size or config.data_size, seed)
        self.real_images = torch.from_numpy(pics.images).permute(0, 3, 1, 2)
        self.real_kinds = torch.from_numpy(pics.kinds)
        self._of_kind = [torch.nonzero(self.real_kinds == k).squeeze(1) for k in range(N_KINDS)]
        self._caught = torch.full((N_KINDS,), 0.5)     # per kind: how often its discriminator catches fakes
        self._turn = 0
        self._owns_data = pictures is None

        # 3. Fixed noise: the same seeds every snapshot, so one picture can be followed as it improves.
        kinds = [kind_index(kind)] if kind else list(range(N_KINDS))
        self.fixed_kinds = torch.tensor(kinds).repeat_interleave(config.n_fixed)  # kind-major: row per kind
        self.fixed_noise = torch.randn(len(self.fixed_kinds), config.z_dim, generator=self.rng)
        self._real_spread = self._spread(self._real_sample(config.n_fixed))

        # 4. What a page shows: the scoreboard's history and the film strip.
        self.history = {k: [] for k in ("round", "d_loss", "g_loss", "real_right", "drawn_right")}
        self._sums, self._count = np.zeros(4), 0
        self.film: list[tuple[int, np.ndarray]] = [(0, self.draw_fixed())]

    # ── One round of the duel ─────────────────────────────────────────────────────────────────
    def _batch(self):
        if self.config.per_kind and self.kind is None:          # a pair per kind: the kinds take turns,
            # and a kind whose generator keeps getting caught gets up to three times as many turns.
            self._turn = int(torch.multinomial(0.5 + self._caught, 1, generator=self.rng))
            pile = self._of_kind[self._turn]
            idx = pile[torch.randint(len(pile), (self.config.batch,), generator=self.rng)]
        else:
            idx = torch.randint(len(self.real_images), (self.config.batch,), generator=self.rng)
        real = self.real_images[idx].float() / 127.5 - 1.0                       # (B, 3, 32, 32)
        return real, self.real_kinds[idx]

    def step(self) -> dict:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        G, D = self.G, self.D
        if self.config.slow_down:
            scale = 1.0 / (1.0 + self.steps / self.config.slow_down)
            for opt, lr in ((self.opt_g, self.config.lr_g), (self.opt_d, self.config.lr_d)):
                for group in opt.param_groups:
                    group["lr"] = lr * scale
        real, kinds = self._batch()
        z = torch.randn(len(kinds), self.config.z_dim, generator=self.rng)            # (B, z)
        train_d, train_g = self.mode in ("both", "discriminator"), self.mode in ("both", "generator")

        # 1. The discriminator: maximise log D(x) + log(1 - D(G(z))).
        with torch.set_grad_enabled(train_g):
            fake = G(z, kinds)                                                    # (B, 3, 32, 32)
        with torch.set_grad_enabled(train_d):
            real_s, fake_s = D(real, kinds), D(fake.detach(), kinds)             # (B,), (B,)
            d_loss = discriminator_loss(real_s, fake_s, self.config.real_label)
        if train_d:
            self.opt_d.zero_grad(set_to_none=True)
            loss = d_loss
            if self.config.r1 and self.steps % self.config.r1_every == 0:
                loss = loss + self.config.r1_every * self.config.r1 / 2 * self._steepness(real, kinds)
            loss.backward()
            self.opt_d.step()

        # 2. The generator: maximise log D(G(z)) against the discriminator as it is now.
        if train_g:
            # The discriminator's own weights stay as they are here, so its gradients are not even
            # computed: only the way back through it to the generator (about a tenth less work a round).
            D.requires_grad_(False)
            try:
                g_loss = generator_loss(D(fake, kinds))
                self.opt_g.zero_grad(set_to_none=True)
                g_loss.backward()
            finally:
                D.requires_grad_(True)
            self.opt_g.step()
            if self.G_ema is not None:       # the smoothed copy, warmed up (models/ema.py)
                ema.update(self.G_ema, self.G, self.config.ema, self.steps)
        else:
            g_loss = generator_loss(fake_s)

        self.steps += 1
        metrics = {"d_loss": float(d_loss.detach()), "g_loss": float(g_loss.detach()),
                   "real_right": float((real_s > 0).float().mean()),       # D says "real" to real ones
                   "drawn_right": float((fake_s < 0).float().mean())}      # D says "fake" to fakes
        if self.config.per_kind and self.kind is None:
            self._caught[self._turn] += 0.02 * (metrics["drawn_right"] - self._caught[self._turn])
        self._record(metrics)
        return metrics

    def _steepness(self, real, kinds):
        # R1 (Mescheder et al. 2018): how steeply the discriminator's score changes around real pictures,
        # |d score / d picture|^2. Kept small, D cannot swing wildly and the duel settles.
        x = real.detach().requires_grad_(True)
        grad, = torch.autograd.grad(self.D(x, kinds).sum(), x, create_graph=True)     # (B, 3, 32, 32)
        return grad.pow(2).sum((1, 2, 3)).mean()

    def _record(self, metrics):
        self._sums += [metrics[k] for k in ("d_loss", "g_loss", "real_right", "drawn_right")]
        self._count += 1
        if self.steps % HISTORY_EVERY == 0:
            self.history["round"].append(self.steps)
            for k, v in zip(("d_loss", "g_loss", "real_right", "drawn_right"), self._sums / self._count):
                self.history[k].append(float(v))
            self._sums[:], self._count = 0, 0
        if self.steps in FILM_ROUNDS:
            self.film.append((self.steps, self.draw_fixed()))

    # ── What a page (or a test) looks at ──────────────────────────────────────────────────────
    @property
    def drawing_generator(self) -> torch.nn.Module:
        """The generator that draws the pictures shown: the smoothed copy when there is one."""
        return self.G_ema if self.G_ema is not None else self.G

    @torch.no_grad()
    def draw_fixed(self) -> np.ndarray:
        """The generator's pictures for the fixed noise: uint8 (n_fixed * kinds, 32, 32, 3), a row per kind."""
        return draw(self.drawing_generator, len(self.fixed_kinds), kinds=self.fixed_kinds, seed=0,
                    z=self.fixed_noise)[0]

    def sample(self, n: int, kind=None, seed: int = 0) -> np.ndarray:
        """n fresh pictures, uint8 (n, 32, 32, 3). kind=None: this duel's kind (or random kinds)."""
        kind = kind if kind is not None else self.kind
        return draw(self.drawing_generator, n, kind=kind, seed=seed)[0]

    @torch.no_grad()
    def discriminator_verdicts(self, images: np.ndarray, kinds=None) -> np.ndarray:
        """How sure the discriminator is that each picture is real: (N,) in [0, 1]. images: uint8
        (N, 32, 32, 3); kinds: (N,) or None for this duel's kind (ValueError if the duel has all kinds)."""
        x = torch.from_numpy(world.to_tensor_range(np.asarray(images)))          # (N, 3, 32, 32)
        # In training D sees real and fake pictures in separate batches, each normalised by its own
        # averages. To score pictures one by one, first take the averages of a batch of real ones with
        # D as it is now, then score every picture against those (eval mode).
        was_training = self.D.training
        if kinds is None:
            if self.kind is None:
                raise ValueError("say which kinds the pictures are: this duel has all kinds")
            kinds = np.full(len(x), kind_index(self.kind))
        n = self.config.batch                     # the first real pictures (no draw from self.rng: viewing
        if self.config.per_kind:                  # the duel must not change the duel); a D per kind
            idx = torch.cat([self._of_kind[k][:n] for k in np.unique(kinds)])      # gets its own kind's
        else:
            idx = torch.arange(min(n, len(self.real_images)))
        real = self.real_images[idx].float() / 127.5 - 1.0
        with batch_norm_momentum(self.D, 1.0):
            self.D.train()(real, self.real_kinds[idx])
        self.D.eval()
        verdicts = torch.sigmoid(self.D(x, torch.as_tensor(np.asarray(kinds), dtype=torch.long))).numpy()
        self.D.train(was_training)
        return verdicts

    def real_pictures(self, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """n real pictures from the discriminator's pile and their kinds."""
        idx = torch.randperm(len(self.real_images), generator=torch.Generator().manual_seed(seed))[:n]
        return self.real_images[idx].permute(0, 2, 3, 1).numpy().copy(), self.real_kinds[idx].numpy()

    def lineup(self, n: int = 8, seed: int = 0) -> dict:
        """Real and generated pictures shuffled together, with the truth and the discriminator's verdicts."""
        rs = np.random.default_rng(seed)
        n_drawn = int(rs.integers(max(1, n // 4), n - max(1, n // 4) + 1))     # never all one side
        real, real_kinds = self.real_pictures(n - n_drawn, seed=seed)
        if self.kind is None:
            drawn, drawn_kinds = draw(self.drawing_generator, n_drawn, seed=seed + 1)
        else:
            drawn, drawn_kinds = draw(self.drawing_generator, n_drawn, kind=self.kind, seed=seed + 1)
        images = np.concatenate([real, drawn])
        kinds = np.concatenate([real_kinds, drawn_kinds])
        is_real = np.r_[np.ones(len(real), bool), np.zeros(n_drawn, bool)]
        order = rs.permutation(n)
        images, kinds, is_real = images[order], kinds[order], is_real[order]
        return {"images": images, "kinds": kinds, "is_real": is_real,
                "verdicts": self.discriminator_verdicts(images, kinds)}

    def _real_sample(self, per_kind: int) -> np.ndarray:
        kinds = self.fixed_kinds.unique()
        picks = [torch.nonzero(self.real_kinds == k).squeeze(1)[:per_kind] for k in kinds]
        return self.real_images[torch.cat(picks)].permute(0, 2, 3, 1).numpy()

    def _spread(self, images: np.ndarray) -> float:
        """How different same-kind pictures are from each other: mean distance, on 8x8 blurred copies."""
        x = torch.from_numpy(world.to_tensor_range(images))
        x = torch.nn.functional.avg_pool2d(x, 4).flatten(1)                 # (N, 192)
        per_kind = x.view(-1, self.config.n_fixed, x.shape[1])                  # (K, n, 192)
        d = torch.cdist(per_kind, per_kind)                                  # (K, n, n)
        n = per_kind.shape[1]
        return float(d.sum() / (len(per_kind) * n * (n - 1)))

    def mode_collapse_score(self, fixed: np.ndarray | None = None) -> float:
        """Variety of the generator's fixed-noise pictures relative to real ones: about 1 is healthy; near 0
        means "the generator keeps making the same picture" (mode collapse). Low at round 0 too: an
        untrained generator makes grey mush everywhere."""
        return self._spread(self.draw_fixed() if fixed is None else fixed) / self._real_spread

    def memory_bytes(self) -> int:
        """Bytes this duel holds: weights, gradients, Adam's two averages, the smoothed copy, its pictures."""
        nets = engine.parameter_bytes(self.G, self.D)
        buffers = sum(b.numel() * b.element_size() for b in list(self.G.buffers()))
        ema = engine.parameter_bytes(self.G_ema) if self.G_ema is not None else 0
        data = self.real_images.numel() if self._owns_data else 0
        film = sum(f.nbytes for _, f in self.film)
        return 4 * nets + buffers + ema + data + film

    # ── Weights ─────────────────────────────────────────────────────────────────────────────────
    def state_dict(self, half: bool = False) -> dict:
        """half=True is the shipping format (models/weights_io.py): fp16, and the smoothed generator only
        (a duel that goes on from it starts both copies from the smoothed one), which keeps the file small."""
        state = (lambda m: weights_io.half(m.state_dict())) if half else \
            (lambda m: {k: v.clone() for k, v in m.state_dict().items()})
        out = {"config": self.config.to_dict(), "kind": self.kind or "", "steps": self.steps,
               "discriminator": state(self.D)}
        if self.G_ema is not None:
            out["generator_ema"] = state(self.G_ema)
        if self.G_ema is None or not half:
            out["generator"] = state(self.G)
        return out

    def load_state_dict(self, saved: dict) -> None:
        saved = weights_io.full(saved)
        generator = saved.get("generator") or saved["generator_ema"]
        self.G.load_state_dict(generator)
        self.D.load_state_dict(saved["discriminator"])
        if self.G_ema is not None:
            self.G_ema.load_state_dict(saved.get("generator_ema") or generator)
        self.steps = int(saved.get("steps", 0))
        self.film = [(self.steps, self.draw_fixed())]


# ── The recorded run: snapshots of a long duel, replayed by a page with no training at all ────
RUN_ROUNDS = (0, 10, 50, 100, 200, 500, 1000, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 40000,
              50000, 75000, 100000)


class Recorder:
    """A callback for `engine.train`-style loops: call `maybe(trainer)` after every round."""

    def __init__(self, lineup_size: int = 16):
        self.lineup_size = lineup_size
        self.rounds, self.fixed, self.lineups, self.collapse = [], [], [], []

    def maybe(self, trainer: GANTrainer, force: bool = False) -> None:
        if (trainer.steps in RUN_ROUNDS or force) and trainer.steps not in self.rounds:
            self.rounds.append(trainer.steps)
            self.fixed.append(trainer.draw_fixed())
            self.lineups.append(trainer.lineup(self.lineup_size, seed=trainer.steps))
            self.collapse.append(trainer.mode_collapse_score())

    def save(self, path, trainer: GANTrainer) -> None:
        h = trainer.history
        np.savez_compressed(
            path,
            kind=np.array(trainer.kind or ""),
            rounds=np.array(self.rounds),                                   # (S,)
            fixed=np.stack(self.fixed),                                     # (S, F, 32, 32, 3) uint8
            fixed_kinds=trainer.fixed_kinds.numpy(),                        # (F,)
            lineup=np.stack([line["images"] for line in self.lineups]),           # (S, L, 32, 32, 3) uint8
            lineup_kinds=np.stack([line["kinds"] for line in self.lineups]),      # (S, L)
            lineup_real=np.stack([line["is_real"] for line in self.lineups]),     # (S, L) bool
            lineup_verdicts=np.stack([line["verdicts"] for line in self.lineups]).astype(np.float16),
            collapse=np.array(self.collapse, np.float32),                   # (S,)
            history_round=np.array(h["round"], np.int32),                   # (H,) the scoreboard
            **{f"history_{k}": np.array(h[k], np.float16) for k in ("d_loss", "g_loss", "real_right", "drawn_right")})


def run_path(weights) -> Path:
    """Where the recorded run of a training that writes `weights` goes: <stem>_run.npz beside it."""
    weights = Path(weights)
    return weights.with_name(weights.stem + "_run.npz")


def load_run(path=None) -> dict:
    """The recorded run as a dict of arrays (see Recorder.save)."""
    path = Path(path) if path is not None else run_path(WEIGHTS)
    with np.load(path) as f:
        return {k: f[k] for k in f.files}
