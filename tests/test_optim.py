"""Our Adam is torch's Adam, without importing torch's compiler."""

import pytest
import torch

from models.optim import Adam, AdamW


def _net(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 2))


@pytest.mark.parametrize("ours, theirs, kw", [
    (Adam, torch.optim.Adam, {"lr": 2e-3, "betas": (0.5, 0.999)}),
    (AdamW, torch.optim.AdamW, {"lr": 1e-2, "weight_decay": 1e-2}),
])
def test_same_weights_as_torch_optim(ours, theirs, kw):
    a, b = _net(0), _net(0)
    opt_a, opt_b = ours(a.parameters(), **kw), theirs(b.parameters(), **kw)
    x = torch.randn(8, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    for step in range(20):
        for net, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad(set_to_none=True)
            (net(x) ** 2).mean().backward()
            opt.param_groups[0]["lr"] = kw["lr"] * (1 + step % 3) / 3           # trainers change lr
            opt.step()
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.allclose(p, q, atol=1e-6)
    assert not torch.equal(next(a.parameters()), next(_net(0).parameters()))      # it did move


def test_state_dict_carries_on_exactly_and_fits_torch():
    a, b = _net(0), _net(0)
    x = torch.randn(8, 3, 8, 8)
    opt = Adam(a.parameters(), lr=1e-2)
    for _ in range(3):
        opt.zero_grad()
        (a(x) ** 2).mean().backward()
        opt.step()
    b.load_state_dict(a.state_dict())
    again = Adam(b.parameters(), lr=1e-2)
    again.load_state_dict(opt.state_dict())
    torch.optim.Adam(b.parameters(), lr=1e-2).load_state_dict(opt.state_dict())   # torch reads ours
    for net, o in ((a, opt), (b, again)):
        o.zero_grad()
        (net(x) ** 2).mean().backward()
        o.step()
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


# That no live trainer imports torch's compiler is tests/test_model_house.py's (every chapter's, stepped once).
