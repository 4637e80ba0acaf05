"""The scheduler base class: what "stepping a schedule" means.

A scheduler owns no learning rate of its own. It rewrites ``group["lr"]`` in the
optimizer's parameter groups, once per ``scheduler.step()``. The counter

    e = last_epoch = number of scheduler.step() calls since construction

starts at 0 because **construction performs the first step**: right after
``StepLR(opt, ...)`` the groups already hold the schedule's value for e = 0.

Each subclass gives ``get_lr()``, the value for the current ``e``. Like PyTorch,
most subclasses compute it *recursively* (from the group's current ``lr``), so that
several schedulers can be chained on one optimizer; where a closed form exists it is
offered as ``_get_closed_form_lr()`` and used when an explicit epoch is passed to
``step(epoch)`` (deprecated in PyTorch, kept here with the same warning).

Call order: ``optimizer.step()`` then ``scheduler.step()``. Calling the scheduler
first skips the schedule's first value; the base class warns, as PyTorch does.
"""
from __future__ import annotations

import copy
import types
import warnings

from tinytorch.optim.optimizer import Optimizer

__all__ = ["LRScheduler", "EPOCH_DEPRECATION_WARNING"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available."
)

ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)

OVERRIDE_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


def _step_function(optimizer):
    """The function behind ``optimizer.step`` (to notice if it is replaced later)."""
    step = optimizer.step
    return getattr(step, "__func__", step)


def check_optimizer(optimizer) -> None:
    """Raise TypeError unless ``optimizer`` is a tinytorch Optimizer."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def per_group(name: str, optimizer, value) -> list:
    """One value per parameter group: a scalar is repeated, a list/tuple must match."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has "
                f"{len(optimizer.param_groups)}."
            )
        return list(value)
    return [value] * len(optimizer.param_groups)


def group_values(optimizer, key: str) -> list:
    """``[group[key] for group in optimizer.param_groups]``."""
    return [group[key] for group in optimizer.param_groups]


def check_positive_int(name: str, value) -> None:
    """ValueError unless ``value`` is an int >= 1 (bool excluded)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, but got {value!r}")


class LRScheduler:
    """Base class of every epoch-indexed schedule.

    Args:
        optimizer: the tinytorch Optimizer whose ``param_groups`` are rewritten.
        last_epoch: -1 (default) starts a new schedule and records each group's
            current ``lr`` as ``group["initial_lr"]``; a value >= 0 resumes and requires
            ``initial_lr`` to be present already (KeyError otherwise).

    Attributes:
        base_lrs: ``[group["initial_lr"] ...]``, the schedule's starting values.
        last_epoch: e, the number of ``step()`` calls since construction (0 right after it).
    """

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        if last_epoch != -1:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] "
                        "when resuming scheduler with last_epoch >= 0."
                    )
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        self.base_lrs = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._optimizer_step = _step_function(optimizer)
        self._initial_step()

    # ------------------------------------------------------------------ stepping
    def _initial_step(self) -> None:
        """The step that construction performs (e: -1 -> 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self, epoch=None) -> None:
        """Advance e by one and write the schedule's value into every ``lr``.

        ``epoch`` (deprecated, warns): jump to that e using the closed form
        when the class has one.
        """
        if self._step_count == 1:
            wrapped = getattr(self, "_optimizer_step", None)
            if _step_function(self.optimizer) is not wrapped:
                warnings.warn(OVERRIDE_WARNING, UserWarning, stacklevel=2)
            elif getattr(self.optimizer, "_step_count", 1) == 0:
                warnings.warn(ORDER_WARNING, UserWarning, stacklevel=2)
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch=None) -> None:
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = group_values(self.optimizer, "lr")

    def get_lr(self) -> list:
        """The value for the current e (subclasses implement it)."""
        raise NotImplementedError

    def _warn_if_called_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, "
                "please use `get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def get_last_lr(self) -> list:
        """The learning rates written by the last step, one per parameter group."""
        return list(self._last_lr)

    # ---------------------------------------------------------------- checkpoint
    _not_saved = ("optimizer", "_optimizer_step")

    def state_dict(self) -> dict:
        """Everything but the optimizer (and functions), deep-copied: pickle it freely."""
        return {
            key: copy.deepcopy(value)
            for key, value in self.__dict__.items()
            if key not in self._not_saved and not isinstance(value, types.FunctionType)
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the attributes saved by :meth:`state_dict`."""
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"state_dict must be a dict, but got {type(state_dict).__name__}"
            )
        self.__dict__.update(copy.deepcopy(state_dict))
