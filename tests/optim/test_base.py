"""The Optimizer base: groups, state, zero_grad, closures, the step counter, in-place updates."""
import tracemalloc

import numpy as np
import pytest

import tinytorch.optim
from optim_helpers import OPTIMIZERS, make_params, set_grads
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

GROUP_KEYS = {
    "SGD": {"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"},
    "Adam": {"lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"},
    "AdamW": {"lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"},
    "RMSprop": {"lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"},
    "Adagrad": {"lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value", "maximize"},
    "NAdam": {"lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay",
              "maximize"},
    "RAdam": {"lr", "betas", "eps", "weight_decay", "decoupled_weight_decay", "maximize"},
    "Adamax": {"lr", "betas", "eps", "weight_decay", "maximize"},
    "Adadelta": {"lr", "rho", "eps", "weight_decay", "maximize"},
    "ASGD": {"lr", "lambd", "alpha", "t0", "weight_decay", "maximize"},
    "Rprop": {"lr", "etas", "step_sizes", "maximize"},
    "Lion": {"lr", "betas", "weight_decay"},
    "Adafactor": {"lr", "beta2_decay", "eps", "d", "weight_decay", "maximize"},
    "AdamWScheduleFree": {"lr", "betas", "eps", "r", "k", "warmup_steps", "train_mode", "weight_sum",
                          "lr_max", "scheduled_lr", "weight_lr_power", "weight_decay"},
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_groups_carry_every_hyperparameter_under_pytorchs_name(name):
    opt = OPTIMIZERS[name](make_params((2,)))
    assert isinstance(opt, Optimizer)
    assert set(opt.defaults) == GROUP_KEYS[name]
    assert set(opt.param_groups[0]) == GROUP_KEYS[name] | {"params"}


def test_defaults_follow_the_seed_then_pytorch():
    assert SGD(make_params((1,))).defaults == {"lr": 0.01, "momentum": 0, "dampening": 0, "weight_decay": 0,
                                               "nesterov": False, "maximize": False}
    assert Adam(make_params((1,))).defaults["lr"] == 1e-3
    assert AdamW(make_params((1,))).defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                                                 "weight_decay": 1e-2, "amsgrad": False, "maximize": False,
                                                 "decoupled_weight_decay": True}
    assert RMSprop(make_params((1,))).defaults["alpha"] == 0.99
    assert Adagrad(make_params((1,))).defaults["eps"] == 1e-10


def test_groups_override_defaults_and_accept_single_tensors_and_generators():
    a, b, c = make_params((2,), (2,), (2,))
    opt = SGD([{"params": a}, {"params": (p for p in [b, c]), "lr": 0.5, "initial_lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["params"] == [a] or opt.param_groups[0]["params"][0] is a
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["initial_lr"] == 0.5
    assert [p is q for p, q in zip(opt.parameters, [a, b, c])] == [True] * 3
    opt2 = Adam(p for p in [a, b])
    assert len(opt2.param_groups[0]["params"]) == 2


def test_seed_spellings_in_groups_and_in_the_constructor():
    a, b = make_params((2,), (2,))
    opt = Adam(parameters=[{"params": [a]}, {"params": [b], "learning_rate": 0.1, "beta2": 0.9}],
               learning_rate=0.01, beta1=0.8, epsilon=1e-6)
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[0]["betas"] == (0.8, 0.999)
    assert opt.param_groups[0]["eps"] == 1e-6
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.8, 0.9)
    assert "learning_rate" not in opt.param_groups[1]


def test_add_param_group_mid_training():
    a, b = make_params((2,), (3,))
    opt = Adam([a], lr=0.01)
    set_grads([a], [np.ones(2)])
    opt.step()
    opt.add_param_group({"params": [b], "lr": 0.1})
    set_grads([a, b], [np.ones(2), np.ones(3)])
    opt.step()
    assert opt.state[a]["step"] == 2.0 and opt.state[b]["step"] == 1.0
    np.testing.assert_allclose(b.numpy() - make_params((2,), (3,))[1].numpy(), -0.1, rtol=1e-6)


def test_adagrad_creates_state_at_construction_from_each_groups_accumulator():
    a, b, c = make_params((2,), (2,), (1,))
    opt = Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 0.5}],
                  initial_accumulator_value=0.1)
    np.testing.assert_array_equal(opt.state[a]["sum"], [0.1, 0.1])
    np.testing.assert_array_equal(opt.state[b]["sum"], [0.5, 0.5])   # PyTorch would use 0.1 here (see report)
    assert opt.state[a]["step"] == 0.0
    opt.add_param_group({"params": [c], "initial_accumulator_value": 0.7})
    assert c not in opt.state or not opt.state[c]
    set_grads([a, b, c], [None, None, np.ones(1)])
    opt.step()
    np.testing.assert_array_equal(opt.state[c]["sum"], [1.7])
    assert opt.state[a]["step"] == 0.0


def test_zero_grad_and_reset_grad():
    a, b = make_params((2,), (3,))
    opt = SGD([a, b], lr=0.1)
    set_grads([a, b], [np.ones(2), np.ones(3)])
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    set_grads([a, b], [np.ones(2), None])
    opt.reset_grad()
    assert a.grad is None and b.grad is None


def test_step_with_closure_returns_the_loss_and_uses_the_fresh_gradient():
    (p,) = make_params((2,))
    start = p.numpy().copy()
    opt = SGD([p], lr=0.1)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert calls == [1] and loss.item() == pytest.approx(float((start ** 2).sum()))
    np.testing.assert_allclose(p.numpy(), start - 0.1 * 2 * start, rtol=1e-15)
    assert opt.step() is None


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_step_count_counts_completed_steps_only(name):
    (p,) = make_params((2,))
    opt = OPTIMIZERS[name]([p])
    assert opt._step_count == 0
    opt.step()                      # no gradient anywhere: still a completed step
    set_grads([p], [np.ones(2)])
    opt.step()
    assert opt._step_count == 2 == opt.step_count
    p._grad = Tensor(np.ones(5))
    with pytest.raises(ValueError):
        opt.step()
    assert opt._step_count == 2


def test_none_gradient_skips_the_parameter_and_its_state():
    a, b = make_params((2,), (2,))
    before = b.numpy().copy()
    opt = Adam([a, b], lr=0.1)
    set_grads([a, b], [np.ones(2), None])
    opt.step()
    np.testing.assert_array_equal(b.numpy(), before)
    assert b not in opt.state and opt.state[a]["step"] == 1.0


def test_state_is_keyed_by_the_tensor_object_not_its_value():
    a, b = Tensor(np.zeros(2), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    set_grads([a, b], [np.ones(2), 2 * np.ones(2)])
    opt.step()
    assert len(opt.state) == 2
    np.testing.assert_array_equal(opt.state[b]["momentum_buffer"], [2.0, 2.0])


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {"amsgrad": True}),
    ("RMSprop", {"momentum": 0.9, "centered": True, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {"weight_decay": 0.1, "lr_decay": 0.1, "maximize": True}),
])
def test_updates_are_in_place_and_allocate_no_parameter_sized_arrays(name, kwargs):
    n = 250_000                                   # 2 MB of float64 per array
    p = Tensor(np.ones(n), requires_grad=True)
    opt = OPTIMIZERS[name]([p], **kwargs)
    storage = p.numpy()
    p.grad = Tensor(np.full(n, 0.5))
    opt.step()                                    # first step: state and scratch are created
    buffers = {k: v for k, v in opt.state[p].items() if isinstance(v, np.ndarray)}
    tracemalloc.start()
    opt.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200_000, peak                   # far below one 2 MB temporary
    assert p.numpy() is storage
    assert all(opt.state[p][k] is v for k, v in buffers.items())


def test_learning_rate_and_parameters_attributes():
    a, b = make_params((2,), (2,))
    opt = SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    assert opt.learning_rate == 0.1
    opt.learning_rate = 0.2
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]
    assert len(opt.parameters) == 2 and opt.parameters[1] is b


def test_repr_lists_the_groups():
    opt = SGD(make_params((2,)), lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n") and "    momentum: 0.9\n" in text and text.endswith(")")


def test_lr_scheduler_is_reachable_from_tinytorch_optim():
    from tinytorch.optim.lr_scheduler import StepLR

    assert tinytorch.optim.lr_scheduler.StepLR is StepLR
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        tinytorch.optim.nope


def test_the_seed_door_re_exports_one_implementation():
    import tinytorch.core.optimizers as door
    import tinytorch.optim.lr_scheduler as sched

    for name in ["gradient_descent_step", "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]:
        assert getattr(door, name) is getattr(tinytorch.optim, name)
    for name in ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR",
                 "LambdaLR", "SequentialLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau",
                 "LRScheduler"]:
        assert getattr(door, name) is getattr(sched, name)


# ---------------------------------------------------------------- TinyTorch's attributes
def test_tinytorch_attributes_are_views_of_pytorchs_state():
    a, b = make_params((3,), (2, 2))
    sgd = SGD([a, b], lr=0.1, momentum=0.9)
    assert sgd.momentum_buffers == [None, None] and sgd.params == [a, b] == sgd.parameters
    set_grads([a, b], [np.ones(3), np.ones((2, 2))])
    sgd.step()
    assert sgd.momentum_buffers[0] is sgd.state[a]["momentum_buffer"]
    sgd.momentum = 0.5
    sgd.lr = 0.05
    assert sgd.param_groups[0]["momentum"] == 0.5 and sgd.learning_rate == 0.05
    with pytest.raises(AttributeError, match="SGD has no 'betas' setting"):
        sgd.beta1

    adam = Adam([a, b], lr=0.01)
    set_grads([a, b], [np.ones(3), np.ones((2, 2))])
    adam.step()
    assert adam.first_moment[1] is adam.state[b]["exp_avg"] is adam.m_buffers[1]
    assert adam.second_moment[0] is adam.state[a]["exp_avg_sq"] is adam.v_buffers[0]
    assert (adam.beta1, adam.beta2, adam.epsilon) == (0.9, 0.999, 1e-8)
    adam.beta1 = 0.8
    assert adam.param_groups[0]["betas"] == (0.8, 0.999)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.5"):
        adam.beta2 = 1.5
    assert adam.param_groups[0]["betas"] == (0.8, 0.999)          # nothing changed
    assert not hasattr(adam, "momentum") and hasattr(sgd, "momentum")
