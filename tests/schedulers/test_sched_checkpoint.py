"""Checkpoint → resume is bit-identical for every optimizer × scheduler (and with a GradScaler).

Run N steps, take the state dicts of model, optimizer, scheduler (and scaler), pickle them,
build fresh objects, load, run N more steps; compare with one uninterrupted 2N-step run
using ==, never a tolerance.
"""
import pickle

import numpy as np
import pytest

from tinytorch.amp import GradScaler
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from tinytorch.optim import lr_scheduler as S

N = 12
RNG = np.random.default_rng(11)
X = RNG.standard_normal((16, 3)).astype(np.float32)
Y = RNG.standard_normal((16, 2)).astype(np.float32)
W0 = RNG.standard_normal((3, 2)).astype(np.float32)
B0 = RNG.standard_normal((2,)).astype(np.float32)

OPTIMIZERS = {
    "SGD-nesterov": lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "Adam-amsgrad": lambda ps: Adam(ps, lr=0.01, amsgrad=True),
    "AdamW": lambda ps: AdamW(ps, lr=0.01),
    "RMSprop-centered": lambda ps: RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda ps: Adagrad(ps, lr=0.1, lr_decay=0.01),
}


def inverse_time(e):
    return 1.0 / (1.0 + 0.1 * e)


SCHEDULERS = {
    "StepLR": lambda o: S.StepLR(o, step_size=5, gamma=0.5),
    "MultiStepLR": lambda o: S.MultiStepLR(o, milestones=[4, 13, 13], gamma=0.5),
    "ExponentialLR": lambda o: S.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda o: S.CosineAnnealingLR(o, T_max=9, eta_min=1e-4),
    "LinearLR": lambda o: S.LinearLR(o, start_factor=0.2, total_iters=15),
    "ConstantLR": lambda o: S.ConstantLR(o, factor=0.5, total_iters=14),
    "LambdaLR": lambda o: S.LambdaLR(o, inverse_time),
    "SequentialLR": lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=8), S.CosineAnnealingLR(o, T_max=20)],
        milestones=[8]),
    "CosineAnnealingWarmRestarts": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "OneCycleLR": lambda o: S.OneCycleLR(
        o, max_lr=0.05, total_steps=2 * N, cycle_momentum="momentum" in o.param_groups[0]
        or "betas" in o.param_groups[0]),
    "ReduceLROnPlateau": lambda o: S.ReduceLROnPlateau(o, patience=1, factor=0.5, threshold=0.05),
    "MultiplicativeLR": lambda o: S.MultiplicativeLR(o, lambda e: 0.9 if e % 3 else 1.0),
    "PolynomialLR": lambda o: S.PolynomialLR(o, total_iters=18, power=1.5),
    "ChainedScheduler": lambda o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.3, total_iters=7), S.ExponentialLR(o, gamma=0.95)]),
    "CyclicLR": lambda o: S.CyclicLR(
        o, base_lr=0.001, max_lr=0.02, step_size_up=5, mode="triangular2",
        cycle_momentum="momentum" in o.defaults or "betas" in o.defaults),
}


def fresh_params(values=None):
    values = values or [W0, B0]
    return [Tensor(v.copy(), requires_grad=True) for v in values]


def loss_of(params):
    w, b = params
    diff = Tensor(X) @ w + b - Tensor(Y)
    return (diff * diff).mean()


def train(params, opt, sched, steps, start, scaler=None):
    lrs = []
    for step in range(start, start + steps):
        opt.zero_grad()
        loss = loss_of(params)
        if scaler is None:
            loss.backward()
            opt.step()
        else:
            scaler.scale(loss).backward()
            if step in (5, 15):  # an overflow on each side of the checkpoint
                params[0].grad.numpy()[0, 0] = np.inf
            scaler.step(opt)
            scaler.update()
        if isinstance(sched, S.ReduceLROnPlateau):
            sched.step(loss.item())
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    return lrs


def build(opt_name, sched_name, values=None):
    params = fresh_params(values)
    opt = OPTIMIZERS[opt_name](params)
    return params, opt, SCHEDULERS[sched_name](opt)


def state_arrays(opt):
    return [(k, np.array(v)) for st in opt.state_dict()["state"].values() for k, v in sorted(st.items())]


@pytest.mark.parametrize("use_scaler", [False, True], ids=["plain", "GradScaler"])
@pytest.mark.parametrize("sched_name", SCHEDULERS)
@pytest.mark.parametrize("opt_name", OPTIMIZERS)
def test_resume_is_bit_identical(opt_name, sched_name, use_scaler):
    make_scaler = (lambda: GradScaler(init_scale=2.0 ** 8, growth_interval=3)) if use_scaler else (lambda: None)

    params, opt, sched = build(opt_name, sched_name)
    scaler = make_scaler()
    lrs_full = train(params, opt, sched, 2 * N, 0, scaler)

    params, opt, sched = build(opt_name, sched_name)
    scaler = make_scaler()
    lrs_first = train(params, opt, sched, N, 0, scaler)
    blob = pickle.dumps({
        "model": [p.numpy().copy() for p in params], "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(), "scaler": None if scaler is None else scaler.state_dict(),
    })
    del params, opt, sched, scaler

    ckpt = pickle.loads(blob)
    params2, opt2, sched2 = build(opt_name, sched_name, ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    scaler2 = make_scaler()
    if scaler2 is not None:
        scaler2.load_state_dict(ckpt["scaler"])
    lrs_second = train(params2, opt2, sched2, N, N, scaler2)

    params_full, opt_full, sched_full = build(opt_name, sched_name)
    scaler_full = make_scaler()
    train(params_full, opt_full, sched_full, 2 * N, 0, scaler_full)

    assert lrs_first + lrs_second == lrs_full
    for a, b in zip(params2, params_full):
        assert np.array_equal(a.numpy(), b.numpy())
    assert [k for k, _ in state_arrays(opt2)] == [k for k, _ in state_arrays(opt_full)]
    for (_, a), (_, b) in zip(state_arrays(opt2), state_arrays(opt_full)):
        assert np.array_equal(a, b)
    assert sched2.get_last_lr() == sched_full.get_last_lr()
    if use_scaler:
        assert scaler2.state_dict() == scaler_full.state_dict()
        assert scaler_full.skipped_steps == 2


def test_lambda_state_dict_saves_callable_objects_not_functions():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, e):
            return self.rate ** e

    obj = Decay()
    sched = S.LambdaLR(SGD(fresh_params(), lr=1.0), obj)
    obj.rate = 0.25
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.25}]
    other = Decay()
    S.LambdaLR(SGD(fresh_params(), lr=1.0), other).load_state_dict(pickle.loads(pickle.dumps(state)))
    assert other.rate == 0.25
    assert S.LambdaLR(SGD(fresh_params(), lr=1.0), inverse_time).state_dict()["lr_lambdas"] == [None]


def test_state_dict_is_a_snapshot():
    opt = SGD(fresh_params(), lr=1.0)
    sched = S.MultiStepLR(opt, milestones=[1, 2])
    state = sched.state_dict()
    opt.step()
    sched.step()
    assert state["last_epoch"] == 0 and state["_last_lr"] == [1.0]
    assert "optimizer" not in state
