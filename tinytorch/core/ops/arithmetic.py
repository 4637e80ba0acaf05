"""Elementwise binary arithmetic: y = a ∘ b with its partial derivatives."""
import numpy as np


def _same(g):
    return g


def add(a, b):
    """y = a + b;   ∂y/∂a = 1,  ∂y/∂b = 1."""
    return a + b, (_same, _same)


def subtract(a, b):
    """y = a − b;   ∂y/∂a = 1,  ∂y/∂b = −1."""
    return a - b, (_same, np.negative)


def multiply(a, b):
    """y = a·b;   ∂y/∂a = b,  ∂y/∂b = a."""
    return a * b, (lambda g: g * b, lambda g: g * a)


def divide(a, b):
    """y = a/b;   ∂y/∂a = 1/b,  ∂y/∂b = −a/b²."""
    return a / b, (lambda g: g / b, lambda g: -g * a / (b * b))


def negative(a):
    """y = −a;   ∂y/∂a = −1."""
    return -a, (np.negative,)


def power_scalar(a, exponent):
    """y = aᵖ for a constant p;   ∂y/∂a = p·aᵖ⁻¹ (0 when p = 0, as in PyTorch)."""
    if exponent == 0:
        return np.ones_like(a), (np.zeros_like,)
    if exponent == 2:  # the common square: avoid a general pow in both directions
        return a * a, (lambda g: g * 2 * a,)
    return a**exponent, (lambda g: g * exponent * a ** (exponent - 1),)


def power(a, b):
    """y = aᵇ;   ∂y/∂a = b·aᵇ⁻¹,  ∂y/∂b = aᵇ·ln a."""
    y = a**b
    return y, (lambda g: g * b * a ** (b - 1), lambda g: g * y * np.log(a))


def maximum(a, b):
    """y = max(a, b);   the larger input gets the gradient, ties split it ½ : ½ (as PyTorch)."""
    half = np.asarray(0.5, dtype=np.result_type(a, b))

    def share(mine, other):
        return lambda g: g * ((mine > other) + (mine == other) * half)

    return np.maximum(a, b), (share(a, b), share(b, a))
