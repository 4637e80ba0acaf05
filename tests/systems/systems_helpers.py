"""Random optimizer inputs and a round-off comparison, shared by the systems tests."""
import numpy as np
from hypothesis import strategies as st

DTYPES = [np.float32, np.float64]

shapes = st.one_of(
    st.tuples(st.integers(0, 300)),
    st.tuples(st.integers(1, 20), st.integers(1, 20)),
    st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)),
)


@st.composite
def adam_settings(draw):
    return dict(
        step=draw(st.integers(1, 1000)),
        lr=draw(st.floats(1e-4, 1.0)),
        beta1=draw(st.sampled_from([0.0, 0.3, 0.5, 0.9, 0.99])),
        beta2=draw(st.sampled_from([0.0, 0.5, 0.99, 0.999])),
        eps=draw(st.sampled_from([1e-8, 1e-3, 0.0])),
        weight_decay=draw(st.sampled_from([0.0, 0.01, 0.5])),
        amsgrad=draw(st.booleans()),
        maximize=draw(st.booleans()),
        decoupled_weight_decay=draw(st.booleans()),
    )


@st.composite
def sgd_settings(draw):
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
    dampening = draw(st.sampled_from([0.0, 0.1]))
    return dict(
        lr=draw(st.floats(1e-4, 1.0)),
        momentum=momentum,
        dampening=dampening,
        weight_decay=draw(st.sampled_from([0.0, 0.01, 0.5])),
        nesterov=draw(st.booleans()) and momentum > 0 and dampening == 0,
        maximize=draw(st.booleans()),
        init_buffer=draw(st.booleans()),
    )


def adam_arrays(shape, dtype, seed):
    """p, g, m, v, vmax: v and vmax positive (they are running squares), vmax ≥ 0."""
    rng = np.random.default_rng(seed)
    p, g = rng.standard_normal((2, *shape))
    m = 0.1 * rng.standard_normal(shape)
    v, vmax = 0.1 * np.abs(rng.standard_normal((2, *shape)))
    return [np.ascontiguousarray(a, dtype=dtype) for a in (p, g, m, v, vmax)]


def sgd_arrays(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    return [np.ascontiguousarray(a, dtype=dtype) for a in rng.standard_normal((3, *shape))]


def copies(arrays):
    return [a.copy() for a in arrays]


def assert_roundoff_close(actual, expected, scale, ulps=8):
    """|actual - expected| ≤ ulps · eps(dtype) · scale, elementwise.

    `scale` is the size of the quantities that were rounded on the way (e.g.
    |p| + |update|): two correct evaluations of the same formula in another
    order differ by a few roundings of those, never by more.
    """
    eps = np.finfo(actual.dtype).eps
    tol = ulps * eps * (np.abs(scale) + np.finfo(actual.dtype).tiny)
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    worst = np.max(diff - tol, initial=-np.inf)
    assert worst <= 0, f"max excess over {ulps}-ulp tolerance: {worst:g}"
