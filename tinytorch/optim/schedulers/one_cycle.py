"""OneCycleLR: the 1cycle policy (Smith & Topin, "Super-Convergence", 2019).

With n = total_steps and p = pct_start, in PyTorch's (default, two-phase) form:

    phase 1, e ∈ [0, p·n − 1]:   lr   anneals  max_lr/div_factor  →  max_lr
                                  mom  anneals  max_momentum       →  base_momentum
    phase 2, e ∈ (p·n − 1, n − 1]: lr   anneals  max_lr  →  max_lr/div_factor/final_div_factor
                                  mom  anneals  base_momentum  →  max_momentum

with   anneal_cos(a, b, t)    = b + (a − b)·(1 + cos(π t))/2,
       anneal_linear(a, b, t) = a + (b − a)·t,
and t the fraction of the current phase completed. Momentum moves opposite to the
learning rate: SGD's ``momentum``, or ``betas[0]`` for Adam-like optimizers.

``three_phase=True`` adds a symmetric descent back to the initial lr before the
final annihilation phase (fastai's original shape). The schedule is defined for
e = 0 .. total_steps; one more ``step()`` raises ValueError (and changes nothing).
"""
from __future__ import annotations

import math

from tinytorch.optim.schedulers.base import LRScheduler, check_optimizer, per_group

__all__ = ["OneCycleLR"]


def anneal_cos(start: float, end: float, pct: float) -> float:
    """Cosine from ``start`` (pct = 0) to ``end`` (pct = 1)."""
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def anneal_linear(start: float, end: float, pct: float) -> float:
    """Straight line from ``start`` (pct = 0) to ``end`` (pct = 1)."""
    return (end - start) * pct + start


_ANNEAL = {"cos": anneal_cos, "linear": anneal_linear}


def _phases(total_steps: int, pct_start: float, three_phase: bool) -> list:
    up_end = float(pct_start * total_steps) - 1
    if three_phase:
        return [
            dict(end_step=up_end, start_lr="initial_lr", end_lr="max_lr",
                 start_momentum="max_momentum", end_momentum="base_momentum"),
            dict(end_step=float(2 * pct_start * total_steps) - 2, start_lr="max_lr",
                 end_lr="initial_lr", start_momentum="base_momentum", end_momentum="max_momentum"),
            dict(end_step=total_steps - 1, start_lr="initial_lr", end_lr="min_lr",
                 start_momentum="max_momentum", end_momentum="max_momentum"),
        ]
    return [
        dict(end_step=up_end, start_lr="initial_lr", end_lr="max_lr",
             start_momentum="max_momentum", end_momentum="base_momentum"),
        dict(end_step=total_steps - 1, start_lr="max_lr", end_lr="min_lr",
             start_momentum="base_momentum", end_momentum="max_momentum"),
    ]


class OneCycleLR(LRScheduler):
    """The 1cycle learning-rate (and inverse momentum) policy, stepped once per batch.

    Args:
        optimizer: the optimizer to schedule.
        max_lr: peak lr, a float or one per group.
        total_steps: number of steps in the cycle; or give ``epochs`` and ``steps_per_epoch``.
        pct_start: fraction of the cycle spent increasing the lr (float in [0, 1], default 0.3).
        anneal_strategy: ``'cos'`` (default) or ``'linear'``.
        cycle_momentum: cycle SGD's ``momentum`` / Adam's ``betas[0]`` inversely (default True).
        base_momentum, max_momentum: the momentum range (defaults 0.85, 0.95).
        div_factor: initial_lr = max_lr / div_factor (default 25).
        final_div_factor: min_lr = initial_lr / final_div_factor (default 1e4).
        three_phase: use the three-phase shape (default False).
        last_epoch: default -1.

    Construction writes ``initial_lr``, ``max_lr``, ``min_lr`` (and ``max_momentum``,
    ``base_momentum``) into every group; all arguments are checked before that.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        # ---- validate everything first: nothing below may fail half-way
        check_optimizer(optimizer)
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            n = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(
                    f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}"
                )
            n = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in _ANNEAL:
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', "
                f"instead got {anneal_strategy}"
            )
        phases = _phases(n, pct_start, three_phase)
        for i, phase in enumerate(phases):
            start = phases[i - 1]["end_step"] if i else 0.0
            if phase["end_step"] == start:
                raise ValueError(
                    f"OneCycleLR phase {i + 1} of {len(phases)} would have zero length with "
                    f"pct_start={pct_start} and total_steps={n}; choose another pct_start"
                )
        max_lrs = per_group("max_lr", optimizer, max_lr)
        if cycle_momentum:
            groups = optimizer.param_groups
            if not all("momentum" in g for g in groups) and not all("betas" in g for g in groups):
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            max_momentums = per_group("max_momentum", optimizer, max_momentum)
            base_momentums = per_group("base_momentum", optimizer, base_momentum)
        if last_epoch != -1:
            for i, group in enumerate(optimizer.param_groups):
                missing = [k for k in ("initial_lr", "max_lr", "min_lr") if k not in group]
                if missing:
                    raise KeyError(
                        f"param '{missing[0]}' is not specified in param_groups[{i}] "
                        "when resuming scheduler with last_epoch >= 0."
                    )

        # ---- then configure
        self.total_steps = n
        self._schedule_phases = phases
        self._anneal_func_type = anneal_strategy
        self.cycle_momentum = cycle_momentum
        if last_epoch == -1:
            for group, peak in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        if cycle_momentum:
            self.use_beta1 = all("betas" in g for g in optimizer.param_groups)
            if last_epoch == -1:
                for group, m_max, m_base in zip(optimizer.param_groups, max_momentums, base_momentums):
                    self._set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict, value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def step(self, epoch=None) -> None:
        """Advance one step; ValueError past ``total_steps`` (nothing is changed then)."""
        target = self.last_epoch + 1 if epoch is None else epoch
        if target > self.total_steps:
            raise ValueError(
                f"Tried to step {target} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        super().step(epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        anneal = _ANNEAL[self._anneal_func_type]
        e = self.last_epoch
        if e > self.total_steps:
            raise ValueError(
                f"Tried to step {e} times. The specified number of total "
                f"steps is {self.total_steps}"
            )
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if e <= end_step or i == last:
                    pct = (e - start_step) / (end_step - start_step)
                    lrs.append(anneal(group[phase["start_lr"]],
                                      group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, anneal(
                            group[phase["start_momentum"]],
                            group[phase["end_momentum"]], pct))
                    break
                start_step = phase["end_step"]
        return lrs
