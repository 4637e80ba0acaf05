"""RMSprop: divide the gradient by a running root-mean-square of its history."""
from __future__ import annotations

import numpy as np

from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._checks import check_flags, check_non_negative, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["RMSprop", "rmsprop_update"]


def rmsprop_update(param, grad, square_avg, grad_avg, momentum_buffer, *, lr,
                   alpha, eps, weight_decay, momentum, centered, maximize,
                   scratch=None):
    """One RMSprop step on NumPy arrays, in place.

    ``grad_avg`` is used only when ``centered``, ``momentum_buffer`` only when
    ``momentum > 0`` (it starts at zeros). ``scratch``: two arrays shaped like
    ``param`` (allocated if None). ``grad`` is only read.
    """
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    g = effective_grad(param, grad, weight_decay, maximize, out=d, tmp=tmp)
    square_avg *= alpha                         # v = a * v + (1 - a) * g * g
    np.multiply(g, 1 - alpha, out=tmp)
    tmp *= g
    square_avg += tmp
    if centered:
        grad_avg *= alpha                       # gbar = a * gbar + (1 - a) * g
        np.multiply(g, 1 - alpha, out=tmp)
        grad_avg += tmp
        np.multiply(grad_avg, grad_avg, out=tmp)
        avg = np.subtract(square_avg, tmp, out=tmp)
        np.sqrt(avg, out=avg)                   # avg = sqrt(v - gbar^2) + eps
    else:                                       # avg = sqrt(v) + eps
        avg = np.sqrt(square_avg, out=tmp)
    avg += eps
    if momentum > 0:
        momentum_buffer *= momentum             # b = mu * b + g / avg
        momentum_buffer += np.divide(g, avg, out=tmp)
        np.multiply(momentum_buffer, lr, out=tmp)   # p = p - lr * b
        param -= tmp
    else:
        step = np.divide(g, avg, out=tmp)       # p = p - lr * g / avg
        step *= lr
        param -= step


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012), as ``torch.optim.RMSprop``.

    For each parameter p with gradient ∇:

    .. math::
        g &= -∇ \text{ if maximize else } ∇ \\
        g &= g + λ p                                   && \text{if } λ ≠ 0 \\
        v &= α v + (1 - α) g^2 \\
        a &= \sqrt{v - \bar g^2} + ε, \quad \bar g = α \bar g + (1 - α) g   && \text{if centered} \\
        a &= \sqrt{v} + ε                                && \text{otherwise} \\
        b &= μ b + g / a, \quad p = p - γ b              && \text{if momentum } μ > 0 \\
        p &= p - γ g / a                                 && \text{otherwise}

    Args:
        params: Tensors or parameter-group dicts (TinyTorch spelling ``parameters=``).
        lr: learning rate γ (default 1e-2; TinyTorch spelling ``learning_rate=``).
        alpha: smoothing constant α ≥ 0 (default 0.99).
        eps: ε ≥ 0 (default 1e-8; TinyTorch spelling ``epsilon=``).
        weight_decay: λ ≥ 0, L2 penalty added to the gradient (default 0).
        momentum: μ ≥ 0 (default 0).
        centered: normalize by an estimate of the gradient's variance (default False).
        maximize: ascend instead of descend.

    State per parameter: ``step``, ``square_avg`` (v), ``grad_avg`` (ḡ, when
    centered) and ``momentum_buffer`` (b, when μ > 0).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False) -> None:
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                    "momentum": momentum, "centered": centered, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "alpha", "eps", "weight_decay", "momentum")
        check_flags(group, "centered", "maximize")
        check_non_negative(group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def _update(self, param, grad, state, group) -> None:
        momentum, centered = float(group["momentum"]), bool(group["centered"])
        state.setdefault("step", 0.0)
        buffers = ("square_avg",) + (("momentum_buffer",) if momentum > 0 else ()) \
            + (("grad_avg",) if centered else ())
        for name in buffers:
            if name not in state:
                state[name] = np.zeros_like(param)
        state["step"] += 1
        self._elementwise(
            rmsprop_update, (param, grad, state["square_avg"], state.get("grad_avg"),
                             state.get("momentum_buffer")),
            lr=float(group["lr"]), alpha=float(group["alpha"]), eps=float(group["eps"]),
            weight_decay=float(group["weight_decay"]), momentum=momentum,
            centered=centered, maximize=bool(group["maximize"]))
