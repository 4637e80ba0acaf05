"""The real datasets: sizes, dtypes, standardization with train statistics, fixed split."""
import numpy as np
import pytest

pytest.importorskip("sklearn")

from tinytorch.datasets import Split, load_diabetes, load_digits  # noqa: E402


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
