"""Hypothesis properties: statements that hold for every input, not one example."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optim_helpers import OPTIMIZERS, set_grads
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adagrad, Adam, AdamW, RMSprop, gradient_descent_step

SETTINGS = settings(max_examples=40, deadline=None)

# No subnormals: below 2.2e-308 a float has fewer significant bits, so relative
# error bounds such as rtol=1e-12 no longer hold for any implementation.
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)
nonzero = finite.filter(lambda x: abs(x) > 1e-3)
shapes = hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)
lrs = st.floats(1e-4, 1.0)
unit = st.floats(0.0, 0.99)


def arrays(shape, elements=finite):
    return hnp.arrays(np.float64, shape, elements=elements)


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def T(values):
    """A float64 gradient Tensor (np.array: 0-d results of arithmetic are NumPy scalars)."""
    return Tensor(np.array(values, dtype=np.float64))


@SETTINGS
@given(data=st.data(), shape=shapes, lr=lrs, momentum=unit, dampening=unit,
       nesterov=st.booleans(), maximize=st.booleans(), steps=st.integers(1, 5))
def test_sgd_zero_gradient_without_decay_changes_nothing(data, shape, lr, momentum, dampening, nesterov,
                                                         maximize, steps):
    start = data.draw(arrays(shape))
    if nesterov:
        momentum, dampening = max(momentum, 0.1), 0.0
    p = leaf(start)
    opt = SGD([p], lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, maximize=maximize)
    for _ in range(steps):
        p.grad = T(np.zeros(shape))
        opt.step()
    np.testing.assert_array_equal(p.numpy(), start)


@SETTINGS
@given(data=st.data(), shape=shapes, lr=lrs, beta1=unit, beta2=unit, cls=st.sampled_from([Adam, AdamW]))
def test_adam_init_buffer_moves_each_coordinate_by_lr(data, shape, lr, beta1, beta2, cls):
    """t = 1: m̂ = g and √v̂ = |g|, so Δp = -lr·g/(|g| + eps) ≈ -lr·sign(g) (times the AdamW shrink)."""
    start = data.draw(arrays(shape))
    g = data.draw(arrays(shape, nonzero))
    p = leaf(start)
    opt = cls([p], lr=lr, betas=(beta1, beta2), weight_decay=0)
    p.grad = T(g)
    opt.step()
    np.testing.assert_allclose(p.numpy() - start, -lr * g / (np.abs(g) + 1e-8), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.abs(p.numpy() - start), lr, rtol=1e-4)


@SETTINGS
@given(data=st.data(), shape=shapes, lr=lrs, alpha=unit)
def test_rmsprop_and_adagrad_init_buffers(data, shape, lr, alpha):
    start = data.draw(arrays(shape))
    g = data.draw(arrays(shape, nonzero))
    p, q = leaf(start), leaf(start)
    rms, ada = RMSprop([p], lr=lr, alpha=alpha), Adagrad([q], lr=lr)
    p.grad, q.grad = T(g), T(g)
    rms.step()
    ada.step()
    np.testing.assert_allclose(p.numpy() - start, -lr * g / (np.sqrt(1 - alpha) * np.abs(g) + 1e-8),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(q.numpy() - start, -lr * g / (np.abs(g) + 1e-10), rtol=1e-9, atol=1e-12)


@SETTINGS
@given(data=st.data(), shape=shapes, lr=st.floats(1e-3, 0.1), wd=st.floats(1e-3, 1.0), steps=st.integers(1, 6))
def test_adamw_with_zero_gradient_only_shrinks(data, shape, lr, wd, steps):
    """m stays 0, so the only movement is the decoupled decay p·(1 - lr·wd) per step."""
    start = data.draw(arrays(shape))
    p = leaf(start)
    opt = AdamW([p], lr=lr, weight_decay=wd)
    for _ in range(steps):
        p.grad = T(np.zeros(shape))
        opt.step()
    np.testing.assert_allclose(p.numpy(), start * (1 - lr * wd) ** steps, rtol=1e-12, atol=0)


CONFIGS = {
    "SGD": st.fixed_dictionaries({"lr": lrs, "momentum": unit, "dampening": unit, "weight_decay": unit}),
    "Adam": st.fixed_dictionaries({"lr": lrs, "betas": st.tuples(unit, unit), "weight_decay": unit,
                                   "amsgrad": st.booleans()}),
    "AdamW": st.fixed_dictionaries({"lr": lrs, "weight_decay": unit, "amsgrad": st.booleans()}),
    "RMSprop": st.fixed_dictionaries({"lr": lrs, "alpha": unit, "momentum": unit, "centered": st.booleans(),
                                      "weight_decay": unit}),
    "Adagrad": st.fixed_dictionaries({"lr": lrs, "lr_decay": unit, "weight_decay": unit,
                                      "initial_accumulator_value": unit}),
}


def config_strategy():
    return st.sampled_from(sorted(CONFIGS)).flatmap(lambda name: st.tuples(st.just(name), CONFIGS[name]))


@SETTINGS
@given(data=st.data(), shape=shapes, config=config_strategy(), steps=st.integers(1, 5))
def test_maximizing_g_is_minimizing_minus_g(data, shape, config, steps):
    """Bit-identical: negation is exact, so the two runs do the same arithmetic."""
    name, kwargs = config
    start = data.draw(arrays(shape))
    grads = [data.draw(arrays(shape)) for _ in range(steps)]
    p, q = leaf(start), leaf(start)
    up = OPTIMIZERS[name]([p], maximize=True, **kwargs)
    down = OPTIMIZERS[name]([q], **kwargs)
    for g in grads:
        p.grad, q.grad = T(g), T(-g)
        up.step()
        down.step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())


@SETTINGS
@given(data=st.data(), config=config_strategy(), steps=st.integers(1, 4))
def test_step_reads_gradients_without_changing_them_and_keeps_storage(data, config, steps):
    name, kwargs = config
    p = leaf(data.draw(arrays((3,))))
    opt = OPTIMIZERS[name]([p], **kwargs)
    storage = p.numpy()
    for _ in range(steps):
        g = data.draw(arrays((3,)))
        p.grad = T(g.copy())
        opt.step()
        np.testing.assert_array_equal(p.grad.numpy(), g)
    assert p.numpy() is storage
    assert all(isinstance(v, np.ndarray) and v.shape == (3,) for k, v in opt.state[p].items() if k != "step")


@SETTINGS
@given(data=st.data(), shape=shapes, steps=st.integers(1, 5), power=st.integers(-20, 20),
       amsgrad=st.booleans())
def test_adam_without_eps_ignores_the_gradient_scale(data, shape, steps, power, amsgrad):
    """Scaling every gradient by 2^k scales m by 2^k and sqrt(v) by 2^k exactly: same trajectory."""
    start = data.draw(arrays(shape))
    grads = [data.draw(arrays(shape, nonzero)) for _ in range(steps)]
    p, q = leaf(start), leaf(start)
    a, b = Adam([p], lr=0.01, eps=0, amsgrad=amsgrad), Adam([q], lr=0.01, eps=0, amsgrad=amsgrad)
    for g in grads:
        p.grad, q.grad = T(g), T(g * 2.0 ** power)
        a.step()
        b.step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())


@SETTINGS
@given(data=st.data(), config=config_strategy(), other=config_strategy(), steps=st.integers(1, 4))
def test_two_groups_behave_like_two_optimizers(data, config, other, steps):
    name, kwargs = config
    cls = OPTIMIZERS[name]
    other_kwargs = {k: v for k, v in other[1].items() if k in kwargs}
    x, y = data.draw(arrays((2,))), data.draw(arrays((3,)))
    p1, p2, q1, q2 = leaf(x), leaf(y), leaf(x), leaf(y)
    together = cls([{"params": [p1]}, {"params": [p2], **other_kwargs}], **kwargs)
    apart = [cls([q1], **kwargs), cls([q2], **{**kwargs, **other_kwargs})]
    for _ in range(steps):
        g1, g2 = data.draw(arrays((2,))), data.draw(arrays((3,)))
        set_grads([p1, p2, q1, q2], [g1, g2, g1, g2])
        together.step()
        for opt in apart:
            opt.step()
    np.testing.assert_array_equal(p1.numpy(), q1.numpy())
    np.testing.assert_array_equal(p2.numpy(), q2.numpy())


@SETTINGS
@given(data=st.data(), shape=shapes, lr=lrs, steps=st.integers(1, 5))
def test_gradient_descent_step_is_sgd_without_momentum(data, shape, lr, steps):
    start = data.draw(arrays(shape))
    p, q = leaf(start), leaf(start)
    opt = SGD([q], lr=lr)
    for _ in range(steps):
        g = data.draw(arrays(shape))
        p.grad, q.grad = T(g), T(g)
        gradient_descent_step(p, lr)
        opt.step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_parameters_stay_float32(name):
    p = Tensor(np.array([1.0, -2.0, 3.0], dtype=np.float32), requires_grad=True)
    kwargs = {"lr": 0.1, "momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    opt = OPTIMIZERS[name]([p], **kwargs)
    for _ in range(3):
        p.grad = Tensor(np.array([0.5, 0.25, -1.0], dtype=np.float32))
        opt.step()
    assert p.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))
