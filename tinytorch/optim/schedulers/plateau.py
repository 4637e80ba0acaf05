"""ReduceLROnPlateau: decay when a measured metric stops improving.

After each ``step(metric)``:

    better  = metric < best·(1 − threshold)   (mode 'min', threshold_mode 'rel')
              metric < best − threshold        ('min', 'abs')
              metric > best·(1 + threshold)   ('max', 'rel')
              metric > best + threshold        ('max', 'abs')
    better → best = metric, bad = 0;   else bad += 1
    in cooldown → cooldown_counter −= 1, bad = 0
    bad > patience → every group: new = max(lr·factor, min_lr), written only if lr − new > eps;
                      then cooldown_counter = cooldown, bad = 0

Unlike the epoch-indexed schedulers it performs no step at construction and writes
no ``initial_lr``.
"""
from __future__ import annotations

import math
import warnings

from tinytorch.optim.schedulers.base import (
    EPOCH_DEPRECATION_WARNING,
    LRScheduler,
    check_optimizer,
    group_values,
)

__all__ = ["ReduceLROnPlateau"]


def _as_float(metric) -> float:
    if hasattr(metric, "item"):
        metric = metric.item()
    return float(metric)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` after more than ``patience`` epochs without improvement.

    Args:
        optimizer: the optimizer to schedule.
        mode: ``'min'`` (metric should fall, e.g. a loss) or ``'max'`` (e.g. accuracy).
        factor: the decay factor, < 1 (default 0.1).
        patience: bad epochs tolerated before decaying (default 10).
        threshold: how much better counts as better (default 1e-4).
        threshold_mode: ``'rel'`` (default) or ``'abs'``.
        cooldown: epochs to wait after a decay before counting bad epochs again (default 0).
        min_lr: a floor, one float or one per group (default 0).
        eps: decays smaller than this are ignored (default 1e-8).
    """

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr=0, eps: float = 1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        check_optimizer(optimizer)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self._init_is_better(mode, threshold, threshold_mode)
        self.factor = factor
        self.optimizer = optimizer
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = group_values(optimizer, "lr")
        self._reset()

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics, epoch=None) -> None:
        """Record one epoch's metric (a number or 1-element Tensor)."""
        current = _as_float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = group_values(self.optimizer, "lr")

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    "usually due to a new param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length of the `optimizer` param groups."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, floor in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, floor)
            if old - new > self.eps:
                group["lr"] = new

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)

    def get_lr(self) -> list:
        """The current lrs (the plateau rule has no closed form in e)."""
        return group_values(self.optimizer, "lr")
