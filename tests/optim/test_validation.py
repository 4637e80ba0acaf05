"""Every validation rule: the exception type and its message, and that nothing is lost.

Range messages are PyTorch 2.13's, word for word; type messages are ours (PyTorch's
answer to lr="fast" is a confusing comparison error).
"""
import re

import numpy as np

import tinytorch.optim
import pytest

from optim_helpers import OPTIMIZERS, assert_same_snapshot, make_params, set_grads, snapshot
from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adagrad, Adam, AdamW, RMSprop, gradient_descent_step

ALL = list(OPTIMIZERS.values())
WITH_EPS = [Adam, AdamW, RMSprop, Adagrad]


def exact(message):
    return "^" + re.escape(message) + "$"


#: torch.optim.Adafactor words its range errors differently from the others.
MESSAGES = {
    "Adafactor": {"lr": "Learning rate should be >= 0 but is: {}",
                  "weight_decay": "weight_decay should be >= 0 but is: {}"},
}


def message(cls, name, value):
    """The range error PyTorch's version of ``cls`` raises for ``name`` = value."""
    default = {"lr": "Invalid learning rate: {}", "weight_decay": "Invalid weight_decay value: {}"}
    return MESSAGES.get(cls.__name__, default)[name].format(value)


# ---------------------------------------------------------------- hyperparameter ranges
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("value, shown", [(-1, "-1"), (-0.5, "-0.5"), (float("nan"), "nan")])
def test_negative_or_nan_learning_rate(cls, value, shown):
    with pytest.raises(ValueError, match=exact(message(cls, "lr", shown))):
        cls(make_params((2,)), lr=value)


@pytest.mark.parametrize("cls", [c for c in ALL if c.__name__ != "Rprop"], ids=lambda c: c.__name__)
def test_negative_weight_decay(cls):
    with pytest.raises(ValueError, match=exact(message(cls, "weight_decay", -1))):
        cls(make_params((2,)), weight_decay=-1)


@pytest.mark.parametrize("cls", [SGD, RMSprop], ids=lambda c: c.__name__)
def test_negative_momentum(cls):
    with pytest.raises(ValueError, match=exact("Invalid momentum value: -0.1")):
        cls(make_params((2,)), momentum=-0.1)


@pytest.mark.parametrize("kwargs", [dict(nesterov=True), dict(nesterov=True, momentum=0.9, dampening=0.1)])
def test_nesterov_needs_momentum_and_no_dampening(kwargs):
    with pytest.raises(ValueError, match=exact("Nesterov momentum requires a momentum and zero dampening")):
        SGD(make_params((2,)), lr=0.1, **kwargs)


@pytest.mark.parametrize("cls", WITH_EPS, ids=lambda c: c.__name__)
def test_negative_eps(cls):
    with pytest.raises(ValueError, match=exact("Invalid epsilon value: -1")):
        cls(make_params((2,)), eps=-1)


@pytest.mark.parametrize("cls", [Adam, AdamW], ids=lambda c: c.__name__)
@pytest.mark.parametrize("betas, message", [
    ((1.0, 0.999), "Invalid beta parameter at index 0: 1.0"),
    ((-0.1, 0.999), "Invalid beta parameter at index 0: -0.1"),
    ((0.9, 1.5), "Invalid beta parameter at index 1: 1.5"),
])
def test_betas_out_of_range(cls, betas, message):
    with pytest.raises(ValueError, match=exact(message)):
        cls(make_params((2,)), betas=betas)


def test_rmsprop_alpha_and_adagrad_ranges():
    with pytest.raises(ValueError, match=exact("Invalid alpha value: -1")):
        RMSprop(make_params((2,)), alpha=-1)
    with pytest.raises(ValueError, match=exact("Invalid lr_decay value: -1")):
        Adagrad(make_params((2,)), lr_decay=-1)
    with pytest.raises(ValueError, match=exact("Invalid initial_accumulator_value value: -1")):
        Adagrad(make_params((2,)), initial_accumulator_value=-1)


# ---------------------------------------------------------------- hyperparameter types
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_learning_rate_of_the_wrong_type_names_lr(cls):
    with pytest.raises(TypeError, match=exact("lr must be a real number, but got str 'fast'")):
        cls(make_params((2,)), lr="fast")
    with pytest.raises(TypeError, match=exact("lr must be a real number, but got bool True")):
        cls(make_params((2,)), lr=True)


def test_other_type_errors_name_the_hyperparameter():
    with pytest.raises(TypeError, match=exact("momentum must be a real number, but got NoneType None")):
        SGD(make_params((2,)), lr=0.1, momentum=None)
    with pytest.raises(TypeError, match=exact("nesterov must be True or False, but got str 'yes'")):
        SGD(make_params((2,)), lr=0.1, momentum=0.9, nesterov="yes")
    with pytest.raises(TypeError, match=exact("amsgrad must be True or False, but got int 1")):
        Adam(make_params((2,)), amsgrad=1)
    with pytest.raises(TypeError, match=exact("betas must be a pair (beta1, beta2) of real numbers, but got float 0.9")):
        Adam(make_params((2,)), betas=0.9)
    with pytest.raises(TypeError, match=exact("betas[1] must be a real number, but got str 'x'")):
        Adam(make_params((2,)), betas=(0.9, "x"))
    with pytest.raises(TypeError, match=exact("centered must be True or False, but got str 'no'")):
        RMSprop(make_params((2,)), centered="no")
    with pytest.raises(TypeError, match=exact("lr_decay must be a real number, but got list [0.1]")):
        Adagrad(make_params((2,)), lr_decay=[0.1])


def test_numpy_scalars_are_accepted():
    opt = Adam(make_params((2,)), lr=np.float64(0.01), betas=(np.float32(0.9), 0.99), amsgrad=np.bool_(True))
    assert opt.param_groups[0]["lr"] == 0.01


# ---------------------------------------------------------------- params argument
def test_empty_parameter_list():
    with pytest.raises(ValueError, match=exact("optimizer got an empty parameter list")):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match=exact("optimizer got an empty parameter list")):
        Adam(iter([]))


def test_a_parameter_in_two_groups():
    a, b = make_params((2,), (3,))
    with pytest.raises(ValueError, match=exact("some parameters appear in more than one parameter group")):
        SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1)


def test_a_parameter_twice_in_one_group():
    (a,) = make_params((2,))
    with pytest.raises(ValueError, match=exact("a parameter group contains the same parameter more than once")):
        SGD([a, a], lr=0.1)


@pytest.mark.parametrize("bad, name", [(1.0, "float"), (np.zeros(2), "numpy.ndarray"), ("w", "str")])
def test_params_must_be_tensors(bad, name):
    (a,) = make_params((2,))
    with pytest.raises(TypeError, match=exact(f"optimizer can only optimize Tensors, but one of the params is {name}")):
        SGD([a, bad], lr=0.1)


def test_params_must_be_an_iterable_of_tensors_or_dicts():
    (a,) = make_params((2,))
    prefix = "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
    with pytest.raises(TypeError, match=exact(prefix + "tinytorch.core.tensor.Tensor")):
        SGD(a, lr=0.1)
    with pytest.raises(TypeError, match=exact(prefix + "int")):
        SGD(5, lr=0.1)
    with pytest.raises(TypeError, match=exact(prefix + "a single dict; wrap a parameter group in a list: [group]")):
        SGD({"params": [a]}, lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change between runs"):
        SGD({a}, lr=0.1)


def test_non_leaf_and_non_float_tensors_are_refused():
    (a,) = make_params((2,))
    with pytest.raises(ValueError, match=exact("can't optimize a non-leaf Tensor")):
        SGD([a * 2], lr=0.1)
    with pytest.raises(TypeError, match=exact(
            "optimizer can only optimize floating-point Tensors, but one of the params has dtype int64")):
        SGD([Tensor(np.array([1, 2], dtype=np.int64))], lr=0.1)


# ---------------------------------------------------------------- seed spellings
def test_both_spellings_of_one_thing_is_a_type_error():
    p = make_params((2,))
    with pytest.raises(TypeError, match=exact("SGD() got both 'lr' and its TinyTorch spelling 'learning_rate'; give only one")):
        SGD(p, lr=0.1, learning_rate=0.1)
    with pytest.raises(TypeError, match=exact("SGD() got both 'lr' and its TinyTorch spelling 'learning_rate'; give only one")):
        SGD(p, 0.1, learning_rate=0.1)
    with pytest.raises(TypeError, match=exact("Adam() got both 'eps' and its TinyTorch spelling 'epsilon'; give only one")):
        Adam(p, eps=1e-8, epsilon=1e-8)
    with pytest.raises(TypeError, match=exact(
            "Adam() got both 'betas' and its TinyTorch spelling 'beta1'/'beta2'; give only one")):
        Adam(p, betas=(0.9, 0.99), beta2=0.99)
    with pytest.raises(TypeError, match=exact("SGD() got both 'params' and its TinyTorch spelling 'parameters'; give only one")):
        SGD(p, parameters=p)


def test_unknown_keywords_are_named():
    p = make_params((2,))
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        SGD(p, lr=0.1, foo=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'epsilon'"):
        SGD(p, lr=0.1, epsilon=1e-8)   # SGD has no eps, in either spelling
    with pytest.raises(TypeError, match="unexpected keyword argument 'beta1'"):
        RMSprop(p, beta1=0.9)


def test_group_spellings_conflict():
    a, b = make_params((2,), (2,))
    opt = Adam([a])
    with pytest.raises(TypeError, match=exact(
            "parameter group has both 'lr' and its TinyTorch spelling 'learning_rate'; give only one")):
        opt.add_param_group({"params": [b], "lr": 0.1, "learning_rate": 0.2})
    with pytest.raises(TypeError, match=exact(
            "parameter group has both 'betas' and its TinyTorch spelling 'beta1'/'beta2'; give only one")):
        opt.add_param_group({"params": [b], "betas": (0.9, 0.9), "beta1": 0.8})
    assert len(opt.param_groups) == 1


# ---------------------------------------------------------------- add_param_group
def test_add_param_group_errors_leave_the_optimizer_unchanged():
    a, b = make_params((2,), (3,))
    opt = SGD([a], lr=0.1, momentum=0.9)
    with pytest.raises(TypeError, match=exact("param_group must be a dict, but got list")):
        opt.add_param_group([b])
    with pytest.raises(ValueError, match=exact("a parameter group must have a 'params' entry")):
        opt.add_param_group({"lr": 0.1})
    with pytest.raises(ValueError, match=exact("Invalid learning rate: -2")):
        opt.add_param_group({"params": [b], "lr": -2})   # PyTorch accepts this group silently
    with pytest.raises(ValueError, match=exact("some parameters appear in more than one parameter group")):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="a parameter group's 'params' must be a Tensor or an iterable of Tensors"):
        opt.add_param_group({"params": 3})
    group = {"params": [b], "lr": "x"}
    with pytest.raises(TypeError, match=exact("lr must be a real number, but got str 'x'")):
        opt.add_param_group(group)
    assert group == {"params": [b], "lr": "x"}          # the caller's dict is not modified
    assert len(opt.param_groups) == 1 and opt.param_groups[0]["params"][0] is a


# ---------------------------------------------------------------- step: check first, then mutate
def trained(cls, **kwargs):
    """An optimizer over three parameters in two groups, with state from two good steps."""
    params = make_params((3,), (2, 2), (2,), seed=1)
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.05}]
    opt = cls(groups, **kwargs)
    for _ in range(2):
        set_grads(params, [np.ones(p.shape) for p in params])
        opt.step()
    return opt, params


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_gradient_of_the_wrong_shape_changes_nothing(cls):
    kwargs = {"momentum": 0.9} if cls in (SGD, RMSprop) else {}
    opt, params = trained(cls, **kwargs)
    set_grads(params, [np.ones(p.shape) for p in params])
    params[2]._grad = Tensor(np.ones(3))   # the Tensor's own setter refuses this; simulate a corrupt grad
    before = snapshot(opt)
    message = "the gradient of parameter 2 (group 1, position 0) has shape (3,), but the parameter has shape (2,)"
    with pytest.raises(ValueError, match=exact(message)):
        opt.step()
    assert_same_snapshot(before, snapshot(opt))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_gradient_of_the_wrong_dtype_or_type_changes_nothing(cls):
    opt, params = trained(cls)
    set_grads(params, [np.ones(p.shape) for p in params])
    params[1].grad = Tensor(np.ones((2, 2), dtype=np.float32))
    before = snapshot(opt)
    with pytest.raises(TypeError, match=exact(
            "the gradient of parameter 1 (group 0, position 1) has dtype float32, but the parameter has dtype float64")):
        opt.step()
    assert_same_snapshot(before, snapshot(opt))
    params[1]._grad = np.ones((2, 2))
    with pytest.raises(TypeError, match=exact(
            "the gradient of parameter 1 (group 0, position 1) must be a Tensor or None, but got numpy.ndarray")):
        opt.step()
    assert_same_snapshot(before, snapshot(opt))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_bad_hyperparameter_written_between_steps_changes_nothing(cls):
    opt, params = trained(cls)
    set_grads(params, [np.ones(p.shape) for p in params])
    opt.param_groups[1]["lr"] = "fast"
    before = snapshot(opt)
    with pytest.raises(TypeError, match=exact("lr must be a real number, but got str 'fast'")):
        opt.step()
    assert_same_snapshot(before, snapshot(opt))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_ranges_are_checked_where_pytorch_checks_them(cls):
    """The constructor and add_param_group refuse lr = -1; a value written into a
    group later is used by the step, as PyTorch does (it checks no range there)."""
    opt, params = trained(cls)
    with pytest.raises(ValueError, match=exact(message(cls, "lr", -1))):
        opt.add_param_group({"params": [Tensor(np.ones(2))], "lr": -1})
    set_grads(params, [np.ones(p.shape) for p in params])
    opt.param_groups[1]["lr"] = -1
    opt.step()                                   # runs, with the value written
    assert opt.param_groups[1]["lr"] == -1


def test_one_cycle_may_cycle_adams_beta1_outside_the_constructors_range():
    """OneCycleLR writes β₁ = momentum into Adam's betas at every step; like
    PyTorch, the step uses whatever it writes (here down to -0.1)."""
    from tinytorch.optim import Adam
    from tinytorch.optim.lr_scheduler import OneCycleLR

    w = Tensor(np.ones(3), requires_grad=True)
    opt = Adam([w], lr=0.1)
    sched = OneCycleLR(opt, max_lr=0.1, total_steps=10, base_momentum=-0.1,
                       max_momentum=0.9, anneal_strategy="linear")
    beta1s = []
    for _ in range(9):
        w.grad = Tensor(np.ones(3))
        opt.step()
        sched.step()
        beta1s.append(opt.param_groups[0]["betas"][0])
    assert min(beta1s) == pytest.approx(-0.1)          # the peak of the lr
    assert np.isfinite(w.numpy()).all()


# ---------------------------------------------------------------- load_state_dict
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_load_state_dict_errors_leave_the_optimizer_exactly_as_it_was(cls):
    opt, params = trained(cls)
    good = opt.state_dict()
    before = snapshot(opt)

    def refused(exception, message, state_dict):
        with pytest.raises(exception, match=message):
            opt.load_state_dict(state_dict)
        assert_same_snapshot(before, snapshot(opt))

    refused(TypeError, exact("load_state_dict expected a state dict (the dict returned by Optimizer.state_dict(), "
                             "with 'state' and 'param_groups' entries), but got str"), "garbage")
    refused(ValueError, exact("the state dict has no 'state' entry (expected the dict returned by state_dict())"), {})
    refused(ValueError, exact("loaded state dict has a different number of parameter groups"),
            {**good, "param_groups": good["param_groups"][:1]})
    groups = [dict(g) for g in good["param_groups"]]
    groups[1]["params"] = [2, 3]
    refused(ValueError, exact("loaded state dict contains a parameter group that doesn't match the size of optimizer's group"),
            {**good, "param_groups": groups})
    refused(ValueError, exact("loaded state dict has state for parameter id 7, which is in none of its groups"),
            {**good, "state": {**good["state"], 7: {}}})
    if good["state"]:
        pid = next(iter(good["state"]))
        name = next(k for k, v in good["state"][pid].items()
                    if isinstance(v, np.ndarray) and v.ndim > 0)
        bad_state = {**good["state"], pid: {**good["state"][pid], name: np.zeros(5)}}
        refused(ValueError, exact(f"state '{name}' of parameter id {pid} has shape (5,), but the parameter has shape (3,)"),
                {**good, "state": bad_state})
        if "step" in good["state"][pid]:
            bad_state = {**good["state"], pid: {**good["state"][pid], "step": "three"}}
            refused(ValueError, exact(f"state 'step' of parameter id {pid} must be a number, but got str"),
                    {**good, "state": bad_state})
    groups = [dict(g) for g in good["param_groups"]]
    groups[1]["lr"] = -3
    refused(ValueError, exact(message(cls, "lr", -3)), {**good, "param_groups": groups})


# ---------------------------------------------------------------- the seed's single-group view
def test_learning_rate_attribute_refuses_disagreeing_groups():
    a, b = make_params((2,), (2,))
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
    message = ("the optimizer's 2 parameter groups have different learning rates [0.1, 0.01]; "
               "use optimizer.param_groups[i]['lr'] instead")
    with pytest.raises(ValueError, match=exact(message)):
        opt.learning_rate
    with pytest.raises(ValueError, match=exact(message)):
        opt.learning_rate = 0.5
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]


def test_setting_a_bad_learning_rate_changes_nothing():
    opt = SGD(make_params((2,)), lr=0.1)
    with pytest.raises(ValueError, match=exact("Invalid learning rate: -1")):
        opt.learning_rate = -1
    with pytest.raises(TypeError, match=exact("lr must be a real number, but got str 'fast'")):
        opt.learning_rate = "fast"
    assert opt.learning_rate == 0.1


def test_gradient_descent_step_validation():
    (w,) = make_params((2,))
    w.grad = Tensor(np.ones(2))
    with pytest.raises(TypeError, match=exact("parameter must be a Tensor, but got ndarray")):
        gradient_descent_step(np.zeros(2), 0.1)
    with pytest.raises(TypeError, match=exact("learning_rate must be a real number, but got str 'fast'")):
        gradient_descent_step(w, "fast")
    with pytest.raises(ValueError, match=exact("Invalid learning rate: -1")):
        gradient_descent_step(w, -1)
    before = w.numpy().copy()
    w._grad = Tensor(np.ones(3))
    with pytest.raises(ValueError, match=exact("the gradient has shape (3,), but the parameter has shape (2,)")):
        gradient_descent_step(w, 0.1)
    np.testing.assert_array_equal(w.numpy(), before)


def test_a_state_buffer_of_the_wrong_shape_is_caught_before_any_update():
    opt, params = trained(SGD, momentum=0.9)
    opt.state[params[1]]["momentum_buffer"] = np.zeros(7)      # e.g. edited by hand
    set_grads(params, [np.ones(p.shape) for p in params])
    before = snapshot(opt)
    with pytest.raises(ValueError, match=exact(
            "state 'momentum_buffer' of parameter 1 (group 0, position 1) has shape (7,), "
            "but the parameter has shape (2, 2)")):
        opt.step()
    assert_same_snapshot(before, snapshot(opt))


# ---------------------------------------------------------------- NAdam, RAdam, Adamax, Adadelta, ASGD, Rprop
@pytest.mark.parametrize("make, exc, message", [
    (lambda ps: tinytorch.optim.NAdam(ps, momentum_decay=-1), ValueError,
     "Invalid momentum_decay value: -1"),
    (lambda ps: tinytorch.optim.NAdam(ps, betas=(0.9, 1.0)), ValueError,
     "Invalid beta parameter at index 1: 1.0"),
    (lambda ps: tinytorch.optim.RAdam(ps, eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    (lambda ps: tinytorch.optim.Adamax(ps, lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda ps: tinytorch.optim.Adadelta(ps, rho=1.5), ValueError, "Invalid rho value: 1.5"),
    (lambda ps: tinytorch.optim.Adadelta(ps, eps=-1), ValueError, "Invalid epsilon value: -1"),
    (lambda ps: tinytorch.optim.ASGD(ps, weight_decay=-0.5), ValueError,
     "Invalid weight_decay value: -0.5"),
    (lambda ps: tinytorch.optim.Rprop(ps, etas=(1.2, 0.5)), ValueError, "Invalid eta values: 1.2, 0.5"),
    (lambda ps: tinytorch.optim.Rprop(ps, etas=(0.5, 1.0)), ValueError, "Invalid eta values: 0.5, 1.0"),
    (lambda ps: tinytorch.optim.Rprop(ps, step_sizes=1e-6), TypeError,
     "step_sizes must be a pair of real numbers, but got 1e-06"),
    (lambda ps: tinytorch.optim.Adafactor(ps, d=0.5), ValueError,
     "Clipping threshold d should be >= 1 but is: 0.5"),
    (lambda ps: tinytorch.optim.Adafactor(ps, beta2_decay=0.5), ValueError,
     "beta2_decay should be <= 0 but is: 0.5"),
    (lambda ps: tinytorch.optim.Adafactor(ps, eps=(-1.0, 1e-3)), ValueError,
     "epsilon1 should be >= 0 but is: -1.0"),
    (lambda ps: tinytorch.optim.Lion(ps, lr=0.0), ValueError, "Invalid learning rate: 0.0"),
    (lambda ps: tinytorch.optim.Lion(ps, betas=(0.9, 1.5)), ValueError,
     "Invalid beta parameter at index 1: 1.5"),
    (lambda ps: tinytorch.optim.AdamWScheduleFree(ps, warmup_steps=-1), ValueError,
     "warmup_steps must be a non-negative integer, but got -1"),
])
def test_newer_optimizers_reject_bad_hyperparameters_with_pytorchs_message(make, exc, message):
    with pytest.raises(exc, match=exact(message)):
        make(make_params((2,)))


@pytest.mark.parametrize("name", ["NAdam", "ASGD"])
def test_scalar_state_must_load_as_a_number_and_stays_float32(name):
    opt, params = trained(OPTIMIZERS[name])
    good = opt.state_dict()
    pid = next(iter(good["state"]))
    key = "mu_product" if name == "NAdam" else "eta"
    before = snapshot(opt)
    bad = {**good, "state": {**good["state"], pid: {**good["state"][pid], key: np.zeros(3)}}}
    with pytest.raises(ValueError, match=exact(
            f"state '{key}' of parameter id {pid} must be a number, but got numpy.ndarray")):
        opt.load_state_dict(bad)
    assert_same_snapshot(before, snapshot(opt))
    opt.load_state_dict(good)
    value = opt.state[opt.param_groups[0]["params"][0]][key]
    assert isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype == np.float32


# ---------------------------------------------------------------- schedule-free's two modes
def test_schedule_free_steps_only_in_train_mode_and_changes_nothing_otherwise():
    params = make_params((3,), (2, 2))
    opt = tinytorch.optim.AdamWScheduleFree(params, lr=0.01)
    set_grads(params, [np.ones(3), np.ones((2, 2))])
    before = snapshot(opt)
    with pytest.raises(RuntimeError, match=exact(
            "Optimizer was not in train mode when step is called. Please insert .train() and "
            ".eval() calls on the optimizer. See documentation for details.")):
        opt.step()
    assert_same_snapshot(before, snapshot(opt))
    opt.train()
    opt.step()
    assert opt.param_groups[0]["k"] == 1


def test_schedule_free_eval_then_train_is_a_round_trip():
    """eval() moves p from y to x, train() back: y = (1 - b1) z + b1 x."""
    params = make_params((4,), seed=3)
    opt = tinytorch.optim.AdamWScheduleFree(params, lr=0.05, betas=(0.8, 0.999))
    opt.train()
    rng = np.random.default_rng(0)
    for _ in range(5):
        set_grads(params, [rng.standard_normal(4)])
        opt.step()
    y = params[0].numpy().copy()
    z = opt.state[params[0]]["z"]
    opt.eval()
    x = params[0].numpy().copy()
    np.testing.assert_allclose(y, 0.2 * z + 0.8 * x, rtol=0, atol=1e-14)
    opt.eval()                                  # a second eval() changes nothing
    np.testing.assert_array_equal(params[0].numpy(), x)
    opt.train()
    np.testing.assert_allclose(params[0].numpy(), y, rtol=0, atol=1e-14)


def test_lion_moves_every_coordinate_by_exactly_lr():
    params = make_params((5,), seed=1)
    start = params[0].numpy().copy()
    opt = tinytorch.optim.Lion(params, lr=0.25)
    set_grads(params, [np.array([3.0, -1e-9, 2.0, -7.0, 0.0])])
    opt.step()
    np.testing.assert_allclose(start - params[0].numpy(), [0.25, -0.25, 0.25, -0.25, 0.0],
                               rtol=0, atol=1e-15)
