"""Stochastic gradient descent, with PyTorch's momentum, dampening and Nesterov."""
from __future__ import annotations

import numpy as np

from tinytorch.optim import _fused
from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._checks import check_flags, check_non_negative, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["SGD", "sgd_update"]


def sgd_update(param, grad, momentum_buffer, *, lr, momentum, dampening,
               weight_decay, nesterov, maximize, init_buffer, scratch=None):
    """One SGD step on NumPy arrays, in place (``param``, ``momentum_buffer``).

    ``momentum_buffer`` is None when ``momentum == 0``. ``init_buffer=True`` on
    the buffer's first step: it then becomes a copy of the gradient (no
    dampening). ``scratch``: two arrays shaped like ``param`` (allocated if
    None). ``grad`` is only read.
    """
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    g = effective_grad(param, grad, weight_decay, maximize, out=d, tmp=tmp)
    if momentum != 0:
        b = momentum_buffer
        if init_buffer:                         # b = g
            np.copyto(b, g)
        else:                                   # b = mu*b + (1 - dampening)*g
            b *= momentum
            if dampening != 0:
                b += np.multiply(g, 1 - dampening, out=tmp)
            else:                               # 1*g is g exactly: skip a pass
                b += g
        if nesterov:                            # g = g + mu * b
            np.multiply(b, momentum, out=tmp)
            g = np.add(g, tmp, out=d)
        else:                                   # g = b
            g = b
    np.multiply(g, lr, out=tmp)                 # p = p - lr * g
    param -= tmp


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    For each parameter p with gradient ∇ (t counts this parameter's steps):

    .. math::
        g &= -∇ \text{ if maximize else } ∇ \\
        g &= g + λ p                          && \text{if } λ ≠ 0 \\
        b &= g \text{ at } t = 1, \text{ else } μ b + (1 - τ) g   && \text{if momentum } μ ≠ 0 \\
        g &= g + μ b \text{ if nesterov else } b \\
        p &= p - γ g

    The first momentum step copies the gradient into the buffer without dampening
    τ: with dampening 0 this is heavy-ball momentum started from b = 0.

    Args:
        params: Tensors or parameter-group dicts (TinyTorch spelling ``parameters=``).
        lr: learning rate γ (TinyTorch spelling ``learning_rate=``). Default 0.01, the
            TinyTorch default; PyTorch 2.x defaults to 1e-3.
        momentum: μ ≥ 0 (default 0).
        dampening: τ, scales the gradient entering the buffer (default 0).
        weight_decay: λ ≥ 0, coupled L2 penalty added to the gradient (default 0).
        nesterov: use the Nesterov form (needs μ > 0 and τ = 0).
        maximize: ascend instead of descend.
        fused: True does each step in one compiled pass over memory (a numba
            kernel, the extra ``optimizers-executably[fast]``; ImportError without
            it). Same results as the default NumPy path to float32 round-off.

    State per parameter: ``momentum_buffer`` (only when μ ≠ 0).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=0.01, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, fused=None) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults, fused=fused)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "momentum", "dampening", "weight_decay")
        check_flags(group, "nesterov", "maximize")
        check_non_negative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update(self, param, grad, state, group) -> None:
        momentum = float(group["momentum"])
        buffer, new = None, False
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = np.empty_like(param)
                new = True
        self._elementwise(
            sgd_update, (param, grad, buffer), fused_update=_fused.sgd_step_,
            lr=float(group["lr"]), momentum=momentum, dampening=float(group["dampening"]),
            weight_decay=float(group["weight_decay"]), nesterov=bool(group["nesterov"]),
            maximize=bool(group["maximize"]), init_buffer=new)
