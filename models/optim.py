"""Adam and AdamW, written out (Kingma & Ba 2015; decoupled weight decay: Loshchilov & Hutter 2019).

Why not torch.optim? Its first use in a process imports torch's compiler (torch._dynamo, sympy):
measured here, about 150 MB and 2 s per server, for nothing this app uses. This is the same update as
torch.optim.Adam's, done for all tensors at once as its foreach path does, with the same state_dict
layout; a test checks both give the same weights.

    m ← β1·m + (1-β1)·g          (the average gradient: which way is downhill)
    v ← β2·v + (1-β2)·g²         (the average squared gradient: how bumpy the way is)
    w ← w - lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + eps)
"""

from __future__ import annotations

import math
from typing import Iterable

import torch


class Adam:
    decoupled = False                 # AdamW: shrink the weights directly, apart from the gradient

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float = 1e-3, betas=(0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        self.param_groups = [{"params": list(params), "lr": lr, "betas": tuple(betas), "eps": eps,
                              "weight_decay": weight_decay}]
        self.state: dict[torch.nn.Parameter, dict] = {}
        self._t: dict[torch.nn.Parameter, int] = {}    # each tensor's step count, as state[p]["step"] holds it

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        # The same update for every tensor at once (torch's _foreach_ kernels, as torch.optim's
        # foreach path): one call per line below instead of one per line per tensor, which a small
        # network's round notices (here 1.3 ms a round for the GAN duel's two optimisers, about 4%).
        for group in self.param_groups:
            lr, (beta1, beta2), eps, decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            for p in params:
                if p not in self.state:
                    self.state[p] = {"step": torch.tensor(0.0),
                                     "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                                     "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format)}
            states = [self.state[p] for p in params]
            m, v = [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states]
            if decay and self.decoupled:
                torch._foreach_mul_(params, 1 - lr * decay)
            elif decay:
                grads = torch._foreach_add(grads, params, alpha=decay)
            # Each tensor's step count t is kept as a Python number too (self._t), and the state's tensors
            # are counted with one call: adding to each and reading it back was 2 torch calls per tensor,
            # 212 of a words step's ~500 (py-spy: about 4% of the time a live words step held Python's
            # lock, the lock that two visitors' training threads take turns with).
            ts = [self._t.get(p, 0) + 1 for p in params]
            self._t.update(zip(params, ts))
            torch._foreach_add_([s["step"] for s in states], 1.0)
            torch._foreach_lerp_(m, grads, 1 - beta1)
            torch._foreach_mul_(v, beta2)
            torch._foreach_addcmul_(v, grads, grads, value=1 - beta2)
            denom = torch._foreach_sqrt(v)
            torch._foreach_div_(denom, [math.sqrt(1 - beta2 ** t) for t in ts])
            torch._foreach_add_(denom, eps)
            torch._foreach_addcdiv_(params, m, denom, [-lr / (1 - beta1 ** t) for t in ts])

    # torch.optim's layout: parameters by their place in the groups, so a saved state fits a new model.
    def _params(self) -> list[torch.nn.Parameter]:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict:
        state = {i: {k: v.clone() for k, v in self.state[p].items()} for i, p in enumerate(self._params())
                 if p in self.state}
        groups, start = [], 0
        for group in self.param_groups:
            n = len(group["params"])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": list(range(start, start + n))})
            start += n
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, saved: dict) -> None:
        params = self._params()
        for group, kept in zip(self.param_groups, saved["param_groups"]):
            group.update({k: (tuple(v) if k == "betas" else v) for k, v in kept.items()
                          if k in ("lr", "betas", "eps", "weight_decay")})
        self.state = {params[int(i)]: {k: v.clone() for k, v in s.items()} for i, s in saved["state"].items()}
        self._t = {p: int(s["step"]) for p, s in self.state.items()}


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
