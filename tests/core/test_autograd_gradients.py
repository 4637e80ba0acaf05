"""Every differentiable op: forward equals NumPy, backward equals central finite differences (float64)."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st
from hypothesis.extra import numpy as hnp

from core_strategies import FD_SETTINGS, SMALL_SHAPES, arrays, leaf
from tinytorch.core.gradcheck import gradcheck
from tinytorch.nn import functional as F

# name: (tinytorch function, NumPy reference, input options)
UNARY = {
    "exp": (lambda x: x.exp(), np.exp, {}),
    "log": (lambda x: x.log(), np.log, {"low": 0.2, "high": 3.0}),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, {"low": 0.2, "high": 3.0}),
    "abs": (lambda x: abs(x), np.abs, {"away_from_zero": True}),
    "relu": (lambda x: x.relu(), lambda a: np.maximum(a, 0), {"away_from_zero": True}),
    "sigmoid": (lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), {"low": -4.0, "high": 4.0}),
    "tanh": (lambda x: x.tanh(), np.tanh, {}),
    "neg": (lambda x: -x, np.negative, {}),
    "square": (lambda x: x**2, np.square, {}),
    "cube": (lambda x: x**3, lambda a: a**3, {}),
    "pow_half": (lambda x: x**0.5, np.sqrt, {"low": 0.2, "high": 3.0}),
    "reciprocal_pow": (lambda x: x**-1.5, lambda a: a**-1.5, {"low": 0.3, "high": 3.0}),
    "scalar_arithmetic": (lambda x: (2 - x) * 3 / 4 + 1, lambda a: (2 - a) * 3 / 4 + 1, {}),
    "scalar_divided_by": (lambda x: 2 / x, lambda a: 2 / a, {"low": 0.3, "high": 3.0}),
    "exp_base": (lambda x: 2**x, lambda a: 2**a, {}),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FD_SETTINGS
@given(data=st.data(), shape=SMALL_SHAPES)
def test_unary_op(name, data, shape):
    fn, reference, options = UNARY[name]
    x = leaf(data.draw(arrays(shape, **options)))
    np.testing.assert_allclose(fn(x).numpy(), reference(x.numpy()), rtol=1e-14, atol=1e-15)
    assert gradcheck(fn, x)


BINARY = {
    "add": (lambda a, b: a + b, np.add, {}, {}),
    "sub": (lambda a, b: a - b, np.subtract, {}, {}),
    "mul": (lambda a, b: a * b, np.multiply, {}, {}),
    "div": (lambda a, b: a / b, np.divide, {}, {"low": 0.5, "high": 2.0}),
    "pow": (lambda a, b: a**b, np.power, {"low": 0.3, "high": 2.0}, {}),
    "maximum": (lambda a, b: a.maximum(b), np.maximum, {"distinct": True}, {"distinct": True}),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@FD_SETTINGS
@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_binary_op_with_broadcasting(name, data, shapes):
    fn, reference, options_a, options_b = BINARY[name]
    a = leaf(data.draw(arrays(shapes.input_shapes[0], **options_a)))
    b = leaf(data.draw(arrays(shapes.input_shapes[1], **options_b)))
    if name == "maximum":  # no ties within ε after broadcasting
        assume(np.all(np.abs(np.subtract(a.numpy(), b.numpy())) > 1e-3))
    y = fn(a, b)
    assert y.shape == shapes.result_shape
    np.testing.assert_allclose(y.numpy(), reference(a.numpy(), b.numpy()), rtol=1e-14)
    assert gradcheck(fn, a, b)
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


@st.composite
def matmul_shapes(draw):
    """Shapes a, b with a @ b defined: 1-D or N-D operands, broadcast batch axes."""
    m, k, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    a_batch, b_batch = batch.input_shapes
    a_shape = (k,) if draw(st.booleans()) else a_batch + (m, k)
    b_shape = (k,) if draw(st.booleans()) else b_batch + (k, n)
    return a_shape, b_shape


@FD_SETTINGS
@given(data=st.data(), shapes=matmul_shapes())
def test_matmul(data, shapes):
    a = leaf(data.draw(arrays(shapes[0])))
    b = leaf(data.draw(arrays(shapes[1])))
    np.testing.assert_allclose((a @ b).numpy(), a.numpy() @ b.numpy(), rtol=1e-14)
    assert gradcheck(lambda a, b: a @ b, a, b)


@st.composite
def axis_choice(draw, ndim):
    """None, one axis (maybe negative) or a tuple of distinct axes."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "one", "tuple"]))
    if kind == "none":
        return None
    if kind == "one":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(axes)


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@FD_SETTINGS
@given(data=st.data(), shape=SMALL_SHAPES, keepdims=st.booleans())
def test_reduction(name, data, shape, keepdims):
    x = leaf(data.draw(arrays(shape, distinct=(name == "max"))))
    axis = data.draw(axis_choice(len(shape)))
    fn = lambda x: getattr(x, name)(axis=axis, keepdims=keepdims)
    reference = {"sum": np.sum, "mean": np.mean, "max": np.max}[name](x.numpy(), axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(fn(x).numpy(), reference, rtol=1e-14)
    assert gradcheck(fn, x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@FD_SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_softmax_family(name, data, shape):
    x = leaf(data.draw(arrays(shape, low=-5.0, high=5.0)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    fn = lambda x: getattr(x, name)(axis)
    exp = np.exp(x.numpy())
    probabilities = exp / exp.sum(axis=axis, keepdims=True)
    expected = probabilities if name == "softmax" else np.log(probabilities)
    np.testing.assert_allclose(fn(x).numpy(), expected, rtol=1e-12, atol=1e-15)
    assert gradcheck(fn, x)


@FD_SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_shape_ops(data, shape):
    x = leaf(data.draw(arrays(shape)))
    permutation = tuple(data.draw(st.permutations(range(len(shape)))))
    assert gradcheck(lambda x: x.reshape(-1), x)
    assert gradcheck(lambda x: x.reshape(1, *shape[::-1]) * 1.0, x)
    assert gradcheck(lambda x: x.T, x)
    assert gradcheck(lambda x: x.permute(permutation), x)
    assert gradcheck(lambda x: x.transpose(0, -1), x)
    np.testing.assert_array_equal(x.permute(permutation).numpy(), x.numpy().transpose(permutation))


@FD_SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_indexing_and_slicing(data, shape):
    x = leaf(data.draw(arrays(shape)))
    basic = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    picks = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=5))
    np.testing.assert_array_equal(x[basic].numpy(), x.numpy()[basic])
    assert gradcheck(lambda x: x[basic] * 1.0, x)
    # Integer-array indexing may repeat an element: its gradient must add up.
    assert gradcheck(lambda x: x[np.array(picks)], x)
    positive = x.numpy() > 0  # fixed before the finite differences perturb x
    assert gradcheck(lambda x: x[positive], x)


@FD_SETTINGS
@given(data=st.data(), batch=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
       n_in=st.integers(1, 4), n_out=st.integers(1, 4), with_bias=st.booleans())
def test_fused_linear(data, batch, n_in, n_out, with_bias):
    x = leaf(data.draw(arrays(batch + (n_in,))))
    w = leaf(data.draw(arrays((n_out, n_in))))
    b = leaf(data.draw(arrays((n_out,))))
    fn = (lambda x, w, b: F.linear(x, w, b)) if with_bias else (lambda x, w, b: F.linear(x, w))
    expected = x.numpy() @ w.numpy().T + (b.numpy() if with_bias else 0)
    np.testing.assert_allclose(fn(x, w, b).numpy(), expected, rtol=1e-14)
    assert gradcheck(fn, x, w, b)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@FD_SETTINGS
@given(data=st.data(), n=st.integers(1, 5), n_classes=st.integers(1, 5))
def test_fused_losses(reduction, data, n, n_classes):
    logits = leaf(data.draw(arrays((n, n_classes), low=-10.0, high=10.0)))
    classes = np.array(data.draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)))
    log_probs = logits.numpy() - np.log(np.exp(logits.numpy()).sum(axis=1, keepdims=True))
    per_sample = -log_probs[np.arange(n), classes]
    expected = {"mean": per_sample.mean(), "sum": per_sample.sum(), "none": per_sample}[reduction]
    np.testing.assert_allclose(F.cross_entropy(logits, classes, reduction).numpy(), expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda z: F.cross_entropy(z, classes, reduction), logits)

    prediction, target = leaf(data.draw(arrays((n, n_classes)))), leaf(data.draw(arrays((n, n_classes))))
    squared = (prediction.numpy() - target.numpy()) ** 2
    expected = {"mean": squared.mean(), "sum": squared.sum(), "none": squared}[reduction]
    np.testing.assert_allclose(F.mse_loss(prediction, target, reduction).numpy(), expected, rtol=1e-14)
    assert gradcheck(lambda p, t: F.mse_loss(p, t, reduction), prediction, target)


def test_cross_entropy_is_stable_for_huge_logits():
    """log-sum-exp shifted by the row maximum: no overflow at logits of 1e4 (float32)."""
    logits = leaf([[1e4, 0.0, -1e4]]).astype(np.float32)
    loss = F.cross_entropy(logits, np.array([1]))
    loss.backward()
    assert loss.item() == pytest.approx(1e4)
    assert np.all(np.isfinite(logits.numpy()))


@FD_SETTINGS
@given(data=st.data())
def test_composite_expression_reusing_inputs(data):
    """A node used several times receives the sum of its uses' gradients."""
    a = leaf(data.draw(arrays((3, 2), away_from_zero=True)))
    b = leaf(data.draw(arrays((2,), low=0.5, high=2.0)))
    def fn(a, b):
        mixed = (a * b).tanh() @ (b / (a.abs() + 1)).T + a.sigmoid().sum(1, keepdims=True)
        return mixed.log_softmax(-1) * a.mean()

    assert gradcheck(fn, a, b)
