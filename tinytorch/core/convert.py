"""What counts as tensor data, and the errors for what does not.

Python numbers and (nested) lists of numbers become float32, PyTorch's default;
NumPy arrays, NumPy scalars and anything with __array__ keep their dtype.
"""
import numpy as np

NUMERIC_KINDS = "biuf"  # bool, signed int, unsigned int, float


def numeric_array(data, dtype):
    """A new array holding `data`, or a TypeError/ValueError that says what was wrong."""
    if dtype is not None:
        dtype = np.dtype(dtype)
    # Arrays, NumPy scalars and Tensors (through __array__) first: np.float64 is
    # also a Python float, but keeps its dtype.
    if isinstance(data, (np.ndarray, np.generic)) or hasattr(data, "__array__"):
        raw = np.array(data, dtype=dtype)
        if raw.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(f"Tensor data must be numeric, got an array of dtype {raw.dtype}")
        return raw
    if isinstance(data, (bool, int, float, list, tuple)):
        try:
            raw = np.array(data)
        except ValueError:
            raise ValueError(
                f"Tensor data is a ragged nested {type(data).__name__}: every row must have the same length"
            ) from None
        if raw.dtype.kind not in NUMERIC_KINDS:
            raise TypeError(
                f"Tensor data must be numeric, got a {type(data).__name__} containing "
                f"{_first_non_number(data)}"
            )
        return raw.astype(dtype or np.float32)
    raise TypeError(
        "Tensor data must be a number, a (nested) list of numbers or a NumPy array, "
        f"not {type(data).__name__}"
    )


def _first_non_number(data):
    """The type name of the first element of a nested list that is not a number (for error messages)."""
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, (list, tuple)):
            stack[:0] = list(item)
        elif not isinstance(item, (bool, int, float, np.number)):
            return type(item).__name__
    return "non-numeric values"
