"""Starting weights drawn from a trainer's own torch.Generator, never from torch's process-wide one.

PyTorch layers draw their first weights from the global generator when they are built. On a server, one
visitor's new trainer would then move every other visitor's dice, and the same seed would not give the
same network if another thread drew in between. So a trainer builds its networks, then calls
`init_parameters(net, its_generator)`, which draws them again exactly as PyTorch's defaults do
(torch.nn.Linear / Conv2d / ConvTranspose2d / Embedding reset_parameters), from that generator.
Building a layer still draws its throw-away first values from the global generator, so build inside
`untouched_global_rng()` (or use `build`), which puts the global generator back as it was
(torch.random.fork_rng, https://pytorch.org/docs/stable/random.html).

    net = seeded.build(lambda: UNet(config), trainer_rng)

Marks a layer may carry, set when the network is built:
    layer.init_zero = True      # starts at zero (e.g. the last conv of a residual block: it starts as the identity)
    embedding.init_value = 1.0  # every entry starts at this value
    embedding.init_std = 0.01   # normal(0, init_std) instead of normal(0, 1)
"""

from __future__ import annotations

import contextlib
import math
from typing import Callable, TypeVar

import torch

M = TypeVar("M", bound=torch.nn.Module)


@contextlib.contextmanager
def untouched_global_rng():
    """Whatever is drawn from torch's global generator inside, it is back as it was afterwards."""
    with torch.random.fork_rng(devices=[]):
        yield


def build(make: Callable[[], M], generator: torch.Generator) -> M:
    """`make()` a network, its first weights drawn from `generator` only (torch's global one untouched)."""
    with untouched_global_rng():
        net = make()
    init_parameters(net, generator)
    return net


@torch.no_grad()
def init_parameters(module: torch.nn.Module, generator: torch.Generator) -> None:
    """Re-draw every Linear, Conv and Embedding weight (and bias) of `module` from `generator`, in place.
    Other layers (norms, their ones and zeros) keep the values they were built with."""
    for m in module.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            if getattr(m, "init_zero", False):
                m.weight.zero_()
                if m.bias is not None:
                    m.bias.zero_()
                continue
            torch.nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
            if m.bias is not None:
                fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(m.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                m.bias.uniform_(-bound, bound, generator=generator)
        elif isinstance(m, torch.nn.Embedding):
            if hasattr(m, "init_value"):
                m.weight.fill_(m.init_value)
            else:
                m.weight.normal_(0.0, getattr(m, "init_std", 1.0), generator=generator)
                if m.padding_idx is not None:
                    m.weight[m.padding_idx].zero_()
