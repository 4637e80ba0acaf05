"""Composing schedulers: one after another (SequentialLR) or all at once (ChainedScheduler).

SequentialLR hands the optimizer from one scheduler to the next at milestones.

The canonical use is warm-up followed by decay::

    warm = LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = CosineAnnealingLR(opt, T_max=95)
    sched = SequentialLR(opt, [warm, cos], milestones=[5])

For e < 5 the LinearLR is stepped; at e = 5 the cosine scheduler is *restarted* at
its own epoch 0 (its closed form, i.e. the base lr), and stepped from there:
lr_e = cos_{e − 5}. Each milestone m hands over at e = m.

Constructing the child schedulers already stepped them once each; SequentialLR undoes
that (every child's ``last_epoch`` goes back by one, every group's lr back to
``initial_lr``) and re-runs the first child's initial step, as PyTorch does.

ChainedScheduler steps every child at every step, in order. Most schedulers are
*recursive* (they rescale the group's current lr), so their factors multiply: a
ConstantLR warm-up chained with an ExponentialLR decay gives
lr_e = base · (warm-up factor at e) · γ^e.
"""
from __future__ import annotations

from bisect import bisect_right

from tinytorch.optim.schedulers.base import LRScheduler, check_optimizer
from tinytorch.optim.schedulers.plateau import ReduceLROnPlateau

__all__ = ["SequentialLR", "ChainedScheduler"]


def check_children(name: str, schedulers: list, optimizer) -> None:
    """PyTorch's checks of a composed scheduler's children, with its messages."""
    if len(schedulers) < 1:
        raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
    for idx, sched in enumerate(schedulers):
        if not hasattr(sched, "optimizer"):
            raise TypeError(f"{name} at index {idx} should have `optimizer` as its attribute.")
        if isinstance(sched, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at "
                f"index {idx} in the given schedulers sequence."
            )
        if sched.optimizer is not optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(sched).__name__} at index {idx} has {sched.optimizer}, "
                f"which is different from {type(optimizer).__name__}."
            )


class _Composition(LRScheduler):
    """A scheduler made of child schedulers (``self._schedulers``): its checkpoint
    holds its own attributes plus each child's state dict."""

    _not_saved = ("optimizer", "_schedulers")

    def state_dict(self) -> dict:
        """Own attributes plus ``_schedulers``: the children's state dicts."""
        state = super().state_dict()
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        children = state.pop("_schedulers")
        if len(children) != len(self._schedulers):
            raise ValueError(
                f"state_dict holds {len(children)} schedulers, this {type(self).__name__} "
                f"has {len(self._schedulers)}"
            )
        super().load_state_dict(state)
        for sched, child_state in zip(self._schedulers, children):
            sched.load_state_dict(child_state)


class SequentialLR(_Composition):
    """Run ``schedulers[i]`` for milestones[i−1] ≤ e < milestones[i].

    Args:
        optimizer: the optimizer all ``schedulers`` belong to.
        schedulers: a non-empty list of schedulers (not ReduceLROnPlateau).
        milestones: strictly increasing ints, ``len(schedulers) − 1`` of them.
        last_epoch: default -1.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch: int = -1):
        check_optimizer(optimizer)
        name = type(self).__name__
        schedulers, milestones = list(schedulers), list(milestones)
        check_children(name, schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to {len(milestones)}"
            )
        if any(isinstance(m, bool) or not isinstance(m, int) for m in milestones) or any(
            b <= a for a, b in zip(milestones, milestones[1:])
        ):
            raise ValueError(f"milestones must be strictly increasing integers, but got {milestones}")
        for i, group in enumerate(optimizer.param_groups):
            if "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}]")

        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def _undo_initial_steps(self, sched) -> None:
        """Move every (nested) child's ``last_epoch`` back by one."""
        if hasattr(sched, "_schedulers"):
            for child in sched._schedulers:
                self._undo_initial_steps(child)
        elif hasattr(sched, "last_epoch"):
            sched.last_epoch -= 1

    def step(self) -> None:
        """Advance e; at a milestone restart the next scheduler at its epoch 0."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            sched._update_lr(0)
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()



class ChainedScheduler(_Composition):
    """Step every scheduler of ``schedulers`` at each step: their factors multiply.

    Args:
        schedulers: a non-empty sequence of schedulers on one optimizer (not
            ReduceLROnPlateau).
        optimizer: that optimizer (default: the first scheduler's).

    Example -- a constant warm-up factor for 5 steps, times an exponential decay::

        ChainedScheduler([ConstantLR(opt, factor=0.1, total_iters=5),
                          ExponentialLR(opt, gamma=0.9)])
    """

    def __init__(self, schedulers, optimizer=None) -> None:
        schedulers = list(schedulers)
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(
                f"{name} expects at least one scheduler to be chained, but got no scheduler."
            )
        optimizer = optimizer or schedulers[0].optimizer
        check_children(name, schedulers, optimizer)
        # Like PyTorch, no initial step: the children took theirs when they were built.
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self) -> None:
        """Step each child, in order."""
        for sched in self._schedulers:
            sched.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

