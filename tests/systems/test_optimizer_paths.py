"""The optimizers' two execution paths: blocked NumPy (default) and fused=True.

* The default path cuts the arrays into blocks and spreads them over threads;
  that must not change a single bit of the result (float32 or float64).
* fused=True must agree with the default path to round-off, step after step.
* After its first step, neither path allocates array memory (tracemalloc).
* fused=True without numba fails at construction, saying how to install it.
"""
import pickle
import sys
import tracemalloc

import numpy as np
import pytest

from systems_helpers import assert_roundoff_close
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adagrad, Adam, AdamW, RMSprop, _fused
from tinytorch.optim.adam import adam_update
from tinytorch.optim.sgd import sgd_update

needs_numba = pytest.mark.skipif(not _fused.fused_available(), reason="numba is not installed")

CONFIGS = [
    (SGD, dict(lr=0.1)),
    (SGD, dict(lr=0.1, momentum=0.9)),
    (SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (SGD, dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True)),
    (Adam, dict(lr=0.01)),
    (Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    (Adam, dict(lr=0.02, maximize=True, eps=1e-3)),
    (AdamW, dict(lr=0.01)),
    (AdamW, dict(lr=0.01, weight_decay=0.5, amsgrad=True, betas=(0.3, 0.9))),
]
IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for cls, kw in CONFIGS]
SHAPES = [(37,), (12, 9), (5,)]


def make(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in SHAPES]


def gradients(steps, dtype, seed=1):
    """Per step, one gradient per parameter; the last parameter skips every third step."""
    rng = np.random.default_rng(seed)
    return [[None if (i == 2 and t % 3 == 2) else rng.standard_normal(s).astype(dtype)
             for i, s in enumerate(SHAPES)] for t in range(steps)]


def run(cls, kwargs, dtype, steps=12, **extra):
    params = make(dtype)
    opt = cls(params, **kwargs, **extra)
    for grads in gradients(steps, dtype):
        for p, g in zip(params, grads):
            p.grad = None if g is None else Tensor(g)
        opt.step()
    return params, opt


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls, kwargs", CONFIGS, ids=IDS)
def test_fused_and_default_paths_agree_to_roundoff(cls, kwargs, dtype):
    plain, plain_opt = run(cls, kwargs, dtype)
    fused, fused_opt = run(cls, kwargs, dtype, fused=True)
    assert fused_opt.fused and not plain_opt.fused
    # SGD's kernel does NumPy's operations in NumPy's order: identical bits.
    # Adam's orders m's update and the final division as torch does, the NumPy
    # path a little differently: 12 steps stay within a few roundings of
    # values of order one (observed: under one eps).
    def same(a, b):
        assert a.dtype == b.dtype == dtype
        if cls is SGD:
            np.testing.assert_array_equal(a, b)
        else:
            assert_roundoff_close(a, b, np.abs(b) + 1, ulps=8)

    for pa, pb in zip(fused, plain):
        same(pa.numpy(), pb.numpy())
        sa, sb = fused_opt.state[pa], plain_opt.state[pb]
        assert sa.keys() == sb.keys()
        for key in sa:
            if isinstance(sa[key], np.ndarray):
                same(sa[key], sb[key])
            else:
                assert sa[key] == sb[key]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blocked_default_path_is_bit_identical_to_one_whole_array_update(dtype):
    n = 700_000  # > 2 blocks of 256 Ki and enough for two threads
    rng = np.random.default_rng(0)
    p0, g0 = rng.standard_normal((2, n)).astype(dtype)
    adam_p, sgd_p = Tensor(p0, requires_grad=True), Tensor(p0, requires_grad=True)
    adam, sgd = Adam([adam_p], lr=0.01, amsgrad=True), SGD([sgd_p], lr=0.1, momentum=0.9, nesterov=True)
    p_adam, p_sgd = p0.copy(), p0.copy()
    m, v, vmax, buf = (np.zeros(n, dtype) for _ in range(4))
    whole = (np.empty(n, dtype), np.empty(n, dtype))
    for step in range(1, 4):
        g = g0 * step
        adam_p.grad, sgd_p.grad = Tensor(g), Tensor(g)
        adam.step()
        sgd.step()
        adam_update(p_adam, g, m, v, vmax, step=step, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8,
                    weight_decay=0.0, amsgrad=True, maximize=False, scratch=whole)
        sgd_update(p_sgd, g, buf, lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0,
                   nesterov=True, maximize=False, init_buffer=step == 1, scratch=whole)
    np.testing.assert_array_equal(adam_p.numpy(), p_adam)
    np.testing.assert_array_equal(adam.state[adam_p]["max_exp_avg_sq"], vmax)
    np.testing.assert_array_equal(sgd_p.numpy(), p_sgd)
    np.testing.assert_array_equal(sgd.state[sgd_p]["momentum_buffer"], buf)


N = 1 << 20  # 4 MiB of float32: four blocks, shared by two threads


_CASES = [(SGD, dict(lr=0.1, momentum=0.9)), (Adam, dict(amsgrad=True)), (AdamW, dict()),
          (RMSprop, dict(centered=True, momentum=0.9)), (Adagrad, dict())]
ALLOCATION_CASES = [pytest.param(cls, kw, False, id=cls.__name__) for cls, kw in _CASES] + [
    pytest.param(cls, kw, True, marks=needs_numba, id=f"{cls.__name__}-fused") for cls, kw in _CASES[:3]]


@pytest.mark.parametrize("cls, kwargs, fused", ALLOCATION_CASES)
def test_a_step_allocates_no_array_memory(cls, kwargs, fused):
    p = Tensor(np.ones(N, np.float32), requires_grad=True)
    p.grad = Tensor(np.full(N, 0.5, np.float32))
    opt = cls([p], **kwargs, **({"fused": True} if fused else {}))
    opt.step()  # first step: state, scratch buffers, worker threads, kernels
    tracemalloc.start()
    try:
        for _ in range(3):
            opt.step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.01 * N * 4, peak  # far below one parameter-sized array (4 MiB)


@needs_numba
@pytest.mark.parametrize("fused", [False, True])
def test_a_non_contiguous_gradient_is_handled(fused):
    rng = np.random.default_rng(0)
    g = rng.standard_normal((6, 4))
    a, b = Tensor(np.ones((4, 6)), requires_grad=True), Tensor(np.ones((4, 6)), requires_grad=True)
    a.grad = Tensor(g.T)                           # Fortran order: a transposed layout
    b.grad = Tensor(np.ascontiguousarray(g.T))
    assert not a.grad.numpy().flags.c_contiguous
    for p in (a, b):
        Adam([p], lr=0.1, fused=fused).step()
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_fused_without_numba_fails_at_construction_and_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` now raises ImportError
    monkeypatch.setattr(_fused, "_kernels", None)
    p = Tensor(np.ones(3), requires_grad=True)
    for cls in (SGD, Adam, AdamW):
        with pytest.raises(ImportError) as info:
            cls([p], lr=0.1, fused=True)
        assert str(info.value) == ("fused=True needs numba: pip install "
                                   "'optimizers-executably[fast]' (or pip install numba)")
    assert not Adam([p], fused=False).fused and not Adam([p]).fused  # the default needs no numba


@needs_numba
def test_fused_checks_its_arguments():
    p = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match="fused must be True, False or None, but got str 'yes'"):
        Adam([p], fused="yes")
    half = Tensor(np.ones(3, np.float16), requires_grad=True)
    with pytest.raises(TypeError, match="fused=True supports float32 and float64 parameters"):
        SGD([half], lr=0.1, fused=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'fused'"):
        RMSprop([p], fused=True)


@needs_numba
def test_a_fused_optimizer_pickles_and_keeps_its_switch():
    params, opt = run(Adam, dict(lr=0.01), np.float32, steps=2, fused=True)
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.fused is True
    assert "fused" not in clone.state_dict()["param_groups"][0]  # PyTorch's group layout is kept
