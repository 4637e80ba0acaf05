"""ASGD: SGD that also keeps a running average of its iterates (Polyak–Ruppert)."""
from __future__ import annotations

import numpy as np

from tinytorch.optim._checks import check_flags, check_non_negative, check_reals
from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["ASGD", "asgd_update"]


def asgd_update(param, grad, ax, *, eta, mu, lambd, weight_decay, maximize,
                scratch=None):
    """One ASGD step on NumPy arrays, in place (``eta``, ``mu``: this step's values)."""
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    g = effective_grad(param, grad, weight_decay, maximize, out=d, tmp=tmp)
    param *= 1 - lambd * eta                    # p = p * (1 - lambd * eta) - eta * g
    np.multiply(g, -eta, out=tmp)
    param += tmp
    if mu != 1:                                 # ax = ax + mu * (p - ax)
        np.subtract(param, ax, out=tmp)
        tmp *= mu
        ax += tmp
    else:                                       # (mu = 1 until step t0: ax = p)
        np.copyto(ax, param)


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky, 1992), as ``torch.optim.ASGD``.

    For each parameter p with gradient ∇ (t = its step, from 1):

    .. math::
        g &= ±∇ + λ_{wd} p \\
        p &= p (1 − λ η_t) − η_t g \\
        \bar p &= \bar p + μ_t (p − \bar p) \\
        η_{t+1} &= \frac{γ}{(1 + λ γ t)^α}, \qquad μ_{t+1} = \frac{1}{\max(1, t − t_0)}

    ``ax`` (p̄) is the average of the iterates since step t₀; evaluate a model with
    it, train with p. η and μ are float32 scalars, as in PyTorch.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ (default 1e-2).
        lambd: λ, the decay of η (default 1e-4).
        alpha: α, the power of η's decay (default 0.75).
        t0: t₀, the step where averaging starts (default 1e6).
        weight_decay: λ_wd (default 0).
        maximize: ascend instead of descend.

    State per parameter: ``step``, ``eta``, ``mu``, ``ax``.
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 *, maximize=False) -> None:
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "lambd", "alpha", "t0", "weight_decay")
        check_flags(group, "maximize")
        check_non_negative(group, "lr", "weight_decay")

    def _update(self, param, grad, state, group) -> None:
        lr = float(group["lr"])
        if "ax" not in state:
            state["step"] = 0.0
            state["eta"] = np.array(lr, dtype=np.float32)
            state["mu"] = np.array(1.0, dtype=np.float32)
            state["ax"] = np.zeros_like(param)
        state["step"] += 1
        self._elementwise(
            asgd_update, (param, grad, state["ax"]),
            eta=float(state["eta"]), mu=float(state["mu"]), lambd=float(group["lambd"]),
            weight_decay=float(group["weight_decay"]), maximize=bool(group["maximize"]))
        t, lambd = state["step"], float(group["lambd"])
        state["eta"] = np.array(lr / ((1 + lambd * lr * t) ** float(group["alpha"])),
                                dtype=np.float32)
        state["mu"] = np.array(1 / max(1, t - float(group["t0"])), dtype=np.float32)
