"""Warm-up shapes: start from a fraction of the base rate and return to it.

    LinearLR:    lr_e = base · (s + (f − s) · min(e, T) / T)
    ConstantLR:  lr_e = base · factor  for e < T,   base  for e ≥ T

Both step recursively (from the group's current lr), as PyTorch does, so they can
be chained with another scheduler on the same optimizer. LinearLR's recursive
factor, from e−1 to e, is

    lr_e / lr_{e−1} = 1 + (f − s) / (T·s + (e − 1)(f − s)).
"""
from __future__ import annotations

from tinytorch.optim.schedulers.base import LRScheduler, check_positive_int, group_values

__all__ = ["LinearLR", "ConstantLR"]


class LinearLR(LRScheduler):
    """Multiply the base lr by a factor moving linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs, then hold it.

    lr_e = base_lr · (start_factor + (end_factor − start_factor) · min(e, total_iters) / total_iters)

    Args:
        optimizer: the optimizer to schedule.
        start_factor: in (0, 1], default 1/3.
        end_factor: in [0, 1], default 1.0.
        total_iters: a positive int, default 5.
        last_epoch: default -1.
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        check_positive_int("total_iters", total_iters)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return group_values(self.optimizer, "lr")
        delta = self.end_factor - self.start_factor
        ratio = 1.0 + delta / (self.total_iters * self.start_factor + (self.last_epoch - 1) * delta)
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [
            base * (self.start_factor + (self.end_factor - self.start_factor) * progress)
            for base in self.base_lrs
        ]


class ConstantLR(LRScheduler):
    """Hold the lr at ``factor · base_lr`` for ``total_iters`` epochs, then restore it.

    lr_e = base_lr · factor  if e < total_iters  else  base_lr

    Args:
        optimizer: the optimizer to schedule.
        factor: in [0, 1], default 1/3.
        total_iters: a positive int, default 5.
        last_epoch: default -1.
    """

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1):
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        check_positive_int("total_iters", total_iters)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return group_values(self.optimizer, "lr")
        if self.factor == 0:  # lr was 0: nothing to divide, restore the base value
            return list(self.base_lrs)
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        restored = self.last_epoch >= self.total_iters
        return [base * (self.factor + restored * (1 - self.factor)) for base in self.base_lrs]
