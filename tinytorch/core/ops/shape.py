"""Operations that move elements without changing them: the gradient moves them back."""
import numpy as np


def reshape(x, shape):
    """y = x viewed with a new shape;   ∂L/∂x = g viewed with x's shape."""
    return x.reshape(shape), (lambda g: g.reshape(x.shape),)


def permute(x, axes):
    """y = x with its axes reordered;   ∂L/∂x = g with the inverse order."""
    inverse = np.argsort(axes)
    return x.transpose(axes), (lambda g: g.transpose(inverse),)


def _is_basic(index):
    """Ints, slices, None and ... select each element at most once (NumPy "basic" indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        part is None or part is Ellipsis or isinstance(part, (int, np.integer, slice))
        for part in parts
    )


def getitem(x, index):
    """y = x[index];   ∂L/∂x is zero except at the selected places, which receive g.

    Integer-array indices may pick the same element twice, so those gradients
    are added with np.add.at rather than assigned.
    """
    def grad(g):
        full = np.zeros_like(x)
        if _is_basic(index):
            full[index] = g
        else:
            np.add.at(full, index, g)
        return full

    return x[index], (grad,)
