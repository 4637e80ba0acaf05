"""Schedule-free AdamW: average the iterates instead of decaying the learning rate."""
from __future__ import annotations

import numbers

import numpy as np

from tinytorch.optim._checks import check_betas, check_flags, check_non_negative, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["AdamWScheduleFree", "schedule_free_update"]

NOT_IN_TRAIN_MODE = (
    "Optimizer was not in train mode when step is called. Please insert .train() and "
    ".eval() calls on the optimizer. See documentation for details."
)


def lerp_(start, end, weight, tmp):
    """start ← start + weight·(end − start), in place, computed as ``torch.lerp`` does
    (from whichever end is nearer, so weight 1 gives ``end`` exactly)."""
    np.subtract(end, start, out=tmp)
    if weight < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1 - weight
        np.subtract(end, tmp, out=start)


def schedule_free_update(y, grad, z, exp_avg_sq, *, lr, ckp1, beta1, beta2,
                         bias_correction2, eps, weight_decay, scratch=None):
    """One schedule-free AdamW step, in place; y is the parameter."""
    if scratch is None:
        scratch = np.empty_like(y), np.empty_like(y)
    u, tmp = scratch
    exp_avg_sq *= beta2                         # v = b2 * v + (1 - b2) * g * g
    np.multiply(grad, 1 - beta2, out=tmp)
    tmp *= grad
    exp_avg_sq += tmp
    # u = g / (sqrt(v / bc2) + eps) + wd * y
    denom = np.divide(exp_avg_sq, bias_correction2, out=tmp)
    np.sqrt(denom, out=denom)
    denom += eps
    np.divide(grad, denom, out=u)
    if weight_decay != 0:
        np.multiply(y, weight_decay, out=tmp)
        u += tmp
    lerp_(y, z, ckp1, tmp)                      # y = y + ckp1 * (z - y)
    np.multiply(u, lr * (beta1 * (1 - ckp1) - 1), out=tmp)
    y += tmp                                    # y += lr (b1 (1 - ckp1) - 1) u
    u *= lr                                     # z = z - lr * u
    z -= u


class AdamWScheduleFree(Optimizer):
    r"""Schedule-free AdamW (Defazio et al., 2024), as ``schedulefree.AdamWScheduleFree`` 1.4.1.

    Three sequences share one buffer each: z (the SGD-like iterate), x (the
    average of the z's, the weights to evaluate) and y (where the gradient is
    taken, and what the parameter holds while training). With step k (from 1),
    γ_k = γ·min(1, k/warmup), weights :math:`w_k = k^r γ_{max}^{p}` and
    :math:`c_k = w_k / \sum_{i ≤ k} w_i`:

    .. math::
        v &= β_2 v + (1 − β_2) g^2, \qquad
        u = \frac{g}{\sqrt{v / (1 − β_2^k)} + ε} + λ y \\
        z &← z − γ_k u \\
        x &← (1 − c_k) x + c_k z \\
        y &= (1 − β_1) z + β_1 x

    (the code updates y directly; x is recovered by :meth:`eval`). No learning-rate
    schedule is needed: the averaging does the annealing. Call :meth:`train` before
    training steps and :meth:`eval` before evaluating or saving.

    Args:
        params: Tensors or parameter-group dicts.
        lr: γ (default 0.0025).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        warmup_steps: linear warm-up of γ over this many steps (default 0).
        r: the power of k in the averaging weights (default 0).
        weight_lr_power: p, the power of γ_max in the weights (default 2).

    Each group also carries the algorithm's counters under the reference's names:
    ``k``, ``train_mode``, ``weight_sum``, ``lr_max``, ``scheduled_lr``. State per
    parameter: ``z``, ``exp_avg_sq`` (v).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0) -> None:
        defaults = {"lr": lr, "betas": tuple(betas) if isinstance(betas, list) else betas,
                    "eps": eps, "r": r, "k": 0, "warmup_steps": warmup_steps,
                    "train_mode": False, "weight_sum": 0.0, "lr_max": -1.0,
                    "scheduled_lr": 0.0, "weight_lr_power": weight_lr_power,
                    "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "eps", "weight_decay", "r", "weight_lr_power",
                    "weight_sum", "lr_max", "scheduled_lr")
        check_betas(group)
        check_flags(group, "train_mode")
        for name in ("k", "warmup_steps"):
            value = group[name]
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, but got {value!r}")
        check_non_negative(group, "lr", "eps", "weight_decay")

    def _switch(self, to_train: bool) -> None:
        for group in self.param_groups:
            if bool(group["train_mode"]) == to_train:
                continue
            beta1 = float(group["betas"][0])
            weight = 1 - beta1 if to_train else 1 - 1 / beta1
            for param in group["params"]:
                state = self.state.get(param, {})
                if "z" in state:             # p = p + weight * (z - p)
                    p = param.numpy()
                    lerp_(p, state["z"], weight, np.empty_like(p))
            group["train_mode"] = to_train

    def train(self) -> None:
        """Parameters hold y (where gradients are taken): call before training."""
        self._switch(True)

    def eval(self) -> None:
        """Parameters hold x (the average): call before evaluating or saving."""
        self._switch(False)

    def step(self, closure=None):
        """One step; raises (changing nothing) unless the optimizer is in train mode."""
        if not self.param_groups[0]["train_mode"]:
            raise RuntimeError(NOT_IN_TRAIN_MODE)
        loss = closure() if closure is not None else None
        work = self._checked_work()
        for group in self.param_groups:
            k = int(group["k"])
            warmup = int(group["warmup_steps"])
            sched = (k + 1) / warmup if k < warmup else 1.0
            beta1, beta2 = (float(b) for b in group["betas"])
            lr = float(group["lr"]) * sched
            group["scheduled_lr"] = lr
            lr_max = group["lr_max"] = max(lr, float(group["lr_max"]))
            weight = ((k + 1) ** float(group["r"])) * (lr_max ** float(group["weight_lr_power"]))
            weight_sum = group["weight_sum"] = float(group["weight_sum"]) + weight
            ckp1 = weight / weight_sum if weight_sum != 0 else 0
            for owner, param, grad in work:
                if owner is not group:
                    continue
                state = self.state[param]
                if "z" not in state:
                    state["z"] = param.numpy().copy()
                    state["exp_avg_sq"] = np.zeros_like(param.numpy())
                if not grad.flags.c_contiguous:
                    grad = np.ascontiguousarray(grad)
                self._elementwise(
                    schedule_free_update, (param.numpy(), grad, state["z"], state["exp_avg_sq"]),
                    lr=lr, ckp1=ckp1, beta1=beta1, beta2=beta2,
                    bias_correction2=1 - beta2 ** (k + 1), eps=float(group["eps"]),
                    weight_decay=float(group["weight_decay"]))
            group["k"] = k + 1
        self._step_count += 1
        return loss
