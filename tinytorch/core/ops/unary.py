"""Elementwise functions y = f(x) with f′ written next to f."""
import numpy as np


def exp(x):
    """y = eˣ;   dy/dx = y."""
    y = np.exp(x)
    return y, (lambda g: g * y,)


def log(x):
    """y = ln x;   dy/dx = 1/x."""
    return np.log(x), (lambda g: g / x,)


def sqrt(x):
    """y = √x;   dy/dx = 1/(2y)."""
    y = np.sqrt(x)
    return y, (lambda g: g / (2 * y),)


def absolute(x):
    """y = |x|;   dy/dx = sign x (0 at x = 0, as PyTorch)."""
    return np.abs(x), (lambda g: g * np.sign(x),)


def relu(x):
    """y = max(x, 0);   dy/dx = 1 where x > 0, else 0."""
    return np.maximum(x, 0), (lambda g: g * (x > 0),)


def sigmoid(x):
    """y = 1/(1 + e⁻ˣ);   dy/dx = y(1 − y).

    Computed as ½·tanh(x/2) + ½, which is the same function but never overflows.
    """
    y = 0.5 * np.tanh(0.5 * x) + 0.5
    return y, (lambda g: g * y * (1 - y),)


def tanh(x):
    """y = tanh x;   dy/dx = 1 − y²."""
    y = np.tanh(x)
    return y, (lambda g: g * (1 - y * y),)
