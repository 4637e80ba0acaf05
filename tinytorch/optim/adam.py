"""Adam: momentum on the gradient, scaled by a running root-mean-square."""
from __future__ import annotations

import numpy as np

from tinytorch.optim import _fused
from tinytorch.optim._effective_grad import effective_grad
from tinytorch.optim._checks import check_betas, check_flags, check_non_negative, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Adam", "adam_update"]


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, step, lr,
                beta1, beta2, eps, weight_decay, amsgrad, maximize,
                decoupled_weight_decay=False, scratch=None):
    """One Adam (or AdamW) step on NumPy arrays, in place.

    ``step`` is this parameter's step number t, already incremented (1 on the
    first step). ``max_exp_avg_sq`` is only used (and updated) when
    ``amsgrad``. ``decoupled_weight_decay=True`` is AdamW. ``scratch``: two
    arrays shaped like ``param`` (allocated if None). ``grad`` is only read.
    """
    if scratch is None:
        scratch = np.empty_like(param), np.empty_like(param)
    d, tmp = scratch
    if decoupled_weight_decay and weight_decay != 0:
        param *= 1 - lr * weight_decay          # AdamW: p = p * (1 - lr * wd)
    coupled_decay = 0 if decoupled_weight_decay else weight_decay
    g = effective_grad(param, grad, coupled_decay, maximize, out=d, tmp=tmp)
    exp_avg *= beta1                            # m = b1 * m + (1 - b1) * g
    np.multiply(g, 1 - beta1, out=tmp)
    exp_avg += tmp
    exp_avg_sq *= beta2                         # v = b2 * v + (1 - b2) * g * g
    np.multiply(g, 1 - beta2, out=tmp)
    tmp *= g
    exp_avg_sq += tmp
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    v = exp_avg_sq
    if amsgrad:                                 # vmax = max(vmax, v)
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        v = max_exp_avg_sq
    denom = np.sqrt(v, out=tmp)                 # denom = √v / √bc2 + eps
    denom /= bias_correction2 ** 0.5
    denom += eps
    update = np.divide(exp_avg, denom, out=tmp) # p = p - (lr / bc1) * m / denom
    update *= step_size
    param -= update


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), as ``torch.optim.Adam``.

    For each parameter p with gradient ∇ (t = this parameter's step, from 1):

    .. math::
        g &= -∇ \text{ if maximize else } ∇ \\
        g &= g + λ p                                  && \text{if } λ ≠ 0 \\
        m &= β_1 m + (1 - β_1) g \\
        v &= β_2 v + (1 - β_2) g^2 \\
        \hat v &= \max(\hat v, v) \text{ and use } \hat v \text{ for } v  && \text{if amsgrad} \\
        p &= p - \frac{γ}{1 - β_1^t} \cdot \frac{m}{\sqrt{v} / \sqrt{1 - β_2^t} + ε}

    ε is added *after* the bias-corrected square root (PyTorch's order); AMSGrad
    keeps the maximum of the raw, uncorrected v.

    Args:
        params: Tensors or parameter-group dicts (TinyTorch spelling ``parameters=``).
        lr: learning rate γ (default 1e-3; TinyTorch spelling ``learning_rate=``).
        betas: (β1, β2), each in [0, 1) (default (0.9, 0.999); TinyTorch spellings
            ``beta1=``, ``beta2=``).
        eps: ε ≥ 0 (default 1e-8; TinyTorch spelling ``epsilon=``).
        weight_decay: λ ≥ 0, coupled L2 penalty added to the gradient (default 0).
        amsgrad: use the AMSGrad variant (default False).
        maximize: ascend instead of descend.
        decoupled_weight_decay: decay p by p·(1 − γλ) instead (this is AdamW).
        fused: True does each step in one compiled pass over memory (a numba
            kernel, the extra ``optimizers-executably[fast]``; ImportError without
            it). Same results as the default NumPy path to float32 round-off.

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    amsgrad, ``max_exp_avg_sq``.
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False, fused=None) -> None:
        defaults = {"lr": lr, "betas": tuple(betas) if isinstance(betas, list) else betas,
                    "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults, fused=fused)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "eps", "weight_decay")
        check_betas(group)
        check_flags(group, "amsgrad", "maximize", "decoupled_weight_decay")
        check_non_negative(group, "lr", "eps", "weight_decay")

    def _update(self, param, grad, state, group) -> None:
        amsgrad = bool(group["amsgrad"])
        state.setdefault("step", 0.0)
        for name in ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ()):
            if name not in state:
                state[name] = np.zeros_like(param)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        self._elementwise(
            adam_update, (param, grad, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")),
            fused_update=_fused.adam_step_,
            step=state["step"], lr=float(group["lr"]), beta1=float(beta1), beta2=float(beta2),
            eps=float(group["eps"]), weight_decay=float(group["weight_decay"]), amsgrad=amsgrad,
            maximize=bool(group["maximize"]), decoupled_weight_decay=bool(group["decoupled_weight_decay"]))
