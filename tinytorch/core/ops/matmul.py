"""Matrix product, with NumPy's rules for 1-D operands and batch dimensions."""
import numpy as np


def check_matmul_shapes(a_shape, b_shape):
    """Raise a ValueError naming both shapes when a @ b is undefined."""
    if len(a_shape) == 0 or len(b_shape) == 0:
        raise ValueError(f"operands need at least 1 dimension, got shapes {a_shape} and {b_shape}")
    inner_a = a_shape[-1]
    inner_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"shapes {a_shape} and {b_shape} do not align "
            f"(the last axis of the first, {inner_a}, must equal the "
            f"{'only' if len(b_shape) == 1 else 'second-to-last'} axis of the second, {inner_b})"
        )
    try:
        np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
    except ValueError:
        raise ValueError(f"batch dimensions of shapes {a_shape} and {b_shape} do not broadcast") from None


def matmul(a, b):
    """y = a @ b;   ∂L/∂a = g @ bᵀ,  ∂L/∂b = aᵀ @ g  (ᵀ swaps the last two axes).

    A 1-D operand acts as a row (left) or column (right) vector whose extra
    axis is removed from the result; the gradient puts it back and removes it again.
    """
    check_matmul_shapes(a.shape, b.shape)
    a2 = a[np.newaxis] if a.ndim == 1 else a
    b2 = b[:, np.newaxis] if b.ndim == 1 else b

    def as_matrix(g):
        if b.ndim == 1:  # the column axis first: with both 1-D, g is a scalar
            g = np.expand_dims(g, -1)
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        return g

    def grad_a(g):
        grad = as_matrix(g) @ np.swapaxes(b2, -1, -2)
        return grad[..., 0, :] if a.ndim == 1 else grad

    def grad_b(g):
        grad = np.swapaxes(a2, -1, -2) @ as_matrix(g)
        return grad[..., 0] if b.ndim == 1 else grad

    return a @ b, (grad_a, grad_b)
