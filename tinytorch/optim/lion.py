"""Lion: the sign of an interpolated momentum, so every coordinate moves by ±lr."""
from __future__ import annotations

import numbers

import numpy as np

from tinytorch.optim._checks import check_non_negative, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Lion", "lion_update"]


def lion_update(param, grad, exp_avg, *, lr, weight_decay, beta1, beta2,
                scratch=None):
    """One Lion step on NumPy arrays, in place."""
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    c, tmp = scratch
    param *= 1.0 - lr * weight_decay            # p = p * (1 - lr * wd)
    np.multiply(exp_avg, beta1, out=c)          # c = sign(b1 m + (1 - b1) g)
    np.multiply(grad, 1.0 - beta1, out=tmp)
    c += tmp
    np.sign(c, out=c)
    c *= lr                                     # p = p - lr * c
    param -= c
    exp_avg *= beta2                            # m = b2 * m + (1 - b2) * g
    np.multiply(grad, 1.0 - beta2, out=tmp)
    exp_avg += tmp


class Lion(Optimizer):
    r"""Lion (Chen et al., 2023), as the reference ``lion_pytorch.Lion`` 0.2.5.

    For each parameter p with gradient g:

    .. math::
        c &= \operatorname{sign}(β_1 m + (1 − β_1) g) \\
        p &= p (1 − γ λ) − γ c \\
        m &= β_2 m + (1 − β_2) g

    Only the sign is used, so every coordinate moves by exactly γ (or 0): the
    update's size is fixed, its direction comes from a momentum that looks ahead
    with β₁ and remembers with β₂. One state buffer (Adam has two). The paper
    recommends a γ 3–10× smaller and a λ 3–10× larger than AdamW's.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ > 0 (default 1e-4).
        betas: (β₁, β₂), each in [0, 1] (default (0.9, 0.99)).
        weight_decay: λ (default 0).
        decoupled_weight_decay: divide λ by the constructor's lr, so that the decay
            per step is λ·γ/γ₀ and does not grow with γ (default False).

    State per parameter: ``exp_avg`` (m).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0,
                 decoupled_weight_decay=False) -> None:
        self.init_lr = lr
        self.decoupled_weight_decay = bool(decoupled_weight_decay)
        defaults = {"lr": lr, "betas": tuple(betas) if isinstance(betas, list) else betas,
                    "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "weight_decay")
        if not group["lr"] > 0:                 # Lion's step is ±lr: 0 would do nothing
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        check_non_negative(group, "weight_decay")
        betas = group["betas"]
        if (not isinstance(betas, (tuple, list)) or len(betas) != 2
                or not all(isinstance(b, numbers.Real) and not isinstance(b, bool)
                           for b in betas)):
            raise TypeError(f"betas must be a pair (beta1, beta2) of real numbers, "
                            f"but got {betas!r}")
        for index, beta in enumerate(betas):
            if not 0.0 <= beta <= 1.0:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")

    def _update(self, param, grad, state, group) -> None:
        if "exp_avg" not in state:
            state["exp_avg"] = np.zeros_like(param)
        weight_decay = float(group["weight_decay"])
        if self.decoupled_weight_decay:
            weight_decay /= self.init_lr
        beta1, beta2 = (float(b) for b in group["betas"])
        self._elementwise(lion_update, (param, grad, state["exp_avg"]),
                          lr=float(group["lr"]), weight_decay=weight_decay,
                          beta1=beta1, beta2=beta2)
