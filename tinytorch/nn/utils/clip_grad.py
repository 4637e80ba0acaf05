"""Gradient clipping, as ``torch.nn.utils`` does it.

Norm clipping treats all gradients as one long vector g = (g_1, ..., g_k):

    total = ‖(‖g_1‖_p, ..., ‖g_k‖_p)‖_p              (= ‖g‖_p of the concatenation)
    coef  = min(max_norm / (total + 1e-6), 1)
    g_i  ← coef · g_i                                  for every i, in place

so the direction of the update is kept and only its length is bounded:
‖g‖_p ≤ max_norm afterwards (up to the 1e-6 guard and round-off). p = inf uses
‖g‖_∞ = max |g_j|. The norm is returned *before* clipping, which is what you
want to log.

Value clipping clamps every component independently, g_j ← clip(g_j, −c, c),
which bounds each coordinate but changes the direction.

Arithmetic follows PyTorch's dtypes: each norm is computed with a float64
accumulator and rounded to the gradient's dtype; ``total + 1e-6``, the reciprocal
and the product with ``max_norm`` are each rounded to that dtype, as torch's
float32 (or float16) tensor operations are.
"""
from __future__ import annotations

import math
import types
import warnings

import numpy as np

from tinytorch.core.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_tensor_list(tensors, what: str) -> list:
    if isinstance(tensors, Tensor):
        return [tensors]
    try:
        items = list(tensors)
    except TypeError:
        raise TypeError(
            f"{what} must be a Tensor or an iterable of Tensors, but got {type(tensors).__name__}"
        ) from None
    for item in items:
        if not isinstance(item, Tensor):
            raise TypeError(f"{what} must contain only Tensors, but one of them is {type(item).__name__}")
    return items


def _as_norm_type(norm_type) -> float:
    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        raise TypeError(f"norm_type must be a number or 'inf', but got {norm_type!r}") from None
    if math.isnan(p):
        raise ValueError("norm_type must not be nan")
    return p


def _as_number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, but got {type(value).__name__}")
    return float(value)


def _vector_norm(x: np.ndarray, p: float) -> float:
    """‖x‖_p of the flattened array, accumulated in float64 (p may be ±inf or 0)."""
    a = np.abs(np.asarray(x, dtype=np.float64).ravel())
    if a.size == 0:
        return 0.0
    if p == math.inf:
        return float(a.max())
    if p == -math.inf:
        return float(a.min())
    if p == 0:
        return float(np.count_nonzero(a))
    if p == 1:
        return float(a.sum())
    if p == 2:
        return float(np.sqrt(np.dot(a, a)))
    with np.errstate(over="ignore", divide="ignore"):
        return float(np.sum(a ** p) ** (1.0 / p))


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite: bool = False) -> Tensor:
    """‖(‖t_1‖_p, ..., ‖t_k‖_p)‖_p: the p-norm of all ``tensors`` viewed as one vector.

    Args:
        tensors: a Tensor or an iterable of Tensors (typically gradients).
        norm_type: p, a float; ``float('inf')`` (or ``'inf'``) for the max-norm.
        error_if_nonfinite: raise RuntimeError if the result is nan or ±inf.

    Returns:
        A 0-d Tensor in the tensors' (promoted) dtype; ``Tensor(0.0)`` for no tensors.
    """
    items = _as_tensor_list(tensors, "tensors")
    p = _as_norm_type(norm_type)
    if not items:
        return Tensor(0.0)
    arrays = [t.numpy() for t in items]
    dtype = np.result_type(*arrays)
    norms = np.array([_vector_norm(a, p) for a in arrays], dtype=np.float64)
    # each per-tensor norm is rounded to its tensor's dtype, then stacked in the common dtype
    norms = np.array([np.asarray(n, dtype=a.dtype) for n, a in zip(norms, arrays)], dtype=dtype)
    with np.errstate(over="ignore"):
        total = np.asarray(_vector_norm(norms, p), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm) -> None:
    """Scale every gradient by min(max_norm / (total_norm + 1e-6), 1), in place.

    ``total_norm`` is a precomputed norm (a Tensor or a number), e.g. from
    :func:`get_total_norm`. Parameters without a gradient are skipped.
    """
    params = _as_tensor_list(parameters, "parameters")
    max_norm = _as_number("max_norm", max_norm)
    grads = [p.grad.numpy() for p in params if p.grad is not None]
    if not grads:
        return
    total = total_norm.numpy() if isinstance(total_norm, Tensor) else np.asarray(total_norm, dtype=np.float32)
    dtype = total.dtype
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        guarded = np.add(total, np.asarray(1e-6, dtype=dtype), dtype=dtype)
        coef = np.multiply(np.divide(np.asarray(1, dtype=dtype), guarded, dtype=dtype),
                           np.asarray(max_norm, dtype=dtype), dtype=dtype)
        coef = np.minimum(coef, np.asarray(1.0, dtype=dtype))
        for g in grads:
            np.multiply(g, coef, out=g, casting="same_kind")


def clip_grad_norm_(parameters, max_norm, norm_type=2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Rescale the gradients so their total p-norm is at most ``max_norm``.

    total = ‖(‖g_1‖_p, ..., ‖g_k‖_p)‖_p
    g_i ← g_i · min(max_norm / (total + 1e-6), 1)

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` is
            clipped in place.
        max_norm: the largest allowed total norm.
        norm_type: p (default 2.0); ``float('inf')`` for the max-norm.
        error_if_nonfinite: if True, raise RuntimeError when the total norm
            is nan or ±inf -- before any gradient is touched. If False
            (default), the gradients are multiplied by the resulting
            coefficient anyway (0 for inf, nan for nan).

    Returns:
        The total norm *before* clipping, a 0-d Tensor (``.item()`` for a
        float).
    """
    is_generator = isinstance(parameters, types.GeneratorType)
    params = _as_tensor_list(parameters, "parameters")
    if is_generator and not params:
        warnings.warn("`parameters` is an empty generator, "
                      "no gradient clipping will occur.", stacklevel=2)
    _as_number("max_norm", max_norm)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value) -> None:
    """Clamp every gradient component into [−clip_value, clip_value], in place.

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` is clipped.
        clip_value: the largest allowed absolute value of a component.
    """
    params = _as_tensor_list(parameters, "parameters")
    c = _as_number("clip_value", clip_value)
    for p in params:
        if p.grad is not None:
            g = p.grad.numpy()
            np.clip(g, np.asarray(-c, dtype=g.dtype), np.asarray(c, dtype=g.dtype), out=g)
