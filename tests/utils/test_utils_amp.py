"""GradScaler: PyTorch parity (fixtures), the dynamic-scale rule, skipped steps, real float16, errors."""
import copy
import json
import pathlib
import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.amp import GradScaler
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adam

FIXTURE = json.loads((pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "utils_scaler.json").read_text())


def params_with(values, dtype=np.float32):
    return [Tensor(np.array(v, dtype=dtype), requires_grad=True) for v in values]


def set_grads(params, grads, dtype=np.float32):
    for p, g in zip(params, grads):
        p.grad = Tensor(np.array(g, dtype=dtype))


# ------------------------------------------------------------------ torch parity
@pytest.mark.parametrize("cfg", FIXTURE["configs"], ids=lambda c: c["name"])
def test_scale_sequence_and_unscaled_grads_match_torch(cfg):
    params = params_with(cfg["init_params"])
    opt = SGD(params, lr=0.1, momentum=0.9)
    scaler = GradScaler(**cfg["kwargs"])
    for i, it in enumerate(cfg["iters"]):
        assert scaler.get_scale() == it["scale_before"], i
        set_grads(params, it["scaled_grads"])
        before = [p.numpy().copy() for p in params]
        scaler.unscale_(opt)
        for p, u in zip(params, it["unscaled_grads"]):
            expected = np.array(u, dtype=np.float32)
            finite = np.isfinite(expected)
            assert np.array_equal(p.grad.numpy()[finite], expected[finite])  # bit-exact
        scaler.step(opt)
        scaler.update()
        stepped = any(not np.array_equal(b, p.numpy()) for b, p in zip(before, params))
        assert stepped == it["stepped"] and scaler.last_step_skipped == (not it["stepped"])
        assert scaler.get_scale() == it["scale_after"]
        assert scaler._get_growth_tracker() == it["growth_tracker"]
        for p, expected in zip(params, it["params"]):  # optimizer arithmetic: a few float32 ulps
            np.testing.assert_allclose(p.numpy(), np.array(expected, dtype=np.float32), rtol=0, atol=2e-6)
    assert scaler.state_dict() == cfg["state_dict"]
    assert scaler.skipped_steps == sum(not it["stepped"] for it in cfg["iters"])


def test_fixtures_exercise_backoff_growth_and_float32_overflow():
    names = {c["name"]: c for c in FIXTURE["configs"]}
    odd = [it["scale_after"] for it in names["odd_factors"]["iters"]]
    assert odd[-1] != round(odd[-1])  # float32 rounding of non-power-of-2 products is covered
    top = names["growth_overflows_float32"]["iters"]
    assert max(it["scale_after"] for it in top) == 2.0 ** 127  # growth to inf is refused


# ------------------------------------------------------------------ the dynamic rule
def run_clean(scaler, opt, params, n):
    scales = []
    for _ in range(n):
        set_grads(params, [[scaler.get_scale()]])
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return scales


@settings(max_examples=30, deadline=None)
@given(interval=st.integers(1, 7), n=st.integers(1, 40), exponent=st.integers(-10, 20))
def test_without_overflow_the_scale_doubles_exactly_every_growth_interval(interval, n, exponent):
    params = params_with([[1.0]])
    scaler = GradScaler(init_scale=2.0 ** exponent, growth_interval=interval)
    scales = run_clean(scaler, SGD(params, lr=1e-3), params, n)
    assert scales == [2.0 ** (exponent + (k + 1) // interval) for k in range(n)]
    assert scaler.skipped_steps == 0


@settings(max_examples=30, deadline=None)
@given(bad=st.lists(st.booleans(), min_size=1, max_size=30), interval=st.integers(1, 5))
def test_scale_follows_the_rule_step_by_step(bad, interval):
    params = params_with([[1.0, 2.0]])
    opt = SGD(params, lr=1e-3)
    scaler = GradScaler(init_scale=1024.0, growth_interval=interval, backoff_factor=0.25, growth_factor=4.0)
    scale, tracker = 1024.0, 0
    for overflow in bad:
        set_grads(params, [[np.inf if overflow else 1.0, 1.0]])
        scaler.step(opt)
        scaler.update()
        if overflow:
            scale, tracker = scale * 0.25, 0
        else:
            tracker += 1
            if tracker == interval:
                scale, tracker = scale * 4.0, 0
        assert scaler.get_scale() == scale and scaler._get_growth_tracker() == tracker
    assert scaler.skipped_steps == sum(bad)


@pytest.mark.parametrize("bad_value", [np.inf, -np.inf, np.nan])
def test_a_skipped_step_leaves_parameters_and_optimizer_state_untouched(bad_value):
    params = params_with([[1.0, -2.0, 3.0], [[0.5, 0.25]]])
    opt = Adam(params, lr=0.1)
    scaler = GradScaler(init_scale=8.0)
    set_grads(params, [[8.0, 8.0, 8.0], [[8.0, -8.0]]])
    scaler.step(opt)
    scaler.update()
    values = [p.numpy().copy() for p in params]
    state = copy.deepcopy(opt.state_dict())
    set_grads(params, [[8.0, bad_value, 8.0], [[8.0, -8.0]]])
    assert scaler.step(opt) is None
    assert scaler.skipped_steps == 1 and scaler.last_step_skipped
    for p, v in zip(params, values):
        assert np.array_equal(p.numpy(), v)
    after = opt.state_dict()
    assert pickle.dumps(after) == pickle.dumps(state)
    scaler.update()
    assert scaler.get_scale() == 4.0


def test_step_returns_the_optimizers_return_value():
    params = params_with([[1.0]])
    opt = SGD(params, lr=0.1)
    scaler = GradScaler(init_scale=2.0)
    set_grads(params, [[2.0]])
    assert scaler.step(opt) is None  # SGD.step() without a closure returns None
    scaler.update()
    disabled = GradScaler(enabled=False)
    assert disabled.step(opt, lambda: 3.5) == 3.5


# ------------------------------------------------------------------ real float16
def test_float16_forward_float32_master_weights():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float16)
    y = (x.astype(np.float32) @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype=np.float32)).astype(np.float16)
    w = Tensor(np.zeros((4, 1), dtype=np.float32), requires_grad=True)  # float32 master weights
    opt = SGD([w], lr=0.05)
    scaler = GradScaler()  # 65536 is above float16's maximum 65504
    losses = []
    for _ in range(60):
        opt.zero_grad()
        pred = Tensor(x) @ w.astype(np.float16)  # float16 compute
        diff = pred - Tensor(y)
        loss = (diff * diff).mean()
        assert loss.dtype == np.float16
        before = w.numpy().copy()
        with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point
            scaler.scale(loss).backward()
        assert w.grad.dtype == np.float32  # the cast's backward returns to master precision
        scaler.step(opt)
        if scaler.last_step_skipped:
            assert np.array_equal(w.numpy(), before)
        scaler.update()
        losses.append(float(loss.item()))
    assert scaler.skipped_steps >= 1  # the first backward overflowed float16 for real
    assert scaler.get_scale() < 65536.0
    assert losses[-1] < 0.01 * losses[0]


def test_scaling_rescues_gradients_that_underflow_in_float16():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    x = Tensor(np.full(3, 1e-8, dtype=np.float16))  # 1e-8 underflows float16's subnormal range...
    assert x.numpy()[0] == 0.0
    x = Tensor(np.full(3, 2 ** -20, dtype=np.float16))  # ...so use the smallest it can hold: 2^-20 ≈ 9.5e-7
    loss = (w.astype(np.float16) * x).sum() * Tensor(np.float16(2 ** -5))  # ∂loss/∂w = 2^-25: not in float16
    loss.backward()
    assert np.all(w.grad.numpy() == 0.0)  # lost
    w.grad = None
    opt = SGD([w], lr=1.0)
    scaler = GradScaler(init_scale=2.0 ** 10)
    loss = (w.astype(np.float16) * x).sum() * Tensor(np.float16(2 ** -5))
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    assert np.all(w.grad.numpy() == np.float32(2.0 ** -25))  # recovered exactly, in float32


def test_float16_grads_on_float32_params_are_unscaled_into_float32():
    (p,) = params_with([[1.0, 1.0]])
    p.grad = Tensor(np.array([3.0, 6e4], dtype=np.float16))  # grads may arrive as float16
    opt = SGD([p], lr=1.0)
    scaler = GradScaler(init_scale=2.0 ** 16)
    scaler.unscale_(opt)
    assert p.grad.dtype == np.float32
    assert np.array_equal(p.grad.numpy(), np.array([3.0, 60000.0], dtype=np.float32) / np.float32(65536))
    scaler.step(opt)
    assert p.numpy().dtype == np.float32


def test_all_float16_params_keep_float16_grads_and_unscale_in_float32():
    (p,) = params_with([[1.0, 1.0]], np.float16)
    p.grad = Tensor(np.array([1.0, 3.0], dtype=np.float16))
    opt = SGD([p], lr=1.0)
    scaler = GradScaler(init_scale=3.0)  # 1/3 is not exact: the product is formed in float32
    scaler.unscale_(opt)
    assert p.grad.dtype == np.float16
    inv = np.float32(1.0 / 3.0)
    assert np.array_equal(p.grad.numpy(), (np.array([1.0, 3.0], dtype=np.float32) * inv).astype(np.float16))


def test_scale_keeps_lists_and_tuples_and_casts_float16():
    s = GradScaler(init_scale=2.0 ** 16)
    a = Tensor(np.float16(2.0))
    out = s.scale([a, (Tensor(1.0),)])
    assert isinstance(out, list) and isinstance(out[1], tuple)
    assert out[0].dtype == np.float32 and out[0].item() == 131072.0
    with pytest.raises(ValueError, match="^outputs must be a Tensor or an iterable of Tensors$"):
        s.scale(3.0)


# ------------------------------------------------------------------ protocol errors
def ready():
    params = params_with([[1.0]])
    set_grads(params, [[1.0]])
    return params, SGD(params, lr=0.1), GradScaler(init_scale=4.0)


def test_unscale_twice_before_update():
    _, opt, scaler = ready()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match=re.escape(
            "unscale_() has already been called on this optimizer since the last update().")):
        scaler.unscale_(opt)


def test_unscale_after_step_and_step_twice():
    _, opt, scaler = ready()
    scaler.step(opt)
    with pytest.raises(RuntimeError, match=re.escape("unscale_() is being called after step().")):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match=re.escape("step() has already been called since the last update().")):
        scaler.step(opt)
    scaler.update()
    scaler.step(opt)  # a new iteration is fine


def test_unscale_then_step_does_not_unscale_again():
    params, opt, scaler = ready()
    scaler.unscale_(opt)
    assert params[0].grad.item() == 0.25
    scaler.step(opt)
    assert params[0].grad.item() == 0.25 and params[0].item() == pytest.approx(1.0 - 0.025)


def test_closure_is_refused_when_enabled():
    _, opt, scaler = ready()
    with pytest.raises(RuntimeError, match=re.escape("Closure use is not currently supported if GradScaler is enabled.")):
        scaler.step(opt, closure=lambda: 0.0)


def test_step_and_update_need_gradients():
    params = params_with([[1.0]])
    opt, scaler = SGD(params, lr=0.1), GradScaler()
    with pytest.raises(RuntimeError, match="^No inf checks were recorded for this optimizer"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match=re.escape("No inf checks were recorded prior to update()")):
        GradScaler().update()


def test_update_with_an_explicit_new_scale():
    _, opt, scaler = ready()
    scaler.step(opt)
    scaler.update(new_scale=10.0)
    assert scaler.get_scale() == 10.0
    scaler.update(Tensor(3.0))
    assert scaler.get_scale() == 3.0
    with pytest.raises(ValueError, match="new_scale must be a positive finite number, but got -1.0"):
        scaler.update(-1.0)
    with pytest.raises(ValueError, match="new_scale should be a float or a 1-element Tensor."):
        scaler.update(Tensor([1.0, 2.0]))


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(growth_factor=1.0), ValueError, "The growth factor must be > 1.0."),
    (dict(backoff_factor=1.0), ValueError, "The backoff factor must be < 1.0."),
    (dict(backoff_factor=0.0), ValueError, "The backoff factor must be > 0.0."),
    (dict(init_scale=0.0), ValueError, "init_scale must be a positive finite number, but got 0.0"),
    (dict(init_scale=1e39), ValueError, "init_scale 1e+39 overflows float32"),
    (dict(growth_interval=0), ValueError, "growth_interval must be a positive integer, but got 0"),
    (dict(init_scale="cpu"), TypeError, "init_scale must be a number, but got the string 'cpu'"),
])
def test_constructor_validation(kwargs, exc, message):
    with pytest.raises(exc, match="^" + re.escape(message)):
        GradScaler(**kwargs)


def test_disabled_scaler_is_a_pass_through():
    params, opt, _ = ready()
    scaler = GradScaler(enabled=False, growth_factor=0.5)  # not validated when disabled, like torch
    loss = Tensor(2.0)
    assert scaler.scale(loss) is loss
    scaler.unscale_(opt)
    assert params[0].grad.item() == 1.0
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {} and not scaler.is_enabled()
    scaler.load_state_dict({})


# ------------------------------------------------------------------ checkpoints
def test_state_dict_round_trip_and_pickling():
    _, opt, scaler = ready()
    scaler.step(opt)
    scaler.update()
    state = scaler.state_dict()
    assert state == {"scale": 4.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000,
                     "_growth_tracker": 1}
    other = GradScaler()
    other.load_state_dict(pickle.loads(pickle.dumps(state)))
    assert other.state_dict() == state
    assert pickle.loads(pickle.dumps(scaler)).state_dict() == state


def test_pickling_mid_iteration_is_refused():
    _, opt, scaler = ready()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="A GradScaler instance may only be pickled at the beginning"):
        pickle.dumps(scaler)


def test_load_state_dict_checks_before_changing():
    scaler = GradScaler(init_scale=8.0)
    with pytest.raises(RuntimeError, match="The source state dict is empty, possibly because it was saved from a disabled"):
        scaler.load_state_dict({})
    with pytest.raises(KeyError, match="GradScaler state dict is missing \\['_growth_tracker'\\]"):
        scaler.load_state_dict({"scale": 1.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 3})
    with pytest.raises(ValueError, match="state dict 'scale' must be a positive finite number"):
        scaler.load_state_dict({"scale": float("inf"), "growth_factor": 2.0, "backoff_factor": 0.5,
                                "growth_interval": 3, "_growth_tracker": 0})
    assert scaler.get_scale() == 8.0 and scaler.get_growth_interval() == 2000


def test_float16_sums_accumulate_in_float32():
    """A running sum in float16 stalls at 2048 (spacing 2 there); the layer's bias
    gradient and the losses' reductions must count 4096 rows exactly."""
    from tinytorch import nn

    rows = 4096
    assert np.ones((rows, 2), np.float16).sum(axis=0)[0] == 2048   # the trap
    layer = nn.Linear(3, 2, dtype=np.float16)
    layer(Tensor(np.ones((rows, 3), np.float16))).sum().backward()
    assert layer.bias.grad.dtype == np.float16
    np.testing.assert_array_equal(layer.bias.grad.numpy(), [rows, rows])
    ones = Tensor(np.ones((rows, 1), np.float16))
    zeros = Tensor(np.zeros((rows, 1), np.float16))
    loss = nn.MSELoss(reduction="sum")(ones, zeros)
    assert loss.dtype == np.float16 and loss.item() == rows
    assert nn.MSELoss()(ones, zeros).item() == 1.0
