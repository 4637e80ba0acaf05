"""state_dict / load_state_dict: save, pickle, load, continue -- bit-identical to never stopping."""
import pickle

import numpy as np
import pytest

from optim_helpers import OPTIMIZERS, make_params, set_grads
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adagrad, Adam

SHAPES = [(4,), (2, 3), ()]
STEPS, SAVE_AT = 16, 7

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.05}),
    ("Adamax", {"lr": 0.01, "maximize": True}),
    ("Adadelta", {"lr": 1.0, "rho": 0.8}),
    ("ASGD", {"lr": 0.05, "t0": 4}),
    ("Rprop", {"lr": 0.05, "etas": (0.4, 1.3)}),
    ("Adafactor", {"lr": 0.05, "weight_decay": 0.01}),
    ("Lion", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamWScheduleFree", {"lr": 0.01, "warmup_steps": 3}),
]


def gradients(seed=7):
    """A fixed gradient sequence; parameter 1 has no gradient on some steps."""
    rng = np.random.default_rng(seed)
    return [[None if (j == 1 and t % 5 == 2) else rng.standard_normal(s) for j, s in enumerate(SHAPES)]
            for t in range(STEPS)]


def build(name, kwargs, params):
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": kwargs["lr"] / 2, "initial_lr": 0.123}]
    return OPTIMIZERS[name](groups, **kwargs)


def run(optimizer, params, grads):
    for row in grads:
        set_grads(params, row)
        optimizer.step()


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_save_load_continue_is_bit_identical(name, kwargs):
    grads = gradients()
    straight_params = make_params(*SHAPES, seed=3)
    straight = build(name, kwargs, straight_params)
    run(straight, straight_params, grads)

    params = make_params(*SHAPES, seed=3)
    first = build(name, kwargs, params)
    run(first, params, grads[:SAVE_AT])
    blob = pickle.dumps({"model": [p.numpy().copy() for p in params], "optim": first.state_dict()})
    del first

    checkpoint = pickle.loads(blob)
    resumed_params = [Tensor(a, requires_grad=True) for a in checkpoint["model"]]
    resumed = build(name, {**kwargs, "lr": 99.0}, resumed_params)   # hyperparameters come from the checkpoint
    resumed.load_state_dict(checkpoint["optim"])
    run(resumed, resumed_params, grads[SAVE_AT:])

    for a, b in zip(straight_params, resumed_params):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    ours, theirs = resumed.state_dict(), straight.state_dict()
    assert ours["param_groups"] == theirs["param_groups"]
    assert ours["state"].keys() == theirs["state"].keys()
    for pid in theirs["state"]:
        assert ours["state"][pid].keys() == theirs["state"][pid].keys()
        for key, value in theirs["state"][pid].items():
            np.testing.assert_array_equal(ours["state"][pid][key], value)


def test_state_dict_layout_is_pytorchs():
    a, b, c = make_params((2,), (3,), (1,))
    opt = Adam([{"params": [a, b]}, {"params": [c], "lr": 0.1}], lr=0.01)
    set_grads([a, b, c], [np.ones(2), None, np.ones(1)])
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sd["state"].keys() == {0, 2}                       # b never had a gradient: no state
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq"]
    assert sd["state"][0]["step"] == 1.0
    assert sd["param_groups"] == [
        {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False,
         "maximize": False, "decoupled_weight_decay": False, "params": [0, 1]},
        {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False,
         "maximize": False, "decoupled_weight_decay": False, "params": [2]},
    ]


def test_state_dict_is_a_snapshot_and_loading_copies():
    (p,) = make_params((3,))
    opt = SGD([p], lr=0.1, momentum=0.9)
    set_grads([p], [np.ones(3)])
    opt.step()
    sd = opt.state_dict()
    saved = sd["state"][0]["momentum_buffer"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"], saved)   # later steps don't leak in
    opt.load_state_dict(sd)
    sd["state"][0]["momentum_buffer"][:] = 123.0                             # nor does editing the dict
    np.testing.assert_array_equal(opt.state[p]["momentum_buffer"], saved)


def test_loading_casts_state_to_the_parameter_dtype():
    (p64,) = make_params((3,))
    source = Adam([p64], lr=0.01)
    set_grads([p64], [np.ones(3)])
    source.step()
    (p32,) = make_params((3,), dtype=np.float32)
    target = Adam([p32], lr=0.01)
    target.load_state_dict(source.state_dict())
    assert target.state[p32]["exp_avg"].dtype == np.float32
    assert target.state[p32]["step"] == 1.0
    p32.grad = Tensor(np.ones(3, dtype=np.float32))
    target.step()
    assert p32.dtype == np.float32 and target.state[p32]["step"] == 2.0


def test_extra_group_keys_survive_a_round_trip():
    (p,) = make_params((2,))
    opt = SGD([p], lr=0.1)
    opt.param_groups[0]["initial_lr"] = 0.1          # what a scheduler adds
    opt.param_groups[0]["tag"] = "backbone"
    sd = pickle.loads(pickle.dumps(opt.state_dict()))
    fresh = SGD(make_params((2,)), lr=0.5)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["initial_lr"] == 0.1 and fresh.param_groups[0]["tag"] == "backbone"
    assert fresh.param_groups[0]["lr"] == 0.1


def test_loading_keeps_references_to_groups_list_and_state_dict_valid():
    (p,) = make_params((2,))
    opt = Adagrad([p], lr=0.1)
    groups, state = opt.param_groups, opt.state
    opt.load_state_dict(opt.state_dict())
    assert opt.param_groups is groups and opt.state is state
    assert opt.param_groups[0]["params"][0] is p


def test_the_optimizer_itself_pickles_and_keeps_working():
    params = make_params((3,), (2,))
    opt = Adam(params, lr=0.01, amsgrad=True)
    set_grads(params, [np.ones(3), np.ones(2)])
    opt.step()
    clone = pickle.loads(pickle.dumps(opt))
    assert clone._scratch == {} and clone._step_count == 1
    twin = clone.param_groups[0]["params"]
    set_grads(params, [np.ones(3), np.ones(2)])
    set_grads(twin, [np.ones(3), np.ones(2)])
    opt.step()
    clone.step()
    for a, b in zip(params, twin):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert clone.state[twin[0]]["step"] == 2.0


def test_muon_save_load_continue_is_bit_identical():
    from tinytorch.optim import Muon

    rng = np.random.default_rng(5)
    grads = [[rng.standard_normal((3, 4)), rng.standard_normal((5, 2))] for _ in range(STEPS)]
    params = make_params((3, 4), (5, 2))
    whole = Muon(params, lr=0.02)
    run(whole, params, grads)
    first = make_params((3, 4), (5, 2))
    opt = Muon(first, lr=0.02)
    run(opt, first, grads[:SAVE_AT])
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    resumed = [Tensor(p.numpy().copy(), requires_grad=True) for p in first]
    opt2 = Muon(resumed, lr=0.02)
    opt2.load_state_dict(saved)
    run(opt2, resumed, grads[SAVE_AT:])
    for a, b in zip(params, resumed):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
