"""Reductions over axes. Their gradients spread g back over the reduced axes."""
import numpy as np


def _unreduce(g, ndim, axis, keepdims):
    """Give g back the reduced axes (as length 1) so it broadcasts against the input."""
    if axis is None or keepdims:
        return g
    return np.expand_dims(g, axis) if ndim else g


def sum(x, axis=None, keepdims=False):
    """y = Σ x over `axis`;   ∂y/∂xᵢ = 1 for every summed element."""
    y = x.sum(axis=axis, keepdims=keepdims)
    return y, (lambda g: np.broadcast_to(_unreduce(g, x.ndim, axis, keepdims), x.shape),)


def mean(x, axis=None, keepdims=False):
    """y = (1/n) Σ x over `axis`;   ∂y/∂xᵢ = 1/n."""
    y = x.mean(axis=axis, keepdims=keepdims)
    count = x.size // np.size(y) if np.size(y) else 1
    return y, (lambda g: np.broadcast_to(_unreduce(g, x.ndim, axis, keepdims) / count, x.shape),)


def max(x, axis=None, keepdims=False):
    """y = max x over `axis`;   the maxima share the gradient equally (PyTorch's amax rule)."""
    peak = x.max(axis=axis, keepdims=True)
    y = peak if keepdims else np.squeeze(peak, axis=axis)

    def grad(g):
        is_peak = x == peak
        ties = is_peak.sum(axis=axis, keepdims=True).astype(x.dtype)
        return is_peak * (_unreduce(g, x.ndim, axis, keepdims) / ties)

    return y, (grad,)
