"""Rprop: every weight has its own step size, grown or shrunk by the gradient's sign."""
from __future__ import annotations

import numbers

import numpy as np

from tinytorch.optim._checks import check_flags, check_non_negative, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Rprop", "rprop_update"]


def rprop_update(param, grad, prev, step_size, *, etaminus, etaplus, step_size_min,
                 step_size_max, maximize, scratch=None):
    """One Rprop step on NumPy arrays, in place."""
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    g, factor = scratch
    if maximize:
        np.negative(grad, out=g)
    else:
        np.copyto(g, grad)
    np.multiply(g, prev, out=factor)            # same sign as last time: grow the step,
    np.sign(factor, out=factor)                 # opposite sign: shrink it, zero: keep it
    factor[factor > 0] = etaplus
    factor[factor < 0] = etaminus
    factor[factor == 0] = 1
    step_size *= factor
    np.clip(step_size, step_size_min, step_size_max, out=step_size)
    g[factor == etaminus] = 0                   # after a sign change, no move this step
    np.sign(g, out=factor)                      # p = p - sign(g) * step_size
    factor *= step_size
    param -= factor
    np.copyto(prev, g)


class Rprop(Optimizer):
    r"""Resilient backpropagation (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``.

    Only the sign of the gradient is used. For each element, with its own step s
    (starting at γ):

    .. math::
        s &← \text{clip}(s · η^+, s_{\min}, s_{\max}) &&\text{if } g · g_{prev} > 0 \\
        s &← \text{clip}(s · η^-, s_{\min}, s_{\max}), \; g ← 0 &&\text{if } g · g_{prev} < 0 \\
        p &← p − \text{sign}(g) · s, \qquad g_{prev} ← g

    Meant for full-batch training: with mini-batch noise the signs flip at random.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ, the initial step size (default 1e-2).
        etas: (η⁻, η⁺) with 0 < η⁻ < 1 < η⁺ (default (0.5, 1.2)).
        step_sizes: (s_min, s_max) (default (1e-6, 50)).
        maximize: ascend instead of descend.

    State per parameter: ``step``, ``prev`` (g_prev), ``step_size`` (s).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 maximize=False) -> None:
        as_pair = lambda v: tuple(v) if isinstance(v, list) else v  # noqa: E731
        defaults = {"lr": lr, "etas": as_pair(etas), "step_sizes": as_pair(step_sizes),
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr")
        check_flags(group, "maximize")
        for name in ("etas", "step_sizes"):
            pair = group[name]
            if (not isinstance(pair, (tuple, list)) or len(pair) != 2
                    or not all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                               for v in pair)):
                raise TypeError(f"{name} must be a pair of real numbers, but got {pair!r}")
        check_non_negative(group, "lr")
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Invalid eta values: {etaminus}, {etaplus}")

    def _update(self, param, grad, state, group) -> None:
        if "prev" not in state:
            state["step"] = 0.0
            state["prev"] = np.zeros_like(param)
            state["step_size"] = np.full_like(grad, float(group["lr"]))
        state["step"] += 1
        etaminus, etaplus = (float(v) for v in group["etas"])
        smin, smax = (float(v) for v in group["step_sizes"])
        self._elementwise(
            rprop_update, (param, grad, state["prev"], state["step_size"]),
            etaminus=etaminus, etaplus=etaplus, step_size_min=smin, step_size_max=smax,
            maximize=bool(group["maximize"]))
