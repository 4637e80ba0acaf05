"""Softmax and log-softmax along one axis, shifted by the maximum so exp never overflows."""
import numpy as np


def softmax(x, axis=-1):
    """yᵢ = eˣⁱ / Σⱼ eˣʲ;   ∂L/∂x = y ⊙ (g − Σ g⊙y)."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    y = e / e.sum(axis=axis, keepdims=True)
    return y, (lambda g: y * (g - (g * y).sum(axis=axis, keepdims=True)),)


def log_softmax(x, axis=-1):
    """yᵢ = xᵢ − log Σⱼ eˣʲ;   ∂L/∂x = g − softmax(x) ⊙ Σ g."""
    shifted = x - x.max(axis=axis, keepdims=True)
    y = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return y, (lambda g: g - np.exp(y) * g.sum(axis=axis, keepdims=True),)
