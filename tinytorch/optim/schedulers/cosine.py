"""Cosine annealing (Loshchilov & Hutter, SGDR, 2017), with and without restarts.

    CosineAnnealingLR:            lr_e = η_min + (base − η_min) · (1 + cos(π e / T_max)) / 2
    CosineAnnealingWarmRestarts:  lr   = η_min + (base − η_min) · (1 + cos(π T_cur / T_i)) / 2,
                                  T_cur counts epochs since the last restart; at T_cur = T_i
                                  it resets to 0 and T_i ← T_i · T_mult.

CosineAnnealingLR steps with PyTorch's recursive form

    lr_e = η_min + (lr_{e−1} − η_min) · (1 + cos(π e / T_max)) / (1 + cos(π (e−1) / T_max)),

which equals the closed form while nothing else touches the lr. Past T_max the
curve keeps going: it rises again towards ``base`` over the next T_max epochs
(a period of 2·T_max), exactly as PyTorch's does.
"""
from __future__ import annotations

import math
import numbers

from tinytorch.optim.schedulers.base import LRScheduler, group_values

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


class CosineAnnealingLR(LRScheduler):
    """Cosine decay from base_lr to ``eta_min`` over ``T_max`` epochs.

    lr_e = eta_min + (base_lr − eta_min) · (1 + cos(π · e / T_max)) / 2

    Args:
        optimizer: the optimizer to schedule.
        T_max: half-period in epochs (a positive number).
        eta_min: the minimum lr (default 0).
        last_epoch: default -1.
    """

    def __init__(self, optimizer, T_max, eta_min: float = 0.0, last_epoch: int = -1):
        if isinstance(T_max, bool) or not isinstance(T_max, numbers.Real) or T_max <= 0:
            raise ValueError(f"T_max must be a positive number, but got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        e, T, eta = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if self._is_initial:
            return group_values(self.optimizer, "lr")
        if self._step_count == 1 and e > 0:  # resumed with last_epoch > 0
            return [eta + (base - eta) * (1 + math.cos(e * math.pi / T)) / 2 for base in self.base_lrs]
        if (e - 1 - T) % (2 * T) == 0:  # leaving the trough: the ratio form would divide by 0
            return [
                group["lr"] + (base - eta) * (1 - math.cos(math.pi / T)) / 2
                for base, group in zip(self.base_lrs, groups)
            ]
        ratio = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [ratio * (group["lr"] - eta) + eta for group in groups]

    def _get_closed_form_lr(self) -> list:
        e, T, eta = self.last_epoch, self.T_max, self.eta_min
        return [eta + (base - eta) * (1 + math.cos(math.pi * e / T)) / 2 for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine decay that restarts at base_lr, with periods T_0, T_0·T_mult, ...

    lr = eta_min + (base_lr − eta_min) · (1 + cos(π · T_cur / T_i)) / 2

    ``step(epoch)`` may be given a (fractional) epoch, e.g. ``epoch + i / iters`` inside
    an epoch; T_cur and T_i are then computed in closed form. This use is not deprecated.

    Args:
        optimizer: the optimizer to schedule.
        T_0: length of the first period, a positive int.
        T_mult: period multiplier after each restart, an int >= 1 (default 1).
        eta_min: the minimum lr (default 0).
        last_epoch: default -1.
    """

    def __init__(self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1):
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        shape = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * shape for base in self.base_lrs]

    def step(self, epoch=None) -> None:
        """Advance one epoch, or jump to ``epoch`` (int or float >= 0)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = group_values(self.optimizer, "lr")
