"""Adamax: Adam with the infinity norm in place of the root-mean-square."""
from __future__ import annotations

import numpy as np

from tinytorch.optim._checks import check_betas, check_flags, check_non_negative, check_reals
from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Adamax", "adamax_update"]


def adamax_update(param, grad, exp_avg, exp_inf, *, step, lr, beta1, beta2, eps,
                  weight_decay, maximize, scratch=None):
    """One Adamax step on NumPy arrays, in place (``step`` already incremented)."""
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    g = effective_grad(param, grad, weight_decay, maximize, out=d, tmp=tmp)
    exp_avg *= beta1                            # m = b1 * m + (1 - b1) * g
    np.multiply(g, 1 - beta1, out=tmp)
    exp_avg += tmp
    exp_inf *= beta2                            # u = max(b2 * u, |g| + eps)
    np.abs(g, out=tmp)
    tmp += eps
    np.maximum(exp_inf, tmp, out=exp_inf)
    clr = lr / (1 - beta1 ** step)              # p = p - lr / bc1 * m / u
    np.divide(exp_avg, exp_inf, out=tmp)
    tmp *= clr
    param -= tmp


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7.1), as ``torch.optim.Adamax``.

    For each parameter p with gradient ∇ (t = its step, from 1):

    .. math::
        g &= ±∇ + λ p \\
        m &= β_1 m + (1 − β_1) g \\
        u &= \max(β_2 u, |g| + ε) \\
        p &= p − \frac{γ}{1 − β_1^t} \frac{m}{u}

    u is the limit p → ∞ of Adam's (β₂ᵖ-weighted) ℓᵖ average of past gradients:
    a decaying running maximum of the absolute gradient, which needs no bias
    correction.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_inf`` (u).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 *, maximize=False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas) if isinstance(betas, list) else betas,
                    "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "eps", "weight_decay")
        check_betas(group)
        check_flags(group, "maximize")
        check_non_negative(group, "lr", "eps", "weight_decay")

    def _update(self, param, grad, state, group) -> None:
        if "exp_avg" not in state:
            state["step"] = 0.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_inf"] = np.zeros_like(param)
        state["step"] += 1
        beta1, beta2 = (float(b) for b in group["betas"])
        self._elementwise(
            adamax_update, (param, grad, state["exp_avg"], state["exp_inf"]),
            step=state["step"], lr=float(group["lr"]), beta1=beta1, beta2=beta2,
            eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
            maximize=bool(group["maximize"]))
