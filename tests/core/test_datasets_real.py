"""The real datasets: sizes, dtypes, standardization with train statistics, fixed split;
shipped inside tinytorch, equal to scikit-learn's, loadable without scikit-learn."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinytorch.datasets import (DIABETES_FEATURES, Split, digit_images, load_diabetes,
                                load_digits)

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_arrays_equal_scikit_learns():
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = digit_images()
    digits = datasets.load_digits()
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    assert np.array_equal(images, digits.images) and np.array_equal(labels, digits.target)
    diabetes = datasets.load_diabetes(scaled=False)
    assert DIABETES_FEATURES == tuple(diabetes.feature_names)
    split = load_diabetes(test_fraction=0.5, seed=3)
    order = np.random.default_rng(3).permutation(442)
    raw = diabetes.data[order[221:]]
    expected = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    np.testing.assert_array_equal(split.X_train.numpy(), expected.astype(np.float32))
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "make_datasets.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_loading_needs_no_scikit_learn():
    code = ("import sys; sys.modules['sklearn'] = None\n"   # any import of it now fails
            "from tinytorch.datasets import load_digits, load_diabetes\n"
            "print(load_digits().X_test.shape, load_diabetes().y_train.shape)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "(360, 64) (353, 1)"


def test_digits_split():
    data = load_digits()
    assert isinstance(data, Split)
    assert [t.shape for t in data] == [(1437, 64), (1437,), (360, 64), (360,)]
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert set(np.unique(data.y_train.numpy())) == set(range(10))
    X = data.X_train.numpy()
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-5)
    stds = X.std(axis=0)
    assert np.all((np.abs(stds - 1) < 1e-4) | (stds == 0))  # constant pixels are only centred
    assert abs(data.X_test.numpy().mean()) < 0.1  # test data uses the train statistics: close, not exact


def test_digits_split_is_fixed_and_seedable():
    a, b, c = load_digits(), load_digits(), load_digits(seed=1)
    np.testing.assert_array_equal(a.y_test.numpy(), b.y_test.numpy())
    assert not np.array_equal(a.y_test.numpy(), c.y_test.numpy())


def test_diabetes_split():
    data = load_diabetes()
    assert [t.shape for t in data] == [(353, 10), (353, 1), (89, 10), (89, 1)]
    assert all(t.dtype == np.float32 for t in data)
    np.testing.assert_allclose(data.y_train.numpy().mean(), 0, atol=1e-5)
    np.testing.assert_allclose(data.y_train.numpy().std(), 1, atol=1e-5)


def test_bad_test_fraction():
    with pytest.raises(ValueError, match="test_fraction must lie strictly between 0 and 1, got 1.5"):
        load_digits(test_fraction=1.5)
