"""Adafactor: Adam's second moment for an n×m matrix in n + m numbers, not n·m."""
from __future__ import annotations

import numbers

import numpy as np

from tinytorch.optim._checks import check_flags, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Adafactor", "adafactor_update"]


def _norm(x: np.ndarray, axis: int) -> np.ndarray:
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=True))


def _rms(x: np.ndarray) -> float:
    """‖x‖₂ / √(number of elements)."""
    return float(np.sqrt(np.sum(x * x))) / (x.size ** 0.5)


def adafactor_update(param, grad, row_var, col_var, variance, *, step, lr,
                     beta2_decay, eps1, eps2, d, weight_decay, maximize):
    """One Adafactor step on NumPy arrays, in place (``step`` incremented).

    A matrix (ndim > 1) keeps ``row_var`` (…, n, 1) and ``col_var`` (…, 1, m):
    running means of g² over each row and each column; their outer product
    divided by their mean is the rank-1 estimate of v. Anything else keeps
    ``variance``.
    """
    g = -grad if maximize else grad
    one_minus_beta2 = step ** beta2_decay      # 1 − β₂ₜ = t^(beta2_decay)
    rho = min(lr, 1 / step ** 0.5)             # relative step size
    alpha = max(eps2, _rms(param)) * rho       # ... times the parameter's RMS
    if weight_decay != 0:
        param *= 1 - lr * weight_decay
    if g.ndim > 1:
        # (squared norms over a row / column, as PyTorch computes them)
        row_mean = _norm(g, axis=-1) ** 2 / g.shape[-1]
        row_var += one_minus_beta2 * (row_mean - row_var)
        col_mean = _norm(g, axis=-2) ** 2 / g.shape[-2]
        col_var += one_minus_beta2 * (col_mean - col_var)
        estimate = row_var @ col_var           # (…, n, 1) @ (…, 1, m): rank one
        estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
    else:
        variance += one_minus_beta2 * (g * g - variance)
        estimate = variance.copy()
    update = 1 / np.sqrt(np.maximum(estimate, eps1 * eps1))
    update *= g
    denom = max(1.0, _rms(update) / d)         # clip the update's RMS at d
    param -= (alpha / denom) * update


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018), as ``torch.optim.Adafactor``.

    For each parameter p with gradient g (t = its step, from 1), with
    :math:`1 − β_{2,t} = t^{c}` (c = ``beta2_decay`` ≤ 0) and
    :math:`ρ_t = \min(γ, 1/\sqrt t)`:

    .. math::
        α &= \max(ε_2, \mathrm{RMS}(p)) \, ρ_t \\
        R &← R + t^c (\mathrm{mean}_{cols}(g^2) − R), \quad
        C ← C + t^c (\mathrm{mean}_{rows}(g^2) − C) \\
        \hat v &= R C / \mathrm{mean}(R) \quad (\text{a vector keeps } v ← v + t^c(g^2 − v)) \\
        u &= g / \sqrt{\max(\hat v, ε_1^2)} \\
        p &← p (1 − γλ) − \frac{α}{\max(1, \mathrm{RMS}(u)/d)} u

    No first moment, and for an n×m matrix the second moment costs n + m numbers
    instead of n·m. The step is relative to the size of p itself.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ, the cap on the relative step ρ_t (default 1e-2).
        beta2_decay: c (default −0.8).
        eps: (ε₁, ε₂) (default (None, 1e-3); ε₁ None means the dtype's machine epsilon).
        d: clipping threshold ≥ 1 on RMS(u) (default 1.0).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.

    State per parameter: ``step``, and ``row_var`` + ``col_var`` (a matrix) or
    ``variance`` (anything else).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, maximize=False) -> None:
        defaults = {"lr": lr, "beta2_decay": beta2_decay,
                    "eps": tuple(eps) if isinstance(eps, list) else eps, "d": d,
                    "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "beta2_decay", "d", "weight_decay")
        check_flags(group, "maximize")
        eps = group["eps"]
        if (not isinstance(eps, (tuple, list)) or len(eps) != 2
                or not (eps[0] is None or isinstance(eps[0], numbers.Real))
                or not isinstance(eps[1], numbers.Real)):
            raise TypeError(f"eps must be a pair (eps1 or None, eps2), but got {eps!r}")
        # PyTorch's messages, word for word.
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Learning rate should be >= 0 but is: {group['lr']}")
        if not 0.0 >= group["beta2_decay"]:
            raise ValueError(f"beta2_decay should be <= 0 but is: {group['beta2_decay']}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= group["d"]:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {group['d']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"weight_decay should be >= 0 but is: {group['weight_decay']}")

    def _state_shape(self, name: str, shape: tuple) -> tuple:
        if name == "row_var":
            return tuple(shape[:-1]) + (1,)
        if name == "col_var":
            return tuple(shape[:-2]) + (1, shape[-1])
        return super()._state_shape(name, shape)

    def _update(self, param, grad, state, group) -> None:
        if "step" not in state:
            state["step"] = 0.0
            if grad.ndim > 1:
                state["row_var"] = np.zeros(self._state_shape("row_var", grad.shape), grad.dtype)
                state["col_var"] = np.zeros(self._state_shape("col_var", grad.shape), grad.dtype)
            else:
                state["variance"] = np.zeros_like(grad)
        state["step"] += 1
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(param.dtype).eps)
        adafactor_update(
            param, grad, state.get("row_var"), state.get("col_var"), state.get("variance"),
            step=state["step"], lr=float(group["lr"]), beta2_decay=float(group["beta2_decay"]),
            eps1=float(eps1), eps2=float(eps2), d=float(group["d"]),
            weight_decay=float(group["weight_decay"]), maximize=bool(group["maximize"]))
