"""The smoothed copy of a network (an exponential moving average of its weights, EMA), with a warm-up.

After every optimiser step the copy moves a little towards the network: copy ← decay · copy + (1 − decay)
· network. It smooths out the noise of single steps, so it draws better than the network itself (as in
DDPM, Ho et al. 2020, and most GANs since Karras et al. 2018). With decay 0.999 from step 0, though, the
copy stays near the random start for thousands of steps, so at first it averages over only about the last
steps/10 steps: decay = min(decay, (1 + steps) / (10 + steps)) (the warm-up of TensorFlow's
ExponentialMovingAverage with num_updates, https://www.tensorflow.org/api_docs/python/tf/train/ExponentialMovingAverage).
"""

from __future__ import annotations

import torch


def warm_decay(decay: float, steps: int) -> float:
    """The decay to use after `steps` steps (0, 1, 2, ...): 0.1, 0.18, 0.25, ... rising to `decay`.
    decay in [0, 1); returns a value in [0.1, decay]."""
    return min(decay, (1 + steps) / (10 + steps))


@torch.no_grad()
def update(copy: torch.nn.Module, net: torch.nn.Module, decay: float, steps: int) -> None:
    """Move `copy`'s parameters towards `net`'s (same architecture) with the warmed-up decay; buffers
    (batch-norm averages) are copied as they are. `steps`: optimiser steps `net` took before this one."""
    torch._foreach_lerp_(list(copy.parameters()), list(net.parameters()), 1.0 - warm_decay(decay, steps))
    for mine, theirs in zip(copy.buffers(), net.buffers()):
        mine.copy_(theirs)
