"""tinytorch.optim against recorded torch.optim 2.13 runs (tools/make_optim_fixtures.py).

Each configuration feeds both libraries the same gradient arrays (None on some
steps for some parameters) for 20 steps. float64 trajectories must agree to 1e-10
absolute; the final state buffers too; and the state_dict layout (group keys and
values, state keys, step counts) must be PyTorch's.
"""
import json
import pathlib

import numpy as np
import pytest

from optim_helpers import OPTIMIZERS
from tinytorch.core.tensor import Tensor

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
META = json.loads((FIXTURES / "optim_configs.json").read_text())
ARRAYS = np.load(FIXTURES / "optim_parity.npz")
CONFIGS = META["configs"]
SHAPES = [tuple(s) for s in META["shapes"]]
TOLERANCE = {"float64": 1e-10, "float32": 2e-6}


def split(flat):
    out, start = [], 0
    for shape in SHAPES:
        size = int(np.prod(shape, dtype=int))
        out.append(flat[start:start + size].reshape(shape))
        start += size
    return out


def run_ours(config):
    """Replay the configuration in tinytorch: (optimizer, params, trajectory)."""
    name = config["name"]
    params = [Tensor(a.copy(), requires_grad=True) for a in split(ARRAYS[f"{name}/init"])]
    groups_spec = config.get("ours_groups") or config["groups"]
    if groups_spec is None:
        params_arg = params
    else:
        params_arg = [{**g, "params": [params[i] for i in g["params"]]} for g in groups_spec]
    kwargs = config.get("ours_kwargs", config["kwargs"])
    cls = OPTIMIZERS[config["optimizer"]]
    if config.get("params_keyword"):
        optimizer = cls(**{config["params_keyword"]: params_arg}, **kwargs)
    else:
        optimizer = cls(params_arg, **kwargs)
    grads, present = ARRAYS[f"{name}/grads"], ARRAYS[f"{name}/grad_present"]
    trajectory = np.empty_like(ARRAYS[f"{name}/trajectory"])
    if config.get("schedule_free"):
        optimizer.train()
    for t in range(META["steps"]):
        if t == config.get("round_trip_at"):
            optimizer.eval()
            optimizer.train()
        for key, value in config.get("changes", {}).get(str(t), {}).items():
            for group in optimizer.param_groups:
                group[key] = tuple(value) if isinstance(value, list) else value
        for p, g, here in zip(params, split(grads[t]), present[t]):
            p.grad = Tensor(g.copy()) if here else None
        optimizer.step()
        trajectory[t] = np.concatenate([p.numpy().ravel() for p in params])
    if config.get("schedule_free"):
        optimizer.eval()
    return optimizer, params, trajectory


RESULTS = {}


def result(config):
    if config["name"] not in RESULTS:
        RESULTS[config["name"]] = run_ours(config)
    return RESULTS[config["name"]]


def test_the_grid_is_large_and_covers_every_option():
    assert len(CONFIGS) >= 40
    assert META["torch_version"].startswith("2.13")
    options = set()
    for c in CONFIGS:
        options |= {k for k, v in c["kwargs"].items() if v not in (0, False)}
        for g in c["groups"] or []:
            options |= set(g) - {"params"}
    assert {"momentum", "dampening", "nesterov", "weight_decay", "maximize", "amsgrad", "betas", "eps",
            "alpha", "centered", "lr_decay", "initial_accumulator_value", "decoupled_weight_decay"} <= options
    assert {c["optimizer"] for c in CONFIGS} == set(OPTIMIZERS)
    assert sum(1 for c in CONFIGS if c["groups"]) >= 5
    assert sum(1 for c in CONFIGS if "ours_kwargs" in c or "ours_groups" in c) >= 6


@pytest.mark.parametrize("config", CONFIGS, ids=[c["name"] for c in CONFIGS])
def test_trajectory_matches_torch(config):
    _, params, trajectory = result(config)
    expected = ARRAYS[f"{config['name']}/trajectory"]
    assert trajectory.dtype == expected.dtype
    assert all(p.dtype == expected.dtype for p in params)
    error = np.max(np.abs(trajectory - expected))
    assert error <= TOLERANCE[config.get("dtype", "float64")], error


@pytest.mark.parametrize("config", CONFIGS, ids=[c["name"] for c in CONFIGS])
def test_state_dict_matches_torch(config):
    optimizer, _, _ = result(config)
    ours = optimizer.state_dict()
    theirs = config["torch_state_dict"]
    assert len(ours["param_groups"]) == len(theirs["param_groups"])
    for our_group, their_group in zip(ours["param_groups"], theirs["param_groups"]):
        normalized = {k: list(v) if isinstance(v, tuple) else v for k, v in our_group.items()}
        assert normalized == their_group
    assert {str(k) for k in ours["state"]} == set(theirs["state"])
    tolerance = TOLERANCE[config.get("dtype", "float64")]
    for pid, their_state in theirs["state"].items():
        our_state = ours["state"][int(pid)]
        assert set(our_state) == set(their_state)
        for key, value in their_state.items():
            if key == "step":
                assert our_state["step"] == value and isinstance(our_state["step"], float)
            else:
                expected = ARRAYS[f"{config['name']}/state/{pid}/{key}"]
                assert isinstance(our_state[key], np.ndarray) and our_state[key].dtype == expected.dtype
                assert np.max(np.abs(our_state[key] - expected), initial=0.0) <= tolerance


def test_worst_parity_error_over_all_float64_configs():
    """One number for the report: the largest |ours - torch| over every float64 step."""
    worst = max(
        float(np.max(np.abs(result(c)[2] - ARRAYS[f"{c['name']}/trajectory"])))
        for c in CONFIGS if c.get("dtype", "float64") == "float64"
    )
    print(f"worst float64 parity error: {worst:.3e}")
    assert worst <= 1e-10


@pytest.mark.parametrize("config", [c for c in CONFIGS if c.get("schedule_free")],
                         ids=lambda c: c["name"])
def test_schedule_free_eval_weights_match_the_reference(config):
    """After eval() the parameters hold x, the average: the weights one evaluates."""
    _, params, _ = result(config)
    ours = np.concatenate([p.numpy().ravel() for p in params])
    expected = ARRAYS[f"{config['name']}/eval_params"]
    assert np.max(np.abs(ours - expected)) <= 1e-10
