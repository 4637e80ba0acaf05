"""Datasets and mini-batches: TensorDataset and DataLoader.

    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=0)
    for inputs, targets in loader: ...        # or: for batch in loader: batch.inputs, batch.targets
"""
import math
from typing import NamedTuple

import numpy as np

from .core import rng
from .core.tensor import Tensor, as_tensor


class Batch(NamedTuple):
    """One mini-batch: unpacks as `inputs, targets` and has `.inputs` / `.targets`."""

    inputs: Tensor
    targets: Tensor


class TensorDataset:
    """Rows of equally long tensors: dataset[i] is (t1[i], t2[i], ...). Arrays are wrapped without copying."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(as_tensor(t) for t in tensors)
        lengths = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in lengths or len(set(lengths)) != 1:
            shapes = ", ".join(str(t.shape) for t in self.tensors)
            raise ValueError(f"TensorDataset tensors must share their first dimension, got shapes {shapes}")

    def __len__(self):
        return self.tensors[0].shape[0]

    def __getitem__(self, index):
        return tuple(as_tensor(t.numpy()[index]) for t in self.tensors)


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")


def _as_batch(fields):
    return Batch(*fields) if len(fields) == 2 else tuple(fields)


class DataLoader:
    """Iterate over a dataset in mini-batches.

    DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, seed=None)

    With shuffle=True each pass draws a new order, from a generator seeded with
    `seed` if given (reproducible on its own), else from the package generator
    (`tinytorch.manual_seed`). drop_last=True skips a final short batch.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader needs a dataset with __len__ and __getitem__, got {type(dataset).__name__}")
        _check_positive_int("batch_size", batch_size)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self._generator = np.random.default_rng(seed) if seed is not None else None

    def __len__(self):
        count = len(self.dataset) / self.batch_size
        return math.floor(count) if self.drop_last else math.ceil(count)

    def _batch_indices(self):
        n = len(self.dataset)
        if self.shuffle:
            order = (self._generator or rng.generator()).permutation(n)
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, n)
            yield order[start:end] if self.shuffle else slice(start, end)

    def __iter__(self):
        if isinstance(self.dataset, TensorDataset):
            # Fast path: slice every column at once instead of stacking rows.
            arrays = [t.numpy() for t in self.dataset.tensors]
            for index in self._batch_indices():
                yield _as_batch([as_tensor(a[index]) for a in arrays])
            return
        for index in self._batch_indices():
            positions = range(len(self.dataset))[index] if isinstance(index, slice) else index
            rows = [self.dataset[int(i)] for i in positions]
            yield _as_batch(_collate(rows))


def _collate(rows):
    """Stack a list of samples (tuples of fields, or single values) into batch tensors."""
    if isinstance(rows[0], (tuple, list)):
        return [as_tensor(np.stack([np.asarray(row[k]) for row in rows])) for k in range(len(rows[0]))]
    return [as_tensor(np.stack([np.asarray(row) for row in rows]))]
