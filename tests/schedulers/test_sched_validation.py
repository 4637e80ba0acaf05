"""Every validation rule of the schedulers: exception type, exact message, nothing changed."""
import pickle
import re
import warnings

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor
from tinytorch.optim import SGD, Adagrad
from tinytorch.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)


def sgd(lr=0.1, groups=1, **kw):
    params = [Tensor(np.zeros(3), requires_grad=True) for _ in range(groups)]
    return SGD([{"params": [p]} for p in params], lr=lr, **kw)


def stepped(opt):
    """Run one real optimizer step so the call-order warning does not fire."""
    for g in opt.param_groups:
        for p in g["params"]:
            p.grad = Tensor(np.zeros_like(p.numpy()))
    opt.step()
    return opt


def groups_snapshot(opt):
    return pickle.dumps([{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups])


# ------------------------------------------------------------------- call order
def test_warns_when_scheduler_steps_before_optimizer():
    opt = sgd()
    sched = StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=re.escape(
            "Detected call of `lr_scheduler.step()` before `optimizer.step()`.")):
        sched.step()


def test_no_warning_in_the_right_order():
    opt = sgd()
    sched = CosineAnnealingLR(opt, T_max=10)
    stepped(opt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
        stepped(opt)
        sched.step()


def test_warning_only_on_the_first_scheduler_step():
    opt = sgd()
    sched = ExponentialLR(opt, gamma=0.9)
    with pytest.warns(UserWarning):
        sched.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_get_lr_outside_step_warns_and_points_to_get_last_lr():
    sched = StepLR(stepped(sgd()), step_size=3)
    with pytest.warns(UserWarning, match=re.escape("please use `get_last_lr()`")):
        sched.get_lr()


def test_explicit_epoch_is_deprecated_and_uses_the_closed_form():
    opt = stepped(sgd(lr=1.0))
    sched = StepLR(opt, step_size=3, gamma=0.5)
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        sched.step(7)
    assert sched.get_last_lr() == [0.25] and sched.last_epoch == 7


def test_get_last_lr_is_a_list_per_group_and_a_copy():
    opt = sgd(groups=2)
    sched = MultiStepLR(opt, milestones=[1])
    lrs = sched.get_last_lr()
    assert lrs == [0.1, 0.1]
    lrs[0] = 5.0
    assert sched.get_last_lr() == [0.1, 0.1]


# ------------------------------------------------------------------- base class
def test_not_an_optimizer():
    with pytest.raises(TypeError, match="^list is not an Optimizer$"):
        StepLR([], step_size=1)
    with pytest.raises(TypeError, match="^dict is not an Optimizer$"):
        ReduceLROnPlateau({})


def test_resuming_without_initial_lr_is_a_key_error_and_changes_nothing():
    opt = sgd()
    before = groups_snapshot(opt)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        StepLR(opt, step_size=2, last_epoch=4)
    assert groups_snapshot(opt) == before


def test_base_get_lr_is_abstract():
    class Nothing(LRScheduler):
        pass

    with pytest.raises(NotImplementedError):
        Nothing(sgd())


def test_load_state_dict_needs_a_dict():
    with pytest.raises(TypeError, match="state_dict must be a dict, but got list"):
        StepLR(sgd(), 2).load_state_dict([])


# ------------------------------------------------------------------- per class
@pytest.mark.parametrize("make, exc, message", [
    (lambda o: StepLR(o, step_size=0), ValueError, "step_size must be a positive integer, but got 0"),
    (lambda o: StepLR(o, step_size=2.5), ValueError, "step_size must be a positive integer, but got 2.5"),
    (lambda o: MultiStepLR(o, milestones=[3, "5"]), TypeError, "milestones must be integers, but got '5'"),
    (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be a positive number, but got 0"),
    (lambda o: LinearLR(o, start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda o: LinearLR(o, start_factor=1.5), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda o: LinearLR(o, end_factor=-0.1), ValueError,
     "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda o: LinearLR(o, total_iters=0), ValueError, "total_iters must be a positive integer, but got 0"),
    (lambda o: ConstantLR(o, factor=1.2), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda o: ConstantLR(o, total_iters=-1), ValueError, "total_iters must be a positive integer, but got -1"),
    (lambda o: LambdaLR(o, lr_lambda=[lambda e: 1.0, lambda e: 1.0]), ValueError,
     "Expected 1 lr_lambdas, but got 2"),
    (lambda o: LambdaLR(o, lr_lambda=0.5), TypeError, "lr_lambda should be a function, but got float"),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "Expected positive integer T_0, but got 0"),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), ValueError,
     "Expected integer T_mult >= 1, but got 0"),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1.5), ValueError,
     "Expected integer T_mult >= 1, but got 1.5"),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=5, eta_min="0"), ValueError,
     "Expected float or int eta_min, but got 0 of type <class 'str'>"),
    (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda o: ReduceLROnPlateau(o, mode="lowest"), ValueError, "mode lowest is unknown!"),
    (lambda o: ReduceLROnPlateau(o, threshold_mode="relative"), ValueError,
     "threshold mode relative is unknown!"),
    (lambda o: ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError, "expected 1 min_lrs, got 2"),
    (lambda o: OneCycleLR(o, max_lr=1.0), ValueError,
     "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError,
     "Expected positive integer total_steps, but got 0"),
    (lambda o: OneCycleLR(o, max_lr=1.0, epochs=0, steps_per_epoch=3), ValueError,
     "Expected positive integer epochs, but got 0"),
    (lambda o: OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=1.5), ValueError,
     "Expected positive integer steps_per_epoch, but got 1.5"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.2), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1.2"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.1), ValueError,
     "OneCycleLR phase 1 of 2 would have zero length with pct_start=0.1 and total_steps=10"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.0), ValueError,
     "OneCycleLR phase 2 of 2 would have zero length with pct_start=1.0 and total_steps=10"),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.1, three_phase=True), ValueError,
     "OneCycleLR phase 1 of 3 would have zero length"),
    (lambda o: OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=10), ValueError,
     "max_lr must have the same length as optimizer.param_groups. max_lr has 2 values, param_groups has 1."),
    (lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, base_momentum=[0.8, 0.9]), ValueError,
     "base_momentum must have the same length as optimizer.param_groups."),
    (lambda o: MultiplicativeLR(o, lr_lambda=[lambda e: 0.9, lambda e: 0.9]), ValueError,
     "Expected 1 lr_lambdas, but got 2"),
    (lambda o: MultiplicativeLR(o, lr_lambda=0.9), TypeError,
     "lr_lambda should be a function, but got float"),
    (lambda o: CyclicLR(o, base_lr=0.01, max_lr=0.1, mode="sawtooth"), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda o: CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1), ValueError,
     "base_lr must have the same length as optimizer.param_groups. base_lr has 2 values, "
     "param_groups has 1."),
    (lambda o: CyclicLR(o, base_lr=0.01, max_lr=0.1, max_momentum=[0.9, 0.95]), ValueError,
     "max_momentum must have the same length as optimizer.param_groups."),
    (lambda o: ChainedScheduler([]), ValueError,
     "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler."),
])
def test_constructor_errors_leave_the_optimizer_untouched(make, exc, message):
    opt = sgd(momentum=0.9)
    before = groups_snapshot(opt)
    with pytest.raises(exc, match="^" + re.escape(message)):
        make(opt)
    assert groups_snapshot(opt) == before


def test_onecycle_needs_momentum_or_betas_and_validates_before_writing():
    opt = Adagrad([Tensor(np.zeros(2), requires_grad=True)], lr=0.1)
    before = groups_snapshot(opt)
    with pytest.raises(ValueError, match=re.escape(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled")):
        OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert groups_snapshot(opt) == before  # torch would already have written initial_lr/max_lr/min_lr
    OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)  # fine without momentum


def test_onecycle_past_total_steps_raises_and_changes_nothing():
    opt = stepped(sgd(momentum=0.9))
    sched = OneCycleLR(opt, max_lr=1.0, total_steps=5)
    for _ in range(5):
        sched.step()
    state, groups = pickle.dumps(sched.state_dict()), groups_snapshot(opt)
    with pytest.raises(ValueError, match="^Tried to step 6 times. The specified number of total steps is 5$"):
        sched.step()
    assert pickle.dumps(sched.state_dict()) == state and groups_snapshot(opt) == groups


def test_warm_restarts_negative_epoch():
    sched = CosineAnnealingWarmRestarts(stepped(sgd()), T_0=3)
    with pytest.raises(ValueError, match="^Expected non-negative epoch, but got -1$"):
        sched.step(-1)


@pytest.mark.parametrize("bad, exc, message", [
    ([], ValueError, "SequentialLR expects at least one scheduler, but got no scheduler."),
    ([object()], TypeError, "SequentialLR at index 0 should have `optimizer` as its attribute."),
])
def test_sequential_scheduler_list_errors(bad, exc, message):
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        SequentialLR(sgd(), bad, milestones=[])


def test_sequential_rejects_plateau_foreign_optimizer_and_bad_milestones():
    opt = sgd()
    with pytest.raises(ValueError, match="SequentialLR does not support `ReduceLROnPlateau` scheduler"):
        SequentialLR(opt, [ReduceLROnPlateau(opt)], milestones=[])
    other = sgd()
    with pytest.raises(ValueError, match="SequentialLR expects all schedulers to belong to the same optimizer"):
        SequentialLR(opt, [StepLR(opt, 2), StepLR(other, 2)], milestones=[3])
    before = groups_snapshot(opt)
    with pytest.raises(ValueError, match=re.escape(
            "Sequential Schedulers expects number of schedulers provided to be one more than the number "
            "of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 2")):
        SequentialLR(opt, [StepLR(opt, 2), StepLR(opt, 2)], milestones=[3, 4])
    with pytest.raises(ValueError, match=re.escape("milestones must be strictly increasing integers, but got [5, 3]")):
        SequentialLR(opt, [StepLR(opt, 2), StepLR(opt, 2), StepLR(opt, 2)], milestones=[5, 3])


def test_plateau_min_lrs_must_follow_new_groups():
    opt = sgd()
    sched = ReduceLROnPlateau(opt, patience=0, min_lr=[0.0])
    opt.add_param_group({"params": [Tensor(np.zeros(1), requires_grad=True)]})
    sched.step(1.0)
    with pytest.raises(RuntimeError, match=re.escape(
            "The number of param groups in the `optimizer` (2) differs from when `ReduceLROnPlateau` "
            "was initialized (1)")):
        sched.step(2.0)


def test_plateau_accepts_a_one_element_tensor_metric():
    opt = sgd(lr=1.0)
    sched = ReduceLROnPlateau(opt, patience=0, factor=0.5)
    sched.step(Tensor(1.0))
    sched.step(Tensor(2.0))
    assert sched.get_last_lr() == [0.5]


def test_cyclic_needs_momentum_or_betas_and_validates_before_writing():
    opt = Adagrad([Tensor(np.zeros(2), requires_grad=True)], lr=0.1)
    before = groups_snapshot(opt)
    with pytest.raises(ValueError, match=re.escape(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled")):
        CyclicLR(opt, base_lr=0.01, max_lr=0.1)
    assert groups_snapshot(opt) == before  # torch would already have set lr = base_lr
    CyclicLR(opt, base_lr=0.01, max_lr=0.1, cycle_momentum=False)
    assert opt.param_groups[0]["lr"] == 0.01


def test_chained_scheduler_rejects_a_foreign_optimizer_and_plateau():
    a, b = sgd(), sgd()
    with pytest.raises(ValueError, match=re.escape(
            "ChainedScheduler expects all schedulers to belong to the same optimizer, but got "
            "scheduler ExponentialLR at index 1 has")):
        ChainedScheduler([ExponentialLR(a, gamma=0.9), ExponentialLR(b, gamma=0.9)])
    with pytest.raises(ValueError, match=re.escape(
            "ChainedScheduler does not support `ReduceLROnPlateau` scheduler as it requires "
            "additional kwargs to be specified when calling `step`, but got one at index 1 in "
            "the given schedulers sequence.")):
        ChainedScheduler([ExponentialLR(a, gamma=0.9), ReduceLROnPlateau(a)])


def test_chained_scheduler_multiplies_the_factors_of_its_children():
    opt = stepped(sgd(lr=1.0))
    chained = ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=2),
                                ExponentialLR(opt, gamma=0.8)])
    seen = [chained.get_last_lr()[0]]
    for _ in range(4):
        stepped(opt)
        chained.step()
        seen.append(chained.get_last_lr()[0])
    # e = 0..4: 0.5·0.8^e while the constant factor holds (e < 2), then 0.8^e
    assert seen == pytest.approx([0.5, 0.4, 0.64, 0.512, 0.4096], rel=1e-15)


def test_the_order_warning_is_pytorchs_with_its_link():
    opt = sgd()
    sched = StepLR(opt, step_size=2)
    with pytest.warns(UserWarning) as caught:
        sched.step()
    assert str(caught[0].message).endswith(
        "skipping the first value of the learning rate schedule. See more details at "
        "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate")


def test_replacing_optimizer_step_after_the_scheduler_warns_like_pytorch():
    opt = stepped(sgd())
    sched = StepLR(opt, step_size=2)
    opt.step = lambda closure=None: None      # e.g. a wrapper installed too late
    with pytest.warns(UserWarning, match=re.escape(
            "Seems like `optimizer.step()` has been overridden after learning rate "
            "scheduler initialization.")):
        sched.step()
