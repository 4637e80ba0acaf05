"""RAdam: Adam that waits until its variance estimate can be trusted."""
from __future__ import annotations

import numpy as np

from tinytorch.optim._checks import check_betas, check_flags, check_non_negative, check_reals
from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["RAdam", "radam_update", "rectification"]


def rectification(step: float, beta2: float) -> float | None:
    """r_t of RAdam, or None while ρ_t ≤ 5 (too few steps to trust v).

    ρ_∞ = 2/(1 − β₂) − 1 is the length of the simple moving average that the
    EMA of v approximates; ρ_t is that length after t steps. r_t rescales the
    adaptive step so that its variance matches the one it has at t = ∞.
    """
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * beta2 ** step / (1 - beta2 ** step)
    if not rho_t > 5.0:
        return None
    return ((rho_t - 4) * (rho_t - 2) * rho_inf
            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5


def radam_update(param, grad, exp_avg, exp_avg_sq, *, step, lr, beta1, beta2, eps,
                 weight_decay, decoupled, maximize, scratch=None):
    """One RAdam step on NumPy arrays, in place (``step`` already incremented)."""
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    if decoupled and weight_decay != 0:
        param *= 1 - lr * weight_decay          # decoupled: p = p * (1 - lr * wd)
    g = effective_grad(param, grad, 0 if decoupled else weight_decay, maximize,
                       out=d, tmp=tmp)
    exp_avg *= beta1                            # m = b1 * m + (1 - b1) * g
    np.multiply(g, 1 - beta1, out=tmp)
    exp_avg += tmp
    exp_avg_sq *= beta2                         # v = b2 * v + (1 - b2) * g * g
    np.multiply(g, 1 - beta2, out=tmp)
    tmp *= g
    exp_avg_sq += tmp
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    update = np.divide(exp_avg, bias_correction1, out=d)
    update *= lr                                # u = lr * m / bc1
    rect = rectification(step, beta2)
    if rect is not None:                        # u = u * sqrt(bc2) / (sqrt(v) + eps) * r
        adaptive = np.sqrt(exp_avg_sq, out=tmp)
        adaptive += eps
        np.divide(bias_correction2 ** 0.5, adaptive, out=adaptive)
        update *= adaptive
        update *= rect
    param -= update                             # p = p - u


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2020), as ``torch.optim.RAdam``.

    For each parameter p with gradient ∇ (t = its step, from 1):

    .. math::
        g &= ±∇ + λ p  \quad (\text{or } p ← p(1 − γλ) \text{ when decoupled}) \\
        m &= β_1 m + (1 − β_1) g, \qquad v = β_2 v + (1 − β_2) g^2 \\
        ρ_∞ &= \frac{2}{1 − β_2} − 1, \qquad
        ρ_t = ρ_∞ − \frac{2 t β_2^t}{1 − β_2^t} \\
        p &= p − γ \frac{m}{1 − β_1^t} \cdot r_t \frac{\sqrt{1 − β_2^t}}{\sqrt v + ε}
             \quad \text{if } ρ_t > 5, \text{ else } p − γ \frac{m}{1 − β_1^t}

    with r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)). While ρ_t ≤ 5
    (the first 5 steps with β₂ = 0.999) it is SGD with bias-corrected momentum: a
    built-in warm-up.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        decoupled_weight_decay: AdamW-style decay (default False).
        maximize: ascend instead of descend.

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, maximize=False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas) if isinstance(betas, list) else betas,
                    "eps": eps, "weight_decay": weight_decay,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "eps", "weight_decay")
        check_betas(group)
        check_flags(group, "decoupled_weight_decay", "maximize")
        check_non_negative(group, "lr", "eps", "weight_decay")

    def _update(self, param, grad, state, group) -> None:
        if "exp_avg" not in state:
            state["step"] = 0.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        beta1, beta2 = (float(b) for b in group["betas"])
        self._elementwise(
            radam_update, (param, grad, state["exp_avg"], state["exp_avg_sq"]),
            step=state["step"], lr=float(group["lr"]), beta1=beta1, beta2=beta2,
            eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
            decoupled=bool(group["decoupled_weight_decay"]),
            maximize=bool(group["maximize"]))
