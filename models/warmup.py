"""Torch's one-time costs, paid once per process before any visitor trains (ui/warmup.py calls it at
server start; the benchmark too, to measure what a visitor adds). It sits apart from engine.py, which
is only the loop and knows no chapter: this file knows them all.
"""

from __future__ import annotations

import dataclasses

import torch

from .diffusion import DiffusionConfig, DiffusionTrainer
from .gan import GANConfig
from .gan_train import GANTrainer
from .matcher import MatcherTrainer


def warm_up() -> None:
    """Pay torch's one-time costs now, once per process, so a child pressing Start does not: a server
    calls this at start (ui/warmup.py). The first backward pass of each kind of layer reads its code
    from disk (measured here: about 30 MB). One step of a tiny copy of each chapter's trainer pays it;
    the copies are thrown away, and later trainers share what was loaded (and the matching chapter's
    picture bank and text table, drawn once per process for every visitor). (torch.optim is not used at
    all: its first use imported torch's compiler, 150 MB more; models/optim.py is the same Adam.)"""
    with torch.random.fork_rng():                  # leave the visitors' random numbers alone
        tiny = DiffusionTrainer(dataclasses.replace(DiffusionConfig.live(), width=8, batch=4, pool=16), kind="cat")
        tiny.step()
        tiny.sample(2, steps=2)
        duel = GANTrainer(dataclasses.replace(GANConfig.live(), width=4, batch=4, data_size=16), kind="cat")
        duel.step()
        duel.draw_fixed()
        MatcherTrainer(seed=0).step()              # the pages' shared picture bank and text table (~1.3 s)
