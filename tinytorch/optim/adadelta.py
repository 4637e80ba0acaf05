"""Adadelta: a step measured in the parameter's own units, so lr can stay 1."""
from __future__ import annotations

import numpy as np

from tinytorch.optim._checks import check_flags, check_non_negative, check_reals
from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Adadelta", "adadelta_update"]


def adadelta_update(param, grad, square_avg, acc_delta, *, lr, rho, eps, weight_decay,
                    maximize, scratch=None):
    """One Adadelta step on NumPy arrays, in place."""
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    g = effective_grad(param, grad, weight_decay, maximize, out=d, tmp=tmp)
    square_avg *= rho                           # v = rho * v + (1 - rho) * g * g
    np.multiply(g, 1 - rho, out=tmp)
    tmp *= g
    square_avg += tmp
    delta = np.add(acc_delta, eps, out=tmp)     # delta = sqrt(a + eps) * g / sqrt(v + eps)
    np.sqrt(delta, out=delta)
    delta *= g                                  # (g is not needed after this line,
    std = np.add(square_avg, eps, out=d)        #  so d can hold sqrt(v + eps))
    np.sqrt(std, out=std)
    delta /= std
    acc_delta *= rho                            # a = rho * a + (1 - rho) * delta^2
    np.multiply(delta, 1 - rho, out=d)
    d *= delta
    acc_delta += d
    delta *= lr                                 # p = p - lr * delta
    param -= delta


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    For each parameter p with gradient ∇:

    .. math::
        g &= ±∇ + λ p \\
        v &= ρ v + (1 − ρ) g^2 \\
        Δ &= \frac{\sqrt{a + ε}}{\sqrt{v + ε}} \, g \\
        a &= ρ a + (1 − ρ) Δ^2 \\
        p &= p − γ Δ

    The ratio of two root-mean-squares (of past steps over past gradients) gives
    Δ the units of p, which is why the default γ is 1.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ (default 1.0).
        rho: ρ in [0, 1] (default 0.9).
        eps: ε (default 1e-6).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.

    State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (a).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *,
                 maximize=False) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "rho", "eps", "weight_decay")
        check_flags(group, "maximize")
        check_non_negative(group, "lr")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        check_non_negative(group, "eps", "weight_decay")

    def _update(self, param, grad, state, group) -> None:
        if "square_avg" not in state:
            state["step"] = 0.0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        self._elementwise(
            adadelta_update, (param, grad, state["square_avg"], state["acc_delta"]),
            lr=float(group["lr"]), rho=float(group["rho"]), eps=float(group["eps"]),
            weight_decay=float(group["weight_decay"]), maximize=bool(group["maximize"]))
