"""Tensor construction, dtypes, storage sharing (.numpy/.data), .grad rules, conversions, repr."""
import numpy as np
import pytest

import tinytorch
from tinytorch import Tensor


@pytest.mark.parametrize("data, shape", [
    (3, ()), (2.5, ()), (True, ()), ([1, 2], (2,)), ([[1.0], [2.0]], (2, 1)), ((1, 2, 3), (3,)),
])
def test_python_numbers_and_lists_become_float32(data, shape):
    t = Tensor(data)
    assert t.dtype == np.float32 and t.shape == shape
    np.testing.assert_array_equal(t.numpy(), np.asarray(data, dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8, np.bool_])
def test_numpy_arrays_keep_their_dtype(dtype):
    assert Tensor(np.zeros(3, dtype=dtype)).dtype == dtype
    assert Tensor(np.zeros((), dtype=dtype)[()]).dtype == dtype  # NumPy scalars too


def test_explicit_dtype_wins():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(np.arange(3), dtype="float32").dtype == np.float32


def test_constructor_copies_its_input():
    source = np.array([1.0, 2.0])
    t = Tensor(source)
    u = Tensor(t)
    source[0] = 99.0
    t.numpy()[1] = 99.0
    assert t.numpy()[0] == 1.0 and u.tolist() == [1.0, 2.0] and u.dtype == np.float64


def test_float64_stays_float64_through_ops_and_gradients():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    y = ((x * 3 + 1.5) ** 2 / 2 - x.exp()).sigmoid().mean()
    y.backward()
    assert y.dtype == np.float64 and x.grad.dtype == np.float64


def test_python_and_numpy_scalars_do_not_upcast_float32():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 0.5, x + np.float64(1.0), 2.0 - x, np.float64(3.0) * x, x / 3, x**2.0, 2**x):
        assert y.dtype == np.float32
    (x * np.float64(0.5)).sum().backward()
    assert x.grad.dtype == np.float32


def test_mixed_tensor_dtypes_promote_and_gradients_keep_each_leaf_dtype():
    a = Tensor(np.ones(2, np.float32), requires_grad=True)
    b = Tensor(np.ones(2, np.float64), requires_grad=True)
    y = (a * b).sum()
    assert y.dtype == np.float64
    y.backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_numpy_returns_the_storage_itself():
    t = Tensor([1.0, 2.0])
    t.numpy()[1] = 7.0
    assert t.numpy() is t.numpy()
    assert t.tolist() == [1.0, 7.0]
    assert np.shares_memory(np.asarray(t), t.numpy())


def test_data_shares_storage_and_is_detached():
    w = Tensor([1.0, 2.0], requires_grad=True)
    view = w.data
    assert isinstance(view, Tensor) and not view.requires_grad and view.is_leaf
    view.numpy()[0] = 5.0
    assert w.numpy()[0] == 5.0
    assert isinstance(w.data.data, Tensor)


def test_assigning_data_copies_values_into_the_same_object():
    w = Tensor([1.0, 2.0], requires_grad=True)
    storage = w.numpy()
    w.data = Tensor(np.array([3.0, 4.0]))  # float64 values into a float32 parameter
    assert w.numpy() is storage and w.dtype == np.float32 and w.requires_grad
    np.testing.assert_array_equal(w.numpy(), [3.0, 4.0])
    w.data = [5, 6]
    np.testing.assert_array_equal(w.numpy(), [5.0, 6.0])


def test_grad_is_none_then_a_tensor_and_settable():
    w = Tensor(2.0, requires_grad=True)
    assert w.grad is None
    w.grad = Tensor(0.5)
    assert w.grad.item() == 0.5
    w.grad = None
    assert w.grad is None


def test_properties():
    t = Tensor(np.zeros((2, 3, 4)))
    assert (t.shape, t.ndim, t.size, t.numel(), len(t)) == ((2, 3, 4), 3, 24, 24, 2)
    assert isinstance(t.size, int)
    assert Tensor(4.0).item() == 4.0 and isinstance(Tensor(4.0).item(), float)
    assert float(Tensor([2.5])) == 2.5 and int(Tensor(3.0)) == 3
    assert [row.shape for row in Tensor(np.zeros((3, 2)))] == [(2,)] * 3


def test_leaf_and_requires_grad_bookkeeping():
    x = Tensor([1.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad and y.grad_fn == "multiply"
    z = y.detach()
    assert z.is_leaf and not z.requires_grad and np.shares_memory(z.numpy(), y.numpy())
    c = Tensor([1.0])
    assert c.is_leaf and not (c * 2).requires_grad
    assert c.requires_grad_() is c and c.requires_grad


def test_integer_tensors_never_require_grad():
    assert not Tensor(np.arange(3)).requires_grad
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int64"):
        Tensor(np.arange(3), requires_grad=True)


def test_comparisons_and_argmax_are_not_differentiable():
    x = Tensor([1.0, 3.0, 2.0], requires_grad=True)
    assert (x > 1.5).tolist() == [False, True, True]
    assert (x == Tensor([1.0, 0.0, 2.0])).tolist() == [True, False, True]
    assert not (x > 1.5).requires_grad
    assert x.argmax().item() == 1 and x.argmax().dtype == np.int64
    assert {x: "tensors hash by identity"}[x]


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor(2.0, requires_grad=True)) == "Tensor(2., requires_grad=True)"
    assert repr(Tensor(np.arange(2))) == "Tensor([0, 1], dtype=int64)"
    assert repr(Tensor(1.0, requires_grad=True) * 3) == "Tensor(3., grad_fn=<multiply>)"


def test_format_of_one_element_tensors():
    """The seed prints f"{x.data:.4f}"."""
    assert f"{Tensor(2.0).data:.4f}" == "2.0000" and f"{Tensor([0.5]):.1%}" == "50.0%"
    assert f"{Tensor([1.0, 2.0])}" == "Tensor([1., 2.])"
    with pytest.raises(TypeError, match=r"format spec '.2f' needs a one-element tensor, got shape \(2,\)"):
        f"{Tensor([1.0, 2.0]):.2f}"


def test_ndarray_on_the_left_uses_tensor_operators():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor) and y.requires_grad
    assert isinstance(np.ones((2, 2)) @ x, Tensor)
    (np.float64(2.0) - x * np.array([1.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [-1.0, -3.0]


def test_other_numpy_ufuncs_return_plain_arrays():
    x = Tensor([1.0, 4.0], requires_grad=True)
    root = np.sqrt(x)
    assert type(root) is np.ndarray and root.tolist() == [1.0, 2.0]
    assert np.isfinite(x).all()
    out = Tensor([0.0, 0.0])
    np.multiply(x, 2, out=out)  # writes into the tensor's storage
    assert out.tolist() == [2.0, 8.0]


def test_zero_grad_and_clone():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x.clone() * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    x.grad.zero_()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_astype_float_is_differentiable():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x.astype(np.float32) * 2).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0]


def test_manual_seed_makes_the_package_generator_reproducible():
    tinytorch.manual_seed(3)
    first = tinytorch.nn.Linear(4, 2).weight.numpy().copy()
    tinytorch.manual_seed(3)
    np.testing.assert_array_equal(tinytorch.nn.Linear(4, 2).weight.numpy(), first)
    with pytest.raises(TypeError, match="manual_seed expects an int, got float"):
        tinytorch.manual_seed(1.5)
