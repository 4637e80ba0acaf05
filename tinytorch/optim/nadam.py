"""NAdam: Adam whose momentum looks one step ahead, as Nesterov's does."""
from __future__ import annotations

import numpy as np

from tinytorch.optim._checks import check_betas, check_flags, check_non_negative, check_reals
from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["NAdam", "nadam_update"]


def nadam_update(param, grad, exp_avg, exp_avg_sq, *, grad_coef, avg_coef,
                 bias_correction2, beta1, beta2, eps, weight_decay, decoupled,
                 lr, maximize, scratch=None):
    """One NAdam step on NumPy arrays, in place.

    ``grad_coef`` = −lr·(1 − μ_t)/(1 − Π_t) and
    ``avg_coef`` = −lr·μ_{t+1}/(1 − Π_{t+1}) depend on the step only: the
    caller computes them once per parameter.
    """
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    if decoupled and weight_decay != 0:
        param *= 1 - lr * weight_decay          # decoupled: p = p (1 - lr wd)
    g = effective_grad(param, grad, 0 if decoupled else weight_decay, maximize,
                       out=d, tmp=tmp)
    exp_avg *= beta1                            # m = b1 * m + (1 - b1) * g
    np.multiply(g, 1 - beta1, out=tmp)
    exp_avg += tmp
    exp_avg_sq *= beta2                         # v = b2 * v + (1 - b2) * g * g
    np.multiply(g, 1 - beta2, out=tmp)
    tmp *= g
    exp_avg_sq += tmp
    denom = np.divide(exp_avg_sq, bias_correction2, out=tmp)
    np.sqrt(denom, out=denom)                   # denom = sqrt(v / bc2) + eps
    denom += eps
    if g is not d:                              # d holds g (grad is read-only)
        np.copyto(d, g)
    d *= grad_coef                              # p = p + grad_coef * g / denom
    d /= denom
    param += d
    np.multiply(exp_avg, avg_coef, out=d)       #     + avg_coef * m / denom
    d /= denom
    param += d


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    For each parameter p with gradient ∇ (t = its step, from 1), with the
    momentum schedule :math:`μ_t = β_1 (1 − \tfrac12 \, 0.96^{t ψ})`
    (ψ = ``momentum_decay``) and its running product :math:`Π_t = μ_1 ⋯ μ_t`:

    .. math::
        g &= ±∇ + λ p  \quad (\text{or } p ← p(1 − γλ) \text{ when decoupled}) \\
        m &= β_1 m + (1 − β_1) g, \qquad v = β_2 v + (1 − β_2) g^2 \\
        p &= p − γ \frac{1 − μ_t}{1 − Π_t} \frac{g}{d}
               − γ \frac{μ_{t+1}}{1 − Π_{t+1}} \frac{m}{d},
        \qquad d = \sqrt{v / (1 − β_2^t)} + ε

    The first term is the gradient's own share of the look-ahead, the second the
    momentum's, each bias-corrected by the product of the μ's.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        momentum_decay: ψ (default 4e-3).
        decoupled_weight_decay: AdamW-style decay (default False).
        maximize: ascend instead of descend.

    State per parameter: ``step``, ``mu_product`` (:math:`Π_t`, a float32 scalar
    as in PyTorch), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *,
                 maximize=False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas) if isinstance(betas, list) else betas,
                    "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "eps", "weight_decay", "momentum_decay")
        check_betas(group)
        check_flags(group, "decoupled_weight_decay", "maximize")
        check_non_negative(group, "lr", "eps", "weight_decay", "momentum_decay")

    def _update(self, param, grad, state, group) -> None:
        if "exp_avg" not in state:
            state["step"] = 0.0
            state["mu_product"] = np.array(1.0, dtype=np.float32)
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        t = state["step"]
        beta1, beta2 = (float(b) for b in group["betas"])
        lr, psi = float(group["lr"]), float(group["momentum_decay"])
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        # PyTorch keeps Π_t in a float32 scalar tensor: multiply in float32.
        state["mu_product"] = np.array(state["mu_product"] * np.float32(mu))
        product = float(state["mu_product"])
        self._elementwise(
            nadam_update, (param, grad, state["exp_avg"], state["exp_avg_sq"]),
            grad_coef=-lr * (1.0 - mu) / (1.0 - product),
            avg_coef=(-lr * mu_next) / (1.0 - product * mu_next),
            bias_correction2=1 - beta2 ** t, beta1=beta1, beta2=beta2,
            eps=float(group["eps"]), weight_decay=float(group["weight_decay"]),
            decoupled=bool(group["decoupled_weight_decay"]), lr=lr,
            maximize=bool(group["maximize"]))
