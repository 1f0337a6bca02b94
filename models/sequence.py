"""The next-token game shared by the tune maker (models/music.py) and the writer (models/text_gen.py).

Both read one long stream of tokens (every tune or line, one after another) and learn to guess the
next token from the ones before it. One training step:

    stream (T,) ──► B random windows of L+1 tokens (B, L+1)
                    inputs = window[:, :-1] ──► model ──► scores (B, L, V)
                    targets = window[:, 1:]            cross-entropy(scores, targets) ──► Adam step

Next-token prediction with teacher forcing: Bengio et al. 2003, "A Neural Probabilistic Language
Model"; char-rnn, Karpathy 2015.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .optim import Adam


def windows(length: int, window: int, batch: int, gen: torch.Generator) -> torch.Tensor:
    """Positions of `batch` random windows of window + 1 tokens in a stream of `length` tokens:
    (batch, window + 1) long, each row consecutive. Raises ValueError if the stream is too short."""
    if length < window + 2:
        raise ValueError(f"a stream of {length} tokens is too short for windows of {window}")
    starts = torch.randint(length - window - 1, (batch,), generator=gen)
    return starts[:, None] + torch.arange(window + 1)


def learn(model: nn.Module, opt: Adam, scores: torch.Tensor, targets: torch.Tensor,
          clip: float = 1.0) -> float:
    """One optimiser step on the next-token loss. scores: (B, L, V) from `model`; targets: (B, L) long
    in 0..V-1. Gradients are clipped to norm `clip`. Returns the loss (mean cross-entropy, nats)."""
    loss = F.cross_entropy(scores.reshape(-1, scores.shape[-1]), targets.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss.item()
