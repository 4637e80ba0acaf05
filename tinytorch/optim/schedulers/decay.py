"""Step and exponential decay: the learning rate only ever shrinks by a factor γ.

    StepLR:         lr_e = base · γ^⌊e / step_size⌋
    MultiStepLR:    lr_e = base · γ^(number of milestones m with m ≤ e)
    ExponentialLR:  lr_e = base · γ^e

(e = scheduler steps since construction; construction is e = 0.)

The recursive form each class actually steps with multiplies the group's current lr
by γ exactly at the epochs where the closed form changes. With StepLR(step_size=10)
the first decay happens on the 10th ``scheduler.step()`` (e = 10), i.e. the 11th
epoch trains with the decayed rate -- not one epoch later, as a "count, then decay
on the next call" implementation does.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter

from tinytorch.optim.schedulers.base import LRScheduler, check_positive_int, group_values

__all__ = ["StepLR", "MultiStepLR", "ExponentialLR"]


class StepLR(LRScheduler):
    """Decay every group's lr by ``gamma`` every ``step_size`` epochs.

    lr_e = base_lr · gamma^⌊e / step_size⌋

    Args:
        optimizer: the optimizer to schedule.
        step_size: period of decay, a positive int.
        gamma: multiplicative factor (default 0.1).
        last_epoch: index of the last epoch when resuming (default -1: a
            new schedule).
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1):
        check_positive_int("step_size", step_size)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        decays = self.last_epoch // self.step_size
        return [base * self.gamma ** decays for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Decay by ``gamma`` once at each milestone epoch.

    lr_e = base_lr · gamma^|{m ∈ milestones : m ≤ e}|   (a repeated milestone counts twice)

    Args:
        optimizer: the optimizer to schedule.
        milestones: epoch indices (ints); order does not matter.
        gamma: multiplicative factor (default 0.1).
        last_epoch: default -1.
    """

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, int):
                raise TypeError(f"milestones must be integers, but got {m!r}")
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        if self.last_epoch not in self.milestones:
            return group_values(self.optimizer, "lr")
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        ordered = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(ordered, self.last_epoch) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Decay by ``gamma`` every epoch: lr_e = base_lr · gamma^e.

    Args:
        optimizer: the optimizer to schedule.
        gamma: multiplicative factor per epoch.
        last_epoch: default -1.
    """

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        if self._is_initial:
            return group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]
