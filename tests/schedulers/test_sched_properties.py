"""Hypothesis properties: each scheduler's recursive stepping equals its closed form."""
import math
import warnings

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adam
from tinytorch.optim.lr_scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

SETTINGS = settings(max_examples=40, deadline=None)
lrs = st.floats(1e-4, 10.0)
steps = st.integers(1, 60)


def make_opt(lr, cls=SGD, **kw):
    p = Tensor(np.zeros(2), requires_grad=True)
    opt = cls([p], lr=lr, **kw)
    p.grad = Tensor(np.zeros(2))
    opt.step()  # so that no call-order warning fires
    return opt


def trajectory(sched, n):
    out = [sched.get_last_lr()[0]]
    for _ in range(n):
        sched.step()
        out.append(sched.get_last_lr()[0])
    return out


def close(a, b, rel=1e-12):
    return all(math.isclose(x, y, rel_tol=rel, abs_tol=1e-300) for x, y in zip(a, b))


def test_steplr_decays_on_the_step_size_th_call_not_one_later():
    """The seed's StepLR computed γ^⌊(k−1)/step_size⌋ after k calls: one epoch late."""
    sched = StepLR(make_opt(0.1), step_size=10, gamma=0.1)
    lrs = trajectory(sched, 11)
    assert lrs[9] == 0.1 and math.isclose(lrs[10], 0.01) and math.isclose(lrs[11], 0.01)


@SETTINGS
@given(lr=lrs, step_size=st.integers(1, 12), gamma=st.floats(0.05, 0.99), n=steps)
def test_steplr_is_base_times_gamma_to_floor(lr, step_size, gamma, n):
    got = trajectory(StepLR(make_opt(lr), step_size, gamma), n)
    assert close(got, [lr * gamma ** (e // step_size) for e in range(n + 1)])


@SETTINGS
@given(lr=lrs, milestones=st.lists(st.integers(1, 50), max_size=6), gamma=st.floats(0.05, 0.99), n=steps)
def test_multisteplr_counts_milestones_passed(lr, milestones, gamma, n):
    got = trajectory(MultiStepLR(make_opt(lr), milestones, gamma), n)
    assert close(got, [lr * gamma ** sum(m <= e for m in milestones) for e in range(n + 1)])


@SETTINGS
@given(lr=lrs, gamma=st.floats(0.5, 0.999), n=steps)
def test_exponentiallr(lr, gamma, n):
    got = trajectory(ExponentialLR(make_opt(lr), gamma), n)
    assert close(got, [lr * gamma ** e for e in range(n + 1)], rel=1e-11)


@SETTINGS
@given(lr=lrs, T_max=st.integers(1, 40), eta_frac=st.floats(0.0, 0.5), n=steps)
def test_cosine_recursion_equals_closed_form(lr, T_max, eta_frac, n):
    eta = lr * eta_frac
    got = trajectory(CosineAnnealingLR(make_opt(lr), T_max, eta_min=eta), n)
    want = [eta + (lr - eta) * (1 + math.cos(math.pi * e / T_max)) / 2 for e in range(n + 1)]
    assert np.allclose(got, want, rtol=1e-9, atol=1e-12 * lr)


@SETTINGS
@given(lr=lrs, s=st.floats(0.05, 1.0), f=st.floats(0.0, 1.0), T=st.integers(1, 30), n=steps)
def test_linearlr_recursion_equals_closed_form(lr, s, f, T, n):
    got = trajectory(LinearLR(make_opt(lr), start_factor=s, end_factor=f, total_iters=T), n)
    want = [lr * (s + (f - s) * min(e, T) / T) for e in range(n + 1)]
    assert np.allclose(got, want, rtol=1e-10, atol=1e-13 * lr)


@SETTINGS
@given(lr=lrs, factor=st.floats(0.01, 1.0), T=st.integers(1, 30), n=steps)
def test_constantlr(lr, factor, T, n):
    got = trajectory(ConstantLR(make_opt(lr), factor=factor, total_iters=T), n)
    assert close(got, [lr * factor if e < T else lr for e in range(n + 1)])


@SETTINGS
@given(lr=lrs, a=st.floats(0.001, 0.5), n=steps)
def test_lambdalr_is_base_times_lambda(lr, a, n):
    got = trajectory(LambdaLR(make_opt(lr), lambda e: 1 / (1 + a * e)), n)
    assert got == [lr * (1 / (1 + a * e)) for e in range(n + 1)]


@SETTINGS
@given(lr=lrs, n=steps, which=st.sampled_from(["step", "multi", "exp", "cos", "linear", "const"]))
def test_explicit_epoch_closed_form_matches_stepping(lr, n, which):
    makers = {
        "step": lambda o: StepLR(o, 4, 0.5), "multi": lambda o: MultiStepLR(o, [3, 9, 9], 0.3),
        "exp": lambda o: ExponentialLR(o, 0.9), "cos": lambda o: CosineAnnealingLR(o, 17, 1e-5),
        "linear": lambda o: LinearLR(o, 0.2, 0.9, 11), "const": lambda o: ConstantLR(o, 0.4, 6),
    }
    stepped = trajectory(makers[which](make_opt(lr)), n)[-1]
    jumper = makers[which](make_opt(lr))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jumper.step(n)
    assert math.isclose(jumper.get_last_lr()[0], stepped, rel_tol=1e-9, abs_tol=1e-15)


@SETTINGS
@given(lr=lrs, T_0=st.integers(1, 12), T_mult=st.integers(1, 3), n=steps)
def test_warm_restarts_closed_form(lr, T_0, T_mult, n):
    got = trajectory(CosineAnnealingWarmRestarts(make_opt(lr), T_0, T_mult), n)
    want, T_i, T_cur = [], T_0, 0
    for _ in range(n + 1):
        want.append(lr * (1 + math.cos(math.pi * T_cur / T_i)) / 2)
        T_cur += 1
        if T_cur >= T_i:
            T_cur, T_i = T_cur - T_i, T_i * T_mult
    assert close(got, want)
    jumper = CosineAnnealingWarmRestarts(make_opt(lr), T_0, T_mult)
    jumper.step(n)  # integer epochs: the closed form lands on the same value
    assert math.isclose(jumper.get_last_lr()[0], got[-1], rel_tol=1e-9, abs_tol=1e-12 * lr)


@SETTINGS
@given(max_lr=lrs, n=st.integers(10, 200), pct=st.floats(0.1, 0.9),
       strategy=st.sampled_from(["cos", "linear"]), adam=st.booleans())
def test_onecycle_endpoints_and_inverse_momentum(max_lr, n, pct, strategy, adam):
    assume(pct * n >= 2 and n - pct * n >= 1)
    opt = make_opt(1.0, Adam) if adam else make_opt(1.0, SGD, momentum=0.9)
    sched = OneCycleLR(opt, max_lr=max_lr, total_steps=n, pct_start=pct, anneal_strategy=strategy)
    mom = (lambda: opt.param_groups[0]["betas"][0]) if adam else (lambda: opt.param_groups[0]["momentum"])
    lr_path, mom_path = [sched.get_last_lr()[0]], [mom()]
    for _ in range(n - 1):
        sched.step()
        lr_path.append(sched.get_last_lr()[0])
        mom_path.append(mom())
    assert math.isclose(lr_path[0], max_lr / 25) and mom_path[0] == 0.95
    assert math.isclose(lr_path[-1], max_lr / 25 / 1e4, rel_tol=1e-9)
    assert max(lr_path) <= max_lr * (1 + 1e-12) and min(mom_path) >= 0.85 - 1e-12
    # momentum mirrors the learning rate: both anneal with the same phase fraction, so
    # (0.95 - m) / 0.10 = (lr - lo) / (max_lr - lo), lo being the phase's low end
    end_up = pct * n - 1
    for e in range(n):
        lo = max_lr / 25 if e <= end_up else max_lr / 25 / 1e4
        assert math.isclose((0.95 - mom_path[e]) / 0.10, (lr_path[e] - lo) / (max_lr - lo),
                            rel_tol=1e-6, abs_tol=1e-9)


@SETTINGS
@given(lr=lrs, m=st.integers(1, 20), n=st.integers(1, 50))
def test_sequential_is_warmup_then_a_restarted_cosine(lr, m, n):
    opt = make_opt(lr)
    warm = LinearLR(opt, start_factor=0.1, total_iters=m)
    cos = CosineAnnealingLR(opt, T_max=30)
    got = trajectory(SequentialLR(opt, [warm, cos], milestones=[m]), m + n)
    want_warm = [lr * (0.1 + 0.9 * e / m) for e in range(m)]
    want_cos = [lr * (1 + math.cos(math.pi * e / 30)) / 2 for e in range(n + 1)]
    assert np.allclose(got, want_warm + want_cos, rtol=1e-9)


@SETTINGS
@given(metrics=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=60),
       patience=st.integers(0, 5), cooldown=st.integers(0, 4), factor=st.floats(0.1, 0.9))
def test_plateau_matches_a_direct_reading_of_the_rule(metrics, patience, cooldown, factor):
    opt = make_opt(1.0)
    sched = ReduceLROnPlateau(opt, factor=factor, patience=patience, cooldown=cooldown,
                              threshold=0.01, min_lr=1e-3)
    lr, best, bad, cool = 1.0, math.inf, 0, 0
    for x in metrics:
        sched.step(x)
        if x < best * 0.99:
            best, bad = x, 0
        else:
            bad += 1
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > patience:
            new = max(lr * factor, 1e-3)
            lr = new if lr - new > 1e-8 else lr
            cool, bad = cooldown, 0
        assert sched.get_last_lr() == [lr]
