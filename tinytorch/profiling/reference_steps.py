"""Reference optimizer steps on raw NumPy arrays, for benchmarks and tests.

Two styles of the same two updates (Adam/AdamW and SGD with momentum):

* ``allocating_adam`` / ``allocating_sgd``: TinyTorch's way (the optimizers
  module of the MLSysBook / Harvard CS249r course). Every expression builds a
  new array and the step returns a new Tensor (``param.data = Tensor(...)``).
  This is the baseline tinytorch's own steps have to beat.
* ``adam_inplace`` / ``sgd_inplace``: in place with ``out=`` and two
  caller-owned scratch arrays, in torch.optim's operation order (the
  single-tensor path, written without fused multiply-adds), so a step
  allocates nothing.  Their signature fits
  ``tinytorch.optim._blocking.BlockRunner``: arrays first, scratch as a
  keyword.  The numba kernels in ``tinytorch.optim._fused`` do the same
  operations in the same order.

Hyperparameters are Python floats: NumPy (NEP 50) rounds them to the array
dtype, so a float32 step is computed in float32 as torch does.
"""
from __future__ import annotations

import numpy as np


def _adam_scalars(step, lr, beta1, beta2):
    """torch's bias corrections, computed in Python floats (double)."""
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    return lr / bias_correction1, bias_correction2 ** 0.5


def adam_inplace(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *,
                 scratch, step, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.0, amsgrad=False, maximize=False,
                 decoupled_weight_decay=False):
    s0, s1 = scratch
    g = grad
    if maximize:
        g = np.negative(grad, out=s0)
    if weight_decay != 0:
        if decoupled_weight_decay:                      # param.mul_(1 - lr*wd)
            np.multiply(param, 1 - lr * weight_decay, out=param)
        else:                                           # grad.add(param, alpha=wd)
            np.multiply(param, weight_decay, out=s1)
            g = np.add(g, s1, out=s0)
    # exp_avg.lerp_(grad, w) with torch's formula for each side of w = 0.5
    w = 1 - beta1
    np.subtract(g, exp_avg, out=s1)
    if w < 0.5:
        np.multiply(s1, w, out=s1)
        np.add(exp_avg, s1, out=exp_avg)
    else:
        one = param.dtype.type(1)
        np.multiply(s1, one - param.dtype.type(w), out=s1)
        np.subtract(g, s1, out=exp_avg)
    # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)
    np.multiply(g, 1 - beta2, out=s1)
    np.multiply(s1, g, out=s1)
    np.add(exp_avg_sq, s1, out=exp_avg_sq)
    v = exp_avg_sq
    if amsgrad:
        v = np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    step_size, bc2_sqrt = _adam_scalars(step, lr, beta1, beta2)
    # denom = sqrt(v) / sqrt(bc2) + eps ; param.addcdiv_(m, denom, value=-step_size)
    denom = np.sqrt(v, out=s1)
    np.divide(denom, bc2_sqrt, out=denom)
    np.add(denom, eps, out=denom)
    upd = np.multiply(exp_avg, -step_size, out=s0)      # g (maybe in s0) is no longer needed
    np.divide(upd, denom, out=upd)
    np.add(param, upd, out=param)


def sgd_inplace(param, grad, momentum_buffer=None, *, scratch, lr, momentum=0.0,
                dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False,
                init_buffer=False):
    s0, s1 = scratch
    g = grad
    if maximize:
        g = np.negative(grad, out=s0)
    if weight_decay != 0:                               # grad.add(param, alpha=wd)
        np.multiply(param, weight_decay, out=s1)
        g = np.add(g, s1, out=s0)
    if momentum != 0:
        buf = momentum_buffer
        if init_buffer:                                  # buf = grad.clone()
            np.copyto(buf, g)
        else:                                           # buf.mul_(mu).add_(grad, alpha=1-d)
            np.multiply(buf, momentum, out=buf)
            if dampening != 0:
                np.add(buf, np.multiply(g, 1 - dampening, out=s1), out=buf)
            else:                                       # alpha = 1: g itself, exactly
                np.add(buf, g, out=buf)
        if nesterov:                                    # grad.add(buf, alpha=mu)
            np.multiply(buf, momentum, out=s1)
            g = np.add(g, s1, out=s0)
        else:
            g = buf
    np.multiply(g, -lr, out=s1)                         # param.add_(grad, alpha=-lr)
    np.add(param, s1, out=param)


class CopyingTensor:
    """Stand-in for TinyTorch's Tensor when tinytorch is not importable: copies its data."""

    def __init__(self, data):
        self.data = np.array(data)

    def __array__(self, dtype=None, copy=None):
        return self.data


def allocating_adam(param, grad, state, *, lr=1e-3, beta1=0.9, beta2=0.999,
                    eps=1e-8, tensor=CopyingTensor):
    """TinyTorch's Adam step: a new array per expression, returns a NEW Tensor.

    `state` holds 'step', 'm', 'v' (arrays, rebound each step).
    """
    state["step"] += 1
    t = state["step"]
    state["m"] = beta1 * state["m"] + (1 - beta1) * grad
    state["v"] = beta2 * state["v"] + (1 - beta2) * grad * grad
    m_hat = state["m"] / (1 - beta1 ** t)
    v_hat = state["v"] / (1 - beta2 ** t)
    return tensor(np.asarray(param) - lr * m_hat / (np.sqrt(v_hat) + eps))


def allocating_sgd(param, grad, state, *, lr=1e-3, momentum=0.9, tensor=CopyingTensor):
    """TinyTorch's SGD-momentum step: buf = mu*buf + g; returns Tensor(p - lr*buf)."""
    state["buf"] = momentum * state["buf"] + grad
    return tensor(np.asarray(param) - lr * state["buf"])
