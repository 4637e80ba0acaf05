"""Adagrad: divide by the root of the sum of every squared gradient so far."""
from __future__ import annotations

import numpy as np

from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._checks import check_flags, check_non_negative, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Adagrad", "adagrad_update"]


def adagrad_update(param, grad, state_sum, *, step, lr, lr_decay, weight_decay,
                   eps, maximize, scratch=None):
    """One Adagrad step on NumPy arrays, in place (``param`` and ``state_sum``).

    ``step`` is this parameter's step number t, already incremented (1 on the
    first step). ``scratch``: two arrays shaped like ``param`` (allocated if
    None). ``grad`` is only read.
    """
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    g = effective_grad(param, grad, weight_decay, maximize, out=d, tmp=tmp)
    clr = lr / (1 + (step - 1) * lr_decay)      # decayed learning rate
    state_sum += np.multiply(g, g, out=tmp)     # s = s + g * g
    std = np.sqrt(state_sum, out=tmp)           # p = p - clr*g/(sqrt(s) + eps)
    std += eps
    update = np.divide(g, std, out=tmp)
    update *= clr
    param -= update


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011), as ``torch.optim.Adagrad``.

    For each parameter p with gradient ∇ (t = this parameter's step, from 1):

    .. math::
        g &= -∇ \text{ if maximize else } ∇ \\
        g &= g + λ p                              && \text{if } λ ≠ 0 \\
        \tilde γ &= γ / (1 + (t - 1) η) \\
        s &= s + g^2 \\
        p &= p - \tilde γ \, g / (\sqrt{s} + ε)

    s starts at ``initial_accumulator_value``. As in PyTorch, the state of every
    parameter is created when the optimizer is constructed.

    Args:
        params: Tensors or parameter-group dicts (TinyTorch spelling ``parameters=``).
        lr: learning rate γ (default 1e-2; TinyTorch spelling ``learning_rate=``).
        lr_decay: η ≥ 0 (default 0).
        weight_decay: λ ≥ 0, L2 penalty added to the gradient (default 0).
        initial_accumulator_value: starting value of s, ≥ 0 (default 0).
        eps: ε ≥ 0 (default 1e-10; TinyTorch spelling ``epsilon=``).
        maximize: ascend instead of descend.

    State per parameter: ``step`` and ``sum`` (s).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "maximize": maximize}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self._init_state(self.state[param], param.numpy(), group)

    @staticmethod
    def _init_state(state: dict, param, group: dict) -> None:
        state.setdefault("step", 0.0)
        if "sum" not in state:
            state["sum"] = np.full_like(param, float(group["initial_accumulator_value"]))

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
        check_flags(group, "maximize")
        check_non_negative(group, "lr", "lr_decay", "weight_decay",
                           "initial_accumulator_value", "eps")

    def _update(self, param, grad, state, group) -> None:
        self._init_state(state, param, group)
        state["step"] += 1
        self._elementwise(
            adagrad_update, (param, grad, state["sum"]),
            step=state["step"], lr=float(group["lr"]), lr_decay=float(group["lr_decay"]),
            weight_decay=float(group["weight_decay"]), eps=float(group["eps"]),
            maximize=bool(group["maximize"]))
