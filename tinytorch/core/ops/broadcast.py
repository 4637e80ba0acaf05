"""Undoing broadcasting in the backward pass."""


def sum_to_shape(grad, shape):
    """Sum `grad` over the axes along which an input of `shape` was broadcast.

    If x of shape (3, 1) was broadcast to (2, 3, 4), each x element was used
    2·4 times, so ∂L/∂x is the sum of the upstream gradient over those copies.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
