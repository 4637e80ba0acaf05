"""The optimizers' mathematics as plain functions of NumPy arrays.

Each ``*_update`` function applies one step of one algorithm to one parameter. It
mutates its array arguments in place (``param`` and the state buffers) with
``out=`` ufuncs, reads ``grad`` without changing it, and takes every
hyperparameter as a keyword. ``scratch`` is two work arrays shaped like ``param``
(allocated when omitted). The optimizer classes only look up state and call these.

``gradient_descent_step`` is the course's very first optimizer, on Tensors:
p ← p − lr·∇p.
"""
from __future__ import annotations

import numbers

from tinytorch.core.tensor import Tensor
from tinytorch.optim.adagrad import adagrad_update
from tinytorch.optim.adam import adam_update
from tinytorch.optim.rmsprop import rmsprop_update
from tinytorch.optim.sgd import sgd_update

__all__ = ["gradient_descent_step", "sgd_update", "adam_update", "rmsprop_update", "adagrad_update"]


def gradient_descent_step(parameter: Tensor, learning_rate: float) -> None:
    """One step of plain gradient descent, in place.

    ``p ← p − learning_rate · p.grad``. Does nothing when ``parameter.grad``
    is None. The gradient is not modified.
    """
    if not isinstance(parameter, Tensor):
        raise TypeError("parameter must be a Tensor, "
                        f"but got {type(parameter).__name__}")
    if (isinstance(learning_rate, bool)
            or not isinstance(learning_rate, numbers.Real)):
        raise TypeError("learning_rate must be a real number, but got "
                        f"{type(learning_rate).__name__} {learning_rate!r}")
    if not 0.0 <= learning_rate:
        raise ValueError(f"Invalid learning rate: {learning_rate}")
    if parameter.grad is None:
        return
    p, g = parameter.numpy(), parameter.grad.numpy()
    if g.shape != p.shape:
        raise ValueError(f"the gradient has shape {g.shape}, "
                         f"but the parameter has shape {p.shape}")
    p -= float(learning_rate) * g
