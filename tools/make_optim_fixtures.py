"""Record what torch.optim 2.13 actually does, for tinytorch's optimizer parity tests.

Run once (needs ``pip install torch==2.13.0 lion-pytorch==0.2.5 schedulefree==1.4.1``:
Lion and schedule-free AdamW are compared with their authors' reference packages;
the tests never import any of them):

    python tools/make_optim_fixtures.py

Writes, under tests/fixtures/:
  optim_configs.json  -- the configurations (plain data: optimizer name, keyword
                         arguments, parameter groups, which gradients are None
                         when) plus, per configuration, torch's final state_dict
                         layout (hyperparameters of every group, state keys, steps)
  lbfgs_parity.json   -- LBFGS, which needs a closure: two problems (Rosenbrock and a
                         quartic least squares over two tensors), with and without the
                         strong-Wolfe line search; parameters, returned losses and
                         evaluation counts after each step
  muon_parity.json    -- Muon on two matrices (one wide, one tall): torch's own steps
                         (Newton-Schulz in bfloat16) and the same steps with the
                         iteration in float64 (torch's code with the cast removed)
  optim_parity.npz    -- per configuration: the initial parameters, the exact
                         gradient fed at every step, torch's parameters after
                         every step, and torch's final state buffers

Gradients are not computed from a loss: both libraries are handed the same
recorded gradient arrays (or None) at every step, so the comparison tests the
optimizer and nothing else. Every configuration runs STEPS steps in float64
(two run in float32). The tests are tests/optim/test_parity.py.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np
import torch

assert torch.__version__.startswith("2.13"), torch.__version__

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"
STEPS = 20
SHAPES = [(3,), (2, 3), ()]          # three parameters: a vector, a matrix, a scalar
SCALES = [1.0, 1e-3, 10.0]           # gradient sizes differ by orders of magnitude
NONE_STEPS = {1: {0, 4, 9, 10}, 2: {3, 15}}   # parameter -> steps where its grad is None
ZERO_STEP = 5                         # parameter 0 gets an exactly-zero gradient here
TORCH_ONLY_KEYS = {"foreach", "fused", "differentiable", "capturable"}


def cfg(name, optimizer, kwargs=None, groups=None, **extra):
    """One configuration. ``groups`` lists parameter indices and per-group overrides."""
    return dict(name=name, optimizer=optimizer, kwargs=kwargs or {}, groups=groups, **extra)


def two_groups(**second):
    return [{"params": [0, 1]}, {"params": [2], **second}]


CONFIGS = [
    # ---------------------------------------------------------------- SGD
    cfg("sgd_plain", "SGD", {"lr": 0.1}),
    cfg("sgd_defaults", "SGD", {"lr": 0.01}, ours_kwargs={}),     # our default lr is the seed's 0.01
    cfg("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    cfg("sgd_momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    cfg("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    cfg("sgd_weight_decay", "SGD", {"lr": 0.1, "weight_decay": 0.1}),
    cfg("sgd_momentum_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    cfg("sgd_nesterov_wd_maximize", "SGD",
        {"lr": 0.02, "momentum": 0.7, "nesterov": True, "weight_decay": 0.05, "maximize": True}),
    cfg("sgd_maximize", "SGD", {"lr": 0.1, "maximize": True}),
    cfg("sgd_dampening_wd_maximize", "SGD",
        {"lr": 0.03, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.2, "maximize": True}),
    cfg("sgd_two_groups", "SGD", {"lr": 0.1, "momentum": 0.9},
        groups=two_groups(lr=0.01, momentum=0.5, nesterov=True)),
    cfg("sgd_seed_spelling", "SGD", {"lr": 0.1, "momentum": 0.9},
        ours_kwargs={"learning_rate": 0.1, "momentum": 0.9}, params_keyword="parameters"),
    cfg("sgd_lr_changed_mid_run", "SGD", {"lr": 0.1, "momentum": 0.9}, changes={"10": {"lr": 0.01}}),
    cfg("sgd_no_none_grads", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}, none_grads=False),
    cfg("sgd_momentum_float32", "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01},
        dtype="float32"),
    # ---------------------------------------------------------------- Adam
    cfg("adam_defaults", "Adam", {}),
    cfg("adam_lr_betas", "Adam", {"lr": 0.01, "betas": [0.8, 0.99]}),
    cfg("adam_small_betas", "Adam", {"lr": 0.01, "betas": [0.3, 0.5]}),
    cfg("adam_large_eps", "Adam", {"lr": 0.01, "eps": 1e-3}),
    cfg("adam_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    cfg("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}),
    cfg("adam_amsgrad_wd_maximize", "Adam",
        {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05, "maximize": True}),
    cfg("adam_maximize", "Adam", {"lr": 0.01, "maximize": True}),
    cfg("adam_decoupled_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1,
                                                "decoupled_weight_decay": True}),
    cfg("adam_two_groups", "Adam", {"lr": 0.01},
        groups=two_groups(lr=0.001, betas=[0.5, 0.9], amsgrad=True, weight_decay=0.01)),
    cfg("adam_seed_spelling", "Adam", {"lr": 0.01, "betas": [0.85, 0.995], "eps": 1e-6},
        ours_kwargs={"learning_rate": 0.01, "beta1": 0.85, "beta2": 0.995, "epsilon": 1e-6},
        params_keyword="parameters"),
    cfg("adam_seed_beta1_only", "Adam", {"lr": 0.01, "betas": [0.7, 0.999]},
        ours_kwargs={"learning_rate": 0.01, "beta1": 0.7}),
    cfg("adam_seed_spelling_in_group", "Adam", {"lr": 0.01},
        groups=two_groups(lr=0.05, betas=[0.6, 0.999]),
        ours_groups=two_groups(learning_rate=0.05, beta1=0.6)),
    cfg("adam_betas_changed_mid_run", "Adam", {"lr": 0.01}, changes={"8": {"betas": [0.85, 0.999]}}),
    cfg("adam_float32", "Adam", {"lr": 0.01, "amsgrad": True}, dtype="float32"),
    # ---------------------------------------------------------------- AdamW
    cfg("adamw_defaults", "AdamW", {}),
    cfg("adamw_lr_weight_decay", "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    cfg("adamw_amsgrad", "AdamW", {"lr": 0.01, "amsgrad": True}),
    cfg("adamw_amsgrad_maximize", "AdamW", {"lr": 0.01, "amsgrad": True, "maximize": True,
                                             "weight_decay": 0.3}),
    cfg("adamw_no_weight_decay", "AdamW", {"lr": 0.01, "weight_decay": 0}),
    cfg("adamw_two_groups", "AdamW", {"lr": 0.01, "weight_decay": 0.1},
        groups=two_groups(lr=0.003, weight_decay=0.5, betas=[0.9, 0.99])),
    cfg("adamw_seed_spelling", "AdamW", {"lr": 0.02, "betas": [0.9, 0.98], "eps": 1e-7},
        ours_kwargs={"learning_rate": 0.02, "beta1": 0.9, "beta2": 0.98, "epsilon": 1e-7}),
    # ---------------------------------------------------------------- RMSprop
    cfg("rmsprop_defaults", "RMSprop", {}),
    cfg("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    cfg("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    cfg("rmsprop_centered_momentum_wd", "RMSprop",
        {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    cfg("rmsprop_alpha_eps", "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    cfg("rmsprop_weight_decay", "RMSprop", {"lr": 0.01, "weight_decay": 0.05}),
    cfg("rmsprop_maximize_momentum", "RMSprop", {"lr": 0.01, "maximize": True, "momentum": 0.3}),
    cfg("rmsprop_two_groups", "RMSprop", {"lr": 0.01},
        groups=two_groups(lr=0.001, alpha=0.8, centered=True, momentum=0.9)),
    cfg("rmsprop_seed_spelling", "RMSprop", {"lr": 0.005, "eps": 1e-5},
        ours_kwargs={"learning_rate": 0.005, "epsilon": 1e-5}),
    # ---------------------------------------------------------------- Adagrad
    cfg("adagrad_defaults", "Adagrad", {}),
    cfg("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    cfg("adagrad_initial_accumulator", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1}),
    cfg("adagrad_weight_decay", "Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    cfg("adagrad_everything", "Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05,
                                          "initial_accumulator_value": 0.2, "eps": 1e-6}),
    cfg("adagrad_maximize", "Adagrad", {"lr": 0.1, "maximize": True}),
    cfg("adagrad_two_groups", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1},
        groups=two_groups(lr=0.03, lr_decay=0.1, weight_decay=0.01)),
    cfg("adagrad_seed_spelling", "Adagrad", {"lr": 0.05, "eps": 1e-8},
        ours_kwargs={"learning_rate": 0.05, "epsilon": 1e-8}),    # ---------------------------------------------------------------- NAdam
    cfg("nadam_defaults", "NAdam", {}),
    cfg("nadam_momentum_decay", "NAdam", {"lr": 0.01, "momentum_decay": 0.04, "betas": [0.8, 0.99]}),
    cfg("nadam_weight_decay", "NAdam", {"lr": 0.01, "weight_decay": 0.1}),
    cfg("nadam_decoupled_maximize", "NAdam", {"lr": 0.01, "weight_decay": 0.1,
                                              "decoupled_weight_decay": True, "maximize": True}),
    cfg("nadam_two_groups", "NAdam", {"lr": 0.01},
        groups=two_groups(lr=0.002, momentum_decay=0.01, eps=1e-4)),
    # ---------------------------------------------------------------- RAdam
    cfg("radam_defaults", "RAdam", {}),
    cfg("radam_beta2_099", "RAdam", {"lr": 0.01, "betas": [0.9, 0.99]}),
    cfg("radam_weight_decay_maximize", "RAdam", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    cfg("radam_decoupled", "RAdam", {"lr": 0.01, "weight_decay": 0.2, "decoupled_weight_decay": True}),
    cfg("radam_two_groups", "RAdam", {"lr": 0.01},
        groups=two_groups(lr=0.05, betas=[0.5, 0.9], eps=1e-6)),
    # ---------------------------------------------------------------- Adamax
    cfg("adamax_defaults", "Adamax", {}),
    cfg("adamax_lr_betas_eps", "Adamax", {"lr": 0.01, "betas": [0.8, 0.9], "eps": 1e-3}),
    cfg("adamax_weight_decay_maximize", "Adamax", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    cfg("adamax_two_groups", "Adamax", {"lr": 0.01}, groups=two_groups(lr=0.05, weight_decay=0.01)),
    # ---------------------------------------------------------------- Adadelta
    cfg("adadelta_defaults", "Adadelta", {}),
    cfg("adadelta_rho_eps", "Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4}),
    cfg("adadelta_weight_decay_maximize", "Adadelta", {"weight_decay": 0.1, "maximize": True}),
    cfg("adadelta_two_groups", "Adadelta", {"lr": 1.0}, groups=two_groups(lr=0.1, rho=0.95)),
    # ---------------------------------------------------------------- ASGD
    cfg("asgd_defaults", "ASGD", {}),
    cfg("asgd_averaging_from_step_5", "ASGD", {"lr": 0.05, "t0": 5, "lambd": 0.01, "alpha": 0.5}),
    cfg("asgd_weight_decay_maximize", "ASGD", {"lr": 0.05, "t0": 3, "weight_decay": 0.1,
                                               "maximize": True}),
    cfg("asgd_two_groups", "ASGD", {"lr": 0.05, "t0": 2}, groups=two_groups(lr=0.01, lambd=0.1)),
    # ---------------------------------------------------------------- Rprop
    cfg("rprop_defaults", "Rprop", {}),
    cfg("rprop_etas_step_sizes", "Rprop", {"lr": 0.1, "etas": [0.3, 1.5], "step_sizes": [1e-3, 0.4]}),
    cfg("rprop_maximize", "Rprop", {"lr": 0.05, "maximize": True}),
    cfg("rprop_two_groups", "Rprop", {"lr": 0.01}, groups=two_groups(lr=0.2, etas=[0.4, 1.1])),
    # ---------------------------------------------------------------- Adafactor
    cfg("adafactor_defaults", "Adafactor", {}),
    cfg("adafactor_lr_decay_eps", "Adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps": [1e-20, 1e-2]}),
    cfg("adafactor_clip_weight_decay_maximize", "Adafactor",
        {"lr": 0.02, "d": 2.0, "weight_decay": 0.1, "maximize": True}),
    cfg("adafactor_two_groups", "Adafactor", {"lr": 0.01}, groups=two_groups(lr=0.1, d=1.5)),
    # ---------------------------------------------------------------- Lion (lion-pytorch)
    cfg("lion_defaults", "Lion", {}),
    cfg("lion_lr_betas_weight_decay", "Lion", {"lr": 3e-3, "betas": [0.95, 0.98], "weight_decay": 0.1}),
    cfg("lion_decoupled_weight_decay", "Lion", {"lr": 1e-3, "weight_decay": 1e-4,
                                                "decoupled_weight_decay": True}),
    cfg("lion_two_groups", "Lion", {"lr": 1e-3}, groups=two_groups(lr=5e-3, weight_decay=0.5)),
    # ---------------------------------------------------------------- schedule-free AdamW (schedulefree)
    cfg("sf_adamw_defaults", "AdamWScheduleFree", {}, schedule_free=True),
    cfg("sf_adamw_warmup_weight_decay", "AdamWScheduleFree",
        {"lr": 0.01, "warmup_steps": 5, "weight_decay": 0.05}, schedule_free=True),
    cfg("sf_adamw_r_power_betas", "AdamWScheduleFree",
        {"lr": 0.02, "r": 1.0, "weight_lr_power": 1.0, "betas": [0.95, 0.99], "warmup_steps": 3},
        schedule_free=True, round_trip_at=8),
    cfg("sf_adamw_two_groups", "AdamWScheduleFree", {"lr": 0.01, "warmup_steps": 4},
        groups=two_groups(lr=0.03, weight_decay=0.1), schedule_free=True, round_trip_at=12),
]


def optimizer_class(name):
    """torch.optim's class, or the reference package's for the two from beyond torch."""
    if name == "Lion":
        from lion_pytorch import Lion
        return Lion
    if name == "AdamWScheduleFree":
        from schedulefree import AdamWScheduleFree
        return AdamWScheduleFree
    return getattr(torch.optim, name)


def gradient_sequence(rng, dtype, none_grads: bool) -> list[list]:
    """grads[t][j]: an array, or None where NONE_STEPS says so."""
    grads = []
    for t in range(STEPS):
        row = []
        for j, (shape, scale) in enumerate(zip(SHAPES, SCALES)):
            if none_grads and t in NONE_STEPS.get(j, ()):
                row.append(None)
            elif j == 0 and t == ZERO_STEP:
                row.append(np.zeros(shape, dtype=dtype))
            else:
                row.append((scale * rng.standard_normal(shape)).astype(dtype))
        grads.append(row)
    return grads


def torch_groups(config, params):
    if config["groups"] is None:
        return params
    return [{**g, "params": [params[i] for i in g["params"]]} for g in config["groups"]]


def jsonable(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, torch.Tensor):
        return value.item()
    return value


def run(config, index):
    dtype = config.get("dtype", "float64")
    rng = np.random.default_rng(1000 + index)
    init = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    grads = gradient_sequence(rng, dtype, config.get("none_grads", True))

    params = [torch.tensor(a, requires_grad=True) for a in init]
    kwargs = dict(config["kwargs"])
    optimizer = optimizer_class(config["optimizer"])(torch_groups(config, params), **kwargs)
    trajectory = np.empty((STEPS, sum(a.size for a in init)), dtype=dtype)
    if config.get("schedule_free"):
        optimizer.train()
    for t in range(STEPS):
        if t == config.get("round_trip_at"):   # switch to the averaged weights and back
            optimizer.eval()
            optimizer.train()
        for key, value in config.get("changes", {}).get(str(t), {}).items():
            for group in optimizer.param_groups:
                group[key] = tuple(value) if isinstance(value, list) else value
        for p, g in zip(params, grads[t]):
            p.grad = None if g is None else torch.tensor(g)
        optimizer.step()
        trajectory[t] = np.concatenate([p.detach().numpy().ravel() for p in params])
    extra = {}
    if config.get("schedule_free"):
        optimizer.eval()
        extra[f"{config['name']}/eval_params"] = np.concatenate(
            [p.detach().numpy().ravel() for p in params])

    arrays = {
        **extra,
        f"{config['name']}/init": np.concatenate([a.ravel() for a in init]),
        f"{config['name']}/grads": np.stack(
            [np.concatenate([(np.zeros(s, dtype) if g is None else g).ravel() for g, s in zip(row, SHAPES)])
             for row in grads]),
        f"{config['name']}/grad_present": np.array([[g is not None for g in row] for row in grads]),
        f"{config['name']}/trajectory": trajectory,
    }
    sd = optimizer.state_dict()
    layout = {"param_groups": [], "state": {}}
    for group in sd["param_groups"]:
        layout["param_groups"].append({k: jsonable(v) for k, v in group.items() if k not in TORCH_ONLY_KEYS})
    for pid, state in sd["state"].items():
        layout["state"][str(pid)] = {}
        for key, value in state.items():
            if key == "step":
                layout["state"][str(pid)][key] = float(value)
            elif value is None:
                layout["state"][str(pid)][key] = None
            else:
                layout["state"][str(pid)][key] = "array"
                arrays[f"{config['name']}/state/{pid}/{key}"] = value.detach().numpy().copy()
    return arrays, layout


# --------------------------------------------------------------------- LBFGS
LBFGS_M = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [1.5, 0.2, -0.7], [0.0, 1.0, 1.0]])
LBFGS_Y = np.array([1.0, -2.0, 0.5, 3.0])
LBFGS_C = np.array([[0.5, -1.0], [2.0, 0.25]])
LBFGS_CONFIGS = [
    dict(name="rosenbrock_plain", problem="rosenbrock", kwargs=dict(lr=0.5, max_iter=10)),
    dict(name="rosenbrock_strong_wolfe", problem="rosenbrock",
         kwargs=dict(line_search_fn="strong_wolfe")),
    dict(name="quartic_history_3", problem="quartic", kwargs=dict(lr=0.8, history_size=3)),
    dict(name="quartic_strong_wolfe_few_evals", problem="quartic",
         kwargs=dict(line_search_fn="strong_wolfe", max_iter=7, max_eval=9, history_size=4)),
]
LBFGS_STEPS = 5


def lbfgs_start(problem):
    if problem == "rosenbrock":
        return [np.array([-1.5, 2.0])]
    return [np.array([0.3, -0.2, 0.8]), np.array([[1.0, 0.0], [-1.0, 2.0]])]


def lbfgs_loss(problem, params):
    """The same loss the test computes with NumPy (its gradient by hand)."""
    if problem == "rosenbrock":
        (p,) = params
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
    a, B = params
    M, y, C = (torch.tensor(v) for v in (LBFGS_M, LBFGS_Y, LBFGS_C))
    return 0.5 * ((M @ a - y) ** 2).sum() + 0.1 * (a ** 4).sum() + 1.5 * ((B - C) ** 2).sum()


def record_lbfgs(config):
    params = [torch.tensor(v, requires_grad=True) for v in lbfgs_start(config["problem"])]
    optimizer = torch.optim.LBFGS(params, **config["kwargs"])

    def closure():
        optimizer.zero_grad()
        loss = lbfgs_loss(config["problem"], params)
        loss.backward()
        return loss

    steps = []
    for _ in range(LBFGS_STEPS):
        loss = optimizer.step(closure)
        state = optimizer.state[params[0]]
        steps.append(dict(loss=float(loss), params=[p.detach().numpy().tolist() for p in params],
                          func_evals=int(state["func_evals"]), n_iter=int(state["n_iter"])))
    return dict(config, steps=steps)


# --------------------------------------------------------------------- Muon
MUON_CONFIGS = [
    dict(name="muon_defaults", kwargs={}),
    dict(name="muon_no_nesterov_lr", kwargs=dict(lr=0.02, nesterov=False, momentum=0.9)),
    dict(name="muon_match_rms_adamw", kwargs=dict(lr=0.01, adjust_lr_fn="match_rms_adamw",
                                                  weight_decay=0.01)),
    dict(name="muon_three_ns_steps", kwargs=dict(lr=0.01, ns_steps=3, weight_decay=0.0)),
]
MUON_SHAPES = [(3, 5), (6, 4)]
MUON_STEPS = 10


def newton_schulz_float64(grad, ns_coefficients, ns_steps, eps):
    """torch.optim._muon's iteration, line for line, without the bfloat16 cast."""
    a, b, c = ns_coefficients
    ortho_grad = grad.clone()
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
        ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


def record_muon(config, index, float64_iteration):
    import torch.optim._muon as muon_module

    rng = np.random.default_rng(500 + index)
    init = [rng.standard_normal(s) for s in MUON_SHAPES]
    grads = [[rng.standard_normal(s) for s in MUON_SHAPES] for _ in range(MUON_STEPS)]
    params = [torch.tensor(a, requires_grad=True) for a in init]
    optimizer = torch.optim.Muon(params, **config["kwargs"])
    original = muon_module._zeropower_via_newtonschulz
    if float64_iteration:
        muon_module._zeropower_via_newtonschulz = newton_schulz_float64
    try:
        trajectory = []
        for row in grads:
            for p, g in zip(params, row):
                p.grad = torch.tensor(g)
            optimizer.step()
            trajectory.append([p.detach().numpy().tolist() for p in params])
    finally:
        muon_module._zeropower_via_newtonschulz = original
    return dict(init=[a.tolist() for a in init], grads=[[g.tolist() for g in row] for row in grads],
                trajectory=trajectory)


def main() -> None:
    names = [c["name"] for c in CONFIGS]
    assert len(set(names)) == len(names), "configuration names must be unique"
    arrays, configs = {}, []
    for index, config in enumerate(CONFIGS):
        config_arrays, layout = run(config, index)
        arrays.update(config_arrays)
        configs.append({**config, "torch_state_dict": layout})
    meta = {"torch_version": torch.__version__, "steps": STEPS, "shapes": [list(s) for s in SHAPES],
            "configs": configs}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "optim_configs.json").write_text(json.dumps(meta, indent=1) + "\n")
    np.savez_compressed(OUT / "optim_parity.npz", **arrays)
    muon = dict(torch_version=torch.__version__, configs=[
        dict(c, bfloat16=record_muon(c, i, False), float64=record_muon(c, i, True))
        for i, c in enumerate(MUON_CONFIGS)])
    (OUT / "muon_parity.json").write_text(json.dumps(muon) + "\n")
    lbfgs = dict(torch_version=torch.__version__, configs=[record_lbfgs(c) for c in LBFGS_CONFIGS])
    (OUT / "lbfgs_parity.json").write_text(json.dumps(lbfgs, indent=1) + "\n")
    for name in ("optim_configs.json", "optim_parity.npz", "lbfgs_parity.json", "muon_parity.json"):
        print(f"{OUT / name}: {(OUT / name).stat().st_size} bytes")
    print(f"{len(CONFIGS)} configurations x {STEPS} steps")


if __name__ == "__main__":
    main()
