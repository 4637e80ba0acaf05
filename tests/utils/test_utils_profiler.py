"""OptimizerConvergenceProfiler: its numbers are measurements, its advice cites them."""
import math
import re
import subprocess
import sys

import numpy as np
import pytest

import tinytorch
from tinytorch import nn
from tinytorch.core.tensor import Tensor
from tinytorch.nn.utils import clip_grad_norm_, get_total_norm
from tinytorch.optim import SGD, Adam
from tinytorch.optim.lr_scheduler import ReduceLROnPlateau, StepLR
from tinytorch.profiler import OptimizerConvergenceProfiler, optimizer_state_bytes

RNG = np.random.default_rng(1)
X = RNG.standard_normal((64, 6)).astype(np.float32)
Y = (X @ RNG.standard_normal((6, 2)) + 0.05 * RNG.standard_normal((64, 2))).astype(np.float32)


def make_model(dtype=np.float32):
    tinytorch.manual_seed(3)
    return nn.Sequential(nn.Linear(6, 16, dtype=dtype), nn.ReLU(), nn.Linear(16, 2, dtype=dtype))


def batch_loss(model, dtype=np.float32):
    crit = nn.MSELoss()

    def loss_fn(step):
        rows = slice((step * 16) % 64, (step * 16) % 64 + 16)
        return crit(model(Tensor(X[rows].astype(dtype))), Tensor(Y[rows].astype(dtype)))

    return loss_fn


def quadratic(h=4.0):
    """f(w) = h/2 · ‖w‖²: plain gradient descent diverges exactly when lr > 2/h."""
    w = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    return w, lambda: (w * w).sum() * (h / 2)


# ------------------------------------------------------------------ measurements
def test_records_equal_an_independent_training_loop():
    model = make_model()
    loss_fn = batch_loss(model)
    prof = OptimizerConvergenceProfiler()
    rec = prof.profile("sgd", lambda ps: SGD(ps, lr=0.1, momentum=0.9), model, loss_fn, 25,
                       make_scheduler=lambda o: StepLR(o, step_size=10, gamma=0.5), clip_grad_norm=2.0)
    params = list(model.parameters())
    opt = SGD(params, lr=0.1, momentum=0.9)
    sched = StepLR(opt, step_size=10, gamma=0.5)
    losses, norms, lrs = [], [], []
    for step in range(25):
        opt.zero_grad()
        loss = loss_fn(step)
        losses.append(loss.item())
        loss.backward()
        norms.append(get_total_norm([p.grad for p in params]).item())
        clip_grad_norm_(params, 2.0)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert rec.losses == losses and rec.grad_norms == norms and rec.lrs == lrs
    assert rec.lrs[:10] == [0.1] * 10 and rec.lrs[10] == 0.05 and rec.lrs[20] == 0.025
    assert rec.scheduler == "StepLR" and rec.hyperparameters["lr"] == 0.1 and rec.clip_max_norm == 2.0
    assert max(norms) > 2.0  # clipping was active, and the record keeps the pre-clip norm
    assert len(rec.step_times) == 25 and all(t > 0 for t in rec.step_times)
    assert all(it >= st for it, st in zip(rec.iteration_times, rec.step_times))


@pytest.mark.parametrize("make, per_param", [
    (lambda ps: SGD(ps, lr=0.1), 0),
    (lambda ps: SGD(ps, lr=0.1, momentum=0.9), 1),
    (lambda ps: Adam(ps), 2),
    (lambda ps: Adam(ps, amsgrad=True), 3),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_state_bytes_are_the_sum_of_the_state_arrays(make, per_param, dtype):
    model = make_model(dtype)
    made = []
    rec = OptimizerConvergenceProfiler().profile(
        "run", lambda ps: made.append(make(ps)) or made[-1], model, batch_loss(model, dtype), 3)
    nbytes = sum(v.nbytes for st in made[0].state.values() for v in st.values() if isinstance(v, np.ndarray))
    assert rec.state_bytes == optimizer_state_bytes(made[0]) == nbytes
    assert rec.param_bytes == sum(p.numpy().nbytes for p in model.parameters())
    assert rec.param_count == 6 * 16 + 16 + 16 * 2 + 2
    assert rec.state_bytes == per_param * rec.param_bytes  # consistent with the algorithms' state


def test_parameters_are_restored_unless_asked_not_to():
    model = make_model()
    before = [p.numpy().copy() for p in model.parameters()]
    prof = OptimizerConvergenceProfiler()
    prof.profile("a", lambda ps: Adam(ps, lr=0.01), model, batch_loss(model), 5)
    assert all(np.array_equal(p.numpy(), b) for p, b in zip(model.parameters(), before))
    assert all(p.grad is None for p in model.parameters())
    prof.profile("b", lambda ps: Adam(ps, lr=0.01), model, batch_loss(model), 5, restore=False)
    assert not all(np.array_equal(p.numpy(), b) for p, b in zip(model.parameters(), before))


def test_runs_are_deterministic_except_times():
    model = make_model()
    prof = OptimizerConvergenceProfiler()
    a = prof.profile("a", lambda ps: Adam(ps, lr=0.01), model, batch_loss(model), 15)
    b = prof.profile("b", lambda ps: Adam(ps, lr=0.01), model, batch_loss(model), 15)
    assert a.losses == b.losses and a.grad_norms == b.grad_norms and a.state_bytes == b.state_bytes


def test_divergence_stops_the_run_where_the_loss_stopped_being_finite():
    w, loss = quadratic()
    rec = OptimizerConvergenceProfiler().profile("hot", lambda ps: SGD(ps, lr=1.5), [w], loss, 2000)
    assert rec.diverged_at is not None and rec.diverged_at == len(rec.losses) - 1
    assert not math.isfinite(rec.losses[-1]) and all(map(math.isfinite, rec.losses[:-1]))
    # |1 - lr·h| = 5: the loss grows 25× per step
    assert math.isclose(rec.losses[2] / rec.losses[1], 25.0, rel_tol=1e-9)


def test_plateau_scheduler_receives_the_measured_loss():
    w, loss = quadratic()
    rec = OptimizerConvergenceProfiler().profile(
        "p", lambda ps: SGD(ps, lr=0.49), [w], loss, 30,
        make_scheduler=lambda o: ReduceLROnPlateau(o, patience=0, factor=0.5, threshold=0.5))
    assert rec.lrs[0] == 0.49 and rec.lrs[-1] < 0.49  # the loss improves by < 50 % per step: decays


# ------------------------------------------------------------------ comparison
def test_compare_rows_are_derived_from_the_records():
    model = make_model()
    prof = OptimizerConvergenceProfiler(window=5)
    sgd = prof.profile("SGD", lambda ps: SGD(ps, lr=0.05), model, batch_loss(model), 40)
    adam = prof.profile("Adam", lambda ps: Adam(ps, lr=0.01), model, batch_loss(model), 40)
    rows = prof.compare()
    assert [r["name"] for r in rows] == ["SGD", "Adam"]
    target = 0.1 * (sgd.losses[0] + adam.losses[0]) / 2
    for row, rec in zip(rows, (sgd, adam)):
        assert row["target_loss"] == target
        assert row["steps_to_target"] == next((i for i, x in enumerate(rec.losses) if x <= target), None)
        assert row["final_loss"] == pytest.approx(np.mean(rec.losses[-5:]), rel=1e-12)
        assert row["increase_fraction"] == np.mean(np.diff(rec.losses) > 0)
        assert row["state_bytes"] == rec.state_bytes and row["median_step_ms"] > 0
    text = str(rows)
    assert "SGD" in text and "Adam" in text and "state/params" in text
    assert prof.compare(["Adam"], target_loss=1.0)[0]["target_loss"] == 1.0
    with pytest.raises(KeyError, match="no profiled run named 'RMSprop'"):
        prof.compare(["RMSprop"])


# ------------------------------------------------------------------ LR range test
def test_range_test_on_a_quadratic_finds_the_stable_region():
    w, loss = quadratic(h=4.0)  # stable for lr < 0.5
    start = w.numpy().copy()
    prof = OptimizerConvergenceProfiler()
    res = prof.lr_range_test("quad", lambda ps: SGD(ps, lr=1.0), [w], loss, start_lr=1e-4, end_lr=10.0,
                             steps=100, smoothing=0.5)
    ramp = 1e-4 * (1e5) ** (np.arange(100) / 99)
    assert np.allclose(res.lrs, ramp[:len(res.lrs)], rtol=1e-15)
    assert res.stopped_at is not None and res.lrs[-1] > 0.5  # it ran into the unstable region and stopped
    assert 1e-4 < res.suggested_lr < 0.5 and res.min_loss_lr <= res.lrs[-1]
    assert res.smoothed[res.lrs.index(res.min_loss_lr)] == min(res.smoothed)
    assert res.min_loss_lr_div10 == res.min_loss_lr / 10
    assert np.array_equal(w.numpy(), start) and prof.range_tests["quad"] is res


def test_lr_sweep_records_each_rate():
    w, loss = quadratic()
    prof = OptimizerConvergenceProfiler()
    runs = prof.lr_sweep("gd", lambda ps, lr: SGD(ps, lr=lr), [w], loss, [0.01, 0.1, 0.4, 0.6], 50)
    assert [r.name for r in runs] == ["gd lr=0.01", "gd lr=0.1", "gd lr=0.4", "gd lr=0.6"]
    assert [r.hyperparameters["lr"] for r in runs] == [0.01, 0.1, 0.4, 0.6]
    assert runs[3].losses[-1] > runs[3].losses[0]  # |1 - 0.6·4| > 1: growing


# ------------------------------------------------------------------ advice
def test_no_runs_no_advice():
    assert OptimizerConvergenceProfiler().recommendations() == []


def test_every_sentence_cites_measured_numbers():
    model = make_model()
    w, quad = quadratic()
    prof = OptimizerConvergenceProfiler()
    prof.profile("SGD", lambda ps: SGD(ps, lr=0.05, momentum=0.9), model, batch_loss(model), 60)
    prof.profile("Adam", lambda ps: Adam(ps, lr=0.01), model, batch_loss(model), 60)
    hot = prof.profile("hot", lambda ps: SGD(ps, lr=1.5), [w], quad, 300)
    prof.lr_sweep("gd", lambda ps, lr: SGD(ps, lr=lr), [w], quad, [0.05, 0.2, 0.6], 40)
    prof.lr_range_test("Adam", lambda ps: Adam(ps), model, batch_loss(model), steps=60)
    advice = prof.recommendations()
    assert advice and all(re.search(r"\d", sentence) for sentence in advice)
    assert any(f"not finite at step {hot.diverged_at}" in s for s in advice)
    states = {r.name: r.state_bytes for r in prof.records.values()}
    assert any(f"Adam {states['Adam']:,} B (2.00×" in s for s in advice)
    assert any("Sweep 'gd': the lowest final loss" in s and "came from lr 0.2 " in s for s in advice)
    assert any("Sweep 'gd': lr 0.6 and above failed" in s and "largest lr that did not fail was 0.2" in s
               for s in advice)
    test = prof.range_tests["Adam"]
    assert any(f"fell fastest at lr {test.suggested_lr:.3g}" in s for s in advice)
    assert not any("Transformer" in s or "production" in s.lower() for s in advice)  # nothing canned


def test_rebound_of_a_loss_that_saturates_at_zero():
    """A best window of exactly 0 (cross-entropy with huge logits) is a rebound of inf when
    the loss comes back up, 1 when it stays at 0 -- never nan, which the advice would read as
    stable."""
    w, _ = quadratic()
    prof = OptimizerConvergenceProfiler(window=3)
    losses = iter([2.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.7, 0.4])
    rec = prof.profile("back", lambda ps: SGD(ps, lr=0.0), [w], lambda: (w * 0.0).sum() + next(losses), 9)
    row = prof.compare(target_loss=0.1)[0]
    assert row["best_window_loss"] == 0.0 and row["final_loss"] == pytest.approx(0.7 / 3 + 0.4 / 3)
    assert row["rebound"] == math.inf
    assert any(s.startswith("back is unstable") for s in prof.recommendations())
    flat = iter([2.0, 1.0, 0.0, 0.0, 0.0])
    prof.profile("flat", lambda ps: SGD(ps, lr=0.0), [w], lambda: (w * 0.0).sum() + next(flat), 5)
    assert prof.compare(["flat"])[0]["rebound"] == 1.0
    negative = iter([-1.0, -2.0, -3.0, -4.0])
    prof.profile("neg", lambda ps: SGD(ps, lr=0.0), [w], lambda: (w * 0.0).sum() + next(negative), 4)
    assert math.isnan(prof.compare(["neg"])[0]["rebound"])  # a ratio of negative losses means nothing
    assert rec.losses[:3] == [2.0, 1.0, 0.0]


def test_sweep_advice_says_and_above_only_when_it_is_true():
    """Failed rates that are not the top of the grid are listed, not summarised as "and above"."""
    w, _ = quadratic()
    scripted = {0.1: [2.0, 1.0, 0.5, 0.4, 0.3, 0.2],       # learns
                0.2: [2.0, 0.1, 0.1, 0.1, 2.0, 2.0],       # comes back up: rebound 20
                0.3: [2.0, 1.0, 0.5, 0.2, 0.1, 0.1],       # learns again
                0.4: [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]}       # ends above its start
    prof = OptimizerConvergenceProfiler(window=2)
    current = {}

    def make(ps, lr):
        current["losses"] = iter(scripted[lr])
        return SGD(ps, lr=lr)                              # the loss ignores w: only lr is recorded

    prof.lr_sweep("s", make, [w], lambda: (w * 0.0).sum() + next(current["losses"]), list(scripted), 6)
    advice = [s for s in prof.recommendations() if s.startswith("Sweep 's'")]
    assert advice[0] == "Sweep 's': the lowest final loss, 0.1, came from lr 0.3 (of 0.1, 0.2, 0.3, 0.4)."
    assert advice[1] == ("Sweep 's': lr 0.2, 0.4 failed (at lr 0.2 its final loss was 20× its best 2-step "
                         "mean); the largest lr that did not fail was 0.3.")
    rows = {r["name"]: r for r in prof.compare()}
    assert rows["s lr=0.4"]["final_loss"] > rows["s lr=0.4"]["initial_loss"]
    single = OptimizerConvergenceProfiler(window=2)
    stuck = iter([2.0, 2.5, 2.5, 2.5, 2.5, 2.5])                 # rebound 2.5 / 2.25: not "unstable"
    single.profile("up", lambda ps: SGD(ps, lr=0.5), [w], lambda: (w * 0.0).sum() + next(stuck), 6)
    assert single.recommendations()[0] == "up did not learn: its final loss 2.5 is not below its initial loss 2 (lr 0.5)."


def test_a_single_stable_run_gets_only_measured_facts():
    w, loss = quadratic()
    prof = OptimizerConvergenceProfiler()
    rec = prof.profile("gd", lambda ps: SGD(ps, lr=0.1), [w], loss, 30)
    advice = prof.recommendations()
    assert advice == [f"Optimizer state measured after each run: gd 0 B (0.00× its parameters)."]
    assert rec.state_bytes == 0


# ------------------------------------------------------------------ validation, imports
@pytest.mark.parametrize("call, exc, message", [
    (lambda p, w, f: p.profile("x", lambda ps: SGD(ps, lr=0.1), [w], f, 0), ValueError,
     "steps must be a positive integer, but got 0"),
    (lambda p, w, f: p.profile("x", lambda ps: SGD(ps, lr=0.1), [], f, 3), TypeError,
     "model_or_params must be a Module or a non-empty iterable of Tensors"),
    (lambda p, w, f: p.profile("x", lambda ps: SGD(ps, lr=0.1), [w], 3.0, 3), TypeError,
     "loss_fn must be callable, but got float"),
    (lambda p, w, f: p.profile("x", lambda ps: SGD(ps, lr=0.1), [w], lambda: 1.0, 3), TypeError,
     "loss_fn must return a one-element Tensor (the loss)"),
    (lambda p, w, f: p.lr_range_test("x", lambda ps: SGD(ps, lr=0.1), [w], f, start_lr=1.0, end_lr=0.1),
     ValueError, "need 0 < start_lr < end_lr, but got 1.0 and 0.1"),
    (lambda p, w, f: p.lr_range_test("x", lambda ps: SGD(ps, lr=0.1), [w], f, steps=1), ValueError,
     "steps must be an integer >= 2, but got 1"),
    (lambda p, w, f: OptimizerConvergenceProfiler(window=0), ValueError, "window must be a positive integer, but got 0"),
    (lambda p, w, f: OptimizerConvergenceProfiler(target_fraction=1.0), ValueError,
     "target_fraction must be in (0, 1), but got 1.0"),
])
def test_bad_arguments(call, exc, message):
    w, f = quadratic()
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        call(OptimizerConvergenceProfiler(), w, f)


def test_importing_the_profiler_does_not_import_matplotlib():
    code = "import sys, tinytorch.profiler; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plots_draw_the_recorded_series():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w, loss = quadratic()
    prof = OptimizerConvergenceProfiler()
    rec = prof.profile("gd", lambda ps: SGD(ps, lr=0.1), [w], loss, 10)
    fig, (a, b) = plt.subplots(1, 2)
    prof.plot("losses", ax=a)
    assert list(a.lines[0].get_ydata()) == rec.losses
    res = prof.lr_range_test("gd", lambda ps: SGD(ps, lr=0.1), [w], loss, steps=30)
    res.plot(ax=b)
    assert list(b.lines[0].get_xdata()) == res.lrs
    plt.close(fig)
    with pytest.raises(ValueError, match="unknown metric 'weights'"):
        prof.plot("weights")


def test_state_bytes_count_lbfgs_history_lists():
    """LBFGS keeps (s, y) pairs in lists: each pair is two float32 vectors."""
    from tinytorch.optim import LBFGS

    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=50).astype(np.float32), requires_grad=True)
    opt = LBFGS([w], history_size=4, max_iter=10)

    def closure():
        opt.zero_grad()
        loss = ((w * w - 1.0) * (w * w - 1.0)).sum()
        loss.backward()
        return loss

    opt.step(closure)
    state = opt.state[next(iter(opt.state))]
    pairs = len(state["old_dirs"])
    assert pairs == 4                       # the history is full
    # d and prev_flat_grad, then s and y of every pair: 50 float32 each
    assert optimizer_state_bytes(opt) == (2 + 2 * pairs) * 50 * 4
