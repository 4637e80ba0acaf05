"""The numba kernels of tinytorch.optim._fused against the NumPy updates.

Against tinytorch/profiling/reference_steps.py (torch's operation order, the kernels' own
order) they must agree to the BIT, in float32 and float64: same IEEE
operations in the same order, no fused multiply-adds on either side.
Against tinytorch.optim's own update functions (the default path, which may
order a few operations differently) they must agree to round-off.
"""
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.profiling.reference_steps import adam_inplace, sgd_inplace
from systems_helpers import (DTYPES, adam_arrays, adam_settings, assert_roundoff_close, copies,
                             sgd_arrays, sgd_settings, shapes)
from tinytorch.optim import _fused
from tinytorch.optim.adam import adam_update
from tinytorch.optim.sgd import sgd_update

pytestmark = pytest.mark.skipif(not _fused.fused_available(), reason="numba is not installed")

NAMES_ADAM = ["param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
NAMES_SGD = ["param", "grad", "momentum_buffer"]


def _scratch(like):
    return (np.empty_like(like), np.empty_like(like))


@settings(max_examples=300, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), hp=adam_settings(), seed=st.integers(0, 2**16))
def test_adam_kernel_equals_reference_bit_for_bit(shape, dtype, hp, seed):
    expected = adam_arrays(shape, dtype, seed)
    actual = copies(expected)
    adam_inplace(*expected, scratch=_scratch(expected[0]), **hp)
    _fused.adam_step_(*actual, **hp)
    for name, a, e in zip(NAMES_ADAM, actual, expected):
        np.testing.assert_array_equal(a, e, err_msg=name)


@settings(max_examples=300, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), hp=sgd_settings(), seed=st.integers(0, 2**16))
def test_sgd_kernel_equals_reference_bit_for_bit(shape, dtype, hp, seed):
    expected = sgd_arrays(shape, dtype, seed)
    actual = copies(expected)
    sgd_inplace(*expected, scratch=_scratch(expected[0]), **hp)
    _fused.sgd_step_(*actual, **hp)
    for name, a, e in zip(NAMES_SGD, actual, expected):
        np.testing.assert_array_equal(a, e, err_msg=name)


def _effective_grad(p, g, hp):
    g = -g if hp["maximize"] else g
    if hp["weight_decay"] and not hp.get("decoupled_weight_decay", False):
        g = g + hp["weight_decay"] * p
    return g


@settings(max_examples=200, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), hp=adam_settings(), seed=st.integers(0, 2**16))
def test_adam_kernel_matches_tinytorch_update_to_roundoff(shape, dtype, hp, seed):
    start = adam_arrays(shape, dtype, seed)
    expected, actual = copies(start), copies(start)
    adam_update(*expected, scratch=_scratch(start[0]), **hp)
    _fused.adam_step_(*actual, **hp)
    p0, g0, m0, v0, _ = (a.astype(np.float64) for a in start)
    g = _effective_grad(p0, g0, hp)
    # How big the rounded quantities were: m and v mix their old value with g;
    # p mixes its old value with step_size * (|m| bound) / denom.
    m_scale = np.abs(m0) + np.abs(g)
    v_scale = np.abs(v0) + g * g
    v_used = expected[4] if hp["amsgrad"] else expected[3]
    bc1 = 1 - hp["beta1"] ** hp["step"]
    bc2_sqrt = (1 - hp["beta2"] ** hp["step"]) ** 0.5
    denom = np.sqrt(v_used.astype(np.float64)) / bc2_sqrt + hp["eps"]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_scale = np.abs(p0) + hp["lr"] / bc1 * m_scale / denom
    np.testing.assert_array_equal(actual[1], start[1])  # grad is only read
    assert_roundoff_close(actual[2], expected[2], m_scale)
    assert_roundoff_close(actual[3], expected[3], v_scale)
    assert_roundoff_close(actual[4], expected[4], v_scale + np.abs(start[4]))
    assert_roundoff_close(actual[0], expected[0], p_scale)


@settings(max_examples=200, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), hp=sgd_settings(), seed=st.integers(0, 2**16))
def test_sgd_kernel_matches_tinytorch_update_to_roundoff(shape, dtype, hp, seed):
    start = sgd_arrays(shape, dtype, seed)
    expected, actual = copies(start), copies(start)
    sgd_update(*expected, scratch=_scratch(start[0]), **hp)
    _fused.sgd_step_(*actual, **hp)
    p0, g0, b0 = (a.astype(np.float64) for a in start)
    g = np.abs(_effective_grad(p0, g0, hp))
    b_scale = np.abs(b0) + g
    p_scale = np.abs(p0) + hp["lr"] * (g + b_scale)
    np.testing.assert_array_equal(actual[1], start[1])
    assert_roundoff_close(actual[2], expected[2], b_scale)
    assert_roundoff_close(actual[0], expected[0], p_scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_division_by_zero_gives_nan_and_inf_as_numpy_does(dtype):
    # eps = 0 and v = 0: 0/0 where m = 0, ±inf where m ≠ 0; no exception.
    p = np.ones(3, dtype)
    g = np.array([0.0, 0.0, 0.0], dtype)
    m = np.array([0.0, 1.0, -1.0], dtype)
    v = np.zeros(3, dtype)
    expected = [a.copy() for a in (p, g, m, v)]
    hp = dict(step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=0.0)
    with np.errstate(all="ignore"):
        adam_inplace(*expected, scratch=_scratch(p), **hp)
    _fused.adam_step_(p, g, m, v, **hp)
    assert np.isnan(p[0]) and p[1] == -np.inf and p[2] == np.inf
    np.testing.assert_array_equal(p, expected[0])


def test_momentum_free_sgd_leaves_a_given_buffer_alone():
    p, g, b = sgd_arrays((10,), np.float32, 0)
    before = b.copy()
    _fused.sgd_step_(p, g, b, lr=0.1)
    np.testing.assert_array_equal(b, before)


def test_adam_on_two_dimensional_arrays_updates_them_in_place():
    p, g, m, v, _ = adam_arrays((3, 4), np.float32, 1)
    p_before = p.copy()
    _fused.adam_step_(p, g, m, v, step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    assert p.shape == (3, 4) and not np.array_equal(p, p_before)
    # First Adam step: m = 0.1 g (from m0), and |update| ≈ lr for every element.
    assert np.all(np.abs(p - p_before) < 0.1 * 1.5)


# ------------------------------------------------------------ errors
def test_non_contiguous_parameter_is_refused():
    p, g, m, v, _ = adam_arrays((6, 4), np.float32, 0)
    with pytest.raises(ValueError, match="C-contiguous"):
        _fused.adam_step_(p.T, g.T, m.T, v.T, step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)


def test_mixed_dtypes_are_refused():
    p, g, b = sgd_arrays((5,), np.float32, 0)
    with pytest.raises(TypeError, match="grad must be a float32 ndarray"):
        _fused.sgd_step_(p, g.astype(np.float64), b, lr=0.1, momentum=0.9)


def test_integer_parameters_are_refused():
    p = np.arange(4)
    with pytest.raises(TypeError, match="float32 and float64"):
        _fused.sgd_step_(p, p.copy(), lr=0.1)


def test_size_mismatch_is_refused():
    p, g, b = sgd_arrays((5,), np.float64, 0)
    with pytest.raises(ValueError, match="momentum_buffer has 4 elements, param has 5"):
        _fused.sgd_step_(p, g, b[:4], lr=0.1, momentum=0.9)


def test_missing_buffers_are_refused():
    p, g, m, v, _ = adam_arrays((5,), np.float64, 0)
    with pytest.raises(ValueError, match="amsgrad=True needs max_exp_avg_sq"):
        _fused.adam_step_(p, g, m, v, step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=True)
    with pytest.raises(ValueError, match="momentum != 0 needs a momentum_buffer"):
        _fused.sgd_step_(p, g, lr=0.1, momentum=0.9)


def test_without_numba_a_fused_step_says_how_to_install_it(monkeypatch):
    # sys.modules[name] = None makes `import name` raise ImportError, as if
    # numba were not installed; forget the kernels already built.
    monkeypatch.setitem(sys.modules, "numba", None)
    monkeypatch.setattr(_fused, "_kernels", None)
    assert _fused.fused_available() is False
    p, g, b = sgd_arrays((3,), np.float32, 0)
    expected = ("fused=True needs numba: pip install 'optimizers-executably[fast]' "
                "(or pip install numba)")
    with pytest.raises(ImportError) as info:
        _fused.sgd_step_(p, g, b, lr=0.1, momentum=0.9)
    assert str(info.value) == expected
    with pytest.raises(ImportError, match=r"pip install numba"):
        _fused.adam_step_(p, g, b, b.copy(), step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)


def test_fused_available_with_numba_installed():
    assert _fused.fused_available() is True


def test_small_steps_run_on_one_thread_large_ones_on_all(monkeypatch):
    """A thread only gets work when it gets MIN_PARALLEL elements (waking a thread on a
    busy core costs a scheduler time slice, ~8 ms measured, for a microsecond kernel)."""
    numba = pytest.importorskip("numba")
    from tinytorch.optim import _fused
    from tinytorch.optim._blocking import MIN_PARALLEL

    requested = []
    monkeypatch.setattr(numba, "set_num_threads", requested.append)
    for n in (1000, MIN_PARALLEL - 1, 2 * MIN_PARALLEL + 5):
        p = np.ones(n, np.float32)
        _fused.sgd_step_(p, np.ones_like(p), lr=0.5)
        np.testing.assert_array_equal(p, 0.5)
    assert requested == [1, 1, min(2, numba.config.NUMBA_NUM_THREADS)]
