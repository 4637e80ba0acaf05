"""Two small real datasets for the chapters (shipped inside scikit-learn: no download).

Each loader returns a `Split` of Tensors (X_train, y_train, X_test, y_test):
a fixed-seed shuffled split, features standardized with the *training*
mean and standard deviation (so no test information leaks into training).

    data = load_digits()
    model(data.X_train)          # or: X_train, y_train, X_test, y_test = load_digits()
"""
import math
from typing import NamedTuple

import numpy as np

from .core.tensor import Tensor, as_tensor


class Split(NamedTuple):
    X_train: Tensor
    y_train: Tensor
    X_test: Tensor
    y_test: Tensor


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(
            "tinytorch.datasets reads its data from scikit-learn: pip install scikit-learn"
        ) from None
    return datasets


def _shuffled_split(n, test_fraction, seed):
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = math.ceil(n * test_fraction)
    return order[n_test:], order[:n_test]


def _standardize(train, test):
    """(x − mean_train) / std_train per column; constant columns are only centred."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0] = 1.0
    return (train - mean) / std, (test - mean) / std


def load_digits(test_fraction=0.2, seed=0):
    """8×8 handwritten digits: 1797 images → 1437 train / 360 test (default split).

    X: float32 (n, 64), standardized pixels. y: int64 (n,) classes 0–9.
    """
    bunch = _sklearn_datasets().load_digits()
    train, test = _shuffled_split(len(bunch.target), test_fraction, seed)
    X_train, X_test = _standardize(bunch.data[train], bunch.data[test])
    return Split(
        as_tensor(X_train.astype(np.float32)), as_tensor(bunch.target[train].astype(np.int64)),
        as_tensor(X_test.astype(np.float32)), as_tensor(bunch.target[test].astype(np.int64)),
    )


def load_diabetes(test_fraction=0.2, seed=0):
    """Diabetes progression after one year from 10 baseline measurements: 442 patients → 353 / 89.

    X: float32 (n, 10), standardized. y: float32 (n, 1), also standardized with the
    training mean and std, so a model's MSE starts near 1 and the target column fits
    MSELoss against a (n, 1) prediction. Multiply by the train std of the raw target
    (≈ 77) to read errors in the original units.
    """
    bunch = _sklearn_datasets().load_diabetes(scaled=False)
    train, test = _shuffled_split(len(bunch.target), test_fraction, seed)
    X_train, X_test = _standardize(bunch.data[train], bunch.data[test])
    y_train, y_test = _standardize(bunch.target[train, None], bunch.target[test, None])
    return Split(
        as_tensor(X_train.astype(np.float32)), as_tensor(y_train.astype(np.float32)),
        as_tensor(X_test.astype(np.float32)), as_tensor(y_test.astype(np.float32)),
    )
