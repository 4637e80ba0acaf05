"""clip_grad_norm_ / clip_grad_value_: PyTorch parity (fixtures), properties, errors."""
import json
import math
import pathlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch.core.tensor import Tensor
from tinytorch.nn.utils import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm

FIXTURE = json.loads((pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "utils_clip.json").read_text())
RTOL = {"float16": 0.0, "float32": 2e-7, "float64": 1e-15}  # torch's float32 reductions differ by ≤ 1-2 ulp


def with_grads(grads, dtype=None):
    params = []
    for g in grads:
        g = np.array(g, dtype=dtype)
        p = Tensor(np.zeros_like(g), requires_grad=True)
        p.grad = Tensor(g.copy())
        params.append(p)
    return params


@pytest.mark.parametrize("case", FIXTURE["norm_cases"],
                         ids=lambda c: f"{c['dtype']}-p{c['norm_type']}-max{c['max_norm']}")
def test_clip_grad_norm_matches_torch(case):
    params = with_grads(case["grads"], case["dtype"])
    total = clip_grad_norm_(params, case["max_norm"], norm_type=float(case["norm_type"]))
    assert str(total.dtype) == case["total_dtype"]
    assert math.isclose(total.item(), case["total_norm"], rel_tol=RTOL[case["dtype"]])
    for p, expected in zip(params, case["clipped"]):
        assert p.grad.dtype == np.dtype(case["dtype"])
        np.testing.assert_allclose(p.grad.numpy(), np.array(expected, dtype=case["dtype"]),
                                   rtol=4 * RTOL[case["dtype"]], atol=0)


def test_fixture_covers_inf_norm_and_clipping_both_ways():
    cases = FIXTURE["norm_cases"]
    assert {c["norm_type"] for c in cases} >= {2.0, 1.0, "inf"}
    assert any(c["total_norm"] > c["max_norm"] for c in cases)
    assert any(c["total_norm"] < c["max_norm"] for c in cases)


@pytest.mark.parametrize("case", FIXTURE["value_cases"], ids=lambda c: f"c{c['clip_value']}")
def test_clip_grad_value_matches_torch(case):
    params = with_grads(case["grads"], "float32")
    assert clip_grad_value_(params, case["clip_value"]) is None
    for p, expected in zip(params, case["clipped"]):
        assert np.array_equal(p.grad.numpy(), np.array(expected, dtype=np.float32))


grad_arrays = st.lists(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=5),
               elements=st.floats(-1e3, 1e3, allow_subnormal=False)),
    min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(grads=grad_arrays, max_norm=st.floats(1e-3, 1e3), p=st.sampled_from([1.0, 2.0, 3.0, math.inf]))
def test_after_clipping_the_norm_is_at_most_max_norm(grads, max_norm, p):
    params = with_grads(grads)
    before = [g.copy() for g in grads]
    total = clip_grad_norm_(params, max_norm, norm_type=p)
    flat = np.concatenate([b.ravel() for b in before])
    assert math.isclose(total.item(), np.linalg.norm(flat, p) if flat.size else 0.0, rel_tol=1e-12)
    after = get_total_norm([q.grad for q in params], p).item()
    assert after <= max_norm * (1 + 1e-6)
    coef = min(max_norm / (total.item() + 1e-6), 1.0)
    for q, b in zip(params, before):  # one common factor: the direction is kept
        np.testing.assert_allclose(q.grad.numpy(), b * coef, rtol=1e-12, atol=0)


@settings(max_examples=40, deadline=None)
@given(grads=grad_arrays, c=st.floats(1e-3, 1e3))
def test_clip_value_bounds_every_component(grads, c):
    params = with_grads(grads)
    clip_grad_value_(params, c)
    for q, g in zip(params, grads):
        assert np.array_equal(q.grad.numpy(), np.clip(g, -c, c))


def test_returns_the_pre_clip_norm_and_skips_params_without_grad():
    a, b = with_grads([[3.0, 0.0], [0.0, 4.0]], "float32")
    idle = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    total = clip_grad_norm_([a, idle, b], max_norm=1.0)
    assert total.item() == 5.0 and total.shape == ()
    assert idle.grad is None
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.0], rtol=1e-6)


def test_a_single_tensor_and_no_gradients():
    (a,) = with_grads([[1.0, 1.0]], "float32")
    assert math.isclose(clip_grad_norm_(a, 10.0).item(), math.sqrt(2), rel_tol=1e-7)
    empty = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    assert clip_grad_norm_([empty], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="`parameters` is an empty generator, no gradient clipping will occur."):
        clip_grad_norm_((p for p in []), 1.0)


def test_nonfinite_norm_raises_before_touching_anything():
    params = with_grads([[1.0, np.inf], [2.0, 3.0]], "float32")
    before = [p.grad.numpy().copy() for p in params]
    with pytest.raises(RuntimeError, match=re.escape(
            "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. "
            "To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    for p, b in zip(params, before):
        assert np.array_equal(p.grad.numpy(), b)
    with pytest.raises(RuntimeError, match="The total norm of order inf for gradients"):
        clip_grad_norm_(params, 1.0, norm_type="inf", error_if_nonfinite=True)


def test_nonfinite_norm_without_the_error_scales_by_zero_like_torch():
    params = with_grads([[1.0, np.inf], [2.0, 3.0]], "float32")
    total = clip_grad_norm_(params, 1.0)
    assert total.item() == math.inf
    assert np.array_equal(params[1].grad.numpy(), [0.0, 0.0])


def test_clip_grads_with_norm_uses_the_given_norm():
    params = with_grads([[3.0, 4.0]], "float64")
    clip_grads_with_norm_(params, 1.0, Tensor(np.float64(10.0)))
    np.testing.assert_allclose(params[0].grad.numpy(), [0.3 / (1 + 1e-7), 0.4 / (1 + 1e-7)], rtol=1e-12)


@pytest.mark.parametrize("call, exc, message", [
    (lambda ps: clip_grad_norm_(ps, "1"), TypeError, "max_norm must be a number, but got str"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type="two"), TypeError, "norm_type must be a number or 'inf', but got 'two'"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=math.nan), ValueError, "norm_type must not be nan"),
    (lambda ps: clip_grad_norm_(3.0, 1.0), TypeError, "parameters must be a Tensor or an iterable of Tensors, but got float"),
    (lambda ps: clip_grad_norm_([ps[0], "w"], 1.0), TypeError, "parameters must contain only Tensors, but one of them is str"),
    (lambda ps: clip_grad_value_(ps, None), TypeError, "clip_value must be a number, but got NoneType"),
])
def test_bad_arguments_are_reported_and_change_nothing(call, exc, message):
    params = with_grads([[5.0, -5.0]], "float32")
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        call(params)
    assert np.array_equal(params[0].grad.numpy(), [5.0, -5.0])
