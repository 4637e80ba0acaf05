"""Warmup-stable-decay as the composition documented in tinytorch.optim.lr_scheduler:
its closed form, step by step (the torch parity of the same composition is in
sched_parity.json, configuration "warmup_stable_decay")."""
import numpy as np
import pytest

from tinytorch.core.tensor import Tensor
from tinytorch.optim import AdamW
from tinytorch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR


@pytest.mark.parametrize("W, S, D", [(10, 50, 30), (1, 5, 4), (5, 0, 10)])
def test_warmup_stable_decay_follows_its_closed_form(W, S, D):
    p = Tensor(np.zeros(2), requires_grad=True)
    opt = AdamW([p], lr=3e-3)
    stages = [LinearLR(opt, start_factor=0.1, total_iters=W)]
    milestones = [W]
    if S:
        stages.append(ConstantLR(opt, factor=1.0, total_iters=S))
        milestones.append(W + S)
    stages.append(LinearLR(opt, start_factor=1.0, end_factor=0.01, total_iters=D))
    wsd = SequentialLR(opt, stages, milestones=milestones)

    def closed_form(e):
        if e < W:
            return 3e-3 * (0.1 + 0.9 * e / W)
        if e < W + S:
            return 3e-3
        return 3e-3 * (1 - 0.99 * min(e - W - S, D) / D)

    for e in range(W + S + D + 5):
        assert wsd.get_last_lr()[0] == pytest.approx(closed_form(e), rel=1e-12)
        p.grad = Tensor(np.zeros(2))
        opt.step()
        wsd.step()
