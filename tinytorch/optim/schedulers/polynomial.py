"""PolynomialLR: decay to zero along (1 − e/T)^p over T steps, then stay there.

    lr_e = base_lr · (1 − min(e, T) / T)^p

p = 1 is a straight line to zero (the "linear decay" of many recipes); p = 2 drops
fast early and flattens near the end. At e = T the lr is exactly 0.
"""
from __future__ import annotations

from tinytorch.optim.schedulers.base import LRScheduler, group_values

__all__ = ["PolynomialLR"]


class PolynomialLR(LRScheduler):
    """lr_e = base_lr · (1 − min(e, total_iters) / total_iters)^power.

    Args:
        optimizer: the optimizer to schedule.
        total_iters: T, the steps to decay over (default 5).
        power: p (default 1.0, a linear decay).
        last_epoch: default -1.
    """

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        e, T = self.last_epoch, self.total_iters
        if self._is_initial or e > T:
            return group_values(self.optimizer, "lr")
        # the ratio of two consecutive closed-form values
        factor = ((1.0 - e / T) / (1.0 - (e - 1) / T)) ** self.power
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        T = self.total_iters
        return [base * (1.0 - min(T, self.last_epoch) / T) ** self.power
                for base in self.base_lrs]
