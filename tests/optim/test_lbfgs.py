"""LBFGS against torch.optim.LBFGS (tests/fixtures/lbfgs_parity.json, recorded by
tools/make_optim_fixtures.py): the same closure-driven steps, the same evaluation counts."""
import json
import pathlib
import re

import numpy as np
import pytest

from optim_helpers import assert_same_snapshot, make_params, snapshot
from tinytorch.core.tensor import Tensor
from tinytorch.optim import LBFGS

FIXTURE = json.loads((pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "lbfgs_parity.json").read_text())
M = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [1.5, 0.2, -0.7], [0.0, 1.0, 1.0]])
Y = np.array([1.0, -2.0, 0.5, 3.0])
C = np.array([[0.5, -1.0], [2.0, 0.25]])


def start(problem):
    if problem == "rosenbrock":
        return [np.array([-1.5, 2.0])]
    return [np.array([0.3, -0.2, 0.8]), np.array([[1.0, 0.0], [-1.0, 2.0]])]


def loss_and_grads(problem, values):
    """The loss and its gradient, by hand."""
    if problem == "rosenbrock":
        (p,) = values
        x, y = p
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        return loss, [np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])]
    a, B = values
    r = M @ a - Y
    loss = 0.5 * r @ r + 0.1 * np.sum(a ** 4) + 1.5 * np.sum((B - C) ** 2)
    return loss, [M.T @ r + 0.4 * a ** 3, 3.0 * (B - C)]


def make_closure(problem, params):
    def closure():
        loss, grads = loss_and_grads(problem, [p.numpy() for p in params])
        for p, g in zip(params, grads):
            p.grad = Tensor(g)
        return loss
    return closure


@pytest.mark.parametrize("config", FIXTURE["configs"], ids=lambda c: c["name"])
def test_lbfgs_steps_match_torch(config):
    params = [Tensor(v, requires_grad=True) for v in start(config["problem"])]
    opt = LBFGS(params, **config["kwargs"])
    closure = make_closure(config["problem"], params)
    for expected in config["steps"]:
        loss = opt.step(closure)
        assert loss == pytest.approx(expected["loss"], rel=1e-9, abs=1e-12)
        for p, want in zip(params, expected["params"]):
            np.testing.assert_allclose(p.numpy(), np.array(want), rtol=0, atol=1e-9)
        state = opt.state[params[0]]
        assert (state["func_evals"], state["n_iter"]) == (expected["func_evals"], expected["n_iter"])


def test_lbfgs_needs_a_closure_and_one_group():
    params = make_params((2,))
    opt = LBFGS(params)
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step(None)
    with pytest.raises(ValueError, match=re.escape(
            "LBFGS doesn't support per-parameter options (parameter groups)")):
        LBFGS([{"params": params[:1]}, {"params": make_params((3,))}])
    with pytest.raises(ValueError, match=re.escape(
            "LBFGS doesn't support per-parameter options (parameter groups)")):
        opt.add_param_group({"params": make_params((3,))})


def test_a_bad_setting_raises_before_the_closure_runs_and_changes_nothing():
    params = [Tensor(np.array([-1.5, 2.0]), requires_grad=True)]
    opt = LBFGS(params)
    opt.param_groups[0]["line_search_fn"] = "backtracking"
    calls = []
    before = snapshot(opt)
    with pytest.raises(RuntimeError, match=re.escape("only 'strong_wolfe' is supported")):
        opt.step(lambda: calls.append(1) or 0.0)
    assert calls == [] and np.array_equal(params[0].numpy(), [-1.5, 2.0])
    assert_same_snapshot(before, snapshot(opt))


def test_checkpoint_resume_is_bit_identical():
    def run(n, opt=None, params=None):
        if params is None:
            params = [Tensor(v, requires_grad=True) for v in start("quartic")]
            opt = LBFGS(params, history_size=3, line_search_fn="strong_wolfe", max_iter=4)
        closure = make_closure("quartic", params)
        for _ in range(n):
            opt.step(closure)
        return opt, params

    whole, whole_params = run(6)
    first, first_params = run(3)
    saved = first.state_dict()
    params = [Tensor(p.numpy().copy(), requires_grad=True) for p in first_params]
    resumed = LBFGS(params, history_size=3, line_search_fn="strong_wolfe", max_iter=4)
    resumed.load_state_dict(saved)
    run(3, resumed, params)
    for a, b in zip(whole_params, params):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
