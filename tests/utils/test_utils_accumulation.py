"""Gradient accumulation: k micro-batch backward passes + one step = the big-batch step."""
import re

import numpy as np
import pytest

import tinytorch
from tinytorch import nn
from tinytorch.amp import GradScaler
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adam
from tinytorch.optim.accumulation import GradientAccumulator

RNG = np.random.default_rng(5)
X = RNG.standard_normal((24, 5))
Y = RNG.standard_normal((24, 3))
OPTIMIZERS = {
    "SGD-momentum": lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    "Adam": lambda ps: Adam(ps, lr=0.01),
}


def model(dtype):
    tinytorch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 8, dtype=dtype), nn.ReLU(), nn.Linear(8, 3, dtype=dtype))


def loss_on(net, rows, dtype):
    return nn.MSELoss()(net(Tensor(X[rows].astype(dtype))), Tensor(Y[rows].astype(dtype)))


def big_batch_run(opt_name, dtype, windows):
    net = model(dtype)
    opt = OPTIMIZERS[opt_name](list(net.parameters()))
    for rows in windows:
        opt.zero_grad()
        loss_on(net, np.concatenate(rows), dtype).backward()
        opt.step()
    return [p.numpy().copy() for p in net.parameters()]


def assert_close(a_params, b_params, rtol):
    for a, b in zip(a_params, b_params):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-2)


EQUAL = [np.split(np.arange(24), 4)] * 3            # 3 updates of 4 micro-batches of 6
UNEQUAL = [[np.arange(0, 5), np.arange(5, 12), np.arange(12, 24)]] * 2


@pytest.mark.parametrize("opt_name", OPTIMIZERS)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_the_plain_pattern_equals_the_big_batch(opt_name, dtype, rtol):
    net = model(dtype)
    opt = OPTIMIZERS[opt_name](list(net.parameters()))
    k = 4
    opt.zero_grad()
    micro = [rows for window in EQUAL for rows in window]
    for i, rows in enumerate(micro, start=1):
        (loss_on(net, rows, dtype) / k).backward()
        if i % k == 0:
            opt.step()
            opt.zero_grad()
    assert_close([p.numpy() for p in net.parameters()], big_batch_run(opt_name, dtype, EQUAL), rtol)


@pytest.mark.parametrize("opt_name", OPTIMIZERS)
@pytest.mark.parametrize("windows, sizes", [(EQUAL, False), (UNEQUAL, True)], ids=["equal", "unequal"])
def test_the_accumulator_equals_the_big_batch(opt_name, windows, sizes):
    net = model(np.float64)
    acc = GradientAccumulator(OPTIMIZERS[opt_name](list(net.parameters())), accumulation_steps=len(windows[0]))
    stepped = []
    for window in windows:
        for rows in window:
            stepped.append(acc.backward(loss_on(net, rows, np.float64), batch_size=len(rows) if sizes else None))
    assert stepped == ([False] * (len(windows[0]) - 1) + [True]) * len(windows)
    assert acc.updates == len(windows) and acc.micro_step == 0
    assert all(p.grad is None for p in net.parameters())  # zeroed after each step
    assert_close([p.numpy() for p in net.parameters()], big_batch_run(opt_name, np.float64, windows), 1e-12)


def test_unweighted_unequal_micro_batches_are_not_the_big_batch():
    """Why batch_size exists: the mean of unequal micro-batch means is a different gradient."""
    net = model(np.float64)
    acc = GradientAccumulator(SGD(list(net.parameters()), lr=0.1), accumulation_steps=3)
    for rows in UNEQUAL[0]:
        acc.backward(loss_on(net, rows, np.float64))
    big = big_batch_run("SGD-momentum", np.float64, UNEQUAL[:1])
    assert max(np.max(np.abs(p.numpy() - b)) for p, b in zip(net.parameters(), big)) > 1e-4


def test_flush_steps_on_a_partial_window():
    net = model(np.float64)
    acc = GradientAccumulator(Adam(list(net.parameters()), lr=0.01), accumulation_steps=4)
    assert acc.flush() is False
    rows = [np.arange(0, 6), np.arange(6, 12)]
    for r in rows:
        assert acc.backward(loss_on(net, r, np.float64), batch_size=6) is False
    assert acc.flush() is True and acc.updates == 1
    assert_close([p.numpy() for p in net.parameters()], big_batch_run("Adam", np.float64, [rows]), 1e-12)


def test_with_a_grad_scaler_the_update_is_bit_identical():
    """Scaling by powers of two is exact, so scaled accumulation changes nothing."""
    results = []
    for scaler in (None, GradScaler(init_scale=2.0 ** 12)):
        net = model(np.float32)
        acc = GradientAccumulator(SGD(list(net.parameters()), lr=0.1, momentum=0.9), 4, scaler=scaler)
        for window in EQUAL:
            for rows in window:
                acc.backward(loss_on(net, rows, np.float32))
        results.append([p.numpy().copy() for p in net.parameters()])
    for a, b in zip(*results):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("steps", [0, -2, 1.5, True])
def test_accumulation_steps_must_be_a_positive_integer(steps):
    with pytest.raises(ValueError, match=re.escape(f"accumulation_steps must be a positive integer, but got {steps!r}")):
        GradientAccumulator(SGD(list(model(np.float64).parameters()), lr=0.1), steps)


def test_bad_batch_size_changes_nothing():
    net = model(np.float64)
    acc = GradientAccumulator(SGD(list(net.parameters()), lr=0.1), 2)
    with pytest.raises(ValueError, match="batch_size must be a positive number, but got 0"):
        acc.backward(loss_on(net, np.arange(3), np.float64), batch_size=0)
    assert acc.micro_step == 0 and all(p.grad is None for p in net.parameters())


def test_needs_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        GradientAccumulator([], 2)
