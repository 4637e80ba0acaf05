"""Two small real datasets for the chapters, shipped inside tinytorch (no download).

The arrays in ``tinytorch/data/`` are scikit-learn's ``load_digits()`` (the UCI
optical digits, 8x8 images) and ``load_diabetes(scaled=False)`` (Efron et al.,
2004), copied exactly by ``tools/make_datasets.py``, so the chapters need only
numpy: also in the browser (Pyodide) or where scikit-learn is not installed.

Each loader returns a `Split` of Tensors (X_train, y_train, X_test, y_test):
a fixed-seed shuffled split, features standardized with the *training*
mean and standard deviation (so no test information leaks into training).

    data = load_digits()
    model(data.X_train)          # or: X_train, y_train, X_test, y_test = load_digits()
"""
import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .core.tensor import Tensor, as_tensor


class Split(NamedTuple):
    X_train: Tensor
    y_train: Tensor
    X_test: Tensor
    y_test: Tensor


_DATA = Path(__file__).parent / "data"

#: The ten baseline measurements of the diabetes data, in column order.
DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def _arrays(name):
    with np.load(_DATA / f"{name}.npz") as stored:        # plain arrays, no pickles
        return {key: stored[key] for key in stored.files}


def digit_images():
    """The 1797 raw digit images and labels: ``(images, labels)``, uint8 (n, 8, 8)
    pixels 0..16 and int64 (n,) classes, in the order the splits index them."""
    arrays = _arrays("digits")
    return arrays["images"], arrays["target"].astype(np.int64)


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
    images, labels = digit_images()
    pixels = images.reshape(len(labels), 64).astype(np.float64)
    train, test = _shuffled_split(len(labels), test_fraction, seed)
    X_train, X_test = _standardize(pixels[train], pixels[test])
    return Split(
        as_tensor(X_train.astype(np.float32)), as_tensor(labels[train]),
        as_tensor(X_test.astype(np.float32)), as_tensor(labels[test]),
    )


def load_diabetes(test_fraction=0.2, seed=0):
    """Diabetes progression after one year from 10 baseline measurements: 442 patients → 353 / 89.

    X: float32 (n, 10), standardized. y: float32 (n, 1), also standardized with the
    training mean and std, so a model's MSE starts near 1 and the target column fits
    MSELoss against a (n, 1) prediction. Multiply by the train std of the raw target
    (≈ 77) to read errors in the original units.
    """
    arrays = _arrays("diabetes")
    data, target = arrays["data"], arrays["target"]
    train, test = _shuffled_split(len(target), test_fraction, seed)
    X_train, X_test = _standardize(data[train], data[test])
    y_train, y_test = _standardize(target[train, None], target[test, None])
    return Split(
        as_tensor(X_train.astype(np.float32)), as_tensor(y_train.astype(np.float32)),
        as_tensor(X_test.astype(np.float32)), as_tensor(y_test.astype(np.float32)),
    )
