"""Schedules given as a function of the epoch.

    LambdaLR:          lr_e = base_lr · λ(e)
    MultiplicativeLR:  lr_e = lr_{e-1} · λ(e)      (lr_0 = base_lr)

One λ for all parameter groups, or a list with one λ per group. λ(0) is applied at
construction. Functions are not saved by ``state_dict()`` (they may not pickle);
callable *objects* have their ``__dict__`` saved, as in PyTorch.
"""
from __future__ import annotations

import types

from tinytorch.optim.schedulers.base import LRScheduler, check_optimizer

__all__ = ["LambdaLR", "MultiplicativeLR"]


class LambdaLR(LRScheduler):
    """lr_e = base_lr · lr_lambda(e).

    Args:
        optimizer: the optimizer to schedule.
        lr_lambda: a callable ``e -> factor``, or a list/tuple of them, one per group.
        last_epoch: default -1.

    Example -- linear warm-up over 5 epochs, then constant::

        LambdaLR(opt, lambda e: min(1.0, (e + 1) / 5))
    """

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        check_optimizer(optimizer)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(
                    f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
                )
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * len(optimizer.param_groups)
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]

    _not_saved = ("optimizer", "lr_lambdas")

    def state_dict(self) -> dict:
        """As the base class, plus ``lr_lambdas``: None for plain functions, the
        ``__dict__`` of callable objects."""
        state = super().state_dict()
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else dict(fn.__dict__)
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(attrs)


class MultiplicativeLR(LambdaLR):
    """lr_e = lr_{e-1} · lr_lambda(e): each step multiplies the current lr.

    With a constant factor it is ExponentialLR; unlike LambdaLR the factors
    accumulate, so ``lambda e: 0.95`` decays by 5 % every step.

    Args:
        optimizer: the optimizer to schedule.
        lr_lambda: a callable ``e -> factor``, or a list/tuple of them, one per group.
        last_epoch: default -1.
    """

    def get_lr(self) -> list:
        self._warn_if_called_outside_step()
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)]
