"""Hyperparameter checks shared by the optimizers.

Each optimizer describes its valid hyperparameters in ``_check_group(group)`` with
these helpers. The range messages are PyTorch's, word for word ("Invalid learning
rate: -1"); the type messages are ours, because PyTorch's answer to ``lr="fast"``
is an unhelpful ``'<' not supported between instances of 'str' and 'float'``.

A check only reads the group; nothing here mutates anything, so a group can be
checked before the optimizer commits to using it.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_reals", "check_flags", "check_betas", "check_non_negative", "typename"]


def typename(value) -> str:
    """``float`` for builtins, ``module.Class`` otherwise (as in PyTorch's messages)."""
    cls = type(value)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _describe(value) -> str:
    return f"{type(value).__name__} {value!r}"


def check_reals(group: dict, *names: str) -> None:
    """TypeError unless every ``group[name]`` is a real number (bool excluded)."""
    for name in names:
        value = group[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, but got {_describe(value)}")


def check_flags(group: dict, *names: str) -> None:
    """TypeError unless every ``group[name]`` is True or False."""
    for name in names:
        value = group[name]
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, but got {_describe(value)}")


def check_betas(group: dict) -> None:
    """``betas`` must be a pair of reals with 0 <= beta < 1 (PyTorch's messages)."""
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2) of real numbers, but got {_describe(betas)}")
    for index, beta in enumerate(betas):
        if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
            raise TypeError(f"betas[{index}] must be a real number, but got {_describe(beta)}")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


#: PyTorch's message for each hyperparameter that must be >= 0, word for word.
RANGE_MESSAGES = {
    "lr": "Invalid learning rate: {}",
    "momentum": "Invalid momentum value: {}",
    "weight_decay": "Invalid weight_decay value: {}",
    "eps": "Invalid epsilon value: {}",
    "alpha": "Invalid alpha value: {}",
    "lr_decay": "Invalid lr_decay value: {}",
    "initial_accumulator_value": "Invalid initial_accumulator_value value: {}",
    "momentum_decay": "Invalid momentum_decay value: {}",
}


def check_non_negative(group: dict, *names: str) -> None:
    """ValueError with PyTorch's message unless every ``group[name]`` is >= 0.

    Checked in the order given, so the first invalid one is reported (NaN fails too).
    """
    for name in names:
        value = group[name]
        if not 0.0 <= value:
            raise ValueError(RANGE_MESSAGES[name].format(value))
