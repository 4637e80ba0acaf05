"""LambdaLR: any schedule you can write as a function of the epoch.

    lr_e = base_lr · λ(e)

One λ for all parameter groups, or a list with one λ per group. λ(0) is applied at
construction. Functions are not saved by ``state_dict()`` (they may not pickle);
callable *objects* have their ``__dict__`` saved, as in PyTorch.
"""
from __future__ import annotations

import types

from tinytorch.optim.schedulers.base import LRScheduler, check_optimizer

__all__ = ["LambdaLR"]


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
